using KafkaConnect.Client.Producer;
using KafkaConnect.Client.Tests.Producer;

namespace KafkaConnect.Client.Tests.Metrics;

public sealed class ProducerMetricsTests : IClassFixture<BrokerFixture>
{
    private const string P = "kafka_producer_producer_metrics_";
    private const string T = "kafka_producer_producer_topic_metrics_";
    private readonly BrokerFixture _broker;

    public ProducerMetricsTests(BrokerFixture broker) => _broker = broker;

    private static async Task ProduceAsync(KafkaProducer producer, string topic, int count, int valueSize)
    {
        var value = new byte[valueSize];
        var sends = new List<Task<RecordMetadata>>(count);
        for (var i = 0; i < count; i++) sends.Add(producer.ProduceAsync(new ProducerRecord(topic, null, value)));
        await producer.FlushAsync();
        await Task.WhenAll(sends);
    }

    [Fact]
    public async Task Producing_counts_records_and_bytes_for_the_client_and_the_topic_and_a_closed_producer_disappears()
    {
        const int N = 2000, ValueSize = 100;
        var topic = "metrics-produce." + Guid.NewGuid().ToString("N")[..8];
        var clientId = "metrics-producer-" + Guid.NewGuid().ToString("N")[..8];
        await ProducerTestSupport.CreateTopicAsync(_broker.BootstrapServers, topic, 2);
        using var collector = new MetricsCollector();

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var producer = new KafkaProducer(ProducerTestSupport.Config(_broker.BootstrapServers, ("client.id", clientId), ("linger.ms", "5")));
        await using (producer)
        {
            Assert.Equal(clientId, producer.ClientId);
            await ProduceAsync(producer, topic, N, ValueSize);
            var s = collector.Collect(clientId);
            var lived = watch.Elapsed.TotalSeconds;

            // Rates beside the totals: a client younger than Apache's two 30 s windows counts the first as full.
            Assert.InRange(s.Value(P + "record_send_rate"), N / (30 + lived), N / 30.0);
            Assert.InRange(s.Value(T + "record_send_rate", ("topic", topic)), N / (30 + lived), N / 30.0);
            Assert.InRange(s.Value(T + "byte_rate", ("topic", topic)), s.Value(T + "byte_total", ("topic", topic)) / (30 + lived),
                s.Value(T + "byte_total", ("topic", topic)) / 30.0);
            Assert.Equal(0, s.Value(P + "record_error_rate"));
            Assert.True(s.Value(P + "outgoing_byte_rate") > 0);

            Assert.Equal(N, s.Value(P + "record_send_total"));
            Assert.Equal(N, s.Value(T + "record_send_total", ("topic", topic)));
            Assert.Equal(0, s.Value(P + "record_error_total"));
            Assert.Equal(0, s.Value(P + "record_retry_total"));
            Assert.Equal(0, s.Value(T + "record_error_total", ("topic", topic)));
            Assert.Equal(0, s.Value(T + "record_retry_total", ("topic", topic)));
            // Encoded batches: the values plus a few bytes of framing per record and a 61-byte header per batch.
            var bytes = s.Value(T + "byte_total", ("topic", topic));
            Assert.InRange(bytes, N * ValueSize, N * (ValueSize + 40));
            // Everything sent crossed the wire, with request headers on top.
            Assert.InRange(s.Value(P + "outgoing_byte_total"), bytes, bytes + 1_000_000);
            var requests = s.Value(P + "request_total");
            Assert.True(requests >= 1, $"request_total {requests}");
            Assert.True(s.Value(P + "response_total") >= 1);
            Assert.True(s.Value(P + "incoming_byte_total") > 0);
            // The bootstrap connection and the one to the partitions' leader (the same broker, by its node id).
            Assert.InRange(s.Value(P + "connection_count"), 1, 2);
            Assert.InRange(s.Value(P + "batch_size_avg"), ValueSize, 1024 * 1024);
            Assert.InRange(s.Value(P + "batch_size_max"), s.Value(P + "batch_size_avg"), 1024 * 1024);
            // The record size estimate is an upper bound: value plus at most 36 bytes of varints and attributes.
            Assert.InRange(s.Value(P + "record_size_max"), ValueSize, ValueSize + 36);
            Assert.InRange(s.Value(P + "records_per_request_avg"), 1, N);
            Assert.True(s.Value(P + "request_latency_max") >= s.Value(P + "request_latency_avg"));
            Assert.True(s.Value(P + "record_queue_time_avg") >= 0);
            Assert.Equal(0, s.Value(P + "produce_throttle_time_avg"));
            Assert.Equal(32L * 1024 * 1024, s.Value(P + "buffer_total_bytes"));
            Assert.Equal(32L * 1024 * 1024, s.Value(P + "buffer_available_bytes"));
            Assert.InRange(s.Value(P + "requests_in_flight"), 0, 5);

            // Counters are counters (Prometheus _total), everything else gauges, and labels come sorted by name.
            Assert.All(s, x => Assert.Equal(x.Name.EndsWith("_total", StringComparison.Ordinal), x.IsCounter));
            Assert.Equal(["client_id", "topic"], s.First(x => x.Name == T + "byte_total").Labels.Select(l => l.Key));
        }

        var after = collector.Collect();
        Assert.DoesNotContain(after, x => x.Label("client_id") == clientId);
    }

