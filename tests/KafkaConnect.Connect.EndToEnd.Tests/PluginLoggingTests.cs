using System.Net;
using System.Text;
using System.Text.Json;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests;

/// <summary>Plugins log through the worker, with Apache's connector context, and a task's failure cause is never silent.</summary>
public sealed class PluginLoggingTests(ITestOutputHelper output)
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task PluginLinesCarryTheirConnectorContext_AndATasksFailureCauseReachesTheLogAndTheStatusTrace()
    {
        await using var worker = new WorkerProcess(output);
        await worker.StartAsync(worker.ClassicWorkerFile());

        // A source whose file does not exist yet: the plugin itself logs a warning from its task.
        var missing = worker.PathOf("not-yet.txt");
        using (var created = await worker.Http.PostAsync("/connectors", Json(
            $$$"""{"name":"waiting-source","config":{"connector.class":"FileStreamSource","file":"{{{missing}}}","topic":"logs-a"}}""")))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        // A sink that cannot open its file: the task fails.
        var unwritable = Path.Combine(worker.PathOf("no-such-dir"), "out.txt");
        using (var created = await worker.Http.PostAsync("/connectors", Json(
            $$$"""{"name":"bad-sink","config":{"connector.class":"FileStreamSink","file":"{{{unwritable}}}","topics":"logs-b"}}""")))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        string trace = "";
        await Eventually.WaitAsync(async () =>
        {
            using var response = await worker.Http.GetAsync("/connectors/bad-sink/tasks/0/status");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            if (doc.RootElement.GetProperty("state").GetString() != "FAILED")
            {
                return false;
            }
            trace = doc.RootElement.GetProperty("trace").GetString() ?? "";
            return true;
        }, TimeSpan.FromSeconds(30), () => "bad-sink task 0 never FAILED:\n" + worker.Current.Tail(40));
        output.WriteLine("trace: " + trace);
        Assert.Contains("Couldn't find or create file", trace, StringComparison.Ordinal);
        Assert.Contains("DirectoryNotFoundException", trace, StringComparison.Ordinal); // the cause, not only the wrapper

        await Eventually.WaitAsync(() => Task.FromResult(worker.Current.Output.Contains("waiting for it to be created", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), () => "the source task's own warning never reached the log:\n" + worker.Current.Tail(40));
        var lines = worker.Current.Output.Split('\n');
        var sourceWarning = lines.First(l => l.Contains("waiting for it to be created", StringComparison.Ordinal));
        output.WriteLine(sourceWarning);
        Assert.Contains("[waiting-source|task-0]", sourceWarning, StringComparison.Ordinal);
        Assert.Contains("FileStreamSourceTask", sourceWarning, StringComparison.Ordinal);

        var failure = lines.FirstOrDefault(l => l.Contains("[bad-sink|task-0]", StringComparison.Ordinal)
            && l.Contains("Couldn't find or create file", StringComparison.Ordinal));
        Assert.True(failure is not null, "no log line names bad-sink's task and its failure:\n" + worker.Current.Tail(40));
        Assert.Contains("DirectoryNotFoundException", failure, StringComparison.Ordinal);

        var connectorLine = lines.FirstOrDefault(l => l.Contains("Starting file sink connector", StringComparison.Ordinal));
        Assert.True(connectorLine is not null, "the sink connector's own start line never reached the log:\n" + worker.Current.Tail(40));
        Assert.Contains("[bad-sink|worker]", connectorLine, StringComparison.Ordinal);
        await worker.StopAsync();
    }
}
