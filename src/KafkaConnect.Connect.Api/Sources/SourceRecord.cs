using KafkaConnect.Connect.Connectors;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Headers;
using KafkaConnect.Connect.Storage;

namespace KafkaConnect.Connect.Sources;

/// <summary>
/// A record produced by a <see cref="SourceTask"/>. Besides the Kafka fields it carries where it came from
/// in the external system: <see cref="SourcePartition"/> (e.g. <c>{"file": "a.log"}</c>) and
/// <see cref="SourceOffset"/> (e.g. <c>{"position": 1024}</c>). The worker stores the latest offset per
/// partition once the record is written, and hands it back through
/// <see cref="IOffsetStorageReader"/> after a restart. Offset values should be primitives, strings, lists or
/// maps, since they are serialized with the worker's internal converter.
/// </summary>
public sealed class SourceRecord : ConnectRecord<SourceRecord>
{
    public SourceRecord(
        IReadOnlyDictionary<string, object?>? sourcePartition,
        IReadOnlyDictionary<string, object?>? sourceOffset,
        string topic,
        int? kafkaPartition,
        Schema? keySchema,
        object? key,
        Schema? valueSchema,
        object? value,
        long? timestamp = null,
        IEnumerable<IHeader>? headers = null)
        : base(topic, kafkaPartition, keySchema, key, valueSchema, value, timestamp, headers)
    {
        SourcePartition = sourcePartition;
        SourceOffset = sourceOffset;
    }

    /// <summary>A keyless record; the producer picks the partition.</summary>
    public SourceRecord(
        IReadOnlyDictionary<string, object?>? sourcePartition,
        IReadOnlyDictionary<string, object?>? sourceOffset,
        string topic,
        Schema? valueSchema,
        object? value)
        : this(sourcePartition, sourceOffset, topic, null, null, null, valueSchema, value)
    {
    }

    public IReadOnlyDictionary<string, object?>? SourcePartition { get; }

    public IReadOnlyDictionary<string, object?>? SourceOffset { get; }

    public override SourceRecord NewRecord(
        string topic,
        int? kafkaPartition,
        Schema? keySchema,
        object? key,
        Schema? valueSchema,
        object? value,
        long? timestamp,
        IEnumerable<IHeader>? headers) =>
        new(SourcePartition, SourceOffset, topic, kafkaPartition, keySchema, key, valueSchema, value, timestamp, headers);

    public override bool Equals(object? obj) =>
        base.Equals(obj)
        && obj is SourceRecord other
        && SourcePartitionComparer.Instance.Equals(SourcePartition, other.SourcePartition)
        && SourcePartitionComparer.Instance.Equals(SourceOffset, other.SourceOffset);

    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), SourcePartitionComparer.Instance.GetHashCode(SourcePartition!));

    public override string ToString() =>
        $"SourceRecord{{sourcePartition={Format(SourcePartition)}, sourceOffset={Format(SourceOffset)}}} {base.ToString()}";

    private static string Format(IReadOnlyDictionary<string, object?>? map) =>
        map is null ? "null" : "{" + string.Join(", ", map.Select(e => $"{e.Key}={Values.ConvertToString(null, e.Value) ?? "null"}")) + "}";
}
