using KafkaConnect.Protocol;

namespace KafkaConnect.Broker.Groups;

/// <summary>
/// One classic-protocol group: membership, generations and the rebalance state machine. Every member method must be
/// called with <see cref="Gate"/> held; timer callbacks take it themselves. Waiters are TaskCompletionSources created
/// with RunContinuationsAsynchronously, so completing them under the lock never runs caller code inline.
/// </summary>
internal sealed class ClassicGroup
{
    private readonly TimeProvider _time;
    private readonly GroupCoordinatorOptions _options;
    private readonly GroupStateStore? _store;
    private readonly List<GroupMember> _members = [];
    private readonly Dictionary<string, GroupMember> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _staticMembers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ITimer> _pendingMembers = new(StringComparer.Ordinal);
    private ITimer? _joinTimer;
    private long _joinDeadlineMs;
    private bool _initialDelayActive;
    private bool _newMemberAdded;
    private long _initialDelayRemainingMs;

    public ClassicGroup(string groupId, TimeProvider time, GroupCoordinatorOptions options, GroupStateStore? store = null)
    {
        GroupId = groupId;
        _time = time;
        _options = options;
        _store = store;
    }

    /// <summary>
    /// A group as it was when its last generation became stable, before the broker restarted: its members carry on
    /// heartbeating with the same ids and generation; each gets a fresh session timeout to do so.
    /// </summary>
    public static ClassicGroup Restore(GroupSnapshot snapshot, TimeProvider time, GroupCoordinatorOptions options, GroupStateStore? store)
    {
        var group = new ClassicGroup(snapshot.GroupId, time, options, store)
        {
            GenerationId = snapshot.GenerationId,
            ProtocolType = snapshot.ProtocolType,
            ProtocolName = snapshot.ProtocolName,
            LeaderId = snapshot.LeaderId,
            State = GroupState.Stable,
        };
        foreach (var m in snapshot.Members)
        {
            var member = new GroupMember(m.MemberId, m.GroupInstanceId) { Assignment = m.Assignment };
            member.Restore(m.ClientId, m.ClientHost, m.SessionTimeoutMs, m.RebalanceTimeoutMs, m.Protocols);
            group._members.Add(member);
            group._byId[m.MemberId] = member;
            if (m.GroupInstanceId is { } instanceId) group._staticMembers[instanceId] = m.MemberId;
            group.ResetSession(member);
        }
        return group;
    }

    private GroupSnapshot Snapshot() => new(GroupId, GenerationId, ProtocolType, ProtocolName, LeaderId,
        [.. _members.Select(m => new MemberSnapshot(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost, m.SessionTimeoutMs,
            m.RebalanceTimeoutMs, m.Protocols, m.Assignment))]);

