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
public sealed class StandaloneHerder : HerderBase, IHerder, IAsyncDisposable
{
    private readonly ILogger _log;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Dictionary<string, IReadOnlyDictionary<string, string>> _configs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, WorkerRuntime.TargetState> _targets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<IReadOnlyDictionary<string, string>>> _taskConfigs = new(StringComparer.Ordinal);
    private volatile bool _ready;

    public StandaloneHerder(WorkerRuntime.Worker worker, string kafkaClusterId, ILoggerFactory loggers)
        : base(worker, kafkaClusterId)
    {
        _log = loggers.CreateLogger(typeof(StandaloneHerder).FullName!);
    }

    public bool IsReady => _ready;


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
        var full = ValidateForPut(connector, config);
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
        return await ReadOffsetsAsync(connector, config, ct).ConfigureAwait(false);
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
            return await WriteOffsetsAsync(connector, config, offsets, ct).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
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

}
