using KafkaConnect.Connect.Runtime.Distributed.Protocol;
using KafkaConnect.Connect.Runtime.Herder;

namespace KafkaConnect.Connect.Runtime.Tests.Distributed.Protocol;

/// <summary>
/// Drives an assignor through rebalance rounds the way a group would: members report what they run, the leader
/// assigns, members stop what was revoked and start what was assigned.
/// </summary>
internal sealed class ClusterSim
{
    public ClusterSim(IConnectAssignor assignor, FakeTime time)
    {
        Assignor = assignor;
        Time = time;
    }

    public IConnectAssignor Assignor { get; set; }
    public FakeTime Time { get; }
    public long ConfigOffset { get; set; } = 618;
    public string Protocol { get; set; } = "sessioned";
    public Dictionary<string, int> Connectors { get; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, (List<string> Connectors, List<ConnectorTaskId> Tasks)> Members { get; } = new(StringComparer.Ordinal);
    public IReadOnlyDictionary<string, ConnectAssignment> Last { get; private set; } = new Dictionary<string, ConnectAssignment>();
    public int Generation { get; private set; } = 1000;

    /// <summary>False: leave the snapshot's generations at their defaults, as a caller that does not track them.</summary>
    public bool UseGenerations { get; set; } = true;

    public void Join(params string[] ids)
    {
        foreach (var id in ids) Members.Add(id, ([], []));
    }

    public void Join(string id, IEnumerable<string> connectors, IEnumerable<ConnectorTaskId> tasks)
        => Members.Add(id, ([.. connectors], [.. tasks]));

    /// <summary>Another worker led a round this assignor did not see.</summary>
    public void OtherLeaderRound() => Generation++;

    public void Leave(params string[] ids)
    {
        foreach (var id in ids) Assert.True(Members.Remove(id), id);
    }

    public IReadOnlyList<MemberInfo> MemberInfos() =>
    [
        .. Members.Select(m => new MemberInfo(m.Key,
            new WorkerMetadata("http://" + m.Key, ConfigOffset, new WorkerAllocation([.. m.Value.Connectors], [.. m.Value.Tasks])))),
    ];

    /// <summary>One round; <paramref name="delivered"/> false models a SyncGroup that never reached the members.</summary>
    public IReadOnlyDictionary<string, ConnectAssignment> Rebalance(bool delivered = true, bool generationMismatch = false)
    {
        Generation++;
        var snapshot = new ClusterSnapshot(ConfigOffset, new Dictionary<string, int>(Connectors));
        if (UseGenerations)
        {
            snapshot = snapshot with
            {
                Generation = Generation,
                LastCompletedGeneration = generationMismatch ? Generation - 2 : Generation - 1,
            };
        }
        var leader = Members.Keys.First();
        var result = Assignor.Assign(leader, Protocol, MemberInfos(), snapshot);
        Assert.Equal(Members.Keys.Order(StringComparer.Ordinal), result.Keys.Order(StringComparer.Ordinal));

        foreach (var (id, a) in result)
        {
            Assert.Equal(leader, a.Leader);
            Assert.Equal("http://" + leader, a.LeaderUrl);
            if (a.Failed) continue;
            Assert.Equal(ConfigOffset, a.ConfigOffset);
            // Nothing starts on one member while another still runs it or is told to stop it this round.
            foreach (var c in a.Assigned.Connectors)
            {
                Assert.DoesNotContain(Members, m => m.Value.Connectors.Contains(c));
                Assert.DoesNotContain(result.Values, r => r.Revoked.Connectors.Contains(c));
            }
            foreach (var t in a.Assigned.Tasks)
            {
                Assert.DoesNotContain(Members, m => m.Value.Tasks.Contains(t));
                Assert.DoesNotContain(result.Values, r => r.Revoked.Tasks.Contains(t));
            }
            // Only what a member runs is revoked from it.
            Assert.All(a.Revoked.Connectors, c => Assert.Contains(c, Members[id].Connectors));
            Assert.All(a.Revoked.Tasks, t => Assert.Contains(t, Members[id].Tasks));
        }

        if (delivered)
        {
            foreach (var (id, a) in result)
            {
                var (connectors, tasks) = Members[id];
                connectors.RemoveAll(a.Revoked.Connectors.Contains);
                tasks.RemoveAll(a.Revoked.Tasks.Contains);
                connectors.AddRange(a.Assigned.Connectors);
                tasks.AddRange(a.Assigned.Tasks);
            }
        }
        Last = result;
        return result;
    }

    public int[] ConnectorCounts => [.. Members.Values.Select(m => m.Connectors.Count).Order()];
    public int[] TaskCounts => [.. Members.Values.Select(m => m.Tasks.Count).Order()];
    public int Delay => Last.Values.Select(a => a.DelayMs).Distinct().Single();

    public bool NoRevocations => Last.Values.All(a => a.Revoked.IsEmpty);
    public bool NothingAssigned => Last.Values.All(a => a.Assigned.IsEmpty);

    /// <summary>Every configured connector and task runs exactly once and nothing else runs.</summary>
    public void AssertCompleteAndBalanced()
    {
        var running = Members.Values.SelectMany(m => m.Connectors).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Connectors.Keys.Order(StringComparer.Ordinal), running);
        var runningTasks = Members.Values.SelectMany(m => m.Tasks).Select(t => t.ToString()).Order(StringComparer.Ordinal).ToList();
        var configured = Connectors.SelectMany(c => Enumerable.Range(0, c.Value).Select(i => new ConnectorTaskId(c.Key, i).ToString()))
            .Order(StringComparer.Ordinal);
        Assert.Equal(configured, runningTasks);
        Assert.True(ConnectorCounts[^1] - ConnectorCounts[0] <= 1, string.Join(",", ConnectorCounts));
        Assert.True(TaskCounts[^1] - TaskCounts[0] <= 1, string.Join(",", TaskCounts));
    }
}

