using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Runtime.Config;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Storage;
using WorkerRuntime = KafkaConnect.Connect.Runtime.Worker;

namespace KafkaConnect.Connect.Runtime.Distributed;

// The IHerder front door: reads from the local view of the topics, writes through the leader.
public sealed partial class DistributedHerder
{
    public Task<IReadOnlyList<string>> ConnectorsAsync(CancellationToken ct = default) =>
        OnLoopAsync(() => Task.FromResult<IReadOnlyList<string>>([.. _snapshot.Connectors.Order(StringComparer.Ordinal)]), ct);

    public Task<ConnectorInfo> ConnectorInfoAsync(string connector, CancellationToken ct = default) =>
        OnLoopAsync(() => Task.FromResult(Info(connector)), ct);

    public Task<IReadOnlyDictionary<string, string>> ConnectorConfigAsync(string connector, CancellationToken ct = default) =>
        OnLoopAsync(() => Task.FromResult(ConfigOf(connector)), ct);

    public async Task<(bool Created, ConnectorInfo Info)> PutConnectorConfigAsync(string connector, IReadOnlyDictionary<string, string> config, bool allowReplace, CancellationToken ct = default)
    {
        // Validation needs no cluster state: do it here, off the loop, on whichever worker got the call.
        var full = ValidateForPut(connector, config);
        return await OnLoopAsync(async () =>
        {
            RequireLeader("create or update connector configurations");
            var exists = _snapshot.Contains(connector);
            if (exists && !allowReplace)
            {
                throw new AlreadyExistsException($"Connector {connector} already exists");
            }
            await _configStore.PutConnectorConfigAsync(connector, full, null, ct).ConfigureAwait(false);
            await ApplyConfigChangesAsync(ct).ConfigureAwait(false);
            return (!exists, Info(connector));
        }, ct).ConfigureAwait(false);
    }

