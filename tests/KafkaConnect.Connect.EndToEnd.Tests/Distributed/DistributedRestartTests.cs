using System.Net;
using System.Text;
using System.Text.Json;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests.Distributed;

/// <summary>State kept in the internal topics across a restart of the whole cluster, and seed 004's offset reset with kcat.</summary>
public sealed class DistributedRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task WholeClusterRestart_KeepsConnectorsTargetStatesAndSourceOffsets()
    {
        await using var cluster = new DistributedCluster(output, workerSettings: new Dictionary<string, string>
        {
            ["offset.flush.interval.ms"] = "500",
        });
        await cluster.StartAsync();
        var input = cluster.PathOf("restart.txt");
        await File.WriteAllTextAsync(input, "");
        var other = cluster.PathOf("other.txt");
        await File.WriteAllTextAsync(other, "");
        var sink = cluster.PathOf("restart.sink.txt");
        var pausedSink = cluster.PathOf("paused.sink.txt");
        var w = cluster.Workers;
        await DistributedCluster.CreateConnectorAsync(w[0], "restart-source", Source(input, "restart"));
        await DistributedCluster.CreateConnectorAsync(w[1], "restart-sink", Sink(sink, "restart"));
        await DistributedCluster.CreateConnectorAsync(w[2], "paused-sink", Sink(pausedSink, "restart"));
        await DistributedCluster.CreateConnectorAsync(w[0], "stopped-source", Source(other, "other"));
        foreach (var c in new[] { "restart-source", "restart-sink", "paused-sink", "stopped-source" })
        {
            await cluster.WaitForStateAsync(c, 1);
        }
        await DistributedCluster.PutAsync(w[1], "/connectors/paused-sink/pause", HttpStatusCode.Accepted);
        await DistributedCluster.PutAsync(w[2], "/connectors/stopped-source/stop", HttpStatusCode.NoContent);
        await cluster.WaitForStateAsync("paused-sink", 1, "PAUSED");
        await cluster.WaitForStateAsync("stopped-source", 0, "STOPPED");

        var first = Enumerable.Range(0, 100).Select(i => LineWriter.Line("before", i)).ToList();
        await File.AppendAllTextAsync(input, string.Concat(first.Select(l => l + "\n")));
        await File.AppendAllTextAsync(other, "other-1\nother-2\n");
        await DistributedPipelineTests.WaitForLinesAsync(cluster, sink, first.Count);
        // The source's offset for the whole file is committed before the workers go (so nothing may be read twice).
        var length = new FileInfo(input).Length;
        await WaitForOffsetAsync(cluster, "restart-source", input, length);

        // Checked at the end, so that one wrong state does not hide the rest of the restart's checks.
        List<string> findings = [];
        if (SinkFile.CompleteLines(pausedSink).Length != 0)
        {
            findings.Add($"the PAUSED sink wrote {Describe(pausedSink)} before the restart (its status said PAUSED before the lines were appended)");
        }
        var pausedBefore = SinkFile.CompleteLines(pausedSink).Length;

        await cluster.StopAllAsync();
        var second = Enumerable.Range(0, 50).Select(i => LineWriter.Line("while-down", i)).ToList();
        await File.AppendAllTextAsync(input, string.Concat(second.Select(l => l + "\n")));
        await DistributedCluster.StartWorkersAsync(cluster.Workers);

        // Connectors come back in their target states, on every worker.
        foreach (var worker in cluster.Workers)
        {
            Assert.Equal(["paused-sink", "restart-sink", "restart-source", "stopped-source"], await worker.ConnectorsAsync());
        }
        await cluster.WaitForStateAsync("restart-source", 1);
        await cluster.WaitForStateAsync("restart-sink", 1);
        await cluster.WaitForStateAsync("paused-sink", 1, "PAUSED");
        await cluster.WaitForStateAsync("stopped-source", 0, "STOPPED");

        var third = Enumerable.Range(0, 50).Select(i => LineWriter.Line("after", i)).ToList();
        await File.AppendAllTextAsync(input, string.Concat(third.Select(l => l + "\n")));
        List<string> all = [.. first, .. second, .. third];
        await DistributedPipelineTests.WaitForLinesAsync(cluster, sink, all.Count);

        // The source resumed at its committed offset: the topic holds every line once, in order.
        var topic = await DistributedPipelineTests.TopicPayloadsAsync(cluster.BrokerServers, "restart");
        var (missing, duplicates, unexpected) = SinkFile.Compare(all, topic);
        output.WriteLine($"topic 'restart': {topic.Length} records, {missing.Count} missing, {duplicates} duplicates");
        Assert.Equal(all, topic);
        // The sink committed its consumer offsets when it stopped: the file holds every line once too.
        await Task.Delay(1000);
        Assert.Equal(all, SinkFile.CompleteLines(sink));
        Assert.Empty(unexpected);
        // Still PAUSED / STOPPED after a while: the paused sink wrote nothing, the stopped source read nothing.
        await cluster.WaitForStateAsync("paused-sink", 1, "PAUSED");
        await cluster.WaitForStateAsync("stopped-source", 0, "STOPPED");
        if (SinkFile.CompleteLines(pausedSink).Length != pausedBefore)
        {
            findings.Add($"the PAUSED sink wrote more after the restart: now {Describe(pausedSink)}");
        }
        Assert.Empty(await DistributedPipelineTests.TopicPayloadsAsync(cluster.BrokerServers, "other"));
        Assert.True(findings.Count == 0, string.Join("\n", findings));
    }

    [Fact]
    public async Task Seed004_OffsetResetWithAKcatTombstone_SourceRereadsTheFile()
    {
        await using var cluster = new DistributedCluster(output, workers: 2, workerSettings: new Dictionary<string, string>
        {
            ["offset.flush.interval.ms"] = "500",
        });
        await cluster.StartAsync();
        var input = cluster.PathOf("reset.txt");
        await File.WriteAllTextAsync(input, "a1\na2\na3\n");
        var w = cluster.Workers;
        await DistributedCluster.CreateConnectorAsync(w[0], "reset-source", Source(input, "reset"));
        await cluster.WaitForStateAsync("reset-source", 1);
        await Eventually.WaitAsync(async () => (await DistributedPipelineTests.TopicPayloadsAsync(cluster.BrokerServers, "reset")).Length >= 3,
            TimeSpan.FromSeconds(30), () => "the source did not write a1..a3");
        await WaitForOffsetAsync(cluster, "reset-source", input, new FileInfo(input).Length);

        await DistributedCluster.PutAsync(w[1], "/connectors/reset-source/stop", HttpStatusCode.NoContent);
        await cluster.WaitForStateAsync("reset-source", 0, "STOPPED");

        // As the seed: kcat -C -t connect-offsets -f '%k %p\n', then the key's latest partition.
        var listing = await KcatCli.ConsumeAsync(cluster.BrokerServers, DistributedCluster.OffsetTopic, "%k %p\n");
        output.WriteLine("connect-offsets keys:\n" + listing);
        var line = listing.Split('\n').LastOrDefault(l => l.StartsWith("[\"reset-source\",", StringComparison.Ordinal));
        Assert.True(line is not null, "no key of reset-source in connect-offsets:\n" + listing);
        var split = line.LastIndexOf(' ');
        var key = line[..split];
        var partition = line[(split + 1)..];
        Assert.Equal($"[\"reset-source\",{{\"filename\":{JsonSerializer.Serialize(input)}}}]", key);

        // echo '<key>#' | kcat -b <broker> -t connect-offsets -P -Z -K# -p <partition>
        var (code, _, stderr) = await KcatCli.RunAsync(["-b", cluster.BrokerServers, "-t", DistributedCluster.OffsetTopic, "-P", "-Z", "-K#", "-p", partition],
            Encoding.UTF8.GetBytes(key + "#\n"));
        Assert.True(code == 0, $"kcat -P exited {code}: {stderr}");
        var records = await KcatCli.ConsumeAsync(cluster.BrokerServers, DistributedCluster.OffsetTopic, "%k %p %S\n");
        // The key's latest record is the tombstone (a null value: %S prints -1).
        Assert.Equal($"{key} {partition} -1", records.Split('\n').Last(l => l.StartsWith(key + " ", StringComparison.Ordinal)));

        await DistributedCluster.PutAsync(w[0], "/connectors/reset-source/resume", HttpStatusCode.Accepted);
        await cluster.WaitForStateAsync("reset-source", 1);
        await File.AppendAllTextAsync(input, "a4\n");
        string[] expected = ["a1", "a2", "a3", "a1", "a2", "a3", "a4"];
        string[] topic = [];
        await Eventually.WaitAsync(async () =>
        {
            topic = await DistributedPipelineTests.TopicPayloadsAsync(cluster.BrokerServers, "reset");
            return topic.Length >= expected.Length;
        }, TimeSpan.FromSeconds(30), () => $"after the reset the topic holds [{string.Join(",", topic)}], want [{string.Join(",", expected)}]\n{cluster.Tails(40)}");
        Assert.Equal(expected, topic);
    }

    private static string Describe(string path)
    {
        var lines = SinkFile.CompleteLines(path);
        return lines.Length == 0 ? "nothing" : $"{lines.Length} lines, {lines[0]} .. {lines[^1]}";
    }

    internal static Dictionary<string, string> Source(string file, string topic) => new()
    {
        ["connector.class"] = "FileStreamSource",
        ["tasks.max"] = "1",
        ["file"] = file,
        ["topic"] = topic,
    };

    internal static Dictionary<string, string> Sink(string file, string topics) => new()
    {
        ["connector.class"] = "FileStreamSink",
        ["tasks.max"] = "1",
        ["file"] = file,
        ["topics"] = topics,
    };

    /// <summary>Waits until connect-offsets' latest record for the file source says <c>{"position":N}</c>.</summary>
    internal static async Task WaitForOffsetAsync(DistributedCluster cluster, string connector, string file, long position)
    {
        var key = $"[\"{connector}\",{{\"filename\":{JsonSerializer.Serialize(file)}}}]";
        var latest = "";
        await Eventually.WaitAsync(async () =>
        {
            var records = await KcatCli.RecordsAsync(cluster.BrokerServers, DistributedCluster.OffsetTopic);
            latest = records.LastOrDefault(r => r.Key == key).Value ?? "";
            return latest == $"{{\"position\":{position}}}";
        }, TimeSpan.FromSeconds(30), () => $"{key}: latest offset {latest}, want position {position}");
    }
}