public sealed class IncrementalCooperativeAssignorTests
{
    private static readonly TimeSpan DefaultDelay = TimeSpan.FromMinutes(5);

    private readonly FakeTime _time = new();

    private ClusterSim Sim(TimeSpan? maxDelay = null, Func<ConnectorTaskId, bool>? released = null)
        => new(new IncrementalCooperativeAssignor(_time, maxDelay ?? DefaultDelay, released), _time);

    private static ConnectorTaskId T(string connector, int task) => new(connector, task);

    [Fact]
    public void FirstAssignmentSpreadsTasksOfOneConnectorEvenly()
    {
        var sim = Sim();
        sim.Connectors["c1"] = 6;
        sim.Join("w1", "w2", "w3");
        var result = sim.Rebalance();

        Assert.Equal([0, 0, 1], sim.ConnectorCounts);
        Assert.Equal([2, 2, 2], sim.TaskCounts);
        Assert.True(sim.NoRevocations);
        Assert.Equal(0, sim.Delay);
        Assert.All(result.Values, a =>
        {
            Assert.Equal(2, a.Version);
            Assert.Equal(ConnectAssignment.NoError, a.Error);
            Assert.Equal(618, a.ConfigOffset);
        });
        // Tasks are dealt one per worker per pass: w1 gets 0 and 3.
        Assert.Equal([T("c1", 0), T("c1", 3)], result["w1"].Assigned.Tasks);
        sim.AssertCompleteAndBalanced();

        // Nothing changes: an empty round.
        sim.Rebalance();
        Assert.True(sim.NothingAssigned);
        Assert.True(sim.NoRevocations);
    }

    [Fact]
    public void ConnectorsAndTasksAreBalancedSeparately()
    {
        var sim = Sim();
        sim.Connectors["a"] = 2;
        sim.Connectors["b"] = 2;
        sim.Connectors["c"] = 2;
        sim.Join("w1", "w2", "w3");
        sim.Rebalance();
        Assert.Equal([1, 1, 1], sim.ConnectorCounts);
        Assert.Equal([2, 2, 2], sim.TaskCounts);
        sim.AssertCompleteAndBalanced();
    }

    [Fact]
    public void CompatibleProtocolAnswersWithVersion1()
    {
        var sim = Sim();
        sim.Protocol = "compatible";
        sim.Connectors["c"] = 1;
        sim.Join("w1");
        Assert.All(sim.Rebalance().Values, a => Assert.Equal(1, a.Version));
    }

