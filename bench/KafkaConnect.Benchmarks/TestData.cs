using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;
using KafkaConnect.Protocol.Records;

namespace KafkaConnect.Benchmarks;

/// <summary>Deterministic inputs shared by the benchmarks.</summary>
internal static class TestData
{
    public const long BaseTimestamp = 1_763_700_000_000;
    public const int RecordsPerBatch = 1000;

    // Short JSON-like words: values compress roughly like typical event payloads rather than like noise or zeros.
    private static readonly string[] Words =
    [
        "{\"id\":", "\"user\":", "\"event\":", "\"click\"", "\"view\"", "\"ts\":", "1763700", "\"ok\"", ",", "}",
        "\"page\":", "\"/home\"", "\"/cart\"", "42", "true", "false", "\"amount\":", "19.99", "\"eur\"", " ",
    ];

    /// <summary><paramref name="count"/> distinct values of exactly <paramref name="size"/> bytes.</summary>
    public static byte[][] Values(int count, int size, int seed = 42)
    {
        var random = new Random(seed);
        var values = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            var v = new byte[size];
            var pos = 0;
            while (pos < size)
            {
                var word = Words[random.Next(Words.Length)];
                for (var c = 0; c < word.Length && pos < size; c++) v[pos++] = (byte)word[c];
            }
            values[i] = v;
        }
        return values;
    }

    /// <summary>One batch holding the given values (keyless unless keys are given), timestamps 1 ms apart, offsets from 0.</summary>
    public static byte[] Batch(byte[][] values, CompressionType compression = CompressionType.None, byte[][]? keys = null)
    {
        using var builder = new RecordBatchBuilder(0, compression);
        for (var i = 0; i < values.Length; i++) builder.Add(BaseTimestamp + i, keys?[i], values[i]);
        return builder.Build();
    }

    /// <summary>Keys "key-000000", "key-000001", ... as a compacted topic's producer would send.</summary>
    public static byte[][] Keys(int count)
    {
        var keys = new byte[count][];
        for (var i = 0; i < count; i++) keys[i] = System.Text.Encoding.ASCII.GetBytes($"key-{i:D6}");
        return keys;
    }

    /// <summary>A request frame as the network layer hands it to the dispatcher: header then body, no length prefix.</summary>
    public static byte[] RequestFrame(ApiKey key, short version, int correlationId, IKafkaMessage body)
    {
        using var writer = new ProtocolWriter(64 * 1024);
        var header = new RequestHeader
        {
            RequestApiKey = (short)key,
            RequestApiVersion = version,
            CorrelationId = correlationId,
            ClientId = "kconnect-bench",
        };
        header.Write(writer, ApiMessages.RequestHeaderVersion(key, version));
        body.Write(writer, version);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>A produce request with one batch per partition, all in one topic.</summary>
    public static ProduceRequest ProduceRequest(string topic, short acks, IReadOnlyList<byte[]> batchPerPartition)
    {
        var data = new ProduceRequest.TopicProduceData { Name = topic };
        for (var p = 0; p < batchPerPartition.Count; p++)
            data.PartitionData.Add(new ProduceRequest.PartitionProduceData { Index = p, Records = batchPerPartition[p] });
        return new ProduceRequest { Acks = acks, TimeoutMs = 30_000, TopicData = { data } };
    }
}
