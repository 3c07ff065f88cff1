using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Runtime.Herder;

namespace KafkaConnect.Connect.Rest.Tests;

/// <summary>
/// In-memory stand-in for the standalone herder: connectors keyed by name, one task each, configs validated
/// only for "connector.class" and a required "topic"/"topics". Enough to drive every REST path honestly.
/// </summary>
internal sealed class FakeHerder : IHerder
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, Entry> _connectors = new(StringComparer.Ordinal);

    public bool IsReady { get; set; } = true;

    public ServerInfo ServerInfo { get; } = new("3.9.0", "abc123", "cluster-1");

    public List<string> Calls { get; } = [];

    /// <summary>When set, listing connectors answers "ask the leader there", as a follower does for leader-only requests.</summary>
    public string? LeaderUrl { get; set; }

    public Task<IReadOnlyList<string>> ConnectorsAsync(CancellationToken ct = default)
    {
        if (LeaderUrl is { } leader)
        {
            throw new NotLeaderException("not the leader", leader);
        }
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<string>>([.. _connectors.Keys]);
        }
    }

    public Task<ConnectorInfo> ConnectorInfoAsync(string connector, CancellationToken ct = default) =>
        Task.FromResult(Get(connector).Info(connector));

    public Task<IReadOnlyDictionary<string, string>> ConnectorConfigAsync(string connector, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(Get(connector).Config);

    public Task<(bool Created, ConnectorInfo Info)> PutConnectorConfigAsync(string connector, IReadOnlyDictionary<string, string> config, bool allowReplace, CancellationToken ct = default)
    {
        Validate(config);
        lock (_lock)
        {
            var exists = _connectors.TryGetValue(connector, out var entry);
            if (exists && !allowReplace)
            {
                throw new AlreadyExistsException($"Connector {connector} already exists");
            }
            entry ??= new Entry();
            entry.Config = new Dictionary<string, string>(config, StringComparer.Ordinal);
            _connectors[connector] = entry;
            return Task.FromResult((!exists, entry.Info(connector)));
        }
    }

    public Task<ConnectorInfo> PatchConnectorConfigAsync(string connector, IReadOnlyDictionary<string, string?> patch, CancellationToken ct = default)
    {
        var entry = Get(connector);
        var merged = new Dictionary<string, string>(entry.Config, StringComparer.Ordinal);
        foreach (var (k, v) in patch)
        {
            if (v is null)
            {
                merged.Remove(k);
            }
            else
            {
                merged[k] = v;
            }
        }
        Validate(merged);
        entry.Config = merged;
        return Task.FromResult(entry.Info(connector));
    }

    public Task DeleteConnectorAsync(string connector, CancellationToken ct = default)
    {
        lock (_lock)
        {
            if (!_connectors.Remove(connector))
            {
                throw NotFound(connector);
            }
        }
        return Task.CompletedTask;
    }

    public Task<ConnectorStateInfo> ConnectorStatusAsync(string connector, CancellationToken ct = default)
    {
        var e = Get(connector);
        return Task.FromResult(new ConnectorStateInfo(connector, new StateInfo(e.State, "127.0.0.1:8083"),
            [new TaskStateInfo(0, e.TaskState, "127.0.0.1:8083", e.TaskState == ConnectorState.Failed ? "boom\n\tat Task" : null)],
            e.Type));
    }

    public Task<TaskStateInfo> TaskStatusAsync(ConnectorTaskId id, CancellationToken ct = default)
    {
        var e = Get(id.Connector);
        return id.Task == 0
            ? Task.FromResult(new TaskStateInfo(0, e.TaskState, "127.0.0.1:8083"))
            : throw new NotFoundException($"Task {id} not found");
    }

    public Task<IReadOnlyList<TaskInfo>> TaskConfigsAsync(string connector, CancellationToken ct = default)
    {
        var e = Get(connector);
        return Task.FromResult<IReadOnlyList<TaskInfo>>([new TaskInfo(new ConnectorTaskId(connector, 0), e.Config)]);
    }

    public Task RestartConnectorAsync(string connector, CancellationToken ct = default)
    {
        Get(connector).State = ConnectorState.Running;
        Record($"restart {connector}");
        return Task.CompletedTask;
    }

    public Task<ConnectorStateInfo> RestartConnectorAndTasksAsync(RestartRequest request, CancellationToken ct = default)
    {
        var e = Get(request.Connector);
        Record($"restart {request.Connector} includeTasks={request.IncludeTasks} onlyFailed={request.OnlyFailed}");
        e.State = ConnectorState.Restarting;
        if (request.IncludeTasks)
        {
            e.TaskState = ConnectorState.Restarting;
        }
        return ConnectorStatusAsync(request.Connector, ct);
    }

    public Task RestartTaskAsync(ConnectorTaskId id, CancellationToken ct = default)
    {
        _ = TaskStatusAsync(id, ct).Result;
        Record($"restart task {id}");
        return Task.CompletedTask;
    }

    public Task PauseConnectorAsync(string connector, CancellationToken ct = default) => SetState(connector, ConnectorState.Paused);

    public Task ResumeConnectorAsync(string connector, CancellationToken ct = default) => SetState(connector, ConnectorState.Running);

    public Task StopConnectorAsync(string connector, CancellationToken ct = default) => SetState(connector, ConnectorState.Stopped);

    public Task<IReadOnlyList<ConnectorOffset>> ConnectorOffsetsAsync(string connector, CancellationToken ct = default) =>
        Task.FromResult(Get(connector).Offsets);

    public Task<string> AlterConnectorOffsetsAsync(string connector, IReadOnlyList<ConnectorOffset>? offsets, CancellationToken ct = default)
    {
        var e = Get(connector);
        if (e.State != ConnectorState.Stopped)
        {
            throw new BadRequestException($"Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/{connector}/stop' endpoint");
        }
        e.Offsets = offsets ?? [];
        return Task.FromResult(offsets is null
            ? "The offsets for this connector have been reset successfully"
            : "The offsets for this connector have been altered successfully");
    }

    public Task<IReadOnlyList<string>> ConnectorActiveTopicsAsync(string connector, CancellationToken ct = default) =>
        Task.FromResult(Get(connector).Topics);

    public Task ResetConnectorActiveTopicsAsync(string connector, CancellationToken ct = default)
    {
        Get(connector).Topics = [];
        return Task.CompletedTask;
    }

    public IReadOnlyList<PluginInfo> Plugins(bool connectorsOnly) => connectorsOnly
        ? [new("org.apache.kafka.connect.file.FileStreamSinkConnector", PluginType.Sink, "3.9.0"),
           new("org.apache.kafka.connect.file.FileStreamSourceConnector", PluginType.Source, "3.9.0")]
        : [new("org.apache.kafka.connect.file.FileStreamSinkConnector", PluginType.Sink, "3.9.0"),
           new("org.apache.kafka.connect.file.FileStreamSourceConnector", PluginType.Source, "3.9.0"),
           new("org.apache.kafka.connect.storage.StringConverter", PluginType.Converter, "3.9.0"),
           new("org.apache.kafka.connect.storage.SimpleHeaderConverter", PluginType.HeaderConverter, "3.9.0"),
           new("org.apache.kafka.connect.transforms.InsertField$Value", PluginType.Transformation, "3.9.0"),
           new("org.apache.kafka.connect.transforms.predicates.TopicNameMatches", PluginType.Predicate, "undefined")];

    public IReadOnlyList<ConfigKeyInfo> PluginConfig(string pluginName) =>
        pluginName.Contains("FileStream", StringComparison.Ordinal)
            ? [TopicKey, PasswordKey]
            : throw new NotFoundException($"Unknown plugin {pluginName}.");

    public Task<ConfigInfos> ValidateConnectorConfigAsync(string pluginName, IReadOnlyDictionary<string, string> config, CancellationToken ct = default)
    {
        var hasTopic = config.ContainsKey("topic");
        config.TryGetValue("db.password", out var password);
        IReadOnlyList<ConfigInfo> configs =
        [
            new(TopicKey, new ConfigValueInfo("topic", config.GetValueOrDefault("topic"), [], hasTopic ? [] : ["Missing required configuration \"topic\" which has no default value."], true)),
            new(PasswordKey, new ConfigValueInfo("db.password", password, [], [], true)),
        ];
        return Task.FromResult(new ConfigInfos(pluginName, hasTopic ? 0 : 1, ["Common"], configs));
    }

    private static readonly ConfigKeyInfo TopicKey =
        new("topic", "STRING", true, null, "HIGH", "The topic.", "Common", 1, "LONG", "Topic", []);

    private static readonly ConfigKeyInfo PasswordKey =
        new("db.password", "PASSWORD", false, null, "LOW", "The password.", "Common", 2, "MEDIUM", "Password", ["topic"]);

    internal void SetTaskState(string connector, ConnectorState state) => Get(connector).TaskState = state;

    internal void SetTopics(string connector, IReadOnlyList<string> topics) => Get(connector).Topics = topics;

    private static void Validate(IReadOnlyDictionary<string, string> config)
    {
        if (!config.TryGetValue("connector.class", out var cls))
        {
            throw new BadRequestException($"Connector config {{{string.Join(", ", config.Keys)}}} contains no connector type");
        }
        if (cls.EndsWith("SinkConnector", StringComparison.Ordinal) ? !config.ContainsKey("topics") : !config.ContainsKey("topic"))
        {
            throw new ConfigException("Connector configuration is invalid and contains the following 1 error(s):\nMissing required configuration \"topic\" which has no default value.\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`");
        }
    }

    private Task SetState(string connector, ConnectorState state)
    {
        var e = Get(connector);
        e.State = state;
        e.TaskState = state;
        Record($"{state} {connector}");
        return Task.CompletedTask;
    }

    private void Record(string call)
    {
        lock (_lock)
        {
            Calls.Add(call);
        }
    }

    private Entry Get(string connector)
    {
        lock (_lock)
        {
            return _connectors.TryGetValue(connector, out var e) ? e : throw NotFound(connector);
        }
    }

    private static NotFoundException NotFound(string connector) => new($"Connector {connector} not found");

    private sealed class Entry
    {
        public Dictionary<string, string> Config { get; set; } = [];

        public ConnectorState State { get; set; } = ConnectorState.Running;

        public ConnectorState TaskState { get; set; } = ConnectorState.Running;

        public IReadOnlyList<ConnectorOffset> Offsets { get; set; } = [];

        public IReadOnlyList<string> Topics { get; set; } = [];

        public ConnectorType Type => Config.GetValueOrDefault("connector.class", "").EndsWith("SinkConnector", StringComparison.Ordinal)
            ? ConnectorType.Sink
            : ConnectorType.Source;

        public ConnectorInfo Info(string name) => new(name, Config, [new ConnectorTaskId(name, 0)], Type);
    }
}
