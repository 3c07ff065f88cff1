using System.Buffers;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Records;

namespace KafkaConnect.Benchmarks;

/// <summary>Which implementation of a codec a benchmark case runs.</summary>
public enum CodecImpl
{
    /// <summary>What <see cref="CompressionCodecs"/> uses now (for snappy and LZ4 a library since issue 12).</summary>
    Ours,
    /// <summary>The alternative library, where one is still compared: ZstdSharp.Port for zstd.</summary>
    Library,
}

/// <summary>A benchmarked codec: what <see cref="CompressionCodecs"/> uses for each type, plus ZstdSharp.</summary>
public enum CodecVariant
{
    Snappy,
    Lz4,
    Zstd,
    ZstdSharp,
}

/// <summary>
/// The record-batch codecs in Kafka's wire format (LZ4 frames with 64 KiB independent blocks, snappy blocks in
/// xerial framing, zstd level 3) and, for zstd, the managed ZstdSharp.Port beside our libzstd. The hand-written
/// snappy and LZ4 this compared against were replaced by Snappier and K4os.Compression.LZ4 (docs/compression.md;
/// the A/B is at commit e949b78). The input is the records section of an uncompressed batch of ~100 B JSON-like
/// values, cut to 16 KiB or 1 MiB. Writers are reused, so allocations shown are steady state.
/// </summary>
/// <remarks>Benchmark classes are public and unsealed because BenchmarkDotNet derives from them.</remarks>
[MemoryDiagnoser]
[Config(typeof(CompressionLibraryConfig))]
public class CompressionLibraryBenchmarks
{
    private byte[] _input = [];
    private byte[] _compressed = [];
    private PooledByteBuffer? _output;

    [ParamsAllValues]
    public CodecVariant Variant { get; set; }

    [Params(16 * 1024, 1024 * 1024)]
    public int BatchBytes { get; set; }

    private CompressionType Codec => CodecOf(Variant);

    private CodecImpl Impl => ImplOf(Variant);

    internal static CompressionType CodecOf(CodecVariant variant) => variant switch
    {
        CodecVariant.Snappy => CompressionType.Snappy,
        CodecVariant.Lz4 => CompressionType.Lz4,
        _ => CompressionType.Zstd,
    };

    internal static CodecImpl ImplOf(CodecVariant variant) => variant == CodecVariant.ZstdSharp ? CodecImpl.Library : CodecImpl.Ours;

    [GlobalSetup]
    public void Setup()
    {
        _input = Payload(BatchBytes);
        _output = new PooledByteBuffer(BatchBytes * 2 + 4096);
        _compressed = CompressToArray(Codec, Impl, _input);
        // Round trip, and for zstd both directions across libzstd and ZstdSharp, or the comparison means nothing.
        var other = Impl == CodecImpl.Ours && Codec == CompressionType.Zstd ? CodecImpl.Library : CodecImpl.Ours;
        using var check = new PooledByteBuffer();
        Decompress(Codec, other, _compressed, check);
        if (!check.WrittenSpan.SequenceEqual(_input)) throw new InvalidOperationException($"{other} cannot read {Impl}'s {Codec}.");
        check.Clear();
        Decompress(Codec, Impl, CompressToArray(Codec, other, _input), check);
        if (!check.WrittenSpan.SequenceEqual(_input)) throw new InvalidOperationException($"{Impl} cannot read {other}'s {Codec}.");
    }

    [GlobalCleanup]
    public void Cleanup() => _output?.Dispose();

    [Benchmark]
    public int Compress()
    {
        var output = _output!;
        output.Clear();
        Compress(Codec, Impl, _input, output);
        return output.Length;
    }

    [Benchmark]
    public int Decompress()
    {
        var output = _output!;
        output.Clear();
        Decompress(Codec, Impl, _compressed, output);
        return output.Length;
    }

    /// <summary>The records section of uncompressed batches of 100 B values, cut to exactly <paramref name="size"/> bytes.</summary>
    internal static byte[] Payload(int size)
    {
        const int batchHeader = 61;
        using var all = new PooledByteBuffer(size + 64 * 1024);
        for (var seed = 1; all.Length < size; seed++)
            all.Write(TestData.Batch(TestData.Values(TestData.RecordsPerBatch, 100, seed)).AsSpan(batchHeader));
        return all.WrittenSpan[..size].ToArray();
    }

    internal static byte[] CompressToArray(CompressionType codec, CodecImpl impl, byte[] input)
    {
        using var output = new PooledByteBuffer(input.Length + 4096);
        Compress(codec, impl, input, output);
        return output.ToArray();
    }

    private static void Compress(CompressionType codec, CodecImpl impl, ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        switch (codec, impl)
        {
            case (CompressionType.Snappy, CodecImpl.Ours): SnappyCodec.CompressXerial(input, output); break;
            case (CompressionType.Lz4, CodecImpl.Ours): Lz4Codec.CompressFrame(input, output); break;
            case (CompressionType.Zstd, CodecImpl.Ours): ZstdCodec.Compress(input, output); break;
            case (CompressionType.Zstd, CodecImpl.Library): ZstdSharpCodec.Compress(input, output); break;
            default: throw new ArgumentOutOfRangeException(nameof(codec));
        }
    }

    private static void Decompress(CompressionType codec, CodecImpl impl, ReadOnlySpan<byte> input, PooledByteBuffer output)
    {
        const int max = CompressionCodecs.DefaultMaxDecompressedSize;
        switch (codec, impl)
        {
            case (CompressionType.Snappy, CodecImpl.Ours): SnappyCodec.Decompress(input, output, max); break;
            case (CompressionType.Lz4, CodecImpl.Ours): Lz4Codec.DecompressFrames(input, output, max); break;
            case (CompressionType.Zstd, CodecImpl.Ours): ZstdCodec.Decompress(input, output, max); break;
            case (CompressionType.Zstd, CodecImpl.Library): ZstdSharpCodec.Decompress(input, output, max); break;
            default: throw new ArgumentOutOfRangeException(nameof(codec));
        }
    }
}

/// <summary>Adds the uncompressed MiB/s and the compression ratio to the summary.</summary>
internal sealed class CompressionLibraryConfig : ManualConfig
{
    public CompressionLibraryConfig() => AddColumn(new CodecColumn(ratio: false), new CodecColumn(ratio: true));

    private sealed class CodecColumn(bool ratio) : IColumn
    {
        public string Id => ratio ? "Ratio" : "Batch MiB/s";
        public string ColumnName => Id;
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => ratio ? 3 : 2;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => ratio
            ? "Uncompressed bytes / compressed bytes (the same for Compress and Decompress)"
            : "Uncompressed MiB per second, both directions (1 MiB = 2^20 bytes)";

        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var variant = (CodecVariant)benchmarkCase.Parameters["Variant"];
            var codec = CompressionLibraryBenchmarks.CodecOf(variant);
            var impl = CompressionLibraryBenchmarks.ImplOf(variant);
            var bytes = (int)benchmarkCase.Parameters["BatchBytes"];
            if (ratio)
            {
                var compressed = CompressionLibraryBenchmarks.CompressToArray(codec, impl, CompressionLibraryBenchmarks.Payload(bytes));
                return ((double)bytes / compressed.Length).ToString("F2", CultureInfo.InvariantCulture);
            }
            var meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
            return meanNs is > 0 ? (bytes * 1e9 / meanNs.Value / (1024.0 * 1024.0)).ToString("N1", CultureInfo.InvariantCulture) : "-";
        }
    }
}
