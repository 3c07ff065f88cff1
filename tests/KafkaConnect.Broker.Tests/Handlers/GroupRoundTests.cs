using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Tests.Handlers;

/// <summary>A consumer's whole group life through the dispatcher, with group.initial.rebalance.delay.ms=0.</summary>
public sealed class GroupRoundTests : HandlerTestBase
{
    public sealed record Versions(short Join, short Sync, short Heartbeat, short Commit, short Fetch, short Leave, short Describe, short List, short Delete);

    public static TheoryData<Versions> Rounds => new()
    {
        new Versions(Join: 1, Sync: 0, Heartbeat: 0, Commit: 2, Fetch: 1, Leave: 0, Describe: 0, List: 0, Delete: 0),
        new Versions(Join: 5, Sync: 3, Heartbeat: 3, Commit: 6, Fetch: 5, Leave: 3, Describe: 3, List: 3, Delete: 1),
        new Versions(Join: 6, Sync: 4, Heartbeat: 4, Commit: 7, Fetch: 7, Leave: 4, Describe: 4, List: 4, Delete: 2),
        new Versions(Join: 9, Sync: 5, Heartbeat: 4, Commit: 8, Fetch: 8, Leave: 5, Describe: 5, List: 5, Delete: 2),
    };

    private const string Group = "connect-cluster";

