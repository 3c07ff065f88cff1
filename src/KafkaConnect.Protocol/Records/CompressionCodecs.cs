using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace KafkaConnect.Protocol.Records;

/// <summary>The record-batch compression codecs: gzip, snappy (xerial or raw), LZ4 frames and zstd.</summary>
public static class CompressionCodecs
{
    /// <summary>Decompression refuses to produce more than this by default, so a small batch cannot claim gigabytes.</summary>
    public const int DefaultMaxDecompressedSize = 256 * 1024 * 1024;

    public static bool IsSupported(CompressionType type) => type switch
    {
        CompressionType.None or CompressionType.Gzip or CompressionType.Snappy or CompressionType.Lz4 => true,
        CompressionType.Zstd => ZstdCodec.IsAvailable,
        _ => false,
    };

    public static void Compress(CompressionType type, ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        switch (type)
        {
            case CompressionType.None:
                input.CopyTo(output.GetSpan(input.Length));
                output.Advance(input.Length);
                break;
            case CompressionType.Gzip:
                GzipCompress(input, output);
                break;
            case CompressionType.Snappy:
                SnappyCodec.CompressXerial(input, output);
                break;
            case CompressionType.Lz4:
                Lz4Codec.CompressFrame(input, output);
                break;
            case CompressionType.Zstd:
                ZstdCodec.Compress(input, output);
                break;
            default:
                throw new UnsupportedCompressionException(type);
        }
    }

    public static void Decompress(CompressionType type, ReadOnlySpan<byte> input, IBufferWriter<byte> output)
        => Decompress(type, input, output, DefaultMaxDecompressedSize);

    /// <summary>Decompresses, throwing <see cref="ProtocolException"/> for corrupt input or output above <paramref name="maxOutput"/> bytes.</summary>
    public static void Decompress(CompressionType type, ReadOnlySpan<byte> input, IBufferWriter<byte> output, int maxOutput)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxOutput);
        if (type == CompressionType.Lz4)
        {
            // LZ4 back-references need the output contiguous; decode into our own buffer when the caller's is not.
            if (output is PooledByteBuffer pooled)
            {
                Lz4Codec.DecompressFrames(input, pooled, maxOutput);
                return;
            }
            using var scratch = new PooledByteBuffer(Math.Min(maxOutput, Math.Max(input.Length * 4, 4096)));
            Lz4Codec.DecompressFrames(input, scratch, maxOutput);
            scratch.WrittenSpan.CopyTo(output.GetSpan(scratch.Length));
            output.Advance(scratch.Length);
            return;
        }
        DecompressTo(type, input, output, maxOutput);
    }

    internal static void DecompressTo(CompressionType type, ReadOnlySpan<byte> input, IBufferWriter<byte> output, int maxOutput)
    {
        switch (type)
        {
            case CompressionType.None:
                if (input.Length > maxOutput) throw new ProtocolException("Data exceeds the size limit.");
                input.CopyTo(output.GetSpan(input.Length));
                output.Advance(input.Length);
                break;
            case CompressionType.Gzip:
                GzipDecompress(input, output, maxOutput);
                break;
            case CompressionType.Snappy:
                SnappyCodec.Decompress(input, output, maxOutput);
                break;
            case CompressionType.Lz4:
                Decompress(type, input, output, maxOutput);
                break;
            case CompressionType.Zstd:
                ZstdCodec.Decompress(input, output, maxOutput);
                break;
            default:
                throw new UnsupportedCompressionException(type);
        }
    }

    private static unsafe void GzipCompress(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        using var sink = new BufferWriterStream(output);
        using (var gzip = new GZipStream(sink, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(input);
        }
        // GZipStream writes nothing at all for empty input; other readers expect a complete member.
        if (sink.BytesWritten == 0) sink.Write(EmptyGzipMember);
    }

    private static ReadOnlySpan<byte> GzipMemberStart => [0x1f, 0x8b, 8];

    private static ReadOnlySpan<byte> EmptyGzipMember =>
        [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];

    private static unsafe void GzipDecompress(ReadOnlySpan<byte> input, IBufferWriter<byte> output, int maxOutput)
    {
        if (input.IsEmpty) throw new ProtocolException("Empty gzip data.");
        long total = 0;
        fixed (byte* p = input)
        {
            using var source = new UnmanagedMemoryStream(p, input.Length);
            using var gzip = new GZipStream(source, CompressionMode.Decompress);
            try
            {
                while (true)
                {
                    var room = (int)Math.Min(64 * 1024, maxOutput - total + 1);
                    var span = output.GetSpan(room);
                    var n = gzip.Read(span[..Math.Min(room, span.Length)]);
                    if (n == 0) break;
                    output.Advance(n);
                    total += n;
                    if (total > maxOutput) throw new ProtocolException("Decompressed gzip data exceeds the limit.");
                }
            }
            catch (InvalidDataException e)
            {
                throw new ProtocolException($"Corrupt gzip data: {e.Message}");
            }
        }
        // GZipStream ends quietly on truncated input. The trailer's ISIZE (output length mod 2^32) catches that for
        // the single-member streams Kafka clients write; concatenated members are let through when another header follows.
        var isize = input.Length >= 18 ? BinaryPrimitives.ReadUInt32LittleEndian(input[^4..]) : ~(uint)total;
        if (isize != (uint)total && input[10..].IndexOf(GzipMemberStart) < 0)
            throw new ProtocolException("Truncated gzip data.");
    }

    /// <summary>Write-only stream over an <see cref="IBufferWriter{T}"/> so GZipStream can write without an intermediate array.</summary>
    private sealed class BufferWriterStream(IBufferWriter<byte> output) : Stream
    {
        public long BytesWritten { get; private set; }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            buffer.CopyTo(output.GetSpan(buffer.Length));
            output.Advance(buffer.Length);
            BytesWritten += buffer.Length;
        }
    }
}