    public async Task<ConnectorInfo> PatchConnectorConfigAsync(string connector, IReadOnlyDictionary<string, string?> patch, CancellationToken ct = default)
    {
        var current = await ConnectorConfigAsync(connector, ct).ConfigureAwait(false);
        var merged = new Dictionary<string, string>(current, StringComparer.Ordinal);
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

    public Task DeleteConnectorAsync(string connector, CancellationToken ct = default) =>
        OnLoopAsync(async () =>
        {
            RequireLeader("delete connectors");
            ConfigOf(connector);
            await _configStore.RemoveConnectorConfigAsync(connector, ct).ConfigureAwait(false);
            await ApplyConfigChangesAsync(ct).ConfigureAwait(false);
        }, ct);

    public Task<ConnectorStateInfo> ConnectorStatusAsync(string connector, CancellationToken ct = default)
    {
        var snapshot = _snapshot;
        var config = snapshot.ConnectorConfig(connector) ?? throw NotFound(connector);
        var status = _statusStore.Get(connector) ?? throw new NotFoundException($"No status found for connector {connector}");
        var count = snapshot.TaskCount(connector);
        var tasks = _statusStore.GetAll(connector)
            .Where(t => t.Id.Task < count)
            .OrderBy(t => t.Id.Task)
            .Select(t => new TaskStateInfo(t.Id.Task, t.State, t.WorkerId, t.Trace))
            .ToList();
        return Task.FromResult(new ConnectorStateInfo(connector, new StateInfo(status.State, status.WorkerId, status.Trace), tasks, TypeOf(config)));
    }

    public Task<TaskStateInfo> TaskStatusAsync(ConnectorTaskId id, CancellationToken ct = default)
    {
        var status = _statusStore.Get(id) ?? throw new NotFoundException($"No status found for task {id}");
        return Task.FromResult(new TaskStateInfo(id.Task, status.State, status.WorkerId, status.Trace));
    }

    public Task<IReadOnlyList<TaskInfo>> TaskConfigsAsync(string connector, CancellationToken ct = default) =>
        OnLoopAsync(() =>
        {
            ConfigOf(connector);
            IReadOnlyList<TaskInfo> tasks = [.. _snapshot.TaskConfigsOf(connector).Select((c, i) => new TaskInfo(new ConnectorTaskId(connector, i), c))];
            return Task.FromResult(tasks);
        }, ct);

    public Task RestartConnectorAsync(string connector, CancellationToken ct = default) =>
        OnLoopAsync(async () =>
        {
            ConfigOf(connector);
            bool mine;
            lock (_myConnectors)
            {
                mine = _myConnectors.Contains(connector);
            }
            if (mine)
            {
                await RestartLocalConnectorAsync(connector).ConfigureAwait(false);
                return;
            }
            RequireLeader("restart connectors that run on other workers");
            throw new NotAssignedException("Cannot restart connector since it is not assigned to this member", OwnerUrl(_statusStore.Get(connector)?.WorkerId));
        }, ct);

    public Task<ConnectorStateInfo> RestartConnectorAndTasksAsync(RestartRequest request, CancellationToken ct = default) =>
        OnLoopAsync(async () =>
        {
            RequireLeader("process restart requests");
            var status = await ConnectorStatusAsync(request.Connector, ct).ConfigureAwait(false);
            // Every worker restarts its own part when it reads the request from the config topic (as Apache 3.9 does).
            await _configStore.PutRestartRequestAsync(request, ct).ConfigureAwait(false);
            var restartConnector = !request.OnlyFailed || status.Connector.State == ConnectorState.Failed;
            var connectorState = restartConnector ? status.Connector with { State = ConnectorState.Restarting } : status.Connector;
            var tasks = status.Tasks.Select(t => request.IncludeTasks && (!request.OnlyFailed || t.State == ConnectorState.Failed)
                ? t with { State = ConnectorState.Restarting }
                : t).ToList();
            return status with { Connector = connectorState, Tasks = tasks };
        }, ct);

    public Task RestartTaskAsync(ConnectorTaskId id, CancellationToken ct = default) =>
        OnLoopAsync(async () =>
        {
            ConfigOf(id.Connector);
            if (_snapshot.TaskConfig(id) is null)
            {
                throw new NotFoundException($"Task {id} not found");
            }
            bool mine;
            lock (_myConnectors)
            {
                mine = _myTasks.Contains(id);
            }
            if (mine)
            {
                _worker.ResetRestartAttempts(id.Connector);
                await RestartLocalTaskAsync(id).ConfigureAwait(false);
                return;
            }
            RequireLeader("restart tasks that run on other workers");
            throw new NotAssignedException("Cannot restart task since it is not assigned to this member", OwnerUrl(_statusStore.Get(id)?.WorkerId));
        }, ct);

    public Task PauseConnectorAsync(string connector, CancellationToken ct = default) => SetTargetStateAsync(connector, WorkerRuntime.TargetState.Paused, ct);

    public Task ResumeConnectorAsync(string connector, CancellationToken ct = default) => SetTargetStateAsync(connector, WorkerRuntime.TargetState.Started, ct);

    public Task StopConnectorAsync(string connector, CancellationToken ct = default) => SetTargetStateAsync(connector, WorkerRuntime.TargetState.Stopped, ct);

    private Task SetTargetStateAsync(string connector, WorkerRuntime.TargetState target, CancellationToken ct) =>
        OnLoopAsync(async () =>
        {
            RequireLeader("change the target state of connectors");
            ConfigOf(connector);
            await _configStore.PutTargetStateAsync(connector, target, ct).ConfigureAwait(false);
            if (target == WorkerRuntime.TargetState.Stopped)
            {
                // A stopped connector has no tasks (Apache writes an empty task list), so its offsets can be altered safely.
                await _configStore.PutTaskConfigsAsync(connector, [], ct).ConfigureAwait(false);
            }
            await ApplyConfigChangesAsync(ct).ConfigureAwait(false);
        }, ct);

    public async Task<IReadOnlyList<ConnectorOffset>> ConnectorOffsetsAsync(string connector, CancellationToken ct = default)
    {
        var config = await ConnectorConfigAsync(connector, ct).ConfigureAwait(false);
        if (_worker.Offsets is IRefreshableOffsetStore refreshable)
        {
            // Other workers write offsets too: read the topic to its end first, as Apache does.
            await refreshable.RefreshAsync(TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        }
        return await ReadOffsetsAsync(connector, config, ct).ConfigureAwait(false);
    }

    public Task<string> AlterConnectorOffsetsAsync(string connector, IReadOnlyList<ConnectorOffset>? offsets, CancellationToken ct = default) =>
        OnLoopAsync(async () =>
        {
            RequireLeader("alter connector offsets");
            var config = ConfigOf(connector);
            if (_snapshot.TargetState(connector) != WorkerRuntime.TargetState.Stopped || _snapshot.TaskCount(connector) > 0)
            {
                throw new BadRequestException("Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/"
                    + connector + "/stop' endpoint");
            }
            return await WriteOffsetsAsync(connector, config, offsets, ct).ConfigureAwait(false);
        }, ct);

    public Task<IReadOnlyList<string>> ConnectorActiveTopicsAsync(string connector, CancellationToken ct = default)
    {
        ConfigOf(connector);
        IReadOnlyList<string> topics = [.. _statusStore.GetAllTopics(connector).Select(t => t.Topic).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        return Task.FromResult(topics);
    }

    public Task ResetConnectorActiveTopicsAsync(string connector, CancellationToken ct = default)
    {
        ConfigOf(connector);
        foreach (var topic in _statusStore.GetAllTopics(connector))
        {
            _statusStore.DeleteTopic(connector, topic.Topic);
        }
        _worker.ResetActiveTopics(connector);
        return Task.CompletedTask;
    }

    public async Task<bool> SetClusterLoggerLevelAsync(string loggerNamespace, string level, CancellationToken ct = default)
    {
        // Any worker may write it (as in Apache); every worker, this one included, applies it when it reads it back.
        await _configStore.PutLoggerLevelAsync(loggerNamespace, level, ct).ConfigureAwait(false);
        return true;
    }

    public Task PutTaskConfigsAsync(string connector, IReadOnlyList<IReadOnlyDictionary<string, string>> configs, InternalRequestSignature? signature, CancellationToken ct = default)
    {
        VerifySignature(signature);
        return OnLoopAsync(async () =>
        {
            RequireLeader("write task configurations");
            ConfigOf(connector);
            await _configStore.PutTaskConfigsAsync(connector, configs, ct).ConfigureAwait(false);
            await ApplyConfigChangesAsync(ct).ConfigureAwait(false);
        }, ct);
    }

    /// <summary>Internal requests must be signed with the session key once the group speaks the sessioned protocol (Apache's rules and messages).</summary>
    private void VerifySignature(InternalRequestSignature? signature)
    {
        if (_member?.Protocol != Protocol.ConnectProtocolCompatibilities.ProtocolName(Protocol.ConnectProtocolCompatibility.Sessioned))
        {
            return;
        }
        if (signature is null)
        {
            throw new BadRequestException("Internal request missing required signature");
        }
        var permitted = _config.GetList(DistributedConfig.InterWorkerVerificationAlgorithms) ?? [];
        if (!permitted.Contains(signature.Algorithm))
        {
            throw new BadRequestException($"This worker does not support the '{signature.Algorithm}' key signing algorithm used by other workers. "
                + $"This worker is currently configured to use: [{string.Join(", ", permitted)}]. Check that all workers' configuration files permit the same set of signature algorithms, "
                + "and correct any misconfigured worker and restart it.");
        }
        var key = _snapshot.SessionKey ?? throw new ConnectRestException(503, "This worker is still starting up and has not been able to read a session key from the config topic yet");
        if (!signature.IsValid(key.Key))
        {
            throw new ConnectRestException(403, "Internal request contained invalid signature.");
        }
    }

    private ConnectorInfo Info(string connector)
    {
        var config = ConfigOf(connector);
        var tasks = _snapshot.TaskConfigsOf(connector).Select((_, i) => new ConnectorTaskId(connector, i)).ToList();
        return new ConnectorInfo(connector, config, tasks, TypeOf(config));
    }
}
