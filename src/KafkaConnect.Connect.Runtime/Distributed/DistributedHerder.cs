using System.Collections.Concurrent;
using System.Security.Cryptography;
using KafkaConnect.Client;
using KafkaConnect.Client.Config;
using KafkaConnect.Client.Groups;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Runtime.Config;
using KafkaConnect.Connect.Runtime.Distributed.Protocol;
using KafkaConnect.Connect.Runtime.Metrics;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Storage;
using Microsoft.Extensions.Logging;
using WorkerRuntime = KafkaConnect.Connect.Runtime.Worker;

namespace KafkaConnect.Connect.Runtime.Distributed;

/// <summary>
/// The herder of a worker in a Connect cluster (Apache's DistributedHerder). Workers with one <c>group.id</c> form a
/// group (protocol type <c>connect</c>); the leader assigns connectors and tasks and alone writes the config topic.
/// Every change of this worker's state happens on one loop: rejoin when needed → act on the assignment → act on
/// config topic changes → run queued REST requests. REST reads answer from the local view of the topics; writes that
/// only the leader may make throw <see cref="NotLeaderException"/>, which the REST layer forwards.
/// </summary>
public sealed partial class DistributedHerder : HerderBase, IHerder, IAsyncDisposable
{
    /// <summary>Upper bound of the heartbeat interval, whatever heartbeat.interval.ms says.</summary>
    public const int MaxHeartbeatIntervalMs = 500;

    private readonly WorkerConfig _config;
    private readonly IConfigBackingStore _configStore;
    private readonly IStatusBackingStore _statusStore;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly ConnectProtocolCompatibility _compatibility;
    private readonly TimeSpan _workerSyncTimeout;
    private readonly TimeSpan _unsyncBackoff;
    private readonly TimeSpan _keyTtl;
    private readonly int _keySizeBytes;
    private readonly TimeSpan _requestWaitBound;
    private readonly IncrementalCooperativeAssignor _incremental;
    private readonly EagerAssignor _eager = new();
    private readonly ConcurrentQueue<Request> _requests = new();
    private readonly ConcurrentQueue<RestartRequest> _restartRequests = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<string> _myConnectors = new(StringComparer.Ordinal);
    private readonly HashSet<ConnectorTaskId> _myTasks = [];
    private readonly ConcurrentDictionary<string, int> _forwardFailures = new(StringComparer.Ordinal);
    private HttpClient? _httpClient;
    private TaskCompletionSource _wake = NewSignal();
    private GroupMember? _member;
    private KafkaCluster? _cluster;
    private Task? _loop;
    private string _url = "";
    private volatile ClusterConfigState _snapshot = ClusterConfigState.Empty;
    private ConnectAssignment? _pendingAssignment;
    private volatile ConnectAssignment? _lastAssignment;
    private volatile string? _leaderUrl;
    private volatile bool _isLeader;
    private volatile int _generation = -1;
    private RebalanceMetrics? _rebalanceMetrics;
    private DateTimeOffset? _scheduledRejoin;
    private long _assignmentConfigOffset = -1;
    private volatile bool _ready;
    private volatile string? _syncProblem;

    public DistributedHerder(WorkerRuntime.Worker worker, string kafkaClusterId, IConfigBackingStore configStore, IStatusBackingStore statusStore,
        ILoggerFactory loggers, TimeProvider? time = null)
        : base(worker, kafkaClusterId)
    {
        _config = worker.Config;
        _configStore = configStore;
        _statusStore = statusStore;
        _log = loggers.CreateLogger(typeof(DistributedHerder).FullName!);
        _time = time ?? TimeProvider.System;
        _compatibility = ConnectProtocolCompatibilities.Parse(_config.GetString(DistributedConfig.ConnectProtocol)!);
        _workerSyncTimeout = TimeSpan.FromMilliseconds(_config.GetInt(DistributedConfig.WorkerSyncTimeoutMs));
        _unsyncBackoff = TimeSpan.FromMilliseconds(_config.GetInt(DistributedConfig.WorkerUnsyncBackoffMs));
        _keyTtl = TimeSpan.FromMilliseconds(_config.GetInt(DistributedConfig.InterWorkerKeyTtlMs));
        _keySizeBytes = (_config.Get(DistributedConfig.InterWorkerKeySize) as int? ?? 256) / 8;
        // A REST call that arrives during a rebalance waits for it, but not for longer than this (then 409, as Apache).
        _requestWaitBound = TimeSpan.FromMilliseconds(Math.Max(_config.GetInt(DistributedConfig.RebalanceTimeoutMs), 1000));
        var maxDelay = TimeSpan.FromMilliseconds(_config.GetInt(DistributedConfig.ScheduledRebalanceMaxDelayMs));
        _incremental = new IncrementalCooperativeAssignor(_time, maxDelay, IsReleased);
        _configStore.Listener = new Listener(this);
        worker.Status.ConnectorReported = OnConnectorReported;
        worker.Status.TaskReported = OnTaskReported;
        worker.ActiveTopicAdded = (id, topic) =>
            _statusStore.Put(new TopicStatusEntry(topic, id.Connector, id.Task, _time.GetUtcNow().ToUnixTimeMilliseconds()));
    }

