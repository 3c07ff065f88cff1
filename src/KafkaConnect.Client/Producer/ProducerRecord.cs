using KafkaConnect.Protocol.Records;

namespace KafkaConnect.Client.Producer;

/// <summary>
/// A record to send. Key and value are bytes (serialisation is the caller's business); a null key spreads
/// records by the sticky partitioner, a key picks murmur2(key) % partitions, an explicit partition wins.
/// The bytes are copied when the record is accepted, so buffers may be reused once Produce returns.
/// </summary>
public sealed record ProducerRecord(string Topic, ReadOnlyMemory<byte>? Key, ReadOnlyMemory<byte>? Value,
    IReadOnlyList<RecordHeader>? Headers = null, int? Partition = null, long? Timestamp = null);

/// <summary>Where a record was stored. Offset is -1 with acks=0 (the broker does not answer).</summary>
public sealed record RecordMetadata(string Topic, int Partition, long Offset, long Timestamp);

/// <summary>
/// Receives a record's outcome without a delegate or <see cref="RecordMetadata"/> per record: for callers that produce
/// millions of records and already hold one object per record (the Connect worker's source loop).
/// </summary>
public interface IDeliveryHandler
{
    /// <summary>Called once, on the sender's thread (keep it short): <paramref name="error"/> is null on success.</summary>
    void OnDelivery(string topic, int partition, long offset, long timestamp, Exception? error);
}
