using System.Diagnostics;
using System.Text;
using KafkaConnect.Client.Consumer;

namespace KafkaConnect.Client.Tests.Consumer;

public sealed class ConsumerGroupTests : IClassFixture<BrokerFixture>
{
    private readonly BrokerFixture _broker;

    public ConsumerGroupTests(BrokerFixture broker) => _broker = broker;

    private async Task ProduceAsync(string topic, int from, int count, int partition = -1)
    {
        var sb = new StringBuilder();
        for (var i = from; i < from + count; i++) sb.Append("m").Append(i).Append('\n');
        var p = partition >= 0 ? $"-p {partition}" : "";
        var (code, _, err) = await ConsumerTestKit.RunAsync("kcat", $"-b {_broker.BootstrapServers} -P -t {topic} {p}", sb.ToString());
        Assert.True(code == 0, err);
    }

    [Fact]
    public async Task Commit_then_a_new_member_resumes_from_the_committed_offsets()
    {
        await ConsumerTestKit.CreateTopicAsync(_broker, "resume", 2);
        await ProduceAsync("resume", 0, 10, 0);
        await ProduceAsync("resume", 10, 10, 1);
        var config = ConsumerTestKit.Config(_broker, "resume-group", ("enable.auto.commit", "false"));
        await using (var first = new KafkaConsumer(config))
        {
            first.Subscribe(["resume"]);
            var got = await ConsumerTestKit.ConsumeAsync(first, 20);
            Assert.Equal(20, got.Count);
            await first.CommitAsync(new Dictionary<TopicPartition, long> { [new("resume", 0)] = 4, [new("resume", 1)] = 7 });
            var committed = await first.CommittedAsync([new("resume", 0), new("resume", 1)]);
            Assert.Equal(4, committed[new("resume", 0)]);
            Assert.Equal(7, committed[new("resume", 1)]);
        }
        await using var second = new KafkaConsumer(config);
        second.Subscribe(["resume"]);
        var rest = await ConsumerTestKit.ConsumeAsync(second, 6 + 3);
        Assert.True(9 == rest.Count, $"gen={second.Group!.Generation} stable={second.Group.IsStable} assigned={string.Join(",", second.Assignment)} pos={string.Join(",", second.Assignment.Select(second.Position))} got={rest.Count} {second.DescribeFetcher()}");
        Assert.Equal([4, 5, 6, 7, 8, 9], rest.Where(r => r.Partition == 0).Select(r => r.Offset));
        Assert.Equal([7, 8, 9], rest.Where(r => r.Partition == 1).Select(r => r.Offset));
    }

    [Fact]
    public async Task Auto_commit_on_close_is_picked_up_by_the_next_member()
    {
        await ConsumerTestKit.CreateTopicAsync(_broker, "autocommit", 1);
        await ProduceAsync("autocommit", 0, 5);
        var config = ConsumerTestKit.Config(_broker, "autocommit-group");
        await using (var first = new KafkaConsumer(config))
        {
            first.Subscribe(["autocommit"]);
            Assert.Equal(5, (await ConsumerTestKit.ConsumeAsync(first, 5)).Count);
        }
        await ProduceAsync("autocommit", 5, 2);
        await using var second = new KafkaConsumer(config);
        second.Subscribe(["autocommit"]);
        var got = await ConsumerTestKit.ConsumeAsync(second, 2);
        Assert.Equal([5L, 6L], got.Select(r => r.Offset));
    }

    [Fact]
    public async Task Auto_offset_reset_earliest_latest_and_none()
    {
        await ConsumerTestKit.CreateTopicAsync(_broker, "reset", 1);
        await ProduceAsync("reset", 0, 3);
        var tp = new TopicPartition("reset", 0);

        await using (var earliest = new KafkaConsumer(ConsumerTestKit.Config(_broker, "reset-e", ("auto.offset.reset", "earliest"))))
        {
            earliest.Subscribe(["reset"]);
            Assert.Equal([0L, 1L, 2L], (await ConsumerTestKit.ConsumeAsync(earliest, 3)).Select(r => r.Offset));
        }
        await using (var latest = new KafkaConsumer(ConsumerTestKit.Config(_broker, "reset-l", ("auto.offset.reset", "latest"))))
        {
            latest.Subscribe(["reset"]);
            Assert.Empty(await ConsumerTestKit.ConsumeAsync(latest, 1, TimeSpan.FromSeconds(2)));
            Assert.Equal(3, latest.Position(tp));
            await ProduceAsync("reset", 3, 1);
            Assert.Equal([3L], (await ConsumerTestKit.ConsumeAsync(latest, 1)).Select(r => r.Offset));
        }
        await using (var none = new KafkaConsumer(ConsumerTestKit.Config(_broker, "reset-n", ("auto.offset.reset", "none"))))
        {
            none.Subscribe(["reset"]);
            var ex = await Assert.ThrowsAsync<NoOffsetForPartitionException>(() => ConsumerTestKit.ConsumeAsync(none, 1));
            Assert.Equal(tp, ex.Partition);
        }
        // Out of range: seeking past the end resets by policy.
        await using var seeker = new KafkaConsumer(ConsumerTestKit.Config(_broker, null, ("auto.offset.reset", "earliest")));
        seeker.Assign([tp]);
        seeker.Seek(tp, 1000);
        Assert.Equal(0, (await ConsumerTestKit.ConsumeAsync(seeker, 1))[0].Offset);
    }

