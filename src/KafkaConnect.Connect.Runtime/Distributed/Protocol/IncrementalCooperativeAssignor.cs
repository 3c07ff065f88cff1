using KafkaConnect.Connect.Runtime.Herder;

namespace KafkaConnect.Connect.Runtime.Distributed.Protocol;

/// <summary>
/// The cooperative (versions 1 and 2) assignment, following Apache Kafka's IncrementalCooperativeAssignor.
/// Members keep running what they hold; each round the leader only tells them what to start and what to stop:
/// <list type="bullet">
/// <item>deleted and duplicated work is revoked from its holders;</item>
/// <item>work a departed member held ("lost") is held back for up to <c>scheduled.rebalance.max.delay.ms</c> so
/// a bouncing worker can return to it, unless the worker released it on a graceful exit;</item>
/// <item>new work goes to the least-loaded members, connectors and tasks balanced separately;</item>
/// <item>when loads are uneven (a member joined) the excess is revoked this round and handed out in the next, so
/// nothing is started while another member may still run it. Revoking rounds that follow each other are
/// spaced by an exponential delay (1 ms × 40ⁿ up to the max delay) instead of revoking again at once.</item>
/// </list>
/// The instance remembers the previous round; a worker that becomes leader without that memory rebuilds it from
/// the allocations members report. Not thread-safe: the group member calls it from one rebalance at a time.
/// </summary>
public sealed class IncrementalCooperativeAssignor : IConnectAssignor
{
    private const int BackoffMultiplier = 40;

    private readonly TimeProvider _time;
    private readonly int _maxDelay;
    private readonly Func<ConnectorTaskId, bool>? _released;

    // What the previous round left assigned (revocations removed, lost-but-held work included).
    private WorkSet _previousAssignment = new();
    // What the previous round revoked; if members still report it the revocation did not take effect.
    private readonly WorkSet _previousRevocation = new();
    private bool _revokedInPrevious;
    private int _successiveRevokingRounds;
    // Empty members seen while lost work is held: they take it when the delay expires.
    private readonly OrderedSet<string> _candidateWorkers = new(StringComparer.Ordinal);
    private long _scheduledRebalance;
    private int _delay;
    private int _previousGeneration = -1;
    private HashSet<string> _previousMembers = new(StringComparer.Ordinal);

