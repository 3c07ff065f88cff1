using KafkaConnect.Broker.Configuration;

namespace KafkaConnect.Broker.Tests.Metrics;

/// <summary>
/// A real broker on 127.0.0.1 driven by kcat: what librdkafka produces, fetches and commits shows up in the series
/// Kafka dashboards read, and each broker's meter reports its own broker only.
/// </summary>
public sealed class BrokerMetricsTests : IAsyncLifetime
{
    private readonly List<(KafkaBroker Broker, string Dir)> _brokers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var (broker, dir) in _brokers)
        {
            await broker.DisposeAsync();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    private async Task<KafkaBroker> StartBrokerAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "kc-metrics-" + Guid.NewGuid().ToString("N"));
        var broker = await KafkaBroker.StartAsync(BrokerConfig.Create(new Dictionary<string, string>
        {
            ["log.dirs"] = dir,
            ["listeners"] = "PLAINTEXT://127.0.0.1:0",
            ["group.initial.rebalance.delay.ms"] = "0",
        }));
        _brokers.Add((broker, dir));
        return broker;
    }

    private static IEnumerable<string> Records(int n, string prefix) => Enumerable.Range(0, n).Select(i => $"{prefix}-{i:D4}");

    private static (string, string) Topic(string t) => ("topic", t);

    /// <summary>Requests of that name, all versions together.</summary>
    private static double Requests(MetricsSnapshot m, string request) =>
        m.Series("kafka_network_requestmetrics_requests_total").Where(s => s.Tags["request"] == request).Sum(s => s.Value);

    private static (string, string)[] Partition0(string t) => [("partition", "0"), ("topic", t)];

    [Fact]
    public async Task Produce_fetch_and_group_commits_by_kcat_show_in_the_kafka_series()
    {
        const int N = 60;
        const string T = "metrics-orders";
        var broker = await StartBrokerAsync();
        var bootstrap = broker.BootstrapServers;

        await Kcat.ProduceAsync(bootstrap, T, Records(N, "order"));
        var m = MetricsSnapshot.Collect(broker.Metrics.Meter);

        Assert.Equal(N, m.Value("kafka_server_brokertopicmetrics_messagesin_total", Topic(T)));
        Assert.Equal(N, m.Value("kafka_server_brokertopicmetrics_messagesin_total"));
        Assert.True(m.IsCounter("kafka_server_brokertopicmetrics_messagesin_total"));
        // Bytes in are the record batches as appended, so they are the log: in the gauge and in the files.
        var bytesIn = m.Value("kafka_server_brokertopicmetrics_bytesin_total", Topic(T));
        var segmentFiles = Directory.GetFiles(Path.Combine(broker.Config.DataDirectory, T + "-0"), "*.log").Sum(f => new FileInfo(f).Length);
        Assert.True(bytesIn > N * "order-0000".Length, $"bytes in {bytesIn}");
        Assert.Equal(segmentFiles, bytesIn);
        Assert.Equal(bytesIn, m.Value("kafka_log_log_size", Partition0(T)));
        Assert.Equal(bytesIn, m.Value("kafka_server_brokertopicmetrics_bytesin_total"));
        Assert.Equal(N, m.Value("kafka_log_log_logendoffset", Partition0(T)));
        Assert.Equal(0, m.Value("kafka_log_log_logstartoffset", Partition0(T)));
        Assert.Equal(1, m.Value("kafka_log_log_numlogsegments", Partition0(T)));
        Assert.Equal(N, m.Value("kafka_topic_partition_current_offset", Partition0(T)));
        Assert.Equal(0, m.Value("kafka_topic_partition_oldest_offset", Partition0(T)));
        Assert.Equal(0, m.Value("kafka_server_brokertopicmetrics_bytesout_total", Topic(T)));
        Assert.Equal(0, m.Value("kafka_server_brokertopicmetrics_failedproducerequests_total", Topic(T)));
        Assert.Equal(3, m.Value("kafka_server_kafkaserver_brokerstate"));

        // librdkafka sends one Produce per batch, each with this one partition: the request count by version is the
        // topic's produce request count, at versions this broker serves.
        var produces = m.Series("kafka_network_requestmetrics_requests_total").Where(s => s.Tags["request"] == "Produce").ToList();
        Assert.NotEmpty(produces);
        Assert.All(produces, s => Assert.InRange(int.Parse(s.Tags["version"], System.Globalization.CultureInfo.InvariantCulture), 3, 11));
        Assert.Equal(m.Value("kafka_server_brokertopicmetrics_totalproducerequests_total", Topic(T)), produces.Sum(s => s.Value));
        Assert.Equal(produces.Sum(s => s.Value), m.Value("kafka_network_requestmetrics_totaltimems_count", ("request", "Produce")));
        Assert.True(m.Value("kafka_network_requestmetrics_totaltimems_sum", ("request", "Produce")) > 0);
        Assert.True(Requests(m, "Metadata") >= 1);

        // A plain consumer reads every batch once: bytes out are the bytes in.
        Assert.Equal(N, (await Kcat.ConsumeAsync(bootstrap, T)).Length);
        m = MetricsSnapshot.Collect(broker.Metrics.Meter);
        Assert.Equal(bytesIn, m.Value("kafka_server_brokertopicmetrics_bytesout_total", Topic(T)));
        Assert.Equal(bytesIn, m.Value("kafka_server_brokertopicmetrics_bytesout_total"));
        var fetches = m.Series("kafka_network_requestmetrics_requests_total").Where(s => s.Tags["request"] == "Fetch").ToList();
        Assert.NotEmpty(fetches);
        Assert.All(fetches, s => Assert.InRange(int.Parse(s.Tags["version"], System.Globalization.CultureInfo.InvariantCulture), 4, 12));
        var topicFetches = m.Value("kafka_server_brokertopicmetrics_totalfetchrequests_total", Topic(T));
        Assert.InRange(topicFetches, 1, fetches.Sum(s => s.Value));
        Assert.Equal(0, m.Value("kafka_server_brokertopicmetrics_failedfetchrequests_total", Topic(T)));
        Assert.Empty(m.Series("kafka_consumergroup_lag"));

        // A group that committed part of the topic lags by the rest; once it committed everything, by nothing.
        const int Part = 25;
        Assert.Equal(Part, (await Kcat.ConsumeInGroupAsync(bootstrap, "billing", T, count: Part)).Length);
        m = MetricsSnapshot.Collect(broker.Metrics.Meter);
        (string, string)[] groupLabels = [("consumergroup", "billing"), ("partition", "0"), ("topic", T)];
        Assert.Equal(Part, m.Value("kafka_consumergroup_current_offset", groupLabels));
        Assert.Equal(N - Part, m.Value("kafka_consumergroup_lag", groupLabels));

        Assert.Equal(N - Part, (await Kcat.ConsumeInGroupAsync(bootstrap, "billing", T)).Length);
        m = MetricsSnapshot.Collect(broker.Metrics.Meter);
        Assert.Equal(N, m.Value("kafka_consumergroup_current_offset", groupLabels));
        Assert.Equal(0, m.Value("kafka_consumergroup_lag", groupLabels));
        Assert.True(Requests(m, "OffsetCommit") >= 2);
    }

    [Fact]
    public async Task Two_brokers_in_one_process_each_report_their_own_figures()
    {
        var a = await StartBrokerAsync();
        var b = await StartBrokerAsync();
        await Kcat.ProduceAsync(a.BootstrapServers, "only-on-a", Records(3, "a"));
        await Kcat.ProduceAsync(b.BootstrapServers, "only-on-b", Records(7, "b"));
        await Kcat.ConsumeAsync(b.BootstrapServers, "only-on-b");

        var ma = MetricsSnapshot.Collect(a.Metrics.Meter);
        var mb = MetricsSnapshot.Collect(b.Metrics.Meter);
        Assert.Equal(3, ma.Value("kafka_server_brokertopicmetrics_messagesin_total"));
        Assert.Equal(7, mb.Value("kafka_server_brokertopicmetrics_messagesin_total"));
        Assert.Equal(3, ma.Value("kafka_server_brokertopicmetrics_messagesin_total", Topic("only-on-a")));
        Assert.Null(ma.Find("kafka_server_brokertopicmetrics_messagesin_total", Topic("only-on-b")));
        Assert.Null(mb.Find("kafka_server_brokertopicmetrics_messagesin_total", Topic("only-on-a")));
        Assert.Equal(["only-on-a"], ma.Series("kafka_log_log_size").Select(s => s.Tags["topic"]));
        Assert.Equal(0, ma.Value("kafka_server_brokertopicmetrics_bytesout_total"));
        Assert.True(mb.Value("kafka_server_brokertopicmetrics_bytesout_total") > 0);
        Assert.Null(ma.Find("kafka_network_requestmetrics_totaltimems_count", ("request", "Fetch")));
        Assert.True(mb.Value("kafka_network_requestmetrics_totaltimems_count", ("request", "Fetch")) > 0);

        // Disposed with its broker: a's instruments are gone, b's still report.
        var meterA = a.Metrics.Meter;
        await a.DisposeAsync();
        Assert.Empty(MetricsSnapshot.Collect(meterA).Names);
        Assert.Equal(7, MetricsSnapshot.Collect(b.Metrics.Meter).Value("kafka_server_brokertopicmetrics_messagesin_total"));
    }
}
