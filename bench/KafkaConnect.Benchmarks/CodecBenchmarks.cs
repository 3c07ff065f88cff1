using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Benchmarks;

/// <summary>
/// The generated codecs on the two big messages: a produce request carrying ~1 MiB of batches in 10 partitions
/// (read side: records must come out as slices of the frame, so allocation stays per partition, not per byte)
/// and a fetch response carrying the same (write side: one copy of the records into the response buffer).
/// </summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    public const int Partitions = 10;
    public const int Records = Partitions * TestData.RecordsPerBatch;
    private const short ProduceVersion = 9;
    private const short FetchVersion = 12;

    private byte[] _produceBody = [];
    private FetchResponse _fetchResponse = new();
    private ProtocolWriter? _writer;

    [GlobalSetup]
    public void Setup()
    {
        var batches = new byte[Partitions][];
        for (var p = 0; p < Partitions; p++) batches[p] = TestData.Batch(TestData.Values(TestData.RecordsPerBatch, 100, seed: p));

        using (var w = new ProtocolWriter(2 * 1024 * 1024))
        {
            TestData.ProduceRequest("bench", 1, batches).Write(w, ProduceVersion);
            _produceBody = w.WrittenSpan.ToArray();
        }

        var topic = new FetchResponse.FetchableTopicResponse { Topic = "bench" };
        for (var p = 0; p < Partitions; p++)
        {
            topic.Partitions.Add(new FetchResponse.PartitionData
            {
                PartitionIndex = p,
                HighWatermark = TestData.RecordsPerBatch,
                LastStableOffset = TestData.RecordsPerBatch,
                LogStartOffset = 0,
                Records = batches[p],
            });
        }
        _fetchResponse = new FetchResponse { Responses = { topic } };
        _writer = new ProtocolWriter(2 * 1024 * 1024);

        // The point of the read benchmark: every partition's records must be a slice of the frame, not a copy.
        var request = ReadProduceRequest();
        foreach (var pd in request.TopicData[0].PartitionData)
        {
            if (!MemoryMarshal.TryGetArray(pd.Records!.Value, out var segment) || !ReferenceEquals(segment.Array, _produceBody))
                throw new InvalidOperationException("ProduceRequest.Read copied the records instead of slicing the frame.");
        }
        Console.WriteLine($"// produce body {_produceBody.Length:N0} bytes, fetch response {WriteFetchResponse():N0} bytes");
    }

    [GlobalCleanup]
    public void Cleanup() => _writer?.Dispose();

    [Benchmark]
    [Work(Records, Records * 100L)]
    public ProduceRequest ReadProduceRequest()
    {
        var request = new ProduceRequest();
        var reader = new ProtocolReader(_produceBody);
        request.Read(ref reader, ProduceVersion);
        return request;
    }

    [Benchmark]
    [Work(Records, Records * 100L)]
    public int WriteFetchResponse()
    {
        var writer = _writer!;
        writer.Reset();
        _fetchResponse.Write(writer, FetchVersion);
        return writer.Position;
    }
}