    [Fact]
    public void JoiningWorkerGetsWorkOnlyAfterARevocationRound()
    {
        var sim = Sim();
        sim.Connectors["connector1"] = 4;
        sim.Connectors["connector2"] = 4;
        sim.Join("worker1");
        sim.Rebalance();
        Assert.Equal([2], sim.ConnectorCounts);
        Assert.Equal([8], sim.TaskCounts);

        sim.Join("worker2");
        var revoking = sim.Rebalance();
        Assert.Equal(0, sim.Delay);
        Assert.True(sim.NothingAssigned);
        Assert.Single(revoking["worker1"].Revoked.Connectors);
        Assert.Equal(4, revoking["worker1"].Revoked.Tasks.Count);
        Assert.Equal([0, 1], sim.ConnectorCounts);
        Assert.Equal([0, 4], sim.TaskCounts);

        var assigning = sim.Rebalance();
        Assert.True(sim.NoRevocations);
        Assert.Equal(0, sim.Delay);
        Assert.Single(assigning["worker2"].Assigned.Connectors);
        Assert.Equal(4, assigning["worker2"].Assigned.Tasks.Count);
        sim.AssertCompleteAndBalanced();

        sim.Rebalance();
        Assert.True(sim.NothingAssigned);
        Assert.True(sim.NoRevocations);
    }

    [Fact]
    public void SuccessiveRevokingRoundsAreSpacedByExponentialBackoff()
    {
        var sim = Sim();
        sim.Connectors["connector1"] = 4;
        sim.Connectors["connector2"] = 4;
        sim.Connectors["connector3"] = 4;
        sim.Join("worker1");
        sim.Rebalance();

        sim.Join("worker2");
        sim.Rebalance();
        Assert.Equal([0, 2], sim.ConnectorCounts);
        Assert.Equal([0, 6], sim.TaskCounts);

        // A second revoking round right after the first one is deferred by 1 ms × 40.
        sim.Join("worker3");
        sim.Rebalance();
        Assert.Equal(40, sim.Delay);
        Assert.True(sim.NoRevocations);
        Assert.Equal([0, 1, 2], sim.ConnectorCounts);
        Assert.Equal([3, 3, 6], sim.TaskCounts);

        _time.Advance(40);
        sim.Join("worker4");
        sim.Rebalance();
        Assert.Equal(0, sim.Delay);
        Assert.Equal([0, 0, 1, 1], sim.ConnectorCounts);
        Assert.Equal([0, 3, 3, 3], sim.TaskCounts);

        // The next one backs off further: 40².
        sim.Join("worker5");
        sim.Rebalance();
        Assert.Equal(1600, sim.Delay);
        Assert.Equal([0, 0, 1, 1, 1], sim.ConnectorCounts);
        Assert.Equal([1, 2, 3, 3, 3], sim.TaskCounts);

        _time.Advance(1600);
        sim.Join("worker6");
        sim.Rebalance();
        Assert.Equal(0, sim.Delay);
        Assert.Equal([0, 0, 0, 1, 1, 1], sim.ConnectorCounts);
        Assert.Equal([0, 1, 2, 2, 2, 2], sim.TaskCounts);

        sim.Rebalance();
        Assert.True(sim.NoRevocations);
        Assert.Equal([2, 2, 2, 2, 2, 2], sim.TaskCounts);
        sim.AssertCompleteAndBalanced();
    }

    [Fact]
    public void WithoutMaxDelaySuccessiveRevocationsHappenAtOnce()
    {
        var sim = Sim(TimeSpan.Zero);
        sim.Connectors["connector1"] = 4;
        sim.Connectors["connector2"] = 4;
        sim.Connectors["connector3"] = 4;
        sim.Join("worker1");
        sim.Rebalance();
        sim.Join("worker2");
        sim.Rebalance();
        sim.Join("worker3");
        sim.Rebalance();
        Assert.Equal(0, sim.Delay);
        Assert.Equal([0, 1, 1], sim.ConnectorCounts);
        Assert.Equal([3, 3, 4], sim.TaskCounts);
        sim.Rebalance();
        Assert.True(sim.NoRevocations);
        sim.AssertCompleteAndBalanced();
    }

