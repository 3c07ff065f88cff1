using System.Text;
using KafkaConnect.Client.Producer;
using KafkaConnect.Protocol.Records;

namespace KafkaConnect.Client.Tests.Producer;

public sealed class ProducerRoundTripTests : IClassFixture<BrokerFixture>
{
    private readonly BrokerFixture _broker;

    public ProducerRoundTripTests(BrokerFixture broker) => _broker = broker;

    private static ProducerRecord MakeRecord(string topic, int i)
    {
        var key = i % 4 == 0 ? null : (ReadOnlyMemory<byte>?)Encoding.UTF8.GetBytes($"key-{i % 97}");
        var value = Encoding.UTF8.GetBytes($"value-{i}-" + new string((char)('a' + i % 26), i % 50));
        RecordHeader[]? headers = i % 3 == 0 ? [new("h1", Encoding.UTF8.GetBytes($"x{i}")), new("h2", Encoding.UTF8.GetBytes("y"))] : null;
        int? partition = i % 5 == 0 ? i % 4 : null;
        long? timestamp = i % 7 == 0 ? 1_600_000_000_000L + i : null;
        return new ProducerRecord(topic, key, value, headers, partition, timestamp);
    }

    private static string Expected(ProducerRecord r, RecordMetadata m)
    {
        var key = r.Key is { } k ? Encoding.UTF8.GetString(k.Span) : "NULL";
        var headers = r.Headers is { } hs ? string.Join(",", hs.Select(h => $"{h.Key}={Encoding.UTF8.GetString(h.Value!.Value.Span)}")) : "";
        var value = Encoding.UTF8.GetString(r.Value!.Value.Span);
        return $"{m.Partition}\t{m.Offset}\t{m.Timestamp}\t{r.Key?.Length ?? -1}\t{key}\t{headers}\t{value.Length}\t{value}";
    }

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task Ten_thousand_records_read_back_identically_with_kcat(string codec)
    {
        const int count = 10_000;
        var topic = "roundtrip-" + codec;
        await ProducerTestSupport.CreateTopicAsync(_broker.BootstrapServers, topic, 4);
        var records = new ProducerRecord[count];
        var metadata = new RecordMetadata?[count];
        var errors = new List<Exception>();
        await using (var producer = new KafkaProducer(ProducerTestSupport.Config(_broker.BootstrapServers, ("compression.type", codec))))
        {
            for (var i = 0; i < count; i++)
            {
                var index = i;
                records[i] = MakeRecord(topic, i);
                producer.Produce(records[i], (m, e) =>
                {
                    if (e is not null) lock (errors) errors.Add(e);
                    metadata[index] = m;
                });
            }
            await producer.FlushAsync();
        }
        Assert.Empty(errors);

        // Per partition, offsets follow the order of Produce calls and have no gaps.
        var next = new long[4];
        for (var i = 0; i < count; i++)
        {
            var m = metadata[i]!;
            Assert.Equal(topic, m.Topic);
            if (records[i].Partition is { } p) Assert.Equal(p, m.Partition);
            if (records[i].Key is { } key && records[i].Partition is null) Assert.Equal(Murmur2Partitioner.Partition(key.Span, 4), m.Partition);
            if (records[i].Timestamp is { } ts) Assert.Equal(ts, m.Timestamp);
            Assert.True(next[m.Partition]++ == m.Offset, $"record {i} -> {m}, expected offset {next[m.Partition] - 1}; " + string.Join(" | ", Enumerable.Range(0, 12).Select(j => $"{j}:{metadata[j]?.Partition}/{metadata[j]?.Offset}")));
        }
        Assert.All(next, n => Assert.True(n > count / 8, $"partition got only {n} records"));

        var expected = Enumerable.Range(0, count).Select(i => Expected(records[i], metadata[i]!)).Order(StringComparer.Ordinal).ToList();
        var actual = (await ProducerTestSupport.ConsumeWithKcatAsync(_broker.BootstrapServers, topic)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(count, actual.Count);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("all")]
    public async Task Acks_settings_deliver(string acks)
    {
        var topic = "acks-" + acks;
        await ProducerTestSupport.CreateTopicAsync(_broker.BootstrapServers, topic, 2);
        await using (var producer = new KafkaProducer(ProducerTestSupport.Config(_broker.BootstrapServers, ("acks", acks))))
        {
            var tasks = Enumerable.Range(0, 500).Select(i => producer.ProduceAsync(
                new ProducerRecord(topic, Encoding.UTF8.GetBytes($"k{i}"), Encoding.UTF8.GetBytes($"v{i}")))).ToList();
            var results = await Task.WhenAll(tasks);
            if (acks == "0") Assert.All(results, r => Assert.Equal(-1, r.Offset));
            else Assert.Equal(500, results.Select(r => (r.Partition, r.Offset)).Distinct().Count());
        }
        // acks=0 has no response to wait for, so poll until the broker has stored everything.
        string[] lines = [];
        for (var attempt = 0; attempt < 50 && lines.Length < 500; attempt++)
        {
            lines = await ProducerTestSupport.ConsumeWithKcatAsync(_broker.BootstrapServers, topic);
            if (lines.Length < 500) await Task.Delay(100);
        }
        Assert.Equal(500, lines.Length);
    }

    [Fact]
    public async Task Produce_async_reports_partition_offset_and_timestamp()
    {
        const string topic = "single-async";
        await ProducerTestSupport.CreateTopicAsync(_broker.BootstrapServers, topic, 3);
        await using var producer = new KafkaProducer(ProducerTestSupport.Config(_broker.BootstrapServers, ("linger.ms", "0")));
        var first = await producer.ProduceAsync(new ProducerRecord(topic, null, Encoding.UTF8.GetBytes("a"), Partition: 2, Timestamp: 1234));
        var second = await producer.ProduceAsync(new ProducerRecord(topic, null, null, Partition: 2));
        Assert.Equal(new RecordMetadata(topic, 2, 0, 1234), first);
        Assert.Equal(1, second.Offset);
        Assert.Equal([0, 1, 2], await producer.PartitionsForAsync(topic));
    }

    [Fact]
    public async Task Oversized_record_fails_with_message_too_large()
    {
        await using var producer = new KafkaProducer(ProducerTestSupport.Config(_broker.BootstrapServers, ("max.request.size", "1000")));
        var ex = await Assert.ThrowsAsync<KafkaException>(() => producer.ProduceAsync(new ProducerRecord("too-large", null, new byte[2000])));
        Assert.Equal(KafkaConnect.Protocol.ErrorCode.MessageTooLarge, ex.Error);
        Assert.Contains("max.request.size", ex.Message);
    }

    private sealed class Handler : IDeliveryHandler
    {
        public readonly List<(string Topic, int Partition, long Offset, long Timestamp, Exception? Error)> Reports = [];

        public void OnDelivery(string topic, int partition, long offset, long timestamp, Exception? error)
        {
            lock (Reports) Reports.Add((topic, partition, offset, timestamp, error));
        }
    }

    [Fact]
    public async Task A_delivery_handler_gets_each_records_offset_or_error()
    {
        const string topic = "handler";
        await ProducerTestSupport.CreateTopicAsync(_broker.BootstrapServers, topic, 1);
        var handlers = Enumerable.Range(0, 100).Select(_ => new Handler()).ToList();
        await using (var producer = new KafkaProducer(ProducerTestSupport.Config(_broker.BootstrapServers)))
        {
            for (var i = 0; i < handlers.Count; i++)
                producer.Produce(new ProducerRecord(topic, null, Encoding.UTF8.GetBytes("v" + i), Timestamp: 1_700_000_000_000L + i), handlers[i]);
            var bad = new Handler();
            producer.Produce(new ProducerRecord(topic, null, new byte[1], Partition: 3), bad);
            Assert.IsType<KafkaException>(Assert.Single(bad.Reports).Error);
            await producer.FlushAsync();
        }
        for (var i = 0; i < handlers.Count; i++)
        {
            var report = Assert.Single(handlers[i].Reports);
            Assert.Equal((topic, 0, (long)i, 1_700_000_000_000L + i, (Exception?)null), report);
        }
    }

    [Fact]
    public async Task Unknown_partition_fails_the_record()
    {
        const string topic = "two-partitions";
        await ProducerTestSupport.CreateTopicAsync(_broker.BootstrapServers, topic, 2);
        await using var producer = new KafkaProducer(ProducerTestSupport.Config(_broker.BootstrapServers));
        Exception? error = null;
        producer.Produce(new ProducerRecord(topic, null, new byte[1], Partition: 7), (_, e) => error = e);
        Assert.IsType<KafkaException>(error);
    }

    [Fact]
    public async Task Null_keys_stick_to_a_partition_per_batch()
    {
        const string topic = "sticky";
        await ProducerTestSupport.CreateTopicAsync(_broker.BootstrapServers, topic, 4);
        var partitions = new int[400];
        await using (var producer = new KafkaProducer(ProducerTestSupport.Config(_broker.BootstrapServers, ("linger.ms", "100000"), ("batch.size", "10000"))))
        {
            for (var i = 0; i < 400; i++)
            {
                var index = i;
                producer.Produce(new ProducerRecord(topic, null, new byte[100]), (m, _) => partitions[index] = m!.Partition);
            }
            await producer.FlushAsync();
        }
        // ~73 records of ~136 estimated bytes fill a 10,000-byte batch: runs of one partition, switching between batches.
        var runs = 1;
        for (var i = 1; i < partitions.Length; i++) if (partitions[i] != partitions[i - 1]) runs++;
        Assert.InRange(runs, 4, 12);
        Assert.True(partitions.Distinct().Count() >= 2);
    }
}
