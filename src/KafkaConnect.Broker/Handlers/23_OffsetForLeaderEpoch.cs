// OffsetForLeaderEpoch (key 23), v0-4. There is one leader epoch (0) for the life of a partition, so the end
// offset of any epoch at or below it is the log end offset; consumers use this to validate their position.
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Handlers;

internal sealed class OffsetForLeaderEpochHandler : SyncApiHandler<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>
{
    public override ApiKey Key => ApiKey.OffsetForLeaderEpoch;
    public override short MinVersion => 0;
    public override short MaxVersion => 4;

    protected override OffsetForLeaderEpochResponse Handle(RequestContext context, OffsetForLeaderEpochRequest request)
    {
        var response = new OffsetForLeaderEpochResponse();
        foreach (var t in request.Topics)
        {
            var topic = context.Broker.Topics.Get(t.Topic);
            var tr = new OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult { Topic = t.Topic };
            response.Topics.Add(tr);
            foreach (var p in t.Partitions)
            {
                var pr = new OffsetForLeaderEpochResponse.EpochEndOffset { Partition = p.Partition };
                tr.Partitions.Add(pr);
                var partition = topic?.GetPartition(p.Partition);
                if (partition is null) { pr.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition; continue; }
                if (p.CurrentLeaderEpoch > 0) { pr.ErrorCode = (short)ErrorCode.UnknownLeaderEpoch; continue; }
                pr.LeaderEpoch = 0;
                pr.EndOffset = partition.Log.LogEndOffset;
            }
        }
        return response;
    }
}