    [Fact]
    public void LostWorkIsHeldForTheDelayThenReassigned()
    {
        var sim = Sim(TimeSpan.FromSeconds(3));
        sim.Connectors["c1"] = 4;
        sim.Connectors["c2"] = 4;
        sim.Join("w1", "w2");
        sim.Rebalance();
        sim.AssertCompleteAndBalanced();

        sim.Leave("w2");
        sim.Rebalance();
        Assert.Equal(3000, sim.Delay);
        Assert.True(sim.NothingAssigned);
        Assert.True(sim.NoRevocations);

        _time.Advance(1500);
        sim.Rebalance();
        Assert.Equal(1500, sim.Delay);
        Assert.True(sim.NothingAssigned);

        _time.Advance(1501);
        var result = sim.Rebalance();
        Assert.Equal(0, sim.Delay);
        Assert.Single(result["w1"].Assigned.Connectors);
        Assert.Equal(4, result["w1"].Assigned.Tasks.Count);
        sim.AssertCompleteAndBalanced();
    }

    [Fact]
    public void BouncedWorkerReturningEmptyGetsItsWorkBackWhenTheDelayExpires()
    {
        var sim = Sim(TimeSpan.FromSeconds(4));
        sim.Connectors["c1"] = 4;
        sim.Connectors["c2"] = 4;
        sim.Join("w1", "w2");
        sim.Rebalance();
        var w2Had = sim.Members["w2"];

        sim.Leave("w2");
        sim.Rebalance();
        Assert.Equal(4000, sim.Delay);

        _time.Advance(2000);
        sim.Join("w2");
        sim.Rebalance();
        Assert.Equal(2000, sim.Delay);
        Assert.True(sim.NothingAssigned);

        _time.Advance(2000);
        var result = sim.Rebalance();
        Assert.Equal(0, sim.Delay);
        Assert.True(sim.NoRevocations);
        Assert.True(result["w1"].Assigned.IsEmpty);
        Assert.Equal(w2Had.Connectors, result["w2"].Assigned.Connectors);
        Assert.Equal(w2Had.Tasks.Select(t => t.ToString()).Order(StringComparer.Ordinal),
            result["w2"].Assigned.Tasks.Select(t => t.ToString()).Order(StringComparer.Ordinal));
        sim.AssertCompleteAndBalanced();
    }

    [Fact]
    public void WorkerComingBackWithItsWorkEndsTheLoss()
    {
        var sim = Sim(TimeSpan.FromSeconds(3));
        sim.Connectors["c1"] = 4;
        sim.Join("w1", "w2");
        sim.Rebalance();
        var w2Had = sim.Members["w2"];

        sim.Leave("w2");
        sim.Rebalance();
        Assert.Equal(3000, sim.Delay);

        // The worker only lost its session and kept running: nothing is lost any more.
        sim.Join("w2", w2Had.Connectors, w2Had.Tasks);
        sim.Rebalance();
        Assert.Equal(0, sim.Delay);
        Assert.True(sim.NothingAssigned);
        Assert.True(sim.NoRevocations);
        sim.AssertCompleteAndBalanced();
    }

    [Fact]
    public void ReleasedWorkIsReassignedAtOnce()
    {
        var sim = Sim(TimeSpan.FromSeconds(3), released: _ => true);
        sim.Connectors["c1"] = 4;
        sim.Connectors["c2"] = 4;
        sim.Join("w1", "w2");
        sim.Rebalance();

        sim.Leave("w2");
        var result = sim.Rebalance();
        Assert.Equal(0, sim.Delay);
        Assert.Single(result["w1"].Assigned.Connectors);
        Assert.Equal(4, result["w1"].Assigned.Tasks.Count);
        sim.AssertCompleteAndBalanced();
    }

