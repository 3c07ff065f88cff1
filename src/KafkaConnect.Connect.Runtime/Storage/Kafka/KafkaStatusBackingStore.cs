using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using KafkaConnect.Client.Admin;
using KafkaConnect.Client.Log;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Runtime.Herder;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.Runtime.Storage.Kafka;

/// <summary>
/// Connector, task and topic statuses in the status topic (<c>status.storage.topic</c>), shared with Apache workers.
/// Writes return at once and are retried in the background on retriable errors (the producer itself does not
/// retry, so a stale retry can be dropped when a newer status was written meanwhile); <see cref="FlushAsync"/> waits
/// for them. As in Apache the local view changes only when a status is read back from the topic.
/// </summary>
public sealed class KafkaStatusBackingStore : IStatusBackingStore, IAsyncDisposable
{
    public const string TopicConfigName = "status.storage.topic";
    private const string Purpose = "connector and task statuses";
    private static readonly TimeSpan s_retryBackoff = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan s_stopWait = TimeSpan.FromSeconds(10);

    private readonly KafkaStoreOptions _options;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly StatusView _view = new();
    private readonly ConcurrentDictionary<long, Task> _pending = new();
    private readonly CancellationTokenSource _stopping = new();
    private long _sendIds;
    private KafkaAdminClient? _admin;
    private KafkaBasedLog? _statusLog;

    public KafkaStatusBackingStore(KafkaStoreOptions options, ILoggerFactory loggers, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        if (string.IsNullOrWhiteSpace(options.Topic))
        {
            throw new ConfigException("Must specify topic for connector status.");
        }
        _options = options;
        _log = loggers.CreateLogger<KafkaStatusBackingStore>();
        _time = time ?? TimeProvider.System;
    }

    public event Action? Changed;

    public async Task StartAsync(CancellationToken ct = default)
    {
        var clientId = _options.ClientId("statuses");
        _admin = new KafkaAdminClient(WithClientId(_options.AdminConfig, clientId), _time);
        var definition = new NewTopic(_options.Topic, _options.Partitions, _options.ReplicationFactor)
        {
            Configs = InternalTopics.TopicConfigs(_options.TopicSettings, "status.storage.", _log),
        };
        await InternalTopics.EnsureAsync(_admin, definition, TopicConfigName, Purpose, _log, _time, ct).ConfigureAwait(false);
        var producer = WithClientId(_options.ProducerConfig, clientId);
        // This store retries itself, and must be able to drop a retry that a newer status overtook.
        producer["retries"] = "0";
        producer["enable.idempotence"] = "false";
        _statusLog = new KafkaBasedLog(_options.Topic, producer, WithClientId(_options.ConsumerConfig, clientId), _admin, Apply, _log, _time);
        await _statusLog.StartAsync(ct: ct).ConfigureAwait(false);
    }