    [Theory]
    [MemberData(nameof(Rounds))]
    public async Task Join_sync_heartbeat_commit_fetch_leave_delete(Versions v)
    {
        Broker.CreateTopic("in", 2);
        byte[] metadata = [0, 1, 2, 3];
        var join = new JoinGroupRequest
        {
            GroupId = Group,
            SessionTimeoutMs = 10_000,
            RebalanceTimeoutMs = 30_000,
            MemberId = "",
            ProtocolType = "consumer",
            Protocols = [new() { Name = "range", Metadata = metadata }],
            Reason = "test",
        };

        var joined = await Broker.SendAsync<JoinGroupResponse>(ApiKey.JoinGroup, v.Join, join);
        if (v.Join >= 4)
        {
            // KIP-394: a new member first learns its id, then joins with it.
            Assert.Equal(ErrorCode.MemberIdRequired, (ErrorCode)joined.ErrorCode);
            Assert.NotEmpty(joined.MemberId);
            join.MemberId = joined.MemberId;
            joined = await Broker.SendAsync<JoinGroupResponse>(ApiKey.JoinGroup, v.Join, join);
        }
        Assert.Equal(ErrorCode.None, (ErrorCode)joined.ErrorCode);
        Assert.Equal(1, joined.GenerationId);
        Assert.Equal("range", joined.ProtocolName);
        Assert.Equal(joined.MemberId, joined.Leader);
        var member = Assert.Single(joined.Members);
        Assert.Equal(joined.MemberId, member.MemberId);
        Assert.Equal(metadata, member.Metadata);
        if (v.Join >= 7) Assert.Equal("consumer", joined.ProtocolType);

        byte[] assignment = [9, 8, 7];
        var synced = await Broker.SendAsync<SyncGroupResponse>(ApiKey.SyncGroup, v.Sync, new SyncGroupRequest
        {
            GroupId = Group,
            GenerationId = joined.GenerationId,
            MemberId = joined.MemberId,
            ProtocolType = "consumer",
            ProtocolName = "range",
            Assignments = [new() { MemberId = joined.MemberId, Assignment = assignment }],
        });
        Assert.Equal(ErrorCode.None, (ErrorCode)synced.ErrorCode);
        Assert.Equal(assignment, synced.Assignment);

        var beat = await Broker.SendAsync<HeartbeatResponse>(ApiKey.Heartbeat, v.Heartbeat, new HeartbeatRequest
        {
            GroupId = Group, GenerationId = joined.GenerationId, MemberId = joined.MemberId,
        });
        Assert.Equal(ErrorCode.None, (ErrorCode)beat.ErrorCode);
        var stale = await Broker.SendAsync<HeartbeatResponse>(ApiKey.Heartbeat, v.Heartbeat, new HeartbeatRequest
        {
            GroupId = Group, GenerationId = joined.GenerationId + 5, MemberId = joined.MemberId,
        });
        Assert.Equal(ErrorCode.IllegalGeneration, (ErrorCode)stale.ErrorCode);

        var committed = await Broker.SendAsync<OffsetCommitResponse>(ApiKey.OffsetCommit, v.Commit, new OffsetCommitRequest
        {
            GroupId = Group,
            GenerationIdOrMemberEpoch = joined.GenerationId,
            MemberId = joined.MemberId,
            Topics = [new() { Name = "in", Partitions = [new() { PartitionIndex = 0, CommittedOffset = 42, CommittedMetadata = "m0" }, new() { PartitionIndex = 1, CommittedOffset = 7, CommittedMetadata = null }] }],
        });
        var ct = Assert.Single(committed.Topics);
        Assert.Equal("in", ct.Name);
        Assert.All(ct.Partitions, p => Assert.Equal(ErrorCode.None, (ErrorCode)p.ErrorCode));

        var wrongGeneration = await Broker.SendAsync<OffsetCommitResponse>(ApiKey.OffsetCommit, v.Commit, new OffsetCommitRequest
        {
            GroupId = Group,
            GenerationIdOrMemberEpoch = joined.GenerationId + 1,
            MemberId = joined.MemberId,
            Topics = [new() { Name = "in", Partitions = [new() { PartitionIndex = 0, CommittedOffset = 99 }] }],
        });
        Assert.Equal(ErrorCode.IllegalGeneration, (ErrorCode)wrongGeneration.Topics[0].Partitions[0].ErrorCode);

        var fetched = await FetchOffsets(v.Fetch, "in", [0, 1, 2]);
        Assert.Equal([(0, 42L), (1, 7L), (2, -1L)], fetched.Select(p => (p.Partition, p.Offset)));
        Assert.Equal("m0", fetched[0].Metadata);
        Assert.All(fetched, p => Assert.Equal(ErrorCode.None, p.Error));

        var described = await Broker.SendAsync<DescribeGroupsResponse>(ApiKey.DescribeGroups, v.Describe, new DescribeGroupsRequest { Groups = [Group, "nobody"] });
        Assert.Equal("Stable", described.Groups[0].GroupState);
        Assert.Equal("consumer", described.Groups[0].ProtocolType);
        Assert.Equal("range", described.Groups[0].ProtocolData);
        var dm = Assert.Single(described.Groups[0].Members);
        Assert.Equal(assignment, dm.MemberAssignment);
        Assert.Equal("test-client", dm.ClientId);
        Assert.Equal("/127.0.0.1", dm.ClientHost);
        Assert.Equal("Dead", described.Groups[1].GroupState);

        // Still a member: the group cannot be deleted.
        var busy = await Broker.SendAsync<DeleteGroupsResponse>(ApiKey.DeleteGroups, v.Delete, new DeleteGroupsRequest { GroupsNames = [Group] });
        Assert.Equal(ErrorCode.NonEmptyGroup, (ErrorCode)busy.Results[0].ErrorCode);

        var left = await Broker.SendAsync<LeaveGroupResponse>(ApiKey.LeaveGroup, v.Leave, new LeaveGroupRequest
        {
            GroupId = Group,
            MemberId = joined.MemberId,
            Members = [new() { MemberId = joined.MemberId }],
        });
        Assert.Equal(ErrorCode.None, (ErrorCode)left.ErrorCode);
        if (v.Leave >= 3) Assert.Equal(ErrorCode.None, (ErrorCode)Assert.Single(left.Members).ErrorCode);

        var listed = await Broker.SendAsync<ListGroupsResponse>(ApiKey.ListGroups, v.List, new ListGroupsRequest());
        var lg = Assert.Single(listed.Groups);
        Assert.Equal(Group, lg.GroupId);
        Assert.Equal("consumer", lg.ProtocolType);
        if (v.List >= 4) Assert.Equal("Empty", lg.GroupState);

        // Offsets outlive the members.
        Assert.Equal(42, (await FetchOffsets(v.Fetch, "in", [0]))[0].Offset);

        var deleted = await Broker.SendAsync<DeleteGroupsResponse>(ApiKey.DeleteGroups, v.Delete, new DeleteGroupsRequest { GroupsNames = [Group] });
        Assert.Equal(ErrorCode.None, (ErrorCode)deleted.Results[0].ErrorCode);
        Assert.Equal(-1, (await FetchOffsets(v.Fetch, "in", [0]))[0].Offset);
        Assert.Empty((await Broker.SendAsync<ListGroupsResponse>(ApiKey.ListGroups, v.List, new ListGroupsRequest())).Groups);
    }

    private sealed record FetchedOffset(int Partition, long Offset, string? Metadata, ErrorCode Error);

    private async Task<List<FetchedOffset>> FetchOffsets(short version, string topic, List<int> partitions)
    {
        if (version >= 8)
        {
            var r = await Broker.SendAsync<OffsetFetchResponse>(ApiKey.OffsetFetch, version, new OffsetFetchRequest
            {
                Groups = [new() { GroupId = Group, Topics = [new() { Name = topic, PartitionIndexes = partitions }] }],
            });
            var g = Assert.Single(r.Groups);
            Assert.Equal(ErrorCode.None, (ErrorCode)g.ErrorCode);
            return Assert.Single(g.Topics).Partitions.Select(p => new FetchedOffset(p.PartitionIndex, p.CommittedOffset, p.Metadata, (ErrorCode)p.ErrorCode)).ToList();
        }
        var old = await Broker.SendAsync<OffsetFetchResponse>(ApiKey.OffsetFetch, version, new OffsetFetchRequest
        {
            GroupId = Group,
            Topics = [new() { Name = topic, PartitionIndexes = partitions }],
        });
        if (version >= 2) Assert.Equal(ErrorCode.None, (ErrorCode)old.ErrorCode);
        return Assert.Single(old.Topics).Partitions.Select(p => new FetchedOffset(p.PartitionIndex, p.CommittedOffset, p.Metadata, (ErrorCode)p.ErrorCode)).ToList();
    }

