using System.Text;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Rest;
using KafkaConnect.Connect.Runtime.Config;
using KafkaConnect.Connect.Runtime.Distributed;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Metrics;
using KafkaConnect.Connect.Runtime.Tests.Metrics;
using KafkaConnect.Connect.Runtime.Plugins;
using KafkaConnect.Connect.Runtime.Worker;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.Runtime.Tests.Distributed;

/// <summary>Herders of one cluster in one process, on the in-process broker: membership, leader-only writes, signed internal requests.</summary>
public sealed class DistributedHerderTests : IClassFixture<BrokerFixture>, IAsyncLifetime
{
    private readonly BrokerFixture _broker;
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];
    private readonly List<DistributedHerder> _herders = [];
    private readonly Dictionary<DistributedHerder, Worker.Worker> _workers = [];
    private readonly List<ConnectRestServer> _servers = [];
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kc-dh-" + Guid.NewGuid().ToString("N"));

    private readonly ITestOutputHelper _output;
    private readonly List<(int Worker, CapturingLoggerFactory Logs)> _logs = [];

    public DistributedHerderTests(BrokerFixture broker, ITestOutputHelper output)
    {
        _broker = broker;
        _output = output;
        Directory.CreateDirectory(_dir);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var herder in _herders)
        {
            await herder.DisposeAsync();
        }
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
        // Shown by the runner when a test fails.
        foreach (var (worker, logs) in _logs)
        {
            foreach (var line in logs.Lines)
            {
                _output.WriteLine($"[worker {worker}] {line}");
            }
        }
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<DistributedHerder> StartAsync(int index)
    {
        var props = new Dictionary<string, string>
        {
            ["bootstrap.servers"] = _broker.BootstrapServers,
            ["group.id"] = "cluster-" + _suffix,
            ["config.storage.topic"] = "configs-" + _suffix,
            ["offset.storage.topic"] = "offsets-" + _suffix,
            ["status.storage.topic"] = "statuses-" + _suffix,
            ["config.storage.replication.factor"] = "1",
            ["offset.storage.replication.factor"] = "1",
            ["status.storage.replication.factor"] = "1",
            ["offset.storage.partitions"] = "3",
            ["status.storage.partitions"] = "2",
            ["key.converter"] = "org.apache.kafka.connect.storage.StringConverter",
            ["value.converter"] = "org.apache.kafka.connect.storage.StringConverter",
            ["heartbeat.interval.ms"] = "500",
            ["session.timeout.ms"] = "6000",
            ["rebalance.timeout.ms"] = "10000",
            ["scheduled.rebalance.max.delay.ms"] = "60000",
            ["offset.flush.interval.ms"] = "500",
            ["listeners"] = "http://127.0.0.1:0",
        };
        var config = WorkerConfig.Distributed(props);
        var loggers = new CapturingLoggerFactory(LogLevel.Information);
        _logs.Add((index, loggers));
        var stores = DistributedStores.Create(config, loggers);
        var status = new StatusStore(config.WorkerId());
        var worker = new Worker.Worker(config, PluginRegistry.Create(extra: [typeof(Harness).Assembly]), stores.Offsets, status, loggers);
        var herder = new DistributedHerder(worker, "test-cluster", stores.Configs, stores.Statuses, loggers);
        _herders.Add(herder);
        _workers[herder] = worker;
        // As the CLI does: REST first (503 until the herder is ready), so the herder knows the URL it advertises.
        var rest = new ConnectRestServer();
        _servers.Add(rest);
        await rest.StartAsync(herder, RestServerOptions.FromWorkerConfig(config.Originals()) with { LoggerFactory = loggers });
        status.WorkerId = config.WorkerId(rest.Addresses[0].Port);
        await herder.StartAsync(rest.AdvertisedUrl.ToString().TrimEnd('/'));
        await herder.FirstAssignment.WaitAsync(TimeSpan.FromSeconds(30));
        return herder;
    }

    private Dictionary<string, string> SinkConfig(string name, int tasks) => new()
    {
        ["connector.class"] = "FileStreamSink",
        ["name"] = name,
        ["topics"] = "lines-" + _suffix,
        ["file"] = Path.Combine(_dir, name + ".txt"),
        ["tasks.max"] = tasks.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int timeoutMs = 30000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!await condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                Assert.Fail("timed out waiting for " + what);
            }
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Writes_go_through_the_leader_and_every_worker_sees_configs_and_statuses()
    {
        var a = await StartAsync(1);
        var b = await StartAsync(2);
        await EventuallyAsync(() => Task.FromResult(a.Generation == b.Generation && a.IsLeader != b.IsLeader), "one generation with one leader");
        var (leader, follower) = a.IsLeader ? (a, b) : (b, a);
        Assert.Equal(leader.Url, follower.LeaderUrl);

        var refused = await Assert.ThrowsAsync<NotLeaderException>(() => follower.PutConnectorConfigAsync("sink", SinkConfig("sink", 4), allowReplace: false));
        Assert.Equal(leader.Url, refused.ForwardUrl);
        Assert.Empty(await follower.ConnectorsAsync());

        var (created, info) = await leader.PutConnectorConfigAsync("sink", SinkConfig("sink", 4), allowReplace: false);
        Assert.True(created);
        Assert.Equal(ConnectorType.Sink, info.Type);
        await Assert.ThrowsAsync<AlreadyExistsException>(() => leader.PutConnectorConfigAsync("sink", SinkConfig("sink", 4), allowReplace: false));

        // The connector's task configs reach the leader wherever the connector runs; tasks spread over both workers.
        await EventuallyAsync(async () =>
        {
            try
            {
                var status = await follower.ConnectorStatusAsync("sink");
                return status.Connector.State == ConnectorState.Running && status.Tasks.Count == 4 && status.Tasks.All(t => t.State == ConnectorState.Running);
            }
            catch (NotFoundException)
            {
                return false;
            }
        }, "4 running tasks");
        var statusA = await a.ConnectorStatusAsync("sink");
        var statusB = await b.ConnectorStatusAsync("sink");
        Assert.Equal(statusA, statusB with { Tasks = statusA.Tasks }); // same connector state and worker on both
        Assert.Equal(statusA.Tasks, statusB.Tasks);
        Assert.Equal(2, statusA.Tasks.Count(t => "http://" + t.WorkerId == a.Url));
        Assert.Equal(2, statusA.Tasks.Count(t => "http://" + t.WorkerId == b.Url));
        Assert.Equal(4, (await follower.TaskConfigsAsync("sink")).Count);
        Assert.Equal(2, a.Running.Tasks.Count);

        await Assert.ThrowsAsync<NotLeaderException>(() => follower.PauseConnectorAsync("sink"));
        await leader.PauseConnectorAsync("sink");
        await EventuallyAsync(async () => (await a.ConnectorStatusAsync("sink")).Tasks.All(t => t.State == ConnectorState.Paused), "paused tasks");

        await leader.DeleteConnectorAsync("sink");
        await EventuallyAsync(async () => (await follower.ConnectorsAsync()).Count == 0 && a.Running.Tasks.Count == 0 && b.Running.Tasks.Count == 0, "deletion everywhere");
        await Assert.ThrowsAsync<NotFoundException>(() => follower.ConnectorStatusAsync("sink"));
    }

    [Fact]
    public async Task Rebalance_metrics_follow_the_generations_and_name_the_leader()
    {
        var a = await StartAsync(1);
        var first = MetricsCollector.Collect(_workers[a].Metrics!);
        Assert.Equal(1, first[Rebalance("completed-rebalances-total")]);
        Assert.Equal(a.Generation, first[Rebalance("epoch")]);
        Assert.Equal(0, first[Rebalance("rebalancing")]);
        Assert.Equal(1, first[Rebalance("connect-protocol") + "{connect_protocol=\"sessioned\"}"]);
        Assert.Equal(1, first[Rebalance("leader-name") + $"{{leader_name=\"{a.Url}\"}}"]);
        Assert.InRange(first[Rebalance("time-since-last-rebalance-ms")], 0, 60_000);
        Assert.InRange(first[Rebalance("rebalance-max-time-ms")], first[Rebalance("rebalance-avg-time-ms")], 60_000);

        // A second worker joins: the first takes part in one more rebalance, under a new generation, same leader.
        var b = await StartAsync(2);
        await EventuallyAsync(() => Task.FromResult(a.Generation == b.Generation && a.IsLeader != b.IsLeader), "one generation for both");
        var second = MetricsCollector.Collect(_workers[a].Metrics!);
        Assert.True(second[Rebalance("completed-rebalances-total")] >= 2, "a rebalance for the second worker");
        Assert.Equal(a.Generation, second[Rebalance("epoch")]);
        Assert.True(second[Rebalance("epoch")] > first[Rebalance("epoch")]);
        var other = MetricsCollector.Collect(_workers[b].Metrics!);
        Assert.Equal(1, other[Rebalance("leader-name") + $"{{leader_name=\"{(a.IsLeader ? a.Url : b.Url)}\"}}"]);
        Assert.Single(other.Keys, k => k.StartsWith(Rebalance("leader-name"), StringComparison.Ordinal));
    }

    private static string Rebalance(string metric) => ConnectMetrics.PrometheusName(RebalanceMetrics.Group, metric);

    [Fact]
    public async Task Internal_task_config_requests_must_carry_the_session_key_signature()
    {
        var a = await StartAsync(3);
        await a.PutConnectorConfigAsync("signed", SinkConfig("signed", 1), allowReplace: false);
        await EventuallyAsync(async () => (await a.TaskConfigsAsync("signed")).Count == 1, "task configs");
        byte[] body = Encoding.UTF8.GetBytes("""[{"task.class":"x"},{"task.class":"y"}]""");
        IReadOnlyList<IReadOnlyDictionary<string, string>> configs =
            [new Dictionary<string, string> { ["task.class"] = "x" }, new Dictionary<string, string> { ["task.class"] = "y" }];

        var missing = await Assert.ThrowsAsync<BadRequestException>(() => a.PutTaskConfigsAsync("signed", configs, null));
        Assert.Equal("Internal request missing required signature", missing.Message);

        var forged = new InternalRequestSignature("HmacSHA256", InternalRequestSignature.Sign(new byte[32], body), body);
        var wrong = await Assert.ThrowsAsync<ConnectRestException>(() => a.PutTaskConfigsAsync("signed", configs, forged));
        Assert.Equal(403, wrong.StatusCode);

        var otherAlgorithm = new InternalRequestSignature("HmacSHA512", new byte[64], body);
        Assert.Contains("does not support the 'HmacSHA512' key signing algorithm",
            (await Assert.ThrowsAsync<BadRequestException>(() => a.PutTaskConfigsAsync("signed", configs, otherAlgorithm))).Message);
        Assert.Single(await a.TaskConfigsAsync("signed")); // nothing written by the refused requests

        var key = await KeyOfAsync(a);
        var signed = new InternalRequestSignature("HmacSHA256", InternalRequestSignature.Sign(key, body), body);
        await a.PutTaskConfigsAsync("signed", configs, signed);
        Assert.Equal(2, (await a.TaskConfigsAsync("signed")).Count);
    }

    [Fact]
    public async Task Offsets_restarts_and_cluster_logger_levels_work_across_the_cluster()
    {
        var a = await StartAsync(4);
        var b = await StartAsync(5);
        await EventuallyAsync(() => Task.FromResult(a.Generation == b.Generation && a.IsLeader != b.IsLeader), "one generation with one leader");
        var (leader, follower) = a.IsLeader ? (a, b) : (b, a);
        var levels = new List<string>();
        a.LoggerLevelChanged = (ns, level) => { lock (levels) levels.Add($"a {ns} {level}"); };
        b.LoggerLevelChanged = (ns, level) => { lock (levels) levels.Add($"b {ns} {level}"); };

        // Any worker may publish a cluster logger level; every worker applies it.
        Assert.True(await follower.SetClusterLoggerLevelAsync("org.apache.kafka.connect", "DEBUG"));
        await EventuallyAsync(() => { lock (levels) return Task.FromResult(levels.Count == 2); }, "the level on both workers");
        Assert.Equal(["a org.apache.kafka.connect DEBUG", "b org.apache.kafka.connect DEBUG"], levels.Order());

        var file = Path.Combine(_dir, "src.txt");
        File.WriteAllText(file, "a\nb\n");
        await leader.PutConnectorConfigAsync("src", new Dictionary<string, string>
        {
            ["connector.class"] = "FileStreamSource",
            ["file"] = file,
            ["topic"] = "src-" + _suffix,
        }, allowReplace: false);
        await EventuallyAsync(async () => (await follower.ConnectorOffsetsAsync("src")).Count == 1, "the source's committed offset");
        Assert.Equal(4L, (await follower.ConnectorOffsetsAsync("src"))[0].Offset!["position"]);

        // A restart of the connector and its tasks goes through the config topic; the status says RESTARTING at once.
        var plan = await leader.RestartConnectorAndTasksAsync(new RestartRequest("src", OnlyFailed: false, IncludeTasks: true));
        Assert.Equal(ConnectorState.Restarting, plan.Connector.State);
        Assert.All(plan.Tasks, t => Assert.Equal(ConnectorState.Restarting, t.State));
        await EventuallyAsync(async () =>
        {
            var status = await a.ConnectorStatusAsync("src");
            return status.Connector.State == ConnectorState.Running && status.Tasks.Count == 1 && status.Tasks[0].State == ConnectorState.Running;
        }, "running again after the restart");

        // Offsets change only when stopped, and only through the leader.
        await Assert.ThrowsAsync<BadRequestException>(() => leader.AlterConnectorOffsetsAsync("src", null));
        await leader.StopConnectorAsync("src");
        await EventuallyAsync(async () => (await b.TaskConfigsAsync("src")).Count == 0 && a.Running.Tasks.Count == 0 && b.Running.Tasks.Count == 0, "no tasks once stopped");
        await Assert.ThrowsAsync<NotLeaderException>(() => follower.AlterConnectorOffsetsAsync("src", null));
        var partition = new Dictionary<string, object?> { ["filename"] = file };
        await leader.AlterConnectorOffsetsAsync("src", [new ConnectorOffset(partition, new Dictionary<string, object?> { ["position"] = 2L })]);
        Assert.Equal(2L, (await follower.ConnectorOffsetsAsync("src"))[0].Offset!["position"]);
        await leader.AlterConnectorOffsetsAsync("src", null);
        Assert.Empty(await follower.ConnectorOffsetsAsync("src"));
    }

    private static async Task<byte[]> KeyOfAsync(DistributedHerder herder)
    {
        // The leader writes the first session key right after its first assignment.
        byte[]? key = null;
        await EventuallyAsync(() =>
        {
            key = herder.SessionKey?.Key;
            return Task.FromResult(key is not null);
        }, "a session key");
        return key!;
    }
}