    public bool IsReady => _ready;

    /// <summary>The URL other workers reach this one at (Apache's advertised URL).</summary>
    public string Url => _url;

    public bool IsLeader => _isLeader;

    /// <summary>The session key this worker knows (signs its internal requests, verifies others').</summary>
    public SessionKey? SessionKey => _snapshot.SessionKey;

    /// <summary>A cluster-scoped logger level arrived through the config topic (the CLI applies it to its log level registry).</summary>
    public Action<string, string>? LoggerLevelChanged { get; set; }

    /// <summary>
    /// Sends this worker's requests to the leader (task configs); set before <see cref="StartAsync"/> when the leader's
    /// URL may be https with a private authority (the REST server's TLS settings make one). Disposed with the herder.
    /// </summary>
    public HttpMessageHandler? InterWorkerHandler { get; init; }

    // Made on first use: the handler is an init property, set after the constructor.
    private HttpClient Http => LazyInitializer.EnsureInitialized(ref _httpClient,
        () => new HttpClient(InterWorkerHandler ?? new SocketsHttpHandler(), disposeHandler: true) { Timeout = TimeSpan.FromSeconds(30) });

    public string? LeaderUrl => _leaderUrl;

    public int Generation => _generation;

    /// <summary>Why this worker could not follow the cluster's config topic, if it cannot (shown by logs and tests).</summary>
    public string? SyncProblem => _syncProblem;

    /// <summary>Connectors and tasks this worker runs now.</summary>
    public (IReadOnlyList<string> Connectors, IReadOnlyList<ConnectorTaskId> Tasks) Running
    {
        get
        {
            lock (_myConnectors)
            {
                return ([.. _myConnectors], [.. _myTasks]);
            }
        }
    }

    /// <summary>
    /// Creates and reads the internal topics (once; later calls return the same task). Needs no advertised URL, so
    /// the CLI starts it while the REST server is still binding.
    /// </summary>
    public Task LoadAsync(CancellationToken ct = default)
    {
        lock (_stopping)
        {
            return _load ??= LoadCoreAsync(ct);
        }
    }

    private Task? _load;
    private long _loadMs;

    private async Task LoadCoreAsync(CancellationToken ct)
    {
        var started = _time.GetTimestamp();
        // Independent topics: create and read them side by side.
        await Task.WhenAll(_configStore.StartAsync(ct), _statusStore.StartAsync(ct), Task.Run(_worker.Offsets.Start, ct)).ConfigureAwait(false);
        _loadMs = (long)_time.GetElapsedTime(started).TotalMilliseconds;
    }

    /// <summary>Reads the internal topics (<see cref="LoadAsync"/>), then joins the group in the background; REST is served from then on.</summary>
    public async Task StartAsync(string advertisedUrl, CancellationToken ct = default)
    {
        _url = advertisedUrl;
        await LoadAsync(ct).ConfigureAwait(false);
        _snapshot = _configStore.Snapshot();
        _cluster = new KafkaCluster(ClusterOptions.FromProperties(_config.ClientConfig(WorkerConfig.WorkerClientPrefix)) with
        {
            ClientId = "connect-" + _config.GetString(DistributedConfig.GroupId),
        });
        _member = new GroupMember(_cluster, new GroupMemberOptions
        {
            GroupId = _config.GetString(DistributedConfig.GroupId)!,
            ProtocolType = "connect",
            SessionTimeout = TimeSpan.FromMilliseconds(_config.GetInt(DistributedConfig.SessionTimeoutMs)),
            RebalanceTimeout = TimeSpan.FromMilliseconds(_config.GetInt(DistributedConfig.RebalanceTimeoutMs)),
            // At most every 500 ms (heartbeat.interval.ms is an upper bound here): members learn of a rebalance only from
            // a heartbeat, and a worker that left or died should be replaced within half a second, not three.
            HeartbeatInterval = TimeSpan.FromMilliseconds(Math.Min(_config.GetInt(DistributedConfig.HeartbeatIntervalMs), MaxHeartbeatIntervalMs)),
            Time = _time,
        }, JoinProtocols, Assign)
        {
            OnAssigned = OnAssignedAsync,
            OnRevoked = OnRevokedAsync,
            OnLost = OnLostAsync,
        };
        _rebalanceMetrics = _worker.Metrics?.Rebalance;
        _rebalanceMetrics?.Started();
        _ready = true;
        _loop = Task.Run(RunLoopAsync, CancellationToken.None);
        _log.LogInformation("Herder started (internal topics read in {Ms} ms); joining group {Group} as {Url}", _loadMs, _member.GroupId, _url);
    }

