using System.Text;

namespace KafkaConnect.Protocol.Records;

/// <summary>Reads magic v2 record batches: the records inside one batch, or the batches in a buffer.</summary>
public static class RecordBatchCodec
{
    public const sbyte CurrentMagic = 2;

    // attributes(1) + timestampDelta(1) + offsetDelta(1) + keyLength(1) + valueLength(1) + headerCount(1), after the length varint.
    private const int MinRecordBodySize = 6;

    /// <summary>
    /// Decodes (decompressing when needed) all records of one batch with absolute offsets and timestamps.
    /// Throws <see cref="UnsupportedCompressionException"/> for an unavailable codec and
    /// <see cref="ProtocolException"/> for a corrupt batch (bad CRC included when <paramref name="verifyCrc"/>).
    /// </summary>
    public static List<Record> ReadRecords(ReadOnlySpan<byte> batch, bool verifyCrc = true)
        => ReadRecords(batch, CompressionCodecs.DefaultMaxDecompressedSize, verifyCrc);

    public static List<Record> ReadRecords(ReadOnlySpan<byte> batch, int maxDecompressedSize, bool verifyCrc = true)
    {
        if (!RecordBatchHeader.TryRead(batch, out var header)) throw new ProtocolException("Record batch is shorter than its header.");
        if (header.Magic != CurrentMagic) throw new ProtocolException($"Unsupported record batch magic {header.Magic}.");
        if (header.BatchLength < RecordBatchHeader.Size - RecordBatchHeader.LogOverhead
            || header.BatchLength > batch.Length - RecordBatchHeader.LogOverhead)
            throw new ProtocolException($"Record batch length {header.BatchLength} does not fit the {batch.Length} bytes given.");
        batch = batch[..header.TotalSize];
        if (verifyCrc && !RecordBatchHeader.IsCrcValid(batch)) throw new ProtocolException("Record batch CRC mismatch.");
        if (header.RecordCount < 0) throw new ProtocolException($"Negative record count {header.RecordCount}.");

        var body = batch[RecordBatchHeader.Size..];
        byte[] data;
        var compression = header.Compression;
        if (compression == CompressionType.None)
        {
            data = body.ToArray();
        }
        else
        {
            if (!CompressionCodecs.IsSupported(compression)) throw new UnsupportedCompressionException(compression);
            using var buffer = new PooledByteBuffer(Math.Min(maxDecompressedSize, Math.Max(body.Length * 4, 1024)));
            CompressionCodecs.Decompress(compression, body, buffer, maxDecompressedSize);
            data = buffer.ToArray();
        }
        return ParseRecords(header, data);
    }

    /// <summary>
    /// True when any record of the batch has a null key (compacted topics refuse them). Scans the length fields
    /// only: no record objects, and compressed batches are inflated into a pooled buffer.
    /// </summary>
    public static bool HasRecordWithoutKey(ReadOnlySpan<byte> batch)
    {
        if (!RecordBatchHeader.TryRead(batch, out var header) || header.TotalSize > batch.Length)
            throw new ProtocolException("Record batch is shorter than its header says.");
        if (header.IsControl) return false;
        var body = batch[RecordBatchHeader.Size..header.TotalSize];
        if (header.Compression == CompressionType.None) return ScanForNullKey(body, header.RecordCount);
        if (!CompressionCodecs.IsSupported(header.Compression)) throw new UnsupportedCompressionException(header.Compression);
        using var buffer = new PooledByteBuffer(Math.Max(body.Length * 4, 1024));
        CompressionCodecs.Decompress(header.Compression, body, buffer, CompressionCodecs.DefaultMaxDecompressedSize);
        return ScanForNullKey(buffer.WrittenSpan, header.RecordCount);
    }

    private static bool ScanForNullKey(ReadOnlySpan<byte> data, int count)
    {
        var pos = 0;
        for (var i = 0; i < count; i++)
        {
            var length = ReadVarInt(data, ref pos);
            var next = pos + length;
            if (length < MinRecordBodySize || next > data.Length) throw new ProtocolException($"Invalid record length {length}.");
            pos++; // attributes
            ReadVarInt(data, ref pos); // timestamp delta: a varlong, but a varint read skips it the same way when short
            ReadVarInt(data, ref pos); // offset delta
            if (ReadVarInt(data, ref pos) == -1) return true;
            pos = next;
        }
        return false;
    }

    /// <summary>Zig-zag varint read over a span; up to 10 bytes so varlongs can be skipped too.</summary>
    private static int ReadVarInt(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (pos >= data.Length) throw new ProtocolException("Record data ends inside a varint.");
            var b = data[pos++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return (int)(long)((value >> 1) ^ (ulong)-(long)(value & 1));
        }
        throw new ProtocolException("Varint is too long.");
    }

