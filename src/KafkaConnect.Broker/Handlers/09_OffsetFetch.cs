// OffsetFetch (key 9), v0-9: committed offsets of one group (v0-7) or several (v8+); a null topic list means
// every partition the group has committed. Partitions with no commit answer offset -1 and no error.
using KafkaConnect.Broker.Groups;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Handlers;

internal sealed class OffsetFetchHandler : SyncApiHandler<OffsetFetchRequest, OffsetFetchResponse>
{
    public override ApiKey Key => ApiKey.OffsetFetch;
    public override short MinVersion => 0;
    public override short MaxVersion => 9;

    protected override OffsetFetchResponse Handle(RequestContext context, OffsetFetchRequest request)
    {
        var groups = context.Broker.Groups;
        var response = new OffsetFetchResponse();
        if (context.ApiVersion >= 8)
        {
            foreach (var g in request.Groups)
            {
                var topics = g.Topics?.Select(t => new OffsetFetchTopic(t.Name, t.PartitionIndexes)).ToList();
                var error = groups.FetchOffsets(g.GroupId, topics, out var offsets);
                var gr = new OffsetFetchResponse.OffsetFetchResponseGroup { GroupId = g.GroupId, ErrorCode = (short)error };
                response.Groups.Add(gr);
                foreach (var byTopic in offsets.GroupBy(o => o.Topic))
                {
                    var tr = new OffsetFetchResponse.OffsetFetchResponseTopics { Name = byTopic.Key };
                    gr.Topics.Add(tr);
                    foreach (var o in byTopic)
                        tr.Partitions.Add(new OffsetFetchResponse.OffsetFetchResponsePartitions
                        {
                            PartitionIndex = o.Partition,
                            CommittedOffset = o.Offset,
                            CommittedLeaderEpoch = o.LeaderEpoch,
                            Metadata = o.Metadata,
                            ErrorCode = (short)o.Error,
                        });
                }
            }
            return response;
        }
        var wanted = request.Topics?.Select(t => new OffsetFetchTopic(t.Name, t.PartitionIndexes)).ToList();
        var groupError = groups.FetchOffsets(request.GroupId, wanted, out var found);
        response.ErrorCode = (short)groupError;
        foreach (var byTopic in found.GroupBy(o => o.Topic))
        {
            var tr = new OffsetFetchResponse.OffsetFetchResponseTopic { Name = byTopic.Key };
            response.Topics.Add(tr);
            foreach (var o in byTopic)
                tr.Partitions.Add(new OffsetFetchResponse.OffsetFetchResponsePartition
                {
                    PartitionIndex = o.Partition,
                    CommittedOffset = o.Offset,
                    CommittedLeaderEpoch = o.LeaderEpoch,
                    Metadata = o.Metadata,
                    // v0-1 have no group-level error: it is reported on each partition.
                    ErrorCode = (short)(context.ApiVersion < 2 && groupError != ErrorCode.None ? groupError : o.Error),
                });
        }
        return response;
    }
}
