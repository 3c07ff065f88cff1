using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Worker;

namespace KafkaConnect.Connect.Runtime.Storage;

/// <summary>The key that signs internal REST requests between workers (config topic record <c>session-key</c>).</summary>
public sealed record SessionKey(byte[] Key, string Algorithm, long CreationTimestamp);

/// <summary>
/// An immutable view of the config topic after reading it up to <see cref="Offset"/> (Apache's ClusterConfigState).
/// Task configs count only once a <c>commit-&lt;connector&gt;</c> record applied them.
/// </summary>
public sealed class ClusterConfigState
{
    public static readonly ClusterConfigState Empty = new(-1, null,
        new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal),
        new Dictionary<string, TargetState>(StringComparer.Ordinal),
        new Dictionary<string, IReadOnlyList<IReadOnlyDictionary<string, string>>>(StringComparer.Ordinal),
        new HashSet<string>(StringComparer.Ordinal));

    public ClusterConfigState(long offset, SessionKey? sessionKey,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> connectorConfigs,
        IReadOnlyDictionary<string, TargetState> targetStates,
        IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyDictionary<string, string>>> taskConfigs,
        IReadOnlySet<string> inconsistent)
    {
        Offset = offset;
        SessionKey = sessionKey;
        ConnectorConfigs = connectorConfigs;
        TargetStates = targetStates;
        TaskConfigs = taskConfigs;
        Inconsistent = inconsistent;
    }

    /// <summary>Offset of the next record to read in the config topic (-1 before anything was read).</summary>
    public long Offset { get; }

    public SessionKey? SessionKey { get; }

    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> ConnectorConfigs { get; }

    public IReadOnlyDictionary<string, TargetState> TargetStates { get; }

    /// <summary>Committed task configs per connector, index = task number.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyDictionary<string, string>>> TaskConfigs { get; }

    /// <summary>Connectors whose last task-config commit was incomplete (their tasks are not run until fixed).</summary>
    public IReadOnlySet<string> Inconsistent { get; }

    public IEnumerable<string> Connectors => ConnectorConfigs.Keys;

    public bool Contains(string connector) => ConnectorConfigs.ContainsKey(connector);

    public IReadOnlyDictionary<string, string>? ConnectorConfig(string connector) => ConnectorConfigs.GetValueOrDefault(connector);

    public TargetState TargetState(string connector) => TargetStates.TryGetValue(connector, out var s) ? s : Worker.TargetState.Started;

    public IReadOnlyList<IReadOnlyDictionary<string, string>> TaskConfigsOf(string connector) =>
        TaskConfigs.TryGetValue(connector, out var c) ? c : [];

    public int TaskCount(string connector) => TaskConfigsOf(connector).Count;

    public IReadOnlyDictionary<string, string>? TaskConfig(ConnectorTaskId id)
    {
        var configs = TaskConfigsOf(id.Connector);
        return id.Task >= 0 && id.Task < configs.Count ? configs[id.Task] : null;
    }
}

/// <summary>Called from the store's reader thread as records arrive; implementations must not block.</summary>
public interface IConfigUpdateListener
{
    void OnConnectorConfigUpdate(string connector);

    void OnConnectorConfigRemove(string connector);

    void OnTaskConfigUpdate(IReadOnlyCollection<ConnectorTaskId> tasks);

    void OnConnectorTargetStateChange(string connector);

    void OnSessionKeyUpdate(SessionKey key);

    void OnRestartRequest(RestartRequest request);

    /// <summary>A cluster-wide logger level (<c>logger-cluster-&lt;namespace&gt;</c>) written after this worker started.</summary>
    void OnLoggingLevelUpdate(string loggerNamespace, string level);
}

/// <summary>
/// Connector and task configurations, target states, restart requests and the session key of a Connect cluster
/// (Apache's ConfigBackingStore). Every Put returns once the record is written and read back, so
/// <see cref="Snapshot"/> shows it afterwards.
/// </summary>
public interface IConfigBackingStore
{
    IConfigUpdateListener? Listener { get; set; }

    /// <summary>Creates or checks the topic and reads it to the end.</summary>
    Task StartAsync(CancellationToken ct = default);

    Task StopAsync();

    ClusterConfigState Snapshot();

    /// <summary>Writes <c>connector-&lt;name&gt;</c>; with a target state, <c>target-state-&lt;name&gt;</c> first (as Apache 3.9 does for new connectors created STOPPED/PAUSED).</summary>
    Task PutConnectorConfigAsync(string connector, IReadOnlyDictionary<string, string> properties, TargetState? targetState = null, CancellationToken ct = default);

    /// <summary>Tombstones for <c>connector-&lt;name&gt;</c> and <c>target-state-&lt;name&gt;</c>.</summary>
    Task RemoveConnectorConfigAsync(string connector, CancellationToken ct = default);

    /// <summary>Writes every <c>task-&lt;name&gt;-&lt;n&gt;</c> then <c>commit-&lt;name&gt;</c> with the count.</summary>
    Task PutTaskConfigsAsync(string connector, IReadOnlyList<IReadOnlyDictionary<string, string>> configs, CancellationToken ct = default);

    Task PutTargetStateAsync(string connector, TargetState state, CancellationToken ct = default);

    Task PutSessionKeyAsync(SessionKey key, CancellationToken ct = default);

    Task PutRestartRequestAsync(RestartRequest request, CancellationToken ct = default);

    /// <summary>Writes <c>logger-cluster-&lt;namespace&gt;</c> → <c>{"level":…}</c> for every worker to apply.</summary>
    Task PutLoggerLevelAsync(string loggerNamespace, string level, CancellationToken ct = default);

    /// <summary>Reads up to the current end of the topic; false when that took longer than <paramref name="timeout"/>.</summary>
    Task<bool> RefreshAsync(TimeSpan timeout, CancellationToken ct = default);
}