    [Fact]
    public async Task Pause_resume_and_seek()
    {
        await ConsumerTestKit.CreateTopicAsync(_broker, "pause", 1);
        await ProduceAsync("pause", 0, 10);
        var tp = new TopicPartition("pause", 0);
        await using var consumer = new KafkaConsumer(ConsumerTestKit.Config(_broker, null, ("max.poll.records", "3")));
        consumer.Assign([tp]);
        Assert.Equal([0L, 1L, 2L], (await consumer.PollAsync(TimeSpan.FromSeconds(5))).Select(r => r.Offset));
        consumer.Pause([tp]);
        Assert.Empty(await consumer.PollAsync(TimeSpan.FromMilliseconds(300)));
        consumer.Resume([tp]);
        Assert.Equal([3L, 4L, 5L], (await consumer.PollAsync(TimeSpan.FromSeconds(5))).Select(r => r.Offset));
        consumer.Seek(tp, 8);
        Assert.Equal([8L, 9L], (await consumer.PollAsync(TimeSpan.FromSeconds(5))).Select(r => r.Offset));
        await consumer.SeekToBeginningAsync([tp]);
        Assert.Equal(0, (await consumer.PollAsync(TimeSpan.FromSeconds(5)))[0].Offset);
        await consumer.SeekToEndAsync([tp]);
        Assert.Equal(10, consumer.Position(tp));
    }

    [Fact]
    public async Task Cooperative_sticky_group_moves_only_what_is_needed()
    {
        await ConsumerTestKit.CreateTopicAsync(_broker, "coop", 4);
        var config = ConsumerTestKit.Config(_broker, "coop-group", ("partition.assignment.strategy", "cooperative-sticky"));
        await using var a = new KafkaConsumer(config);
        a.Subscribe(["coop"]);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (a.Assignment.Count < 4 && DateTime.UtcNow < deadline) await a.PollAsync(TimeSpan.FromMilliseconds(100));
        Assert.Equal(4, a.Assignment.Count);
        await using var b = new KafkaConsumer(config);
        b.Subscribe(["coop"]);
        // Each member polls on its own, as applications do: a rebalance inside one poll waits for the other member.
        async Task PollLoop(KafkaConsumer c)
        {
            while ((a.Assignment.Count != 2 || b.Assignment.Count != 2) && DateTime.UtcNow < deadline)
                await c.PollAsync(TimeSpan.FromMilliseconds(100));
        }
        await Task.WhenAll(PollLoop(a), PollLoop(b));
        Assert.True(a.Assignment.Count == 2 && b.Assignment.Count == 2,
            $"a gen={a.Group!.Generation} stable={a.Group.IsStable} leader={a.Group.IsLeader} [{string.Join(",", a.Assignment)}] b gen={b.Group!.Generation} stable={b.Group.IsStable} [{string.Join(",", b.Assignment)}]");
        Assert.Empty(a.Assignment.Intersect(b.Assignment));
    }

    [Fact]
    public async Task Mixed_group_with_kafka_python_shares_partitions_and_rebalances_when_it_leaves()
    {
        await ConsumerTestKit.CreateTopicAsync(_broker, "mixed", 4);
        var script = Path.Combine(Path.GetTempPath(), $"kc-mixed-{Guid.NewGuid():N}.py");
        // The python member prints its assignment whenever it changes, and leaves cleanly when stdin closes.
        await File.WriteAllTextAsync(script, """
            import sys, threading
            from kafka import KafkaConsumer
            c = KafkaConsumer(bootstrap_servers=sys.argv[1], group_id=sys.argv[2], client_id='python-member',
                              heartbeat_interval_ms=200, session_timeout_ms=6000, max_poll_interval_ms=10000,
                              api_version=(2, 5, 0))
            c.subscribe(['mixed'])
            done = threading.Event()
            threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
            last = None
            while not done.is_set():
                c.poll(timeout_ms=100)
                now = sorted(tp.partition for tp in c.assignment())
                if now != last:
                    print('ASSIGNED', ','.join(map(str, now)), flush=True)
                    last = now
            c.close()
            print('CLOSED', flush=True)
            """);
        var psi = new ProcessStartInfo("/usr/bin/python3", $"{script} {_broker.BootstrapServers} mixed-group")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var python = Process.Start(psi)!;
        var pythonAssignment = "";
        var stderr = new StringBuilder();
        python.OutputDataReceived += (_, e) => { if (e.Data?.StartsWith("ASSIGNED ") == true) Volatile.Write(ref pythonAssignment, e.Data[9..]); };
        python.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        python.BeginOutputReadLine();
        python.BeginErrorReadLine();
        try
        {
            await using var ours = new KafkaConsumer(ConsumerTestKit.Config(_broker, "mixed-group"));
            ours.Subscribe(["mixed"]);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline && !(ours.Assignment.Count == 2 && Volatile.Read(ref pythonAssignment).Split(',', StringSplitOptions.RemoveEmptyEntries).Length == 2))
                await ours.PollAsync(TimeSpan.FromMilliseconds(100));
            var theirs = Volatile.Read(ref pythonAssignment).Split(',').Select(int.Parse).ToHashSet();
            Assert.True(ours.Assignment.Count == 2, $"ours={string.Join(",", ours.Assignment)} python={pythonAssignment} {stderr}");
            Assert.Equal(2, theirs.Count);
            Assert.Empty(ours.Assignment.Select(tp => tp.Partition).Intersect(theirs));
            Assert.Equal("range", ours.Group!.Protocol);

            python.StandardInput.Close();
            while (DateTime.UtcNow < deadline && ours.Assignment.Count != 4)
                await ours.PollAsync(TimeSpan.FromMilliseconds(100));
            Assert.Equal(4, ours.Assignment.Count);
        }
        finally
        {
            if (!python.HasExited) python.Kill(entireProcessTree: true);
            File.Delete(script);
        }
    }
}
