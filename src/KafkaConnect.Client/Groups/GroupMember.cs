using KafkaConnect.Client.Metrics;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Client.Groups;

/// <summary>One protocol a member offers when joining, with its opaque metadata.</summary>
public sealed record GroupProtocol(string Name, byte[] Metadata);

/// <summary>Settings of a <see cref="GroupMember"/>; the consumer fills them from its config keys.</summary>
public sealed class GroupMemberOptions
{
    public required string GroupId { get; init; }
    public string? GroupInstanceId { get; init; }
    public required string ProtocolType { get; init; }
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(45);
    /// <summary>How long the coordinator waits for members to rejoin; consumers pass max.poll.interval.ms.</summary>
    public TimeSpan RebalanceTimeout { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>Leave the group when the application has not polled for the rebalance timeout (as Java's consumer does).</summary>
    public bool LeaveOnPollTimeout { get; init; }
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// Membership in a classic Kafka group for any protocol type (what Java calls AbstractCoordinator): finds the
/// coordinator, joins (MEMBER_ID_REQUIRED, static membership), runs the leader's assignment, syncs, heartbeats in
/// the background and rejoins when the coordinator asks. Rebalances run on the caller of
/// <see cref="EnsureActiveAsync"/> / <see cref="PollAsync"/>, so callbacks never race the application.
/// </summary>
public sealed class GroupMember : IAsyncDisposable
{
    private enum State { Unjoined, Rebalancing, Stable }

    private readonly KafkaCluster _cluster;
    private readonly GroupMemberOptions _options;
    private readonly Func<IReadOnlyList<GroupProtocol>> _protocols;
    private readonly Func<IReadOnlyList<(string MemberId, string? InstanceId, byte[] Metadata)>, string, Dictionary<string, byte[]>> _assign;
    private readonly SemaphoreSlim _joinLock = new(1, 1);
    private readonly SemaphoreSlim _coordinatorLock = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _gate = new();
    private KafkaConnection? _connection;
    private Task? _heartbeatLoop;
    private TaskCompletionSource _rejoinSignal = NewSignal();
    private State _state = State.Unjoined;
    private int _generation = -1;
    private string _memberId = "";
    private string? _leaderId;
    private string? _protocol;
    private bool _rejoinNeeded = true;
    private bool _lostPending;
    private bool _hasAssignment;
    private long _lastPollTicks;
    private int _disposed;

    public GroupMember(KafkaCluster cluster, GroupMemberOptions options, Func<IReadOnlyList<GroupProtocol>> protocols,
        Func<IReadOnlyList<(string MemberId, string? InstanceId, byte[] Metadata)>, string, Dictionary<string, byte[]>> assign)
    {
        _cluster = cluster;
        _options = options;
        _protocols = protocols;
        _assign = assign;
        _lastPollTicks = options.Time.GetTimestamp();
    }

    /// <summary>Called after each successful sync: generation, protocol, this member's assignment, leader id.</summary>
    public Func<int, string, byte[], string, Task>? OnAssigned { get; set; }

    /// <summary>Called before rejoining or leaving while the previous assignment is still valid.</summary>
    public Func<Task>? OnRevoked { get; set; }

    /// <summary>Called before rejoining when the generation was lost (fenced, expired); nothing can be committed.</summary>
    public Func<Task>? OnLost { get; set; }

    /// <summary>A consumer's coordinator metrics (joins, syncs, heartbeats, rebalances); null for other members.</summary>
    internal ConsumerMetrics? Metrics { get; init; }

    public string GroupId => _options.GroupId;
    public string? GroupInstanceId => _options.GroupInstanceId;
    public int Generation { get { lock (_gate) return _generation; } }
    public string MemberId { get { lock (_gate) return _memberId; } }
    public string? LeaderId { get { lock (_gate) return _leaderId; } }
    public string? Protocol { get { lock (_gate) return _protocol; } }
    public bool IsLeader { get { lock (_gate) return _leaderId is not null && _leaderId == _memberId; } }
    public bool IsStable { get { lock (_gate) return _state == State.Stable && !_rejoinNeeded; } }
    public bool RejoinNeeded { get { lock (_gate) return _rejoinNeeded || _state != State.Stable; } }

    /// <summary>
    /// Completes when a rejoin becomes needed (the coordinator started a rebalance, the member was fenced, or
    /// <see cref="RequestRejoin"/> was called). A loop that waits on more than the group (the Connect herder) awaits it
    /// beside its own signals, then calls <see cref="EnsureActiveAsync"/>.
    /// </summary>
    public Task RejoinSignal
    {
        get
        {
            lock (_gate)
            {
                return _rejoinNeeded || _state != State.Stable ? Task.CompletedTask : _rejoinSignal.Task;
            }
        }
    }

    /// <summary>Asks for a rebalance on the next <see cref="EnsureActiveAsync"/> (e.g. the subscription changed).</summary>
    public void RequestRejoin()
    {
        lock (_gate)
        {
            _rejoinNeeded = true;
            _rejoinSignal.TrySetResult();
        }
    }

    /// <summary>Joins or rejoins when needed; true when a rebalance completed during this call.</summary>
    public async Task<bool> EnsureActiveAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        Interlocked.Exchange(ref _lastPollTicks, _options.Time.GetTimestamp());
        if (!RejoinNeeded) return false;
        await _joinLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!RejoinNeeded) return false;
            await PrepareJoinAsync().ConfigureAwait(false);
            await JoinLoopAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _joinLock.Release();
        }
    }

