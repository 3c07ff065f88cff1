using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KafkaConnect.Client.Admin;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests.Distributed;

/// <summary>Misconfigured clusters and hostile or unlucky REST calls: clear errors, nothing lost.</summary>
public sealed class DistributedBadInputTests(ITestOutputHelper output)
{
    [Fact]
    public async Task PreCreatedConfigTopicThatIsNotCompacted_WorkerExitsNonZeroNamingTopicAndCleanupPolicy()
    {
        await using var cluster = new DistributedCluster(output, workers: 1);
        await cluster.StartBrokerAsync();
        await using (var admin = new KafkaAdminClient(new Dictionary<string, string> { ["bootstrap.servers"] = cluster.BrokerServers }))
        {
            await admin.CreateTopicsAsync([new NewTopic(DistributedCluster.ConfigTopic, 1, 1) { Configs = new Dictionary<string, string> { ["cleanup.policy"] = "delete" } }]);
        }
        var run = cluster.Workers[0].Launch();
        Assert.True(await run.WaitForExitAsync(TimeSpan.FromSeconds(60)), "the worker kept running on a non-compacted config topic:\n" + run.Tail(40));
        output.WriteLine($"exit code {run.ExitCode}:\n{run.Tail(20)}");
        Assert.NotEqual(0, run.ExitCode);
        var errors = string.Join("\n", run.Output.Split('\n').Where(l => l.Contains("[err]", StringComparison.Ordinal) || l.Contains("fail", StringComparison.OrdinalIgnoreCase)));
        Assert.Contains(DistributedCluster.ConfigTopic, errors);
        Assert.Contains("cleanup.policy", errors);
    }

