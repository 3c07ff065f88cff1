using KafkaConnect.Broker.Groups;
using KafkaConnect.Protocol;

namespace KafkaConnect.Broker.Tests.Groups;

/// <summary>
/// A stable group survives a broker restart as Kafka's does (its metadata is in __consumer_offsets): members heartbeat
/// on with their ids and generation and keep their assignments; one that does not come back is expired as usual.
/// </summary>
public sealed class GroupRestartTests : GroupTestBase
{
    [Fact]
    public async Task A_stable_group_comes_back_with_its_members_generation_and_assignments()
    {
        var c = Open();
        var (a, b) = await StableTwoMembers(c);
        await c.DisposeAsync();

        var reopened = Open();
        var described = reopened.Describe(Group);
        Assert.Equal("Stable", described.State);
        Assert.Equal("consumer", described.ProtocolType);
        Assert.Equal("range", described.ProtocolName);
        Assert.Equal(new[] { a.MemberId, b.MemberId }.Order(), described.Members.Select(m => m.MemberId).Order());
        Assert.Equal([1], described.Members.Single(m => m.MemberId == a.MemberId).Assignment);
        Assert.Equal([2], described.Members.Single(m => m.MemberId == b.MemberId).Assignment);
        Assert.Equal("client", described.Members[0].ClientId);

        // Both carry on in the same generation: no rebalance.
        Assert.Equal(ErrorCode.None, reopened.Heartbeat(Group, a.GenerationId, a.MemberId, null));
        Assert.Equal(ErrorCode.None, reopened.Heartbeat(Group, b.GenerationId, b.MemberId, null));
        // A SyncGroup from the old generation (a member that was waiting for it) gets its assignment back.
        var resync = await Sync(reopened, b).WaitAsync(Wait);
        Assert.Equal(ErrorCode.None, resync.Error);
        Assert.Equal([2], resync.Assignment);
        // Offsets commit in that generation too.
        Assert.Equal(ErrorCode.None, (await reopened.CommitOffsetsAsync(Group, a.GenerationId, a.MemberId, null, [Offset("t", 0, 5)], CancellationToken.None)).Single().Error);
    }

    [Fact]
    public async Task A_member_that_does_not_come_back_is_expired_after_its_session_and_the_group_rebalances()
    {
        var c = Open();
        var (a, b) = await StableTwoMembers(c, sessionMs: 10_000);
        await c.DisposeAsync();

        var reopened = Open();
        Time.AdvanceMs(6_000);
        Assert.Equal(ErrorCode.None, reopened.Heartbeat(Group, a.GenerationId, a.MemberId, null));
        Time.AdvanceMs(6_000);
        // b never heartbeat to the restarted broker: gone, and a is told to rejoin.
        Assert.Equal(ErrorCode.RebalanceInProgress, reopened.Heartbeat(Group, a.GenerationId, a.MemberId, null));
        Assert.Equal(ErrorCode.UnknownMemberId, reopened.Heartbeat(Group, b.GenerationId, b.MemberId, null));
        var rejoined = await Join(reopened, JoinArgs(memberId: a.MemberId));
        Assert.Equal(ErrorCode.None, rejoined.Error);
        Assert.Equal(a.GenerationId + 1, rejoined.GenerationId);
        Assert.Single(rejoined.Members);
    }

    [Fact]
    public async Task Groups_whose_members_all_left_keep_no_membership_file_and_come_back_without_members()
    {
        var c = Open();
        var (a, b) = await StableTwoMembers(c);
        c.Leave(Group, [new LeaveGroupMember(a.MemberId, null), new LeaveGroupMember(b.MemberId, null)]);
        Assert.Equal("Empty", c.Describe(Group).State);
        var other = await c.JoinAsync(JoinArgs(group: "other"), CancellationToken.None).WaitAsync(Wait);
        Assert.Equal(ErrorCode.None, (await c.SyncAsync(new SyncGroupArgs
        {
            GroupId = "other",
            GenerationId = other.GenerationId,
            MemberId = other.MemberId,
            Assignments = [(other.MemberId, [1])],
        }, CancellationToken.None).WaitAsync(Wait)).Error);
        Assert.Equal(ErrorCode.NonEmptyGroup, await c.DeleteGroupAsync("other", CancellationToken.None));
        c.Leave("other", [new LeaveGroupMember(other.MemberId, null)]);
        Assert.Equal(ErrorCode.None, await c.DeleteGroupAsync("other", CancellationToken.None));
        await c.DisposeAsync();
        Assert.Empty(Directory.GetFiles(Path.Combine(DataDir, OffsetStore.DirectoryName, GroupStateStore.DirectoryName)));

        var reopened = Open();
        Assert.Equal(ErrorCode.UnknownMemberId, reopened.Heartbeat(Group, a.GenerationId, a.MemberId, null));
        Assert.Equal(ErrorCode.GroupIdNotFound, reopened.Describe("other").Error);
    }