    /// <param name="time">Clock for the rebalance delay.</param>
    /// <param name="maxDelay"><c>scheduled.rebalance.max.delay.ms</c>; zero reassigns lost work at once.</param>
    /// <param name="released">
    /// Says whether a lost connector (task -1) or task was released on purpose by a worker that left gracefully;
    /// such work is reassigned at once rather than held for the delay.
    /// </param>
    public IncrementalCooperativeAssignor(TimeProvider time, TimeSpan maxDelay, Func<ConnectorTaskId, bool>? released = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDelay, TimeSpan.Zero);
        _time = time;
        _maxDelay = (int)Math.Min(int.MaxValue, (long)maxDelay.TotalMilliseconds);
        _released = released;
    }

    public IReadOnlyDictionary<string, ConnectAssignment> Assign(string leaderId, string protocolName,
        IReadOnlyList<MemberInfo> members, ClusterSnapshot snapshot)
    {
        var version = ConnectProtocolCompatibilities.Version(ConnectProtocolCompatibilities.FromProtocolName(protocolName));
        if (version < ConnectProtocol.V1)
            throw new ArgumentException($"Protocol '{protocolName}' is eager; use {nameof(EagerAssignor)}.", nameof(protocolName));
        var (leaderUrl, maxOffset) = AssignorSupport.Inspect(leaderId, members, snapshot);
        if (maxOffset > snapshot.ConfigOffset)
            return AssignorSupport.ConfigMismatch(members, version, leaderId, leaderUrl, maxOffset);

        var loads = members
            .OrderBy(m => m.MemberId, StringComparer.Ordinal)
            .Select(m => m.Metadata.Allocation is { } a ? new WorkerLoad(m.MemberId, a.Connectors, a.Tasks) : new WorkerLoad(m.MemberId))
            .ToList();
        var (assigned, revoked) = ComputeAssignment(snapshot, loads);

        var result = new Dictionary<string, ConnectAssignment>(loads.Count, StringComparer.Ordinal);
        foreach (var load in loads)
        {
            result[load.Worker] = new ConnectAssignment(version, ConnectAssignment.NoError, leaderId, leaderUrl,
                snapshot.ConfigOffset, assigned[load.Worker].ToAllocation(),
                revoked.TryGetValue(load.Worker, out var r) ? r.ToAllocation() : WorkerAllocation.Empty, _delay);
        }
        return result;
    }

    /// <summary>One round: returns per member what to start and what to stop.</summary>
    private (Dictionary<string, WorkerLoad> Assigned, Dictionary<string, WorkerLoad> Revoked) ComputeAssignment(
        ClusterSnapshot snapshot, List<WorkerLoad> members)
    {
        // Our last round is not the one this worker last completed (another worker led, or our answer never
        // arrived): the memory is stale, so start from what members report.
        if (_previousGeneration != snapshot.LastCompletedGeneration) _previousAssignment = new WorkSet();

        var configuredConnectors = snapshot.TaskCounts.Keys.Order(StringComparer.Ordinal).ToList();
        var configured = WorkSet.Of(configuredConnectors, configuredConnectors.SelectMany(c => AssignorSupport.TasksOf(c, snapshot)));
        var active = WorkSet.Union(members);

        // A revocation we sent is still running somewhere: it did not take effect, so trust what members run.
        if (!_previousRevocation.IsEmpty)
        {
            if (_previousRevocation.Overlaps(active)) _previousAssignment = active.Minus();
            _previousRevocation.Clear();
        }

        // Apache only looks for deleted work in its previous assignment; members' own reports count too, so a
        // fresh leader also stops connectors deleted while it was not leading.
        var known = _previousAssignment.Minus();
        known.AddAll(active);
        var deleted = known.Minus(configured);
        var duplicated = Duplicated(members);
        var lost = _previousAssignment.Minus(active, deleted);
        var created = configured.Minus(_previousAssignment, active);

        var current = members.Select(m => { var c = m.Copy(); c.RemoveAll(deleted); return c; })
            .ToDictionary(c => c.Worker, StringComparer.Ordinal);
        var toRevoke = members.ToDictionary(m => m.Worker, m => new WorkerLoad(m.Worker), StringComparer.Ordinal);
        var next = members.Select(m => m.Copy()).ToList();
        foreach (var load in next)
        {
            var gone = load.Intersect(deleted);
            gone.AddAll(load.Intersect(duplicated));
            toRevoke[load.Worker].AddAll(gone);
            load.RemoveAll(deleted);
            load.RemoveAll(duplicated);
        }

        var lostToReassign = new WorkSet();
        HandleLostAssignments(lost, lostToReassign, next);

        // No load-balancing revocations while a delay is running.
        if (_delay == 0)
        {
            var balancing = LoadBalancingRevocations(configured, next);
            if (_revokedInPrevious && balancing.Count > 0)
            {
                _successiveRevokingRounds++;
                _delay = Backoff(_successiveRevokingRounds);
                if (_delay != 0)
                {
                    _scheduledRebalance = Now() + _delay;
                }
                else
                {
                    Revoke(balancing, toRevoke, next);
                }
            }
            else if (balancing.Count > 0)
            {
                Revoke(balancing, toRevoke, next);
                _revokedInPrevious = true;
            }
            else if (_revokedInPrevious)
            {
                // Loads converged: the next revoking round starts the backoff afresh.
                _revokedInPrevious = false;
                _successiveRevokingRounds = 0;
            }
        }
        else
        {
            _revokedInPrevious = false;
        }

        var toAssign = new WorkerLoad("", created.Connectors, created.Tasks);
        toAssign.Connectors.AddRange(lostToReassign.Connectors);
        toAssign.Tasks.AddRange(lostToReassign.Tasks);
        AssignConnectors(next, toAssign.Connectors);
        AssignTasks(next, toAssign.Tasks);

        var assigned = new Dictionary<string, WorkerLoad>(StringComparer.Ordinal);
        foreach (var load in next)
        {
            var before = current[load.Worker];
            assigned[load.Worker] = new WorkerLoad(load.Worker,
                load.Connectors.Where(c => !before.Connectors.Contains(c)),
                load.Tasks.Where(t => !before.Tasks.Contains(t)));
        }

        var remaining = WorkSet.Union(next);
        foreach (var revoked in toRevoke.Values)
        {
            remaining.Connectors.ExceptWith(revoked.Connectors);
            remaining.Tasks.ExceptWith(revoked.Tasks);
            _previousRevocation.Connectors.UnionWith(revoked.Connectors);
            _previousRevocation.Tasks.UnionWith(revoked.Tasks);
        }
        remaining.AddAll(lost);
        _previousAssignment = remaining;
        _previousGeneration = snapshot.Generation;
        _previousMembers = members.Select(m => m.Worker).ToHashSet(StringComparer.Ordinal);

        var nonEmptyRevocations = toRevoke.Where(e => !e.Value.IsEmpty).ToDictionary(StringComparer.Ordinal);
        return (assigned, nonEmptyRevocations);
    }

    private static WorkSet Duplicated(List<WorkerLoad> members)
    {
        var seen = new WorkSet();
        var duplicated = new WorkSet();
        foreach (var m in members)
        {
            foreach (var c in m.Connectors)
                if (!seen.Connectors.Add(c)) duplicated.Connectors.Add(c);
            foreach (var t in m.Tasks)
                if (!seen.Tasks.Add(t)) duplicated.Tasks.Add(t);
        }
        return duplicated;
    }

    private static void Revoke(Dictionary<string, WorkerLoad> revocations, Dictionary<string, WorkerLoad> toRevoke, List<WorkerLoad> next)
    {
        foreach (var load in next)
        {
            if (!revocations.TryGetValue(load.Worker, out var revoked)) continue;
            toRevoke[load.Worker].AddAll(revoked);
            load.RemoveAll(WorkSet.Of(revoked.Connectors, revoked.Tasks));
        }
    }

    /// <summary>
    /// Decides what happens to work whose holder disappeared: reassign now (released work, no delay configured,
    /// or the same members are back so the last assignment probably never arrived), keep holding it while the
    /// delay runs, or when the delay expired hand it to the members that joined empty meanwhile (or to everyone).
    /// </summary>
    private void HandleLostAssignments(WorkSet lost, WorkSet toReassign, List<WorkerLoad> next)
    {
        if (_released is { } released && !lost.IsEmpty)
        {
            var releasedNow = WorkSet.Of(lost.Connectors.Where(c => released(new ConnectorTaskId(c, ConnectProtocol.ConnectorTask))),
                lost.Tasks.Where(released));
            toReassign.AddAll(releasedNow);
            lost = lost.Minus(releasedNow);
        }

        if (lost.IsEmpty && !_revokedInPrevious)
        {
            ResetDelay();
            return;
        }

        var now = Now();
        var activeMembers = next.Select(l => l.Worker).ToHashSet(StringComparer.Ordinal);
        if ((_scheduledRebalance <= 0 && activeMembers.IsSupersetOf(_previousMembers)) || _maxDelay == 0)
        {
            toReassign.AddAll(lost);
            return;
        }

        if (_scheduledRebalance > 0 && now >= _scheduledRebalance)
        {
            var byWorker = next.ToDictionary(l => l.Worker, StringComparer.Ordinal);
            var candidates = _candidateWorkers.Where(byWorker.ContainsKey).Select(w => byWorker[w]).ToList();
            if (candidates.Count > 0)
            {
                var i = 0;
                foreach (var connector in lost.Connectors) candidates[i++ % candidates.Count].Connectors.Add(connector);
                i = 0;
                foreach (var task in lost.Tasks) candidates[i++ % candidates.Count].Tasks.Add(task);
            }
            else
            {
                toReassign.AddAll(lost);
            }
            ResetDelay();
            // The full delay has passed, so a revoking round may follow right away.
            _revokedInPrevious = false;
        }
        else
        {
            foreach (var load in next)
                if (load.IsEmpty) _candidateWorkers.Add(load.Worker);
            _delay = now < _scheduledRebalance ? RemainingDelay(now) : _maxDelay;
            _scheduledRebalance = now + _delay;
        }
    }

    private void ResetDelay()
    {
        _candidateWorkers.Clear();
        _scheduledRebalance = 0;
        _delay = 0;
    }

    private int RemainingDelay(long now)
    {
        var left = _scheduledRebalance - now;
        return left > 0 ? (int)Math.Min(left, _maxDelay) : 0;
    }

    // Apache's ExponentialBackoff(initial 1 ms, ×40, max = maxDelay, no jitter).
    private int Backoff(int attempts)
    {
        long initial = Math.Min(_maxDelay, _maxDelay == 0 ? 0 : 1);
        var expMax = _maxDelay > initial ? Math.Log(_maxDelay / (double)Math.Max(initial, 1)) / Math.Log(BackoffMultiplier) : 0;
        if (expMax == 0) return (int)initial;
        var term = initial * Math.Pow(BackoffMultiplier, Math.Min(attempts, expMax));
        return (int)Math.Min((long)term, _maxDelay);
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// What to take from over-loaded members so every member ends with ⌊total/members⌋ or one more, counting
    /// connectors and tasks separately. Nothing when no member runs anything.
    /// </summary>
    private static Dictionary<string, WorkerLoad> LoadBalancingRevocations(WorkSet configured, List<WorkerLoad> workers)
    {
        var result = new Dictionary<string, WorkerLoad>(StringComparer.Ordinal);
        if (configured.IsEmpty || workers.TrueForAll(w => w.IsEmpty)) return result;
        WorkerLoad For(string worker)
        {
            if (!result.TryGetValue(worker, out var load)) result[worker] = load = new WorkerLoad(worker);
            return load;
        }
        foreach (var (worker, items) in Excess(configured.Connectors.Count, workers, w => w.Connectors))
            For(worker).Connectors.AddRange(items);
        foreach (var (worker, items) in Excess(configured.Tasks.Count, workers, w => w.Tasks))
            For(worker).Tasks.AddRange(items);
        return result;
    }

    private static List<(string Worker, List<T> Items)> Excess<T>(int total, List<WorkerLoad> workers, Func<WorkerLoad, OrderedSet<T>> allocation)
        where T : notnull
    {
        var result = new List<(string, List<T>)>();
        var min = total / workers.Count;
        var extras = total % workers.Count;
        var atMin = workers.Count(w => allocation(w).Count == min);
        var atMinPlusOne = workers.Count(w => allocation(w).Count == min + 1);
        if (atMinPlusOne == extras && atMin + atMinPlusOne == workers.Count) return result;

        var extrasGiven = 0;
        foreach (var worker in workers)
        {
            var held = allocation(worker);
            if (held.Count <= min) continue;
            int max;
            if (extrasGiven < extras)
            {
                extrasGiven++;
                if (held.Count == min + 1) continue;
                max = min + 1;
            }
            else
            {
                max = min;
            }
            result.Add((worker.Worker, held.Take(held.Count - max).ToList()));
        }
        return result;
    }

    /// <summary>Deals connectors to the members with the fewest, one round at a time (Apache's order).</summary>
    private static void AssignConnectors(List<WorkerLoad> workers, OrderedSet<string> connectors)
        => Deal(workers, connectors, w => w.Connectors);

    private static void AssignTasks(List<WorkerLoad> workers, OrderedSet<ConnectorTaskId> tasks)
        => Deal(workers, tasks, w => w.Tasks);

    private static void Deal<T>(List<WorkerLoad> workers, OrderedSet<T> items, Func<WorkerLoad, OrderedSet<T>> allocation)
        where T : notnull
    {
        if (items.Count == 0) return;
        workers.Sort((a, b) =>
        {
            var c = allocation(a).Count.CompareTo(allocation(b).Count);
            return c != 0 ? c : string.CompareOrdinal(a.Worker, b.Worker);
        });
        var first = workers[0];
        using var it = items.GetEnumerator();
        var more = it.MoveNext();
        while (more)
        {
            // Each pass gives one item to every member that is not above the least-loaded one.
            var floor = allocation(first).Count;
            var upTo = workers.FindIndex(w => allocation(w).Count > floor);
            if (upTo < 0) upTo = workers.Count;
            for (var i = 0; i < upTo && more; i++)
            {
                allocation(workers[i]).Add(it.Current);
                more = it.MoveNext();
            }
        }
    }
}
