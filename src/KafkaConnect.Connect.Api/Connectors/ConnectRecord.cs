using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Headers;

namespace KafkaConnect.Connect.Connectors;

/// <summary>
/// Fields shared by <see cref="Sources.SourceRecord"/> and <see cref="Sinks.SinkRecord"/>. Records are
/// immutable apart from <see cref="Headers"/>; transformations derive changed copies with
/// <see cref="NewRecord(string, int?, Schema?, object?, Schema?, object?, long?)"/>, which keeps the
/// subtype-specific fields (source offsets, sink offsets).
/// </summary>
/// <typeparam name="TSelf">The concrete record type, so <c>NewRecord</c> returns it without casts.</typeparam>
public abstract class ConnectRecord<TSelf>
    where TSelf : ConnectRecord<TSelf>
{
    protected ConnectRecord(
        string topic,
        int? kafkaPartition,
        Schema? keySchema,
        object? key,
        Schema? valueSchema,
        object? value,
        long? timestamp,
        IEnumerable<IHeader>? headers)
    {
        ArgumentNullException.ThrowIfNull(topic);
        Topic = topic;
        KafkaPartition = kafkaPartition;
        KeySchema = keySchema;
        Key = key;
        ValueSchema = valueSchema;
        Value = value;
        Timestamp = timestamp;
        // Always a private copy: two records must never share a mutable header list.
        Headers = new ConnectHeaders(headers);
    }

    public string Topic { get; }

    /// <summary>Target partition; null lets the producer's partitioner choose (source records).</summary>
    public int? KafkaPartition { get; }

    public Schema? KeySchema { get; }

    public object? Key { get; }

    public Schema? ValueSchema { get; }

    /// <summary>The value; null is a tombstone.</summary>
    public object? Value { get; }

    /// <summary>Milliseconds since the Unix epoch; null lets Kafka assign one.</summary>
    public long? Timestamp { get; }

    public IHeaders Headers { get; }

    /// <summary>A copy with the given fields and a duplicate of this record's headers.</summary>
    public TSelf NewRecord(string topic, int? kafkaPartition, Schema? keySchema, object? key, Schema? valueSchema, object? value, long? timestamp) =>
        NewRecord(topic, kafkaPartition, keySchema, key, valueSchema, value, timestamp, Headers.Duplicate());

    /// <summary>A copy with the given fields and headers (copied, not shared).</summary>
    public abstract TSelf NewRecord(
        string topic,
        int? kafkaPartition,
        Schema? keySchema,
        object? key,
        Schema? valueSchema,
        object? value,
        long? timestamp,
        IEnumerable<IHeader>? headers);

    public override bool Equals(object? obj)
    {
        if (ReferenceEquals(this, obj))
        {
            return true;
        }
        return obj is ConnectRecord<TSelf> other
            && obj.GetType() == GetType()
            && Topic == other.Topic
            && KafkaPartition == other.KafkaPartition
            && Timestamp == other.Timestamp
            && Equals(KeySchema, other.KeySchema)
            && Equals(ValueSchema, other.ValueSchema)
            && ValueEquality.ValuesEqual(Key, other.Key)
            && ValueEquality.ValuesEqual(Value, other.Value)
            && Headers.SequenceEqual(other.Headers);
    }

    public override int GetHashCode() =>
        HashCode.Combine(Topic, KafkaPartition, Timestamp, ValueEquality.ValueHash(Key), ValueEquality.ValueHash(Value));

    public override string ToString() =>
        $"{GetType().Name}{{topic='{Topic}', kafkaPartition={KafkaPartition?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"}, "
        + $"key={Values.ConvertToString(KeySchema, Key) ?? "null"}, keySchema={KeySchema?.ToString() ?? "null"}, "
        + $"value={Values.ConvertToString(ValueSchema, Value) ?? "null"}, valueSchema={ValueSchema?.ToString() ?? "null"}, "
        + $"timestamp={Timestamp?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"}, headers={Headers}}}";
}