    [Fact]
    public async Task A_static_member_keeps_its_instance_id_across_the_restart()
    {
        var c = Open();
        var joined = await JoinAlone(c, JoinArgs(instanceId: "worker-1"), assignment: [7]);
        await c.DisposeAsync();

        var reopened = Open();
        // The same instance restarting too (new member id, same instance id) takes its place without a rebalance.
        var again = await Join(reopened, JoinArgs(instanceId: "worker-1"));
        Assert.Equal(ErrorCode.None, again.Error);
        Assert.Equal(joined.GenerationId, again.GenerationId);
        Assert.NotEqual(joined.MemberId, again.MemberId);
        // The old id is fenced.
        Assert.Equal(ErrorCode.FencedInstanceId, reopened.Heartbeat(Group, joined.GenerationId, joined.MemberId, "worker-1"));
        var synced = await Sync(reopened, again).WaitAsync(Wait);
        Assert.Equal([7], synced.Assignment);
    }

    [Fact]
    public async Task A_damaged_state_file_is_ignored_and_the_group_starts_over()
    {
        var c = Open();
        var (a, _) = await StableTwoMembers(c);
        await c.DisposeAsync();
        var file = Assert.Single(Directory.GetFiles(Path.Combine(DataDir, OffsetStore.DirectoryName, GroupStateStore.DirectoryName)));
        var bytes = File.ReadAllBytes(file);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(file, bytes);

        var reopened = Open();
        Assert.Equal(ErrorCode.UnknownMemberId, reopened.Heartbeat(Group, a.GenerationId, a.MemberId, null));
        var fresh = await JoinAlone(reopened, JoinArgs());
        Assert.Equal(ErrorCode.None, reopened.Heartbeat(Group, fresh.GenerationId, fresh.MemberId, null));
    }

    [Fact]
    public void The_state_file_reads_back_what_was_written()
    {
        var snapshot = new GroupSnapshot("g", 7, "connect", "sessioned", "m-1",
        [
            new MemberSnapshot("m-1", null, "c1", "/127.0.0.1", 10_000, 60_000, [new GroupProtocol("sessioned", [1, 2]), new GroupProtocol("default", [])], [3, 4, 5]),
            new MemberSnapshot("m-2", "i-2", "c2", "/10.0.0.2", 45_000, 300_000, [new GroupProtocol("sessioned", [9])], []),
        ]);
        Assert.True(GroupStateStore.TryDecode(GroupStateStore.Encode(snapshot), out var read));
        Assert.Equal(snapshot.GroupId, read.GroupId);
        Assert.Equal(snapshot.GenerationId, read.GenerationId);
        Assert.Equal(snapshot.LeaderId, read.LeaderId);
        Assert.Equal(2, read.Members.Count);
        Assert.Equal("i-2", read.Members[1].GroupInstanceId);
        Assert.Null(read.Members[0].GroupInstanceId);
        Assert.Equal([1, 2], read.Members[0].Protocols[0].Metadata);
        Assert.Equal("default", read.Members[0].Protocols[1].Name);
        Assert.Equal([3, 4, 5], read.Members[0].Assignment);
        Assert.Equal(300_000, read.Members[1].RebalanceTimeoutMs);
        var truncated = GroupStateStore.Encode(snapshot)[..^3];
        Assert.False(GroupStateStore.TryDecode(truncated, out _));
    }
}