    /// <summary>Completes after this worker's first assignment was applied (for start-up measurements and tests).</summary>
    public Task FirstAssignment => _firstAssignment.Task;

    private readonly TaskCompletionSource _firstAssignment = NewSignal();

    // --- the loop --------------------------------------------------------------------------------------

    private async Task RunLoopAsync()
    {
        var ct = _stopping.Token;
        while (!ct.IsCancellationRequested)
        {
            var wake = NewSignal();
            Volatile.Write(ref _wake, wake);
            var member = _member!;
            try
            {
                if (_scheduledRejoin is { } due && _time.GetUtcNow() >= due)
                {
                    _scheduledRejoin = null;
                    _log.LogInformation("Scheduled rebalance delay expired; rejoining");
                    member.RequestRejoin();
                }
                await member.EnsureActiveAsync(ct).ConfigureAwait(false);
                if (_pendingAssignment is { } assignment)
                {
                    _pendingAssignment = null;
                    await ApplyAssignmentAsync(assignment, ct).ConfigureAwait(false);
                    continue;
                }
                if (member.RejoinNeeded)
                {
                    continue;
                }
                await ApplyConfigChangesAsync(ct).ConfigureAwait(false);
                await ProcessRestartRequestsAsync().ConfigureAwait(false);
                await MaybeRotateSessionKeyAsync(ct).ConfigureAwait(false);
                while (!member.RejoinNeeded && _requests.TryDequeue(out var request))
                {
                    await request.RunAsync().ConfigureAwait(false);
                }
                if (member.RejoinNeeded || !_requests.IsEmpty)
                {
                    continue;
                }
                var timeout = TimeSpan.FromSeconds(1);
                if (_scheduledRejoin is { } next)
                {
                    var left = next - _time.GetUtcNow();
                    timeout = left < timeout ? (left > TimeSpan.Zero ? left : TimeSpan.Zero) : timeout;
                }
                var waited = Task.WhenAny(wake.Task, member.RejoinSignal, Task.Delay(timeout, _time, ct));
                await waited.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                _log.LogError(ex, "Uncaught exception in the herder loop; continuing");
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(250), _time, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private void Wake() => Volatile.Read(ref _wake).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // --- membership ------------------------------------------------------------------------------------

    private IReadOnlyList<GroupProtocol> JoinProtocols()
    {
        // As Apache: no allocation before the first assignment, then the last one received with all we run as its assignment.
        var last = _lastAssignment;
        WorkerAllocation? allocation = null;
        if (last is not null)
        {
            lock (_myConnectors)
            {
                allocation = new WorkerAllocation([.. _myConnectors.Order(StringComparer.Ordinal)],
                    [.. _myTasks.OrderBy(t => t.Connector, StringComparer.Ordinal).ThenBy(t => t.Task)]);
            }
        }
        return ConnectProtocol.JoinProtocols(_compatibility, new WorkerMetadata(_url, _snapshot.Offset, allocation) { LastAssignment = last });
    }

    private Dictionary<string, byte[]> Assign(IReadOnlyList<(string MemberId, string? InstanceId, byte[] Metadata)> members, string protocol)
    {
        var infos = new List<MemberInfo>(members.Count);
        var maxOffset = long.MinValue;
        foreach (var (id, _, metadata) in members)
        {
            var state = ConnectProtocol.DeserializeMetadata(metadata, out _);
            infos.Add(new MemberInfo(id, state));
            maxOffset = Math.Max(maxOffset, state.ConfigOffset);
        }
        // The newest view, without acting on it here: the loop applies config changes after the assignment.
        var snapshot = _configStore.Snapshot();
        if (maxOffset > snapshot.Offset)
        {
            // Another worker has read further: catch up before assigning (the members get CONFIG_MISMATCH otherwise).
            _configStore.RefreshAsync(_workerSyncTimeout).GetAwaiter().GetResult();
            snapshot = _configStore.Snapshot();
            if (maxOffset > snapshot.Offset)
            {
                var ahead = infos.First(m => m.Metadata.ConfigOffset == maxOffset);
                _log.LogError("Worker {Url} has read the config topic up to offset {Theirs}, but {Topic} ends at {Ours} here: every worker of group {Group} "
                    + "must use the same config.storage.topic (and Kafka cluster). Assigning nothing until they agree.",
                    ahead.Metadata.Url, maxOffset, _config.GetString(DistributedConfig.ConfigTopic), snapshot.Offset, _config.GetString(DistributedConfig.GroupId));
            }
        }
        // Statuses tell the assignor which lost work a departing worker released on purpose.
        _statusStore.RefreshAsync(TimeSpan.FromSeconds(2)).GetAwaiter().GetResult();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var connector in snapshot.Connectors)
        {
            counts[connector] = snapshot.Inconsistent.Contains(connector) ? 0 : snapshot.TaskCount(connector);
        }
        IConnectAssignor assignor = protocol == ConnectProtocolCompatibilities.ProtocolName(ConnectProtocolCompatibility.Eager) ? _eager : _incremental;
        var leaderId = _member!.MemberId;
        // _generation is still the last generation this worker completed: OnAssigned has not run for the new one.
        var result = assignor.Assign(leaderId, protocol, infos, new ClusterSnapshot(snapshot.Offset, counts)
        {
            Generation = _member.Generation,
            LastCompletedGeneration = _generation,
        });
        var bytes = new Dictionary<string, byte[]>(result.Count, StringComparer.Ordinal);
        foreach (var (id, a) in result)
        {
            bytes[id] = ConnectProtocol.SerializeAssignment(a);
        }
        return bytes;
    }

    // Work a worker stopped on purpose before leaving (its statuses say UNASSIGNED) is reassigned without the delay.
    private bool IsReleased(ConnectorTaskId id) =>
        (id.Task < 0 ? _statusStore.Get(id.Connector)?.State : _statusStore.Get(id)?.State) == ConnectorState.Unassigned;

    private Task OnAssignedAsync(int generation, string protocol, byte[] bytes, string leaderId)
    {
        var assignment = ConnectProtocol.DeserializeAssignment(bytes);
        _lastAssignment = assignment;
        _generation = generation;
        _isLeader = assignment.Leader == _member!.MemberId;
        _leaderUrl = assignment.LeaderUrl;
        _pendingAssignment = assignment;
        _rebalanceMetrics?.Completed(generation, protocol, assignment.LeaderUrl);
        return Task.CompletedTask;
    }

    private async Task OnRevokedAsync()
    {
        _rebalanceMetrics?.Started();
        // Eager protocol: every rebalance starts from nothing.
        if (_member!.Protocol == ConnectProtocolCompatibilities.ProtocolName(ConnectProtocolCompatibility.Eager))
        {
            await StopAllAsync().ConfigureAwait(false);
        }
    }

    private async Task OnLostAsync()
    {
        _rebalanceMetrics?.Started();
        // Out of the group (session expired, fenced): the others may already run our work.
        _log.LogWarning("This worker lost its group membership; stopping its connectors and tasks before rejoining");
        // Read what the others wrote meanwhile first, so our UNASSIGNED writes (PutSafe) do not overwrite their RUNNING.
        await _statusStore.RefreshAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        await StopAllAsync().ConfigureAwait(false);
    }

    private async Task ApplyAssignmentAsync(ConnectAssignment assignment, CancellationToken ct)
    {
        if (!assignment.Failed)
        {
            _assignmentConfigOffset = assignment.ConfigOffset;
        }
        if (assignment.Failed || _snapshot.Offset < assignment.ConfigOffset)
        {
            if (!await CatchUpAsync(assignment.ConfigOffset, ct).ConfigureAwait(false))
            {
                return;
            }
            if (assignment.Failed)
            {
                _member!.RequestRejoin();
                return;
            }
        }
        _syncProblem = null;
        var revoked = assignment.Revoked;
        if (revoked.Tasks.Count > 0 || revoked.Connectors.Count > 0)
        {
            _log.LogInformation("Revoked: connectors [{Connectors}], tasks [{Tasks}]", string.Join(", ", revoked.Connectors), string.Join(", ", revoked.Tasks));
        }
        await StopTasksAsync(revoked.Tasks).ConfigureAwait(false);
        foreach (var connector in revoked.Connectors)
        {
            await StopConnectorAsync(connector).ConfigureAwait(false);
        }
        var added = assignment.Assigned;
        _log.LogInformation("Joined generation {Generation} as {Role}; assigned connectors [{Connectors}], tasks [{Tasks}]; delay {Delay} ms",
            _generation, _isLeader ? "leader" : "follower", string.Join(", ", added.Connectors), string.Join(", ", added.Tasks), assignment.DelayMs);
        foreach (var connector in added.Connectors)
        {
            bool mine;
            lock (_myConnectors)
            {
                mine = _myConnectors.Contains(connector);
            }
            if (!mine)
            {
                await StartConnectorAsync(connector, ct).ConfigureAwait(false);
            }
        }
        foreach (var task in added.Tasks)
        {
            bool mine;
            lock (_myConnectors)
            {
                mine = _myTasks.Contains(task);
            }
            if (!mine)
            {
                StartTask(task);
            }
        }
        _scheduledRejoin = assignment.DelayMs > 0 ? _time.GetUtcNow().AddMilliseconds(assignment.DelayMs) : null;
        if ((revoked.Tasks.Count > 0 || revoked.Connectors.Count > 0) && assignment.Version > 0)
        {
            // Incremental cooperative: what we released can be given out in the next round.
            _member!.RequestRejoin();
        }
        _firstAssignment.TrySetResult();
    }

    /// <summary>Reads the config topic up to the leader's offset; false (and out of the group for a while) when it cannot.</summary>
    private async Task<bool> CatchUpAsync(long offset, CancellationToken ct)
    {
        await _configStore.RefreshAsync(_workerSyncTimeout, ct).ConfigureAwait(false);
        await ApplyConfigChangesAsync(ct).ConfigureAwait(false);
        if (_snapshot.Offset >= offset)
        {
            return true;
        }
        _syncProblem = $"The leader at {_leaderUrl} has read the config topic up to offset {offset}, but this worker's config topic "
            + $"'{_config.GetString(DistributedConfig.ConfigTopic)}' ends at {_snapshot.Offset}: every worker of group "
            + $"'{_config.GetString(DistributedConfig.GroupId)}' must use the same config.storage.topic on the same Kafka cluster.";
        _log.LogError("{Problem} Leaving the group for {Backoff} ms (worker.unsync.backoff.ms).", _syncProblem, (long)_unsyncBackoff.TotalMilliseconds);
        await StopAllAsync().ConfigureAwait(false);
        await _member!.LeaveAsync("worker is out of sync with the config topic", ct).ConfigureAwait(false);
        await Task.Delay(_unsyncBackoff, _time, ct).ConfigureAwait(false);
        return false;
    }

    // --- running connectors and tasks ------------------------------------------------------------------

    private async Task StartConnectorAsync(string connector, CancellationToken ct)
    {
        var config = _snapshot.ConnectorConfig(connector);
        if (config is null)
        {
            return;
        }
        lock (_myConnectors)
        {
            _myConnectors.Add(connector);
        }
        var target = _snapshot.TargetState(connector);
        if (_worker.StartConnector(connector, config, target, () => Enqueue(() => ReconfigureTasksAsync(connector, CancellationToken.None))))
        {
            await ReconfigureTasksAsync(connector, ct).ConfigureAwait(false);
        }
    }

    private async Task StopConnectorAsync(string connector)
    {
        bool mine;
        lock (_myConnectors)
        {
            mine = _myConnectors.Remove(connector);
        }
        if (mine || _worker.IsRunning(connector))
        {
            await _worker.StopConnectorAsync(connector).ConfigureAwait(false);
            _statusStore.PutSafe(new ConnectorStatusEntry(connector, ConnectorState.Unassigned, null, _worker.Status.WorkerId, _generation));
        }
    }

    private void StartTask(ConnectorTaskId id)
    {
        var snapshot = _snapshot;
        var connectorConfig = snapshot.ConnectorConfig(id.Connector);
        var taskConfig = snapshot.TaskConfig(id);
        if (connectorConfig is null || taskConfig is null)
        {
            return;
        }
        lock (_myConnectors)
        {
            _myTasks.Add(id);
        }
        _worker.StartTask(id, connectorConfig, taskConfig, snapshot.TargetState(id.Connector));
    }

    private async Task StopTasksAsync(IReadOnlyCollection<ConnectorTaskId> ids)
    {
        if (ids.Count == 0)
        {
            return;
        }
        lock (_myConnectors)
        {
            foreach (var id in ids)
            {
                _myTasks.Remove(id);
            }
        }
        // Each stopped task reports UNASSIGNED itself.
        await _worker.StopTasksAsync(ids).ConfigureAwait(false);
    }

    private async Task StopAllAsync()
    {
        List<string> connectors;
        List<ConnectorTaskId> tasks;
        lock (_myConnectors)
        {
            connectors = [.. _myConnectors];
            tasks = [.. _myTasks];
        }
        await StopTasksAsync(tasks).ConfigureAwait(false);
        foreach (var connector in connectors)
        {
            await StopConnectorAsync(connector).ConfigureAwait(false);
        }
    }

    /// <summary>Asks a running connector for task configs; when they changed, the leader stores them (forwarded to it from other workers).</summary>
    private async Task ReconfigureTasksAsync(string connector, CancellationToken ct)
    {
        var snapshot = _snapshot;
        var config = snapshot.ConnectorConfig(connector);
        if (config is null || !_worker.IsRunning(connector) || snapshot.TargetState(connector) == WorkerRuntime.TargetState.Stopped)
        {
            return;
        }
        IReadOnlyList<IReadOnlyDictionary<string, string>> fresh;
        try
        {
            fresh = _worker.ConnectorTaskConfigs(connector, config);
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "Failed to generate task configurations for {Connector}", connector);
            _worker.Status.PutConnector(connector, ConnectorState.Failed, ex.ToString());
            return;
        }
        if (!snapshot.Inconsistent.Contains(connector) && SameConfigs(fresh, snapshot.TaskConfigsOf(connector)))
        {
            return;
        }
        if (_isLeader)
        {
            await _configStore.PutTaskConfigsAsync(connector, fresh, ct).ConfigureAwait(false);
            return;
        }
        _ = Task.Run(() => ForwardTaskConfigsAsync(connector, fresh), CancellationToken.None);
    }

    // Not on the loop: waiting on the leader there could keep this worker from heartbeating its way through a rebalance.
    private async Task ForwardTaskConfigsAsync(string connector, IReadOnlyList<IReadOnlyDictionary<string, string>> configs)
    {
        var leader = _leaderUrl;
        try
        {
            if (string.IsNullOrEmpty(leader))
            {
                throw new ConnectException("the URL of the leader's REST interface is not known yet");
            }
            var body = OffsetJson.Serialize(configs.Select(c => (object?)c.ToDictionary(kv => kv.Key, kv => (object?)kv.Value)).ToList());
            using var request = new HttpRequestMessage(HttpMethod.Post, leader.TrimEnd('/') + "/connectors/" + Uri.EscapeDataString(connector) + "/tasks?forward=true")
            {
                Content = new ByteArrayContent(body),
            };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            if (_snapshot.SessionKey is { } key)
            {
                request.Headers.Add(InternalRequestSignature.SignatureHeader, Convert.ToBase64String(InternalRequestSignature.Sign(key.Key, body)));
                request.Headers.Add(InternalRequestSignature.AlgorithmHeader, _config.GetString(DistributedConfig.InterWorkerSignatureAlgorithm));
            }
            using var response = await Http.SendAsync(request, _stopping.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var text = await response.Content.ReadAsStringAsync(_stopping.Token).ConfigureAwait(false);
                throw new ConnectException($"the leader answered {(int)response.StatusCode}: {text}");
            }
            _forwardFailures.TryRemove(connector, out _);
        }
        catch (Exception ex) when (!_stopping.IsCancellationRequested)
        {
            // Apache's backoff: 250 ms, doubling up to a minute, reset by a success.
            var attempt = _forwardFailures.AddOrUpdate(connector, 1, (_, n) => n + 1);
            var backoff = TimeSpan.FromMilliseconds(Math.Min(250 * Math.Pow(2, Math.Min(attempt - 1, 10)), 60000));
            _log.LogError("Request to leader {Leader} to reconfigure connector tasks of {Connector} failed: {Message}; retrying in {Backoff} ms",
                leader, connector, ex.Message, (long)backoff.TotalMilliseconds);
            try
            {
                await Task.Delay(backoff, _time, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            Enqueue(() => ReconfigureTasksAsync(connector, CancellationToken.None));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static bool SameConfigs(IReadOnlyList<IReadOnlyDictionary<string, string>> a, IReadOnlyList<IReadOnlyDictionary<string, string>> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }
        for (var i = 0; i < a.Count; i++)
        {
            if (!SameConfig(a[i], b[i]))
            {
                return false;
            }
        }
        return true;
    }

    private static bool SameConfig(IReadOnlyDictionary<string, string>? a, IReadOnlyDictionary<string, string>? b)
    {
        if (a is null || b is null)
        {
            return ReferenceEquals(a, b);
        }
        if (a.Count != b.Count)
        {
            return false;
        }
        foreach (var (k, v) in a)
        {
            if (!b.TryGetValue(k, out var other) || other != v)
            {
                return false;
            }
        }
        return true;
    }

    // --- config topic changes --------------------------------------------------------------------------

    /// <summary>Acts on what changed in the config topic since the last look, by comparing snapshots.</summary>
    private async Task ApplyConfigChangesAsync(CancellationToken ct)
    {
        var before = _snapshot;
        var after = _configStore.Snapshot();
        if (after.Offset == before.Offset)
        {
            return;
        }
        _snapshot = after;
        var rebalance = false;
        foreach (var connector in before.Connectors.Concat(after.Connectors).Distinct(StringComparer.Ordinal).ToList())
        {
            var oldConfig = before.ConnectorConfig(connector);
            var newConfig = after.ConnectorConfig(connector);
            bool mine;
            lock (_myConnectors)
            {
                mine = _myConnectors.Contains(connector);
            }
            if (newConfig is null)
            {
                // Deleted: stop what runs here at once; the leader clears its statuses and rebalances.
                rebalance = true;
                var tasks = Running.Tasks.Where(t => t.Connector == connector).ToList();
                await StopTasksAsync(tasks).ConfigureAwait(false);
                await StopConnectorAsync(connector).ConfigureAwait(false);
                _worker.ResetActiveTopics(connector);
                if (_isLeader || mine || tasks.Count > 0)
                {
                    // After our own UNASSIGNED writes (same producer, same order): no status outlives the connector.
                    _statusStore.RemoveConnector(connector);
                }
                continue;
            }
            if (oldConfig is null)
            {
                rebalance = true;
                continue;
            }
            var oldTarget = before.TargetState(connector);
            var newTarget = after.TargetState(connector);
            if (mine && (!SameConfig(oldConfig, newConfig) || (oldTarget == WorkerRuntime.TargetState.Stopped && newTarget != oldTarget)))
            {
                // A new config, or resumed from STOPPED: restart the connector so it generates task configs again.
                await _worker.StopConnectorAsync(connector).ConfigureAwait(false);
                lock (_myConnectors)
                {
                    _myConnectors.Remove(connector);
                }
                await StartConnectorAsync(connector, ct).ConfigureAwait(false);
            }
            else if (newTarget != oldTarget)
            {
                _worker.SetTargetState(connector, newTarget);
            }
            var oldTasks = before.Inconsistent.Contains(connector) ? [] : before.TaskConfigsOf(connector);
            var newTasks = after.Inconsistent.Contains(connector) ? [] : after.TaskConfigsOf(connector);
            if (oldTasks.Count != newTasks.Count)
            {
                rebalance = true;
            }
            foreach (var task in Running.Tasks.Where(t => t.Connector == connector))
            {
                var newTask = task.Task < newTasks.Count ? newTasks[task.Task] : null;
                var oldTask = task.Task < oldTasks.Count ? oldTasks[task.Task] : null;
                if (newTask is null)
                {
                    await StopTasksAsync([task]).ConfigureAwait(false);
                }
                else if (!SameConfig(oldTask, newTask))
                {
                    await StopTasksAsync([task]).ConfigureAwait(false);
                    StartTask(task);
                }
            }
        }
        // Every worker sees the change within milliseconds of the others; all rejoin at once instead of waiting for the
        // leader's rejoin to reach them at their next heartbeat. A change the last assignment already covered needs none.
        if (rebalance && after.Offset > _assignmentConfigOffset)
        {
            _member!.RequestRejoin();
        }
    }

    private async Task ProcessRestartRequestsAsync()
    {
        while (_restartRequests.TryDequeue(out var request))
        {
            var connector = request.Connector;
            if (!_snapshot.Contains(connector))
            {
                continue;
            }
            bool mine;
            lock (_myConnectors)
            {
                mine = _myConnectors.Contains(connector);
            }
            var connectorState = _statusStore.Get(connector)?.State;
            if (mine && (!request.OnlyFailed || connectorState == ConnectorState.Failed))
            {
                await RestartLocalConnectorAsync(connector).ConfigureAwait(false);
            }
            if (request.IncludeTasks)
            {
                foreach (var task in Running.Tasks.Where(t => t.Connector == connector).ToList())
                {
                    if (!request.OnlyFailed || _statusStore.Get(task)?.State == ConnectorState.Failed)
                    {
                        await RestartLocalTaskAsync(task).ConfigureAwait(false);
                    }
                }
            }
        }
    }

    private async Task RestartLocalConnectorAsync(string connector)
    {
        _worker.ResetRestartAttempts(connector);
        await _worker.StopConnectorAsync(connector).ConfigureAwait(false);
        _worker.Status.PutConnector(connector, ConnectorState.Restarting);
        lock (_myConnectors)
        {
            _myConnectors.Remove(connector);
        }
        await StartConnectorAsync(connector, CancellationToken.None).ConfigureAwait(false);
    }

    private async Task RestartLocalTaskAsync(ConnectorTaskId id)
    {
        await StopTasksAsync([id]).ConfigureAwait(false);
        _worker.Status.PutTask(id, ConnectorState.Restarting);
        StartTask(id);
    }

    private async Task MaybeRotateSessionKeyAsync(CancellationToken ct)
    {
        if (!_isLeader || _compatibility != ConnectProtocolCompatibility.Sessioned
            || _member!.Protocol != ConnectProtocolCompatibilities.ProtocolName(ConnectProtocolCompatibility.Sessioned))
        {
            return;
        }
        var key = _snapshot.SessionKey;
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (key is not null && key.CreationTimestamp + (long)_keyTtl.TotalMilliseconds > now)
        {
            return;
        }
        _log.LogInformation(key is null ? "Writing the cluster's first session key" : "Rotating the session key");
        await _configStore.PutSessionKeyAsync(new SessionKey(RandomNumberGenerator.GetBytes(_keySizeBytes), DistributedConfig.HmacSha256, now), ct).ConfigureAwait(false);
        await ApplyConfigChangesAsync(ct).ConfigureAwait(false);
    }

    // --- statuses ---------------------------------------------------------------------------------------

    private void OnConnectorReported(string connector, StateInfo info)
    {
        var entry = new ConnectorStatusEntry(connector, info.State, info.Trace, info.WorkerId, _generation);
        if (info.State is ConnectorState.Failed or ConnectorState.Unassigned)
        {
            _statusStore.PutSafe(entry);
        }
        else
        {
            _statusStore.Put(entry);
        }
    }

    private void OnTaskReported(ConnectorTaskId id, TaskStateInfo info)
    {
        var entry = new TaskStatusEntry(id, info.State, info.Trace, info.WorkerId, _generation);
        if (info.State is ConnectorState.Failed or ConnectorState.Unassigned)
        {
            _statusStore.PutSafe(entry);
        }
        else
        {
            _statusStore.Put(entry);
        }
    }

    // --- requests from REST -----------------------------------------------------------------------------

    private sealed class Request(Func<Task> work)
    {
        private int _state; // 0 queued, 1 running, 2 abandoned by its caller
        private readonly TaskCompletionSource _done = NewSignal();

        public Task Done => _done.Task;

        public bool TryAbandon() => Interlocked.CompareExchange(ref _state, 2, 0) == 0;

        public async Task RunAsync()
        {
            if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
            {
                return;
            }
            try
            {
                await work().ConfigureAwait(false);
                _done.TrySetResult();
            }
            catch (Exception ex)
            {
                _done.TrySetException(ex);
            }
        }
    }

    private Request Enqueue(Func<Task> work)
    {
        var request = new Request(work);
        _requests.Enqueue(request);
        Wake();
        return request;
    }

    /// <summary>Runs on the loop; a call that waits longer than the bound (a rebalance) gets Apache's 409 and is never run.</summary>
    private async Task<T> OnLoopAsync<T>(Func<Task<T>> work, CancellationToken ct)
    {
        if (!_ready)
        {
            throw new ConnectRestException(503, "Worker is still starting up; try again shortly.");
        }
        T result = default!;
        var request = Enqueue(async () => result = await work().ConfigureAwait(false));
        try
        {
            await request.Done.WaitAsync(_requestWaitBound, _time, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException && request.TryAbandon())
        {
            throw new RebalanceInProgressException("Request cannot be completed because a rebalance is expected");
        }
        return result;
    }

    private Task OnLoopAsync(Func<Task> work, CancellationToken ct) =>
        OnLoopAsync(async () =>
        {
            await work().ConfigureAwait(false);
            return true;
        }, ct);

    private void RequireLeader(string what)
    {
        if (!_isLeader)
        {
            throw new NotLeaderException($"Only the leader can {what}.", _leaderUrl);
        }
    }

    private IReadOnlyDictionary<string, string> ConfigOf(string connector) =>
        _snapshot.ConnectorConfig(connector) ?? throw NotFound(connector);

    private string? OwnerUrl(string? workerId) => workerId is null ? null : "http://" + workerId;

    private sealed class Listener(DistributedHerder herder) : IConfigUpdateListener
    {
        public void OnConnectorConfigUpdate(string connector) => herder.Wake();

        public void OnConnectorConfigRemove(string connector) => herder.Wake();

        public void OnTaskConfigUpdate(IReadOnlyCollection<ConnectorTaskId> tasks) => herder.Wake();

        public void OnConnectorTargetStateChange(string connector) => herder.Wake();

        public void OnSessionKeyUpdate(SessionKey key) => herder.Wake();

        public void OnLoggingLevelUpdate(string loggerNamespace, string level) => herder.LoggerLevelChanged?.Invoke(loggerNamespace, level);

        public void OnRestartRequest(RestartRequest request)
        {
            herder._restartRequests.Enqueue(request);
            herder.Wake();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _ready = false;
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        // A graceful leave: stop everything (statuses say UNASSIGNED, which lets the leader reassign at once), then leave.
        await StopAllAsync().ConfigureAwait(false);
        try
        {
            using var flush = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _statusStore.FlushAsync(flush.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _log.LogWarning("Status updates were not all written before leaving");
        }
        if (_member is not null)
        {
            await _member.DisposeAsync().ConfigureAwait(false);
        }
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync().ConfigureAwait(false);
        }
        await _worker.DisposeAsync().ConfigureAwait(false);
        _worker.Offsets.Stop();
        await _statusStore.StopAsync().ConfigureAwait(false);
        await _configStore.StopAsync().ConfigureAwait(false);
        _httpClient?.Dispose();
        _stopping.Dispose();
        _log.LogInformation("Herder stopped");
    }
}
