using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Storage.Kafka;
using KafkaConnect.Connect.Runtime.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaConnect.Connect.Runtime.Storage.Memory;

/// <summary>
/// A config store without Kafka for herder tests: every Put is applied as the same sequence of records the Kafka
/// store writes (so deferred task configs, commits, tombstones and listener calls behave the same), synchronously.
/// <see cref="ClusterConfigState.Offset"/> counts the records as if they were in a one-partition topic.
/// </summary>
public sealed class MemoryConfigBackingStore : IConfigBackingStore
{
    private readonly ConfigTopicState _state;
    private readonly Lock _writeLock = new();
    private long _nextOffset;

    public MemoryConfigBackingStore(ILoggerFactory? loggers = null) =>
        _state = new ConfigTopicState((loggers ?? NullLoggerFactory.Instance).CreateLogger<MemoryConfigBackingStore>());

    public IConfigUpdateListener? Listener
    {
        get => _state.Listener;
        set => _state.Listener = value;
    }

    public Task StartAsync(CancellationToken ct = default)
    {
        _state.Started = true;
        return Task.CompletedTask;
    }

    public Task StopAsync() => Task.CompletedTask;

    public ClusterConfigState Snapshot() => _state.Snapshot();

    public Task PutConnectorConfigAsync(string connector, IReadOnlyDictionary<string, string> properties, TargetState? targetState = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var copy = new Dictionary<string, string>(properties, StringComparer.Ordinal);
        return Write(() =>
        {
            if (targetState is { } state)
            {
                Record(() => _state.TargetState(connector, state));
            }
            Record(() => _state.ConnectorConfig(connector, copy));
        });
    }

    public Task RemoveConnectorConfigAsync(string connector, CancellationToken ct = default) => Write(() =>
    {
        Record(() => _state.ConnectorConfig(connector, null));
        Record(() => _state.TargetState(connector, null));
    });

    public Task PutTaskConfigsAsync(string connector, IReadOnlyList<IReadOnlyDictionary<string, string>> configs, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(configs);
        var copies = configs.Select(c => new Dictionary<string, string>(c, StringComparer.Ordinal)).ToList();
        return Write(() =>
        {
            for (var i = 0; i < copies.Count; i++)
            {
                var id = new ConnectorTaskId(connector, i);
                var config = copies[i];
                Record(() => _state.TaskConfig(id, config));
            }
            Record(() => _state.Commit(connector, copies.Count));
        });
    }

    public Task PutTargetStateAsync(string connector, TargetState state, CancellationToken ct = default) =>
        Write(() => Record(() => _state.TargetState(connector, state)));

    public Task PutSessionKeyAsync(SessionKey key, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Write(() => Record(() => _state.SessionKey(key)));
    }

    public Task PutRestartRequestAsync(RestartRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Write(() => Record(() => _state.RestartRequest(request)));
    }

    public Task PutLoggerLevelAsync(string loggerNamespace, string level, CancellationToken ct = default) =>
        Write(() => Record(() => _state.LoggerLevel(loggerNamespace, level)));

    public Task<bool> RefreshAsync(TimeSpan timeout, CancellationToken ct = default) => Task.FromResult(true);

    /// <summary>
    /// Applies a task commit with <paramref name="taskCount"/> without writing task configs first (tests of the
    /// inconsistent state, which in Kafka only arises from compaction or a writer dying halfway).
    /// </summary>
    public Task PutCommitOnlyAsync(string connector, int taskCount) => Write(() => Record(() => _state.Commit(connector, taskCount)));

    private Task Write(Action records)
    {
        // One writer at a time, like records in a single-partition topic.
        lock (_writeLock)
        {
            records();
        }
        return Task.CompletedTask;
    }

    private void Record(Action apply)
    {
        apply();
        _state.Advance(++_nextOffset);
    }
}
