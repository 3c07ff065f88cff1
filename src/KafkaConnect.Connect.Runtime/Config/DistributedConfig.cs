using KafkaConnect.Connect.Configuration;

namespace KafkaConnect.Connect.Runtime.Config;

/// <summary>The distributed worker's keys (Apache's DistributedConfig), with Apache's defaults.</summary>
public static class DistributedConfig
{
    public const string GroupId = "group.id";
    public const string SessionTimeoutMs = "session.timeout.ms";
    public const string HeartbeatIntervalMs = "heartbeat.interval.ms";
    public const string RebalanceTimeoutMs = "rebalance.timeout.ms";
    public const string WorkerSyncTimeoutMs = "worker.sync.timeout.ms";
    public const string WorkerUnsyncBackoffMs = "worker.unsync.backoff.ms";
    public const string ConfigTopic = "config.storage.topic";
    public const string ConfigReplicationFactor = "config.storage.replication.factor";
    public const string OffsetTopic = "offset.storage.topic";
    public const string OffsetPartitions = "offset.storage.partitions";
    public const string OffsetReplicationFactor = "offset.storage.replication.factor";
    public const string StatusTopic = "status.storage.topic";
    public const string StatusPartitions = "status.storage.partitions";
    public const string StatusReplicationFactor = "status.storage.replication.factor";
    public const string ConnectProtocol = "connect.protocol";
    public const string ScheduledRebalanceMaxDelayMs = "scheduled.rebalance.max.delay.ms";
    public const string InterWorkerKeyGenerationAlgorithm = "inter.worker.key.generation.algorithm";
    public const string InterWorkerKeySize = "inter.worker.key.size";
    public const string InterWorkerKeyTtlMs = "inter.worker.key.ttl.ms";
    public const string InterWorkerSignatureAlgorithm = "inter.worker.signature.algorithm";
    public const string InterWorkerVerificationAlgorithms = "inter.worker.verification.algorithms";
    public const string ExactlyOnceSourceSupport = "exactly.once.source.support";

    /// <summary>The only MAC this worker signs and verifies with (Apache's default and the one every JVM has).</summary>
    public const string HmacSha256 = "HmacSHA256";

    internal static ConfigDef Define(ConfigDef def) => def
        .Define(GroupId, ConfigType.String, ConfigDef.NoDefaultValue, ConfigDef.NonEmptyString.Instance, Importance.High,
            "A unique string that identifies the Connect cluster group this worker belongs to.")
        .Define(SessionTimeoutMs, ConfigType.Int, 10000, Importance.High,
            "The timeout used to detect worker failures: a worker that sends no heartbeat for this long is removed from the group.")
        .Define(HeartbeatIntervalMs, ConfigType.Int, 3000, Importance.High,
            "The expected time between heartbeats to the group coordinator.")
        .Define(RebalanceTimeoutMs, ConfigType.Int, 60000, Importance.High,
            "The maximum allowed time for each worker to join the group once a rebalance has begun.")
        .Define(WorkerSyncTimeoutMs, ConfigType.Int, 3000, Importance.Medium,
            "How long a worker that is behind the others' config offset tries to catch up before leaving the group.")
        .Define(WorkerUnsyncBackoffMs, ConfigType.Int, 300000, Importance.Medium,
            "How long a worker that failed to catch up waits before rejoining.")
        .Define(ConfigTopic, ConfigType.String, ConfigDef.NoDefaultValue, ConfigDef.NonEmptyString.Instance, Importance.High,
            "The name of the Kafka topic where connector configurations are stored (one partition, compacted).")
        .Define(ConfigReplicationFactor, ConfigType.Short, (short)3, Importance.Low,
            "Replication factor used when creating the configuration storage topic (-1: the broker's default).")
        .Define(OffsetTopic, ConfigType.String, ConfigDef.NoDefaultValue, ConfigDef.NonEmptyString.Instance, Importance.High,
            "The name of the Kafka topic where source connector offsets are stored.")
        .Define(OffsetPartitions, ConfigType.Int, 25, Importance.Low,
            "The number of partitions used when creating the offset storage topic (-1: the broker's default).")
        .Define(OffsetReplicationFactor, ConfigType.Short, (short)3, Importance.Low,
            "Replication factor used when creating the offset storage topic (-1: the broker's default).")
        .Define(StatusTopic, ConfigType.String, ConfigDef.NoDefaultValue, ConfigDef.NonEmptyString.Instance, Importance.High,
            "The name of the Kafka topic where connector and task status are stored.")
        .Define(StatusPartitions, ConfigType.Int, 5, Importance.Low,
            "The number of partitions used when creating the status storage topic (-1: the broker's default).")
        .Define(StatusReplicationFactor, ConfigType.Short, (short)3, Importance.Low,
            "Replication factor used when creating the status storage topic (-1: the broker's default).")
        .Define(ConnectProtocol, ConfigType.String, "sessioned", ConfigDef.ValidString.InIgnoringCase("eager", "compatible", "sessioned"), Importance.Low,
            "Compatibility mode for Kafka Connect Protocol.")
        .Define(ScheduledRebalanceMaxDelayMs, ConfigType.Int, 300000, ConfigDef.Range.AtLeast(0), Importance.Low,
            "How long the work of a worker that vanished is held for it to come back before it is reassigned. kconnect: a worker that "
            + "leaves gracefully releases its work at once, so the delay applies only to a worker that vanished.")
        .Define(InterWorkerKeyGenerationAlgorithm, ConfigType.String, HmacSha256, ConfigDef.ValidString.In(HmacSha256), Importance.Low,
            "The algorithm to use for generating internal request keys.")
        .Define(InterWorkerKeySize, ConfigType.Int, null, Importance.Low,
            "The size of the key to use for signing internal requests, in bits (default: the algorithm's, 256 for HmacSHA256).")
        .Define(InterWorkerKeyTtlMs, ConfigType.Int, 3600000, ConfigDef.Range.Between(0, int.MaxValue), Importance.Low,
            "The TTL of generated session keys used for internal request validation, in milliseconds.")
        .Define(InterWorkerSignatureAlgorithm, ConfigType.String, HmacSha256, ConfigDef.ValidString.In(HmacSha256), Importance.Low,
            "The algorithm used to sign internal requests.")
        .Define(InterWorkerVerificationAlgorithms, ConfigType.List, HmacSha256, Importance.Low,
            "A list of permitted algorithms for verifying internal requests.");
}