    private static List<Record> ParseRecords(in RecordBatchHeader header, byte[] data)
    {
        var count = header.RecordCount;
        if (count > data.Length / (MinRecordBodySize + 1)) throw new ProtocolException($"Record count {count} is more than {data.Length} bytes can hold.");
        var records = new List<Record>(count);
        var memory = new ReadOnlyMemory<byte>(data);
        var reader = new ProtocolReader(memory);
        var appendTime = header.LogAppendTime;
        for (var i = 0; i < count; i++)
        {
            var length = reader.ReadVarInt();
            if (length < MinRecordBodySize || length > reader.Remaining) throw new ProtocolException($"Invalid record length {length}.");
            var start = reader.Position;
            reader.ReadInt8(); // record attributes: unused
            var timestampDelta = reader.ReadVarLong();
            var offsetDelta = reader.ReadVarInt();
            var key = ReadBytes(ref reader, memory);
            var value = ReadBytes(ref reader, memory);
            var headerCount = reader.ReadVarInt();
            if (headerCount < 0 || headerCount > start + length - reader.Position) throw new ProtocolException($"Invalid header count {headerCount}.");
            IReadOnlyList<RecordHeader> headers = [];
            if (headerCount > 0)
            {
                var list = new RecordHeader[headerCount];
                for (var h = 0; h < headerCount; h++)
                {
                    var keyLength = reader.ReadVarInt();
                    if (keyLength < 0 || keyLength > reader.Remaining) throw new ProtocolException($"Invalid header key length {keyLength}.");
                    var headerKey = Encoding.UTF8.GetString(memory.Span.Slice(reader.Position, keyLength));
                    reader.Skip(keyLength);
                    list[h] = new RecordHeader(headerKey, ReadBytes(ref reader, memory));
                }
                headers = list;
            }
            if (reader.Position != start + length)
                throw new ProtocolException($"Record {i} declared {length} bytes but used {reader.Position - start}.");
            records.Add(new Record
            {
                Offset = header.BaseOffset + offsetDelta,
                // With log-append time the broker's time (the batch max timestamp) applies to every record.
                Timestamp = appendTime ? header.MaxTimestamp : header.BaseTimestamp + timestampDelta,
                Key = key,
                Value = value,
                Headers = headers,
            });
        }
        if (!reader.End) throw new ProtocolException($"Record batch has {reader.Remaining} bytes after its {count} records.");
        return records;
    }

    private static ReadOnlyMemory<byte>? ReadBytes(ref ProtocolReader reader, ReadOnlyMemory<byte> memory)
    {
        var length = reader.ReadVarInt();
        if (length == -1) return null;
        if (length < 0 || length > reader.Remaining) throw new ProtocolException($"Invalid record field length {length}.");
        var start = reader.Position;
        reader.Skip(length);
        return memory.Slice(start, length);
    }

    /// <summary>Iterates the complete batches in a buffer of concatenated batches, stopping at a trailing partial batch.</summary>
    public static BatchEnumerator EnumerateBatches(ReadOnlyMemory<byte> batches) => new(batches);
}

/// <summary>
/// Allocation-free iteration over concatenated batches: yields each header with the batch's bytes.
/// A length field too small for any v2 batch throws <see cref="ProtocolException"/> rather than looping.
/// </summary>
public struct BatchEnumerator
{
    private readonly ReadOnlyMemory<byte> _buffer;
    private int _next;

    internal BatchEnumerator(ReadOnlyMemory<byte> buffer)
    {
        _buffer = buffer;
        _next = 0;
        Current = default;
    }

    public (RecordBatchHeader Header, ReadOnlyMemory<byte> Bytes) Current { get; private set; }

    /// <summary>Bytes consumed by the batches yielded so far; where a trailing partial batch starts.</summary>
    public readonly int Position => _next;

    public readonly BatchEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        var rest = _buffer.Span[_next..];
        if (!RecordBatchHeader.TryRead(rest, out var header)) return false;
        if (header.BatchLength < RecordBatchHeader.Size - RecordBatchHeader.LogOverhead)
            throw new ProtocolException($"Invalid record batch length {header.BatchLength} at position {_next}.");
        if (header.BatchLength > rest.Length - RecordBatchHeader.LogOverhead) return false;
        Current = (header, _buffer.Slice(_next, header.TotalSize));
        _next += header.TotalSize;
        return true;
    }
}
