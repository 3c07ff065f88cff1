namespace KafkaConnect.Protocol.Records;

/// <summary>One record header; a null value is distinct from an empty one on the wire.</summary>
public readonly record struct RecordHeader(string Key, ReadOnlyMemory<byte>? Value);

/// <summary>Timestamp type of a batch (attributes bit 3).</summary>
public enum TimestampType
{
    CreateTime = 0,
    LogAppendTime = 1,
}

/// <summary>
/// A decoded record with absolute offset and timestamp. Key and value slice one buffer per batch,
/// so keeping a record keeps that buffer alive.
/// </summary>
public sealed class Record
{
    public long Offset { get; set; }
    public long Timestamp { get; set; }
    public ReadOnlyMemory<byte>? Key { get; set; }
    public ReadOnlyMemory<byte>? Value { get; set; }
    public IReadOnlyList<RecordHeader> Headers { get; set; } = [];
}