    [Fact]
    public async Task Two_producers_keep_separate_figures()
    {
        var topic = "metrics-two-" + Guid.NewGuid().ToString("N")[..8];
        await ProducerTestSupport.CreateTopicAsync(_broker.BootstrapServers, topic, 1);
        using var collector = new MetricsCollector();
        var first = "metrics-first-" + Guid.NewGuid().ToString("N")[..8];
        var second = "metrics-second-" + Guid.NewGuid().ToString("N")[..8];
        await using var a = new KafkaProducer(ProducerTestSupport.Config(_broker.BootstrapServers, ("client.id", first)));
        await using var b = new KafkaProducer(ProducerTestSupport.Config(_broker.BootstrapServers, ("client.id", second)));

        await ProduceAsync(a, topic, 10, 10);
        await ProduceAsync(b, topic, 25, 10);
        await ProduceAsync(a, topic, 5, 10);

        var all = collector.Collect();
        var sa = all.Where(x => x.Label("client_id") == first).ToList();
        var sb = all.Where(x => x.Label("client_id") == second).ToList();
        Assert.Equal(15, sa.Value(P + "record_send_total"));
        Assert.Equal(25, sb.Value(P + "record_send_total"));
        Assert.Equal(15, sa.Value(T + "record_send_total", ("topic", topic)));
        Assert.Equal(25, sb.Value(T + "record_send_total", ("topic", topic)));
        Assert.True(sa.Value(T + "byte_total", ("topic", topic)) < sb.Value(T + "byte_total", ("topic", topic)) + 200);

        await b.DisposeAsync();
        var left = collector.Collect();
        Assert.DoesNotContain(left, x => x.Label("client_id") == second);
        Assert.Equal(15, left.Where(x => x.Label("client_id") == first).ToList().Value(P + "record_send_total"));
    }

    [Fact]
    public async Task A_failed_send_counts_as_a_record_error()
    {
        var topic = "metrics-error-" + Guid.NewGuid().ToString("N")[..8];
        await ProducerTestSupport.CreateTopicAsync(_broker.BootstrapServers, topic, 1);
        using var collector = new MetricsCollector();
        var clientId = "metrics-error-" + Guid.NewGuid().ToString("N")[..8];
        // The broker refuses a batch above its message.max.bytes (1 MiB by default): the records fail, not retried.
        await using var producer = new KafkaProducer(ProducerTestSupport.Config(_broker.BootstrapServers, ("client.id", clientId),
            ("max.request.size", "4000000"), ("batch.size", "4000000"), ("compression.type", "none")));
        var big = new byte[1_500_000];
        await Assert.ThrowsAnyAsync<Exception>(() => producer.ProduceAsync(new ProducerRecord(topic, null, big)));

        var s = collector.Collect(clientId);
        Assert.Equal(1, s.Value(P + "record_error_total"));
        Assert.Equal(1, s.Value(T + "record_error_total", ("topic", topic)));
    }
}
