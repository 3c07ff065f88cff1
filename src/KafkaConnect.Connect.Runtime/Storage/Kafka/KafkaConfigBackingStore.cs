using System.Text;
using System.Text.Json;
using KafkaConnect.Client.Admin;
using KafkaConnect.Client.Log;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Worker;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.Runtime.Storage.Kafka;

/// <summary>
/// Connector and task configs, target states, restart requests and the session key in the config topic
/// (<c>config.storage.topic</c>), readable and writable by Apache Kafka Connect 3.9 workers sharing the topic.
/// The topic must have exactly one partition: the order of task configs and their commit record matters.
/// </summary>
public sealed class KafkaConfigBackingStore : IConfigBackingStore, IAsyncDisposable
{
    public const string TopicConfigName = "config.storage.topic";
    private const string Purpose = "connector configurations";

    // Apache's READ_WRITE_TOTAL_TIMEOUT_MS: a write and its read-back must finish within this.
    private static readonly TimeSpan s_readWriteTimeout = TimeSpan.FromSeconds(30);

    private readonly KafkaStoreOptions _options;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly ConfigTopicState _state;
    private KafkaAdminClient? _admin;
    private KafkaBasedLog? _configLog;

    public KafkaConfigBackingStore(KafkaStoreOptions options, ILoggerFactory loggers, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        if (string.IsNullOrWhiteSpace(options.Topic))
        {
            throw new ConfigException("Must specify topic for connector configuration.");
        }
        _options = options;
        _log = loggers.CreateLogger<KafkaConfigBackingStore>();
        _time = time ?? TimeProvider.System;
        _state = new ConfigTopicState(_log);
    }

    public IConfigUpdateListener? Listener
    {
        get => _state.Listener;
        set => _state.Listener = value;
    }

    public async Task StartAsync(CancellationToken ct = default)
    {
        _log.LogInformation("Starting KafkaConfigBackingStore");
        var clientId = _options.ClientId("configs");
        _admin = new KafkaAdminClient(WithClientId(_options.AdminConfig, clientId), _time);
        if (_options.Partitions is not (1 or -1))
        {
            _log.LogWarning("Ignoring {Partitions} partitions for the config topic, since config topic partitions is always 1", _options.Partitions);
        }
        var definition = new NewTopic(_options.Topic, 1, _options.ReplicationFactor)
        {
            Configs = InternalTopics.TopicConfigs(_options.TopicSettings, "config.storage.", _log),
        };
        var partitions = await InternalTopics.EnsureAsync(_admin, definition, TopicConfigName, Purpose, _log, _time, ct).ConfigureAwait(false);
        if (partitions > 1)
        {
            throw new ConfigException($"Topic '{_options.Topic}' supplied via the '{TopicConfigName}' property is required to have a single "
                + $"partition in order to guarantee consistency of connector configurations, but found {partitions} partitions.");
        }
        var producer = WithClientId(_options.ProducerConfig, clientId);
        producer.TryAdd("enable.idempotence", "true");
        _configLog = new KafkaBasedLog(_options.Topic, producer, WithClientId(_options.ConsumerConfig, clientId), _admin, Apply, _log, _time);
        // Records replayed at start are the existing state, not updates: the listener hears only what comes after.
        await _configLog.StartAsync(() => _state.Started = true, ct).ConfigureAwait(false);
        _log.LogInformation("Started KafkaConfigBackingStore");
    }

