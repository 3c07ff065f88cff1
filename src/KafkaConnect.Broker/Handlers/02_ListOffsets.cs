// ListOffsets (key 2), v1-10. Timestamps: -1 latest, -2 earliest, -3 the offset of the largest timestamp
// (by batch), -4 earliest local (= earliest: no tiered storage), -5 latest tiered (none: -1); otherwise the first
// offset whose timestamp is at or after the one asked for.
using KafkaConnect.Broker.Topics;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Handlers;

internal sealed class ListOffsetsHandler : SyncApiHandler<ListOffsetsRequest, ListOffsetsResponse>
{
    public override ApiKey Key => ApiKey.ListOffsets;
    public override short MinVersion => 1;
    public override short MaxVersion => 10;

    protected override ListOffsetsResponse Handle(RequestContext context, ListOffsetsRequest request)
    {
        var response = new ListOffsetsResponse();
        foreach (var t in request.Topics)
        {
            var topic = context.Broker.Topics.Get(t.Name);
            var tr = new ListOffsetsResponse.ListOffsetsTopicResponse { Name = t.Name };
            response.Topics.Add(tr);
            foreach (var p in t.Partitions)
            {
                var pr = new ListOffsetsResponse.ListOffsetsPartitionResponse { PartitionIndex = p.PartitionIndex, Timestamp = -1, Offset = -1 };
                tr.Partitions.Add(pr);
                var partition = topic?.GetPartition(p.PartitionIndex);
                if (partition is null)
                {
                    pr.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                    continue;
                }
                pr.LeaderEpoch = 0;
                var log = partition.Log;
                switch (p.Timestamp)
                {
                    case -1:
                        pr.Offset = log.LogEndOffset;
                        break;
                    case -2:
                    case -4:
                        pr.Offset = log.LogStartOffset;
                        break;
                    case -3:
                        (pr.Offset, pr.Timestamp) = MaxTimestamp(partition);
                        break;
                    case -5:
                        break;
                    case < 0:
                        pr.ErrorCode = (short)ErrorCode.InvalidRequest;
                        break;
                    default:
                        if (log.OffsetForTimestamp(p.Timestamp) is { } found)
                        {
                            pr.Offset = found.Offset;
                            pr.Timestamp = found.Timestamp;
                        }
                        break;
                }
            }
        }
        return response;
    }

    /// <summary>The last offset of the batch holding the largest timestamp (by batch, as the headers tell).</summary>
    private static (long Offset, long Timestamp) MaxTimestamp(Partition partition)
    {
        long bestOffset = -1, bestTs = -1;
        foreach (var h in partition.Log.ReadBatchHeaders(partition.Log.LogStartOffset))
        {
            if (h.MaxTimestamp > bestTs)
            {
                bestTs = h.MaxTimestamp;
                bestOffset = h.LastOffset;
            }
        }
        return (bestOffset, bestTs);
    }
}
