using BenchmarkDotNet.Attributes;
using KafkaConnect.Broker;
using KafkaConnect.Broker.Configuration;
using KafkaConnect.Client.Producer;

namespace KafkaConnect.Benchmarks;

/// <summary>
/// The producer's accumulate-and-send path: one operation is 10,000 Produce calls (keyless, one reused
/// ProducerRecord) into the partition batches, then FlushAsync until the in-process broker acknowledged them
/// (acks=all, batch.size=1000000, linger.ms=5, 4 partitions). Allocated / 10,000 = bytes per record in all
/// (producing thread, sender and the broker's request handling, which is about 1 KB per request).
/// With a callback every record gets a RecordMetadata (48 B); without one nothing per record is kept.
/// </summary>
[MemoryDiagnoser]
public class ProducerPathBenchmarks
{
    private const int Records = 10_000;
    private string _dataDir = "";
    private KafkaBroker? _broker;
    private KafkaProducer? _producer;
    private ProducerRecord? _record;
    private Action<RecordMetadata?, Exception?>? _callback;
    private long _failures;

    [Params(100, 1024)]
    public int ValueSize { get; set; }

    [Params(false, true)]
    public bool WithCallback { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dataDir = Path.Combine(Path.GetTempPath(), "kc-bench-producer-" + Guid.NewGuid().ToString("N"));
        _broker = KafkaBroker.StartAsync(BrokerConfig.Create(new Dictionary<string, string>
        {
            ["listeners"] = "PLAINTEXT://127.0.0.1:0",
            ["log.dirs"] = _dataDir,
            ["num.partitions"] = "4",
            // Small segments so old data can be dropped by retention rather than fill the disk.
            ["log.segment.bytes"] = "67108864",
            ["log.retention.bytes"] = "134217728",
        })).GetAwaiter().GetResult();
        _producer = new KafkaProducer(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = _broker.BootstrapServers,
            ["acks"] = "all",
            ["batch.size"] = "1000000",
            ["linger.ms"] = "5",
        });
        var value = TestData.Values(1, ValueSize)[0];
        _record = new ProducerRecord("bench-producer", null, value);
        _callback = (_, e) =>
        {
            if (e is not null) Interlocked.Increment(ref _failures);
        };
        _producer.ProduceAsync(_record).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _producer?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _broker?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
        if (_failures > 0) Console.WriteLine($"// {_failures} records failed");
    }

    [Benchmark]
    [Work(Records)]
    public void ProduceAndFlush()
    {
        var producer = _producer!;
        var record = _record!;
        var callback = WithCallback ? _callback : null;
        for (var i = 0; i < Records; i++) producer.Produce(record, callback);
        producer.FlushAsync().GetAwaiter().GetResult();
    }
}
