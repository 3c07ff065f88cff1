using System.Buffers;
using System.Buffers.Binary;
using Snappier;

namespace KafkaConnect.Protocol.Records;

/// <summary>
/// Snappy through Snappier's block codec, inside the xerial stream framing that Kafka's Java client writes.
/// Raw blocks (what librdkafka writes) are accepted on decompression too.
/// </summary>
internal static class SnappyCodec
{
    /// <summary>snappy-java's default chunk size; each chunk is an independent snappy block.</summary>
    internal const int XerialChunkSize = 32 * 1024;

    private static ReadOnlySpan<byte> XerialMagic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0];
    private const int XerialHeaderSize = 16;

    public static int MaxCompressedLength(int sourceLength) => Snappy.GetMaxCompressedLength(sourceLength);

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

    /// <summary>Compresses one raw block; <paramref name="dst"/> needs <see cref="MaxCompressedLength"/> bytes.</summary>
    public static int CompressBlock(ReadOnlySpan<byte> src, Span<byte> dst) => Snappy.Compress(src, dst);

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
        int declared;
        try
        {
            declared = Snappy.GetUncompressedLength(input);
        }
        catch (InvalidDataException e)
        {
            throw new ProtocolException($"Corrupt snappy data: {e.Message}");
        }
        // Snappier returns lengths of 2 GiB and more as negative ints.
        if (declared < 0) throw new ProtocolException("Snappy block declares 2 GiB or more.");
        if (declared > maxOutput) throw new ProtocolException($"Decompressed size {declared} exceeds the limit.");
        // A 3-byte copy yields at most 64 bytes, so a larger claim is corrupt; checking first avoids a huge buffer.
        if (declared > (long)input.Length * 22) throw Corrupt();
        if (declared == 0)
        {
            if (input.Length != 1) throw new ProtocolException("Snappy block has data after an empty preamble.");
            return 0;
        }
        var dst = output.GetSpan(declared)[..declared];
        int written;
        try
        {
            written = Snappy.Decompress(input, dst);
        }
        catch (InvalidDataException)
        {
            throw Corrupt();
        }
        catch (ArgumentException)
        {
            // Snappier's "output too small": the span has the declared length, so the block contradicts itself.
            throw Corrupt();
        }
        if (written != declared) throw new ProtocolException("Snappy block is shorter than its declared length.");
        output.Advance(declared);
        return declared;
    }

    private static ProtocolException Corrupt() => new("Corrupt snappy data.");
}