    [Fact]
    public void OnlyReleasedPartOfLostWorkSkipsTheDelay()
    {
        HashSet<ConnectorTaskId> releasedIds = [];
        var sim = Sim(TimeSpan.FromSeconds(3), released: releasedIds.Contains);
        sim.Connectors["c1"] = 2;
        sim.Connectors["c2"] = 2;
        sim.Join("w1", "w2", "w3");
        sim.Rebalance();
        sim.AssertCompleteAndBalanced();

        // w3 left gracefully and released its work; w2 crashed.
        foreach (var c in sim.Members["w3"].Connectors) releasedIds.Add(new ConnectorTaskId(c, ConnectProtocol.ConnectorTask));
        releasedIds.UnionWith(sim.Members["w3"].Tasks);
        var crashed = sim.Members["w2"];
        sim.Leave("w2", "w3");
        var result = sim.Rebalance();
        Assert.Equal(3000, sim.Delay);
        Assert.Equal(releasedIds.Count(r => r.Task >= 0), result["w1"].Assigned.Tasks.Count);
        Assert.DoesNotContain(result["w1"].Assigned.Tasks, crashed.Tasks.Contains);

        _time.Advance(3000);
        sim.Rebalance();
        Assert.Equal(0, sim.Delay);
        sim.AssertCompleteAndBalanced();
    }

    [Fact]
    public void WithoutMaxDelayLostWorkIsReassignedAtOnce()
    {
        var sim = Sim(TimeSpan.Zero);
        sim.Connectors["c1"] = 4;
        sim.Connectors["c2"] = 4;
        sim.Join("w1", "w2");
        sim.Rebalance();
        sim.Leave("w2");
        sim.Rebalance();
        Assert.Equal(0, sim.Delay);
        Assert.Equal([2], sim.ConnectorCounts);
        Assert.Equal([8], sim.TaskCounts);
    }

    [Fact]
    public void ConfigMismatchWhenAMemberIsAheadOfTheLeader()
    {
        var assignor = new IncrementalCooperativeAssignor(_time, DefaultDelay);
        MemberInfo[] members =
        [
            new("w1", new WorkerMetadata("http://w1", 9, new WorkerAllocation(["c"], []))),
            new("w2", new WorkerMetadata("http://w2", 10, null)),
        ];
        var result = assignor.Assign("w1", "sessioned", members, new ClusterSnapshot(9, new Dictionary<string, int> { ["c"] = 1 }));
        Assert.Equal(2, result.Count);
        Assert.All(result.Values, a =>
        {
            Assert.Equal(ConnectAssignment.ConfigMismatch, a.Error);
            Assert.True(a.Failed);
            Assert.Equal(10, a.ConfigOffset);
            Assert.Equal("w1", a.Leader);
            Assert.Equal("http://w1", a.LeaderUrl);
            Assert.True(a.Assigned.IsEmpty);
            Assert.True(a.Revoked.IsEmpty);
            Assert.Equal(2, a.Version);
        });
    }

    [Fact]
    public void DeletedConnectorIsRevokedFromItsHolder()
    {
        var sim = Sim();
        sim.Connectors["connector1"] = 4;
        sim.Connectors["connector2"] = 4;
        sim.Connectors["connector3"] = 4;
        sim.Join("worker1", "worker2");
        sim.Rebalance();
        var holder = sim.Members.Single(m => m.Value.Connectors.Contains("connector3")).Key;

        sim.Connectors.Remove("connector3");
        var result = sim.Rebalance();
        Assert.Equal(["connector3"], result[holder].Revoked.Connectors);
        Assert.Contains(T("connector3", 0), result[holder].Revoked.Tasks);
        Assert.Equal(0, sim.Delay);
        Assert.DoesNotContain(sim.Members.Values, m => m.Connectors.Contains("connector3") || m.Tasks.Any(t => t.Connector == "connector3"));
        if (!sim.NoRevocations || sim.TaskCounts[1] - sim.TaskCounts[0] > 1) sim.Rebalance();
        sim.AssertCompleteAndBalanced();
    }

    [Fact]
    public void FewerTasksRevokesTheSurplusTaskIndexes()
    {
        var sim = Sim();
        sim.Connectors["c"] = 4;
        sim.Join("w1", "w2");
        sim.Rebalance();
        sim.Connectors["c"] = 2;
        var result = sim.Rebalance();
        Assert.Equal([T("c", 2), T("c", 3)], result.Values.SelectMany(a => a.Revoked.Tasks).OrderBy(t => t.Task));
        sim.AssertCompleteAndBalanced();
    }

