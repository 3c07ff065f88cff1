using KafkaConnect.Broker.Groups;
using KafkaConnect.Protocol;

namespace KafkaConnect.Broker.Tests.Groups;

public sealed class GroupMembershipTests : GroupTestBase
{
    [Fact]
    public async Task Two_members_join_during_initial_delay_leader_gets_metadata_and_sync_delivers_assignments()
    {
        var c = Open(initialDelayMs: 3000);
        var aId = (await Join(c, JoinArgs(requireKnownMemberId: true))).MemberId;
        var bId = (await Join(c, JoinArgs(requireKnownMemberId: true))).MemberId;

        var aJoin = c.JoinAsync(JoinArgs(memberId: aId, requireKnownMemberId: true), CancellationToken.None);
        Time.AdvanceMs(1000);
        var bJoin = c.JoinAsync(JoinArgs(memberId: bId, requireKnownMemberId: true), CancellationToken.None);
        Time.AdvanceMs(1999);
        Assert.False(aJoin.IsCompleted);
        // The second member arrived during the delay, so the delay is extended once more.
        Time.AdvanceMs(1);
        Assert.False(aJoin.IsCompleted);
        Time.AdvanceMs(3000);

        var a = await aJoin.WaitAsync(Wait);
        var b = await bJoin.WaitAsync(Wait);
        Assert.Equal(ErrorCode.None, a.Error);
        Assert.Equal(1, a.GenerationId);
        Assert.Equal(1, b.GenerationId);
        Assert.Equal(aId, a.LeaderId);
        Assert.Equal(aId, b.LeaderId);
        Assert.Equal("consumer", a.ProtocolType);
        Assert.Equal("range", a.ProtocolName);
        Assert.Equal([aId, bId], a.Members.Select(m => m.MemberId));
        Assert.Equal(new byte[] { 5, 1, 2 }, a.Members[1].Metadata);
        Assert.Empty(b.Members);

        var bSync = Sync(c, b);
        Assert.False(bSync.IsCompleted);
        Assert.Equal("CompletingRebalance", c.Describe(Group).State);
        var aSync = await Sync(c, a, (aId, [1, 1]), (bId, [2, 2])).WaitAsync(Wait);
        Assert.Equal(new byte[] { 1, 1 }, aSync.Assignment);
        Assert.Equal(new byte[] { 2, 2 }, (await bSync.WaitAsync(Wait)).Assignment);

        var d = c.Describe(Group);
        Assert.Equal("Stable", d.State);
        Assert.Equal("range", d.ProtocolName);
        Assert.Equal(new byte[] { 2, 2 }, d.Members.Single(m => m.MemberId == bId).Assignment);
        Assert.Equal("/127.0.0.1", d.Members[0].ClientHost);
    }

    [Fact]
    public async Task Third_member_makes_heartbeats_report_rebalance_and_rejoin_yields_new_generation()
    {
        var c = Open();
        var (a, b) = await StableTwoMembers(c);
        var cJoin = c.JoinAsync(JoinArgs(), CancellationToken.None);

        Assert.Equal(ErrorCode.RebalanceInProgress, c.Heartbeat(Group, a.GenerationId, a.MemberId, null));
        Assert.Equal(ErrorCode.RebalanceInProgress, c.Heartbeat(Group, b.GenerationId, b.MemberId, null));
        var syncDuringRebalance = await Sync(c, b).WaitAsync(Wait);
        Assert.Equal(ErrorCode.RebalanceInProgress, syncDuringRebalance.Error);

        var aJoin = c.JoinAsync(JoinArgs(memberId: a.MemberId), CancellationToken.None);
        Assert.False(aJoin.IsCompleted);
        var b2 = await Join(c, JoinArgs(memberId: b.MemberId));
        var a2 = await aJoin.WaitAsync(Wait);
        var c2 = await cJoin.WaitAsync(Wait);
        Assert.Equal(a.GenerationId + 1, a2.GenerationId);
        Assert.Equal(a2.GenerationId, b2.GenerationId);
        Assert.Equal(a2.GenerationId, c2.GenerationId);
        Assert.Equal(3, a2.Members.Count);
        Assert.Equal(ErrorCode.IllegalGeneration, c.Heartbeat(Group, a.GenerationId, a.MemberId, null));
        Assert.Equal(ErrorCode.None, c.Heartbeat(Group, a2.GenerationId, a2.MemberId, null));
    }

