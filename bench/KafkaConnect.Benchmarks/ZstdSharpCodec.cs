using System.Buffers;
using KafkaConnect.Protocol;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace KafkaConnect.Benchmarks;

/// <summary>
/// zstd through ZstdSharp.Port (managed, no native library), written as ZstdCodec would be if it switched: the
/// same streaming decode. It lost the A/B to libzstd (docs/compression.md), so it lives only here, for the benchmark.
/// </summary>
internal static unsafe class ZstdSharpCodec
{
    /// <summary>Kafka's default zstd level.</summary>
    private const int Level = 3;
    private const int OutputChunk = 128 * 1024;

    // One context of each kind per thread: creating one costs more than a small batch's (de)compression.
    [ThreadStatic]
    private static Compressor? _threadCompressor;

    [ThreadStatic]
    private static nint _threadDCtx;

    public static void Compress(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        var compressor = _threadCompressor ??= new Compressor(Level);
        var dst = output.GetSpan(Compressor.GetCompressBound(input.Length));
        output.Advance(compressor.Wrap(input, dst));
    }

    public static long Decompress(ReadOnlySpan<byte> input, IBufferWriter<byte> output, long maxOutput)
    {
        var ctx = (ZSTD_DCtx_s*)_threadDCtx;
        if (ctx == null)
        {
            ctx = Methods.ZSTD_createDCtx();
            if (ctx == null) throw new OutOfMemoryException("ZSTD_createDCtx failed.");
            _threadDCtx = (nint)ctx;
        }
        else
        {
            Methods.ZSTD_DCtx_reset(ctx, ZSTD_ResetDirective.ZSTD_reset_session_only);
        }

        long total = 0;
        fixed (byte* src = input)
        {
            var inBuf = new ZSTD_inBuffer_s { src = src, size = (nuint)input.Length, pos = 0 };
            while (true)
            {
                // Ask for one more byte than allowed so exceeding the limit is detected, not silently clipped.
                var room = (int)Math.Min(OutputChunk, maxOutput - total + 1);
                var span = output.GetSpan(room);
                if (span.Length > room) span = span[..room];
                nuint produced;
                nuint result;
                var consumedBefore = inBuf.pos;
                fixed (byte* d = span)
                {
                    var outBuf = new ZSTD_outBuffer_s { dst = d, size = (nuint)span.Length, pos = 0 };
                    result = Methods.ZSTD_decompressStream(ctx, &outBuf, &inBuf);
                    produced = outBuf.pos;
                }
                if (Methods.ZSTD_isError(result)) throw new ProtocolException($"Corrupt zstd data: {ErrorName(result)}.");
                output.Advance((int)produced);
                total += (long)produced;
                if (total > maxOutput) throw new ProtocolException("Decompressed zstd data exceeds the limit.");
                if (inBuf.pos == inBuf.size)
                {
                    if (result == 0) return total; // last frame complete and flushed
                    // Input exhausted mid-frame: only more output can still come; no progress means truncation.
                    if (produced == 0) throw new ProtocolException("Truncated zstd data.");
                }
                else if (produced == 0 && inBuf.pos == consumedBefore)
                {
                    throw new ProtocolException("zstd decompression made no progress.");
                }
            }
        }
    }

    private static string ErrorName(nuint code) => Methods.ZSTD_getErrorName(code);
}
