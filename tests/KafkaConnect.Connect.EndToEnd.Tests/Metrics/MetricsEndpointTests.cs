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
            topic=metrics-lines
            """);
        var sink = _worker.WriteFile("sink.properties", $"""
            name={Sink}
            connector.class=org.apache.kafka.connect.file.FileStreamSinkConnector
            tasks.max=1
            file={_worker.PathOf("output.txt")}
            topics=metrics-lines
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
            double? value = null;
            await Eventually.WaitAsync(async () => (value = await prometheus.QueryAsync(query)) == Lines, TimeSpan.FromSeconds(60),
                () => $"Prometheus has {query} = {value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no series"}, expected {Lines}; "
                    + $"targets: {prometheus.TargetsAsync().GetAwaiter().GetResult()}{Environment.NewLine}{prometheus.Tail()}");
            output.WriteLine($"{query} = {value}");
        }
        Assert.Equal(2, await prometheus.QueryAsync("kafka_connect_connect_worker_metrics_task_count"));
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