    [Fact]
    public void FreshLeaderRevokesDeletedWorkMembersReport()
    {
        var sim = Sim();
        sim.Connectors["kept"] = 1;
        sim.Join("w1", ["kept", "gone"], [T("kept", 0), T("gone", 0)]);
        sim.Join("w2");
        var result = sim.Rebalance();
        Assert.Equal(["gone"], result["w1"].Revoked.Connectors);
        Assert.Equal([T("gone", 0)], result["w1"].Revoked.Tasks);
    }

    [Fact]
    public void DuplicatedWorkIsRevokedEverywhereThenAssignedOnce()
    {
        var sim = Sim();
        sim.Connectors["connector1"] = 4;
        sim.Connectors["connector2"] = 4;
        sim.Join("worker1");
        sim.Rebalance();
        sim.Join("worker2", ["connector1"], Enumerable.Range(0, 4).Select(i => T("connector1", i)));
        sim.Rebalance();
        Assert.Equal([0, 1], sim.ConnectorCounts);
        Assert.Equal([0, 4], sim.TaskCounts);
        sim.Rebalance();
        Assert.True(sim.NoRevocations);
        sim.AssertCompleteAndBalanced();
    }

    [Fact]
    public void AssignmentThatNeverArrivedIsRedoneWithoutDelay()
    {
        var sim = Sim();
        sim.Connectors["connector1"] = 4;
        sim.Connectors["connector2"] = 4;
        sim.Join("worker1", "worker2");
        sim.Rebalance(delivered: false);
        Assert.Equal([0, 0], sim.TaskCounts);

        sim.Rebalance();
        Assert.Equal(0, sim.Delay);
        Assert.Equal([1, 1], sim.ConnectorCounts);
        Assert.Equal([4, 4], sim.TaskCounts);
    }

