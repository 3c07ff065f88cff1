using System.Collections.Concurrent;
using KafkaConnect.Connect.Runtime.Herder;

namespace KafkaConnect.Connect.Runtime.Worker;

/// <summary>Latest state of every connector and task on this worker (standalone keeps it in memory, as Apache does).</summary>
public sealed class StatusStore
{
    private readonly ConcurrentDictionary<string, StateInfo> _connectors = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ConnectorTaskId, TaskStateInfo> _tasks = new();

    public StatusStore(string workerId)
    {
        WorkerId = workerId;
    }

    public string WorkerId { get; set; }

    /// <summary>Raised after every change (tests wait on it instead of sleeping).</summary>
    public event Action? Changed;

    /// <summary>Every connector state this worker reports; the distributed herder writes them to the status topic.</summary>
    public Action<string, StateInfo>? ConnectorReported { get; set; }

    /// <summary>Every task state this worker reports; the distributed herder writes them to the status topic.</summary>
    public Action<ConnectorTaskId, TaskStateInfo>? TaskReported { get; set; }

    public void PutConnector(string connector, ConnectorState state, string? trace = null)
    {
        var info = new StateInfo(state, WorkerId, trace);
        _connectors[connector] = info;
        ConnectorReported?.Invoke(connector, info);
        Changed?.Invoke();
    }

    public void PutTask(ConnectorTaskId id, ConnectorState state, string? trace = null)
    {
        var info = new TaskStateInfo(id.Task, state, WorkerId, trace);
        _tasks[id] = info;
        TaskReported?.Invoke(id, info);
        Changed?.Invoke();
    }

    public StateInfo? Connector(string connector) => _connectors.TryGetValue(connector, out var s) ? s : null;

    public TaskStateInfo? Task(ConnectorTaskId id) => _tasks.TryGetValue(id, out var s) ? s : null;

    public IReadOnlyList<TaskStateInfo> Tasks(string connector)
    {
        var list = new List<TaskStateInfo>();
        foreach (var (id, state) in _tasks)
        {
            if (id.Connector == connector)
            {
                list.Add(state);
            }
        }
        list.Sort((a, b) => a.Id.CompareTo(b.Id));
        return list;
    }

    public void RemoveTask(ConnectorTaskId id) => _tasks.TryRemove(id, out _);

    public void RemoveConnector(string connector)
    {
        _connectors.TryRemove(connector, out _);
        foreach (var id in _tasks.Keys)
        {
            if (id.Connector == connector)
            {
                _tasks.TryRemove(id, out _);
            }
        }
        Changed?.Invoke();
    }
}

/// <summary>What the herder wants a connector and its tasks to be doing.</summary>
public enum TargetState { Started, Paused, Stopped }
