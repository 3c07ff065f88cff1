// CreateTopics (key 19), v0-7. Replication factor must be 1 or -1 (the default) on a single node; manual
// replica assignments may only name this broker. Configs are validated against the topic config spec;
// validateOnly checks without creating. v5+ returns the resulting configs.
using KafkaConnect.Broker.Topics;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Handlers;

internal sealed class CreateTopicsHandler : SyncApiHandler<CreateTopicsRequest, CreateTopicsResponse>
{
    public override ApiKey Key => ApiKey.CreateTopics;
    public override short MinVersion => 0;
    public override short MaxVersion => 7;

    protected override CreateTopicsResponse Handle(RequestContext context, CreateTopicsRequest request)
    {
        var broker = context.Broker;
        var response = new CreateTopicsResponse();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in request.Topics)
        {
            var result = new CreateTopicsResponse.CreatableTopicResult { Name = t.Name, NumPartitions = -1, ReplicationFactor = -1 };
            response.Topics.Add(result);
            if (!seen.Add(t.Name))
            {
                Fail(result, ErrorCode.InvalidRequest, $"Topic '{t.Name}' appears more than once in the request.");
                continue;
            }
            var partitions = t.NumPartitions;
            if (t.Assignments.Count > 0)
            {
                if (partitions != -1 || t.ReplicationFactor != -1)
                {
                    Fail(result, ErrorCode.InvalidRequest, "Give either replica assignments or partition count and replication factor, not both.");
                    continue;
                }
                if (t.Assignments.Any(a => a.BrokerIds.Count != 1 || a.BrokerIds[0] != broker.NodeId))
                {
                    Fail(result, ErrorCode.InvalidReplicaAssignment, $"This is a single-node cluster: every partition's only replica is broker {broker.NodeId}.");
                    continue;
                }
                partitions = t.Assignments.Count;
            }
            else
            {
                if (partitions == -1) partitions = broker.Config.NumPartitions;
                if (t.ReplicationFactor is not (-1 or 1))
                {
                    Fail(result, ErrorCode.InvalidReplicationFactor, $"Replication factor {t.ReplicationFactor} is larger than the 1 available broker.");
                    continue;
                }
            }
            var configs = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var c in t.Configs)
            {
                if (c.Value is not null && !TopicManager.IgnoredConfigs.Contains(c.Name)) configs[c.Name] = c.Value;
            }
            var error = broker.Topics.TryCreate(t.Name, partitions, configs, request.validateOnly, out var message, out var created);
            if (error != ErrorCode.None)
            {
                Fail(result, error, message);
                continue;
            }
            result.NumPartitions = partitions;
            result.ReplicationFactor = 1;
            if (created is not null) result.TopicId = created.Id;
            result.Configs = [];
            var effective = Storage.LogConfig.FromProperties(configs, broker.Topics.Defaults).ToProperties();
            foreach (var (name, value) in effective.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                result.Configs.Add(new CreateTopicsResponse.CreatableTopicConfigs
                {
                    Name = name,
                    Value = value,
                    ConfigSource = (sbyte)(configs.ContainsKey(name) ? 1 : 5),
                });
            }
        }
        return response;
    }

    private static void Fail(CreateTopicsResponse.CreatableTopicResult result, ErrorCode error, string? message)
    {
        result.ErrorCode = (short)error;
        result.ErrorMessage = message;
    }
}
