using System.Net;
using System.Text;
using System.Text.Json;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests.Distributed;

/// <summary>
/// A Connect cluster of real processes in a private temp directory: one <c>kconnect broker</c> and N
/// <c>kconnect distributed</c> workers in one group, each with its own REST port and worker file. Workers can be
/// stopped (SIGTERM), killed (SIGKILL), suspended (SIGSTOP) and started again on the same port and file. Every run's
/// output goes to the test output on dispose.
/// </summary>
internal sealed class DistributedCluster : IAsyncDisposable
{
    public const string ConfigTopic = "connect-configs";
    public const string OffsetTopic = "connect-offsets";
    public const string StatusTopic = "connect-status";

    private readonly ITestOutputHelper _output;
    private readonly Dictionary<string, string> _workerSettings;
    private readonly List<ChildProcess> _brokerRuns = [];

    /// <param name="workerSettings">Worker keys that override (or add to) the harness defaults for every worker.</param>
    public DistributedCluster(ITestOutputHelper output, int workers = 3, IReadOnlyDictionary<string, string>? workerSettings = null, string groupId = "connect-cluster")
    {
        _output = output;
        Dir = Path.Combine(Path.GetTempPath(), "kconnect-e2e", $"dist-{DateTime.UtcNow:HHmmss}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Dir);
        BrokerPort = ChildProcess.FreePort();
        GroupId = groupId;
        _workerSettings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["group.id"] = groupId,
            ["key.converter"] = "org.apache.kafka.connect.json.JsonConverter",
            ["value.converter"] = "org.apache.kafka.connect.json.JsonConverter",
            ["key.converter.schemas.enable"] = "true",
            ["value.converter.schemas.enable"] = "true",
            ["config.storage.topic"] = ConfigTopic,
            ["offset.storage.topic"] = OffsetTopic,
            ["status.storage.topic"] = StatusTopic,
            ["config.storage.replication.factor"] = "1",
            ["offset.storage.replication.factor"] = "1",
            ["status.storage.replication.factor"] = "1",
            ["offset.flush.interval.ms"] = "1000",
            ["session.timeout.ms"] = "6000",
            ["heartbeat.interval.ms"] = "1000",
        };
        foreach (var (k, v) in workerSettings ?? new Dictionary<string, string>())
        {
            _workerSettings[k] = v;
        }
        for (var i = 0; i < workers; i++)
        {
            AddWorker();
        }
    }

    public string Dir { get; }

    public int BrokerPort { get; }

    public string BrokerServers => $"127.0.0.1:{BrokerPort}";

    public string GroupId { get; }

    public List<ClusterWorker> Workers { get; } = [];

    public ChildProcess Broker => _brokerRuns.Count > 0 ? _brokerRuns[^1] : throw new InvalidOperationException("Broker never started.");

    public IEnumerable<ClusterWorker> Running => Workers.Where(w => w.IsRunning);

    public string PathOf(string name) => Path.Combine(Dir, name);

    /// <summary>Adds a worker (not started) with the cluster's settings plus <paramref name="settings"/>.</summary>
    public ClusterWorker AddWorker(IReadOnlyDictionary<string, string>? settings = null)
    {
        var index = Workers.Count + 1;
        var port = ChildProcess.FreePort();
        var merged = new Dictionary<string, string>(_workerSettings, StringComparer.Ordinal)
        {
            ["bootstrap.servers"] = BrokerServers,
            ["listeners"] = $"http://127.0.0.1:{port}",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string>())
        {
            merged[k] = v;
        }
        var file = PathOf($"worker{index}.properties");
        var text = new StringBuilder("# written by the e2e DistributedCluster harness\n");
        foreach (var (k, v) in merged)
        {
            text.Append(k).Append('=').Append(v).Append('\n');
        }
        File.WriteAllText(file, text.ToString());
        var worker = new ClusterWorker(index, port, file, Dir);
        Workers.Add(worker);
        return worker;
    }

    /// <summary>
    /// The broker with group.initial.rebalance.delay.ms=0 (as Apache's sample server.properties) and
    /// group.min.session.timeout.ms=1000 so tests may use short sessions; <paramref name="extra"/> are more KEY=VALUE.
    /// </summary>
    public async Task StartBrokerAsync(params string[] extra)
    {
        _brokerRuns.Add(await BrokerLaunch.StartAsync(Dir, BrokerServers, PathOf("broker"), ["group.min.session.timeout.ms=1000", .. extra]));
    }

    /// <summary>Broker, then every worker at once; returns when all answer GET / and have applied their first assignment.</summary>
    public async Task StartAsync()
    {
        await StartBrokerAsync();
        await StartWorkersAsync(Workers);
    }

    public static async Task StartWorkersAsync(IEnumerable<ClusterWorker> workers)
    {
        var list = workers.ToList();
        await Task.WhenAll(list.Select(w => w.StartAsync()));
        await Task.WhenAll(list.Select(w => w.WaitForFirstAssignmentAsync()));
    }

