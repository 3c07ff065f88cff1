using System.Collections.Concurrent;
using KafkaConnect.Client.Admin;
using KafkaConnect.Client.Consumer;
using KafkaConnect.Client.Producer;
using KafkaConnect.Connect.ConfigProviders;
using KafkaConnect.Connect.Connectors;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Runtime.Config;
using KafkaConnect.Connect.Runtime.Errors;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Metrics;
using KafkaConnect.Connect.Runtime.Plugins;
using KafkaConnect.Connect.Runtime.Storage;
using KafkaConnect.Connect.Sinks;
using KafkaConnect.Connect.Sources;
using KafkaConnect.Connect.Storage;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.Runtime.Worker;

/// <summary>
/// Runs connectors and tasks on this process (Apache's Worker): creates plugin instances, converters and Kafka
/// clients for them, and tracks them by name. Failures of plugins are recorded as FAILED states and never
/// propagate to the caller, except configuration errors detected before anything started.
/// Connector and task configurations arrive as stored (with <c>${provider:path:key}</c> references) and are
/// resolved here, with the worker's config providers, just before a connector or task starts: only plugin
/// instances ever see resolved values.
/// </summary>
public sealed class Worker : IAsyncDisposable
{
    public const string TaskClassConfig = "task.class";

    private readonly ConcurrentDictionary<string, WorkerConnector> _connectors = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ConnectorTaskId, WorkerTask> _tasks = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _activeTopics = new(StringComparer.Ordinal);
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly Lock _adminLock = new();
    private readonly ConcurrentDictionary<ConnectorTaskId, int> _restartAttempts = new();
    private readonly CancellationTokenSource _disposing = new();
    private KafkaAdminClient? _admin;

    /// <param name="providers">Config providers for connector configurations; by default built from the worker's
    /// <c>config.providers</c> settings (a bad provider setup throws <see cref="ConfigException"/>).</param>
    public Worker(WorkerConfig config, PluginRegistry plugins, IOffsetBackingStore offsets, StatusStore status, ILoggerFactory loggers, TimeProvider? time = null,
        WorkerConfigProviders? providers = null)
    {
        ConfigProviders = providers ?? WorkerConfigProviders.Create(config.Originals(), log: loggers.CreateLogger("KafkaConnect.Connect.ConfigProviders"));
        Config = config;
        Plugins = plugins;
        Offsets = offsets;
        Status = status;
        _loggers = loggers;
        _log = loggers.CreateLogger("KafkaConnect.Connect.Runtime.Worker");
        _time = time ?? TimeProvider.System;
        Metrics = config.GetBoolean(ConnectMetrics.EnableConfig) ? new ConnectMetrics(status, _time,
                TimeSpan.FromMilliseconds(config.GetLong("metrics.sample.window.ms")), config.GetInt("metrics.num.samples"))
            : null;
    }

    /// <summary>Apache's worker, connector and task metrics; null when kconnect.metrics.enable=false.</summary>
    public ConnectMetrics? Metrics { get; }

    public WorkerConfig Config { get; }

    public WorkerConfigProviders ConfigProviders { get; }

    /// <summary>
    /// The configuration with provider references resolved. The result holds secrets: hand it to plugins only,
    /// never to logs, statuses or the REST API.
    /// </summary>
    public IReadOnlyDictionary<string, string> Resolve(IReadOnlyDictionary<string, string> config)
    {
        foreach (var value in config.Values)
        {
            if (WorkerConfigProviders.IsReference(value))
            {
                return ConfigProviders.Transform(config);
            }
        }
        return config;
    }

    /// <summary>
    /// Task configs keep the stored reference wherever the connector passed a resolved value through unchanged
    /// (Apache's reverse transformation), so /tasks never shows secrets; tasks are resolved again when they start.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ReverseTransform(IReadOnlyDictionary<string, string> rawConnectorConfig, IReadOnlyDictionary<string, string> taskConfig)
    {
        Dictionary<string, string>? copy = null;
        foreach (var (key, raw) in rawConnectorConfig)
        {
            if (WorkerConfigProviders.IsReference(raw) && taskConfig.ContainsKey(key) && taskConfig[key] != raw)
            {
                copy ??= new Dictionary<string, string>(taskConfig, StringComparer.Ordinal);
                copy[key] = raw;
            }
        }
        return copy ?? taskConfig;
    }

