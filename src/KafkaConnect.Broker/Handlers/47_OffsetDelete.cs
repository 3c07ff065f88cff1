// OffsetDelete (key 47), v0: removes single partitions' committed offsets of a group (Admin deleteConsumerGroupOffsets).
// Group-level errors (unknown group, NON_EMPTY_GROUP for a non-consumer group with members, coordinator not
// available) come back with no topics; otherwise every requested partition is answered, GROUP_SUBSCRIBED_TO_TOPIC
// for topics an active member subscribes to.
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Handlers;

internal sealed class OffsetDeleteHandler : ApiHandler<OffsetDeleteRequest, OffsetDeleteResponse>
{
    public override ApiKey Key => ApiKey.OffsetDelete;
    public override short MinVersion => 0;
    public override short MaxVersion => 0;

    protected override async ValueTask<OffsetDeleteResponse?> Handle(RequestContext context, OffsetDeleteRequest request, CancellationToken cancellationToken)
    {
        var partitions = new List<(string Topic, int Partition)>();
        foreach (var t in request.Topics)
            foreach (var p in t.Partitions)
                partitions.Add((t.Name, p.PartitionIndex));
        var result = await context.Broker.Groups.DeleteOffsetsAsync(request.GroupId, partitions, cancellationToken).ConfigureAwait(false);
        var response = new OffsetDeleteResponse { ErrorCode = (short)result.Error };
        if (result.Error != ErrorCode.None) return response;
        var byTopic = new Dictionary<string, OffsetDeleteResponse.OffsetDeleteResponseTopic>(StringComparer.Ordinal);
        foreach (var r in result.Partitions)
        {
            if (!byTopic.TryGetValue(r.Topic, out var tr))
            {
                tr = new OffsetDeleteResponse.OffsetDeleteResponseTopic { Name = r.Topic };
                byTopic[r.Topic] = tr;
                response.Topics.Add(tr);
            }
            tr.Partitions.Add(new OffsetDeleteResponse.OffsetDeleteResponsePartition { PartitionIndex = r.Partition, ErrorCode = (short)r.Error });
        }
        return response;
    }
}
