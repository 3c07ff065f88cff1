using KafkaConnect.Broker.Tests.Groups;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Tests.Handlers;

public sealed class OffsetDeleteHandlerTests : HandlerTestBase
{
    private const string Group = "connect-sink";

    private Task<OffsetCommitResponse> Commit(string topic, params (int Partition, long Offset)[] offsets)
    {
        // Commits to a topic that does not exist are refused, so the topic comes first.
        if (Broker.State.Topics.Get(topic) is null) Broker.CreateTopic(topic, 2);
        return Broker.SendAsync<OffsetCommitResponse>(ApiKey.OffsetCommit, 8, new OffsetCommitRequest
        {
            GroupId = Group,
            GenerationIdOrMemberEpoch = -1,
            Topics = [new() { Name = topic, Partitions = [.. offsets.Select(o => new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = o.Partition, CommittedOffset = o.Offset })] }],
        });
    }

    private Task<OffsetDeleteResponse> Delete(string group, string topic, params int[] partitions) =>
        Broker.SendAsync<OffsetDeleteResponse>(ApiKey.OffsetDelete, 0, new OffsetDeleteRequest
        {
            GroupId = group,
            Topics = [new() { Name = topic, Partitions = [.. partitions.Select(p => new OffsetDeleteRequest.OffsetDeleteRequestPartition { PartitionIndex = p })] }],
        });

    private async Task<Dictionary<int, long>> Fetch(string topic)
    {
        var r = await Broker.SendAsync<OffsetFetchResponse>(ApiKey.OffsetFetch, 8, new OffsetFetchRequest
        {
            Groups = [new() { GroupId = Group, Topics = [new() { Name = topic, PartitionIndexes = [0, 1] }] }],
        });
        return Assert.Single(Assert.Single(r.Groups).Topics).Partitions.ToDictionary(p => p.PartitionIndex, p => p.CommittedOffset);
    }

    [Fact]
    public async Task Deletes_one_partition_and_it_stays_deleted_after_a_restart()
    {
        await Commit("t", (0, 2), (1, 2));
        var deleted = await Delete(Group, "t", 1);
        Assert.Equal(ErrorCode.None, (ErrorCode)deleted.ErrorCode);
        var p = Assert.Single(Assert.Single(deleted.Topics).Partitions);
        Assert.Equal((1, ErrorCode.None), (p.PartitionIndex, (ErrorCode)p.ErrorCode));
        Assert.Equal(new Dictionary<int, long> { [0] = 2, [1] = -1 }, await Fetch("t"));

        await Broker.RestartAsync();
        Assert.Equal(new Dictionary<int, long> { [0] = 2, [1] = -1 }, await Fetch("t"));
    }

    [Fact]
    public async Task Unknown_group_is_group_id_not_found_with_no_topics()
    {
        var r = await Delete("never-seen", "t", 0);
        Assert.Equal(ErrorCode.GroupIdNotFound, (ErrorCode)r.ErrorCode);
        Assert.Empty(r.Topics);
    }

    [Fact]
    public async Task Topic_of_an_active_consumer_is_group_subscribed_to_topic()
    {
        var join = new JoinGroupRequest
        {
            GroupId = Group,
            SessionTimeoutMs = 10_000,
            RebalanceTimeoutMs = 30_000,
            MemberId = "",
            ProtocolType = "consumer",
            Protocols = [new() { Name = "range", Metadata = OffsetDeleteTests.Subscription("t") }],
        };
        var joined = await Broker.SendAsync<JoinGroupResponse>(ApiKey.JoinGroup, 3, join);
        Assert.Equal(ErrorCode.None, (ErrorCode)joined.ErrorCode);
        await Commit("other", (0, 1));

        var subscribed = await Delete(Group, "t", 0);
        Assert.Equal(ErrorCode.None, (ErrorCode)subscribed.ErrorCode);
        Assert.Equal(ErrorCode.GroupSubscribedToTopic, (ErrorCode)Assert.Single(Assert.Single(subscribed.Topics).Partitions).ErrorCode);
        var other = await Delete(Group, "other", 0);
        Assert.Equal(ErrorCode.None, (ErrorCode)Assert.Single(Assert.Single(other.Topics).Partitions).ErrorCode);
    }
}
