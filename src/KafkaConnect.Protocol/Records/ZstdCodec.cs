using System.Buffers;
using System.Runtime.InteropServices;

namespace KafkaConnect.Protocol.Records;

/// <summary>
/// zstd through the system's libzstd.so.1 (faster than the managed ZstdSharp.Port, see docs/compression.md).
/// Decompression streams because frames from librdkafka and the Java client do not always declare their content size.
/// </summary>
internal static unsafe class ZstdCodec
{
    /// <summary>Kafka's default zstd level.</summary>
    private const int Level = 3;
    private const int OutputChunk = 128 * 1024;

    [StructLayout(LayoutKind.Sequential)]
    private struct InBuffer
    {
        public byte* Src;
        public nuint Size;
        public nuint Pos;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct OutBuffer
    {
        public byte* Dst;
        public nuint Size;
        public nuint Pos;
    }

    private static readonly delegate* unmanaged<nuint, nuint> _compressBound;
    private static readonly delegate* unmanaged<nint> _createCCtx;
    private static readonly delegate* unmanaged<nint, byte*, nuint, byte*, nuint, int, nuint> _compressCCtx;
    private static readonly delegate* unmanaged<nuint, uint> _isError;
    private static readonly delegate* unmanaged<nuint, byte*> _getErrorName;
    private static readonly delegate* unmanaged<nint> _createDCtx;
    private static readonly delegate* unmanaged<nint, int, nuint> _resetDCtx;
    private static readonly delegate* unmanaged<nint, OutBuffer*, InBuffer*, nuint> _decompressStream;

    // One context of each kind per thread: creating one costs more than a small batch's (de)compression
    // (ZSTD_compress made a fresh one per call, about a quarter of a 16 KiB batch's time; docs/compression.md).
    [ThreadStatic]
    private static nint _threadCCtx;

    [ThreadStatic]
    private static nint _threadDCtx;

    public static bool IsAvailable { get; }

    static ZstdCodec()
    {
        if (!NativeLibrary.TryLoad("libzstd.so.1", out var lib) && !NativeLibrary.TryLoad("libzstd", out lib)) return;
        try
        {
            _compressBound = (delegate* unmanaged<nuint, nuint>)NativeLibrary.GetExport(lib, "ZSTD_compressBound");
            _createCCtx = (delegate* unmanaged<nint>)NativeLibrary.GetExport(lib, "ZSTD_createCCtx");
            _compressCCtx = (delegate* unmanaged<nint, byte*, nuint, byte*, nuint, int, nuint>)NativeLibrary.GetExport(lib, "ZSTD_compressCCtx");
            _isError = (delegate* unmanaged<nuint, uint>)NativeLibrary.GetExport(lib, "ZSTD_isError");
            _getErrorName = (delegate* unmanaged<nuint, byte*>)NativeLibrary.GetExport(lib, "ZSTD_getErrorName");
            _createDCtx = (delegate* unmanaged<nint>)NativeLibrary.GetExport(lib, "ZSTD_createDCtx");
            _resetDCtx = (delegate* unmanaged<nint, int, nuint>)NativeLibrary.GetExport(lib, "ZSTD_DCtx_reset");
            _decompressStream = (delegate* unmanaged<nint, OutBuffer*, InBuffer*, nuint>)NativeLibrary.GetExport(lib, "ZSTD_decompressStream");
            IsAvailable = true;
        }
        catch (EntryPointNotFoundException)
        {
            IsAvailable = false;
        }
    }

    public static void Compress(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        EnsureAvailable();
        var bound = _compressBound((nuint)input.Length);
        if (bound > int.MaxValue) throw new ArgumentException("Input is too large for one zstd frame.", nameof(input));
        var cctx = _threadCCtx;
        if (cctx == 0)
        {
            cctx = _createCCtx();
            if (cctx == 0) throw new OutOfMemoryException("ZSTD_createCCtx failed.");
            _threadCCtx = cctx;
        }
        var dst = output.GetSpan((int)bound);
        nuint written;
        fixed (byte* src = input)
        fixed (byte* d = dst)
        {
            // ZSTD_compressCCtx resets the context and applies the level, so the output is what ZSTD_compress wrote.
            written = _compressCCtx(cctx, d, (nuint)dst.Length, src, (nuint)input.Length, Level);
        }
        if (_isError(written) != 0) throw new InvalidOperationException($"zstd compression failed: {ErrorName(written)}");
        output.Advance((int)written);
    }

    public static long Decompress(ReadOnlySpan<byte> input, IBufferWriter<byte> output, long maxOutput)
    {
        EnsureAvailable();
        var ctx = _threadDCtx;
        if (ctx == 0)
        {
            ctx = _createDCtx();
            if (ctx == 0) throw new OutOfMemoryException("ZSTD_createDCtx failed.");
            _threadDCtx = ctx;
        }
        else
        {
            _resetDCtx(ctx, 1); // session only: parameters stay
        }

        long total = 0;
        fixed (byte* src = input)
        {
            var inBuf = new InBuffer { Src = src, Size = (nuint)input.Length, Pos = 0 };
            while (true)
            {
                // Ask for one more byte than allowed so exceeding the limit is detected, not silently clipped.
                var room = (int)Math.Min(OutputChunk, maxOutput - total + 1);
                var span = output.GetSpan(room);
                if (span.Length > room) span = span[..room];
                nuint produced;
                nuint result;
                var consumedBefore = inBuf.Pos;
                fixed (byte* d = span)
                {
                    var outBuf = new OutBuffer { Dst = d, Size = (nuint)span.Length, Pos = 0 };
                    result = _decompressStream(ctx, &outBuf, &inBuf);
                    produced = outBuf.Pos;
                }
                if (_isError(result) != 0) throw new ProtocolException($"Corrupt zstd data: {ErrorName(result)}.");
                output.Advance((int)produced);
                total += (long)produced;
                if (total > maxOutput) throw new ProtocolException("Decompressed zstd data exceeds the limit.");
                if (inBuf.Pos == inBuf.Size)
                {
                    if (result == 0) return total; // last frame complete and flushed
                    // Input exhausted mid-frame: only more output can still come; no progress means truncation.
                    if (produced == 0) throw new ProtocolException("Truncated zstd data.");
                }
                else if (produced == 0 && inBuf.Pos == consumedBefore)
                {
                    throw new ProtocolException("zstd decompression made no progress.");
                }
            }
        }
    }

    private static void EnsureAvailable()
    {
        if (!IsAvailable) throw new UnsupportedCompressionException(CompressionType.Zstd);
    }

    private static string ErrorName(nuint code) => Marshal.PtrToStringAnsi((nint)_getErrorName(code)) ?? "unknown error";
}
