using KafkaConnect.Broker.Groups;
using KafkaConnect.Protocol;

namespace KafkaConnect.Broker.Tests.Groups;

public sealed class GroupOffsetTests : GroupTestBase
{
    private static Task<IReadOnlyList<OffsetCommitPartitionResult>> SimpleCommit(GroupCoordinator c, params OffsetCommitEntry[] offsets) =>
        c.CommitOffsetsAsync(Group, -1, "", null, offsets, CancellationToken.None);

    private static CommittedOffset FetchOne(GroupCoordinator c, string topic, int partition)
    {
        Assert.Equal(ErrorCode.None, c.FetchOffsets(Group, [new OffsetFetchTopic(topic, [partition])], out var offsets));
        return Assert.Single(offsets);
    }

    [Fact]
    public async Task Member_commit_checks_generation_and_membership()
    {
        var c = Open();
        var (a, _) = await StableTwoMembers(c);
        var ok = await c.CommitOffsetsAsync(Group, a.GenerationId, a.MemberId, null, [Offset("t", 0, 42, "m")], CancellationToken.None);
        Assert.Equal(ErrorCode.None, Assert.Single(ok).Error);

        var stale = await c.CommitOffsetsAsync(Group, a.GenerationId - 1, a.MemberId, null, [Offset("t", 0, 50)], CancellationToken.None);
        Assert.Equal(ErrorCode.IllegalGeneration, stale[0].Error);
        var unknown = await c.CommitOffsetsAsync(Group, a.GenerationId, "ghost", null, [Offset("t", 0, 50)], CancellationToken.None);
        Assert.Equal(ErrorCode.UnknownMemberId, unknown[0].Error);
        // A simple (non-member) commit is refused while the group has members.
        Assert.Equal(ErrorCode.UnknownMemberId, (await SimpleCommit(c, Offset("t", 0, 50)))[0].Error);
        var missingGroup = await c.CommitOffsetsAsync("gone", 3, "m", null, [Offset("t", 0, 1)], CancellationToken.None);
        Assert.Equal(ErrorCode.IllegalGeneration, missingGroup[0].Error);

        var fetched = FetchOne(c, "t", 0);
        Assert.Equal(42, fetched.Offset);
        Assert.Equal("m", fetched.Metadata);
        Assert.Equal(3, fetched.LeaderEpoch);
        Assert.Equal(Time.GetUtcNow().ToUnixTimeMilliseconds(), fetched.CommitTimestampMs);
    }

    [Fact]
    public async Task Commit_during_completing_rebalance_is_refused_and_during_preparing_allowed()
    {
        var c = Open();
        var (a, b) = await StableTwoMembers(c);
        _ = c.JoinAsync(JoinArgs(), CancellationToken.None);
        // Members commit before rejoining (e.g. on partition revocation): still their generation.
        var revoked = await c.CommitOffsetsAsync(Group, b.GenerationId, b.MemberId, null, [Offset("t", 1, 7)], CancellationToken.None);
        Assert.Equal(ErrorCode.None, revoked[0].Error);
        _ = c.JoinAsync(JoinArgs(memberId: a.MemberId), CancellationToken.None);
        var b2 = await Join(c, JoinArgs(memberId: b.MemberId));
        var completing = await c.CommitOffsetsAsync(Group, b2.GenerationId, b2.MemberId, null, [Offset("t", 1, 8)], CancellationToken.None);
        Assert.Equal(ErrorCode.RebalanceInProgress, completing[0].Error);
    }

    [Fact]
    public async Task Simple_commit_creates_an_empty_group_and_fetch_reports_missing_partitions_as_minus_one()
    {
        var c = Open();
        var r = await SimpleCommit(c, Offset("t", 0, 10), Offset("t", 1, 11, "x"), Offset("u", 0, 12));
        Assert.All(r, x => Assert.Equal(ErrorCode.None, x.Error));
        c.ListGroups(null, out var groups);
        Assert.Equal(new GroupListing(Group, "", "Empty"), Assert.Single(groups));

        var missing = FetchOne(c, "t", 5);
        Assert.Equal(-1, missing.Offset);
        Assert.Equal(ErrorCode.None, missing.Error);
        Assert.Equal(ErrorCode.None, c.FetchOffsets("unknown-group", [new OffsetFetchTopic("t", [0])], out var none));
        Assert.Equal(-1, Assert.Single(none).Offset);

        Assert.Equal(ErrorCode.None, c.FetchOffsets(Group, null, out var all));
        Assert.Equal([("t", 0, 10L), ("t", 1, 11L), ("u", 0, 12L)], all.Select(o => (o.Topic, o.Partition, o.Offset)));
        Assert.Equal("x", all[1].Metadata);
        Assert.Equal("", all[0].Metadata);
        Assert.Equal(ErrorCode.InvalidGroupId, c.FetchOffsets("", null, out _));
    }

    [Fact]
    public async Task Oversized_metadata_is_rejected_per_partition()
    {
        var c = Open();
        var r = await SimpleCommit(c, Offset("t", 0, 1, new string('m', 4097)), Offset("t", 1, 2));
        Assert.Equal(ErrorCode.OffsetMetadataTooLarge, r[0].Error);
        Assert.Equal(ErrorCode.None, r[1].Error);
        Assert.Equal(-1, FetchOne(c, "t", 0).Offset);
    }

