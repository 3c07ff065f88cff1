namespace KafkaConnect.Broker.Groups;

/// <summary>Settings of the classic group coordinator; names follow the Kafka broker configs they mirror.</summary>
public sealed class GroupCoordinatorOptions
{
    /// <summary>Broker data directory; committed offsets live in <c>&lt;DataDirectory&gt;/__consumer_offsets/commits.log</c>.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>
    /// group.initial.rebalance.delay.ms: how long the first rebalance of an empty group waits for more members
    /// (extended by the same amount per newly arriving member, bounded by the rebalance timeout). Kafka's default
    /// is 3000; 0 disables the delay so a lone member completes its join at once (handy for tests and dev brokers).
    /// </summary>
    public int InitialRebalanceDelayMs { get; init; } = 3000;

    /// <summary>group.min.session.timeout.ms.</summary>
    public int MinSessionTimeoutMs { get; init; } = 6000;

    /// <summary>group.max.session.timeout.ms.</summary>
    public int MaxSessionTimeoutMs { get; init; } = 1_800_000;

    /// <summary>group.max.size: new members beyond this get GROUP_MAX_SIZE_REACHED.</summary>
    public int MaxGroupSize { get; init; } = int.MaxValue;

    /// <summary>offset.metadata.max.bytes: longer commit metadata strings get OFFSET_METADATA_TOO_LARGE.</summary>
    public int MaxOffsetMetadataBytes { get; init; } = 4096;

    /// <summary>At startup the offsets log is rewritten when it is larger than this and more than twice its live entries.</summary>
    public long OffsetsCompactionMinBytes { get; init; } = 1 << 20;
}