    [Fact]
    public async Task Session_expiry_removes_the_silent_member_and_triggers_rebalance()
    {
        var c = Open();
        var (a, b) = await StableTwoMembers(c, sessionMs: 10_000);
        for (var i = 0; i < 3; i++)
        {
            Time.AdvanceMs(3000);
            Assert.Equal(ErrorCode.None, c.Heartbeat(Group, a.GenerationId, a.MemberId, null));
        }
        Time.AdvanceMs(3000);
        // b has been silent for 12 s > its 10 s session.
        Assert.Equal(ErrorCode.UnknownMemberId, c.Heartbeat(Group, b.GenerationId, b.MemberId, null));
        Assert.Equal(ErrorCode.RebalanceInProgress, c.Heartbeat(Group, a.GenerationId, a.MemberId, null));
        var a2 = await Join(c, JoinArgs(memberId: a.MemberId));
        Assert.Equal(a.GenerationId + 1, a2.GenerationId);
        Assert.Single(a2.Members);
    }

    [Fact]
    public async Task Member_missing_the_rebalance_timeout_is_dropped_from_the_new_generation()
    {
        var c = Open();
        var (a, b) = await StableTwoMembers(c);
        var cJoin = c.JoinAsync(JoinArgs(rebalanceMs: 20_000), CancellationToken.None);
        var aJoin = c.JoinAsync(JoinArgs(memberId: a.MemberId, rebalanceMs: 20_000), CancellationToken.None);
        for (var i = 0; i < 5; i++)
        {
            Time.AdvanceMs(5000);
            if (aJoin.IsCompleted) break;
        }
        var a2 = await aJoin.WaitAsync(Wait);
        Assert.Equal(ErrorCode.None, a2.Error);
        Assert.Equal(2, a2.Members.Count);
        Assert.DoesNotContain(a2.Members, m => m.MemberId == b.MemberId);
        Assert.Equal(ErrorCode.None, (await cJoin.WaitAsync(Wait)).Error);
        Assert.Equal(ErrorCode.UnknownMemberId, c.Heartbeat(Group, a2.GenerationId, b.MemberId, null));
    }

    [Fact]
    public async Task Leave_triggers_rebalance_and_last_leave_empties_the_group()
    {
        var c = Open();
        var (a, b) = await StableTwoMembers(c);
        var left = c.Leave(Group, [new LeaveGroupMember(b.MemberId, null), new LeaveGroupMember("nobody", null)]);
        Assert.Equal(ErrorCode.None, left.Error);
        Assert.Equal(ErrorCode.None, left.Members[0].Error);
        Assert.Equal(ErrorCode.UnknownMemberId, left.Members[1].Error);
        Assert.Equal(ErrorCode.RebalanceInProgress, c.Heartbeat(Group, a.GenerationId, a.MemberId, null));
        var a2 = await Join(c, JoinArgs(memberId: a.MemberId));
        Assert.Single(a2.Members);

        Assert.Equal(ErrorCode.None, c.Leave(Group, [new LeaveGroupMember(a2.MemberId, null)]).Members[0].Error);
        var d = c.Describe(Group);
        Assert.Equal("Empty", d.State);
        Assert.Empty(d.Members);
        Assert.Equal(ErrorCode.UnknownMemberId, c.Leave("other", [new LeaveGroupMember("x", null)]).Members[0].Error);
    }

    [Fact]
    public async Task Leaving_leader_hands_leadership_to_a_remaining_member()
    {
        var c = Open();
        var (a, b) = await StableTwoMembers(c);
        c.Leave(Group, [new LeaveGroupMember(a.MemberId, null)]);
        var b2 = await Join(c, JoinArgs(memberId: b.MemberId));
        Assert.Equal(b.MemberId, b2.LeaderId);
        Assert.Single(b2.Members);
    }