    // Soft state: a failed write costs a rebalance after a restart, so it must not fail the request that caused it.
    private void Persist(bool empty)
    {
        if (_store is null) return;
        try
        {
            if (empty) _store.Delete(GroupId);
            else _store.Save(Snapshot());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    public Lock Gate { get; } = new();
    public string GroupId { get; }
    public GroupState State { get; private set; } = GroupState.Empty;
    public int GenerationId { get; private set; }
    public string? ProtocolType { get; private set; }
    public string? ProtocolName { get; private set; }
    public string? LeaderId { get; private set; }
    public IReadOnlyList<GroupMember> Members => _members;
    public bool HasMembers => _members.Count > 0 || _pendingMembers.Count > 0;

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    // ---- JoinGroup ----

    public Task<JoinGroupResult> Join(JoinGroupArgs args)
    {
        if (!SupportsProtocols(args.ProtocolType, args.Protocols))
            return Done(JoinGroupResult.Failure(ErrorCode.InconsistentGroupProtocol, args.MemberId));
        return args.MemberId.Length == 0 ? JoinNewMember(args) : JoinKnownMember(args);
    }

    private Task<JoinGroupResult> JoinNewMember(JoinGroupArgs args)
    {
        var replacesStatic = args.GroupInstanceId is { } id && _staticMembers.ContainsKey(id);
        if (!replacesStatic && _members.Count + _pendingMembers.Count >= _options.MaxGroupSize)
            return Done(JoinGroupResult.Failure(ErrorCode.GroupMaxSizeReached));
        var memberId = (args.GroupInstanceId ?? args.ClientId) + "-" + Guid.NewGuid().ToString();
        if (args.GroupInstanceId is { } instanceId)
        {
            // Static members skip MEMBER_ID_REQUIRED: the instance id already identifies them.
            return _staticMembers.TryGetValue(instanceId, out var oldId)
                ? ReplaceStaticMember(args, oldId, memberId)
                : AddMemberAndRebalance(args, memberId);
        }
        if (args.RequireKnownMemberId)
        {
            AddPendingMember(memberId, args.SessionTimeoutMs);
            return Done(JoinGroupResult.Failure(ErrorCode.MemberIdRequired, memberId));
        }
        return AddMemberAndRebalance(args, memberId);
    }

    private Task<JoinGroupResult> JoinKnownMember(JoinGroupArgs args)
    {
        var memberId = args.MemberId;
        if (_pendingMembers.Remove(memberId, out var pendingTimer))
        {
            pendingTimer.Dispose();
            return AddMemberAndRebalance(args, memberId);
        }
        var error = ValidateMember(memberId, args.GroupInstanceId, out var member);
        if (error != ErrorCode.None) return Done(JoinGroupResult.Failure(error, memberId));

        switch (State)
        {
            case GroupState.PreparingRebalance:
                return UpdateMemberAndRebalance(member!, args);
            case GroupState.CompletingRebalance:
                // An unchanged rejoin most likely lost its JoinGroup response: resend the current generation.
                return member!.HasSameProtocols(args.Protocols)
                    ? Done(CurrentJoinResult(member, skipAssignment: false))
                    : UpdateMemberAndRebalance(member, args);
            case GroupState.Stable:
                // The leader rejoining means it wants a new assignment (e.g. its metadata view changed).
                return member!.MemberId == LeaderId || !member.HasSameProtocols(args.Protocols)
                    ? UpdateMemberAndRebalance(member, args)
                    : Done(CurrentJoinResult(member, skipAssignment: false));
            default:
                return Done(JoinGroupResult.Failure(ErrorCode.UnknownMemberId, memberId));
        }
    }

    private Task<JoinGroupResult> AddMemberAndRebalance(JoinGroupArgs args, string memberId)
    {
        var member = new GroupMember(memberId, args.GroupInstanceId);
        member.Update(args);
        var waiter = NewJoinWaiter();
        member.AwaitingJoin = waiter;
        if (_members.Count == 0) ProtocolType = args.ProtocolType;
        _members.Add(member);
        _byId.Add(memberId, member);
        if (args.GroupInstanceId is { } instanceId) _staticMembers[instanceId] = memberId;
        LeaderId ??= memberId;
        if (State == GroupState.PreparingRebalance && _initialDelayActive) _newMemberAdded = true;
        ResetSession(member);
        MaybePrepareRebalance();
        TryCompleteJoin();
        return waiter.Task;
    }

    private Task<JoinGroupResult> UpdateMemberAndRebalance(GroupMember member, JoinGroupArgs args)
    {
        member.Update(args);
        var waiter = ReplaceJoinWaiter(member);
        MaybePrepareRebalance();
        TryCompleteJoin();
        return waiter.Task;
    }

    private Task<JoinGroupResult> ReplaceStaticMember(JoinGroupArgs args, string oldId, string newId)
    {
        var member = _byId[oldId];
        // Whoever still waits under the old id is a zombie instance: fence it.
        member.AwaitingJoin?.TrySetResult(JoinGroupResult.Failure(ErrorCode.FencedInstanceId, oldId));
        member.AwaitingJoin = null;
        member.AwaitingSync?.TrySetResult(SyncGroupResult.Failure(ErrorCode.FencedInstanceId));
        member.AwaitingSync = null;
        _byId.Remove(oldId);
        member.MemberId = newId;
        _byId.Add(newId, member);
        _staticMembers[args.GroupInstanceId!] = newId;
        if (LeaderId == oldId) LeaderId = newId;
        member.Update(args);
        ResetSession(member);

        switch (State)
        {
            case GroupState.Stable when SelectProtocol() == ProtocolName:
                // Nothing the assignment depends on changed: hand over the old member's place without a rebalance.
                var isLeader = newId == LeaderId;
                Persist(empty: false);
                return Done(CurrentJoinResult(member, skipAssignment: isLeader));
            case GroupState.CompletingRebalance:
                // The leader may be assigning to the old id right now; a fresh round keeps ids and assignment consistent.
                var waiter = ReplaceJoinWaiter(member);
                PrepareRebalance();
                return waiter.Task;
            default:
                return UpdateMemberAndRebalance(member, args);
        }
    }

    private JoinGroupResult CurrentJoinResult(GroupMember member, bool skipAssignment) =>
        new(ErrorCode.None, GenerationId, ProtocolType, ProtocolName, LeaderId ?? "", skipAssignment, member.MemberId,
            member.MemberId == LeaderId ? CurrentMemberMetadata() : []);

    private List<JoinGroupMember> CurrentMemberMetadata()
    {
        var list = new List<JoinGroupMember>(_members.Count);
        foreach (var m in _members) list.Add(new JoinGroupMember(m.MemberId, m.GroupInstanceId, m.MetadataFor(ProtocolName)));
        return list;
    }

    private static TaskCompletionSource<JoinGroupResult> NewJoinWaiter() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static TaskCompletionSource<JoinGroupResult> ReplaceJoinWaiter(GroupMember member)
    {
        // A duplicate JoinGroup supersedes the earlier one; that earlier caller is told to rejoin.
        member.AwaitingJoin?.TrySetResult(JoinGroupResult.Failure(ErrorCode.RebalanceInProgress, member.MemberId));
        var waiter = NewJoinWaiter();
        member.AwaitingJoin = waiter;
        return waiter;
    }

    private bool SupportsProtocols(string protocolType, IReadOnlyList<GroupProtocol> protocols)
    {
        if (protocolType.Length == 0 || protocols.Count == 0) return false;
        if (_members.Count == 0) return true;
        if (protocolType != ProtocolType) return false;
        foreach (var p in protocols)
            if (AllMembersSupport(p.Name)) return true;
        return false;
    }

    private bool AllMembersSupport(string protocol)
    {
        foreach (var m in _members)
            if (!m.Supports(protocol)) return false;
        return true;
    }

    /// <summary>Among protocols every member supports, the one most members list first; ties go to the earliest member's preference.</summary>
    internal string? SelectProtocol()
    {
        if (_members.Count == 0) return null;
        var first = _members[0].Protocols;
        var votes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in first)
            if (AllMembersSupport(p.Name)) votes[p.Name] = 0;
        if (votes.Count == 0) return first.Count > 0 ? first[0].Name : null;
        foreach (var m in _members)
        {
            foreach (var p in m.Protocols)
            {
                if (votes.TryGetValue(p.Name, out var n))
                {
                    votes[p.Name] = n + 1;
                    break;
                }
            }
        }
        string? best = null;
        var bestVotes = -1;
        foreach (var p in first)
        {
            if (votes.TryGetValue(p.Name, out var n) && n > bestVotes)
            {
                best = p.Name;
                bestVotes = n;
            }
        }
        return best;
    }

    // ---- Rebalance ----

    private void MaybePrepareRebalance()
    {
        if (State is GroupState.Empty or GroupState.Stable or GroupState.CompletingRebalance) PrepareRebalance();
    }

    private void PrepareRebalance()
    {
        if (State == GroupState.CompletingRebalance)
        {
            foreach (var m in _members)
            {
                m.Assignment = [];
                m.AwaitingSync?.TrySetResult(SyncGroupResult.Failure(ErrorCode.RebalanceInProgress));
                m.AwaitingSync = null;
            }
        }
        var fromEmpty = State == GroupState.Empty;
        State = GroupState.PreparingRebalance;
        var rebalanceTimeoutMs = 0;
        foreach (var m in _members) rebalanceTimeoutMs = Math.Max(rebalanceTimeoutMs, m.RebalanceTimeoutMs);

        var initialDelay = _options.InitialRebalanceDelayMs;
        if (fromEmpty && initialDelay > 0)
        {
            // A fresh group waits a little so members starting together land in one generation.
            _initialDelayActive = true;
            _newMemberAdded = false;
            _initialDelayRemainingMs = Math.Max(rebalanceTimeoutMs - initialDelay, 0);
            ArmJoinTimer(initialDelay);
        }
        else
        {
            _initialDelayActive = false;
            ArmJoinTimer(rebalanceTimeoutMs);
        }
    }

    private void ArmJoinTimer(long delayMs)
    {
        _joinDeadlineMs = NowMs + delayMs;
        _joinTimer ??= _time.CreateTimer(static s => ((ClassicGroup)s!).OnJoinTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _joinTimer.Change(TimeSpan.FromMilliseconds(delayMs), Timeout.InfiniteTimeSpan);
    }

    private void OnJoinTimer()
    {
        lock (Gate)
        {
            if (State != GroupState.PreparingRebalance) return;
            var now = NowMs;
            if (now < _joinDeadlineMs)
            {
                // Fired early or a stale firing after re-arming: wait for the current deadline.
                _joinTimer?.Change(TimeSpan.FromMilliseconds(_joinDeadlineMs - now), Timeout.InfiniteTimeSpan);
                return;
            }
            if (_initialDelayActive && _newMemberAdded && _initialDelayRemainingMs > 0)
            {
                var delay = Math.Min(_options.InitialRebalanceDelayMs, _initialDelayRemainingMs);
                _initialDelayRemainingMs = Math.Max(_initialDelayRemainingMs - _options.InitialRebalanceDelayMs, 0);
                _newMemberAdded = false;
                ArmJoinTimer(delay);
                return;
            }
            CompleteJoin();
        }
    }

    private void TryCompleteJoin()
    {
        if (State != GroupState.PreparingRebalance || _initialDelayActive || _pendingMembers.Count > 0) return;
        foreach (var m in _members)
            if (m.AwaitingJoin is null) return;
        CompleteJoin();
    }

    private void CompleteJoin()
    {
        _joinTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _initialDelayActive = false;
        for (var i = _members.Count - 1; i >= 0; i--)
        {
            // Members that did not rejoin within the rebalance timeout are out of the new generation.
            if (_members[i].AwaitingJoin is null) RemoveMember(_members[i]);
        }

        GenerationId++;
        if (_members.Count == 0)
        {
            ProtocolName = null;
            LeaderId = null;
            State = GroupState.Empty;
            Persist(empty: true);
            return;
        }

        ProtocolName = SelectProtocol();
        State = GroupState.CompletingRebalance;
        var all = CurrentMemberMetadata();
        foreach (var m in _members)
        {
            var waiter = m.AwaitingJoin!;
            m.AwaitingJoin = null;
            ResetSession(m);
            waiter.TrySetResult(new JoinGroupResult(ErrorCode.None, GenerationId, ProtocolType, ProtocolName, LeaderId!, false,
                m.MemberId, m.MemberId == LeaderId ? all : []));
        }
    }

    // ---- SyncGroup / Heartbeat ----

    public Task<SyncGroupResult> Sync(SyncGroupArgs args)
    {
        var error = ValidateMember(args.MemberId, args.GroupInstanceId, out var member);
        if (error == ErrorCode.None && args.GenerationId != GenerationId) error = ErrorCode.IllegalGeneration;
        if (error == ErrorCode.None
            && ((args.ProtocolType is not null && args.ProtocolType != ProtocolType) || (args.ProtocolName is not null && args.ProtocolName != ProtocolName)))
        {
            error = ErrorCode.InconsistentGroupProtocol;
        }
        if (error != ErrorCode.None) return Task.FromResult(SyncGroupResult.Failure(error));

        switch (State)
        {
            case GroupState.PreparingRebalance:
                return Task.FromResult(SyncGroupResult.Failure(ErrorCode.RebalanceInProgress));
            case GroupState.Stable:
                ResetSession(member!);
                return Task.FromResult(new SyncGroupResult(ErrorCode.None, ProtocolType, ProtocolName, member!.Assignment));
            case GroupState.CompletingRebalance:
                ResetSession(member!);
                member!.AwaitingSync?.TrySetResult(SyncGroupResult.Failure(ErrorCode.RebalanceInProgress));
                var waiter = new TaskCompletionSource<SyncGroupResult>(TaskCreationOptions.RunContinuationsAsynchronously);
                member.AwaitingSync = waiter;
                if (member.MemberId == LeaderId) ApplyAssignment(args.Assignments);
                return waiter.Task;
            default:
                return Task.FromResult(SyncGroupResult.Failure(ErrorCode.UnknownMemberId));
        }
    }

    private void ApplyAssignment(IReadOnlyList<(string MemberId, byte[] Assignment)> assignments)
    {
        foreach (var m in _members) m.Assignment = [];
        foreach (var (memberId, assignment) in assignments)
        {
            if (_byId.TryGetValue(memberId, out var m)) m.Assignment = assignment;
        }
        State = GroupState.Stable;
        Persist(empty: false);
        foreach (var m in _members)
        {
            m.AwaitingSync?.TrySetResult(new SyncGroupResult(ErrorCode.None, ProtocolType, ProtocolName, m.Assignment));
            m.AwaitingSync = null;
        }
    }

    public ErrorCode Heartbeat(int generationId, string memberId, string? groupInstanceId)
    {
        var error = ValidateMember(memberId, groupInstanceId, out var member);
        if (error != ErrorCode.None) return error;
        if (generationId != GenerationId) return ErrorCode.IllegalGeneration;
        switch (State)
        {
            case GroupState.PreparingRebalance:
                ResetSession(member!);
                return ErrorCode.RebalanceInProgress;
            case GroupState.CompletingRebalance:
            case GroupState.Stable:
                // Members may heartbeat between their JoinGroup and SyncGroup responses: that is liveness too.
                ResetSession(member!);
                return ErrorCode.None;
            default:
                return ErrorCode.UnknownMemberId;
        }
    }

    private ErrorCode ValidateMember(string memberId, string? groupInstanceId, out GroupMember? member)
    {
        member = null;
        if (groupInstanceId is not null && _staticMembers.TryGetValue(groupInstanceId, out var current) && current != memberId)
            return ErrorCode.FencedInstanceId;
        return _byId.TryGetValue(memberId, out member) ? ErrorCode.None : ErrorCode.UnknownMemberId;
    }

    // ---- Leave / expiry ----

    public ErrorCode Leave(string memberId, string? groupInstanceId)
    {
        if (memberId.Length == 0)
        {
            // v3+ lets an admin remove a static member by instance id alone.
            if (groupInstanceId is null || !_staticMembers.TryGetValue(groupInstanceId, out var staticId)) return ErrorCode.UnknownMemberId;
            RemoveMemberAndUpdateGroup(_byId[staticId]);
            return ErrorCode.None;
        }
        if (groupInstanceId is not null && _staticMembers.TryGetValue(groupInstanceId, out var current) && current != memberId)
            return ErrorCode.FencedInstanceId;
        if (_pendingMembers.Remove(memberId, out var timer))
        {
            timer.Dispose();
            TryCompleteJoin();
            return ErrorCode.None;
        }
        if (!_byId.TryGetValue(memberId, out var member)) return ErrorCode.UnknownMemberId;
        RemoveMemberAndUpdateGroup(member);
        return ErrorCode.None;
    }

    private void RemoveMemberAndUpdateGroup(GroupMember member)
    {
        member.AwaitingJoin?.TrySetResult(JoinGroupResult.Failure(ErrorCode.UnknownMemberId, member.MemberId));
        member.AwaitingJoin = null;
        member.AwaitingSync?.TrySetResult(SyncGroupResult.Failure(ErrorCode.UnknownMemberId));
        member.AwaitingSync = null;
        RemoveMember(member);
        if (State is GroupState.Stable or GroupState.CompletingRebalance) PrepareRebalance();
        TryCompleteJoin();
    }

    private void RemoveMember(GroupMember member)
    {
        _members.Remove(member);
        _byId.Remove(member.MemberId);
        if (member.GroupInstanceId is { } instanceId && _staticMembers.TryGetValue(instanceId, out var id) && id == member.MemberId)
            _staticMembers.Remove(instanceId);
        member.SessionTimer?.Dispose();
        member.SessionTimer = null;
        if (LeaderId == member.MemberId)
        {
            // Prefer a member that is already rejoining so the next generation has a leader ready.
            LeaderId = null;
            foreach (var m in _members)
            {
                if (m.AwaitingJoin is not null)
                {
                    LeaderId = m.MemberId;
                    break;
                }
            }
            LeaderId ??= _members.Count > 0 ? _members[0].MemberId : null;
        }
    }

    private void ResetSession(GroupMember member)
    {
        member.SessionDeadlineMs = NowMs + member.SessionTimeoutMs;
        member.SessionTimer ??= _time.CreateTimer(s => OnSessionTimer((GroupMember)s!), member, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        member.SessionTimer.Change(TimeSpan.FromMilliseconds(member.SessionTimeoutMs), Timeout.InfiniteTimeSpan);
    }

    private void OnSessionTimer(GroupMember member)
    {
        lock (Gate)
        {
            if (State == GroupState.Dead || !_byId.TryGetValue(member.MemberId, out var current) || current != member) return;
            if (member.AwaitingJoin is not null || member.AwaitingSync is not null)
            {
                // A member parked in JoinGroup/SyncGroup cannot heartbeat; the rebalance timeout governs it instead.
                ResetSession(member);
                return;
            }
            var now = NowMs;
            if (now < member.SessionDeadlineMs)
            {
                member.SessionTimer?.Change(TimeSpan.FromMilliseconds(member.SessionDeadlineMs - now), Timeout.InfiniteTimeSpan);
                return;
            }
            RemoveMemberAndUpdateGroup(member);
        }
    }

    private void AddPendingMember(string memberId, int sessionTimeoutMs)
    {
        // A member told MEMBER_ID_REQUIRED gets one session timeout to come back with its id.
        var timer = _time.CreateTimer(s => OnPendingMemberExpired((string)s!), memberId, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _pendingMembers[memberId] = timer;
        timer.Change(TimeSpan.FromMilliseconds(sessionTimeoutMs), Timeout.InfiniteTimeSpan);
    }

    private void OnPendingMemberExpired(string memberId)
    {
        lock (Gate)
        {
            if (!_pendingMembers.Remove(memberId, out var timer)) return;
            timer.Dispose();
            TryCompleteJoin();
        }
    }

    // ---- Offsets, admin ----

    /// <summary>Checks whether a commit may be written; a member's commit also proves it is alive.</summary>
    public ErrorCode ValidateOffsetCommit(int generationId, string memberId, string? groupInstanceId)
    {
        if (State == GroupState.Dead) return ErrorCode.CoordinatorNotAvailable;
        if (groupInstanceId is not null && _staticMembers.TryGetValue(groupInstanceId, out var current) && current != memberId)
            return ErrorCode.FencedInstanceId;
        // Generation -1 is a client that only stores offsets here (no group management); only allowed while nobody is a member.
        if (generationId < 0 && State == GroupState.Empty) return ErrorCode.None;
        if (State == GroupState.CompletingRebalance) return ErrorCode.RebalanceInProgress;
        if (!_byId.TryGetValue(memberId, out var member)) return ErrorCode.UnknownMemberId;
        if (generationId != GenerationId) return ErrorCode.IllegalGeneration;
        ResetSession(member);
        return ErrorCode.None;
    }

    public GroupDescription Describe()
    {
        var stable = State == GroupState.Stable;
        var members = new List<GroupMemberDescription>(_members.Count);
        foreach (var m in _members)
        {
            members.Add(new GroupMemberDescription(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost,
                stable ? m.MetadataFor(ProtocolName) : [], stable ? m.Assignment : []));
        }
        return new GroupDescription(ErrorCode.None, GroupId, State.ToString(), ProtocolType ?? "", stable ? ProtocolName ?? "" : "", members);
    }

    /// <summary>Ends the group: no member can rejoin it, timers stop, and every waiter gets <paramref name="error"/>.</summary>
    public void MarkDead(ErrorCode error)
    {
        State = GroupState.Dead;
        _joinTimer?.Dispose();
        _joinTimer = null;
        foreach (var m in _members)
        {
            m.AwaitingJoin?.TrySetResult(JoinGroupResult.Failure(error, m.MemberId));
            m.AwaitingJoin = null;
            m.AwaitingSync?.TrySetResult(SyncGroupResult.Failure(error));
            m.AwaitingSync = null;
            m.SessionTimer?.Dispose();
            m.SessionTimer = null;
        }
        foreach (var (_, timer) in _pendingMembers) timer.Dispose();
        _pendingMembers.Clear();
    }

    private static Task<JoinGroupResult> Done(JoinGroupResult result) => Task.FromResult(result);
}
