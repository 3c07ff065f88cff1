using System.Buffers;
using System.Buffers.Binary;
using K4os.Compression.LZ4;

namespace KafkaConnect.Protocol.Records;

/// <summary>
/// LZ4 frames as Kafka uses them (compression type 3) around K4os.Compression.LZ4's block codec.
/// Decoding accepts linked or independent blocks, block/content checksums and the content-size field.
/// </summary>
internal static class Lz4Codec
{
    private const uint FrameMagic = 0x184D2204;
    private const uint SkippableMagicMask = 0xFFFFFFF0;
    private const uint SkippableMagic = 0x184D2A50;
    private const int BlockSize = 64 * 1024;
    private const int WindowSize = 64 * 1024;

    private const byte FlagVersion = 0x40;
    private const byte FlagBlockIndependence = 0x20;
    private const byte FlagBlockChecksum = 0x10;
    private const byte FlagContentSize = 0x08;
    private const byte FlagContentChecksum = 0x04;
    private const byte FlagDictId = 0x01;

    public static int MaxBlockCompressedLength(int n) => LZ4Codec.MaximumOutputSize(n);

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
            var n = LZ4Codec.Encode(block, span[4..], LZ4Level.L00_FAST);
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
        var independent = (flg & FlagBlockIndependence) != 0;
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
                var op = output.Length;
                var target = output.RawSpan.Slice(op, room);
                // Linked blocks may refer to the previous 64 KiB of this frame's output.
                var n = independent
                    ? LZ4Codec.Decode(block, target)
                    : LZ4Codec.Decode(block, target, output.RawSpan[Math.Max(frameStart, op - WindowSize)..op]);
                // The decoder reports only failure; with the room cut short by the limit that is most likely the limit.
                if (n < 0) throw room < blockMax ? TooLarge() : Corrupt("invalid block");
                output.SetLength(op + n);
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

    private static ProtocolException Corrupt(string why) => new($"Corrupt LZ4 data: {why}.");

    private static ProtocolException TooLarge() => new("Decompressed LZ4 data exceeds the limit.");
}