    public async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_pending.Values).WaitAsync(s_stopWait, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _log.LogWarning("Status writes were still pending when the status store stopped");
        }
        if (_statusLog is not null)
        {
            await _statusLog.StopAsync().ConfigureAwait(false);
        }
        if (_admin is not null)
        {
            await _admin.DisposeAsync().ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    public void Put(ConnectorStatusEntry status) => PutConnector(status, safe: false);

    public void PutSafe(ConnectorStatusEntry status) => PutConnector(status, safe: true);

    public void Put(TaskStatusEntry status) => PutTask(status, safe: false);

    public void PutSafe(TaskStatusEntry status) => PutTask(status, safe: true);

    public void Put(TopicStatusEntry status)
    {
        ArgumentNullException.ThrowIfNull(status);
        Send(StatusRecords.TopicKey(status.Connector, status.Topic), StatusRecords.Topic(status), shouldRetry: null);
    }

    public void RemoveConnector(string connector)
    {
        var (tasks, connectorWrite) = _view.BeginRemoveConnector(connector);
        foreach (var (id, write) in tasks)
        {
            Send(StatusRecords.TaskKey(id), null, () => _view.ShouldRetry(write));
        }
        Send(StatusRecords.ConnectorKey(connector), null, () => _view.ShouldRetry(connectorWrite));
    }

    public void RemoveTask(ConnectorTaskId id)
    {
        var write = _view.BeginRemoveTask(id);
        Send(StatusRecords.TaskKey(id), null, () => _view.ShouldRetry(write));
    }

    public void DeleteTopic(string connector, string topic) => Send(StatusRecords.TopicKey(connector, topic), null, shouldRetry: null);

    public ConnectorStatusEntry? Get(string connector) => _view.Get(connector);

    public TaskStatusEntry? Get(ConnectorTaskId id) => _view.Get(id);

    public IReadOnlyList<TaskStatusEntry> GetAll(string connector) => _view.GetAll(connector);

    public IReadOnlyList<TopicStatusEntry> GetAllTopics(string connector) => _view.GetAllTopics(connector);

    public IReadOnlyCollection<string> Connectors() => _view.Connectors();

    public async Task FlushAsync(CancellationToken ct = default)
    {
        // Retries add new sends while older ones finish: loop until nothing started before this point is left.
        while (!_pending.IsEmpty)
        {
            await Task.WhenAll(_pending.Values).WaitAsync(ct).ConfigureAwait(false);
        }
        if (_statusLog is not null)
        {
            await _statusLog.FlushAsync(ct).ConfigureAwait(false);
        }
    }

    public Task<bool> RefreshAsync(TimeSpan timeout, CancellationToken ct = default) =>
        (_statusLog ?? throw new InvalidOperationException("The status store is not started.")).TryReadToEndAsync(timeout, ct);

    private void PutConnector(ConnectorStatusEntry status, bool safe)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (_view.BeginWrite(status, safe) is not { } write)
        {
            _log.LogDebug("Not overwriting the status of connector {Connector} written by a newer generation", status.Connector);
            return;
        }
        Send(StatusRecords.ConnectorKey(status.Connector), StatusRecords.Status(status.State, status.Trace, status.WorkerId, status.Generation),
            () => _view.ShouldRetry(write));
    }

    private void PutTask(TaskStatusEntry status, bool safe)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (_view.BeginWrite(status, safe) is not { } write)
        {
            _log.LogDebug("Not overwriting the status of task {Task} written by a newer generation", status.Id);
            return;
        }
        Send(StatusRecords.TaskKey(status.Id), StatusRecords.Status(status.State, status.Trace, status.WorkerId, status.Generation),
            () => _view.ShouldRetry(write));
    }

    /// <summary>Starts a background send; <paramref name="shouldRetry"/> null means always retry retriable errors.</summary>
    private void Send(string key, byte[]? value, Func<bool>? shouldRetry)
    {
        var log = _statusLog ?? throw new InvalidOperationException("The status store is not started.");
        var id = Interlocked.Increment(ref _sendIds);
        // Queued synchronously (the producer knows the topic), so writes keep the order of the calls.
        var send = SendWithRetryAsync(log, Encoding.UTF8.GetBytes(key), value, shouldRetry);
        _pending[id] = send;
        _ = send.ContinueWith(_ => _pending.TryRemove(id, out Task? _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task SendWithRetryAsync(KafkaBasedLog log, byte[] key, byte[]? value, Func<bool>? shouldRetry)
    {
        while (true)
        {
            try
            {
                await log.SendAsync(key, value).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (KafkaBasedLog.IsTransient(ex))
            {
                if (_stopping.IsCancellationRequested || (shouldRetry is not null && !shouldRetry()))
                {
                    return;
                }
                _log.LogDebug("Retrying status write of {Key} after {Reason}", Encoding.UTF8.GetString(key), ex.Message);
            }
            catch (Exception ex)
            {
                _log.LogError(ex, "Failed to write status update {Key}", Encoding.UTF8.GetString(key));
                return;
            }
            try
            {
                await Task.Delay(s_retryBackoff, _time, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Apply(LogRecord record)
    {
        if (record.Key is null)
        {
            _log.LogWarning("Discarding status record without a key at {Partition}@{Offset}", record.Partition, record.Offset);
            return;
        }
        var key = Encoding.UTF8.GetString(record.Key);
        JsonDocument? doc;
        try
        {
            doc = record.Value is null ? null : JsonDocument.Parse(record.Value);
        }
        catch (JsonException ex)
        {
            _log.LogError(ex, "Failed to deserialize status record {Key}", key);
            return;
        }
        using (doc)
        {
            if (Apply(key, doc?.RootElement))
            {
                OnChanged();
            }
        }
    }

    private bool Apply(string key, JsonElement? value)
    {
        if (key.StartsWith(StatusRecords.ConnectorPrefix, StringComparison.Ordinal))
        {
            var connector = key[StatusRecords.ConnectorPrefix.Length..];
            if (connector.Length == 0)
            {
                _log.LogWarning("Discarding record with invalid connector status key {Key}", key);
                return false;
            }
            if (value is null)
            {
                _view.ReadConnector(connector, null);
                return true;
            }
            if (StatusRecords.ParseStatus(value.Value) is not { } s)
            {
                _log.LogError("Failed to deserialize connector status {Key}", key);
                return false;
            }
            _view.ReadConnector(connector, new ConnectorStatusEntry(connector, s.State, s.Trace, s.WorkerId, s.Generation));
            return true;
        }
        if (key.StartsWith(StatusRecords.TaskPrefix, StringComparison.Ordinal))
        {
            if (ConfigRecords.ParseTaskKey(key, StatusRecords.TaskPrefix) is not { } id)
            {
                _log.LogWarning("Discarding record with invalid task status key {Key}", key);
                return false;
            }
            if (value is null)
            {
                _view.ReadTask(id, null);
                return true;
            }
            if (StatusRecords.ParseStatus(value.Value) is not { } s)
            {
                _log.LogWarning("Failed to parse task status with key {Key}", key);
                return false;
            }
            _view.ReadTask(id, new TaskStatusEntry(id, s.State, s.Trace, s.WorkerId, s.Generation));
            return true;
        }
        if (key.StartsWith(StatusRecords.TopicPrefix, StringComparison.Ordinal))
        {
            var colon = key.IndexOf(':', StringComparison.Ordinal);
            var start = StatusRecords.TopicPrefix.Length;
            if (colon < start || colon == start || colon + StatusRecords.TopicSeparator.Length >= key.Length)
            {
                _log.LogWarning("Discarding record with invalid topic status key {Key}", key);
                return false;
            }
            var topic = key[start..colon];
            var connector = key[(colon + StatusRecords.TopicSeparator.Length)..];
            if (value is null)
            {
                _view.ReadTopic(connector, topic, null);
                return true;
            }
            if (StatusRecords.ParseTopic(value.Value) is not { } status)
            {
                _log.LogWarning("Failed to parse topic status with key {Key}", key);
                return false;
            }
            _view.ReadTopic(connector, topic, status);
            return true;
        }
        _log.LogWarning("Discarding record with invalid key {Key}", key);
        return false;
    }

    private void OnChanged()
    {
        try
        {
            Changed?.Invoke();
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "A status change handler failed");
        }
    }

    private static Dictionary<string, string> WithClientId(IReadOnlyDictionary<string, string> config, string clientId) =>
        new(config, StringComparer.Ordinal) { ["client.id"] = clientId };
}