    /// <summary>
    /// Keeps membership alive for up to <paramref name="timeout"/>: rejoins at once when needed and returns early
    /// after a rebalance. The Connect worker calls this in its loop.
    /// </summary>
    public async Task PollAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (await EnsureActiveAsync(cancellationToken).ConfigureAwait(false)) return;
        Task signal;
        lock (_gate) signal = _rejoinSignal.Task;
        // Timing out is the normal case: observe it without throwing.
        var woken = signal.WaitAsync(timeout, _options.Time, cancellationToken);
        await woken.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
        if (!woken.IsCompletedSuccessfully)
        {
            return;
        }
        await EnsureActiveAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task PrepareJoinAsync()
    {
        bool lost, assigned;
        lock (_gate)
        {
            lost = _lostPending;
            assigned = _hasAssignment;
            _lostPending = false;
            _hasAssignment = false;
        }
        if (lost && OnLost is { } onLost) await onLost().ConfigureAwait(false);
        else if (assigned && !lost && OnRevoked is { } onRevoked) await onRevoked().ConfigureAwait(false);
    }

    private async Task JoinLoopAsync(CancellationToken ct)
    {
        var attempt = 0;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            ErrorCode error;
            try
            {
                error = await JoinAndSyncOnceAsync(ct).ConfigureAwait(false);
            }
            catch (KafkaConnectionException)
            {
                MarkCoordinatorUnknown();
                error = ErrorCode.CoordinatorNotAvailable;
            }
            catch (KafkaException ex) when (ex.Error is ErrorCode.CoordinatorNotAvailable or ErrorCode.NotCoordinator or ErrorCode.CoordinatorLoadInProgress)
            {
                error = ex.Error;
            }
            if (error == ErrorCode.None) return;
            // As Apache, a rejoin the protocol asks for at once is not a failed rebalance.
            if (Metrics is { } metrics && error is not (ErrorCode.MemberIdRequired or ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration or ErrorCode.RebalanceInProgress))
                Interlocked.Increment(ref metrics.FailedRebalances);
            switch (error)
            {
                case ErrorCode.MemberIdRequired:
                    continue; // member id already taken from the response; rejoin at once
                case ErrorCode.UnknownMemberId:
                    lock (_gate) { _memberId = ""; _generation = -1; }
                    continue;
                case ErrorCode.IllegalGeneration:
                    lock (_gate) _generation = -1;
                    continue;
                case ErrorCode.RebalanceInProgress:
                    continue;
                case ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable:
                    MarkCoordinatorUnknown();
                    break;
                case ErrorCode.CoordinatorLoadInProgress:
                    break;
                default:
                    lock (_gate) _state = State.Unjoined;
                    throw new KafkaException(error, $"Group '{_options.GroupId}': joining failed with {error}.");
            }
            await Task.Delay(_cluster.Backoff(attempt++), _options.Time, ct).ConfigureAwait(false);
        }
    }

    private async Task<ErrorCode> JoinAndSyncOnceAsync(CancellationToken ct)
    {
        var connection = await CoordinatorConnectionAsync(ct).ConfigureAwait(false);
        string memberId;
        lock (_gate)
        {
            _state = State.Rebalancing;
            _rejoinNeeded = true;
            memberId = _memberId;
        }
        var joinVersion = connection.NegotiateVersion(ApiKey.JoinGroup, 0, 8);
        var join = new JoinGroupRequest
        {
            GroupId = _options.GroupId,
            SessionTimeoutMs = (int)_options.SessionTimeout.TotalMilliseconds,
            RebalanceTimeoutMs = (int)_options.RebalanceTimeout.TotalMilliseconds,
            MemberId = memberId,
            GroupInstanceId = _options.GroupInstanceId,
            ProtocolType = _options.ProtocolType,
        };
        foreach (var p in _protocols())
            join.Protocols.Add(new JoinGroupRequest.JoinGroupRequestProtocol { Name = p.Name, Metadata = p.Metadata });
        JoinGroupResponse joined;
        if (memberId.Length == 0 && joinVersion >= 4 && _options.GroupInstanceId is null)
        {
            // Answered at once with MEMBER_ID_REQUIRED and the id the broker now holds for us as a pending member, which
            // holds up the group's next join phase until it joins or its session times out. Dropping that answer when
            // the caller cancels (a task stopping mid-join) would leave an id we could not leave with, so this round
            // is bounded by the request timeout only.
            using var timeout = new CancellationTokenSource(_cluster.Options.RequestTimeout, _options.Time);
            joined = await connection.SendAsync<JoinGroupResponse>(ApiKey.JoinGroup, joinVersion, join, timeout.Token).ConfigureAwait(false);
        }
        else
        {
            joined = await connection.SendAsync<JoinGroupResponse>(ApiKey.JoinGroup, joinVersion, join, ct).ConfigureAwait(false);
        }
        var error = (ErrorCode)joined.ErrorCode;
        if (error == ErrorCode.MemberIdRequired)
        {
            lock (_gate) _memberId = joined.MemberId;
            ct.ThrowIfCancellationRequested();
            return error;
        }
        if (error != ErrorCode.None) return error;
        if (Metrics is { } metrics) Interlocked.Increment(ref metrics.Joins);

        var protocol = joined.ProtocolName ?? "";
        lock (_gate)
        {
            _memberId = joined.MemberId;
            _generation = joined.GenerationId;
            _leaderId = joined.Leader;
            _protocol = protocol;
        }
        var sync = new SyncGroupRequest
        {
            GroupId = _options.GroupId,
            GenerationId = joined.GenerationId,
            MemberId = joined.MemberId,
            GroupInstanceId = _options.GroupInstanceId,
            ProtocolType = _options.ProtocolType,
            ProtocolName = protocol,
        };
        if (joined.Leader == joined.MemberId)
        {
            var members = new List<(string, string?, byte[])>(joined.Members.Count);
            foreach (var m in joined.Members) members.Add((m.MemberId, m.GroupInstanceId, m.Metadata));
            var assignment = _assign(members, protocol);
            foreach (var (id, bytes) in assignment)
                sync.Assignments.Add(new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = id, Assignment = bytes });
        }
        var syncVersion = connection.NegotiateVersion(ApiKey.SyncGroup, 0, 5);
        var synced = await connection.SendAsync<SyncGroupResponse>(ApiKey.SyncGroup, syncVersion, sync, ct).ConfigureAwait(false);
        error = (ErrorCode)synced.ErrorCode;
        if (error != ErrorCode.None) return error;
        if (Metrics is { } counted)
        {
            Interlocked.Increment(ref counted.Syncs);
            counted.RebalanceCompleted();
        }

        lock (_gate)
        {
            _state = State.Stable;
            _rejoinNeeded = false;
            _hasAssignment = true;
            if (_rejoinSignal.Task.IsCompleted) _rejoinSignal = NewSignal();
        }
        _heartbeatLoop ??= Task.Run(HeartbeatLoopAsync);
        if (OnAssigned is { } onAssigned)
            await onAssigned(joined.GenerationId, protocol, synced.Assignment, joined.Leader).ConfigureAwait(false);
        return ErrorCode.None;
    }

    private async Task HeartbeatLoopAsync()
    {
        var ct = _stopping.Token;
        var failures = 0;
        var lastSuccess = _options.Time.GetTimestamp();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(failures == 0 ? _options.HeartbeatInterval : _cluster.Backoff(failures), _options.Time, ct).ConfigureAwait(false);
                int generation;
                string memberId;
                lock (_gate)
                {
                    if (_state != State.Stable) { failures = 0; lastSuccess = _options.Time.GetTimestamp(); continue; }
                    generation = _generation;
                    memberId = _memberId;
                }
                if (_options.LeaveOnPollTimeout && _options.Time.GetElapsedTime(Interlocked.Read(ref _lastPollTicks)) > _options.RebalanceTimeout)
                {
                    // The application stopped polling: give the partitions to someone who will (max.poll.interval.ms).
                    await SendLeaveAsync("consumer poll timeout has expired", ct).ConfigureAwait(false);
                    lock (_gate)
                    {
                        _lostPending = true;
                        _memberId = "";
                        _generation = -1;
                        _state = State.Unjoined;
                        _rejoinNeeded = true;
                        _rejoinSignal.TrySetResult();
                    }
                    continue;
                }
                var error = await SendHeartbeatAsync(generation, memberId, ct).ConfigureAwait(false);
                lock (_gate)
                {
                    if (generation != _generation || memberId != _memberId) continue;
                    switch (error)
                    {
                        case ErrorCode.None:
                            failures = 0;
                            lastSuccess = _options.Time.GetTimestamp();
                            break;
                        case ErrorCode.RebalanceInProgress:
                            failures = 0;
                            _rejoinNeeded = true;
                            _rejoinSignal.TrySetResult();
                            break;
                        case ErrorCode.IllegalGeneration or ErrorCode.UnknownMemberId or ErrorCode.FencedInstanceId:
                            failures = 0;
                            _lostPending = true;
                            _generation = -1;
                            if (error == ErrorCode.UnknownMemberId) _memberId = "";
                            _state = State.Unjoined;
                            _rejoinNeeded = true;
                            _rejoinSignal.TrySetResult();
                            break;
                        default:
                            failures++;
                            break;
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is KafkaConnectionException or KafkaException or TimeoutException or OperationCanceledException)
            {
                // Coordinator moved or went away: find it again on the next beat.
                MarkCoordinatorUnknown();
                failures++;
            }
            if (_options.Time.GetElapsedTime(lastSuccess) > _options.SessionTimeout)
            {
                // No heartbeat got through for a whole session: the coordinator has expelled us by now.
                lock (_gate)
                {
                    if (_state == State.Stable)
                    {
                        _lostPending = true;
                        _generation = -1;
                        _state = State.Unjoined;
                        _rejoinNeeded = true;
                        _rejoinSignal.TrySetResult();
                    }
                }
                lastSuccess = _options.Time.GetTimestamp();
            }
        }
    }

    private async Task<ErrorCode> SendHeartbeatAsync(int generation, string memberId, CancellationToken ct)
    {
        var connection = await CoordinatorConnectionAsync(ct).ConfigureAwait(false);
        var version = connection.NegotiateVersion(ApiKey.Heartbeat, 0, 4);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_cluster.Options.RequestTimeout);
        var response = await connection.SendAsync<HeartbeatResponse>(ApiKey.Heartbeat, version, new HeartbeatRequest
        {
            GroupId = _options.GroupId,
            GenerationId = generation,
            MemberId = memberId,
            GroupInstanceId = _options.GroupInstanceId,
        }, timeout.Token).ConfigureAwait(false);
        if (Metrics is { } metrics) Interlocked.Increment(ref metrics.Heartbeats);
        var error = (ErrorCode)response.ErrorCode;
        if (error is ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable) throw new KafkaException(error, "coordinator moved");
        return error;
    }

    /// <summary>
    /// The coordinator's connection, found and opened when unknown. It is separate from the cluster's connection to
    /// the same broker so a JoinGroup waiting for the rebalance never delays fetches queued behind it.
    /// </summary>
    internal async Task<KafkaConnection> CoordinatorConnectionAsync(CancellationToken ct)
    {
        var current = Volatile.Read(ref _connection);
        if (current is { IsClosed: false }) return current;
        await _coordinatorLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            current = _connection;
            if (current is { IsClosed: false }) return current;
            if (current is not null) _ = current.DisposeAsync().AsTask();
            var node = await _cluster.FindCoordinatorAsync(_options.GroupId, ct).ConfigureAwait(false);
            var o = _cluster.Options;
            // JoinGroup may legitimately wait for the whole rebalance timeout.
            var requestTimeout = TimeSpan.FromTicks(Math.Max(o.RequestTimeout.Ticks, (_options.RebalanceTimeout + TimeSpan.FromSeconds(5)).Ticks));
            var connection = await KafkaConnection.ConnectAsync(node.Host, node.Port, o.ClientId, o.ConnectTimeout, requestTimeout, o.Security, _cluster.Counters, ct).ConfigureAwait(false);
            Volatile.Write(ref _connection, connection);
            return connection;
        }
        finally
        {
            _coordinatorLock.Release();
        }
    }

    /// <summary>Forget the coordinator (after NOT_COORDINATOR or a broken connection); the next request rediscovers it.</summary>
    internal void MarkCoordinatorUnknown()
    {
        var old = Interlocked.Exchange(ref _connection, null);
        if (old is not null) _ = old.DisposeAsync().AsTask();
    }

    /// <summary>Generation and member id for offset commits; (-1, "") outside a stable generation.</summary>
    internal (int Generation, string MemberId) CommitIdentity()
    {
        lock (_gate) return _state == State.Stable ? (_generation, _memberId) : (-1, _memberId);
    }

    /// <summary>Leaves the group (revoking first); the member can join again later.</summary>
    public async Task LeaveAsync(string reason = "the member is leaving", CancellationToken cancellationToken = default)
    {
        await _joinLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await PrepareJoinAsync().ConfigureAwait(false);
            string memberId;
            lock (_gate) memberId = _memberId;
            // Static members keep their slot across restarts; only the session timeout removes them.
            if (memberId.Length > 0 && _options.GroupInstanceId is null)
            {
                try
                {
                    await SendLeaveAsync(reason, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is KafkaConnectionException or KafkaException or OperationCanceledException or TimeoutException)
                {
                    // Best effort: the session timeout removes us anyway.
                }
            }
            lock (_gate)
            {
                if (_options.GroupInstanceId is null) _memberId = "";
                _generation = -1;
                _leaderId = null;
                _state = State.Unjoined;
                _rejoinNeeded = true;
            }
        }
        finally
        {
            _joinLock.Release();
        }
    }

    private async Task SendLeaveAsync(string reason, CancellationToken ct)
    {
        string memberId;
        lock (_gate) memberId = _memberId;
        if (memberId.Length == 0) return;
        var connection = await CoordinatorConnectionAsync(ct).ConfigureAwait(false);
        var version = connection.NegotiateVersion(ApiKey.LeaveGroup, 0, 5);
        var request = new LeaveGroupRequest { GroupId = _options.GroupId, MemberId = memberId };
        if (version >= 3)
            request.Members.Add(new LeaveGroupRequest.MemberIdentity { MemberId = memberId, GroupInstanceId = _options.GroupInstanceId, Reason = reason });
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_cluster.Options.RequestTimeout);
        await connection.SendAsync<LeaveGroupResponse>(ApiKey.LeaveGroup, version, request, timeout.Token).ConfigureAwait(false);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Leaves the group (LeaveGroup unless static) and stops heartbeating.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed != 0) return;
        try
        {
            await LeaveAsync("the member is closing").ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is KafkaConnectionException or KafkaException or ObjectDisposedException)
        {
        }
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stopping.Cancel();
        if (_heartbeatLoop is not null)
        {
            try { await _heartbeatLoop.ConfigureAwait(false); } catch (Exception) { }
        }
        MarkCoordinatorUnknown();
    }
}