    public PluginRegistry Plugins { get; }

    public IOffsetBackingStore Offsets { get; }

    public StatusStore Status { get; }

    /// <summary>Admin client for topic creation and sink offsets; created on first use.</summary>
    public KafkaAdminClient Admin
    {
        get
        {
            lock (_adminLock)
            {
                return _admin ??= new KafkaAdminClient(Config.ClientConfig("admin."));
            }
        }
    }

    public IReadOnlyCollection<string> ConnectorNames => [.. _connectors.Keys];

    public IReadOnlyCollection<ConnectorTaskId> TaskIds => [.. _tasks.Keys];

    public bool IsRunning(string connector) => _connectors.ContainsKey(connector);

    /// <summary>Creates and starts the connector; false when it failed (its status says why).</summary>
    public bool StartConnector(string name, IReadOnlyDictionary<string, string> config, TargetState target, Action requestReconfiguration)
    {
        if (_connectors.ContainsKey(name))
        {
            throw new ConnectException($"Connector {name} already running");
        }
        Metrics?.RecordConnectorStartupAttempt();
        Connector instance;
        try
        {
            config = Resolve(config);
            instance = Plugins.NewInstance<Connector>(ConnectorConfig.ConnectorClass, config[ConnectorConfig.ConnectorClass]);
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "Failed to start connector {Connector}", name);
            Status.PutConnector(name, ConnectorState.Failed, ex.ToString());
            Metrics?.RecordConnectorStartupFailure();
            return false;
        }
        var offsetReader = new OffsetStorageReader(Offsets, name);
        var wc = new WorkerConnector(name, instance, config, Status, offsetReader, requestReconfiguration, _loggers.CreateLogger("KafkaConnect.Connect.Runtime.WorkerConnector"));
        _connectors[name] = wc;
        Metrics?.AddConnector(name, Plugins.ClassNameOf(instance.GetType()),
            PluginRegistry.ConnectorTypeOf(instance.GetType()).ToString().ToLowerInvariant(), VersionOf(instance, name));
        if (!wc.Transition(target))
        {
            Metrics?.RecordConnectorStartupFailure();
            return false;
        }
        return true;
    }

    // A connector whose Version() throws still runs; its version metric says unknown.
    private string VersionOf(Connector connector, string name)
    {
        try
        {
            return connector.Version() ?? "unknown";
        }
        catch (Exception ex)
        {
            _log.LogWarning(ex, "Connector {Connector}: Version() failed", name);
            return "unknown";
        }
    }

    public ConnectorType ConnectorTypeOf(string connector) =>
        _connectors.TryGetValue(connector, out var wc) ? PluginRegistry.ConnectorTypeOf(wc.Instance.GetType()) : ConnectorType.Unknown;

    /// <summary>Asks the running connector for task configs (each gets task.class added, as Apache does).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> ConnectorTaskConfigs(string connector, IReadOnlyDictionary<string, string> config)
    {
        if (!_connectors.TryGetValue(connector, out var wc))
        {
            return [];
        }
        var maxTasks = int.TryParse(config.GetValueOrDefault(ConnectorConfig.TasksMax, "1"), out var m) ? m : 1;
        IReadOnlyList<IReadOnlyDictionary<string, string>> configs;
        using (_log.BeginScope(new ConnectLogContext(connector, null)))
        {
            configs = wc.Instance.TaskConfigs(maxTasks);
        }
        var enforce = !config.TryGetValue(ConnectorConfig.TasksMaxEnforce, out var e) || !e.Equals("false", StringComparison.OrdinalIgnoreCase);
        if (configs.Count > maxTasks && enforce)
        {
            throw new ConnectException($"The connector {connector} has generated {configs.Count} tasks, which is greater than {maxTasks}, the maximum number of tasks it is configured to create. ");
        }
        var taskClass = wc.Instance.TaskClass;
        var result = new List<IReadOnlyDictionary<string, string>>(configs.Count);
        foreach (var c in configs)
        {
            var copy = new Dictionary<string, string>(c, StringComparer.Ordinal) { [TaskClassConfig] = taskClass.FullName! };
            result.Add(ReverseTransform(config, copy));
        }
        return result;
    }

    public void SetTargetState(string connector, TargetState target)
    {
        if (_connectors.TryGetValue(connector, out var wc))
        {
            wc.Transition(target);
        }
        foreach (var (id, task) in _tasks)
        {
            if (id.Connector == connector && target != TargetState.Stopped)
            {
                task.Transition(target);
            }
        }
    }

    public async System.Threading.Tasks.Task StopConnectorAsync(string connector)
    {
        if (_connectors.TryRemove(connector, out var wc))
        {
            Metrics?.RemoveConnector(connector);
            await System.Threading.Tasks.Task.Run(wc.Shutdown).ConfigureAwait(false);
        }
    }

    /// <summary>Creates and starts one task; false when it could not be created (its status is FAILED).</summary>
    public bool StartTask(ConnectorTaskId id, IReadOnlyDictionary<string, string> connectorConfig, IReadOnlyDictionary<string, string> taskConfig, TargetState target)
    {
        if (_tasks.ContainsKey(id))
        {
            throw new ConnectException($"Task already exists in this worker: {id}");
        }
        var log = _loggers.CreateLogger(typeof(Worker).Namespace + ".Task");
        var rawConnectorConfig = connectorConfig;
        var rawTaskConfig = taskConfig;
        var cleanup = new List<IAsyncDisposable>();
        IDisposable? chainToClose = null;
        Metrics?.RecordTaskStartupAttempt();
        try
        {
            connectorConfig = Resolve(connectorConfig);
            taskConfig = Resolve(taskConfig);
            var connectorType = Plugins.Resolve<Connector>(ConnectorConfig.ConnectorClass, connectorConfig[ConnectorConfig.ConnectorClass]);
            var connectorInstance = PluginRegistry.Instantiate<Connector>(connectorType);
            var taskType = connectorInstance.TaskClass;
            var keyConverter = NewConverter(connectorConfig, ConnectorConfig.KeyConverter, isKey: true);
            var valueConverter = NewConverter(connectorConfig, ConnectorConfig.ValueConverter, isKey: false);
            var headerConverter = NewHeaderConverter(connectorConfig);
            var tolerance = connectorConfig.TryGetValue(ConnectorConfig.ErrorsTolerance, out var t) && t.Trim().Equals("all", StringComparison.OrdinalIgnoreCase);
            var topicsUsed = (Action<IReadOnlyCollection<string>>)(topics => RecordActiveTopics(id, topics));
            WorkerTask task;
            if (typeof(SourceTask).IsAssignableFrom(taskType))
            {
                var sourceTask = PluginRegistry.Instantiate<SourceTask>(taskType);
                var chain = TransformationChain<SourceRecord>.Create(Plugins, connectorConfig);
                chainToClose = chain;
                var errors = NewErrorHandler(id, connectorConfig, log, record => (
                    keyConverter.FromConnectData(record.Topic, record.Headers, record.KeySchema, record.Key),
                    valueConverter.FromConnectData(record.Topic, record.Headers, record.ValueSchema, record.Value)));
                cleanup.Add(errors);
                var producer = new KafkaProducer(ProducerConfig(id, connectorConfig), _loggers.CreateLogger<KafkaProducer>());
                cleanup.Add(producer);
                var creator = TopicCreator.Create(Config.TopicCreationEnabled, connectorConfig, Admin, log);
                task = new WorkerSourceTask(id, sourceTask,
                    new SourceTaskSettings(taskConfig, Config.OffsetFlushInterval, Config.OffsetFlushTimeout, tolerance),
                    keyConverter, valueConverter, headerConverter, producer, creator, Offsets, Status, target, log, _time, topicsUsed, chain, errors,
                    Metrics?.AddTask(id, isSource: true));
            }
            else if (typeof(SinkTask).IsAssignableFrom(taskType))
            {
                var sinkTask = PluginRegistry.Instantiate<SinkTask>(taskType);
                var chain = TransformationChain<SinkRecord>.Create(Plugins, connectorConfig);
                chainToClose = chain;
                var errors = NewErrorHandler(id, connectorConfig, log, null);
                cleanup.Add(errors);
                var consumerConfig = ConsumerConfig(id, connectorConfig);
                var topics = ConnectorConfig.SinkTopics(connectorConfig);
                var regex = connectorConfig.GetValueOrDefault(ConnectorConfig.TopicsRegex);
                task = new WorkerSinkTask(id, sinkTask,
                    new SinkTaskSettings(taskConfig, topics, regex, Config.OffsetFlushInterval, Config.OffsetFlushTimeout, tolerance),
                    keyConverter, valueConverter, headerConverter, listener => new KafkaConsumer(consumerConfig, listener), Status, target, log, _time, topicsUsed,
                    chain, errors, Metrics?.AddTask(id, isSource: false));
            }
            else
            {
                throw new ConnectException($"Task class {taskType.FullName} is neither a SourceTask nor a SinkTask");
            }
            _tasks[id] = task;
            var restart = RestartPolicy.From(connectorConfig);
            task.Failed += error => OnTaskFailed(id, task, restart, rawConnectorConfig, rawTaskConfig);
            Status.PutTask(id, ConnectorState.Unassigned);
            task.Start();
            return true;
        }
        catch (Exception ex)
        {
            chainToClose?.Dispose();
            foreach (var resource in cleanup)
            {
                _ = resource.DisposeAsync();
            }
            _log.LogError(ex, "Failed to start task {Task}", id);
            Metrics?.RecordTaskStartupFailure(id);
            Status.PutTask(id, ConnectorState.Failed, ex.ToString());
            return false;
        }
    }

    /// <summary>kconnect.task.restart.*: whether and how fast FAILED tasks come back on their own.</summary>
    private sealed record RestartPolicy(bool Enabled, long InitialMs, long MaxMs)
    {
        public static RestartPolicy From(IReadOnlyDictionary<string, string> config)
        {
            static long Long(IReadOnlyDictionary<string, string> c, string key, long fallback) =>
                c.TryGetValue(key, out var v) && long.TryParse(v.Trim(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var l) ? l : fallback;
            var enabled = config.TryGetValue(ConnectorConfig.TaskRestartEnable, out var e) && e.Trim().Equals("true", StringComparison.OrdinalIgnoreCase);
            return new RestartPolicy(enabled, Math.Max(0, Long(config, ConnectorConfig.TaskRestartBackoffInitialMs, 1000)), Math.Max(0, Long(config, ConnectorConfig.TaskRestartBackoffMaxMs, 60000)));
        }

        /// <summary>initial × 2^(attempt-1), capped at max.</summary>
        public TimeSpan Delay(int attempt)
        {
            var ms = attempt >= 40 ? MaxMs : Math.Min(MaxMs, InitialMs * (1L << Math.Min(attempt - 1, 30)));
            return TimeSpan.FromMilliseconds(Math.Max(0, ms));
        }
    }

    private void OnTaskFailed(ConnectorTaskId id, WorkerTask task, RestartPolicy policy, IReadOnlyDictionary<string, string> rawConnectorConfig,
        IReadOnlyDictionary<string, string> rawTaskConfig)
    {
        if (!policy.Enabled || _disposing.IsCancellationRequested)
        {
            return;
        }
        // A task that ran healthily for longer than the longest delay starts a fresh backoff sequence.
        if (_time.GetUtcNow() - task.StartedAt > TimeSpan.FromMilliseconds(Math.Max(policy.MaxMs, 1)))
        {
            _restartAttempts.TryRemove(id, out _);
        }
        var attempt = _restartAttempts.AddOrUpdate(id, 1, (_, a) => a + 1);
        var delay = policy.Delay(attempt);
        _log.LogWarning("Task {Task} failed; restarting it automatically in {Delay} ms (attempt {Attempt}, {Key}=true)", id, (long)delay.TotalMilliseconds, attempt,
            ConnectorConfig.TaskRestartEnable);
        _ = System.Threading.Tasks.Task.Run(async () =>
        {
            try
            {
                await System.Threading.Tasks.Task.Delay(delay, _time, _disposing.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            // Only the same failed instance is replaced: a task the herder stopped or restarted meanwhile is left alone.
            if (!_tasks.TryRemove(new KeyValuePair<ConnectorTaskId, WorkerTask>(id, task)))
            {
                return;
            }
            Status.PutTask(id, ConnectorState.Restarting);
            StartTask(id, rawConnectorConfig, rawTaskConfig, task.CurrentTarget);
        });
    }

    /// <summary>Forgets the automatic restart history of a connector's tasks (after a manual restart or reconfiguration).</summary>
    public void ResetRestartAttempts(string connector)
    {
        foreach (var id in _restartAttempts.Keys)
        {
            if (id.Connector == connector)
            {
                _restartAttempts.TryRemove(id, out _);
            }
        }
    }

    /// <summary>The error handler of one task: log reporter always, DLQ reporter when a topic is configured.</summary>
    private RetryWithToleranceOperator NewErrorHandler(ConnectorTaskId id, IReadOnlyDictionary<string, string> connectorConfig, ILogger log,
        Func<SourceRecord, (byte[]? Key, byte[]? Value)>? serializeSource)
    {
        var settings = ErrorHandlingSettings.From(connectorConfig);
        var reporters = new List<IErrorReporter> { new LogReporter(settings, log) };
        if (settings.HasDlq)
        {
            EnsureDlqTopic(settings);
            var props = ProducerConfig(id, connectorConfig);
            props["client.id"] = "connector-dlq-producer-" + id;
            props["delivery.timeout.ms"] = "120000";
            reporters.Add(new DeadLetterQueueReporter(settings, new KafkaProducer(props, _loggers.CreateLogger<KafkaProducer>()), log, serializeSource));
        }
        return new RetryWithToleranceOperator(settings, reporters, _time, Plugins.ClassNameOf);
    }

    /// <summary>
    /// Creates the DLQ topic (one partition) if missing. A replication factor above the number of brokers could
    /// never be satisfied, so it is lowered to that number with a warning.
    /// </summary>
    private void EnsureDlqTopic(ErrorHandlingSettings settings)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var replication = settings.DlqReplicationFactor;
        try
        {
            var cluster = Admin.DescribeClusterAsync(cts.Token).GetAwaiter().GetResult();
            if (replication > 0 && cluster.Nodes.Count > 0 && replication > cluster.Nodes.Count)
            {
                _log.LogWarning("{Key}={Replication} is more than the {Brokers} broker(s) of the cluster; the dead letter queue topic {Topic} is created with replication factor {Brokers}",
                    ConnectorConfig.DlqReplicationFactor, replication, cluster.Nodes.Count, settings.DlqTopic, cluster.Nodes.Count);
                replication = (short)cluster.Nodes.Count;
            }
            Admin.CreateTopicsAsync([new NewTopic(settings.DlqTopic, 1, replication)], cancellationToken: cts.Token).GetAwaiter().GetResult();
            _log.LogInformation("Created dead letter queue topic {Topic} (replication factor {Replication})", settings.DlqTopic, replication);
        }
        catch (KafkaConnect.Client.KafkaException ex) when (ex.Error == KafkaConnect.Protocol.ErrorCode.TopicAlreadyExists)
        {
        }
    }

    /// <summary>Stops the tasks and waits for them, in total up to task.shutdown.graceful.timeout.ms.</summary>
    public async System.Threading.Tasks.Task StopTasksAsync(IEnumerable<ConnectorTaskId> ids)
    {
        var stopping = new List<WorkerTask>();
        foreach (var id in ids)
        {
            if (_tasks.TryRemove(id, out var task))
            {
                Metrics?.RemoveTask(id);
                task.Stop();
                stopping.Add(task);
            }
        }
        if (stopping.Count == 0)
        {
            return;
        }
        var deadline = _time.GetUtcNow() + Config.TaskShutdownTimeout;
        foreach (var task in stopping)
        {
            var left = deadline - _time.GetUtcNow();
            await task.AwaitStopAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero).ConfigureAwait(false);
        }
    }

    public IReadOnlyList<ConnectorTaskId> TasksOf(string connector) =>
        _tasks.Keys.Where(id => id.Connector == connector).OrderBy(id => id.Task).ToList();

    public WorkerTask? GetTask(ConnectorTaskId id) => _tasks.TryGetValue(id, out var t) ? t : null;

    public IReadOnlyList<string> ActiveTopics(string connector) =>
        _activeTopics.TryGetValue(connector, out var topics) ? topics.Keys.Order(StringComparer.Ordinal).ToList() : [];

    public void ResetActiveTopics(string connector) => _activeTopics.TryRemove(connector, out _);

    /// <summary>Called once per connector and topic when a task first uses the topic (the distributed herder records it in the status topic).</summary>
    public Action<ConnectorTaskId, string>? ActiveTopicAdded { get; set; }

    private void RecordActiveTopics(ConnectorTaskId id, IReadOnlyCollection<string> topics)
    {
        var set = _activeTopics.GetOrAdd(id.Connector, _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal));
        foreach (var topic in topics)
        {
            if (set.TryAdd(topic, 0))
            {
                ActiveTopicAdded?.Invoke(id, topic);
            }
        }
    }

    public IConverter NewConverter(IReadOnlyDictionary<string, string> connectorConfig, string key, bool isKey)
    {
        // A connector-level class uses the connector's prefixed settings; otherwise the worker's (Apache's rule).
        var (className, settings) = connectorConfig.TryGetValue(key, out var c) && c.Trim().Length > 0
            ? (c, Prefixed(connectorConfig, key + "."))
            : (Config.GetString(key)!, Prefixed(Config.Originals(), key + "."));
        var converter = Plugins.NewInstance<IConverter>(key, className);
        settings["converter.type"] = isKey ? "key" : "value";
        converter.Configure(settings, isKey);
        return converter;
    }

    public IHeaderConverter NewHeaderConverter(IReadOnlyDictionary<string, string> connectorConfig)
    {
        const string key = ConnectorConfig.HeaderConverter;
        var (className, settings) = connectorConfig.TryGetValue(key, out var c) && c.Trim().Length > 0
            ? (c, Prefixed(connectorConfig, key + "."))
            : (Config.GetString(key)!, Prefixed(Config.Originals(), key + "."));
        var converter = Plugins.NewInstance<IHeaderConverter>(key, className);
        settings["converter.type"] = "header";
        converter.Configure(settings);
        return converter;
    }

    private Dictionary<string, string> ProducerConfig(ConnectorTaskId id, IReadOnlyDictionary<string, string> connectorConfig)
    {
        // Apache's defaults for source task producers: no reordering, and retry for as long as it takes.
        var props = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["bootstrap.servers"] = Config.BootstrapServersValue,
            ["acks"] = "all",
            // Deliberate difference (Apache keeps the producer's 32 MiB): every buffered record also pins its SourceRecord
            // and callback until acknowledged, so 32 MiB of 100-byte records is ~250 MB of heap; 4 MiB (256 default
            // batches) still keeps 5 requests in flight full, and measured faster (less GC).
            ["buffer.memory"] = "4194304",
            // Deliberate difference (Kafka's producer default is 16 KiB): acks=all waits for the broker's fsync (ours) or
            // replication, so each request costs a round of that; bigger batches carry more records per round. 512 KiB
            // stays under the broker's default message.max.bytes (1 MiB). The file pipeline benchmark: 2.1x faster.
            ["batch.size"] = "524288",
            ["delivery.timeout.ms"] = int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Sends wait out a broker outage (metadata or buffer space) instead of failing the task after 60 s.
            ["max.block.ms"] = long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["client.id"] = "connector-producer-" + id,
        };
        foreach (var (k, v) in Config.OriginalsWithPrefix("producer."))
        {
            props[k] = v;
        }
        ApplyOverrides(props, connectorConfig, "producer.override.");
        if (!props.ContainsKey(MaxInFlight))
        {
            props[MaxInFlight] = DefaultMaxInFlight(props);
        }
        return props;
    }

    private const string MaxInFlight = "max.in.flight.requests.per.connection";

    /// <summary>
    /// Deliberate difference from Apache (which always defaults to 1): the idempotent producer keeps order with up to
    /// 5 requests in flight, so only a producer that ends up non-idempotent gets 1, the only order-safe value for it.
    /// </summary>
    internal static string DefaultMaxInFlight(IReadOnlyDictionary<string, string> props)
    {
        static bool Is(IReadOnlyDictionary<string, string> p, string key, params string[] values)
        {
            if (!p.TryGetValue(key, out var v))
            {
                return false;
            }
            foreach (var candidate in values)
            {
                if (string.Equals(v.Trim(), candidate, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
            return false;
        }
        var idempotent = !Is(props, "enable.idempotence", "false")
            && (!props.ContainsKey("acks") || Is(props, "acks", "all", "-1"))
            && !Is(props, "retries", "0");
        return idempotent ? "5" : "1";
    }

    private Dictionary<string, string> ConsumerConfig(ConnectorTaskId id, IReadOnlyDictionary<string, string> connectorConfig)
    {
        var props = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["bootstrap.servers"] = Config.BootstrapServersValue,
            ["group.id"] = "connect-" + id.Connector,
            ["enable.auto.commit"] = "false",
            ["auto.offset.reset"] = "earliest",
            ["client.id"] = "connector-consumer-" + id,
        };
        foreach (var (k, v) in Config.OriginalsWithPrefix("consumer."))
        {
            props[k] = v;
        }
        ApplyOverrides(props, connectorConfig, "consumer.override.");
        return props;
    }

    private void ApplyOverrides(Dictionary<string, string> props, IReadOnlyDictionary<string, string> connectorConfig, string prefix)
    {
        var policy = Config.GetString(WorkerConfig.ClientConfigOverridePolicy)!;
        foreach (var (k, v) in Prefixed(connectorConfig, prefix))
        {
            if (policy.Equals("None", StringComparison.OrdinalIgnoreCase))
            {
                throw new ConfigException(prefix + k, v, "The 'None' policy does not allow any client configuration overrides");
            }
            props[k] = v;
        }
    }

    private static Dictionary<string, string> Prefixed(IReadOnlyDictionary<string, string> config, string prefix)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in config)
        {
            if (k.StartsWith(prefix, StringComparison.Ordinal) && k.Length > prefix.Length)
            {
                result[k[prefix.Length..]] = v;
            }
        }
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        _disposing.Cancel();
        await StopTasksAsync(_tasks.Keys.ToList()).ConfigureAwait(false);
        foreach (var name in _connectors.Keys.ToList())
        {
            await StopConnectorAsync(name).ConfigureAwait(false);
        }
        KafkaAdminClient? admin;
        lock (_adminLock)
        {
            admin = _admin;
            _admin = null;
        }
        if (admin is not null)
        {
            await admin.DisposeAsync().ConfigureAwait(false);
        }
        ConfigProviders.Dispose();
        Metrics?.Dispose();
    }
}

