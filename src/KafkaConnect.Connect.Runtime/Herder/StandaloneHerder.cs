using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Connectors;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Runtime.Config;
using KafkaConnect.Connect.Runtime.Plugins;
using KafkaConnect.Connect.Runtime.Storage;
using KafkaConnect.Connect.Sinks;
using KafkaConnect.Connect.Sources;
using KafkaConnect.Connect.Storage;
using Microsoft.Extensions.Logging;
using ClientTopicPartition = KafkaConnect.Client.Consumer.TopicPartition;
using WorkerRuntime = KafkaConnect.Connect.Runtime.Worker;

namespace KafkaConnect.Connect.Runtime.Herder;

/// <summary>
/// Single-process herder (Apache's StandaloneHerder): connector configurations live in memory (from the CLI
/// files or the REST API), all work runs on this worker, and every operation is serialized by one lock.
/// </summary>
public sealed class StandaloneHerder : IHerder, IAsyncDisposable
{
    private readonly WorkerRuntime.Worker _worker;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Dictionary<string, IReadOnlyDictionary<string, string>> _configs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, WorkerRuntime.TargetState> _targets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<IReadOnlyDictionary<string, string>>> _taskConfigs = new(StringComparer.Ordinal);
    private volatile bool _ready;

    public StandaloneHerder(WorkerRuntime.Worker worker, string kafkaClusterId, ILoggerFactory loggers)
    {
        _worker = worker;
        _log = loggers.CreateLogger(typeof(StandaloneHerder).FullName!);
        ServerInfo = new ServerInfo(ThisAssembly.Version, ThisAssembly.Commit, kafkaClusterId);
    }

    public bool IsReady => _ready;

    public ServerInfo ServerInfo { get; }

    public WorkerRuntime.Worker Worker => _worker;

    /// <summary>Starts the offset store; REST calls are served once this returns.</summary>
    public void Start()
    {
        _worker.Offsets.Start();
        _ready = true;
        _log.LogInformation("Herder started");
    }

