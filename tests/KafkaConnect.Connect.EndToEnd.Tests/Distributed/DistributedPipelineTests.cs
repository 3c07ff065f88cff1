using System.Text.Json;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests.Distributed;

/// <summary>A three-worker cluster of real processes: a file pipeline made through followers, task spreading, Apache's internal topic formats.</summary>
public sealed class DistributedPipelineTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ThreeWorkers_PipelineCreatedThroughFollowers_LinesFlow_AndEveryWorkerReportsTheSameStatus()
    {
        await using var cluster = new DistributedCluster(output);
        await cluster.StartAsync();
        var leader = await cluster.LeaderAsync();
        var followers = cluster.Workers.Where(w => w != leader).ToList();
        output.WriteLine($"leader: {leader}; creating through {followers[0]} and {followers[1]}");

        var input = cluster.PathOf("input.txt");
        await File.WriteAllTextAsync(input, "");
        var sink = cluster.PathOf("sink.txt");
        await DistributedCluster.CreateConnectorAsync(followers[0], "pipe-source", new Dictionary<string, string>
        {
            ["connector.class"] = "FileStreamSource",
            ["tasks.max"] = "1",
            ["file"] = input,
            ["topic"] = "pipe",
        });
        await DistributedCluster.CreateConnectorAsync(followers[1], "pipe-sink", new Dictionary<string, string>
        {
            ["connector.class"] = "org.apache.kafka.connect.file.FileStreamSinkConnector",
            ["tasks.max"] = "1",
            ["file"] = sink,
            ["topics"] = "pipe",
        });
        await cluster.WaitForStateAsync("pipe-source", 1);
        await cluster.WaitForStateAsync("pipe-sink", 1);

        string[] lines = ["one", "two", "three", "four", "five"];
        foreach (var line in lines)
        {
            await File.AppendAllTextAsync(input, line + "\n");
        }
        await WaitForLinesAsync(cluster, sink, lines.Length);
        Assert.Equal(lines, SinkFile.CompleteLines(sink));
        Assert.Equal(lines, await TopicPayloadsAsync(cluster.BrokerServers, "pipe"));

        // Every worker lists both connectors and answers the same statuses, naming workers of this cluster.
        var ids = cluster.Workers.Select(w => w.Id).ToHashSet();
        foreach (var connector in new[] { "pipe-source", "pipe-sink" })
        {
            string[] answers = [];
            await Eventually.WaitAsync(async () =>
            {
                var statuses = await Task.WhenAll(cluster.Workers.Select(w => w.TryStatusAsync(connector)));
                answers = [.. statuses.Select(s => s?.Summary ?? "none")];
                return statuses.All(s => s is not null && s.AllRunning(1)) && answers.Distinct().Count() == 1;
            }, TimeSpan.FromSeconds(20), () => $"{connector}: workers disagree: {string.Join(" | ", answers)}");
            var status = (await cluster.Workers[0].TryStatusAsync(connector))!;
            output.WriteLine($"status on every worker: {status}");
            Assert.Contains(status.WorkerId, ids);
            Assert.All(status.Tasks, t => Assert.Contains(t.WorkerId, ids));
        }
        foreach (var w in cluster.Workers)
        {
            Assert.Equal(["pipe-sink", "pipe-source"], await w.ConnectorsAsync());
        }
    }

    [Fact]
    public async Task ThreeWorkers_SixTasks_SpreadTwoPerWorker()
    {
        await using var cluster = new DistributedCluster(output);
        await cluster.StartAsync();
        await DistributedCluster.CreateConnectorAsync(cluster.Workers[1], "spread", new Dictionary<string, string>
        {
            ["connector.class"] = "FileStreamSink",
            ["tasks.max"] = "6",
            ["file"] = cluster.PathOf("spread.txt"),
            ["topics"] = "spread",
        });
        var ids = cluster.Workers.Select(w => w.Id).Order(StringComparer.Ordinal).ToList();
        var status = await cluster.WaitForStatusAsync("spread",
            s => s.AllRunning(6) && s.Tasks.GroupBy(t => t.WorkerId).Count() == 3,
            "want 6 RUNNING tasks on three workers");
        output.WriteLine($"status: {status}");
        var perWorker = status.Tasks.GroupBy(t => t.WorkerId).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(ids, perWorker.Keys.Order(StringComparer.Ordinal).ToList());
        Assert.All(perWorker, kv => Assert.True(kv.Value == 2, $"{kv.Key} runs {kv.Value} tasks, want 2: {status}"));
        Assert.Equal([0, 1, 2, 3, 4, 5], status.Tasks.Select(t => t.Id));
    }

    [Fact]
    public async Task Kcat_ReadsTheInternalTopics_InApacheFormats()
    {
        await using var cluster = new DistributedCluster(output, workers: 2);
        await cluster.StartAsync();
        var input = cluster.PathOf("kcat-input.txt");
        await File.WriteAllTextAsync(input, "k1\nk2\nk3\n");
        await DistributedCluster.CreateConnectorAsync(cluster.Workers[0], "kc-source", new Dictionary<string, string>
        {
            ["connector.class"] = "FileStreamSource",
            ["tasks.max"] = "1",
            ["file"] = input,
            ["topic"] = "kc",
        });
        await cluster.WaitForStateAsync("kc-source", 1);
        await Eventually.WaitAsync(async () => (await TopicPayloadsAsync(cluster.BrokerServers, "kc")).Length >= 3,
            TimeSpan.FromSeconds(30), () => "the source did not write k1..k3");
        var servers = cluster.BrokerServers;

        // Offsets: key ["<connector>",{"filename":"<path>"}] → {"position":<bytes read>} (the 9 bytes of the file).
        var offsetKey = $"[\"kc-source\",{{\"filename\":{JsonSerializer.Serialize(input)}}}]";
        List<(string Key, string Value, int Partition)> offsets = [];
        await Eventually.WaitAsync(async () =>
        {
            offsets = await KcatCli.RecordsAsync(servers, DistributedCluster.OffsetTopic);
            return offsets.Any(r => r.Key == offsetKey && r.Value == "{\"position\":9}");
        }, TimeSpan.FromSeconds(30), () => $"no offset record {offsetKey} → {{\"position\":9}}: {Show(offsets)}");

        await DistributedCluster.PutAsync(cluster.Workers[1], "/connectors/kc-source/pause", System.Net.HttpStatusCode.Accepted);
        await cluster.WaitForStateAsync("kc-source", 1, "PAUSED");

        var configs = await KcatCli.RecordsAsync(servers, DistributedCluster.ConfigTopic);
        output.WriteLine("connect-configs:\n" + Show(configs));
        var connector = Latest(configs, "connector-kc-source");
        using (var doc = JsonDocument.Parse(connector))
        {
            var props = doc.RootElement.GetProperty("properties");
            Assert.Equal("FileStreamSource", props.GetProperty("connector.class").GetString());
            Assert.Equal(input, props.GetProperty("file").GetString());
            Assert.Equal("kc-source", props.GetProperty("name").GetString());
        }
        using (var doc = JsonDocument.Parse(Latest(configs, "task-kc-source-0")))
        {
            Assert.Equal(input, doc.RootElement.GetProperty("properties").GetProperty("file").GetString());
        }
        Assert.Equal("{\"tasks\":1}", Latest(configs, "commit-kc-source"));
        using (var doc = JsonDocument.Parse(Latest(configs, "target-state-kc-source")))
        {
            Assert.Equal("PAUSED", doc.RootElement.GetProperty("state").GetString());
            Assert.Equal("PAUSED", doc.RootElement.GetProperty("state.v2").GetString());
        }
        using (var doc = JsonDocument.Parse(Latest(configs, "session-key")))
        {
            Assert.Equal("HmacSHA256", doc.RootElement.GetProperty("algorithm").GetString());
            Assert.Equal(32, Convert.FromBase64String(doc.RootElement.GetProperty("key").GetString()!).Length);
            Assert.True(doc.RootElement.GetProperty("creation-timestamp").GetInt64() > 0);
        }

        var statuses = await KcatCli.RecordsAsync(servers, DistributedCluster.StatusTopic);
        output.WriteLine("connect-status:\n" + Show(statuses));
        var ids = cluster.Workers.Select(w => w.Id).ToHashSet();
        foreach (var key in new[] { "status-connector-kc-source", "status-task-kc-source-0" })
        {
            using var doc = JsonDocument.Parse(Latest(statuses, key));
            var root = doc.RootElement;
            Assert.Equal("PAUSED", root.GetProperty("state").GetString());
            Assert.Contains(root.GetProperty("worker_id").GetString()!, ids);
            Assert.True(root.TryGetProperty("trace", out _), $"{key} has no trace field: {root}");
            Assert.True(root.GetProperty("generation").GetInt32() >= 0);
        }
        output.WriteLine("connect-offsets:\n" + Show(offsets));
    }

    internal static string Latest(List<(string Key, string Value, int Partition)> records, string key)
    {
        var hit = records.LastOrDefault(r => r.Key == key);
        Assert.True(hit.Key == key, $"no record with key {key}; keys: {string.Join(", ", records.Select(r => r.Key).Distinct())}");
        return hit.Value;
    }

    internal static string Show(IEnumerable<(string Key, string Value, int Partition)> records) =>
        string.Join("\n", records.Select(r => $"  [{r.Partition}] {r.Key}\t{r.Value}"));

    /// <summary>The payloads of a topic written by the JsonConverter with schemas (one string per record), or [] before the topic exists.</summary>
    internal static async Task<string[]> TopicPayloadsAsync(string servers, string topic)
    {
        var (code, stdout, stderr) = await KcatCli.RunAsync(["-C", "-b", servers, "-t", topic, "-e", "-q", "-f", "%s\n"]);
        if (code != 0)
        {
            if (stderr.Contains("Unknown topic", StringComparison.OrdinalIgnoreCase) || stderr.Contains("UNKNOWN_TOPIC", StringComparison.OrdinalIgnoreCase))
            {
                return [];
            }
            throw new Xunit.Sdk.XunitException($"kcat -C -t {topic} exited {code}: {stderr}");
        }
        var text = System.Text.Encoding.UTF8.GetString(stdout);
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(v =>
        {
            using var doc = JsonDocument.Parse(v);
            return doc.RootElement.GetProperty("payload").GetString()!;
        })];
    }

    internal static Task WaitForLinesAsync(DistributedCluster cluster, string path, int count, int timeoutSeconds = 45) =>
        Eventually.WaitAsync(() => Task.FromResult(SinkFile.CompleteLines(path).Length >= count), TimeSpan.FromSeconds(timeoutSeconds),
            () => $"{path} has {SinkFile.CompleteLines(path).Length} lines, want {count}\n{cluster.Tails(30)}", pollMs: 100);
}