/// <summary>One running connector instance and its lifecycle (Apache's WorkerConnector).</summary>
public sealed class WorkerConnector : ISourceConnectorContext
{
    private readonly IReadOnlyDictionary<string, string> _config;
    private readonly StatusStore _status;
    private readonly Action _requestReconfiguration;
    private readonly ILogger _log;
    private readonly Lock _lock = new();
    private bool _started;
    private bool _failed;
    private bool _initialized;

    public WorkerConnector(string name, Connector instance, IReadOnlyDictionary<string, string> config, StatusStore status,
        IOffsetStorageReader offsets, Action requestReconfiguration, ILogger log)
    {
        Name = name;
        Instance = instance;
        _config = config;
        _status = status;
        OffsetStorageReader = offsets;
        _requestReconfiguration = requestReconfiguration;
        _log = log;
    }

    public string Name { get; }

    public Connector Instance { get; }

    public IOffsetStorageReader OffsetStorageReader { get; }

    /// <summary>Moves to the target state; false if the connector failed.</summary>
    public bool Transition(TargetState target)
    {
        using var context = _log.BeginScope(new ConnectLogContext(Name, null));
        lock (_lock)
        {
            try
            {
                if (!_initialized)
                {
                    Instance.Initialize(this);
                    _initialized = true;
                }
                if (target == TargetState.Started)
                {
                    if (!_started)
                    {
                        Instance.Start(_config);
                        _started = true;
                    }
                    _failed = false;
                    _status.PutConnector(Name, ConnectorState.Running);
                }
                else
                {
                    StopInstance();
                    _status.PutConnector(Name, target == TargetState.Paused ? ConnectorState.Paused : ConnectorState.Stopped);
                }
                return true;
            }
            catch (Exception ex)
            {
                Fail(ex);
                return false;
            }
        }
    }

    public void Shutdown()
    {
        using var context = _log.BeginScope(new ConnectLogContext(Name, null));
        lock (_lock)
        {
            try
            {
                StopInstance();
            }
            catch (Exception ex)
            {
                _log.LogError(ex, "{Connector} failed to stop", Name);
            }
        }
    }

    public void RequestTaskReconfiguration() => _requestReconfiguration();

    public void RaiseError(Exception error) => Fail(error);

    private void StopInstance()
    {
        if (_started)
        {
            _started = false;
            Instance.Stop();
        }
    }

    private void Fail(Exception ex)
    {
        _failed = true;
        _log.LogError(ex, "{Connector} Error while starting connector", Name);
        _status.PutConnector(Name, ConnectorState.Failed, ex.ToString());
    }

    public bool Failed => _failed;
}
