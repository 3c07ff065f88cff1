using BenchmarkDotNet.Attributes;
using KafkaConnect.Protocol.Records;

namespace KafkaConnect.Benchmarks;

/// <summary>CRC-32C throughput: the broker checks it on every produced batch.</summary>
[MemoryDiagnoser]
public class ChecksumBenchmarks
{
    private const int OneMiB = 1024 * 1024;
    private byte[] _data = [];
    private byte[] _batch = [];

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[OneMiB];
        new Random(7).NextBytes(_data);
        // 1 KiB values: as many as fit in 1 MiB with their per-record overhead, so the batch is just under 1 MiB.
        var values = TestData.Values(1013, 1024);
        _batch = TestData.Batch(values);
        if (!RecordBatchHeader.IsCrcValid(_batch)) throw new InvalidOperationException("Setup produced a batch with a bad CRC.");
        Console.WriteLine($"// batch of {values.Length} x 1 KiB: {_batch.Length:N0} bytes");
    }

    [Benchmark]
    [Work(0, OneMiB)]
    public uint Crc32COneMiB() => Crc32C.Compute(_data);

    [Benchmark]
    [Work(1013, OneMiB)]
    public bool IsCrcValidOneMiBBatch() => RecordBatchHeader.IsCrcValid(_batch);
}
