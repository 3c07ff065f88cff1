using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Worker;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.Runtime.Storage.Kafka;

/// <summary>
/// The view built from config topic records, with Apache's rules: task configs wait (deferred) until their
/// <c>commit-</c> record; a commit whose task configs are incomplete marks the connector inconsistent; removing a
/// connector drops its tasks. The listener hears about changes only once <see cref="Started"/> is set, so the initial
/// replay of the topic does not look like a burst of updates. Shared by the Kafka and the memory config stores.
/// </summary>
internal sealed class ConfigTopicState
{
    private readonly Lock _lock = new();
    private readonly ILogger _log;
    private readonly Dictionary<string, IReadOnlyDictionary<string, string>> _connectorConfigs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _taskCounts = new(StringComparer.Ordinal);
    private readonly Dictionary<ConnectorTaskId, IReadOnlyDictionary<string, string>> _taskConfigs = [];
    private readonly Dictionary<string, Dictionary<ConnectorTaskId, IReadOnlyDictionary<string, string>>> _deferred = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TargetState> _targetStates = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inconsistent = new(StringComparer.Ordinal);
    private SessionKey? _sessionKey;
    private long _offset = -1;
    private volatile bool _started;

    public ConfigTopicState(ILogger log) => _log = log;

    public IConfigUpdateListener? Listener { get; set; }

    /// <summary>Set once the initial read is complete; from then on changes are reported to the listener.</summary>
    public bool Started
    {
        get => _started;
        set => _started = value;
    }

    /// <summary>Records the offset of the next record to read.</summary>
    public void Advance(long nextOffset)
    {
        lock (_lock)
        {
            _offset = nextOffset;
        }
    }

    public bool Contains(string connector)
    {
        lock (_lock)
        {
            return _connectorConfigs.ContainsKey(connector);
        }
    }

    /// <summary>A connector config, or its removal (null).</summary>
    public void ConnectorConfig(string connector, IReadOnlyDictionary<string, string>? properties)
    {
        lock (_lock)
        {
            if (properties is null)
            {
                RemoveConnector(connector);
                _log.LogInformation("Successfully processed removal of connector '{Connector}'", connector);
            }
            else
            {
                _connectorConfigs[connector] = properties;
                // Connectors written without a target state start STARTED.
                _targetStates.TryAdd(connector, Worker.TargetState.Started);
            }
        }
        if (properties is null)
        {
            Notify(l => l.OnConnectorConfigRemove(connector));
        }
        else
        {
            Notify(l => l.OnConnectorConfigUpdate(connector));
        }
    }

    /// <summary>A task config: kept aside until the connector's next commit record.</summary>
    public void TaskConfig(ConnectorTaskId id, IReadOnlyDictionary<string, string> properties)
    {
        lock (_lock)
        {
            if (!_deferred.TryGetValue(id.Connector, out var deferred))
            {
                _deferred[id.Connector] = deferred = [];
            }
            deferred[id] = properties;
        }
    }

    /// <summary>A <c>commit-</c> record: applies the deferred task configs if tasks 0..count-1 are all there.</summary>
    public void Commit(string connector, int taskCount)
    {
        var updated = new List<ConnectorTaskId>();
        lock (_lock)
        {
            if (!_connectorConfigs.ContainsKey(connector))
            {
                // The connector was deleted and compaction removed its config and tombstone: these tasks are orphans.
                RemoveConnector(connector);
                _log.LogDebug("Ignoring task configs for connector {Connector}; it appears to have been deleted", connector);
                return;
            }
            _deferred.TryGetValue(connector, out var deferred);
            if (!Complete(deferred, taskCount))
            {
                // Only compaction of older task records leads here; the herder rewrites the tasks when it sees this.
                _log.LogWarning("Connector '{Connector}' has an incomplete set of task configs for its commit of {Count} tasks; "
                    + "treating it as inconsistent until its tasks are reconfigured", connector, taskCount);
                _inconsistent.Add(connector);
            }
            else
            {
                if (deferred is not null)
                {
                    foreach (var (id, config) in deferred)
                    {
                        _taskConfigs[id] = config;
                        updated.Add(id);
                    }
                }
                _inconsistent.Remove(connector);
            }
            // Stale or applied, these configs must not count towards a later commit.
            deferred?.Clear();
            _taskCounts[connector] = taskCount;
        }
        Notify(l => l.OnTaskConfigUpdate(updated));
    }

