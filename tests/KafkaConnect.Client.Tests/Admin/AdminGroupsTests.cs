using System.Diagnostics;
using KafkaConnect.Client.Admin;
using KafkaConnect.Client.Consumer;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;
using static KafkaConnect.Client.Tests.Admin.AdminTestSupport;

namespace KafkaConnect.Client.Tests.Admin;

public sealed class AdminGroupsTests : IClassFixture<BrokerFixture>
{
    // A kafka-python consumer: joins the group, reads N records, commits, says "ready", stays in the group
    // (its heartbeat thread keeps it alive) until a line arrives on stdin, then leaves. Mode "committed" only
    // prints the group's committed offsets as kafka-python sees them.
    private const string Script = """
        import sys
        from kafka import KafkaConsumer, TopicPartition
        mode, bs, topic, group, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
        if mode == "committed":
            c = KafkaConsumer(bootstrap_servers=bs, group_id=group, enable_auto_commit=False)
            print(",".join(str(c.committed(TopicPartition(topic, p))) for p in range(n)), flush=True)
            c.close()
            sys.exit(0)
        c = KafkaConsumer(topic, bootstrap_servers=bs, group_id=group, client_id="py-admin-test",
                          auto_offset_reset="earliest", enable_auto_commit=False)
        got = 0
        while got < n:
            for tp, msgs in c.poll(timeout_ms=500).items():
                got += len(msgs)
        c.commit()
        print("ready", flush=True)
        sys.stdin.readline()
        c.close()
        print("closed", flush=True)
        """;

    private readonly BrokerFixture _broker;

    public AdminGroupsTests(BrokerFixture broker) => _broker = broker;

    private static string ScriptPath()
    {
        var path = Path.Combine(Path.GetTempPath(), "kc-admin-group-consumer.py");
        var text = string.Join('\n', Script.Split('\n'));
        if (!File.Exists(path) || File.ReadAllText(path) != text) File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Consumer_groups_are_listed_described_altered_and_deleted()
    {
        await using var admin = NewAdmin(_broker);
        var topic = Unique("grp-topic");
        var group = Unique("grp");
        await admin.CreateTopicsAsync([new NewTopic(topic, 2, 1)]);
        await ProduceWithKcatAsync(_broker, topic, 0, Enumerable.Range(0, 3).Select(i => $"a{i}"));
        await ProduceWithKcatAsync(_broker, topic, 1, Enumerable.Range(0, 4).Select(i => $"b{i}"));
        var p0 = new TopicPartition(topic, 0);
        var p1 = new TopicPartition(topic, 1);

        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { ScriptPath(), "consume", _broker.BootstrapServers, topic, group, "7" }) psi.ArgumentList.Add(a);
        using var python = Process.Start(psi)!;
        var stderr = python.StandardError.ReadToEndAsync();
        try
        {
            var ready = await python.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(ready == "ready", $"consumer said '{ready}': {(python.HasExited ? await stderr : "")}");

            var listed = await admin.ListGroupsAsync();
            var listing = Assert.Single(listed, g => g.GroupId == group);
            Assert.Equal("consumer", listing.ProtocolType);
            Assert.Equal("Stable", listing.State);
            Assert.Contains(await admin.ListGroupsAsync(["Stable"]), g => g.GroupId == group);
            Assert.DoesNotContain(await admin.ListGroupsAsync(["Empty"]), g => g.GroupId == group);

            var d = (await admin.DescribeGroupsAsync([group]))[group];
            Assert.Equal("Stable", d.State);
            Assert.Equal("consumer", d.ProtocolType);
            Assert.False(string.IsNullOrEmpty(d.Protocol));
            Assert.Equal(_broker.Broker.EndPoint.Port, d.Coordinator.Port);
            var member = Assert.Single(d.Members);
            Assert.Equal("py-admin-test", member.ClientId);
            Assert.Equal([topic], member.SubscribedTopics!);
            Assert.Equal([p0, p1], member.Assignment!.OrderBy(tp => tp));

            var committed = await admin.ListConsumerGroupOffsetsAsync(group);
            Assert.Equal(3, committed[p0].Offset);
            Assert.Equal(4, committed[p1].Offset);
            Assert.Equal(3, (await admin.ListConsumerGroupOffsetsAsync(group, [p0]))[p0].Offset);

            var ex = await Assert.ThrowsAsync<KafkaException>(() => admin.AlterConsumerGroupOffsetsAsync(group, new Dictionary<TopicPartition, OffsetAndMetadata> { [p0] = new(0) }));
            Assert.False(ex.IsRetriable);
            Assert.Contains("active members", ex.Message);
            ex = await Assert.ThrowsAsync<KafkaException>(() => admin.DeleteGroupsAsync([group]));
            Assert.Equal(ErrorCode.NonEmptyGroup, ex.Error);

            await python.StandardInput.WriteLineAsync("leave");
            await python.StandardInput.FlushAsync();
            Assert.Equal("closed", await python.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));
            await python.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            if (!python.HasExited) python.Kill(entireProcessTree: true);
        }

