using System.Diagnostics;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests.Distributed;

/// <summary>Workers that die (SIGKILL) or leave (SIGTERM) while work runs: the others take it over, no line is lost.</summary>
public sealed class DistributedFailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task KillMinus9_OfTheSourceTasksWorker_WhileLinesStream_TaskMovesAndNoLineIsLost()
    {
        await using var cluster = new DistributedCluster(output, workerSettings: new Dictionary<string, string>
        {
            ["session.timeout.ms"] = "6000",
            ["heartbeat.interval.ms"] = "1000",
            ["scheduled.rebalance.max.delay.ms"] = "2000",
            ["offset.flush.interval.ms"] = "500",
        });
        await cluster.StartAsync();
        var input = cluster.PathOf("stream.txt");
        await File.WriteAllTextAsync(input, "");
        var sink = cluster.PathOf("stream.sink.txt");
        await DistributedCluster.CreateConnectorAsync(cluster.Workers[0], "stream-source", new Dictionary<string, string>
        {
            ["connector.class"] = "FileStreamSource",
            ["tasks.max"] = "1",
            ["file"] = input,
            ["topic"] = "stream",
        });
        await DistributedCluster.CreateConnectorAsync(cluster.Workers[0], "stream-sink", new Dictionary<string, string>
        {
            ["connector.class"] = "FileStreamSink",
            ["tasks.max"] = "1",
            ["file"] = sink,
            ["topics"] = "stream",
        });
        var before = await cluster.WaitForStateAsync("stream-source", 1);
        await cluster.WaitForStateAsync("stream-sink", 1);

        // About 1,000 lines a second from now until after the take-over.
        await using var writer = new LineWriter(input, "line");
        await DistributedPipelineTests.WaitForLinesAsync(cluster, sink, 300);
        before = (await cluster.Workers[0].TryStatusAsync("stream-source"))!;
        var victim = cluster.Workers.Single(w => w.Id == before.Tasks[0].WorkerId);
        output.WriteLine($"source task runs on {victim} (leader: {victim.SaysLeader}); sink: {(await cluster.Workers[0].TryStatusAsync("stream-sink"))!}; killing it after {writer.Written} lines");
        var clock = Stopwatch.StartNew();
        await victim.KillAsync();

        var survivors = cluster.Running.Select(w => w.Id).ToHashSet();
        var after = await cluster.WaitForStatusAsync("stream-source",
            s => s.Tasks.Count == 1 && s.Tasks[0].State == "RUNNING" && survivors.Contains(s.Tasks[0].WorkerId),
            "want the source task RUNNING on a surviving worker", via: cluster.Running.First(), timeoutSeconds: 60, pollMs: 50);
        var movedAfter = clock.Elapsed;
        output.WriteLine($"source task RUNNING on {after.Tasks[0].WorkerId} {movedAfter.TotalMilliseconds:F0} ms after SIGKILL (session.timeout.ms=6000, delay 2000)");
        await cluster.WaitForStateAsync("stream-sink", 1, via: cluster.Running.First(), timeoutSeconds: 60);

        // Keep writing a little on the new owner, then every written line must reach the sink file.
        var target = writer.Written + 500;
        await Eventually.WaitAsync(() => Task.FromResult(writer.Written >= target), TimeSpan.FromSeconds(30), () => "writer stalled");
        var written = await writer.StopAsync();
        var expected = writer.Expected.ToList();
        Assert.Equal(written, expected.Count);
        await Eventually.WaitAsync(() => Task.FromResult(SinkFile.Compare(expected, SinkFile.CompleteLines(sink)).Missing.Count == 0),
            TimeSpan.FromSeconds(60), () =>
            {
                var (missing, _, _) = SinkFile.Compare(expected, SinkFile.CompleteLines(sink));
                return $"{missing.Count} of {written} lines never reached the sink, first {string.Join(",", missing.Take(5))}\n{cluster.Tails(40)}";
            }, pollMs: 200);
        var (_, duplicates, unexpected) = SinkFile.Compare(expected, SinkFile.CompleteLines(sink));
        output.WriteLine($"{written} lines written, all in the sink; {duplicates} duplicate(s) (at-least-once after SIGKILL)");
        Assert.Empty(unexpected);
    }

    [Fact]
    public async Task GracefulSigterm_OfAWorkerRunningTasks_TasksRunElsewhereWithoutWaitingForTheDelay()
    {
        await using var cluster = new DistributedCluster(output, workerSettings: new Dictionary<string, string>
        {
            ["session.timeout.ms"] = "10000",
            ["heartbeat.interval.ms"] = "3000",
            ["scheduled.rebalance.max.delay.ms"] = "60000",
        });
        await cluster.StartAsync();
        await DistributedCluster.CreateConnectorAsync(cluster.Workers[0], "leave", new Dictionary<string, string>
        {
            ["connector.class"] = "FileStreamSink",
            ["tasks.max"] = "6",
            ["file"] = cluster.PathOf("leave.txt"),
            ["topics"] = "leave",
        });
        var status = await cluster.WaitForStatusAsync("leave", s => s.AllRunning(6) && s.Tasks.GroupBy(t => t.WorkerId).Count() == 3,
            "want 6 RUNNING tasks on three workers");
        var leaving = cluster.Workers.Single(w => w.Id == status.Tasks[0].WorkerId);
        var moving = status.Tasks.Where(t => t.WorkerId == leaving.Id).Select(t => t.Id).ToList();
        output.WriteLine($"SIGTERM to {leaving} (leader: {leaving.SaysLeader}) running tasks [{string.Join(",", moving)}]: {status}");
        var clock = Stopwatch.StartNew();
        var stopped = leaving.StopAsync();
        var survivor = cluster.Workers.First(w => w != leaving);
        var remaining = cluster.Workers.Where(w => w != leaving).Select(w => w.Id).ToHashSet();
        var after = await cluster.WaitForStatusAsync("leave", s => s.AllRunning(6) && s.Tasks.All(t => remaining.Contains(t.WorkerId)),
            "want all 6 tasks RUNNING on the two remaining workers", via: survivor, timeoutSeconds: 90, pollMs: 20);
        var moved = clock.Elapsed;
        await stopped;
        output.WriteLine($"tasks [{string.Join(",", moving)}] RUNNING elsewhere {moved.TotalMilliseconds:F0} ms after SIGTERM: {after}");
        // What the leaving worker told the others: its statuses in the status topic.
        var statuses = await KcatCli.RecordsAsync(cluster.BrokerServers, DistributedCluster.StatusTopic);
        output.WriteLine("connect-status:\n" + DistributedPipelineTests.Show(statuses.Where(r => r.Key.StartsWith("status-", StringComparison.Ordinal))));
        Assert.True(moved < TimeSpan.FromSeconds(5),
            $"a graceful leave took {moved.TotalMilliseconds:F0} ms to move its tasks (session.timeout.ms=10000, scheduled.rebalance.max.delay.ms=60000): it must not wait for the delay\n{cluster.Tails(40)}");
        Assert.Equal(3, after.Tasks.Select(t => t.WorkerId).Where(remaining.Contains).GroupBy(id => id).Max(g => g.Count()));
    }
}