    /// <summary>SIGTERM to every running worker at once; each must exit 0.</summary>
    public Task StopAllAsync() => Task.WhenAll(Running.ToList().Select(w => w.StopAsync()));

    /// <summary>The worker whose latest assignment says it leads (waits for exactly one running worker to say so).</summary>
    public async Task<ClusterWorker> LeaderAsync(TimeSpan? timeout = null)
    {
        ClusterWorker? leader = null;
        await Eventually.WaitAsync(() =>
        {
            var leaders = Running.Where(w => w.SaysLeader).ToList();
            leader = leaders.Count == 1 ? leaders[0] : null;
            return Task.FromResult(leader is not null);
        }, timeout ?? TimeSpan.FromSeconds(30), () => "no single leader among the running workers:\n" + Tails(20));
        return leader!;
    }

    /// <summary>Polls <paramref name="via"/> (default: the first running worker) until the connector's status satisfies <paramref name="until"/>.</summary>
    public async Task<ConnectorStatus> WaitForStatusAsync(string connector, Func<ConnectorStatus, bool> until, string what,
        ClusterWorker? via = null, int timeoutSeconds = 45, int pollMs = 100)
    {
        ConnectorStatus? last = null;
        try
        {
            await Eventually.WaitAsync(async () =>
            {
                var worker = via ?? Running.First();
                last = await worker.TryStatusAsync(connector);
                return last is not null && until(last);
            }, TimeSpan.FromSeconds(timeoutSeconds), () => $"{connector}: {what}; last status {last?.ToString() ?? "none"}", pollMs);
        }
        catch (Xunit.Sdk.XunitException e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}\n{await DescribeAsync(connector)}\n{Tails(30)}");
        }
        return last!;
    }

    /// <summary>What every running worker answers about a connector (status and tasks, raw), for failure messages.</summary>
    public async Task<string> DescribeAsync(string connector)
    {
        var text = new StringBuilder();
        foreach (var w in Running.Where(w => !w.Current.IsSuspended))
        {
            foreach (var path in new[] { $"/connectors/{connector}/status", $"/connectors/{connector}/tasks" })
            {
                try
                {
                    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    using var response = await w.Http.GetAsync(path, cts.Token);
                    text.Append($"{w} GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cts.Token)}\n");
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                {
                    text.Append($"{w} GET {path}: {e.Message}\n");
                }
            }
        }
        return text.ToString();
    }

    /// <summary>The connector and exactly <paramref name="tasks"/> tasks all in <paramref name="state"/>.</summary>
    public Task<ConnectorStatus> WaitForStateAsync(string connector, int tasks, string state = "RUNNING", ClusterWorker? via = null, int timeoutSeconds = 45) =>
        WaitForStatusAsync(connector, s => s.State == state && s.Tasks.Count == tasks && s.Tasks.All(t => t.State == state),
            $"want connector and {tasks} task(s) {state}", via, timeoutSeconds);

    /// <summary>POST /connectors on <paramref name="via"/>; asserts 201.</summary>
    public static async Task CreateConnectorAsync(ClusterWorker via, string name, IReadOnlyDictionary<string, string> config)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, object> { ["name"] = name, ["config"] = config });
        using var response = await via.Http.PostAsync("/connectors", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST /connectors ({name}) on worker {via.Index} answered {(int)response.StatusCode}: {text}\n{via.Current.Tail(30)}");
    }

    /// <summary>PUT without body (pause, resume, stop) on <paramref name="via"/>; asserts the status code.</summary>
    public static async Task PutAsync(ClusterWorker via, string path, HttpStatusCode expected)
    {
        using var response = await via.Http.PutAsync(path, null);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"PUT {path} on worker {via.Index} answered {(int)response.StatusCode} (want {(int)expected}): {text}");
    }

    public string Tails(int lines) =>
        string.Join("\n", Workers.Where(w => w.HasRun).Select(w => $"--- worker {w.Index} ({w.Id}) ---\n{w.Current.Tail(lines)}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var w in Workers)
        {
            await w.DisposeAsync();
        }
        foreach (var b in _brokerRuns)
        {
            await b.DisposeAsync();
        }
        try
        {
            foreach (var w in Workers)
            {
                for (var i = 0; i < w.Runs.Count; i++)
                {
                    _output.WriteLine($"--- worker {w.Index} run {i + 1} (REST {w.Url}) ---");
                    _output.WriteLine(w.Runs[i].Tail(250));
                }
            }
            foreach (var b in _brokerRuns)
            {
                _output.WriteLine($"--- broker {BrokerServers} ---");
                _output.WriteLine(b.Tail(60));
            }
        }
        catch (InvalidOperationException)
        {
            // No active test.
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

/// <summary>One <c>kconnect distributed</c> worker of a <see cref="DistributedCluster"/>: its REST port and file survive restarts.</summary>
internal sealed class ClusterWorker : IAsyncDisposable
{
    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(60);
    private readonly string _dir;

    public ClusterWorker(int index, int restPort, string propertiesPath, string dir)
    {
        Index = index;
        RestPort = restPort;
        PropertiesPath = propertiesPath;
        _dir = dir;
        Http = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(120) };
    }

    public int Index { get; }

    public int RestPort { get; }

    public string PropertiesPath { get; }

    public string Url => $"http://127.0.0.1:{RestPort}";

    /// <summary>The worker id statuses carry (host:port of the REST listener).</summary>
    public string Id => $"127.0.0.1:{RestPort}";

    public HttpClient Http { get; }

    public List<ChildProcess> Runs { get; } = [];

    public bool HasRun => Runs.Count > 0;

    public ChildProcess Current => Runs.Count > 0 ? Runs[^1] : throw new InvalidOperationException($"Worker {Index} never started.");

    public bool IsRunning => Runs.Count > 0 && !Current.HasExited;

    /// <summary>The latest "Joined generation N as leader|follower" line of the current run says leader.</summary>
    public bool SaysLeader
    {
        get
        {
            if (!IsRunning)
            {
                return false;
            }
            var joined = Current.Output.Split('\n').LastOrDefault(l => l.Contains("Joined generation", StringComparison.Ordinal));
            return joined is not null && joined.Contains(" as leader", StringComparison.Ordinal);
        }
    }

    /// <summary>Starts the process only (no wait).</summary>
    public ChildProcess Launch()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"Worker {Index} is already running.");
        }
        var run = ChildProcess.Start(_dir, ["distributed", PropertiesPath]);
        Runs.Add(run);
        return run;
    }

    /// <summary>Starts the worker and waits until GET / answers 200; returns process start → that answer.</summary>
    public async Task<TimeSpan> StartAsync()
    {
        var run = Launch();
        return await RestReady.WaitAsync(run, Url, $"worker {Index}", s_readyTimeout);
    }

    public async Task<TimeSpan> WaitForFirstAssignmentAsync(int timeoutSeconds = 60)
    {
        var run = Current;
        var first = run.WhenLogged("first assignment applied");
        if (await Task.WhenAny(first, Task.Delay(TimeSpan.FromSeconds(timeoutSeconds))) != first)
        {
            throw new Xunit.Sdk.XunitException($"worker {Index} got no assignment within {timeoutSeconds}s:\n{run.Tail(60)}");
        }
        return run.Elapsed;
    }

    /// <summary>Graceful stop (SIGTERM); fails when it takes longer than <paramref name="timeoutSeconds"/> or exits non-zero.</summary>
    public async Task StopAsync(int timeoutSeconds = 40)
    {
        var run = Current;
        run.Terminate();
        if (!await run.WaitForExitAsync(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            await run.KillAsync();
            throw new Xunit.Sdk.XunitException($"worker {Index} ignored SIGTERM for {timeoutSeconds}s:\n{run.Tail(80)}");
        }
        Assert.True(run.ExitCode == 0, $"worker {Index} exited with {run.ExitCode} after SIGTERM:\n{run.Tail(80)}");
    }

    public Task KillAsync() => Current.KillAsync();

    /// <summary>GET /connectors/{c}/status, or null when not found / not answering.</summary>
    public async Task<ConnectorStatus?> TryStatusAsync(string connector)
    {
        try
        {
            using var response = await Http.GetAsync($"/connectors/{connector}/status");
            return response.StatusCode == HttpStatusCode.OK ? ConnectorStatus.Parse(await response.Content.ReadAsStringAsync()) : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    public async Task<string[]> ConnectorsAsync()
    {
        using var response = await Http.GetAsync("/connectors");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /connectors on worker {Index}: {(int)response.StatusCode} {text}");
        return [.. JsonSerializer.Deserialize<string[]>(text)!.Order(StringComparer.Ordinal)];
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        foreach (var run in Runs)
        {
            if (!run.HasExited && run.IsSuspended)
            {
                // A test that failed while a worker was suspended: let it die.
                run.Resume();
            }
            await run.DisposeAsync();
        }
    }

    public override string ToString() => $"worker {Index} ({Id})";
}

internal sealed record TaskState(int Id, string State, string WorkerId);

internal sealed record ConnectorStatus(string Name, string State, string WorkerId, IReadOnlyList<TaskState> Tasks)
{
    public static ConnectorStatus Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var connector = root.GetProperty("connector");
        var tasks = root.GetProperty("tasks").EnumerateArray()
            .Select(t => new TaskState(t.GetProperty("id").GetInt32(), t.GetProperty("state").GetString()!, t.GetProperty("worker_id").GetString()!))
            .OrderBy(t => t.Id)
            .ToList();
        return new ConnectorStatus(root.GetProperty("name").GetString()!, connector.GetProperty("state").GetString()!, connector.GetProperty("worker_id").GetString()!, tasks);
    }

    public bool AllRunning(int tasks) => State == "RUNNING" && Tasks.Count == tasks && Tasks.All(t => t.State == "RUNNING");

    /// <summary>Same states and workers (what every worker of one cluster must answer alike).</summary>
    public string Summary => $"{Name} {State}@{WorkerId} [{string.Join(", ", Tasks.Select(t => $"{t.Id}:{t.State}@{t.WorkerId}"))}]";

    public override string ToString() => Summary;
}
