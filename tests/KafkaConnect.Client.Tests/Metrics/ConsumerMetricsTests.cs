using System.Text;
using KafkaConnect.Client.Consumer;
using KafkaConnect.Client.Tests.Consumer;

namespace KafkaConnect.Client.Tests.Metrics;

public sealed class ConsumerMetricsTests : IClassFixture<BrokerFixture>
{
    private const string F = "kafka_consumer_consumer_fetch_manager_metrics_";
    private const string C = "kafka_consumer_consumer_coordinator_metrics_";
    private const string N = "kafka_consumer_consumer_metrics_";
    private const string Kcat = "/usr/bin/kcat";
    private readonly BrokerFixture _broker;

    public ConsumerMetricsTests(BrokerFixture broker) => _broker = broker;

    /// <summary>Writes <paramref name="count"/> keyed records with kcat (a real Kafka client, librdkafka) to the topic.</summary>
    private async Task ProduceWithKcatAsync(string topic, int count, int valueSize)
    {
        Assert.True(File.Exists(Kcat), $"{Kcat} is missing: these tests read records written by kcat (apt-get install kcat).");
        var lines = new StringBuilder();
        for (var i = 0; i < count; i++) lines.Append("key-").Append(i).Append(':').Append(new string('v', valueSize)).Append('\n');
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, lines.ToString());
        try
        {
            var (code, _, err) = await ConsumerTestKit.RunAsync(Kcat, $"-b {_broker.BootstrapServers} -P -t {topic} -K : -X linger.ms=5 -l {file}");
            Assert.True(code == 0, err);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static double LagSum(List<Sample> s, string topicLabel) =>
        s.Where(x => x.Name == F + "records_lag" && x.Label("topic") == topicLabel).Sum(x => x.Value);

    [Fact]
    public async Task A_group_consumer_counts_consumed_records_lag_commits_and_rebalances_and_disappears_when_closed()
    {
        const int Count = 600, ValueSize = 50, Partitions = 3, MaxPoll = 100;
        var topic = "metrics.consume." + Guid.NewGuid().ToString("N")[..8];
        // Apache's consumer writes the topic label with dots as underscores.
        var topicLabel = topic.Replace('.', '_');
        var clientId = "metrics-consumer-" + Guid.NewGuid().ToString("N")[..8];
        await ConsumerTestKit.CreateTopicAsync(_broker, topic, Partitions);
        await ProduceWithKcatAsync(topic, Count, ValueSize);
        using var collector = new MetricsCollector();

        var consumer = new KafkaConsumer(ConsumerTestKit.Config(_broker, "metrics-group-" + Guid.NewGuid().ToString("N")[..8],
            ("client.id", clientId), ("max.poll.records", MaxPoll.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("enable.auto.commit", "false")));
        await using (consumer)
        {
            consumer.Subscribe([topic]);
            var consumed = new List<ConsumeResult>();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (consumed.Count == 0 && DateTime.UtcNow < deadline) consumed.AddRange(await consumer.PollAsync(TimeSpan.FromMilliseconds(200)));
            Assert.InRange(consumed.Count, 1, MaxPoll);

            // Part way: each partition's lag is its end offset minus the position, together what was not yet consumed.
            var s = collector.Collect(clientId);
            Assert.Equal(consumed.Count, s.Value(F + "records_consumed_total"));
            Assert.Equal(consumed.Count, s.Value(F + "records_consumed_total", ("topic", topicLabel)));
            Assert.Equal(Count - consumed.Count, LagSum(s, topicLabel));
            Assert.Equal(Partitions, s.Count(x => x.Name == F + "records_lag"));
            Assert.Equal(s.Where(x => x.Name == F + "records_lag").Max(x => x.Value), s.Value(F + "records_lag_max"));
            Assert.Equal(["client_id", "partition", "topic"], s.First(x => x.Name == F + "records_lag").Labels.Select(l => l.Key));
            Assert.Equal(Partitions, s.Value(C + "assigned_partitions"));

            consumed.AddRange(await ConsumerTestKit.ConsumeAsync(consumer, Count - consumed.Count));
            Assert.Equal(Count, consumed.Count);
            await consumer.CommitAsync();

            s = collector.Collect(clientId);
            Assert.Equal(Count, s.Value(F + "records_consumed_total"));
            Assert.Equal(Count, s.Value(F + "records_consumed_total", ("topic", topicLabel)));
            Assert.Equal(0, LagSum(s, topicLabel));
            Assert.Equal(0, s.Value(F + "records_lag_max"));
            // Lead: the position's distance from the log start (0 here), so all the partitions' leads add up to the records.
            Assert.Equal(Count, s.Where(x => x.Name == F + "records_lead").Sum(x => x.Value));
            for (var p = 0; p < Partitions; p++)
            {
                var partition = p.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var end = consumed.Count(r => r.Partition == p);
                Assert.Equal(0, s.Value(F + "records_lag", ("partition", partition), ("topic", topicLabel)));
                Assert.Equal(end, s.Value(F + "records_lead", ("partition", partition), ("topic", topicLabel)));
            }
            // The record batches as fetched: the values plus keys and framing, not more than a few times the values.
            var bytes = s.Value(F + "bytes_consumed_total");
            Assert.InRange(bytes, Count * ValueSize, Count * (ValueSize + 60));
            Assert.Equal(bytes, s.Value(F + "bytes_consumed_total", ("topic", topicLabel)));
            var fetches = s.Value(F + "fetch_total");
            Assert.True(fetches >= 1, $"fetch_total {fetches}");
            Assert.True(s.Value(F + "fetch_latency_max") >= s.Value(F + "fetch_latency_avg"));
            Assert.InRange(s.Value(F + "records_per_request_avg"), 0, Count);
            Assert.True(s.Value(C + "commit_total") >= 1);
            Assert.True(s.Value(C + "commit_latency_avg") >= 0);
            Assert.True(s.Value(C + "join_total") >= 1);
            Assert.True(s.Value(C + "sync_total") >= 1);
            Assert.True(s.Value(C + "rebalance_total") >= 1);
            Assert.Equal(0, s.Value(C + "failed_rebalance_total"));
            // The windowed rates beside the totals (the consumer lived far less than a minute: at least 30 s counted).
            Assert.InRange(s.Value(F + "records_consumed_rate"), Count / 90.0, Count / 30.0);
            Assert.InRange(s.Value(F + "records_consumed_rate", ("topic", topicLabel)), Count / 90.0, Count / 30.0);
            Assert.InRange(s.Value(C + "rebalance_rate_per_hour"), 3600 / 90.0, 3600 * s.Value(C + "rebalance_total") / 30.0);
            Assert.Equal(0, s.Value(C + "failed_rebalance_rate_per_hour"));
            Assert.InRange(s.Value(C + "last_rebalance_seconds_ago"), 0, 60);
            Assert.Equal(Partitions, s.Value(C + "assigned_partitions"));
            // The network: fetches, commits and group requests all went out; fetched bytes came in.
            Assert.True(s.Value(N + "request_total") >= fetches + 3);
            Assert.True(s.Value(N + "response_total") >= fetches + 3);
            Assert.True(s.Value(N + "incoming_byte_total") > bytes);
            Assert.True(s.Value(N + "outgoing_byte_total") > 0);
            Assert.InRange(s.Value(N + "connection_count"), 1, 4);

            // Heartbeats go every heartbeat.interval.ms (200 ms in these tests) once the member joined.
            var heartbeatDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (collector.Collect(clientId).Value(C + "heartbeat_total") < 1 && DateTime.UtcNow < heartbeatDeadline)
                await consumer.PollAsync(TimeSpan.FromMilliseconds(200));
            Assert.True(collector.Collect(clientId).Value(C + "heartbeat_total") >= 1);
        }

        Assert.DoesNotContain(collector.Collect(), x => x.Label("client_id") == clientId);
    }

    [Fact]
    public async Task Lag_part_way_through_one_partition_is_the_records_not_yet_polled()
    {
        const int Count = 250, MaxPoll = 40;
        var topic = "metrics-lag-" + Guid.NewGuid().ToString("N")[..8];
        var clientId = "metrics-lag-" + Guid.NewGuid().ToString("N")[..8];
        await ConsumerTestKit.CreateTopicAsync(_broker, topic, 1);
        await ProduceWithKcatAsync(topic, Count, 20);
        using var collector = new MetricsCollector();
        await using var consumer = new KafkaConsumer(ConsumerTestKit.Config(_broker, "metrics-lag-group-" + Guid.NewGuid().ToString("N")[..8],
            ("client.id", clientId), ("max.poll.records", MaxPoll.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        consumer.Subscribe([topic]);
        var consumed = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (consumed < 3 * MaxPoll && DateTime.UtcNow < deadline)
        {
            consumed += (await consumer.PollAsync(TimeSpan.FromMilliseconds(200))).Count;
            if (consumed == 0) continue;
            var s = collector.Collect(clientId);
            Assert.Equal(consumed, s.Value(F + "records_consumed_total"));
            Assert.Equal(Count - consumed, s.Value(F + "records_lag", ("partition", "0"), ("topic", topic)));
            Assert.Equal(Count - consumed, s.Value(F + "records_lag_max"));
            Assert.Equal(consumed, s.Value(F + "records_lead", ("partition", "0"), ("topic", topic)));
        }
        Assert.Equal(3 * MaxPoll, consumed);
    }
}
