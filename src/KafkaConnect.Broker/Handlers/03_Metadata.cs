// Metadata (key 3), v0-12. One broker, which leads every partition with itself as the only replica and ISR.
// Topics are auto-created on lookup when the broker allows it and the request (v4+) asks for it.
// v10+ carries topic ids; v12 may look topics up by id alone.
using KafkaConnect.Broker.Topics;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Handlers;

internal sealed class MetadataHandler : SyncApiHandler<MetadataRequest, MetadataResponse>
{
    public override ApiKey Key => ApiKey.Metadata;
    public override short MinVersion => 0;
    public override short MaxVersion => 12;

    protected override MetadataResponse Handle(RequestContext context, MetadataRequest request)
    {
        var broker = context.Broker;
        var response = new MetadataResponse
        {
            ClusterId = broker.ClusterId,
            ControllerId = broker.NodeId,
        };
        response.Brokers.Add(new MetadataResponse.MetadataResponseBroker
        {
            NodeId = broker.NodeId,
            Host = context.Listener.AdvertisedHost,
            Port = context.Listener.AdvertisedPort,
        });
        // v0: an empty list means all topics; v1+: null means all topics.
        var all = request.Topics is null || (context.ApiVersion == 0 && request.Topics.Count == 0);
        if (all)
        {
            foreach (var t in broker.Topics.Topics.OrderBy(t => t.Name, StringComparer.Ordinal))
                response.Topics.Add(Describe(t, broker.NodeId));
            return response;
        }
        var autoCreate = broker.Config.AutoCreateTopics && (context.ApiVersion < 4 || request.AllowAutoTopicCreation);
        foreach (var wanted in request.Topics!)
        {
            Topic? topic;
            if (wanted.Name is null)
            {
                topic = broker.Topics.Get(wanted.TopicId);
                if (topic is null)
                {
                    response.Topics.Add(new MetadataResponse.MetadataResponseTopic { ErrorCode = (short)ErrorCode.UnknownTopicId, TopicId = wanted.TopicId });
                    continue;
                }
            }
            else
            {
                var invalid = TopicManager.ValidateName(wanted.Name);
                topic = invalid is null ? broker.Topics.GetOrAutoCreate(wanted.Name, autoCreate) : null;
                if (topic is null)
                {
                    response.Topics.Add(new MetadataResponse.MetadataResponseTopic
                    {
                        Name = wanted.Name,
                        ErrorCode = (short)(invalid is null ? ErrorCode.UnknownTopicOrPartition : ErrorCode.InvalidTopicException),
                    });
                    continue;
                }
            }
            response.Topics.Add(Describe(topic, broker.NodeId));
        }
        return response;
    }

    private static MetadataResponse.MetadataResponseTopic Describe(Topic topic, int nodeId)
    {
        var t = new MetadataResponse.MetadataResponseTopic
        {
            Name = topic.Name,
            TopicId = topic.Id,
            IsInternal = false,
        };
        foreach (var p in topic.Partitions)
        {
            t.Partitions.Add(new MetadataResponse.MetadataResponsePartition
            {
                PartitionIndex = p.Index,
                LeaderId = nodeId,
                LeaderEpoch = 0,
                ReplicaNodes = [nodeId],
                IsrNodes = [nodeId],
            });
        }
        return t;
    }
}
