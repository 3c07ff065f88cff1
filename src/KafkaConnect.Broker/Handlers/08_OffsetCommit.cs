// OffsetCommit (key 8), v0-9. Offsets are durable (fsync'd) before the response; a group commit is checked
// against the member's generation, a simple commit (generation -1, no member) is accepted for empty groups.
// Partitions of topics that do not exist are refused one by one, as Kafka does.
using KafkaConnect.Broker.Groups;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Handlers;

internal sealed class OffsetCommitHandler : ApiHandler<OffsetCommitRequest, OffsetCommitResponse>
{
    public override ApiKey Key => ApiKey.OffsetCommit;
    public override short MinVersion => 0;
    public override short MaxVersion => 9;

    protected override async ValueTask<OffsetCommitResponse?> Handle(RequestContext context, OffsetCommitRequest request, CancellationToken cancellationToken)
    {
        var response = new OffsetCommitResponse();
        var byTopic = new Dictionary<string, OffsetCommitResponse.OffsetCommitResponseTopic>(StringComparer.Ordinal);
        void Add(string topic, int partition, ErrorCode error)
        {
            if (!byTopic.TryGetValue(topic, out var tr))
            {
                tr = new OffsetCommitResponse.OffsetCommitResponseTopic { Name = topic };
                byTopic[topic] = tr;
                response.Topics.Add(tr);
            }
            tr.Partitions.Add(new OffsetCommitResponse.OffsetCommitResponsePartition { PartitionIndex = partition, ErrorCode = (short)error });
        }

        // As Kafka: a partition that does not exist is answered UNKNOWN_TOPIC_OR_PARTITION and never reaches the
        // group, so it can neither be stored nor fail the group's checks.
        var entries = new List<OffsetCommitEntry>();
        foreach (var t in request.Topics)
        {
            var topic = context.Broker.Topics.Get(t.Name);
            foreach (var p in t.Partitions)
            {
                if (topic?.GetPartition(p.PartitionIndex) is null)
                    Add(t.Name, p.PartitionIndex, ErrorCode.UnknownTopicOrPartition);
                else
                    entries.Add(new OffsetCommitEntry(t.Name, p.PartitionIndex, p.CommittedOffset, p.CommittedLeaderEpoch, p.CommittedMetadata));
            }
        }
        if (entries.Count == 0) return response;

        var results = await context.Broker.Groups.CommitOffsetsAsync(
            request.GroupId,
            context.ApiVersion == 0 ? -1 : request.GenerationIdOrMemberEpoch,
            request.MemberId,
            request.GroupInstanceId,
            entries,
            cancellationToken).ConfigureAwait(false);
        foreach (var r in results) Add(r.Topic, r.Partition, r.Error);
        return response;
    }
}
