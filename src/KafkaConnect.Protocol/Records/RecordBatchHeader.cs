using System.Buffers.Binary;

namespace KafkaConnect.Protocol.Records;

/// <summary>Compression codec in the low three bits of a batch's attributes.</summary>
public enum CompressionType : byte
{
    None = 0,
    Gzip = 1,
    Snappy = 2,
    Lz4 = 3,
    Zstd = 4,
}

/// <summary>
/// The fixed 61-byte header of a magic v2 record batch. The broker works on batches as bytes and
/// reads only this header, except where a feature needs the records (compaction).
/// </summary>
public readonly record struct RecordBatchHeader(
    long BaseOffset,
    int BatchLength,
    int PartitionLeaderEpoch,
    sbyte Magic,
    uint Crc,
    short Attributes,
    int LastOffsetDelta,
    long BaseTimestamp,
    long MaxTimestamp,
    long ProducerId,
    short ProducerEpoch,
    int BaseSequence,
    int RecordCount)
{
    public const int Size = 61;
    /// <summary>Bytes before the batch-length field's end: baseOffset (8) + batchLength (4).</summary>
    public const int LogOverhead = 12;
    public const int MagicOffset = 16;
    public const int CrcOffset = 17;
    /// <summary>The CRC covers everything from the attributes to the end of the batch.</summary>
    public const int AttributesOffset = 21;
    public const int MaxTimestampOffset = 35;
    public const int ProducerIdOffset = 43;

    public const short CompressionMask = 0x07;
    public const short TimestampTypeMask = 0x08;
    public const short TransactionalFlag = 0x10;
    public const short ControlFlag = 0x20;
    public const short DeleteHorizonFlag = 0x40;

    /// <summary>Total size of the batch in bytes, header included.</summary>
    public int TotalSize => BatchLength + LogOverhead;
    public long LastOffset => BaseOffset + LastOffsetDelta;
    public CompressionType Compression => (CompressionType)(Attributes & CompressionMask);
    public bool IsTransactional => (Attributes & TransactionalFlag) != 0;
    public bool IsControl => (Attributes & ControlFlag) != 0;
    public bool LogAppendTime => (Attributes & TimestampTypeMask) != 0;
    public bool HasProducerId => ProducerId >= 0;
    public int LastSequence => BaseSequence < 0 ? -1 : (int)(((long)BaseSequence + LastOffsetDelta) % ((long)int.MaxValue + 1));

    /// <summary>Reads the header if at least <see cref="Size"/> bytes are present; does not check the CRC.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out RecordBatchHeader header)
    {
        if (data.Length < Size)
        {
            header = default;
            return false;
        }
        header = new RecordBatchHeader(
            BinaryPrimitives.ReadInt64BigEndian(data),
            BinaryPrimitives.ReadInt32BigEndian(data[8..]),
            BinaryPrimitives.ReadInt32BigEndian(data[12..]),
            (sbyte)data[16],
            BinaryPrimitives.ReadUInt32BigEndian(data[17..]),
            BinaryPrimitives.ReadInt16BigEndian(data[21..]),
            BinaryPrimitives.ReadInt32BigEndian(data[23..]),
            BinaryPrimitives.ReadInt64BigEndian(data[27..]),
            BinaryPrimitives.ReadInt64BigEndian(data[35..]),
            BinaryPrimitives.ReadInt64BigEndian(data[43..]),
            BinaryPrimitives.ReadInt16BigEndian(data[51..]),
            BinaryPrimitives.ReadInt32BigEndian(data[53..]),
            BinaryPrimitives.ReadInt32BigEndian(data[57..]));
        return true;
    }

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, BaseOffset);
        BinaryPrimitives.WriteInt32BigEndian(destination[8..], BatchLength);
        BinaryPrimitives.WriteInt32BigEndian(destination[12..], PartitionLeaderEpoch);
        destination[16] = (byte)Magic;
        BinaryPrimitives.WriteUInt32BigEndian(destination[17..], Crc);
        BinaryPrimitives.WriteInt16BigEndian(destination[21..], Attributes);
        BinaryPrimitives.WriteInt32BigEndian(destination[23..], LastOffsetDelta);
        BinaryPrimitives.WriteInt64BigEndian(destination[27..], BaseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(destination[35..], MaxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(destination[43..], ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(destination[51..], ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(destination[53..], BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(destination[57..], RecordCount);
    }

    /// <summary>True when the stored CRC matches the bytes of the whole batch.</summary>
    public static bool IsCrcValid(ReadOnlySpan<byte> batch)
    {
        if (batch.Length < Size) return false;
        return BinaryPrimitives.ReadUInt32BigEndian(batch[CrcOffset..]) == Crc32C.Compute(batch[AttributesOffset..]);
    }

    /// <summary>Recomputes and stores the CRC (after the header or records were rewritten).</summary>
    public static void UpdateCrc(Span<byte> batch)
        => BinaryPrimitives.WriteUInt32BigEndian(batch[CrcOffset..], Crc32C.Compute(batch[AttributesOffset..]));

    /// <summary>Assigns offsets by rewriting the base offset; the CRC does not cover it.</summary>
    public static void SetBaseOffset(Span<byte> batch, long baseOffset) => BinaryPrimitives.WriteInt64BigEndian(batch, baseOffset);

    /// <summary>Sets the partition leader epoch; not covered by the CRC either.</summary>
    public static void SetPartitionLeaderEpoch(Span<byte> batch, int epoch) => BinaryPrimitives.WriteInt32BigEndian(batch[12..], epoch);
}
