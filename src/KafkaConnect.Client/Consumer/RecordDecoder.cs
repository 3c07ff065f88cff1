using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Records;

namespace KafkaConnect.Client.Consumer;

/// <summary>
/// Decodes a fetched v2 batch straight into <see cref="ConsumeResult"/>s: one object per record, key, value and
/// header values slicing the response frame (uncompressed) or one decompressed array per batch. The frame is a
/// fresh array per response (KafkaConnection), so the slices stay valid as long as the results live.
/// </summary>
internal static class RecordDecoder
{
    // attributes, timestampDelta, offsetDelta, keyLength, valueLength, headerCount: one byte each at least.
    private const int MinRecordBodySize = 6;

    /// <summary>Adds the batch's records at or after <paramref name="fromOffset"/> to <paramref name="into"/>.</summary>
    public static void Decode(in RecordBatchHeader header, ReadOnlyMemory<byte> batch, string topic, int partition, long fromOffset,
        bool verifyCrc, List<ConsumeResult> into)
    {
        if (header.Magic != RecordBatchCodec.CurrentMagic) throw new ProtocolException($"Unsupported record batch magic {header.Magic}.");
        var span = batch.Span;
        if (verifyCrc && !RecordBatchHeader.IsCrcValid(span)) throw new ProtocolException("Record batch CRC mismatch.");
        var count = header.RecordCount;
        if (count < 0) throw new ProtocolException($"Negative record count {count}.");

        ReadOnlyMemory<byte> data = batch[RecordBatchHeader.Size..];
        var compression = header.Compression;
        if (compression != CompressionType.None)
        {
            if (!CompressionCodecs.IsSupported(compression)) throw new UnsupportedCompressionException(compression);
            var body = data.Span;
            // Not pooled: the results keep slices of it, so it lives as long as they do.
            var output = new ArrayBufferWriter<byte>(Math.Max(body.Length * 4, 1024));
            CompressionCodecs.Decompress(compression, body, output, CompressionCodecs.DefaultMaxDecompressedSize);
            data = output.WrittenMemory;
        }
        if (count > data.Length / (MinRecordBodySize + 1)) throw new ProtocolException($"Record count {count} is more than {data.Length} bytes can hold.");
        into.EnsureCapacity(into.Count + count);

        var bytes = data.Span;
        var pos = 0;
        var appendTime = header.LogAppendTime;
        for (var i = 0; i < count; i++)
        {
            var length = ReadVarInt(bytes, ref pos);
            if (length < MinRecordBodySize || length > bytes.Length - pos) throw new ProtocolException($"Invalid record length {length}.");
            var end = pos + length;
            pos++; // record attributes: unused
            var timestampDelta = ReadVarLong(bytes, ref pos);
            var offsetDelta = ReadVarInt(bytes, ref pos);
            var key = ReadBytes(data, bytes, ref pos, end);
            var value = ReadBytes(data, bytes, ref pos, end);
            var headerCount = ReadVarInt(bytes, ref pos);
            if (headerCount < 0 || headerCount > end - pos) throw new ProtocolException($"Invalid header count {headerCount}.");
            IReadOnlyList<RecordHeader> headers = [];
            if (headerCount > 0)
            {
                var list = new RecordHeader[headerCount];
                for (var h = 0; h < headerCount; h++)
                {
                    var keyLength = ReadVarInt(bytes, ref pos);
                    if (keyLength < 0 || keyLength > end - pos) throw new ProtocolException($"Invalid header key length {keyLength}.");
                    var headerKey = Encoding.UTF8.GetString(bytes.Slice(pos, keyLength));
                    pos += keyLength;
                    list[h] = new RecordHeader(headerKey, ReadBytes(data, bytes, ref pos, end));
                }
                headers = list;
            }
            if (pos != end) throw new ProtocolException($"Record {i} declared {length} bytes but used {length - (end - pos)}.");
            var offset = header.BaseOffset + offsetDelta;
            if (offset < fromOffset) continue;
            // With log-append time the broker's time (the batch max timestamp) applies to every record.
            var timestamp = appendTime ? header.MaxTimestamp : header.BaseTimestamp + timestampDelta;
            into.Add(new ConsumeResult(topic, partition, offset, timestamp, key, value, headers));
        }
        if (pos != bytes.Length) throw new ProtocolException($"Record batch has {bytes.Length - pos} bytes after its {count} records.");
    }

    private static ReadOnlyMemory<byte>? ReadBytes(ReadOnlyMemory<byte> data, ReadOnlySpan<byte> bytes, ref int pos, int end)
    {
        var length = ReadVarInt(bytes, ref pos);
        if (length == -1) return null;
        if (length < 0 || length > end - pos) throw new ProtocolException($"Invalid record field length {length}.");
        var slice = data.Slice(pos, length);
        pos += length;
        return slice;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ReadVarInt(ReadOnlySpan<byte> data, ref int pos)
    {
        // One-byte fast path: lengths below 64 and small deltas.
        if ((uint)pos < (uint)data.Length && data[pos] < 0x80)
        {
            uint b = data[pos++];
            return (int)(b >> 1) ^ -(int)(b & 1);
        }
        var value = ReadUnsignedVarLong(data, ref pos, 5);
        if (value > uint.MaxValue) throw new ProtocolException("Varint is too long.");
        var u = (uint)value;
        return (int)(u >> 1) ^ -(int)(u & 1);
    }

    private static long ReadVarLong(ReadOnlySpan<byte> data, ref int pos)
    {
        var u = ReadUnsignedVarLong(data, ref pos, 10);
        return (long)(u >> 1) ^ -(long)(u & 1);
    }

    private static ulong ReadUnsignedVarLong(ReadOnlySpan<byte> data, ref int pos, int maxBytes)
    {
        ulong value = 0;
        for (var i = 0; i < maxBytes; i++)
        {
            if ((uint)pos >= (uint)data.Length) throw new ProtocolException("Record data ends inside a varint.");
            var b = data[pos++];
            value |= (ulong)(b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0) return value;
        }
        throw new ProtocolException("Varint is too long.");
    }
}