    [Fact]
    public async Task Member_id_required_flow()
    {
        var c = Open();
        var first = await Join(c, JoinArgs(requireKnownMemberId: true));
        Assert.Equal(ErrorCode.MemberIdRequired, first.Error);
        Assert.StartsWith("client-", first.MemberId, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.UnknownMemberId, c.Heartbeat(Group, 0, first.MemberId, null));

        var joined = await Join(c, JoinArgs(memberId: first.MemberId, requireKnownMemberId: true));
        Assert.Equal(ErrorCode.None, joined.Error);
        Assert.Equal(first.MemberId, joined.MemberId);
        Assert.Equal(first.MemberId, joined.LeaderId);

        Assert.Equal(ErrorCode.UnknownMemberId, (await Join(c, JoinArgs(memberId: "made-up"))).Error);
        Assert.Equal(ErrorCode.UnknownMemberId, (await Join(c, JoinArgs(memberId: "made-up", group: "nope"))).Error);
    }

    [Fact]
    public async Task Pending_member_that_never_rejoins_expires_and_does_not_block_the_rebalance()
    {
        var c = Open();
        var a = await JoinAlone(c, JoinArgs());
        var pending = await Join(c, JoinArgs(requireKnownMemberId: true, sessionMs: 6000));
        Assert.Equal(ErrorCode.MemberIdRequired, pending.Error);
        // A new member triggers a rebalance that would wait for the pending one as well.
        var bJoin = c.JoinAsync(JoinArgs(), CancellationToken.None);
        var aJoin = c.JoinAsync(JoinArgs(memberId: a.MemberId), CancellationToken.None);
        Assert.False(aJoin.IsCompleted);
        Time.AdvanceMs(6000);
        Assert.Equal(2, (await aJoin.WaitAsync(Wait)).Members.Count);
        Assert.Equal(ErrorCode.None, (await bJoin.WaitAsync(Wait)).Error);
        Assert.Equal(ErrorCode.UnknownMemberId, (await Join(c, JoinArgs(memberId: pending.MemberId))).Error);
    }

    [Fact]
    public async Task Static_member_rejoining_with_new_id_replaces_and_fences_the_old_one()
    {
        var c = Open();
        var a = await JoinAlone(c, JoinArgs(instanceId: "inst-a"), assignment: [7, 7]);
        Assert.StartsWith("inst-a-", a.MemberId, StringComparison.Ordinal);

        var replaced = await Join(c, JoinArgs(instanceId: "inst-a"));
        Assert.Equal(ErrorCode.None, replaced.Error);
        Assert.NotEqual(a.MemberId, replaced.MemberId);
        Assert.Equal(a.GenerationId, replaced.GenerationId);
        Assert.Equal(replaced.MemberId, replaced.LeaderId);
        Assert.True(replaced.SkipAssignment);

        Assert.Equal(ErrorCode.FencedInstanceId, c.Heartbeat(Group, a.GenerationId, a.MemberId, "inst-a"));
        Assert.Equal(ErrorCode.UnknownMemberId, c.Heartbeat(Group, a.GenerationId, a.MemberId, null));
        Assert.Equal(ErrorCode.None, c.Heartbeat(Group, replaced.GenerationId, replaced.MemberId, "inst-a"));
        var synced = await Sync(c, replaced).WaitAsync(Wait);
        Assert.Equal(new byte[] { 7, 7 }, synced.Assignment);
        Assert.Equal("Stable", c.Describe(Group).State);

        var commit = await c.CommitOffsetsAsync(Group, a.GenerationId, a.MemberId, "inst-a", [Offset("t", 0, 1)], CancellationToken.None);
        Assert.Equal(ErrorCode.FencedInstanceId, commit[0].Error);

        // Leaving by instance id alone (admin removal) empties the group.
        var left = c.Leave(Group, [new LeaveGroupMember("", "inst-a")]);
        Assert.Equal(ErrorCode.None, left.Members[0].Error);
        Assert.Equal("Empty", c.Describe(Group).State);
    }