    /// <summary>A target state, or its tombstone (null).</summary>
    public void TargetState(string connector, TargetState? state)
    {
        var changed = false;
        bool exists;
        lock (_lock)
        {
            exists = _connectorConfigs.ContainsKey(connector);
            if (state is null)
            {
                _targetStates.Remove(connector);
                if (exists)
                {
                    _targetStates[connector] = Worker.TargetState.Started;
                }
            }
            else
            {
                changed = !_targetStates.TryGetValue(connector, out var previous) || previous != state.Value;
                _targetStates[connector] = state.Value;
            }
        }
        // A removal is reported through the connector's removal; a state written before the connector exists is not a change.
        if (changed && exists)
        {
            Notify(l => l.OnConnectorTargetStateChange(connector));
        }
    }

    public void SessionKey(SessionKey key)
    {
        lock (_lock)
        {
            _sessionKey = key;
        }
        Notify(l => l.OnSessionKeyUpdate(key));
    }

    public void RestartRequest(RestartRequest request) => Notify(l => l.OnRestartRequest(request));

    public void LoggerLevel(string loggerNamespace, string level) => Notify(l => l.OnLoggingLevelUpdate(loggerNamespace, level));

    public ClusterConfigState Snapshot()
    {
        lock (_lock)
        {
            var tasks = new Dictionary<string, IReadOnlyList<IReadOnlyDictionary<string, string>>>(StringComparer.Ordinal);
            foreach (var (connector, count) in _taskCounts)
            {
                if (_inconsistent.Contains(connector) || !_connectorConfigs.ContainsKey(connector))
                {
                    continue;
                }
                var list = new List<IReadOnlyDictionary<string, string>>(count);
                for (var i = 0; i < count && _taskConfigs.TryGetValue(new ConnectorTaskId(connector, i), out var config); i++)
                {
                    list.Add(config);
                }
                tasks[connector] = list.AsReadOnly();
            }
            return new ClusterConfigState(_offset, _sessionKey,
                new Dictionary<string, IReadOnlyDictionary<string, string>>(_connectorConfigs, StringComparer.Ordinal),
                new Dictionary<string, TargetState>(_targetStates, StringComparer.Ordinal),
                tasks,
                new HashSet<string>(_inconsistent, StringComparer.Ordinal));
        }
    }

    private void RemoveConnector(string connector)
    {
        _connectorConfigs.Remove(connector);
        _taskCounts.Remove(connector);
        foreach (var id in _taskConfigs.Keys.Where(id => id.Connector == connector).ToList())
        {
            _taskConfigs.Remove(id);
        }
        _deferred.Remove(connector);
    }

    /// <summary>
    /// Whether tasks 0..count-1 all have a config. Extra (higher) task ids are fine: after compaction older records for
    /// tasks beyond a reduced count may still be in the topic.
    /// </summary>
    private static bool Complete(Dictionary<ConnectorTaskId, IReadOnlyDictionary<string, string>>? deferred, int count)
    {
        if (count == 0)
        {
            return true;
        }
        if (deferred is null || deferred.Count < count)
        {
            return false;
        }
        var connector = deferred.Keys.First().Connector;
        for (var i = 0; i < count; i++)
        {
            if (!deferred.ContainsKey(new ConnectorTaskId(connector, i)))
            {
                return false;
            }
        }
        return true;
    }

    private void Notify(Action<IConfigUpdateListener> call)
    {
        if (!_started || Listener is not { } listener)
        {
            return;
        }
        try
        {
            call(listener);
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "The config update listener failed");
        }
    }
}