    public async Task StopAsync()
    {
        _log.LogInformation("Closing KafkaConfigBackingStore");
        if (_configLog is not null)
        {
            await _configLog.StopAsync().ConfigureAwait(false);
        }
        if (_admin is not null)
        {
            await _admin.DisposeAsync().ConfigureAwait(false);
        }
        _log.LogInformation("Closed KafkaConfigBackingStore");
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    public ClusterConfigState Snapshot() => _state.Snapshot();

    public Task PutConnectorConfigAsync(string connector, IReadOnlyDictionary<string, string> properties, TargetState? targetState = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(properties);
        return WriteAsync("Error writing connector configuration to Kafka", async (log, token) =>
        {
            var sends = new List<Task>(2);
            if (targetState is { } state)
            {
                sends.Add(log.SendAsync(Key(ConfigRecords.TargetStateKey(connector)), ConfigRecords.TargetState(state), token));
            }
            sends.Add(log.SendAsync(Key(ConfigRecords.ConnectorKey(connector)), ConfigRecords.Properties(properties), token));
            await Task.WhenAll(sends).ConfigureAwait(false);
            await log.ReadToEndAsync(token).ConfigureAwait(false);
        }, ct);
    }

    /// <summary>Tombstones for the connector's config and target state; its task configs stay in the topic (as in Apache) and are dropped from the view.</summary>
    public Task RemoveConnectorConfigAsync(string connector, CancellationToken ct = default) =>
        WriteAsync("Error removing connector configuration from Kafka", async (log, token) =>
        {
            await Task.WhenAll(
                log.SendAsync(Key(ConfigRecords.ConnectorKey(connector)), null, token),
                log.SendAsync(Key(ConfigRecords.TargetStateKey(connector)), null, token)).ConfigureAwait(false);
            await log.ReadToEndAsync(token).ConfigureAwait(false);
        }, ct);

    public Task PutTaskConfigsAsync(string connector, IReadOnlyList<IReadOnlyDictionary<string, string>> configs, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(configs);
        return WriteAsync("Error writing task configurations to Kafka", async (log, token) =>
        {
            // Catch up first so the commit below is judged against the latest state.
            await log.ReadToEndAsync(token).ConfigureAwait(false);
            var sends = new List<Task>(configs.Count);
            for (var i = 0; i < configs.Count; i++)
            {
                sends.Add(log.SendAsync(Key(ConfigRecords.TaskKey(new ConnectorTaskId(connector, i))), ConfigRecords.Properties(configs[i]), token));
            }
            await Task.WhenAll(sends).ConfigureAwait(false);
            if (configs.Count > 0)
            {
                await log.ReadToEndAsync(token).ConfigureAwait(false);
            }
            await log.SendAsync(Key(ConfigRecords.CommitKey(connector)), ConfigRecords.Commit(configs.Count), token).ConfigureAwait(false);
            await log.ReadToEndAsync(token).ConfigureAwait(false);
        }, ct);
    }

    public Task PutTargetStateAsync(string connector, TargetState state, CancellationToken ct = default) =>
        WriteAsync("Error writing target state to Kafka", async (log, token) =>
        {
            await log.SendAsync(Key(ConfigRecords.TargetStateKey(connector)), ConfigRecords.TargetState(state), token).ConfigureAwait(false);
            await log.ReadToEndAsync(token).ConfigureAwait(false);
        }, ct);

    public Task PutSessionKeyAsync(SessionKey key, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return WriteAsync("Error writing session key to Kafka", async (log, token) =>
        {
            await log.SendAsync(Key(ConfigRecords.SessionKeyKey), ConfigRecords.SessionKey(key), token).ConfigureAwait(false);
            await log.ReadToEndAsync(token).ConfigureAwait(false);
        }, ct);
    }

    public Task PutRestartRequestAsync(RestartRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return WriteAsync($"Error writing {request} to Kafka", async (log, token) =>
        {
            await log.SendAsync(Key(ConfigRecords.RestartKey(request.Connector)), ConfigRecords.Restart(request), token).ConfigureAwait(false);
            await log.ReadToEndAsync(token).ConfigureAwait(false);
        }, ct);
    }

    public Task PutLoggerLevelAsync(string loggerNamespace, string level, CancellationToken ct = default) =>
        WriteAsync("Error writing logger level to Kafka", async (log, token) =>
        {
            await log.SendAsync(Key(ConfigRecords.LoggerClusterKey(loggerNamespace)), ConfigRecords.LoggerLevel(level), token).ConfigureAwait(false);
            await log.ReadToEndAsync(token).ConfigureAwait(false);
        }, ct);

    public Task<bool> RefreshAsync(TimeSpan timeout, CancellationToken ct = default) =>
        (Log()).TryReadToEndAsync(timeout, ct);

    private async Task WriteAsync(string failure, Func<KafkaBasedLog, CancellationToken, Task> write, CancellationToken ct)
    {
        var log = Log();
        using var deadline = new CancellationTokenSource(s_readWriteTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        try
        {
            await write(log, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            _log.LogError("{Failure}: timed out after {Timeout}", failure, s_readWriteTimeout);
            throw new ConnectException(failure, new TimeoutException($"Timed out after {s_readWriteTimeout.TotalSeconds:0} s", ex));
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not ConnectException)
        {
            _log.LogError(ex, "{Failure}", failure);
            throw new ConnectException(failure, ex);
        }
    }

    private KafkaBasedLog Log() => _configLog ?? throw new InvalidOperationException("The config store is not started.");

    private static byte[] Key(string key) => Encoding.UTF8.GetBytes(key);

    private static Dictionary<string, string> WithClientId(IReadOnlyDictionary<string, string> config, string clientId) =>
        new(config, StringComparer.Ordinal) { ["client.id"] = clientId };

    /// <summary>Applies one record read from the topic (on the log's reader).</summary>
    private void Apply(LogRecord record)
    {
        try
        {
            ApplyRecord(record);
        }
        finally
        {
            // Only after the record's effect is in the state: a snapshot must never claim an offset whose record it
            // lacks (a herder that saw that offset would never look at the record again).
            _state.Advance(record.Offset + 1);
        }
    }

    private void ApplyRecord(LogRecord record)
    {
        if (record.Key is null)
        {
            _log.LogError("Discarding config update record without a key at offset {Offset}", record.Offset);
            return;
        }
        var key = Encoding.UTF8.GetString(record.Key);
        JsonDocument? doc = null;
        try
        {
            if (record.Value is not null)
            {
                doc = JsonDocument.Parse(record.Value);
            }
        }
        catch (JsonException ex)
        {
            _log.LogError(ex, "Failed to convert config data to Kafka Connect format (key {Key})", key);
            return;
        }
        using (doc)
        {
            Apply(key, doc?.RootElement);
        }
    }

    private void Apply(string key, JsonElement? value)
    {
        if (key.StartsWith(ConfigRecords.TargetStatePrefix, StringComparison.Ordinal))
        {
            ApplyTargetState(key[ConfigRecords.TargetStatePrefix.Length..], value);
        }
        else if (key.StartsWith(ConfigRecords.ConnectorPrefix, StringComparison.Ordinal))
        {
            var connector = key[ConfigRecords.ConnectorPrefix.Length..];
            if (value is null)
            {
                _state.ConnectorConfig(connector, null);
            }
            else if (Properties(value.Value) is { } properties)
            {
                _state.ConnectorConfig(connector, properties);
            }
            else
            {
                _log.LogError("Ignoring configuration for connector '{Connector}' because it is in the wrong format", connector);
            }
        }
        else if (key.StartsWith(ConfigRecords.TaskPrefix, StringComparison.Ordinal))
        {
            if (ConfigRecords.ParseTaskKey(key, ConfigRecords.TaskPrefix) is not { } id)
            {
                _log.LogError("Ignoring task configuration because {Key} couldn't be parsed as a task config key", key);
            }
            else if (value is null || Properties(value.Value) is not { } properties)
            {
                _log.LogError("Ignoring task configuration for task {Task} because it is null or in the wrong format", id);
            }
            else
            {
                _state.TaskConfig(id, properties);
            }
        }
        else if (key.StartsWith(ConfigRecords.CommitPrefix, StringComparison.Ordinal))
        {
            var connector = key[ConfigRecords.CommitPrefix.Length..];
            if (value is { } v && ConfigRecords.ReadInt(v, "tasks") is { } count)
            {
                _state.Commit(connector, count);
            }
            else
            {
                _log.LogError("Ignoring connector tasks configuration commit for connector '{Connector}' because it is in the wrong format", connector);
            }
        }
        else if (key.StartsWith(ConfigRecords.RestartPrefix, StringComparison.Ordinal))
        {
            ApplyRestart(key[ConfigRecords.RestartPrefix.Length..], value);
        }
        else if (key.StartsWith(ConfigRecords.LoggerClusterPrefix, StringComparison.Ordinal))
        {
            var loggerNamespace = key[ConfigRecords.LoggerClusterPrefix.Length..];
            if (value is { ValueKind: JsonValueKind.Object } v && v.TryGetProperty("level", out var level) && level.ValueKind == JsonValueKind.String)
            {
                // Listeners hear only levels written after start-up (as in Apache: old levels are not re-applied).
                _state.LoggerLevel(loggerNamespace, level.GetString()!);
            }
            else
            {
                _log.LogError("Ignoring logging level for namespace {Namespace} because it is null or in the wrong format", loggerNamespace);
            }
        }
        else if (key.StartsWith(ConfigRecords.TaskCountPrefix, StringComparison.Ordinal))
        {
            // Exactly-once fencing counts: a feature this worker does not have yet.
            _log.LogDebug("Skipping config record {Key}, which this worker does not use", key);
        }
        else if (key == ConfigRecords.SessionKeyKey)
        {
            ApplySessionKey(value);
        }
        else
        {
            _log.LogError("Discarding config update record with invalid key: {Key}", key);
        }
    }

    private static Dictionary<string, string>? Properties(JsonElement value) =>
        value.ValueKind == JsonValueKind.Object && value.TryGetProperty("properties", out var p) ? ConfigRecords.ReadStringMap(p) : null;

    private void ApplyTargetState(string connector, JsonElement? value)
    {
        if (value is not { } v)
        {
            _state.TargetState(connector, null);
            return;
        }
        if (v.ValueKind != JsonValueKind.Object)
        {
            _log.LogError("Ignoring target state for connector '{Connector}' because it is in the wrong format", connector);
            return;
        }
        // state.v2 (3.5+) carries STOPPED; older workers only wrote state.
        string? name = null;
        if (v.TryGetProperty("state.v2", out var v2) && v2.ValueKind == JsonValueKind.String)
        {
            name = v2.GetString();
        }
        else if (v.TryGetProperty("state", out var v1) && v1.ValueKind == JsonValueKind.String)
        {
            name = v1.GetString();
        }
        if (ConfigRecords.ParseTargetState(name) is { } state)
        {
            _state.TargetState(connector, state);
        }
        else
        {
            _log.LogError("Invalid target state for connector '{Connector}': {State}", connector, name);
        }
    }

    private void ApplyRestart(string connector, JsonElement? value)
    {
        if (value is not { ValueKind: JsonValueKind.Object } v)
        {
            _log.LogError("Ignoring restart request for connector '{Connector}' because the value is not a map", connector);
            return;
        }
        static bool Flag(JsonElement v, string name) =>
            v.TryGetProperty(name, out var f) && f.ValueKind is JsonValueKind.True;
        _state.RestartRequest(new RestartRequest(connector, OnlyFailed: Flag(v, "only-failed"), IncludeTasks: Flag(v, "include-tasks")));
    }

    private void ApplySessionKey(JsonElement? value)
    {
        if (value is not { ValueKind: JsonValueKind.Object } v
            || !v.TryGetProperty("key", out var key) || key.ValueKind != JsonValueKind.String
            || !v.TryGetProperty("algorithm", out var algorithm) || algorithm.ValueKind != JsonValueKind.String
            || !v.TryGetProperty("creation-timestamp", out var created) || created.ValueKind != JsonValueKind.Number
            || !created.TryGetInt64(out var timestamp))
        {
            _log.LogError("Ignoring session key because it is null or in the wrong format");
            return;
        }
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(key.GetString()!);
        }
        catch (FormatException ex)
        {
            _log.LogError(ex, "Ignoring session key because its key is not base64");
            return;
        }
        _state.SessionKey(new SessionKey(bytes, algorithm.GetString()!, timestamp));
    }
}
