using System.Diagnostics;
using System.Net;
using System.Text;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests;

/// <summary>Crash recovery, fail-fast start, start-up time and log levels of a real worker process.</summary>
public sealed class WorkerLifecycleTests(ITestOutputHelper output)
{
    private const string EnvelopePrefix = "{\"schema\":{\"type\":\"string\",\"optional\":false},\"payload\":\"";
    private const string EnvelopeSuffix = "\"}";

    [Fact]
    public async Task KillMinus9_WhileAFileSourceStreams_RestartLosesNothing()
    {
        const int Lines = 50_000;
        const int Chunk = 500;
        await using var worker = new WorkerProcess(output);
        var workerFile = worker.ClassicWorkerFile(offsetFlushMs: 1000);
        var input = worker.PathOf("stream.txt");
        await File.WriteAllTextAsync(input, "");
        var source = worker.WriteFile("stream-source.properties", $"""
            name=stream-source
            connector.class=FileStreamSource
            tasks.max=1
            file={input}
            topic=stream
            """);
        await worker.StartAsync(workerFile, source);
        await worker.WaitForStateAsync("stream-source", "RUNNING");

        // 50,000 numbered lines over about 3 seconds; the worker is killed when 40% are written.
        var written = 0;
        var killAt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writer = Task.Run(async () =>
        {
            await using var stream = new FileStream(input, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            var line = new StringBuilder();
            for (var i = 0; i < Lines; i += Chunk)
            {
                line.Clear();
                for (var n = i; n < i + Chunk; n++)
                {
                    line.Append("line-").Append(n.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
                }
                var bytes = Encoding.UTF8.GetBytes(line.ToString());
                await stream.WriteAsync(bytes);
                await stream.FlushAsync();
                Volatile.Write(ref written, i + Chunk);
                if (i + Chunk >= Lines * 2 / 5)
                {
                    killAt.TrySetResult();
                }
                await Task.Delay(30);
            }
        });
        await killAt.Task;
        await worker.KillAsync();
        var atKill = Volatile.Read(ref written);
        await writer;
        output.WriteLine($"killed with {atKill} of {Lines} lines written");
        Assert.True(atKill < Lines, "the writer finished before the kill; the test no longer kills mid-stream");

        var restart = await worker.StartAsync(workerFile, source);
        output.WriteLine($"restarted after SIGKILL; REST ready in {restart.TotalMilliseconds:F0} ms");

        string[] records = [];
        await Eventually.WaitAsync(async () =>
        {
            records = await Kcat.ConsumeLinesAsync(worker.BrokerServers, "stream");
            return CountDistinct(records) == Lines;
        }, TimeSpan.FromSeconds(90), () => $"topic has {records.Length} records, {CountDistinct(records)} distinct of {Lines}:{Environment.NewLine}{worker.Current.Tail(40)}", pollMs: 1000);

        var seen = new int[Lines];
        foreach (var record in records)
        {
            Assert.StartsWith(EnvelopePrefix + "line-", record, StringComparison.Ordinal);
            Assert.EndsWith(EnvelopeSuffix, record, StringComparison.Ordinal);
            seen[ParseNumber(record)]++;
        }
        var missing = Enumerable.Range(0, Lines).Where(n => seen[n] == 0).ToList();
        Assert.True(missing.Count == 0, $"missing lines: {string.Join(", ", missing.Take(20))}");
        var duplicates = records.Length - Lines;
        output.WriteLine($"after recovery: {records.Length} records for {Lines} lines, {duplicates} duplicates (at-least-once)");
        await worker.StopAsync();
    }

    [Fact]
    public async Task UnreachableBootstrapServers_ExitsNonZeroQuicklyWithAHint()
    {
        await using var worker = new WorkerProcess(output);
        var closedPort = ChildProcess.FreePort();
        var workerFile = worker.WriteFile("worker.properties", $"""
            bootstrap.servers=127.0.0.1:{closedPort}
            key.converter=org.apache.kafka.connect.json.JsonConverter
            value.converter=org.apache.kafka.connect.json.JsonConverter
            offset.storage.file.filename={worker.PathOf("connect.offsets")}
            listeners=http://127.0.0.1:{worker.RestPort}
            """);
        await using var run = ChildProcess.Start(worker.Dir, ["standalone", workerFile]);
        Assert.True(await run.WaitForExitAsync(TimeSpan.FromSeconds(20)), "worker still running 20 s after start:\n" + run.Tail(40));
        var elapsed = run.Elapsed;
        output.WriteLine($"exit code {run.ExitCode} after {elapsed.TotalSeconds:F2} s");
        output.WriteLine(run.Output);
        Assert.NotEqual(0, run.ExitCode);
        Assert.True(elapsed < TimeSpan.FromSeconds(10), $"took {elapsed.TotalSeconds:F1} s to give up");
        var text = run.Output;
        Assert.Contains($"bootstrap.servers=127.0.0.1:{closedPort}", text, StringComparison.Ordinal);
        Assert.Contains("kconnect broker", text, StringComparison.Ordinal);
        Assert.Contains("remove bootstrap.servers", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecondWorkerOnTheSameEmbeddedBroker_ExitsWithAHint_FirstKeepsRunning()
    {
        await using var worker = new WorkerProcess(output);
        var workerFile = worker.ClassicWorkerFile();
        await worker.StartAsync(workerFile);

        // Same data directory and broker port, its own REST port: the embedded broker cannot start twice.
        var second = worker.WriteFile("second.properties", File.ReadAllText(workerFile)
            .Replace($"listeners=http://127.0.0.1:{worker.RestPort}", $"listeners=http://127.0.0.1:{ChildProcess.FreePort()}", StringComparison.Ordinal));
        await using var run = ChildProcess.Start(worker.Dir, ["standalone", second]);
        Assert.True(await run.WaitForExitAsync(TimeSpan.FromSeconds(30)), "second worker still running:\n" + run.Tail(40));
        output.WriteLine(run.Output);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("cannot start the embedded broker", run.Output, StringComparison.Ordinal);
        Assert.Contains("embedded.broker.data.dir", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", run.Output, StringComparison.Ordinal);

        using var root = await worker.Http.GetAsync("/");
        Assert.Equal(System.Net.HttpStatusCode.OK, root.StatusCode);
        await worker.StopAsync();
    }

    [Fact]
    public async Task SecondWorkerOnTheSameRestPort_ExitsWithAHint_FirstKeepsRunning()
    {
        await using var worker = new WorkerProcess(output);
        var workerFile = worker.ClassicWorkerFile();
        await worker.StartAsync(workerFile);

        // Its own embedded broker and data, the first worker's REST port.
        var second = worker.WriteFile("second.properties", File.ReadAllText(workerFile)
            .Replace($"embedded.broker.listeners={worker.BrokerServers}", $"embedded.broker.listeners=127.0.0.1:{ChildProcess.FreePort()}", StringComparison.Ordinal)
            .Replace($"embedded.broker.data.dir={worker.PathOf("broker")}", $"embedded.broker.data.dir={worker.PathOf("broker2")}", StringComparison.Ordinal)
            .Replace($"offset.storage.file.filename={worker.PathOf("connect.offsets")}", $"offset.storage.file.filename={worker.PathOf("second.offsets")}", StringComparison.Ordinal));
        await using var run = ChildProcess.Start(worker.Dir, ["standalone", second]);
        Assert.True(await run.WaitForExitAsync(TimeSpan.FromSeconds(30)), "second worker still running:\n" + run.Tail(40));
        output.WriteLine(run.Output);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"cannot start the REST server (listeners=http://127.0.0.1:{worker.RestPort})", run.Output, StringComparison.Ordinal);
        Assert.Contains("address already in use", run.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Unhandled exception", run.Output, StringComparison.Ordinal);

        using var health = await worker.Http.GetAsync("/health");
        Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
        await worker.StopAsync();
    }

    [Fact]
    public async Task StartUp_RestAnswersWellWithinTenSeconds()
    {
        await using var worker = new WorkerProcess(output);
        var elapsed = await worker.StartAsync(worker.ClassicWorkerFile());
        output.WriteLine($"process start -> GET / 200: {elapsed.TotalMilliseconds:F0} ms (Debug build, embedded broker)");
        Assert.True(elapsed < TimeSpan.FromSeconds(10), $"{elapsed.TotalSeconds:F1} s");
        await worker.StopAsync();
    }

    [Fact]
    public async Task AdminLoggers_ChangeWhatTheWorkerLogs()
    {
        await using var worker = new WorkerProcess(output);
        await worker.StartAsync(worker.ClassicWorkerFile());
        using (var put = await worker.Http.PutAsync("/admin/loggers/root", SeedTutorialTests.Json("""{"level":"WARN"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        await CreateAsync(worker, "quiet");
        using (var put = await worker.Http.PutAsync("/admin/loggers/root", SeedTutorialTests.Json("""{"level":"INFO"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        await CreateAsync(worker, "loud");
        await worker.StopAsync();
        var text = worker.Current.Output;
        Assert.Contains("Creating connector loud", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Creating connector quiet", text, StringComparison.Ordinal);
    }

    private static async Task CreateAsync(WorkerProcess worker, string name)
    {
        using var created = await worker.Http.PostAsync("/connectors", SeedTutorialTests.Json(
            $$"""{"name":"{{name}}","config":{"connector.class":"FileStreamSource","file":"{{worker.PathOf(name)}}","topic":"{{name}}"}""" + "}"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await worker.WaitForStateAsync(name, "RUNNING");
    }

    private static int ParseNumber(string record) =>
        int.Parse(record.AsSpan(EnvelopePrefix.Length + 5, 6), System.Globalization.CultureInfo.InvariantCulture);

    private static int CountDistinct(string[] records)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in records)
        {
            set.Add(r);
        }
        return set.Count;
    }
}