    [Fact]
    public async Task Offsets_survive_reopen()
    {
        var c = Open();
        await SimpleCommit(c, Offset("t", 0, 10, "meta"), Offset("t", 1, 20));
        await SimpleCommit(c, Offset("t", 0, 15, "later"));
        var committedAt = Time.GetUtcNow().ToUnixTimeMilliseconds();
        await c.DisposeAsync();

        Time.AdvanceMs(60_000);
        var reopened = Open();
        var t0 = FetchOne(reopened, "t", 0);
        Assert.Equal(15, t0.Offset);
        Assert.Equal("later", t0.Metadata);
        Assert.Equal(3, t0.LeaderEpoch);
        Assert.Equal(committedAt, t0.CommitTimestampMs);
        Assert.Equal(20, FetchOne(reopened, "t", 1).Offset);
        // The offsets-only group is known again after the restart.
        Assert.Equal("Empty", reopened.Describe(Group).State);
    }

    [Fact]
    public async Task Torn_tail_is_ignored_and_cut_so_later_commits_replay()
    {
        var c = Open();
        await SimpleCommit(c, Offset("t", 0, 1));
        var path = c.OffsetsLogPath;
        var goodLength = new FileInfo(path).Length;
        await SimpleCommit(c, Offset("t", 0, 2));
        await c.DisposeAsync();

        // Simulate a crash in the middle of writing the second entry.
        using (var f = new FileStream(path, FileMode.Open)) f.SetLength(f.Length - 3);
        var reopened = Open();
        Assert.Equal(1, FetchOne(reopened, "t", 0).Offset);
        Assert.Equal(goodLength, new FileInfo(path).Length);
        await SimpleCommit(reopened, Offset("t", 0, 3));
        await reopened.DisposeAsync();

        // Garbage (a bad CRC) after a valid entry is dropped the same way.
        File.AppendAllText(path, "not an entry at all");
        var third = Open();
        Assert.Equal(3, FetchOne(third, "t", 0).Offset);
    }

    [Fact]
    public async Task Concurrent_commits_all_become_durable()
    {
        var c = Open();
        var tasks = new List<Task<IReadOnlyList<OffsetCommitPartitionResult>>>();
        for (var i = 0; i < 64; i++) tasks.Add(SimpleCommit(c, Offset("t", i, i * 10)));
        foreach (var r in await Task.WhenAll(tasks).WaitAsync(Wait)) Assert.Equal(ErrorCode.None, r[0].Error);
        await c.DisposeAsync();

        var reopened = Open();
        reopened.FetchOffsets(Group, null, out var all);
        Assert.Equal(64, all.Count);
        Assert.All(all, o => Assert.Equal(o.Partition * 10L, o.Offset));
    }

    [Fact]
    public async Task Log_is_compacted_at_startup_when_mostly_dead()
    {
        var c = Open(compactionMinBytes: 0);
        for (var i = 0; i < 50; i++) await SimpleCommit(c, Offset("t", 0, i), Offset("t", 1, 1000 + i));
        var path = c.OffsetsLogPath;
        var before = new FileInfo(path).Length;
        await c.DisposeAsync();

        var reopened = Open(compactionMinBytes: 0);
        var after = new FileInfo(path).Length;
        Assert.True(after * 10 < before, $"{after} vs {before}");
        Assert.Equal(49, FetchOne(reopened, "t", 0).Offset);
        Assert.Equal(1049, FetchOne(reopened, "t", 1).Offset);
        await SimpleCommit(reopened, Offset("t", 0, 99));
        await reopened.DisposeAsync();
        Assert.Equal(99, FetchOne(Open(), "t", 0).Offset);
    }

    [Fact]
    public async Task Delete_group_requires_no_members_and_drops_offsets_durably()
    {
        var c = Open();
        Assert.Equal(ErrorCode.GroupIdNotFound, await c.DeleteGroupAsync("nope", CancellationToken.None));
        Assert.Equal(ErrorCode.InvalidGroupId, await c.DeleteGroupAsync("", CancellationToken.None));

        var a = await JoinAlone(c, JoinArgs());
        await c.CommitOffsetsAsync(Group, a.GenerationId, a.MemberId, null, [Offset("t", 0, 5)], CancellationToken.None);
        Assert.Equal(ErrorCode.NonEmptyGroup, await c.DeleteGroupAsync(Group, CancellationToken.None));

        c.Leave(Group, [new LeaveGroupMember(a.MemberId, null)]);
        Assert.Equal(ErrorCode.None, await c.DeleteGroupAsync(Group, CancellationToken.None));
        Assert.Equal(-1, FetchOne(c, "t", 0).Offset);
        Assert.Equal(ErrorCode.GroupIdNotFound, c.Describe(Group).Error);
        Assert.Equal(ErrorCode.GroupIdNotFound, await c.DeleteGroupAsync(Group, CancellationToken.None));

        // Offsets committed to a re-created group after the deletion stay.
        await SimpleCommit(c, Offset("u", 0, 8));
        await c.DisposeAsync();
        var reopened = Open();
        Assert.Equal(-1, FetchOne(reopened, "t", 0).Offset);
        Assert.Equal(8, FetchOne(reopened, "u", 0).Offset);
    }

    [Fact]
    public async Task Coordinator_not_loaded_answers_coordinator_not_available()
    {
        var c = GroupCoordinator.Create(new GroupCoordinatorOptions { DataDirectory = DataDir }, Time);
        Assert.Equal(ErrorCode.CoordinatorNotAvailable, (await Join(c, JoinArgs())).Error);
        Assert.Equal(ErrorCode.CoordinatorNotAvailable, c.FetchOffsets(Group, null, out _));
        await c.LoadAsync();
        Assert.True(c.IsLoaded);
        Assert.Equal(ErrorCode.None, c.FetchOffsets(Group, null, out _));
        await c.DisposeAsync();
    }
}