    [Fact]
    public async Task Static_member_replaced_while_waiting_in_join_gets_fenced()
    {
        var c = Open();
        var (a, b) = await StableTwoMembers(c);
        var first = c.JoinAsync(JoinArgs(instanceId: "inst-s"), CancellationToken.None);
        Assert.False(first.IsCompleted);
        var second = c.JoinAsync(JoinArgs(instanceId: "inst-s"), CancellationToken.None);
        var fenced = await first.WaitAsync(Wait);
        Assert.Equal(ErrorCode.FencedInstanceId, fenced.Error);

        var aJoin = c.JoinAsync(JoinArgs(memberId: a.MemberId), CancellationToken.None);
        var b2 = await Join(c, JoinArgs(memberId: b.MemberId));
        var s2 = await second.WaitAsync(Wait);
        Assert.Equal(ErrorCode.None, s2.Error);
        Assert.Equal(b2.GenerationId, s2.GenerationId);
        var a2 = await aJoin.WaitAsync(Wait);
        Assert.Equal(3, a2.Members.Count);
        Assert.Contains(a2.Members, m => m.MemberId == s2.MemberId && m.GroupInstanceId == "inst-s");
        Assert.DoesNotContain(a2.Members, m => m.MemberId == fenced.MemberId);
    }

    [Fact]
    public async Task Protocol_selection_uses_member_votes_and_rejects_inconsistent_members()
    {
        var c = Open();
        var a = await JoinAlone(c, JoinArgs(protocols: ["range", "roundrobin"]));
        var bJoin = c.JoinAsync(JoinArgs(protocols: ["roundrobin", "range"]), CancellationToken.None);
        var cJoin = c.JoinAsync(JoinArgs(protocols: ["roundrobin", "sticky", "range"]), CancellationToken.None);

        var bad = await Join(c, JoinArgs(protocols: ["sticky"]));
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, bad.Error);
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, (await Join(c, JoinArgs(protocolType: "connect", protocols: ["range"]))).Error);
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, (await Join(c, JoinArgs(protocolType: ""))).Error);

        var a2 = await Join(c, JoinArgs(memberId: a.MemberId, protocols: ["range", "roundrobin"]));
        Assert.Equal("roundrobin", a2.ProtocolName);
        Assert.Equal("roundrobin", (await bJoin.WaitAsync(Wait)).ProtocolName);
        Assert.Equal("roundrobin", (await cJoin.WaitAsync(Wait)).ProtocolName);
        Assert.All(a2.Members, m => Assert.Equal(new byte[] { 10, 1, 2 }, m.Metadata));
    }

    [Fact]
    public async Task Connect_protocol_type_passes_opaque_bytes_through()
    {
        var c = Open();
        var args = JoinArgs(protocolType: "connect", protocols: ["sessioned", "compatible"]);
        var joined = await Join(c, args);
        Assert.Equal("connect", joined.ProtocolType);
        Assert.Equal("sessioned", joined.ProtocolName);
        var payload = new byte[] { 0, 1, 0, 42, 255 };
        var synced = await Sync(c, joined, (joined.MemberId, payload)).WaitAsync(Wait);
        Assert.Equal(payload, synced.Assignment);
        Assert.Equal("connect", synced.ProtocolType);
        Assert.Equal("sessioned", synced.ProtocolName);
    }

    [Fact]
    public async Task Sync_and_heartbeat_errors()
    {
        var c = Open();
        var (a, b) = await StableTwoMembers(c);
        var stale = await c.SyncAsync(new SyncGroupArgs { GroupId = Group, GenerationId = a.GenerationId - 1, MemberId = a.MemberId }, CancellationToken.None);
        Assert.Equal(ErrorCode.IllegalGeneration, stale.Error);
        var unknown = await c.SyncAsync(new SyncGroupArgs { GroupId = Group, GenerationId = a.GenerationId, MemberId = "x" }, CancellationToken.None);
        Assert.Equal(ErrorCode.UnknownMemberId, unknown.Error);
        var wrongProtocol = await c.SyncAsync(new SyncGroupArgs
        {
            GroupId = Group, GenerationId = a.GenerationId, MemberId = a.MemberId, ProtocolType = "connect",
        }, CancellationToken.None);
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, wrongProtocol.Error);
        var stableSync = await Sync(c, b).WaitAsync(Wait);
        Assert.Equal(new byte[] { 2 }, stableSync.Assignment);

        Assert.Equal(ErrorCode.UnknownMemberId, c.Heartbeat("missing", 1, "x", null));
        Assert.Equal(ErrorCode.InvalidGroupId, c.Heartbeat("", 1, "x", null));
        Assert.Equal(ErrorCode.IllegalGeneration, c.Heartbeat(Group, 99, a.MemberId, null));
    }

    [Fact]
    public async Task Join_validates_group_id_and_session_timeout()
    {
        var c = Open();
        Assert.Equal(ErrorCode.InvalidSessionTimeout, (await Join(c, JoinArgs(sessionMs: 5999))).Error);
        Assert.Equal(ErrorCode.InvalidSessionTimeout, (await Join(c, JoinArgs(sessionMs: 1_800_001))).Error);
        var args = JoinArgs();
        var noGroup = await c.JoinAsync(new JoinGroupArgs
        {
            GroupId = "", SessionTimeoutMs = 10_000, RebalanceTimeoutMs = 10_000, ProtocolType = "consumer", Protocols = args.Protocols,
        }, CancellationToken.None);
        Assert.Equal(ErrorCode.InvalidGroupId, noGroup.Error);
    }

    [Fact]
    public async Task Group_max_size_refuses_extra_members()
    {
        var c = GroupCoordinator.Open(new GroupCoordinatorOptions { DataDirectory = DataDir, InitialRebalanceDelayMs = 0, MaxGroupSize = 1 }, Time);
        await JoinAlone(c, JoinArgs());
        Assert.Equal(ErrorCode.GroupMaxSizeReached, (await Join(c, JoinArgs())).Error);
        await c.DisposeAsync();
    }

    [Fact]
    public async Task Follower_rejoining_a_stable_group_unchanged_gets_the_current_generation()
    {
        var c = Open();
        var (a, b) = await StableTwoMembers(c);
        var again = await Join(c, JoinArgs(memberId: b.MemberId));
        Assert.Equal(b.GenerationId, again.GenerationId);
        Assert.Equal(a.MemberId, again.LeaderId);
        Assert.Equal("Stable", c.Describe(Group).State);
    }

    [Fact]
    public async Task List_and_describe_groups()
    {
        var c = Open();
        await JoinAlone(c, JoinArgs());
        Assert.Equal(ErrorCode.None, c.ListGroups(null, out var all));
        var listing = Assert.Single(all);
        Assert.Equal(new GroupListing(Group, "consumer", "Stable"), listing);
        c.ListGroups(["empty"], out var empty);
        Assert.Empty(empty);
        c.ListGroups(["stable"], out var stable);
        Assert.Single(stable);

        var missing = c.Describe("nope");
        Assert.Equal(ErrorCode.GroupIdNotFound, missing.Error);
        Assert.Equal("Dead", missing.State);
    }

    [Fact]
    public async Task Dispose_fails_waiting_joins()
    {
        var c = Open();
        var (a, _) = await StableTwoMembers(c);
        var join = c.JoinAsync(JoinArgs(), CancellationToken.None);
        await c.DisposeAsync();
        Assert.Equal(ErrorCode.CoordinatorNotAvailable, (await join.WaitAsync(Wait)).Error);
        Assert.Equal(ErrorCode.CoordinatorNotAvailable, c.Heartbeat(Group, a.GenerationId, a.MemberId, null));
    }
}
