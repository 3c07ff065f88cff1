using System.Net;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests.Metrics;

/// <summary>
/// kconnect standalone runs the FileStream source → topic → sink pipeline; GET /metrics serves Apache's Connect metrics
/// under the JMX exporter's names, and a real Prometheus server scraping it stores counters equal to the lines moved.
/// </summary>
public sealed class MetricsEndpointTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Lines = 2000;
    private const string Source = "metrics-source";
    private const string Sink = "metrics-sink";
    private const string Topic = "metrics-lines";
    private readonly WorkerProcess _worker = new(output);

    public async Task InitializeAsync()
    {
        var input = _worker.PathOf("input.txt");
        File.WriteAllLines(input, Enumerable.Range(0, Lines).Select(i => $"line {i}"));
        var source = _worker.WriteFile("source.properties", $"""
            name={Source}
            connector.class=org.apache.kafka.connect.file.FileStreamSourceConnector
            tasks.max=1
            file={input}
            topic={Topic}
            """);
        var sink = _worker.WriteFile("sink.properties", $"""
            name={Sink}
            connector.class=org.apache.kafka.connect.file.FileStreamSinkConnector
            tasks.max=1
            file={_worker.PathOf("output.txt")}
            topics={Topic}
            """);
        await _worker.StartAsync(_worker.ClassicWorkerFile(offsetFlushMs: 500), source, sink);
        await Eventually.WaitAsync(() => Task.FromResult(SinkLineCount() == Lines), TimeSpan.FromSeconds(60),
            () => $"the sink wrote {SinkLineCount()} of {Lines} lines:{Environment.NewLine}{_worker.Current.Tail(60)}");
    }

    public async Task DisposeAsync() => await _worker.DisposeAsync();

    [Fact]
    public async Task GetMetrics_ServesApacheNamedSeries_WithTheLinesMoved()
    {
        string text = "";
        // Source writes are counted when Kafka acknowledges them, which may trail the sink by a moment.
        await Eventually.WaitAsync(async () =>
        {
            text = await GetMetricsAsync();
            return text.Contains(Series("source_task_metrics_source_record_write_total", Source) + " " + Lines, StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(30), () => "write total never reached the line count:" + Environment.NewLine + text);
        output.WriteLine(text);

        Assert.Contains(Series("source_task_metrics_source_record_poll_total", Source) + " " + Lines, text, StringComparison.Ordinal);
        Assert.Contains(Series("sink_task_metrics_sink_record_read_total", Sink) + " " + Lines, text, StringComparison.Ordinal);
        Assert.Contains(Series("sink_task_metrics_sink_record_send_total", Sink) + " " + Lines, text, StringComparison.Ordinal);
        // Worker-wide series have no labels; the exporter writes them with an empty label set.
        Assert.Contains("kafka_connect_connect_worker_metrics_connector_count{} 2", text, StringComparison.Ordinal);
        Assert.Contains("kafka_connect_connect_worker_metrics_task_count{} 2", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE kafka_connect_source_task_metrics_source_record_poll_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE kafka_connect_task_error_metrics_total_record_errors gauge", text, StringComparison.Ordinal);
        Assert.Contains($"kafka_connect_connector_status{{connector=\"{Source}\",status=\"running\"}} 1", text, StringComparison.Ordinal);
        // The exporter sorts labels by name.
        Assert.Contains($"kafka_connect_connector_task_status{{connector=\"{Sink}\",status=\"running\",task=\"0\"}} 1", text, StringComparison.Ordinal);
        Assert.Contains(Series("sink_task_metrics_partition_count", Sink) + " 1", text, StringComparison.Ordinal);
        Assert.Contains(Series("task_error_metrics_total_record_errors", Source) + " 0", text, StringComparison.Ordinal);

        // connector-class, -type and -version as the JMX exporter rules for Connect's string attributes publish them;
        // the class is the Java name the config used, the version what the plugin listing reports.
        Assert.Contains($"kafka_connect_connector_connector_class{{connector=\"{Source}\",connector_class=\"org.apache.kafka.connect.file.FileStreamSourceConnector\"}} 1",
            text, StringComparison.Ordinal);
        Assert.Contains($"kafka_connect_connector_connector_type{{connector=\"{Sink}\",connector_type=\"sink\"}} 1", text, StringComparison.Ordinal);
        Assert.Contains($"kafka_connect_connector_connector_type{{connector=\"{Source}\",connector_type=\"source\"}} 1", text, StringComparison.Ordinal);
        using var http = new HttpClient();
        var plugins = System.Text.Json.Nodes.JsonNode.Parse(await http.GetStringAsync(new Uri(new Uri(_worker.RestUrl), "connector-plugins")))!.AsArray();
        var version = plugins.Single(p => (string?)p!["class"] == "org.apache.kafka.connect.file.FileStreamSinkConnector")!["version"]!.GetValue<string>();
        Assert.Contains($"kafka_connect_connector_connector_version{{connector=\"{Sink}\",connector_version=\"{version}\"}} 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prometheus_ScrapesTheWorker_AndItsCountersMatchTheLinesMoved()
    {
        await using var prometheus = await PrometheusServer.StartAsync(new Uri(_worker.RestUrl));
        var expected = new[]
        {
            Series("source_task_metrics_source_record_poll_total", Source),
            Series("source_task_metrics_source_record_write_total", Source),
            Series("sink_task_metrics_sink_record_read_total", Sink),
            Series("sink_task_metrics_sink_record_send_total", Sink),
        };
        foreach (var query in expected)
        {
            await ExpectAsync(prometheus, query, Lines);
        }
        Assert.Equal(2, await prometheus.QueryAsync("kafka_connect_connect_worker_metrics_task_count"));
    }

    [Fact]
    public async Task Prometheus_ScrapesTheTasksClientsAndTheEmbeddedBroker_AndTheyAgreeWithTheLinesMoved()
    {
        await using var prometheus = await PrometheusServer.StartAsync(new Uri(_worker.RestUrl));
        var expected = new[]
        {
            // The source task's producer (Apache's client id for it) and the sink task's consumer.
            $"kafka_producer_producer_metrics_record_send_total{{client_id=\"connector-producer-{Source}-0\"}}",
            $"kafka_producer_producer_topic_metrics_record_send_total{{client_id=\"connector-producer-{Source}-0\",topic=\"{Topic}\"}}",
            // topic="": the client-wide series, not the per-topic one of the same name.
            $"kafka_consumer_consumer_fetch_manager_metrics_records_consumed_total{{client_id=\"connector-consumer-{Sink}-0\",topic=\"\"}}",
            // The embedded broker: records in and, once the sink's offsets are committed, the group's end offset.
            $"kafka_server_brokertopicmetrics_messagesin_total{{topic=\"{Topic}\"}}",
            $"kafka_log_log_logendoffset{{partition=\"0\",topic=\"{Topic}\"}}",
            $"kafka_consumergroup_current_offset{{consumergroup=\"connect-{Sink}\",partition=\"0\",topic=\"{Topic}\"}}",
        };
        foreach (var query in expected)
        {
            await ExpectAsync(prometheus, query, Lines);
        }
        await ExpectAsync(prometheus, $"kafka_consumergroup_lag{{consumergroup=\"connect-{Sink}\",topic=\"{Topic}\"}}", 0);
        await ExpectAsync(prometheus, $"kafka_consumer_consumer_fetch_manager_metrics_records_lag{{client_id=\"connector-consumer-{Sink}-0\",topic=\"{Topic}\"}}", 0);
        // Bytes: what the producer sent is at least what the broker stored for the topic.
        var stored = await prometheus.QueryAsync($"kafka_log_log_size{{topic=\"{Topic}\"}}");
        Assert.True(stored > Lines * "line 0000".Length, $"log size {stored}");
        Assert.True(await prometheus.QueryAsync("sum(kafka_network_requestmetrics_requests_total{request=\"Produce\"})") >= 1);
    }

    private async Task ExpectAsync(PrometheusServer prometheus, string query, double expected)
    {
        double? value = null;
        await Eventually.WaitAsync(async () => (value = await prometheus.QueryAsync(query)) == expected, TimeSpan.FromSeconds(60),
            () => $"Prometheus has {query} = {value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no series"}, expected {expected}; "
                + $"targets: {prometheus.TargetsAsync().GetAwaiter().GetResult()}{Environment.NewLine}{prometheus.Tail()}");
        output.WriteLine($"{query} = {value}");
    }

    private static string Series(string name, string connector) => $"kafka_connect_{name}{{connector=\"{connector}\",task=\"0\"}}";

    private int SinkLineCount()
    {
        var path = _worker.PathOf("output.txt");
        try
        {
            return File.Exists(path) ? File.ReadAllLines(path).Length : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private async Task<string> GetMetricsAsync()
    {
        using var response = await _worker.Http.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
