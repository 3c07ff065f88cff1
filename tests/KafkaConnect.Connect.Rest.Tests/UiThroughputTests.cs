using System.Net;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Metrics;
using KafkaConnect.Connect.Runtime.Worker;

namespace KafkaConnect.Connect.Rest.Tests;

/// <summary>The UI's record counters per connector: the same source-write and sink-send counters /metrics serves, summed over tasks.</summary>
public sealed class UiThroughputTests : RestTestBase
{
    private readonly ConnectMetrics _metrics = new(new StatusStore("worker-ui"));
    private readonly string _source = "ui-src-" + Guid.NewGuid().ToString("N")[..6];
    private readonly string _sink = "ui-sink-" + Guid.NewGuid().ToString("N")[..6];

    protected override RestServerOptions Options => new() { Listeners = ["http://127.0.0.1:0"], LogLevels = Logs, MetricsEnabled = true, UiEnabled = true };

    [Fact]
    public async Task Records_written_and_sent_are_summed_per_connector_as_metrics_counts_them()
    {
        try
        {
            var first = _metrics.AddTask(new ConnectorTaskId(_source, 0), isSource: true);
            var second = _metrics.AddTask(new ConnectorTaskId(_source, 1), isSource: true);
            var sink = _metrics.AddTask(new ConnectorTaskId(_sink, 0), isSource: false);
            for (var i = 0; i < 3; i++) first.RecordWrite();
            second.RecordWrite();
            sink.RecordPut(5, 1);
            sink.RecordPut(2, 1);

            var (status, json) = await Get("/ui/api/throughput");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(4, json.GetProperty(_source).GetDouble());
            Assert.Equal(7, json.GetProperty(_sink).GetDouble());

            // The same numbers as the /metrics exposition, summed over the tasks.
            var text = await Client.GetStringAsync("/metrics");
            Assert.Contains($"kafka_connect_source_task_metrics_source_record_write_total{{connector=\"{_source}\",task=\"0\"}} 3", text, StringComparison.Ordinal);
            Assert.Contains($"kafka_connect_sink_task_metrics_sink_record_send_total{{connector=\"{_sink}\",task=\"0\"}} 7", text, StringComparison.Ordinal);
        }
        finally
        {
            _metrics.Dispose();
        }
    }
}

/// <summary>With metrics off the endpoint says so, and the page leaves its Records/s column empty.</summary>
public sealed class UiThroughputWithoutMetricsTests : RestTestBase
{
    protected override RestServerOptions Options => new() { Listeners = ["http://127.0.0.1:0"], LogLevels = Logs, MetricsEnabled = false, UiEnabled = true };

    [Fact]
    public async Task Answers_404_naming_the_setting()
    {
        var (status, json) = await Get("/ui/api/throughput");
        Assert.Equal(HttpStatusCode.NotFound, status);
        AssertError(json, 404, "This worker keeps no metrics (kconnect.metrics.enable=false).");
    }
}
