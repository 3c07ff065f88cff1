using BenchmarkDotNet.Attributes;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Records;

namespace KafkaConnect.Benchmarks;

/// <summary>
/// Building and decoding one batch of 1,000 keyless records, per value size and codec. The builder and the
/// output writer are reused across invocations, as a producer reuses them, so allocations shown are steady state.
/// </summary>
/// <remarks>Benchmark classes are public and unsealed because BenchmarkDotNet derives from them.</remarks>
[MemoryDiagnoser]
public class RecordBatchBenchmarks
{
    private byte[][] _values = [];
    private byte[] _batch = [];
    private RecordBatchBuilder? _builder;
    private ProtocolWriter? _output;

    [Params(100, 1024)]
    public int ValueSize { get; set; }

    [Params(CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd)]
    public CompressionType Compression { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (!CompressionCodecs.IsSupported(Compression)) throw new InvalidOperationException($"{Compression} is not available here.");
        _values = TestData.Values(TestData.RecordsPerBatch, ValueSize);
        _batch = TestData.Batch(_values, Compression);
        _builder = new RecordBatchBuilder(0, Compression);
        _output = new ProtocolWriter(_batch.Length * 2 + 4096);
        if (RecordBatchCodec.ReadRecords(_batch).Count != TestData.RecordsPerBatch || Build() <= 0)
            throw new InvalidOperationException("Setup produced a wrong batch.");
        Console.WriteLine($"// {Compression} batch of {TestData.RecordsPerBatch} x {ValueSize} B: {_batch.Length:N0} bytes");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _builder?.Dispose();
        _output?.Dispose();
    }

    [Benchmark]
    [Work(TestData.RecordsPerBatch)]
    public int Build()
    {
        var builder = _builder!;
        var output = _output!;
        builder.Clear();
        output.Reset();
        var values = _values;
        for (var i = 0; i < values.Length; i++) builder.Add(TestData.BaseTimestamp + i, null, values[i]);
        return builder.Build(output);
    }

    [Benchmark]
    [Work(TestData.RecordsPerBatch)]
    public int ReadRecords() => RecordBatchCodec.ReadRecords(_batch).Count;
}
