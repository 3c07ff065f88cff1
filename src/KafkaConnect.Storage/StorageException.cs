using KafkaConnect.Protocol;

namespace KafkaConnect.Storage;

/// <summary>A log operation failed for a reason the broker reports to the client with <see cref="ErrorCode"/>.</summary>
public sealed class StorageException : Exception
{
    public StorageException(ErrorCode errorCode, string message) : base(message) => ErrorCode = errorCode;

    public StorageException(ErrorCode errorCode, string message, Exception inner) : base(message, inner) => ErrorCode = errorCode;

    public ErrorCode ErrorCode { get; }

    internal static StorageException OffsetOutOfRange(long offset, long logStartOffset, long logEndOffset)
        => new(ErrorCode.OffsetOutOfRange, $"Offset {offset} is outside the log range [{logStartOffset}, {logEndOffset}].");
}

/// <summary>Result of <see cref="PartitionLog.Append"/>.</summary>
/// <param name="FirstOffset">Offset assigned to the first record.</param>
/// <param name="LastOffset">Offset assigned to the last record.</param>
/// <param name="LogAppendTime">Broker time written into the batches for LogAppendTime topics, else -1 (as ProduceResponse wants).</param>
/// <param name="LogStartOffset">The log start offset after the append.</param>
public readonly record struct AppendInfo(long FirstOffset, long LastOffset, long LogAppendTime, long LogStartOffset);

/// <summary>A ListOffsets answer: the first record at or after a timestamp.</summary>
public readonly record struct TimestampAndOffset(long Timestamp, long Offset);
