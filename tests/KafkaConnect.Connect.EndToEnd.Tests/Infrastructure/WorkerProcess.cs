using System.Diagnostics;
using System.Net;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A <c>kconnect standalone</c> worker as a real process, in a private temp directory (its working directory),
/// with the REST API and the embedded broker on free loopback ports. Start, SIGTERM, SIGKILL and start again on
/// the same directory, ports and files. The output of every run goes to the test output on dispose.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(45);

    private readonly ITestOutputHelper? _output;
    private readonly List<ChildProcess> _runs = [];

    public WorkerProcess(ITestOutputHelper? output)
    {
        _output = output;
        Dir = Path.Combine(Path.GetTempPath(), "kconnect-e2e", $"{DateTime.UtcNow:HHmmss}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Dir);
        RestPort = ChildProcess.FreePort();
        BrokerPort = ChildProcess.FreePort();
        Http = new HttpClient { BaseAddress = new Uri(RestUrl), Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Dir { get; }

    public int RestPort { get; }

    public int BrokerPort { get; }

    public string RestUrl => $"http://127.0.0.1:{RestPort}";

    public string BrokerServers => $"127.0.0.1:{BrokerPort}";

    public HttpClient Http { get; }

    public ChildProcess Current => _runs.Count > 0 ? _runs[^1] : throw new InvalidOperationException("Worker never started.");

    public string PathOf(string name) => Path.Combine(Dir, name);

    public string WriteFile(string name, string content)
    {
        var path = PathOf(name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>The lines that point a worker file at this harness's REST port and embedded broker.</summary>
    public string PortLines() => $"""
        listeners=http://127.0.0.1:{RestPort}
        embedded.broker.listeners={BrokerServers}
        embedded.broker.data.dir={PathOf("broker")}

        """;

    /// <summary>Apache's classic connect-standalone.properties (JSON with schemas) on this harness's ports.</summary>
    public string ClassicWorkerFile(int offsetFlushMs = 10000, string extra = "") => WriteFile("worker.properties", $"""
        key.converter=org.apache.kafka.connect.json.JsonConverter
        value.converter=org.apache.kafka.connect.json.JsonConverter
        key.converter.schemas.enable=true
        value.converter.schemas.enable=true
        offset.storage.file.filename={PathOf("connect.offsets")}
        offset.flush.interval.ms={offsetFlushMs}
        {PortLines()}{extra}
        """);

    /// <summary>Starts the worker and waits until <c>GET /health</c> answers 200; returns process start → that answer.</summary>
    public async Task<TimeSpan> StartAsync(string workerFile, params string[] connectorFiles)
    {
        if (_runs.Count > 0 && !Current.HasExited)
        {
            throw new InvalidOperationException("The worker is already running.");
        }
        var run = ChildProcess.Start(Dir, ["standalone", workerFile, .. connectorFiles]);
        _runs.Add(run);
        return await RestReady.WaitAsync(run, RestUrl, "worker", s_readyTimeout);
    }

    /// <summary>Graceful stop (SIGTERM); fails when the worker takes longer than <paramref name="timeoutSeconds"/> or exits non-zero.</summary>
    public async Task StopAsync(int timeoutSeconds = 30)
    {
        var run = Current;
        run.Terminate();
        if (!await run.WaitForExitAsync(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            await run.KillAsync();
            throw new Xunit.Sdk.XunitException($"worker ignored SIGTERM for {timeoutSeconds}s:{Environment.NewLine}{run.Tail(80)}");
        }
        Assert.True(run.ExitCode == 0, $"worker exited with {run.ExitCode} after SIGTERM:{Environment.NewLine}{run.Tail(80)}");
    }

    public Task KillAsync() => Current.KillAsync();

    /// <summary>Waits until the worker's connector and all its tasks report <paramref name="state"/>.</summary>
    public Task WaitForStateAsync(string connector, string state, int expectedTasks = 1, int timeoutSeconds = 30) =>
        Eventually.WaitAsync(async () =>
        {
            using var response = await Http.GetAsync($"/connectors/{connector}/status");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }
            using var doc = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var root = doc.RootElement;
            var tasks = root.GetProperty("tasks");
            if (root.GetProperty("connector").GetProperty("state").GetString() != state || tasks.GetArrayLength() != expectedTasks)
            {
                return false;
            }
            foreach (var t in tasks.EnumerateArray())
            {
                if (t.GetProperty("state").GetString() != state)
                {
                    return false;
                }
            }
            return true;
        }, TimeSpan.FromSeconds(timeoutSeconds), () => $"{connector} did not reach {state} with {expectedTasks} task(s):{Environment.NewLine}{Current.Tail(60)}");

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        for (var i = 0; i < _runs.Count; i++)
        {
            await _runs[i].DisposeAsync();
            try
            {
                _output?.WriteLine($"--- worker run {i + 1} (dir {Dir}, REST {RestUrl}, broker {BrokerServers}) ---");
                _output?.WriteLine(_runs[i].Tail(300));
            }
            catch (InvalidOperationException)
            {
                // No active test.
            }
        }
        if (Environment.GetEnvironmentVariable("KCONNECT_E2E_KEEP") != "1")
        {
            try
            {
                Directory.Delete(Dir, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}

internal static class Eventually
{
    public static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> because, int pollMs = 100)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await condition())
            {
                return;
            }
            if (clock.Elapsed > timeout)
            {
                throw new Xunit.Sdk.XunitException($"Timed out after {timeout.TotalSeconds:F0}s: {because()}");
            }
            await Task.Delay(pollMs);
        }
    }
}

/// <summary>Reads a topic with the real kcat (librdkafka), as a user would.</summary>
internal static class Kcat
{
    /// <summary><c>kcat -C -b servers -t topic -e -f '%s\n'</c>: stdout bytes, or null when kcat fails (e.g. no topic yet).</summary>
    public static async Task<byte[]?> ConsumeValuesAsync(string servers, string topic, int timeoutSeconds = 60)
    {
        var psi = new ProcessStartInfo("kcat")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-C", "-b", servers, "-t", topic, "-e", "-q", "-f", "%s\n" })
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        using var buffer = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(buffer);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new Xunit.Sdk.XunitException($"kcat did not finish within {timeoutSeconds}s: {await stderr}");
        }
        await copy;
        await stderr;
        return process.ExitCode == 0 ? buffer.ToArray() : null;
    }

    /// <summary><c>kcat -P -b servers -t topic</c> with one record per line; fails the test when kcat fails.</summary>
    public static async Task ProduceLinesAsync(string servers, string topic, params string[] lines)
    {
        var psi = new ProcessStartInfo("kcat")
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-P", "-b", servers, "-t", topic })
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        foreach (var line in lines)
        {
            await process.StandardInput.WriteLineAsync(line);
        }
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        if (process.ExitCode != 0)
        {
            throw new Xunit.Sdk.XunitException($"kcat -P exited with {process.ExitCode}: {await stderr}");
        }
    }

    public static async Task<string[]> ConsumeLinesAsync(string servers, string topic)
    {
        var bytes = await ConsumeValuesAsync(servers, topic);
        if (bytes is null || bytes.Length == 0)
        {
            return [];
        }
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        return text.EndsWith('\n') ? text[..^1].Split('\n') : text.Split('\n');
    }
}