        var after = (await admin.DescribeGroupsAsync([group]))[group];
        Assert.Equal("Empty", after.State);
        Assert.Empty(after.Members);

        await admin.AlterConsumerGroupOffsetsAsync(group, new Dictionary<TopicPartition, OffsetAndMetadata>
        {
            [p0] = new(1, "rewound"),
            [p1] = new(2),
        });
        var altered = await admin.ListConsumerGroupOffsetsAsync(group);
        Assert.Equal(1, altered[p0].Offset);
        Assert.Equal("rewound", altered[p0].Metadata);
        Assert.Equal(2, altered[p1].Offset);
        // A real client sees the new positions.
        var seen = await RunAsync("/usr/bin/python3", [ScriptPath(), "committed", _broker.BootstrapServers, topic, group, "2"]);
        Assert.Equal("1,2", seen.Trim());

        await admin.DeleteGroupsAsync([group]);
        Assert.DoesNotContain(await admin.ListGroupsAsync(), g => g.GroupId == group);
        Assert.Empty(await admin.ListConsumerGroupOffsetsAsync(group));
        var gone = await Assert.ThrowsAsync<KafkaException>(() => admin.DeleteGroupsAsync([group]));
        Assert.Equal(ErrorCode.GroupIdNotFound, gone.Error);
    }

    [Fact]
    public async Task Offsets_can_be_set_for_a_group_that_never_ran_and_unknown_groups_are_dead()
    {
        await using var admin = NewAdmin(_broker);
        var topic = Unique("grp-fresh-topic");
        var group = Unique("grp-fresh");
        await admin.CreateTopicsAsync([new NewTopic(topic, 1, 1)]);
        var tp = new TopicPartition(topic, 0);

        var d = (await admin.DescribeGroupsAsync([group]))[group];
        Assert.Equal("Dead", d.State);
        Assert.Empty(d.Members);
        Assert.Empty(await admin.ListConsumerGroupOffsetsAsync(group));

        await admin.AlterConsumerGroupOffsetsAsync(group, new Dictionary<TopicPartition, OffsetAndMetadata> { [tp] = new(0) });
        Assert.Equal(0, (await admin.ListConsumerGroupOffsetsAsync(group))[tp].Offset);
        await admin.DeleteGroupsAsync([group]);
    }

    [Fact]
    public void Consumer_protocol_assignments_are_decoded_with_their_version_prefix()
    {
        var assignment = new ConsumerProtocolAssignment
        {
            AssignedPartitions = [new ConsumerProtocolAssignment.TopicPartition { Topic = "t", Partitions = [2, 0] }],
            UserData = [1, 2, 3],
        };
        using var w = new ProtocolWriter(256);
        w.WriteInt16(3);
        assignment.Write(w, 3);
        Assert.Equal([new TopicPartition("t", 2), new TopicPartition("t", 0)], KafkaAdminClient.DecodeAssignment(w.WrittenMemory.ToArray())!);

        // A newer version may append fields: it is read as the newest known one.
        w.Reset();
        w.WriteInt16(9);
        assignment.Write(w, 3);
        w.WriteInt32(42);
        Assert.Equal(2, KafkaAdminClient.DecodeAssignment(w.WrittenMemory.ToArray())!.Count);

        Assert.Empty(KafkaAdminClient.DecodeAssignment([])!);
        Assert.Null(KafkaAdminClient.DecodeAssignment([0, 0, 0, 0, 0, 5]));
    }
}
