using System.Net;
using KafkaConnect.Connect.Rest;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Metrics;
using static KafkaConnect.Connect.Runtime.Tests.Metrics.MetricsCollector;

namespace KafkaConnect.Connect.Runtime.Tests.Metrics;

/// <summary>The FileStream source → topic → sink pipeline counts every line once in each task's Apache-named counters.</summary>
public sealed class PipelineMetricsTests : IClassFixture<BrokerFixture>, IDisposable
{
    private const int Lines = 250;
    private readonly BrokerFixture _broker;
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("kc-metrics-");
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    public PipelineMetricsTests(BrokerFixture broker) => _broker = broker;

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task FilePipeline_CountersMatchTheLinesMoved_AndGetMetricsServesThem()
    {
        var (source, sink, output) = WriteInput();
        await using var herder = Harness.NewHerder(_broker.BootstrapServers, Path.Combine(_dir.FullName, "offsets"));
        var metrics = Assert.IsType<ConnectMetrics>(herder.Worker.Metrics);
        await StartPipelineAsync(herder, source, sink);
        string Series(string group, string name, string connector) => ConnectMetrics.PrometheusName(group, name) + Task(connector);
        var pollTotal = Series(ConnectMetrics.SourceTaskGroup, "source-record-poll-total", source["name"]);
        var writeTotal = Series(ConnectMetrics.SourceTaskGroup, "source-record-write-total", source["name"]);
        var readTotal = Series(ConnectMetrics.SinkTaskGroup, "sink-record-read-total", sink["name"]);
        var sendTotal = Series(ConnectMetrics.SinkTaskGroup, "sink-record-send-total", sink["name"]);
        await Harness.WaitUntilAsync(() => File.Exists(output) && File.ReadAllLines(output).Length == Lines
            && Collect(metrics) is var v && v.GetValueOrDefault(writeTotal) == Lines && v.GetValueOrDefault(sendTotal) == Lines);

        var values = Collect(metrics);
        Assert.Equal(Lines, values[pollTotal]);
        Assert.Equal(Lines, values[readTotal]);
        Assert.Equal(2, values["kafka_connect_connect_worker_metrics_connector_count"]);
        Assert.Equal(2, values["kafka_connect_connect_worker_metrics_task_count"]);
        Assert.Equal(1, values[$"kafka_connect_connector_task_status{{connector=\"{sink["name"]}\",task=\"0\",status=\"running\"}}"]);
        Assert.Equal(1, values[Series(ConnectMetrics.SinkTaskGroup, "partition-count", sink["name"])]);
        Assert.Equal(0, values[Series(ConnectMetrics.SourceTaskGroup, "source-record-active-count", source["name"])]);
        // Delivered lines counted as active until their offsets were committed; once committed, none are.
        var sinkActive = Series(ConnectMetrics.SinkTaskGroup, "sink-record-active-count", sink["name"]);
        await Harness.WaitUntilAsync(() => Collect(metrics).GetValueOrDefault(sinkActive, -1) == 0);
        var afterCommit = Collect(metrics);
        Assert.InRange(afterCommit[Series(ConnectMetrics.SinkTaskGroup, "sink-record-active-count-max", sink["name"])], 1, Lines);
        Assert.True(afterCommit[Series(ConnectMetrics.SinkTaskGroup, "sink-record-active-count-avg", sink["name"])] > 0);

        await using var rest = new ConnectRestServer();
        await rest.StartAsync(herder, new RestServerOptions { Listeners = ["http://127.0.0.1:0"], MetricsEnabled = true });
        using var http = new HttpClient { BaseAddress = rest.Addresses[0] };
        using var response = await http.GetAsync(new Uri("/metrics", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains($"kafka_connect_source_task_metrics_source_record_poll_total{{connector=\"{source["name"]}\",task=\"0\"}} {Lines}", text, StringComparison.Ordinal);
        Assert.Contains($"kafka_connect_sink_task_metrics_sink_record_send_total{{connector=\"{sink["name"]}\",task=\"0\"}} {Lines}", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE kafka_connect_source_task_metrics_source_record_poll_total counter", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MetricsOff_RecordsNothing_AndServesNoMetricsEndpoint()
    {
        var (source, sink, output) = WriteInput();
        var off = new Dictionary<string, string> { [ConnectMetrics.EnableConfig] = "false" };
        await using var herder = Harness.NewHerder(_broker.BootstrapServers, Path.Combine(_dir.FullName, "offsets"), off);
        Assert.Null(herder.Worker.Metrics);
        await StartPipelineAsync(herder, source, sink);
        await Harness.WaitUntilAsync(() => File.Exists(output) && File.ReadAllLines(output).Length == Lines);

        await using var rest = new ConnectRestServer();
        await rest.StartAsync(herder, RestServerOptions.FromWorkerConfig(off) with { Listeners = ["http://127.0.0.1:0"] });
        using var http = new HttpClient { BaseAddress = rest.Addresses[0] };
        using var response = await http.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private (Dictionary<string, string> Source, Dictionary<string, string> Sink, string Output) WriteInput()
    {
        var input = Path.Combine(_dir.FullName, "in.txt");
        var output = Path.Combine(_dir.FullName, "out.txt");
        File.WriteAllLines(input, Enumerable.Range(0, Lines).Select(i => "line-" + i));
        var topic = "metrics-" + _id;
        var source = new Dictionary<string, string>
        {
            ["name"] = "msrc-" + _id, ["connector.class"] = "FileStreamSourceConnector", ["tasks.max"] = "1", ["file"] = input, ["topic"] = topic,
        };
        var sink = new Dictionary<string, string>
        {
            ["name"] = "msnk-" + _id, ["connector.class"] = "FileStreamSinkConnector", ["tasks.max"] = "1", ["file"] = output, ["topics"] = topic,
        };
        return (source, sink, output);
    }

    private static async Task StartPipelineAsync(StandaloneHerder herder, Dictionary<string, string> source, Dictionary<string, string> sink)
    {
        await herder.PutConnectorConfigAsync(source["name"], source, allowReplace: false);
        await herder.PutConnectorConfigAsync(sink["name"], sink, allowReplace: false);
    }
}
