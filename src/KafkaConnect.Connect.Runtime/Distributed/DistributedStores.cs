using KafkaConnect.Connect.Runtime.Config;
using KafkaConnect.Connect.Runtime.Storage.Kafka;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.Runtime.Distributed;

/// <summary>The three internal-topic stores of a distributed worker, set up from its worker file as Apache does.</summary>
public sealed record DistributedStores(KafkaConfigBackingStore Configs, KafkaOffsetBackingStore Offsets, KafkaStatusBackingStore Statuses)
{
    public static DistributedStores Create(WorkerConfig config, ILoggerFactory loggers, TimeProvider? time = null)
    {
        var group = config.GetString(DistributedConfig.GroupId)!;
        return new DistributedStores(
            new KafkaConfigBackingStore(Options(config, group, DistributedConfig.ConfigTopic, null, DistributedConfig.ConfigReplicationFactor, "configs"), loggers, time),
            new KafkaOffsetBackingStore(Options(config, group, DistributedConfig.OffsetTopic, DistributedConfig.OffsetPartitions, DistributedConfig.OffsetReplicationFactor, "offsets"), loggers, time),
            new KafkaStatusBackingStore(Options(config, group, DistributedConfig.StatusTopic, DistributedConfig.StatusPartitions, DistributedConfig.StatusReplicationFactor, "statuses"), loggers, time));
    }

    private static KafkaStoreOptions Options(WorkerConfig config, string group, string topicKey, string? partitionsKey, string replicationKey, string what)
    {
        var prefix = topicKey[..(topicKey.LastIndexOf('.') + 1)];
        var topicSettings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in config.OriginalsWithPrefix(prefix))
        {
            // Anything under the prefix that is not one of the worker's own keys is a topic setting (as in Apache).
            if (k is not ("topic" or "partitions" or "replication.factor" or "file.filename"))
            {
                topicSettings[k] = v;
            }
        }
        // The internal clients take the worker's connection settings only (not the producer./consumer. overrides of tasks).
        var client = config.ClientConfig(WorkerConfig.WorkerClientPrefix);
        return new KafkaStoreOptions(config.GetString(topicKey)!, partitionsKey is null ? 1 : config.GetInt(partitionsKey), config.GetShort(replicationKey),
            client, client, client, topicSettings, "connect-" + group + "-" + what);
    }
}