    [Fact]
    public void StaleMemoryIsForgottenWhenAnotherRoundCompletedInBetween()
    {
        var sim = Sim();
        sim.Connectors["connector1"] = 4;
        sim.Connectors["connector2"] = 4;
        sim.Join("worker1", "worker2");
        sim.Rebalance();
        sim.Join("worker3");
        sim.Rebalance(delivered: false);

        // Another leader ran a round in between: its revocations are not ours to call lost.
        sim.Rebalance(generationMismatch: true);
        Assert.True(sim.Delay > 0);
        Assert.Equal([0, 1, 1], sim.ConnectorCounts);
        Assert.Equal([0, 4, 4], sim.TaskCounts);

        _time.Advance(sim.Delay);
        sim.Rebalance();
        Assert.Equal([0, 3, 3], sim.TaskCounts);
        sim.Rebalance();
        Assert.Equal([2, 3, 3], sim.TaskCounts);
        sim.AssertCompleteAndBalanced();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LeadingAgainAfterAnotherLeaderStartsFromReportedAllocations(bool generationsKnown)
    {
        var sim = Sim();
        sim.UseGenerations = generationsKnown;
        sim.Connectors["c1"] = 0;
        sim.Connectors["c2"] = 0;
        sim.Join("w1", "w2");
        sim.Rebalance();
        var w2 = sim.Members["w2"].Connectors.Single();

        // Meanwhile another leader had w2 stop its connector, then w2 left and w3 joined.
        sim.OtherLeaderRound();
        sim.Leave("w2");
        sim.Join("w3");
        var snapshot = new ClusterSnapshot(sim.ConfigOffset, new Dictionary<string, int>(sim.Connectors));
        if (generationsKnown) snapshot = snapshot with { Generation = sim.Generation + 1, LastCompletedGeneration = sim.Generation };
        var result = sim.Assignor.Assign("w1", "sessioned", sim.MemberInfos(), snapshot);

        if (generationsKnown)
        {
            // Our memory of w2 holding it is stale: the connector is simply unassigned and starts at once.
            Assert.All(result.Values, a => Assert.Equal(0, a.DelayMs));
            Assert.Equal([w2], result["w3"].Assigned.Connectors);
        }
        else
        {
            // Without generations the assignor trusts its memory and waits for w2 to come back.
            Assert.All(result.Values, a => Assert.Equal((int)DefaultDelay.TotalMilliseconds, a.DelayMs));
            Assert.All(result.Values, a => Assert.True(a.Assigned.IsEmpty));
        }
    }

    [Fact]
    public void NewLeaderRebuildsFromReportedAllocations()
    {
        var sim = Sim();
        sim.Connectors["connector1"] = 4;
        sim.Connectors["connector2"] = 4;
        sim.Join("worker1", "worker2", "worker3");
        sim.Rebalance();

        // The leader left; worker2 leads with a fresh assignor and no delay to track.
        sim.Leave("worker1");
        sim.Assignor = new IncrementalCooperativeAssignor(_time, DefaultDelay);
        sim.Rebalance();
        Assert.Equal(0, sim.Delay);
        Assert.Equal([1, 1], sim.ConnectorCounts);
        Assert.Equal([4, 4], sim.TaskCounts);
        sim.AssertCompleteAndBalanced();
    }

    [Fact]
    public void AssignmentsSurviveTheWire()
    {
        var sim = Sim();
        sim.Connectors["c"] = 3;
        sim.Join("w1", "w2");
        foreach (var a in sim.Rebalance().Values)
            Assert.Equal(a, ConnectProtocol.DeserializeAssignment(ConnectProtocol.SerializeAssignment(a)));
    }

    [Fact]
    public void RejectsEagerProtocolAndUnknownLeader()
    {
        var assignor = new IncrementalCooperativeAssignor(_time, DefaultDelay);
        MemberInfo[] members = [new("w1", new WorkerMetadata("u", 0, null))];
        var snapshot = new ClusterSnapshot(0, new Dictionary<string, int>());
        Assert.Throws<ArgumentException>(() => assignor.Assign("w1", "default", members, snapshot));
        Assert.Throws<ArgumentException>(() => assignor.Assign("w9", "sessioned", members, snapshot));
        Assert.Throws<ArgumentException>(() => assignor.Assign("w1", "sessioned", [], snapshot));
    }
}

public sealed class EagerAssignorTests
{
    [Fact]
    public void DealsConnectorsThenTasksRoundRobinOverSortedMembers()
    {
        MemberInfo[] members =
        [
            new("m3", new WorkerMetadata("http://m3", 5, null)),
            new("m1", new WorkerMetadata("http://m1", 5, new WorkerAllocation(["b"], [new("b", 0)]))),
            new("m2", new WorkerMetadata("http://m2", 4, null)),
        ];
        var snapshot = new ClusterSnapshot(5, new Dictionary<string, int> { ["b"] = 3, ["a"] = 2 });
        var result = new EagerAssignor().Assign("m2", "default", members, snapshot);

        Assert.Equal(3, result.Count);
        Assert.All(result.Values, a =>
        {
            Assert.Equal(0, a.Version);
            Assert.False(a.Failed);
            Assert.Equal("m2", a.Leader);
            Assert.Equal("http://m2", a.LeaderUrl);
            Assert.Equal(5, a.ConfigOffset);
            Assert.True(a.Revoked.IsEmpty);
            Assert.Equal(0, a.DelayMs);
        });
        // a→m1, b→m2, then tasks continue the rotation: a-0→m3, a-1→m1, b-0→m2, b-1→m3, b-2→m1.
        Assert.Equal(new WorkerAllocation(["a"], [new("a", 1), new("b", 2)]), result["m1"].Assigned);
        Assert.Equal(new WorkerAllocation(["b"], [new("b", 0)]), result["m2"].Assigned);
        Assert.Equal(new WorkerAllocation([], [new("a", 0), new("b", 1)]), result["m3"].Assigned);

        var bytes = ConnectProtocol.SerializeAssignment(result["m1"]);
        Assert.Equal(result["m1"], ConnectProtocol.DeserializeAssignment(bytes));
    }

    [Fact]
    public void ConfigMismatchWhenAMemberIsAhead()
    {
        MemberInfo[] members =
        [
            new("m1", new WorkerMetadata("http://m1", 3, null)),
            new("m2", new WorkerMetadata("http://m2", 8, null)),
        ];
        var result = new EagerAssignor().Assign("m1", "default", members, new ClusterSnapshot(3, new Dictionary<string, int> { ["a"] = 1 }));
        Assert.All(result.Values, a =>
        {
            Assert.Equal(ConnectAssignment.ConfigMismatch, a.Error);
            Assert.Equal(8, a.ConfigOffset);
            Assert.True(a.Assigned.IsEmpty);
            Assert.Equal(0, a.Version);
        });
    }
}
