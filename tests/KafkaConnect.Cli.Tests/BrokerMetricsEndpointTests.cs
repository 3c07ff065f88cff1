using System.Globalization;

namespace KafkaConnect.Cli.Tests;

/// <summary>
/// <c>kconnect broker</c> with kconnect.metrics.listener serves GET /metrics in Prometheus text: what kcat produced
/// is there under the JMX exporter's name. A value that is no http URL stops the start, naming the key.
/// </summary>
public sealed class BrokerMetricsEndpointTests : IDisposable
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);
    private readonly string _dir = Directory.CreateTempSubdirectory("kconnect-broker-metrics-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Metrics_of_the_standalone_broker_are_served_in_prometheus_text()
    {
        const int N = 17;
        Assert.True(File.Exists("/usr/bin/kcat"), "kcat is not installed at /usr/bin/kcat. Install it with: apt-get install -y kcat");
        var bootstrap = $"127.0.0.1:{PackagingTests.FreePort()}";
        var metricsUrl = $"http://127.0.0.1:{PackagingTests.FreePort()}";
        await using var broker = Run.Start(PackagingTests.Dotnet,
            [PackagingTests.Kconnect, "broker", "--listen", bootstrap, "--data-dir", Path.Combine(_dir, "data"),
                "--config", $"kconnect.metrics.listener={metricsUrl}"], _dir);
        await WaitForAsync(() => broker.Output.Contains("kconnect broker metrics at " + metricsUrl + "/metrics", StringComparison.Ordinal), broker);

        var records = Path.Combine(_dir, "records.txt");
        await File.WriteAllLinesAsync(records, Enumerable.Range(0, N).Select(i => "r" + i.ToString(CultureInfo.InvariantCulture)));
        var produce = await Run.CompleteAsync("/usr/bin/kcat", ["-P", "-b", bootstrap, "-t", "t", "-p", "0", "-l", records], _dir, s_wait);
        Assert.True(produce.ExitCode == 0, produce.Output);

        using var http = new HttpClient { Timeout = s_wait };
        using var response = await http.GetAsync(new Uri(metricsUrl + "/metrics"));
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}");
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n');
        Assert.Contains($"kafka_server_brokertopicmetrics_messagesin_total{{topic=\"t\"}} {N}", lines);
        Assert.Contains("kafka_log_log_logendoffset{partition=\"0\",topic=\"t\"} " + N, lines);
        Assert.Contains(lines, l => l.StartsWith("kafka_network_requestmetrics_requests_total{request=\"Produce\",version=\"", StringComparison.Ordinal));
        Assert.Contains("# TYPE kafka_server_brokertopicmetrics_messagesin_total counter", lines);
        // The key is the broker's own, not one it warns about ignoring.
        Assert.DoesNotContain("ignoring setting", broker.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:9404")]
    [InlineData("https://127.0.0.1:9404")]
    public async Task A_listener_that_is_no_http_url_stops_the_start_naming_the_key(string value)
    {
        var run = await Run.CompleteAsync(PackagingTests.Dotnet,
            [PackagingTests.Kconnect, "broker", "--listen", "127.0.0.1:0", "--data-dir", Path.Combine(_dir, "data"),
                "--config", "kconnect.metrics.listener=" + value], _dir, s_wait);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"kconnect: kconnect.metrics.listener: expected an http URL", run.Output, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("listening on", run.Output, StringComparison.Ordinal);
    }

    private static async Task WaitForAsync(Func<bool> condition, Run process)
    {
        var deadline = DateTime.UtcNow + s_wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "kconnect broker did not start serving metrics:\n" + process.Output);
            await Task.Delay(100);
        }
    }
}
