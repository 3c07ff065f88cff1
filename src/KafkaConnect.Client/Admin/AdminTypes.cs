using KafkaConnect.Client.Consumer;
using KafkaConnect.Protocol;

namespace KafkaConnect.Client.Admin;

/// <summary>
/// A topic to create. NumPartitions and ReplicationFactor of -1 take the broker's defaults (num.partitions,
/// default.replication.factor). ReplicaAssignments, when given, replaces both: partition index → broker ids.
/// </summary>
public sealed record NewTopic(string Name, int NumPartitions = -1, short ReplicationFactor = -1)
{
    public IReadOnlyDictionary<string, string> Configs { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<int, IReadOnlyList<int>>? ReplicaAssignments { get; init; }
}

/// <summary>What CreateTopics made (or, with validateOnly, would make), with the topic's effective configs.</summary>
public sealed record CreatedTopic(string Name, Uuid TopicId, int NumPartitions, short ReplicationFactor, IReadOnlyDictionary<string, string?> Configs);

public sealed record TopicListing(string Name, Uuid TopicId, bool IsInternal);

public sealed record TopicPartitionInfo(int Partition, int Leader, int LeaderEpoch, IReadOnlyList<int> Replicas, IReadOnlyList<int> Isr);

public sealed record TopicDescription(string Name, Uuid TopicId, bool IsInternal, IReadOnlyList<TopicPartitionInfo> Partitions);

public sealed record ClusterDescription(string? ClusterId, BrokerNode? Controller, IReadOnlyList<BrokerNode> Nodes);

/// <summary>Kafka's config resource types (the protocol's numbers).</summary>
public enum ConfigResourceType : sbyte
{
    Unknown = 0,
    Topic = 2,
    Broker = 4,
    BrokerLogger = 8,
}

/// <summary>A topic (by name) or a broker (by node id as a string; "" = the broker that answers).</summary>
public sealed record ConfigResource(ConfigResourceType Type, string Name)
{
    public static ConfigResource Topic(string name) => new(ConfigResourceType.Topic, name);
    public static ConfigResource Broker(int nodeId) => new(ConfigResourceType.Broker, nodeId.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>Where a config value comes from (the protocol's ConfigSource numbers).</summary>
public enum ConfigSource : sbyte
{
    Unknown = 0,
    DynamicTopicConfig = 1,
    DynamicBrokerConfig = 2,
    DynamicDefaultBrokerConfig = 3,
    StaticBrokerConfig = 4,
    DefaultConfig = 5,
    DynamicBrokerLoggerConfig = 6,
    ClientMetricsConfig = 7,
    GroupConfig = 8,
}

public sealed record ConfigEntry(string Name, string? Value, ConfigSource Source, bool IsReadOnly, bool IsSensitive, string? Documentation = null)
{
    public bool IsDefault => Source == ConfigSource.DefaultConfig;
}

public enum AlterConfigOpType : sbyte
{
    Set = 0,
    Delete = 1,
    Append = 2,
    Subtract = 3,
}

/// <summary>One incremental change; Append/Subtract act on list settings such as cleanup.policy.</summary>
public sealed record AlterConfigOp(string Name, AlterConfigOpType Op, string? Value = null)
{
    public static AlterConfigOp Set(string name, string value) => new(name, AlterConfigOpType.Set, value);
    public static AlterConfigOp Delete(string name) => new(name, AlterConfigOpType.Delete);
    public static AlterConfigOp Append(string name, string value) => new(name, AlterConfigOpType.Append, value);
    public static AlterConfigOp Subtract(string name, string value) => new(name, AlterConfigOpType.Subtract, value);
}

/// <summary>Which offset ListOffsets looks up: the earliest, the latest, the one with the largest timestamp, or the first at or after a time.</summary>
public sealed record OffsetSpec
{
    private OffsetSpec(long timestamp) => Timestamp = timestamp;

    /// <summary>The ListOffsets timestamp: -2 earliest, -1 latest, -3 max timestamp, else epoch milliseconds.</summary>
    public long Timestamp { get; }

    public static OffsetSpec Earliest { get; } = new(-2);
    public static OffsetSpec Latest { get; } = new(-1);
    public static OffsetSpec MaxTimestamp { get; } = new(-3);

    public static OffsetSpec ForTimestamp(long epochMilliseconds) => epochMilliseconds >= 0
        ? new OffsetSpec(epochMilliseconds)
        : throw new ArgumentOutOfRangeException(nameof(epochMilliseconds), epochMilliseconds, "A timestamp must not be negative.");

    public static OffsetSpec ForTimestamp(DateTimeOffset time) => ForTimestamp(time.ToUnixTimeMilliseconds());
}

/// <summary>A ListOffsets answer. Offset is -1 when no record has a timestamp at or after the one asked for.</summary>
public sealed record ListedOffset(long Offset, long Timestamp, int LeaderEpoch);

public sealed record OffsetAndMetadata(long Offset, string? Metadata = null, int LeaderEpoch = -1);

public sealed record GroupListing(string GroupId, string ProtocolType, string State, string GroupType);

/// <summary>A group member. For "consumer" groups Subscription and Assignment are decoded from the member's bytes.</summary>
public sealed record MemberDescription(
    string MemberId,
    string? GroupInstanceId,
    string ClientId,
    string ClientHost,
    byte[] Metadata,
    byte[] AssignmentBytes,
    IReadOnlyList<string>? SubscribedTopics,
    IReadOnlyList<TopicPartition>? Assignment);

/// <summary>A group as its coordinator sees it. State "Dead" with no members means the group does not exist.</summary>
public sealed record GroupDescription(string GroupId, string State, string ProtocolType, string Protocol, BrokerNode Coordinator, IReadOnlyList<MemberDescription> Members);
