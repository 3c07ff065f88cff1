using System.Buffers;
using System.Buffers.Binary;

namespace KafkaConnect.Protocol.Records;

/// <summary>
/// Managed LZ4: the block format plus the frame format Kafka uses for compression type 3.
/// Decoding accepts linked or independent blocks, block/content checksums and the content-size field.
/// </summary>
internal static class Lz4Codec
{
    private const uint FrameMagic = 0x184D2204;
    private const uint SkippableMagicMask = 0xFFFFFFF0;
    private const uint SkippableMagic = 0x184D2A50;
    private const int BlockSize = 64 * 1024;
    private const int HashBits = 12;
    private const int MinMatch = 4;
    // Format rules: the last 5 bytes are literals and the last match starts 12 or more bytes before the end.
    private const int LastLiterals = 5;
    private const int MatchFindLimit = 12;

    private const byte FlagVersion = 0x40;
    private const byte FlagBlockIndependence = 0x20;
    private const byte FlagBlockChecksum = 0x10;
    private const byte FlagContentSize = 0x08;
    private const byte FlagContentChecksum = 0x04;
    private const byte FlagDictId = 0x01;

    public static int MaxBlockCompressedLength(int n) => n + n / 255 + 16;

    /// <summary>Writes one frame: 64 KiB independent blocks, no checksums beyond the header's.</summary>
    public static void CompressFrame(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        var header = output.GetSpan(7);
        BinaryPrimitives.WriteUInt32LittleEndian(header, FrameMagic);
        header[4] = FlagVersion | FlagBlockIndependence;
        header[5] = 4 << 4; // 64 KiB max block size
        header[6] = (byte)(XxHash32.Hash(header.Slice(4, 2)) >> 8);
        output.Advance(7);

        while (!input.IsEmpty)
        {
            var block = input[..Math.Min(BlockSize, input.Length)];
            var span = output.GetSpan(4 + MaxBlockCompressedLength(block.Length));
            var n = CompressBlock(block, span[4..]);
            if (n >= block.Length)
            {
                // Incompressible: store it raw, flagged by the high bit of the size.
                block.CopyTo(span[4..]);
                BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)block.Length | 0x80000000u);
                output.Advance(4 + block.Length);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)n);
                output.Advance(4 + n);
            }
            input = input[block.Length..];
        }

        BinaryPrimitives.WriteUInt32LittleEndian(output.GetSpan(4), 0);
        output.Advance(4);
    }

    /// <summary>Decodes one or more frames (skippable frames ignored) into <paramref name="output"/>.</summary>
    public static void DecompressFrames(ReadOnlySpan<byte> input, PooledByteBuffer output, long maxOutput)
    {
        var start = output.Length;
        var limit = (int)Math.Min(Array.MaxLength, start + maxOutput);
        var pos = 0;
        var frames = 0;
        while (pos < input.Length || frames == 0)
        {
            if (input.Length - pos < 4) throw Corrupt("truncated magic");
            var magic = BinaryPrimitives.ReadUInt32LittleEndian(input[pos..]);
            if ((magic & SkippableMagicMask) == SkippableMagic)
            {
                if (input.Length - pos < 8) throw Corrupt("truncated skippable frame");
                var size = BinaryPrimitives.ReadUInt32LittleEndian(input[(pos + 4)..]);
                if (size > (uint)(input.Length - pos - 8)) throw Corrupt("truncated skippable frame");
                pos += 8 + (int)size;
                continue;
            }
            if (magic != FrameMagic) throw Corrupt("bad magic");
            pos = DecodeFrame(input, pos + 4, output, limit);
            frames++;
        }
    }

    private static int DecodeFrame(ReadOnlySpan<byte> input, int pos, PooledByteBuffer output, int limit)
    {
        if (input.Length - pos < 3) throw Corrupt("truncated frame descriptor");
        var descriptorStart = pos;
        var flg = input[pos++];
        var bd = input[pos++];
        if ((flg & 0xC0) != FlagVersion) throw Corrupt("unsupported frame version");
        if ((flg & FlagDictId) != 0) throw Corrupt("dictionaries are not supported");
        var blockMax = ((bd >> 4) & 7) switch
        {
            4 => 64 * 1024,
            5 => 256 * 1024,
            6 => 1024 * 1024,
            7 => 4 * 1024 * 1024,
            _ => throw Corrupt("invalid block max size"),
        };
        long contentSize = -1;
        if ((flg & FlagContentSize) != 0)
        {
            if (input.Length - pos < 9) throw Corrupt("truncated content size");
            var size = BinaryPrimitives.ReadUInt64LittleEndian(input[pos..]);
            if (size > (ulong)(limit - output.Length)) throw new ProtocolException("LZ4 content size exceeds the limit.");
            contentSize = (long)size;
            pos += 8;
        }
        var hc = input[pos];
        var expected = (byte)(XxHash32.Hash(input[descriptorStart..pos]) >> 8);
        // Kafka's pre-0.10 Java encoder hashed the magic too; tolerate that variant.
        var legacy = (byte)(XxHash32.Hash(input[(descriptorStart - 4)..pos]) >> 8);
        if (hc != expected && hc != legacy) throw Corrupt("header checksum mismatch");
        pos++;

        var frameStart = output.Length;
        var blockChecksum = (flg & FlagBlockChecksum) != 0;
        while (true)
        {
            if (input.Length - pos < 4) throw Corrupt("truncated block size");
            var raw = BinaryPrimitives.ReadUInt32LittleEndian(input[pos..]);
            pos += 4;
            if (raw == 0) break;
            var uncompressed = (raw & 0x80000000u) != 0;
            var size = raw & 0x7FFFFFFFu;
            if (size > (uint)blockMax || size > (uint)(input.Length - pos)) throw Corrupt("invalid block size");
            var block = input.Slice(pos, (int)size);
            pos += (int)size;
            if (blockChecksum)
            {
                if (input.Length - pos < 4) throw Corrupt("truncated block checksum");
                if (BinaryPrimitives.ReadUInt32LittleEndian(input[pos..]) != XxHash32.Hash(block)) throw Corrupt("block checksum mismatch");
                pos += 4;
            }
            if (uncompressed)
            {
                if (block.Length > limit - output.Length) throw TooLarge();
                output.Write(block);
            }
            else
            {
                var room = Math.Min(blockMax, limit - output.Length);
                output.EnsureFree(room);
                var end = DecompressBlock(block, output.RawSpan, output.Length, output.Length + room, room < blockMax);
                output.SetLength(end);
            }
        }

        if (contentSize >= 0 && output.Length - frameStart != contentSize) throw Corrupt("content size mismatch");
        if ((flg & FlagContentChecksum) != 0)
        {
            if (input.Length - pos < 4) throw Corrupt("truncated content checksum");
            var actual = XxHash32.Hash(output.WrittenSpan[frameStart..]);
            if (BinaryPrimitives.ReadUInt32LittleEndian(input[pos..]) != actual) throw Corrupt("content checksum mismatch");
            pos += 4;
        }
        return pos;
    }

    /// <summary>
    /// Decodes one block into <paramref name="buffer"/> starting at <paramref name="op"/>; matches may
    /// reach back into earlier output (linked blocks). Returns the new end of output.
    /// </summary>
    internal static int DecompressBlock(ReadOnlySpan<byte> src, Span<byte> buffer, int op, int end, bool limitedByCaller = false)
    {
        var ip = 0;
        while (true)
        {
            if (ip >= src.Length) throw Corrupt("truncated sequence");
            var token = src[ip++];
            var literals = token >> 4;
            if (literals == 15) literals = ReadLengthExtension(src, ref ip, literals);
            if (literals > src.Length - ip) throw Corrupt("literals past the input");
            if (literals > end - op) throw limitedByCaller ? TooLarge() : Corrupt("literals past the block");
            src.Slice(ip, literals).CopyTo(buffer[op..]);
            ip += literals;
            op += literals;
            if (ip == src.Length) return op;

            if (src.Length - ip < 2) throw Corrupt("truncated offset");
            var offset = BinaryPrimitives.ReadUInt16LittleEndian(src[ip..]);
            ip += 2;
            var matchLength = token & 15;
            if (matchLength == 15) matchLength = ReadLengthExtension(src, ref ip, matchLength);
            matchLength += MinMatch;
            if (offset == 0 || offset > op) throw Corrupt("invalid match offset");
            if (matchLength > end - op) throw limitedByCaller ? TooLarge() : Corrupt("match past the block");
            SnappyCodec.CopyMatch(buffer, op, offset, matchLength);
            op += matchLength;
        }
    }

    private static int ReadLengthExtension(ReadOnlySpan<byte> src, ref int ip, int length)
    {
        byte b;
        do
        {
            if (ip >= src.Length) throw Corrupt("truncated length");
            b = src[ip++];
            length += b;
            // No block exceeds 4 MiB, so anything bigger is corrupt (and this keeps the sum from overflowing).
            if (length > 1 << 23) throw Corrupt("length too large");
        }
        while (b == 255);
        return length;
    }

    /// <summary>Compresses one block; <paramref name="dst"/> needs <see cref="MaxBlockCompressedLength"/> bytes.</summary>
    public static int CompressBlock(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        var n = src.Length;
        var op = 0;
        var anchor = 0;
        if (n > MatchFindLimit)
        {
            Span<int> table = stackalloc int[1 << HashBits];
            table.Clear();
            var matchEnd = n - LastLiterals;
            var ip = 0;
            while (ip < n - MatchFindLimit)
            {
                var seq = BinaryPrimitives.ReadUInt32LittleEndian(src[ip..]);
                var h = (int)((seq * 2654435761u) >> (32 - HashBits));
                var candidate = table[h] - 1;
                table[h] = ip + 1;
                if (candidate < 0 || ip - candidate > 65535 || BinaryPrimitives.ReadUInt32LittleEndian(src[candidate..]) != seq)
                {
                    ip += 1 + ((ip - anchor) >> 6);
                    continue;
                }
                var matchLength = MinMatch;
                while (ip + matchLength < matchEnd && src[candidate + matchLength] == src[ip + matchLength]) matchLength++;
                op = EmitSequence(src[anchor..ip], ip - candidate, matchLength, dst, op);
                ip += matchLength;
                anchor = ip;
            }
        }
        return EmitSequence(src[anchor..], 0, 0, dst, op);
    }

    private static int EmitSequence(ReadOnlySpan<byte> literals, int offset, int matchLength, Span<byte> dst, int op)
    {
        var tokenPos = op++;
        var litLen = literals.Length;
        var token = Math.Min(litLen, 15) << 4;
        if (litLen >= 15) op = WriteLengthExtension(litLen - 15, dst, op);
        literals.CopyTo(dst[op..]);
        op += litLen;
        if (matchLength > 0)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(dst[op..], (ushort)offset);
            op += 2;
            var ml = matchLength - MinMatch;
            token |= Math.Min(ml, 15);
            if (ml >= 15) op = WriteLengthExtension(ml - 15, dst, op);
        }
        dst[tokenPos] = (byte)token;
        return op;
    }

    private static int WriteLengthExtension(int remaining, Span<byte> dst, int op)
    {
        while (remaining >= 255)
        {
            dst[op++] = 255;
            remaining -= 255;
        }
        dst[op++] = (byte)remaining;
        return op;
    }

    private static ProtocolException Corrupt(string why) => new($"Corrupt LZ4 data: {why}.");

    private static ProtocolException TooLarge() => new("Decompressed LZ4 data exceeds the limit.");
}
