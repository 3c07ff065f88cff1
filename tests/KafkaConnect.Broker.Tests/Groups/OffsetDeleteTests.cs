using KafkaConnect.Broker.Groups;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Tests.Groups;

public sealed class OffsetDeleteTests : GroupTestBase
{
    private static Task<IReadOnlyList<OffsetCommitPartitionResult>> SimpleCommit(GroupCoordinator c, params OffsetCommitEntry[] offsets) =>
        c.CommitOffsetsAsync(Group, -1, "", null, offsets, CancellationToken.None);

    private static Task<OffsetDeleteResult> Delete(GroupCoordinator c, params (string Topic, int Partition)[] partitions) =>
        c.DeleteOffsetsAsync(Group, partitions, CancellationToken.None);

    private static long Committed(GroupCoordinator c, string topic, int partition)
    {
        Assert.Equal(ErrorCode.None, c.FetchOffsets(Group, [new OffsetFetchTopic(topic, [partition])], out var offsets));
        return Assert.Single(offsets).Offset;
    }

    /// <summary>Consumer-protocol member metadata: int16 version, then a ConsumerProtocolSubscription.</summary>
    internal static byte[] Subscription(params string[] topics)
    {
        using var w = new ProtocolWriter();
        w.WriteInt16(1);
        new ConsumerProtocolSubscription { Topics = [.. topics] }.Write(w, 1);
        return w.WrittenSpan.ToArray();
    }

    private static JoinGroupArgs ConsumerJoin(params string[] topics) => new()
    {
        GroupId = Group,
        ClientId = "client",
        ClientHost = "/127.0.0.1",
        SessionTimeoutMs = 10_000,
        RebalanceTimeoutMs = 30_000,
        ProtocolType = "consumer",
        Protocols = [new GroupProtocol("range", Subscription(topics))],
        RequireKnownMemberId = false,
    };

    [Fact]
    public async Task Deletes_only_the_named_partitions_of_an_empty_group_durably()
    {
        var c = Open();
        await SimpleCommit(c, Offset("t", 0, 10), Offset("t", 1, 11), Offset("u", 0, 12));

        var r = await Delete(c, ("t", 1), ("t", 7));
        Assert.Equal(ErrorCode.None, r.Error);
        Assert.Equal([("t", 1, ErrorCode.None), ("t", 7, ErrorCode.None)], r.Partitions.Select(p => (p.Topic, p.Partition, p.Error)));
        Assert.Equal(-1, Committed(c, "t", 1));
        Assert.Equal(10, Committed(c, "t", 0));
        c.FetchOffsets(Group, null, out var all);
        Assert.Equal([("t", 0), ("u", 0)], all.Select(o => (o.Topic, o.Partition)));
        await c.DisposeAsync();

        var reopened = Open();
        Assert.Equal(-1, Committed(reopened, "t", 1));
        Assert.Equal(10, Committed(reopened, "t", 0));
        Assert.Equal(12, Committed(reopened, "u", 0));

        // A commit after the tombstone wins at the next replay.
        await SimpleCommit(reopened, Offset("t", 1, 5));
        await reopened.DisposeAsync();
        Assert.Equal(5, Committed(Open(), "t", 1));
    }

    [Fact]
    public async Task Deleting_every_offset_leaves_no_group_after_a_restart_and_compaction_keeps_them_deleted()
    {
        var c = Open(compactionMinBytes: 0);
        for (var i = 0; i < 20; i++) await SimpleCommit(c, Offset("t", 0, i), Offset("t", 1, 100 + i));
        Assert.Equal(ErrorCode.None, (await Delete(c, ("t", 0), ("t", 1))).Error);
        // The group itself is still there (Empty) until the restart, as after a commit-less join.
        Assert.Equal("Empty", c.Describe(Group).State);
        await c.DisposeAsync();

        var reopened = Open(compactionMinBytes: 0);
        Assert.Equal(-1, Committed(reopened, "t", 0));
        Assert.Equal(-1, Committed(reopened, "t", 1));
        Assert.Equal(ErrorCode.GroupIdNotFound, reopened.Describe(Group).Error);
        Assert.Equal(ErrorCode.GroupIdNotFound, (await Delete(reopened, ("t", 0))).Error);
        await reopened.DisposeAsync();
        Assert.Equal(-1, Committed(Open(), "t", 0));
    }

    [Fact]
    public async Task Topics_an_active_consumer_subscribes_to_are_refused_others_deleted()
    {
        var c = Open();
        var a = await JoinAlone(c, ConsumerJoin("t"));
        var commit = await c.CommitOffsetsAsync(Group, a.GenerationId, a.MemberId, null, [Offset("t", 0, 4), Offset("old", 0, 9)], CancellationToken.None);
        Assert.All(commit, x => Assert.Equal(ErrorCode.None, x.Error));

        var r = await Delete(c, ("t", 0), ("old", 0));
        Assert.Equal(ErrorCode.None, r.Error);
        Assert.Equal(ErrorCode.GroupSubscribedToTopic, r.Partitions[0].Error);
        Assert.Equal(ErrorCode.None, r.Partitions[1].Error);
        Assert.Equal(4, Committed(c, "t", 0));
        Assert.Equal(-1, Committed(c, "old", 0));

        // Once the member has left the group is Empty and the offset can go.
        c.Leave(Group, [new LeaveGroupMember(a.MemberId, null)]);
        Assert.Equal(ErrorCode.None, Assert.Single((await Delete(c, ("t", 0))).Partitions).Error);
        Assert.Equal(-1, Committed(c, "t", 0));
    }

    [Fact]
    public async Task A_non_consumer_group_with_members_is_not_empty()
    {
        var c = Open();
        await JoinAlone(c, JoinArgs(protocolType: "connect"));
        var r = await Delete(c, ("t", 0));
        Assert.Equal(ErrorCode.NonEmptyGroup, r.Error);
        Assert.Empty(r.Partitions);
    }

    [Fact]
    public async Task Unknown_invalid_and_unloaded()
    {
        var c = Open();
        Assert.Equal(ErrorCode.GroupIdNotFound, (await c.DeleteOffsetsAsync("nope", [("t", 0)], CancellationToken.None)).Error);
        Assert.Equal(ErrorCode.InvalidGroupId, (await c.DeleteOffsetsAsync("", [("t", 0)], CancellationToken.None)).Error);

        var unloaded = GroupCoordinator.Create(new GroupCoordinatorOptions { DataDirectory = DataDir + "-x" }, Time);
        Assert.Equal(ErrorCode.CoordinatorNotAvailable, (await unloaded.DeleteOffsetsAsync(Group, [("t", 0)], CancellationToken.None)).Error);
        await unloaded.DisposeAsync();
    }
}