    public async Task<IReadOnlyList<string>> ConnectorsAsync(CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return _configs.Keys.Order(StringComparer.Ordinal).ToList();
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<ConnectorInfo> ConnectorInfoAsync(string connector, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return Info(connector);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<IReadOnlyDictionary<string, string>> ConnectorConfigAsync(string connector, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return ConfigOf(connector);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<(bool Created, ConnectorInfo Info)> PutConnectorConfigAsync(string connector, IReadOnlyDictionary<string, string> config, bool allowReplace, CancellationToken ct = default)
    {
        var full = new Dictionary<string, string>(config, StringComparer.Ordinal);
        full.TryAdd(ConnectorConfig.Name, connector);
        if (full[ConnectorConfig.Name] != connector)
        {
            throw new BadRequestException($"Connector name configuration ({full[ConnectorConfig.Name]}) doesn't match connector name in the URL ({connector})");
        }
        var validation = Validate(full);
        if (validation.ErrorCount > 0)
        {
            throw new ConfigException(ValidationMessage(validation));
        }
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var exists = _configs.ContainsKey(connector);
            if (exists && !allowReplace)
            {
                throw new AlreadyExistsException($"Connector {connector} already exists");
            }
            if (exists)
            {
                await StopConnectorAndTasksAsync(connector).ConfigureAwait(false);
            }
            else
            {
                _targets[connector] = WorkerRuntime.TargetState.Started;
            }
            _configs[connector] = full;
            _log.LogInformation("{Action} connector {Connector}", exists ? "Reconfiguring" : "Creating", connector);
            await StartConnectorAndTasksAsync(connector).ConfigureAwait(false);
            return (!exists, Info(connector));
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<ConnectorInfo> PatchConnectorConfigAsync(string connector, IReadOnlyDictionary<string, string?> patch, CancellationToken ct = default)
    {
        Dictionary<string, string> merged;
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            merged = new Dictionary<string, string>(ConfigOf(connector), StringComparer.Ordinal);
        }
        finally
        {
            _lock.Release();
        }
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
        return (await PutConnectorConfigAsync(connector, merged, allowReplace: true, ct).ConfigureAwait(false)).Info;
    }

    public async Task DeleteConnectorAsync(string connector, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ConfigOf(connector);
            await StopConnectorAndTasksAsync(connector).ConfigureAwait(false);
            _configs.Remove(connector);
            _targets.Remove(connector);
            _taskConfigs.Remove(connector);
            _worker.Status.RemoveConnector(connector);
            _worker.ResetActiveTopics(connector);
            _log.LogInformation("Deleted connector {Connector}", connector);
        }
        finally
        {
            _lock.Release();
        }
    }

    public Task<ConnectorStateInfo> ConnectorStatusAsync(string connector, CancellationToken ct = default)
    {
        if (!_configs.ContainsKey(connector))
        {
            throw NotFound(connector);
        }
        return Task.FromResult(StatusOf(connector));
    }

    public Task<TaskStateInfo> TaskStatusAsync(ConnectorTaskId id, CancellationToken ct = default) =>
        Task.FromResult(_worker.Status.Task(id) ?? throw new NotFoundException($"No status found for task {id}"));

    public async Task<IReadOnlyList<TaskInfo>> TaskConfigsAsync(string connector, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ConfigOf(connector);
            var configs = _taskConfigs.GetValueOrDefault(connector) ?? [];
            return configs.Select((c, i) => new TaskInfo(new ConnectorTaskId(connector, i), c)).ToList();
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task RestartConnectorAsync(string connector, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ConfigOf(connector);
            await _worker.StopConnectorAsync(connector).ConfigureAwait(false);
            _worker.Status.PutConnector(connector, ConnectorState.Restarting);
            StartConnector(connector);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<ConnectorStateInfo> RestartConnectorAndTasksAsync(RestartRequest request, CancellationToken ct = default)
    {
        var connector = request.Connector;
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ConfigOf(connector);
            var status = StatusOf(connector);
            var restartConnector = !request.OnlyFailed || status.Connector.State == ConnectorState.Failed;
            var tasks = request.IncludeTasks
                ? status.Tasks.Where(t => !request.OnlyFailed || t.State == ConnectorState.Failed).Select(t => new ConnectorTaskId(connector, t.Id)).ToList()
                : [];
            if (restartConnector)
            {
                await _worker.StopConnectorAsync(connector).ConfigureAwait(false);
                _worker.Status.PutConnector(connector, ConnectorState.Restarting);
            }
            await _worker.StopTasksAsync(tasks).ConfigureAwait(false);
            foreach (var id in tasks)
            {
                _worker.Status.PutTask(id, ConnectorState.Restarting);
            }
            var result = StatusOf(connector);
            if (restartConnector)
            {
                StartConnector(connector);
            }
            foreach (var id in tasks)
            {
                StartTask(id);
            }
            return result;
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task RestartTaskAsync(ConnectorTaskId id, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            _worker.ResetRestartAttempts(id.Connector);
            ConfigOf(id.Connector);
            if (!_taskConfigs.TryGetValue(id.Connector, out var configs) || id.Task < 0 || id.Task >= configs.Count)
            {
                throw new NotFoundException($"Task {id} not found");
            }
            await _worker.StopTasksAsync([id]).ConfigureAwait(false);
            StartTask(id);
        }
        finally
        {
            _lock.Release();
        }
    }

    public Task PauseConnectorAsync(string connector, CancellationToken ct = default) => SetTargetAsync(connector, WorkerRuntime.TargetState.Paused, ct);

    public Task ResumeConnectorAsync(string connector, CancellationToken ct = default) => SetTargetAsync(connector, WorkerRuntime.TargetState.Started, ct);

    public Task StopConnectorAsync(string connector, CancellationToken ct = default) => SetTargetAsync(connector, WorkerRuntime.TargetState.Stopped, ct);

    public async Task<IReadOnlyList<ConnectorOffset>> ConnectorOffsetsAsync(string connector, CancellationToken ct = default)
    {
        IReadOnlyDictionary<string, string> config;
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            config = ConfigOf(connector);
        }
        finally
        {
            _lock.Release();
        }
        if (IsSink(config))
        {
            var committed = await _worker.Admin.ListConsumerGroupOffsetsAsync("connect-" + connector, cancellationToken: ct).ConfigureAwait(false);
            return committed.OrderBy(e => e.Key).Select(e => new ConnectorOffset(
                new Dictionary<string, object?> { ["kafka_topic"] = e.Key.Topic, ["kafka_partition"] = e.Key.Partition },
                new Dictionary<string, object?> { ["kafka_offset"] = e.Value.Offset })).ToList();
        }
        var reader = new OffsetStorageReader(_worker.Offsets, connector);
        return reader.All().Select(e => new ConnectorOffset(e.Partition, e.Offset)).ToList();
    }

    public async Task<string> AlterConnectorOffsetsAsync(string connector, IReadOnlyList<ConnectorOffset>? offsets, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var config = ConfigOf(connector);
            if (_targets.GetValueOrDefault(connector) != WorkerRuntime.TargetState.Stopped || _worker.TasksOf(connector).Count > 0)
            {
                throw new BadRequestException("Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/"
                    + connector + "/stop' endpoint");
            }
            var reset = offsets is null;
            if (IsSink(config))
            {
                await AlterSinkOffsetsAsync(connector, offsets, ct).ConfigureAwait(false);
                return reset ? "The offsets for this connector have been reset successfully" : "The offsets for this connector have been altered successfully";
            }
            var reader = new OffsetStorageReader(_worker.Offsets, connector);
            var changes = new Dictionary<IReadOnlyDictionary<string, object?>, IReadOnlyDictionary<string, object?>?>(SourcePartitionComparer.Instance);
            if (reset)
            {
                foreach (var (partition, _) in reader.All())
                {
                    changes[partition] = null;
                }
            }
            else
            {
                foreach (var o in offsets!)
                {
                    changes[o.Partition] = o.Offset;
                }
            }
            var instance = _worker.Plugins.NewInstance<SourceConnector>(ConnectorConfig.ConnectorClass, config[ConnectorConfig.ConnectorClass]);
            bool handled;
            try
            {
                handled = instance.AlterOffsets(config, changes);
            }
            catch (Exception ex) when (ex is not ConnectException)
            {
                throw new ConnectException("Failed to alter offsets for source connector " + connector + ": " + ex.Message, ex);
            }
            var writer = new OffsetStorageWriter(_worker.Offsets, connector);
            foreach (var (p, o) in changes)
            {
                writer.Offset(p, o);
            }
            if (writer.BeginFlush())
            {
                await writer.DoFlushAsync(ct).ConfigureAwait(false);
            }
            var verb = reset ? "reset" : "altered";
            return handled
                ? $"The offsets for this connector have been {verb} successfully"
                : $"The Connect framework-managed offsets for this connector have been {verb} successfully. However, if this connector manages offsets externally, they will need to be manually {verb} in the system that the connector uses.";
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task AlterSinkOffsetsAsync(string connector, IReadOnlyList<ConnectorOffset>? offsets, CancellationToken ct)
    {
        var group = "connect-" + connector;
        if (offsets is null)
        {
            var committed = await _worker.Admin.ListConsumerGroupOffsetsAsync(group, cancellationToken: ct).ConfigureAwait(false);
            if (committed.Count > 0)
            {
                await _worker.Admin.DeleteGroupsAsync([group], ct).ConfigureAwait(false);
            }
            return;
        }
        var alter = new Dictionary<ClientTopicPartition, KafkaConnect.Client.Admin.OffsetAndMetadata>();
        var delete = new HashSet<ClientTopicPartition>();
        foreach (var o in offsets)
        {
            if (o.Partition.GetValueOrDefault("kafka_topic") is not string topic
                || o.Partition.GetValueOrDefault("kafka_partition") is not (long or int))
            {
                throw new BadRequestException("The partitions for sink connectors must contain the keys 'kafka_topic' (string) and 'kafka_partition' (integer)");
            }
            var tp = new ClientTopicPartition(topic, System.Convert.ToInt32(o.Partition["kafka_partition"], System.Globalization.CultureInfo.InvariantCulture));
            if (o.Offset is null)
            {
                // A null offset resets the partition: its committed group offset is removed (as Apache's herder does).
                delete.Add(tp);
                alter.Remove(tp);
                continue;
            }
            if (o.Offset.GetValueOrDefault("kafka_offset") is not { } raw || raw is not (long or int))
            {
                throw new BadRequestException("The offset must contain the key 'kafka_offset' (integer), or be null to reset the partition");
            }
            delete.Remove(tp);
            alter[tp] = new KafkaConnect.Client.Admin.OffsetAndMetadata(System.Convert.ToInt64(raw, System.Globalization.CultureInfo.InvariantCulture));
        }
        if (alter.Count > 0)
        {
            await _worker.Admin.AlterConsumerGroupOffsetsAsync(group, alter, ct).ConfigureAwait(false);
        }
        if (delete.Count > 0)
        {
            try
            {
                await _worker.Admin.DeleteConsumerGroupOffsetsAsync(group, delete, ct).ConfigureAwait(false);
            }
            catch (KafkaConnect.Client.KafkaException ex) when (ex.Error == KafkaConnect.Protocol.ErrorCode.GroupIdNotFound)
            {
                // Nothing was ever committed for this connector: the partitions are already reset.
            }
        }
    }

    public Task<IReadOnlyList<string>> ConnectorActiveTopicsAsync(string connector, CancellationToken ct = default)
    {
        if (!_configs.ContainsKey(connector))
        {
            throw NotFound(connector);
        }
        return Task.FromResult(_worker.ActiveTopics(connector));
    }

    public Task ResetConnectorActiveTopicsAsync(string connector, CancellationToken ct = default)
    {
        if (!_configs.ContainsKey(connector))
        {
            throw NotFound(connector);
        }
        _worker.ResetActiveTopics(connector);
        return Task.CompletedTask;
    }

    public IReadOnlyList<PluginInfo> Plugins(bool connectorsOnly) =>
        _worker.Plugins.Plugins
            .Where(p => !connectorsOnly || p.Kind is PluginType.Source or PluginType.Sink)
            .Select(p => new PluginInfo(p.ClassName, p.Kind, p.Version))
            .OrderBy(p => p.ClassName, StringComparer.Ordinal)
            .ToList();

    public IReadOnlyList<ConfigKeyInfo> PluginConfig(string pluginName)
    {
        if (!_worker.Plugins.TryResolve(pluginName, out var type))
        {
            throw new NotFoundException($"Unknown plugin {pluginName}.");
        }
        var instance = Activator.CreateInstance(type);
        var def = instance switch
        {
            Connector c => c.Config(),
            IConverter c => c.Config(),
            IHeaderConverter c => c.Config(),
            _ => type.GetMethod("Config", Type.EmptyTypes)?.Invoke(instance, null) as ConfigDef,
        } ?? new ConfigDef();
        return def.ConfigKeys.Values.Where(k => !k.InternalConfig).Select(KeyInfo).ToList();
    }

    public Task<ConfigInfos> ValidateConnectorConfigAsync(string pluginName, IReadOnlyDictionary<string, string> config, CancellationToken ct = default)
    {
        var full = new Dictionary<string, string>(config, StringComparer.Ordinal);
        if (!full.TryGetValue(ConnectorConfig.ConnectorClass, out var cls) || cls.Trim().Length == 0)
        {
            full[ConnectorConfig.ConnectorClass] = pluginName;
        }
        return Task.FromResult(Validate(full));
    }

    /// <summary>Validates against ConnectorConfig (source or sink) plus the connector's own ConfigDef and Validate.</summary>
    public ConfigInfos Validate(IReadOnlyDictionary<string, string> config)
    {
        var className = config.GetValueOrDefault(ConnectorConfig.ConnectorClass)?.Trim();
        if (string.IsNullOrEmpty(className))
        {
            throw new BadRequestException("Connector config " + FormatConfig(config) + " contains no connector type");
        }
        if (!_worker.Plugins.TryResolve(className, out var type) || !typeof(Connector).IsAssignableFrom(type))
        {
            throw new BadRequestException($"Failed to find any class that implements Connector and which name matches {className}, available connectors are: "
                + string.Join(", ", _worker.Plugins.Plugins.Where(p => p.Kind is PluginType.Source or PluginType.Sink).Select(p => p.ClassName)));
        }
        var connector = PluginRegistry.Instantiate<Connector>(type);
        var sink = connector is SinkConnector;
        // Validated as the connector will see it (references resolved, leniently); values are shown as written.
        var raw = config;
        config = ResolveForValidation(config);
        var common = ConnectorConfig.Enrich(sink ? ConnectorConfig.Sink : ConnectorConfig.Source, config,
            name => _worker.Plugins.TryResolve(name, out var t) ? t : null);
        var groups = new List<string>(common.Groups);
        var results = new List<ConfigInfo>();
        var crossErrors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        ConnectorConfig.ValidateCrossKey(config, sink, crossErrors);
        foreach (var key in new[] { ConnectorConfig.KeyConverter, ConnectorConfig.ValueConverter, ConnectorConfig.HeaderConverter })
        {
            if (config.TryGetValue(key, out var conv) && conv.Trim().Length > 0 && !_worker.Plugins.TryResolve(conv, out _))
            {
                (crossErrors.TryGetValue(key, out var l) ? l : crossErrors[key] = []).Add($"Invalid value {conv} for configuration {key}: Class {conv} could not be found.");
            }
        }
        var errorCount = 0;
        foreach (var value in common.Validate(config))
        {
            var errors = value.ErrorMessages.ToList();
            if (crossErrors.TryGetValue(value.Name, out var extra))
            {
                errors.AddRange(extra);
            }
            errorCount += errors.Count;
            results.Add(new ConfigInfo(KeyInfo(common.ConfigKeys[value.Name]), ValueInfo(value, errors, raw)));
        }
        var own = connector.Config();
        foreach (var g in own.Groups)
        {
            if (!groups.Contains(g))
            {
                groups.Add(g);
            }
        }
        Configuration.Config validated;
        try
        {
            validated = connector.Validate(config);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new BadRequestException($"Connector {className} failed to validate its configuration: {ex.Message}");
        }
        foreach (var value in validated.ConfigValues)
        {
            if (common.ConfigKeys.ContainsKey(value.Name))
            {
                continue;
            }
            errorCount += value.ErrorMessages.Count;
            var info = own.ConfigKeys.TryGetValue(value.Name, out var k) ? KeyInfo(k) : null;
            results.Add(new ConfigInfo(info!, ValueInfo(value, value.ErrorMessages, raw)));
        }
        return new ConfigInfos(PluginRegistry_ClassName(type), errorCount, groups, results);
    }

    public async ValueTask DisposeAsync()
    {
        _ready = false;
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            foreach (var name in _configs.Keys.ToList())
            {
                await StopConnectorAndTasksAsync(name).ConfigureAwait(false);
            }
            await _worker.DisposeAsync().ConfigureAwait(false);
            _worker.Offsets.Stop();
            _log.LogInformation("Herder stopped");
        }
        finally
        {
            _lock.Release();
        }
    }

    private string PluginRegistry_ClassName(Type type) => _worker.Plugins.ClassNameOf(type);

    private async Task SetTargetAsync(string connector, WorkerRuntime.TargetState target, CancellationToken ct)
    {
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ConfigOf(connector);
            var previous = _targets.GetValueOrDefault(connector);
            _targets[connector] = target;
            if (target == WorkerRuntime.TargetState.Stopped)
            {
                await _worker.StopTasksAsync(_worker.TasksOf(connector)).ConfigureAwait(false);
                _worker.SetTargetState(connector, target);
                foreach (var t in _worker.Status.Tasks(connector))
                {
                    _worker.Status.RemoveTask(new ConnectorTaskId(connector, t.Id));
                }
                _taskConfigs[connector] = [];
            }
            else if (previous == WorkerRuntime.TargetState.Stopped)
            {
                // Resuming a stopped connector brings back its tasks, as Apache does.
                await StopConnectorAndTasksAsync(connector).ConfigureAwait(false);
                await StartConnectorAndTasksAsync(connector).ConfigureAwait(false);
            }
            else
            {
                _worker.SetTargetState(connector, target);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task StartConnectorAndTasksAsync(string connector)
    {
        if (!StartConnector(connector))
        {
            return;
        }
        await Task.CompletedTask.ConfigureAwait(false);
        RecomputeAndStartTasks(connector);
    }

    private bool StartConnector(string connector)
    {
        var config = _configs[connector];
        var target = _targets.GetValueOrDefault(connector);
        return _worker.StartConnector(connector, config, target, () => _ = ReconfigureAsync(connector));
    }

    private void RecomputeAndStartTasks(string connector)
    {
        var target = _targets.GetValueOrDefault(connector);
        if (target == WorkerRuntime.TargetState.Stopped)
        {
            _taskConfigs[connector] = [];
            return;
        }
        IReadOnlyList<IReadOnlyDictionary<string, string>> configs;
        try
        {
            configs = _worker.ConnectorTaskConfigs(connector, _configs[connector]);
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "Failed to generate task configurations for {Connector}", connector);
            _worker.Status.PutConnector(connector, ConnectorState.Failed, ex.ToString());
            return;
        }
        _taskConfigs[connector] = configs;
        for (var i = 0; i < configs.Count; i++)
        {
            StartTask(new ConnectorTaskId(connector, i));
        }
    }

    private void StartTask(ConnectorTaskId id)
    {
        var configs = _taskConfigs.GetValueOrDefault(id.Connector) ?? [];
        if (id.Task < configs.Count)
        {
            _worker.StartTask(id, _configs[id.Connector], configs[id.Task], _targets.GetValueOrDefault(id.Connector));
        }
    }

    private async Task ReconfigureAsync(string connector)
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_configs.ContainsKey(connector) || !_worker.IsRunning(connector))
            {
                return;
            }
            var fresh = _worker.ConnectorTaskConfigs(connector, _configs[connector]);
            var current = _taskConfigs.GetValueOrDefault(connector) ?? [];
            if (fresh.Count == current.Count && fresh.Zip(current).All(p => p.First.Count == p.Second.Count && p.First.All(kv => p.Second.TryGetValue(kv.Key, out var v) && v == kv.Value)))
            {
                return;
            }
            await _worker.StopTasksAsync(_worker.TasksOf(connector)).ConfigureAwait(false);
            foreach (var t in _worker.Status.Tasks(connector))
            {
                _worker.Status.RemoveTask(new ConnectorTaskId(connector, t.Id));
            }
            RecomputeAndStartTasks(connector);
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "Task reconfiguration for {Connector} failed", connector);
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task StopConnectorAndTasksAsync(string connector)
    {
        _worker.ResetRestartAttempts(connector);
        await _worker.StopTasksAsync(_worker.TasksOf(connector)).ConfigureAwait(false);
        await _worker.StopConnectorAsync(connector).ConfigureAwait(false);
        foreach (var t in _worker.Status.Tasks(connector))
        {
            _worker.Status.RemoveTask(new ConnectorTaskId(connector, t.Id));
        }
    }

    private ConnectorStateInfo StatusOf(string connector)
    {
        var state = _worker.Status.Connector(connector) ?? new StateInfo(ConnectorState.Unassigned, _worker.Status.WorkerId);
        return new ConnectorStateInfo(connector, state, _worker.Status.Tasks(connector), TypeOf(ConfigOf(connector)));
    }

    private ConnectorInfo Info(string connector)
    {
        var config = ConfigOf(connector);
        var tasks = (_taskConfigs.GetValueOrDefault(connector) ?? []).Select((_, i) => new ConnectorTaskId(connector, i)).ToList();
        return new ConnectorInfo(connector, config, tasks, TypeOf(config));
    }

    private IReadOnlyDictionary<string, string> ConfigOf(string connector) =>
        _configs.TryGetValue(connector, out var c) ? c : throw NotFound(connector);

    private ConnectorType TypeOf(IReadOnlyDictionary<string, string> config) =>
        config.TryGetValue(ConnectorConfig.ConnectorClass, out var cls) && _worker.Plugins.TryResolve(cls, out var type)
            ? PluginRegistry.ConnectorTypeOf(type)
            : ConnectorType.Unknown;

    private bool IsSink(IReadOnlyDictionary<string, string> config) => TypeOf(config) == ConnectorType.Sink;

    private static NotFoundException NotFound(string connector) => new($"Connector {connector} not found");

    private static string FormatConfig(IReadOnlyDictionary<string, string> config) =>
        "{" + string.Join(", ", config.Select(kv => kv.Key + "=" + kv.Value)) + "}";

    private static string ValidationMessage(ConfigInfos infos)
    {
        var messages = infos.Configs.Where(c => c.Value.Errors.Count > 0)
            .Select(c => c.Value.Name + ": " + string.Join(", ", c.Value.Errors));
        return $"Connector configuration is invalid and contains the following {infos.ErrorCount} error(s):\n"
            + string.Join("\n", messages) + "\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`";
    }

    private static ConfigKeyInfo KeyInfo(ConfigKey k) => new(
        k.Name, k.Type.ToString().ToUpperInvariant(), !k.HasDefault,
        k.HasDefault ? ConfigDef.ConvertToString(k.DefaultValue, k.Type) : null,
        k.Importance.ToString().ToUpperInvariant(), k.Documentation ?? "", k.Group, k.OrderInGroup, k.Width.ToString().ToUpperInvariant(),
        k.DisplayName, k.Dependents);

    private IReadOnlyDictionary<string, string> ResolveForValidation(IReadOnlyDictionary<string, string> config)
    {
        try
        {
            return _worker.ConfigProviders.TransformWithTtls(config, failOnUnresolved: false).Data;
        }
        catch (ConfigException)
        {
            return config;
        }
    }

    private static ConfigValueInfo ValueInfo(ConfigValue v, IReadOnlyList<string> errors, IReadOnlyDictionary<string, string> raw) => new(
        v.Name,
        raw.TryGetValue(v.Name, out var written) && KafkaConnect.Connect.ConfigProviders.WorkerConfigProviders.IsReference(written)
            ? written
            : v.Value switch { null => null, Password => Password.Hidden, var x => ConfigDef.ConvertToString(x, x is IEnumerable<string> ? ConfigType.List : ConfigType.String) },
        v.RecommendedValues.Select(r => r?.ToString() ?? "null").ToList(), errors, v.Visible);
}

/// <summary>Version reported by GET /.</summary>
internal static class ThisAssembly
{
    public const string Version = "3.9.0";
    public const string Commit = "kconnect";
}
