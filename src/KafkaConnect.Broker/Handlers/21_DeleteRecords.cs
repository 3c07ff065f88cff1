// DeleteRecords (key 21), v0-2: moves a partition's log start offset forward; -1 means the high watermark.
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Handlers;

internal sealed class DeleteRecordsHandler : SyncApiHandler<DeleteRecordsRequest, DeleteRecordsResponse>
{
    public override ApiKey Key => ApiKey.DeleteRecords;
    public override short MinVersion => 0;
    public override short MaxVersion => 2;

    protected override DeleteRecordsResponse Handle(RequestContext context, DeleteRecordsRequest request)
    {
        var response = new DeleteRecordsResponse();
        foreach (var t in request.Topics)
        {
            var topic = context.Broker.Topics.Get(t.Name);
            var tr = new DeleteRecordsResponse.DeleteRecordsTopicResult { Name = t.Name };
            response.Topics.Add(tr);
            foreach (var p in t.Partitions)
            {
                var pr = new DeleteRecordsResponse.DeleteRecordsPartitionResult { PartitionIndex = p.PartitionIndex, LowWatermark = -1 };
                tr.Partitions.Add(pr);
                var partition = topic?.GetPartition(p.PartitionIndex);
                if (partition is null)
                {
                    pr.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                    continue;
                }
                var log = partition.Log;
                var target = p.Offset == -1 ? log.LogEndOffset : p.Offset;
                if (target < 0 || target > log.LogEndOffset)
                {
                    pr.ErrorCode = (short)ErrorCode.OffsetOutOfRange;
                    continue;
                }
                lock (partition.AppendLock)
                {
                    if (target > log.LogStartOffset) log.DeleteRecordsBefore(target);
                }
                pr.LowWatermark = log.LogStartOffset;
            }
        }
        return response;
    }
}
