using KafkaConnect.Connect.Runtime.Herder;

namespace KafkaConnect.Connect.Runtime.Storage.Kafka;

/// <summary>
/// The statuses known to one worker plus Apache's write bookkeeping: every status key has a cache entry whose
/// sequence grows with each write from this worker (so a retried write that was overtaken is dropped) and a
/// "safe" write only goes ahead when the last status read was written by this worker or by an older generation.
/// Shared by the Kafka and the memory status stores.
/// </summary>
internal sealed class StatusView
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry<ConnectorStatusEntry>> _connectors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<int, Entry<TaskStatusEntry>>> _tasks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, TopicStatusEntry>> _topics = new(StringComparer.Ordinal);
    private int _generation;

    /// <summary>Claims a write of <paramref name="status"/>; null when a safe write must not overwrite a newer owner's status.</summary>
    public Write? BeginWrite(ConnectorStatusEntry status, bool safe)
    {
        lock (_lock)
        {
            return Begin(ConnectorEntry(status.Connector), status.WorkerId, status.Generation, safe);
        }
    }

    public Write? BeginWrite(TaskStatusEntry status, bool safe)
    {
        lock (_lock)
        {
            return Begin(TaskEntry(status.Id), status.WorkerId, status.Generation, safe);
        }
    }

    /// <summary>Claims tombstones for a connector's status and the statuses of all its known tasks (tasks first, as Apache's herder does).</summary>
    public (List<(ConnectorTaskId Id, Write Write)> Tasks, Write Connector) BeginRemoveConnector(string connector)
    {
        lock (_lock)
        {
            var tasks = new List<(ConnectorTaskId, Write)>();
            if (_tasks.TryGetValue(connector, out var row))
            {
                foreach (var (task, entry) in row)
                {
                    tasks.Add((new ConnectorTaskId(connector, task), new Write(entry, ++entry.Sequence, null, -1, false)));
                }
            }
            var c = ConnectorEntry(connector);
            return (tasks, new Write(c, ++c.Sequence, null, -1, false));
        }
    }

    public Write BeginRemoveTask(ConnectorTaskId id)
    {
        lock (_lock)
        {
            var entry = TaskEntry(id);
            return new Write(entry, ++entry.Sequence, null, -1, false);
        }
    }

    /// <summary>Whether a failed write is still worth retrying (Apache's rule: not once deleted, superseded or no longer safe).</summary>
    public bool ShouldRetry(Write write)
    {
        lock (_lock)
        {
            if (write.WorkerId is null)
            {
                return !write.Entry.Deleted; // a tombstone
            }
            return !write.Entry.Deleted && write.Generation == _generation
                && (!write.Safe || (write.Entry.CanWriteSafely(write.WorkerId, write.Generation) && write.Entry.Sequence == write.Sequence));
        }
    }

    /// <summary>A connector status read from the topic, or its tombstone.</summary>
    public void ReadConnector(string connector, ConnectorStatusEntry? status)
    {
        lock (_lock)
        {
            if (status is null)
            {
                if (_connectors.Remove(connector, out var removed))
                {
                    removed.Deleted = true;
                }
                if (_tasks.Remove(connector, out var row))
                {
                    foreach (var e in row.Values)
                    {
                        e.Deleted = true;
                    }
                }
                return;
            }
            var entry = ConnectorEntry(connector);
            // As for tasks (Apache has this rule for tasks only): a worker that had not yet read another worker's RUNNING
            // (it was paused, or out of the group) may report UNASSIGNED for an older generation; the RUNNING is right.
            if (status.State == ConnectorState.Unassigned && entry.Value is { State: ConnectorState.Running } current
                && current.Generation >= status.Generation && current.WorkerId != status.WorkerId)
            {
                return;
            }
            entry.Value = status;
        }
    }

    public void ReadTask(ConnectorTaskId id, TaskStatusEntry? status)
    {
        lock (_lock)
        {
            if (status is null)
            {
                if (_tasks.TryGetValue(id.Connector, out var row) && row.Remove(id.Task, out var removed))
                {
                    removed.Deleted = true;
                    if (row.Count == 0)
                    {
                        _tasks.Remove(id.Connector);
                    }
                }
                return;
            }
            var entry = TaskEntry(id);
            // A worker that missed the latest RUNNING status may still report UNASSIGNED for the same or an older
            // generation during rebalances; the RUNNING status is the more accurate one. Unlike Apache, an UNASSIGNED
            // from the worker that reported the RUNNING is kept: it stopped the task (a graceful leave relies on it).
            if (status.State == ConnectorState.Unassigned && entry.Value is { State: ConnectorState.Running } current
                && current.Generation >= status.Generation && current.WorkerId != status.WorkerId)
            {
                return;
            }
            entry.Value = status;
        }
    }

    public void ReadTopic(string connector, string topic, TopicStatusEntry? status)
    {
        lock (_lock)
        {
            if (status is null)
            {
                if (_topics.TryGetValue(connector, out var active))
                {
                    active.Remove(topic);
                }
                return;
            }
            if (!_topics.TryGetValue(connector, out var topics))
            {
                _topics[connector] = topics = new Dictionary<string, TopicStatusEntry>(StringComparer.Ordinal);
            }
            topics[topic] = status;
        }
    }

    public ConnectorStatusEntry? Get(string connector)
    {
        lock (_lock)
        {
            return _connectors.TryGetValue(connector, out var e) ? e.Value : null;
        }
    }

    public TaskStatusEntry? Get(ConnectorTaskId id)
    {
        lock (_lock)
        {
            return _tasks.TryGetValue(id.Connector, out var row) && row.TryGetValue(id.Task, out var e) ? e.Value : null;
        }
    }

    public IReadOnlyList<TaskStatusEntry> GetAll(string connector)
    {
        lock (_lock)
        {
            return _tasks.TryGetValue(connector, out var row)
                ? [.. row.Values.Select(e => e.Value).OfType<TaskStatusEntry>()]
                : [];
        }
    }

    public IReadOnlyList<TopicStatusEntry> GetAllTopics(string connector)
    {
        lock (_lock)
        {
            return _topics.TryGetValue(connector, out var topics) ? [.. topics.Values] : [];
        }
    }

    /// <summary>Connectors this worker has read or written a status for (as Apache, also ones whose status is not read back yet).</summary>
    public IReadOnlyCollection<string> Connectors()
    {
        lock (_lock)
        {
            return [.. _connectors.Keys];
        }
    }

    private Write? Begin<T>(Entry<T> entry, string workerId, int generation, bool safe)
        where T : class
    {
        _generation = generation;
        if (safe && !entry.CanWriteSafely(workerId, generation))
        {
            return null;
        }
        return new Write(entry, ++entry.Sequence, workerId, generation, safe);
    }

    private Entry<ConnectorStatusEntry> ConnectorEntry(string connector)
    {
        if (!_connectors.TryGetValue(connector, out var entry))
        {
            _connectors[connector] = entry = new Entry<ConnectorStatusEntry>(s => (s.WorkerId, s.Generation));
        }
        return entry;
    }

    private Entry<TaskStatusEntry> TaskEntry(ConnectorTaskId id)
    {
        if (!_tasks.TryGetValue(id.Connector, out var row))
        {
            _tasks[id.Connector] = row = [];
        }
        if (!row.TryGetValue(id.Task, out var entry))
        {
            row[id.Task] = entry = new Entry<TaskStatusEntry>(s => (s.WorkerId, s.Generation));
        }
        return entry;
    }

    /// <summary>A status key's last value read and this worker's write sequence for it.</summary>
    internal abstract class EntryBase
    {
        public int Sequence { get; set; }

        public bool Deleted { get; set; }

        public abstract bool CanWriteSafely(string workerId, int generation);
    }

    private sealed class Entry<T>(Func<T, (string WorkerId, int Generation)> owner) : EntryBase
        where T : class
    {
        public T? Value { get; set; }

        public override bool CanWriteSafely(string workerId, int generation)
        {
            if (Value is null)
            {
                return true;
            }
            var (lastWorker, lastGeneration) = owner(Value);
            return lastWorker == workerId || lastGeneration <= generation;
        }
    }

    /// <summary>A claimed write; WorkerId is null for a tombstone.</summary>
    internal sealed record Write(EntryBase Entry, int Sequence, string? WorkerId, int Generation, bool Safe);
}
