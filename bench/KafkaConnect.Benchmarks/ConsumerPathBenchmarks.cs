using BenchmarkDotNet.Attributes;
using KafkaConnect.Client.Consumer;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;
using KafkaConnect.Protocol.Records;

namespace KafkaConnect.Benchmarks;

/// <summary>
/// The consumer's decode path: a Fetch v12 response body (one partition, 10 uncompressed batches of 1,000 keyless
/// records) read with the generated codec and turned into 10,000 ConsumeResults. <c>Direct</c> is the consumer's
/// path (RecordDecoder: one object per record, slices of the frame); <c>ViaRecord</c> is the earlier path
/// (RecordBatchCodec.ReadRecords copies each batch and makes a Record, then a ConsumeResult is copied from it).
/// Allocated / 10,000 = bytes per record.
/// </summary>
[MemoryDiagnoser]
public class ConsumerPathBenchmarks
{
    private const int Batches = 10;
    private const string Topic = "bench";
    private byte[] _body = [];
    private List<ConsumeResult> _results = new();

    [Params(100, 1024)]
    public int ValueSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var values = TestData.Values(TestData.RecordsPerBatch, ValueSize);
        using var all = new ProtocolWriter(Batches * values.Length * (ValueSize + 16));
        for (var b = 0; b < Batches; b++)
        {
            using var builder = new RecordBatchBuilder(b * (long)TestData.RecordsPerBatch);
            for (var i = 0; i < values.Length; i++) builder.Add(TestData.BaseTimestamp + i, null, values[i]);
            builder.Build(all);
        }
        var response = new FetchResponse
        {
            Responses =
            [
                new FetchResponse.FetchableTopicResponse
                {
                    Topic = Topic,
                    Partitions = [new FetchResponse.PartitionData { PartitionIndex = 0, HighWatermark = Batches * TestData.RecordsPerBatch, Records = all.WrittenMemory.ToArray() }],
                },
            ],
        };
        using var writer = new ProtocolWriter(all.Position + 4096);
        response.Write(writer, 12);
        _body = writer.WrittenMemory.ToArray();
        if (Direct() != Batches * TestData.RecordsPerBatch || ViaRecord() != Batches * TestData.RecordsPerBatch)
            throw new InvalidOperationException("Setup produced a wrong response.");
    }

    [Benchmark(Baseline = true)]
    [Work(Batches * TestData.RecordsPerBatch)]
    public int Direct()
    {
        var records = Read();
        var results = new List<ConsumeResult>();
        var batches = RecordBatchCodec.EnumerateBatches(records);
        while (batches.MoveNext())
        {
            var (header, bytes) = batches.Current;
            RecordDecoder.Decode(header, bytes, Topic, 0, 0, verifyCrc: true, results);
        }
        _results = results;
        return results.Count;
    }

    [Benchmark]
    [Work(Batches * TestData.RecordsPerBatch)]
    public int ViaRecord()
    {
        var records = Read();
        var results = new List<ConsumeResult>();
        var batches = RecordBatchCodec.EnumerateBatches(records);
        while (batches.MoveNext())
        {
            var (_, bytes) = batches.Current;
            foreach (var r in RecordBatchCodec.ReadRecords(bytes.Span, verifyCrc: true))
                results.Add(new ConsumeResult(Topic, 0, r.Offset, r.Timestamp, r.Key, r.Value, r.Headers));
        }
        _results = results;
        return results.Count;
    }

    private ReadOnlyMemory<byte> Read()
    {
        var response = new FetchResponse();
        var reader = new ProtocolReader(_body);
        response.Read(ref reader, 12);
        return response.Responses[0].Partitions[0].Records!.Value;
    }
}
