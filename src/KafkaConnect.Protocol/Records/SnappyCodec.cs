using System.Buffers;
using System.Buffers.Binary;

namespace KafkaConnect.Protocol.Records;

/// <summary>
/// Managed snappy (block format) plus the xerial stream framing that Kafka's Java client writes.
/// Raw blocks (what librdkafka writes) are accepted on decompression too.
/// </summary>
internal static class SnappyCodec
{
    /// <summary>snappy-java's default chunk size; each chunk is an independent snappy block.</summary>
    internal const int XerialChunkSize = 32 * 1024;

    private const int HashBits = 14;
    private const int MaxBlockOffset = 65535;

    private static ReadOnlySpan<byte> XerialMagic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0];
    private const int XerialHeaderSize = 16;

    public static int MaxCompressedLength(int sourceLength) => 32 + sourceLength + sourceLength / 6;

    public static void CompressXerial(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        var header = output.GetSpan(XerialHeaderSize);
        XerialMagic.CopyTo(header);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], 1);
        BinaryPrimitives.WriteInt32BigEndian(header[12..], 1);
        output.Advance(XerialHeaderSize);

        while (!input.IsEmpty)
        {
            var chunk = input[..Math.Min(XerialChunkSize, input.Length)];
            var span = output.GetSpan(4 + MaxCompressedLength(chunk.Length));
            var n = CompressBlock(chunk, span[4..]);
            BinaryPrimitives.WriteInt32BigEndian(span, n);
            output.Advance(4 + n);
            input = input[chunk.Length..];
        }
    }

    /// <summary>Decompresses a xerial stream or a raw block, whichever the input is; returns bytes written.</summary>
    public static long Decompress(ReadOnlySpan<byte> input, IBufferWriter<byte> output, long maxOutput)
    {
        if (!input.StartsWith(XerialMagic)) return DecompressBlock(input, output, maxOutput);

        long total = 0;
        var pos = 0;
        while (pos < input.Length)
        {
            // snappy-java concatenates streams by repeating the header; a chunk length never starts with 0x82.
            if (input[pos..].StartsWith(XerialMagic))
            {
                if (input.Length - pos < XerialHeaderSize) throw new ProtocolException("Truncated xerial snappy header.");
                pos += XerialHeaderSize;
                continue;
            }
            if (input.Length - pos < 4) throw new ProtocolException("Truncated xerial snappy chunk length.");
            var length = BinaryPrimitives.ReadInt32BigEndian(input[pos..]);
            pos += 4;
            if (length < 0 || length > input.Length - pos) throw new ProtocolException("Invalid xerial snappy chunk length.");
            total += DecompressBlock(input.Slice(pos, length), output, maxOutput - total);
            pos += length;
        }
        return total;
    }

    /// <summary>Decodes one raw snappy block into the writer.</summary>
    public static int DecompressBlock(ReadOnlySpan<byte> input, IBufferWriter<byte> output, long maxOutput)
    {
        var ip = 0;
        var declared = ReadLength(input, ref ip);
        if (declared > maxOutput) throw new ProtocolException($"Decompressed size {declared} exceeds the limit.");
        // A 3-byte copy yields at most 64 bytes, so a larger claim is corrupt; checking first avoids a huge buffer.
        if (declared > (long)(input.Length - ip) * 22) throw Corrupt();
        var length = (int)declared;
        if (length == 0)
        {
            if (ip != input.Length) throw new ProtocolException("Snappy block has data after an empty preamble.");
            return 0;
        }
        var dst = output.GetSpan(length)[..length];
        DecodeElements(input[ip..], dst);
        output.Advance(length);
        return length;
    }

    private static uint ReadLength(ReadOnlySpan<byte> input, ref int ip)
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (ip >= input.Length) throw new ProtocolException("Truncated snappy length.");
            var b = input[ip++];
            if (shift == 28 && b > 0x0f) throw new ProtocolException("Snappy length overflows 32 bits.");
            value |= (uint)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new ProtocolException("Snappy length varint is too long.");
    }

    private static void DecodeElements(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        var ip = 0;
        var op = 0;
        while (ip < src.Length)
        {
            var tag = src[ip++];
            int length;
            int offset;
            switch (tag & 3)
            {
                case 0:
                    length = tag >> 2;
                    if (length >= 60)
                    {
                        var extra = length - 59;
                        if (extra > src.Length - ip) throw Corrupt();
                        uint l = 0;
                        for (var i = 0; i < extra; i++) l |= (uint)src[ip + i] << (8 * i);
                        ip += extra;
                        if (l >= int.MaxValue) throw Corrupt();
                        length = (int)l;
                    }
                    length++;
                    if (length > src.Length - ip || length > dst.Length - op) throw Corrupt();
                    src.Slice(ip, length).CopyTo(dst[op..]);
                    ip += length;
                    op += length;
                    continue;
                case 1:
                    if (ip >= src.Length) throw Corrupt();
                    length = ((tag >> 2) & 7) + 4;
                    offset = ((tag >> 5) << 8) | src[ip++];
                    break;
                case 2:
                    if (src.Length - ip < 2) throw Corrupt();
                    length = (tag >> 2) + 1;
                    offset = BinaryPrimitives.ReadUInt16LittleEndian(src[ip..]);
                    ip += 2;
                    break;
                default:
                    if (src.Length - ip < 4) throw Corrupt();
                    length = (tag >> 2) + 1;
                    var o = BinaryPrimitives.ReadUInt32LittleEndian(src[ip..]);
                    if (o > int.MaxValue) throw Corrupt();
                    offset = (int)o;
                    ip += 4;
                    break;
            }
            if (offset == 0 || offset > op || length > dst.Length - op) throw Corrupt();
            CopyMatch(dst, op, offset, length);
            op += length;
        }
        if (op != dst.Length) throw new ProtocolException("Snappy block is shorter than its declared length.");
    }

    /// <summary>Copies an LZ77 match; overlapping copies repeat the pattern, so they go forward byte by byte.</summary>
    internal static void CopyMatch(Span<byte> buffer, int op, int offset, int length)
    {
        var from = op - offset;
        if (offset >= length)
        {
            buffer.Slice(from, length).CopyTo(buffer[op..]);
            return;
        }
        for (var i = 0; i < length; i++) buffer[op + i] = buffer[from + i];
    }

    private static ProtocolException Corrupt() => new("Corrupt snappy data.");

    /// <summary>Compresses one block (greedy hash matching); <paramref name="dst"/> needs <see cref="MaxCompressedLength"/> bytes.</summary>
    public static int CompressBlock(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        var op = 0;
        var len = (uint)src.Length;
        while (len >= 0x80)
        {
            dst[op++] = (byte)(len | 0x80);
            len >>= 7;
        }
        dst[op++] = (byte)len;

        var n = src.Length;
        var anchor = 0;
        if (n >= 8)
        {
            Span<int> table = stackalloc int[1 << HashBits];
            table.Clear();
            var ip = 0;
            var limit = n - 4;
            while (ip <= limit)
            {
                var seq = BinaryPrimitives.ReadUInt32LittleEndian(src[ip..]);
                var h = (int)((seq * 0x1E35A7BDu) >> (32 - HashBits));
                var candidate = table[h] - 1;
                table[h] = ip + 1;
                if (candidate < 0 || ip - candidate > MaxBlockOffset
                    || BinaryPrimitives.ReadUInt32LittleEndian(src[candidate..]) != seq)
                {
                    // Step faster through data that does not match.
                    ip += 1 + ((ip - anchor) >> 5);
                    continue;
                }
                var matchLength = 4;
                while (ip + matchLength < n && src[candidate + matchLength] == src[ip + matchLength]) matchLength++;
                if (ip > anchor) op = EmitLiteral(src[anchor..ip], dst, op);
                op = EmitCopy(ip - candidate, matchLength, dst, op);
                ip += matchLength;
                anchor = ip;
                if (ip - 1 <= limit)
                {
                    var prev = BinaryPrimitives.ReadUInt32LittleEndian(src[(ip - 1)..]);
                    table[(int)((prev * 0x1E35A7BDu) >> (32 - HashBits))] = ip;
                }
            }
        }
        if (anchor < n) op = EmitLiteral(src[anchor..], dst, op);
        return op;
    }

    private static int EmitLiteral(ReadOnlySpan<byte> literal, Span<byte> dst, int op)
    {
        var n = literal.Length - 1;
        if (n < 60)
        {
            dst[op++] = (byte)(n << 2);
        }
        else
        {
            var bytes = n < 1 << 8 ? 1 : n < 1 << 16 ? 2 : n < 1 << 24 ? 3 : 4;
            dst[op++] = (byte)((59 + bytes) << 2);
            for (var i = 0; i < bytes; i++) dst[op++] = (byte)(n >> (8 * i));
        }
        literal.CopyTo(dst[op..]);
        return op + literal.Length;
    }

    private static int EmitCopy(int offset, int length, Span<byte> dst, int op)
    {
        // Copy elements carry at most 64 bytes; keep every piece at least 4 long.
        while (length >= 68)
        {
            op = EmitCopy2(offset, 64, dst, op);
            length -= 64;
        }
        if (length > 64)
        {
            op = EmitCopy2(offset, 60, dst, op);
            length -= 60;
        }
        if (length < 12 && offset < 2048)
        {
            dst[op++] = (byte)(1 | ((length - 4) << 2) | ((offset >> 8) << 5));
            dst[op++] = (byte)offset;
            return op;
        }
        return EmitCopy2(offset, length, dst, op);
    }

    private static int EmitCopy2(int offset, int length, Span<byte> dst, int op)
    {
        dst[op++] = (byte)(2 | ((length - 1) << 2));
        BinaryPrimitives.WriteUInt16LittleEndian(dst[op..], (ushort)offset);
        return op + 2;
    }
}
