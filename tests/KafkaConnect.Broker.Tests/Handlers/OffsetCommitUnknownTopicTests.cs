using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Tests.Handlers;

/// <summary>OffsetCommit for partitions that do not exist: UNKNOWN_TOPIC_OR_PARTITION each, nothing stored (as Kafka).</summary>
public sealed class OffsetCommitUnknownTopicTests : HandlerTestBase
{
    private const string Group = "g-unknown";

    private static OffsetCommitRequest.OffsetCommitRequestTopic Topic(string name, params int[] partitions) => new()
    {
        Name = name,
        Partitions = [.. partitions.Select(p => new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = p, CommittedOffset = 10 + p })],
    };

    private static Dictionary<(string, int), ErrorCode> Errors(OffsetCommitResponse r)
        => r.Topics.SelectMany(t => t.Partitions.Select(p => ((t.Name, p.PartitionIndex), (ErrorCode)p.ErrorCode))).ToDictionary(e => e.Item1, e => e.Item2);

    private async Task<long> Committed(string topic, int partition)
    {
        var r = await Broker.SendAsync<OffsetFetchResponse>(ApiKey.OffsetFetch, 8, new OffsetFetchRequest
        {
            Groups = [new() { GroupId = Group, Topics = [new() { Name = topic, PartitionIndexes = [partition] }] }],
        });
        return Assert.Single(Assert.Single(Assert.Single(r.Groups).Topics).Partitions).CommittedOffset;
    }

    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    [InlineData(9)]
    public async Task Unknown_topics_and_partitions_are_refused_one_by_one_and_known_ones_are_stored(short version)
    {
        Broker.CreateTopic("known", partitions: 2);

        var response = await Broker.SendAsync<OffsetCommitResponse>(ApiKey.OffsetCommit, version, new OffsetCommitRequest
        {
            GroupId = Group,
            GenerationIdOrMemberEpoch = -1,
            Topics = [Topic("known", 0, 1, 5), Topic("missing", 0, 3)],
        });

        Assert.Equal(new Dictionary<(string, int), ErrorCode>
        {
            [("known", 0)] = ErrorCode.None,
            [("known", 1)] = ErrorCode.None,
            [("known", 5)] = ErrorCode.UnknownTopicOrPartition,
            [("missing", 0)] = ErrorCode.UnknownTopicOrPartition,
            [("missing", 3)] = ErrorCode.UnknownTopicOrPartition,
        }, Errors(response));
        Assert.Equal(10, await Committed("known", 0));
        Assert.Equal(11, await Committed("known", 1));
        Assert.Equal(-1, await Committed("known", 5));
        Assert.Equal(-1, await Committed("missing", 0));
    }

    [Fact]
    public async Task A_commit_only_to_missing_topics_does_not_create_the_group()
    {
        var response = await Broker.SendAsync<OffsetCommitResponse>(ApiKey.OffsetCommit, 8, new OffsetCommitRequest
        {
            GroupId = Group,
            GenerationIdOrMemberEpoch = -1,
            Topics = [Topic("missing", 0)],
        });

        Assert.Equal(ErrorCode.UnknownTopicOrPartition, Errors(response)[("missing", 0)]);
        var groups = await Broker.SendAsync<ListGroupsResponse>(ApiKey.ListGroups, 3, new ListGroupsRequest());
        Assert.DoesNotContain(groups.Groups, g => g.GroupId == Group);
    }
}