    [Fact]
    public async Task Simple_commit_without_a_group_generation()
    {
        Broker.CreateTopic("t", 4);
        var committed = await Broker.SendAsync<OffsetCommitResponse>(ApiKey.OffsetCommit, 0, new OffsetCommitRequest
        {
            GroupId = Group,
            Topics = [new() { Name = "t", Partitions = [new() { PartitionIndex = 3, CommittedOffset = 11, CommittedMetadata = "x" }] }],
        });
        Assert.Equal(ErrorCode.None, (ErrorCode)committed.Topics[0].Partitions[0].ErrorCode);

        var all = await Broker.SendAsync<OffsetFetchResponse>(ApiKey.OffsetFetch, 8, new OffsetFetchRequest
        {
            Groups = [new() { GroupId = Group, Topics = null }],
        });
        var p = Assert.Single(Assert.Single(Assert.Single(all.Groups).Topics).Partitions);
        Assert.Equal((3, 11L, "x"), (p.PartitionIndex, p.CommittedOffset, p.Metadata));
    }

    [Fact]
    public async Task Committed_offsets_survive_a_restart()
    {
        Broker.CreateTopic("t");
        await Broker.SendAsync<OffsetCommitResponse>(ApiKey.OffsetCommit, 8, new OffsetCommitRequest
        {
            GroupId = Group,
            Topics = [new() { Name = "t", Partitions = [new() { PartitionIndex = 0, CommittedOffset = 5 }] }],
        });
        await Broker.RestartAsync();
        var fetched = await Broker.SendAsync<OffsetFetchResponse>(ApiKey.OffsetFetch, 7, new OffsetFetchRequest
        {
            GroupId = Group,
            Topics = [new() { Name = "t", PartitionIndexes = [0] }],
        });
        Assert.Equal(5, fetched.Topics[0].Partitions[0].CommittedOffset);
    }

    [Fact]
    public async Task A_second_member_triggers_a_rebalance_seen_in_heartbeats()
    {
        var first = await JoinAlone();
        await Broker.SendAsync<SyncGroupResponse>(ApiKey.SyncGroup, 5, new SyncGroupRequest
        {
            GroupId = Group, GenerationId = first.GenerationId, MemberId = first.MemberId, ProtocolType = "consumer", ProtocolName = "range",
            Assignments = [new() { MemberId = first.MemberId, Assignment = [1] }],
        });

        var needsId = await Broker.SendAsync<JoinGroupResponse>(ApiKey.JoinGroup, 9, JoinRequest(""));
        Assert.Equal(ErrorCode.MemberIdRequired, (ErrorCode)needsId.ErrorCode);
        var second = Broker.StartAsync<JoinGroupResponse>(ApiKey.JoinGroup, 9, JoinRequest(needsId.MemberId));
        Assert.False(second.IsCompleted, "the join completed before the existing member rejoined");

        var beat = await Broker.SendAsync<HeartbeatResponse>(ApiKey.Heartbeat, 4, new HeartbeatRequest { GroupId = Group, GenerationId = first.GenerationId, MemberId = first.MemberId });
        Assert.Equal(ErrorCode.RebalanceInProgress, (ErrorCode)beat.ErrorCode);

        var firstAgain = await Broker.SendAsync<JoinGroupResponse>(ApiKey.JoinGroup, 9, JoinRequest(first.MemberId));
        var secondJoined = (await second.WaitAsync(BrokerHarness.Wait))!;
        Assert.Equal(ErrorCode.None, (ErrorCode)firstAgain.ErrorCode);
        Assert.Equal(ErrorCode.None, (ErrorCode)secondJoined.ErrorCode);
        Assert.Equal(2, firstAgain.GenerationId);
        Assert.Equal(2, secondJoined.GenerationId);
        Assert.Equal(firstAgain.Leader, secondJoined.Leader);
        Assert.Equal(2, firstAgain.Members.Count + secondJoined.Members.Count); // only the leader gets the member list
    }

    private static JoinGroupRequest JoinRequest(string memberId) => new()
    {
        GroupId = Group,
        SessionTimeoutMs = 10_000,
        RebalanceTimeoutMs = 30_000,
        MemberId = memberId,
        ProtocolType = "consumer",
        Protocols = [new() { Name = "range", Metadata = [1] }],
    };

    private async Task<JoinGroupResponse> JoinAlone()
    {
        var needsId = await Broker.SendAsync<JoinGroupResponse>(ApiKey.JoinGroup, 9, JoinRequest(""));
        Assert.Equal(ErrorCode.MemberIdRequired, (ErrorCode)needsId.ErrorCode);
        var joined = await Broker.SendAsync<JoinGroupResponse>(ApiKey.JoinGroup, 9, JoinRequest(needsId.MemberId));
        Assert.Equal(ErrorCode.None, (ErrorCode)joined.ErrorCode);
        return joined;
    }
}