    [Fact]
    public async Task ExactlyOnceSourceSupportEnabled_IsRefusedAtStartWithTheReason()
    {
        // No broker needed: the worker file is judged before Kafka is contacted.
        await using var cluster = new DistributedCluster(output, workers: 0);
        var worker = cluster.AddWorker(new Dictionary<string, string> { ["exactly.once.source.support"] = "enabled" });
        var run = worker.Launch();
        Assert.True(await run.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the worker started with exactly.once.source.support=enabled:\n" + run.Tail(40));
        output.WriteLine($"exit code {run.ExitCode}:\n{run.Tail(10)}");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("exactly.once.source.support=enabled is not supported yet", run.Output, StringComparison.Ordinal);
        Assert.Contains("no transactions", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecondWorkerOnARestPortInUse_ExitsNonZeroNamingTheListener_TheFirstKeepsServing()
    {
        await using var cluster = new DistributedCluster(output, workers: 1);
        await cluster.StartAsync();
        var first = cluster.Workers[0];
        var clash = cluster.AddWorker(new Dictionary<string, string> { ["listeners"] = first.Url });
        var run = clash.Launch();
        Assert.True(await run.WaitForExitAsync(TimeSpan.FromSeconds(60)), "the worker kept running without its REST listener:\n" + run.Tail(40));
        output.WriteLine($"exit code {run.ExitCode}:\n{run.Tail(20)}");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"cannot start the REST server (listeners={first.Url})", run.Output, StringComparison.Ordinal);
        Assert.Contains("address already in use", run.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Unhandled exception", run.Output, StringComparison.Ordinal);
        using var health = await first.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task SameGroupDifferentConfigTopic_ClearErrorLogged_AndTheFirstClustersConnectorIsKept()
    {
        await using var cluster = new DistributedCluster(output, workers: 2, workerSettings: new Dictionary<string, string>
        {
            // Bounded wait for work a misfit worker was given and dropped.
            ["scheduled.rebalance.max.delay.ms"] = "5000",
        });
        await cluster.StartAsync();
        await DistributedCluster.CreateConnectorAsync(cluster.Workers[0], "keep-me", DistributedRestartTests.Sink(cluster.PathOf("keep.txt"), "keep"));
        await cluster.WaitForStateAsync("keep-me", 1);

        var misfit = cluster.AddWorker(new Dictionary<string, string> { ["config.storage.topic"] = "other-configs" });
        await misfit.StartAsync();
        const string Marker = "must use the same config.storage.topic";
        await Eventually.WaitAsync(() => Task.FromResult(cluster.Running.Any(w => w.Current.Output.Contains(Marker, StringComparison.Ordinal))),
            TimeSpan.FromSeconds(60), () => $"no worker logged '{Marker}'\n{cluster.Tails(40)}", pollMs: 200);
        foreach (var w in cluster.Running)
        {
            var line = w.Current.Output.Split('\n').FirstOrDefault(l => l.Contains(Marker, StringComparison.Ordinal));
            if (line is not null)
            {
                output.WriteLine($"{w} logged: {line}");
            }
        }

        // The first cluster still has its connector, in its config topic and running.
        foreach (var w in cluster.Workers.Take(2))
        {
            Assert.Contains("keep-me", await w.ConnectorsAsync());
        }
        var configs = await KcatCli.RecordsAsync(cluster.BrokerServers, DistributedCluster.ConfigTopic);
        Assert.Contains(configs, r => r.Key == "connector-keep-me" && r.Value.Contains("\"properties\"", StringComparison.Ordinal));
        await misfit.StopAsync();
        await cluster.WaitForStatusAsync("keep-me", s => s.AllRunning(1) && s.Tasks[0].WorkerId != misfit.Id && s.WorkerId != misfit.Id,
            "want keep-me RUNNING on the first cluster's workers", via: cluster.Workers[0], timeoutSeconds: 60);
    }

    [Fact]
    public async Task InternalTaskConfigEndpoint_RejectsUnsignedAndWronglySignedRequests_AcceptsTheSessionKeysSignature()
    {
        await using var cluster = new DistributedCluster(output, workers: 2);
        await cluster.StartAsync();
        await DistributedCluster.CreateConnectorAsync(cluster.Workers[0], "signed", DistributedRestartTests.Sink(cluster.PathOf("signed.txt"), "signed"));
        await cluster.WaitForStateAsync("signed", 1);
        var leader = await cluster.LeaderAsync();
        var follower = cluster.Workers.First(w => w != leader);

        // The body a worker would send: the connector's current task configs.
        string body;
        using (var tasks = await leader.Http.GetAsync("/connectors/signed/tasks"))
        {
            Assert.Equal(HttpStatusCode.OK, tasks.StatusCode);
            using var doc = JsonDocument.Parse(await tasks.Content.ReadAsStringAsync());
            body = "[" + string.Join(",", doc.RootElement.EnumerateArray().Select(t => t.GetProperty("config").GetRawText())) + "]";
        }
        var bytes = Encoding.UTF8.GetBytes(body);

        foreach (var worker in new[] { leader, follower })
        {
            using (var unsigned = await worker.Http.PostAsync("/connectors/signed/tasks", new ByteArrayContent(bytes) { Headers = { { "Content-Type", "application/json" } } }))
            {
                var text = await unsigned.Content.ReadAsStringAsync();
                output.WriteLine($"{worker} unsigned: {(int)unsigned.StatusCode} {text}");
                Assert.Equal(HttpStatusCode.BadRequest, unsigned.StatusCode);
                Assert.Contains("Internal request missing required signature", text);
            }
            using (var wrong = await worker.Http.SendAsync(Signed(bytes, RandomNumberGenerator.GetBytes(32))))
            {
                var text = await wrong.Content.ReadAsStringAsync();
                output.WriteLine($"{worker} wrong key: {(int)wrong.StatusCode} {text}");
                Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
            }
        }

        // Signed with the cluster's session key (read from the config topic with kcat), the same request is accepted.
        var configs = await KcatCli.RecordsAsync(cluster.BrokerServers, DistributedCluster.ConfigTopic);
        byte[] key;
        using (var doc = JsonDocument.Parse(DistributedPipelineTests.Latest(configs, "session-key")))
        {
            key = Convert.FromBase64String(doc.RootElement.GetProperty("key").GetString()!);
        }
        using (var good = await follower.Http.SendAsync(Signed(bytes, key)))
        {
            var text = await good.Content.ReadAsStringAsync();
            output.WriteLine($"{follower} signed with the session key: {(int)good.StatusCode} {text}");
            Assert.Equal(HttpStatusCode.NoContent, good.StatusCode);
        }
        await cluster.WaitForStateAsync("signed", 1);
    }

    [Fact]
    public async Task RestWriteOnAFollower_WhileTheLeaderIsSuspended_ClearErrorWithinTheRequestTimeout_NothingLost()
    {
        await using var cluster = new DistributedCluster(output, workerSettings: new Dictionary<string, string>
        {
            ["session.timeout.ms"] = "6000",
            ["heartbeat.interval.ms"] = "1000",
            ["scheduled.rebalance.max.delay.ms"] = "3000",
        });
        await cluster.StartAsync();
        await DistributedCluster.CreateConnectorAsync(cluster.Workers[0], "survivor", new Dictionary<string, string>
        {
            ["connector.class"] = "FileStreamSink",
            ["tasks.max"] = "2",
            ["file"] = cluster.PathOf("survivor.txt"),
            ["topics"] = "survivor",
        });
        await cluster.WaitForStateAsync("survivor", 2);
        await WaitForQuietGroupAsync(cluster);
        var leader = await cluster.LeaderAsync();
        var follower = cluster.Workers.First(w => w != leader);
        output.WriteLine($"SIGSTOP to the leader {leader}; POST on {follower}");
        leader.Current.Suspend();
        HttpStatusCode answer;
        try
        {
            var body = JsonSerializer.Serialize(new { name = "while-stopped", config = DistributedRestartTests.Sink(cluster.PathOf("ws.txt"), "ws") });
            var clock = Stopwatch.StartNew();
            using var response = await follower.Http.PostAsync("/connectors", new StringContent(body, Encoding.UTF8, "application/json"));
            var took = clock.Elapsed;
            answer = response.StatusCode;
            var text = await response.Content.ReadAsStringAsync();
            output.WriteLine($"answer after {took.TotalSeconds:F1} s: {(int)response.StatusCode} {text}");
            Assert.True(took < TimeSpan.FromSeconds(95), $"the follower took {took.TotalSeconds:F0} s to answer");
            switch (response.StatusCode)
            {
                case HttpStatusCode.InternalServerError:
                    Assert.Contains("IO Error trying to forward REST request", text);
                    break;
                case HttpStatusCode.Conflict:
                    break;
                case HttpStatusCode.Created:
                    // The follower's request waited out a rebalance that made a live worker the leader, which wrote it.
                    Assert.True(cluster.Workers.Any(w => w != leader && w.SaysLeader), $"201 while the leader was stopped, but no other worker leads:\n{cluster.Tails(20)}");
                    break;
                default:
                    Assert.Fail($"want 500 (IO Error trying to forward), 409, or 201 from a new leader; got {(int)response.StatusCode}: {text}");
                    break;
            }
        }
        finally
        {
            leader.Current.Resume();
        }

        // The old leader wakes up fenced and rejoins; every worker still has the connector and it runs. An answer of
        // 201 must be true on every worker.
        var expected = answer == HttpStatusCode.Created ? new[] { "survivor", "while-stopped" } : ["survivor"];
        foreach (var w in cluster.Workers)
        {
            await Eventually.WaitAsync(async () => expected.All((await w.ConnectorsAsync()).Contains), TimeSpan.FromSeconds(30),
                () => $"{w} does not list [{string.Join(",", expected)}]");
        }
        await cluster.WaitForStateAsync("survivor", 2, via: leader, timeoutSeconds: 60);
        output.WriteLine($"connectors after SIGCONT: {string.Join(",", await leader.ConnectorsAsync())}");
    }

    /// <summary>No worker logged a new "Joined generation" for two seconds (no rebalance under way or pending).</summary>
    private static async Task WaitForQuietGroupAsync(DistributedCluster cluster)
    {
        static int Joins(DistributedCluster c) => c.Running.Sum(w => w.Current.Output.Split('\n').Count(l => l.Contains("Joined generation", StringComparison.Ordinal)));
        var last = Joins(cluster);
        var quiet = Stopwatch.StartNew();
        var total = Stopwatch.StartNew();
        while (quiet.Elapsed < TimeSpan.FromSeconds(2) && total.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(200);
            var now = Joins(cluster);
            if (now != last)
            {
                last = now;
                quiet.Restart();
            }
        }
    }

    private static HttpRequestMessage Signed(byte[] body, byte[] key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connectors/signed/tasks") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Connect-Authorization", Convert.ToBase64String(HMACSHA256.HashData(key, body)));
        request.Headers.Add("X-Connect-Request-Signature-Algorithm", "HmacSHA256");
        return request;
    }
}
