// OffsetCommit (key 8), v0-9. Offsets are durable (fsync'd) before the response; a group commit is checked
// against the member's generation, a simple commit (generation -1, no member) is accepted for empty groups.
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
        var entries = new List<OffsetCommitEntry>();
        foreach (var t in request.Topics)
            foreach (var p in t.Partitions)
                entries.Add(new OffsetCommitEntry(t.Name, p.PartitionIndex, p.CommittedOffset, p.CommittedLeaderEpoch, p.CommittedMetadata));
        var results = await context.Broker.Groups.CommitOffsetsAsync(
            request.GroupId,
            context.ApiVersion == 0 ? -1 : request.GenerationIdOrMemberEpoch,
            request.MemberId,
            request.GroupInstanceId,
            entries,
            cancellationToken).ConfigureAwait(false);
        var response = new OffsetCommitResponse();
        var byTopic = new Dictionary<string, OffsetCommitResponse.OffsetCommitResponseTopic>(StringComparer.Ordinal);
        foreach (var r in results)
        {
            if (!byTopic.TryGetValue(r.Topic, out var tr))
            {
                tr = new OffsetCommitResponse.OffsetCommitResponseTopic { Name = r.Topic };
                byTopic[r.Topic] = tr;
                response.Topics.Add(tr);
            }
            tr.Partitions.Add(new OffsetCommitResponse.OffsetCommitResponsePartition { PartitionIndex = r.Partition, ErrorCode = (short)r.Error });
        }
        return response;
    }
}
