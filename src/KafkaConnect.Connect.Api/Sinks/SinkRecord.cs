using KafkaConnect.Connect.Connectors;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Headers;

namespace KafkaConnect.Connect.Sinks;

/// <summary>How a record's timestamp was assigned.</summary>
public enum TimestampType
{
    NoTimestampType,
    /// <summary>Set by the producer.</summary>
    CreateTime,
    /// <summary>Set by the broker on append.</summary>
    LogAppendTime,
}

/// <summary>
/// A record consumed from Kafka and handed to a <see cref="SinkTask"/>. <see cref="KafkaOffset"/> and
/// the Original* properties identify the consumed record even after transformations changed topic or
/// partition, so tasks that track offsets themselves should use the originals.
/// </summary>
public sealed class SinkRecord : ConnectRecord<SinkRecord>
{
    public SinkRecord(
        string topic,
        int partition,
        Schema? keySchema,
        object? key,
        Schema? valueSchema,
        object? value,
        long kafkaOffset,
        long? timestamp = null,
        TimestampType timestampType = TimestampType.NoTimestampType,
        IEnumerable<IHeader>? headers = null,
        string? originalTopic = null,
        int? originalKafkaPartition = null,
        long? originalKafkaOffset = null)
        : this(topic, (int?)partition, keySchema, key, valueSchema, value, kafkaOffset, timestamp, timestampType, headers,
            originalTopic ?? topic, originalKafkaPartition ?? partition, originalKafkaOffset ?? kafkaOffset)
    {
    }

    private SinkRecord(
        string topic,
        int? partition,
        Schema? keySchema,
        object? key,
        Schema? valueSchema,
        object? value,
        long kafkaOffset,
        long? timestamp,
        TimestampType timestampType,
        IEnumerable<IHeader>? headers,
        string originalTopic,
        int originalKafkaPartition,
        long originalKafkaOffset)
        : base(topic, partition, keySchema, key, valueSchema, value, timestamp, headers)
    {
        KafkaOffset = kafkaOffset;
        TimestampType = timestampType;
        OriginalTopic = originalTopic;
        OriginalKafkaPartition = originalKafkaPartition;
        OriginalKafkaOffset = originalKafkaOffset;
    }

    public long KafkaOffset { get; }

    public TimestampType TimestampType { get; }

    /// <summary>Topic the record was consumed from, before any transformation.</summary>
    public string OriginalTopic { get; }

    public int OriginalKafkaPartition { get; }

    public long OriginalKafkaOffset { get; }

    /// <summary>The partition to use when committing offsets for this record.</summary>
    public TopicPartition OriginalTopicPartition => new(OriginalTopic, OriginalKafkaPartition);

    public override SinkRecord NewRecord(
        string topic,
        int? kafkaPartition,
        Schema? keySchema,
        object? key,
        Schema? valueSchema,
        object? value,
        long? timestamp,
        IEnumerable<IHeader>? headers) =>
        new(topic, kafkaPartition, keySchema, key, valueSchema, value, KafkaOffset, timestamp, TimestampType, headers,
            OriginalTopic, OriginalKafkaPartition, OriginalKafkaOffset);

    public override bool Equals(object? obj) =>
        base.Equals(obj)
        && obj is SinkRecord other
        && KafkaOffset == other.KafkaOffset
        && TimestampType == other.TimestampType
        && OriginalTopic == other.OriginalTopic
        && OriginalKafkaPartition == other.OriginalKafkaPartition
        && OriginalKafkaOffset == other.OriginalKafkaOffset;

    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), KafkaOffset, TimestampType);

    public override string ToString() =>
        $"SinkRecord{{kafkaOffset={KafkaOffset}, timestampType={TimestampType}, originalTopic={OriginalTopic}, "
        + $"originalKafkaPartition={OriginalKafkaPartition}, originalKafkaOffset={OriginalKafkaOffset}}} {base.ToString()}";
}
