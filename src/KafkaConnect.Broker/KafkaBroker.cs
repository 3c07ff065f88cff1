using System.Globalization;
using KafkaConnect.Broker.Configuration;
using KafkaConnect.Broker.Groups;
using KafkaConnect.Broker.Handlers;
using KafkaConnect.Broker.Metrics;
using KafkaConnect.Broker.Topics;
using KafkaConnect.Network;
using KafkaConnect.Protocol;
using KafkaConnect.Security;
using KafkaConnect.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaConnect.Broker;

/// <summary>
/// The single-node broker: run it from <c>kconnect broker</c> or embed it in-process. Start recovers every log
/// in the data directory, loads committed offsets, then listens; dispose stops listening, flushes and closes.
/// </summary>
public sealed class KafkaBroker : IAsyncDisposable
{
    private readonly BrokerState _state;
    private readonly KafkaServer _server;
    private readonly FileStream _dirLock;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _background = new();
    private readonly ILogger _logger;
    private readonly BrokerMetrics _metrics;
    private int _disposed;

    private KafkaBroker(BrokerState state, KafkaServer server, FileStream dirLock, ILogger logger, BrokerMetrics metrics)
    {
        _state = state;
        _server = server;
        _dirLock = dirLock;
        _logger = logger;
        _metrics = metrics;
    }

    /// <summary>This broker's instruments, on a meter named <see cref="BrokerMetrics.MeterName"/>.</summary>
    public BrokerMetrics Metrics => _metrics;

    public BrokerConfig Config => _state.Config;
    public string ClusterId => _state.ClusterId;
    public System.Net.IPEndPoint EndPoint => _server.LocalEndPoint;
    public string BootstrapServers => $"{_server.LocalEndPoint.Address}:{_server.LocalEndPoint.Port}";

    /// <summary>Each listener's bound address by listener name (port 0 resolved).</summary>
    public IReadOnlyDictionary<string, System.Net.IPEndPoint> ListenerEndPoints =>
        _state.Config.Listeners.Select((l, i) => (l.Name, _server.LocalEndPoints[i])).ToDictionary(x => x.Name, x => x.Item2);

    /// <summary>"NAME (PROTOCOL) host:port" per listener, for the start-up line.</summary>
    public string DescribeListeners() => string.Join(", ", _state.Config.Listeners.Select((l, i) =>
        $"{l.Name} ({BrokerListener.ProtocolName(l.Protocol)}{(l.UsesSasl ? " " + string.Join("/", l.SaslMechanisms) : "")}) {_server.LocalEndPoints[i]}"));

    /// <param name="initialScram">SCRAM credentials stored before the broker listens, so the first users can log in
    /// (as <c>kafka-storage format --add-scram</c>); an existing credential of the same user and mechanism is replaced.</param>
    public static async Task<KafkaBroker> StartAsync(BrokerConfig config, ILoggerFactory? loggers = null, TimeProvider? time = null,
        IReadOnlyList<(string User, ScramCredential Credential)>? initialScram = null)
    {
        loggers ??= NullLoggerFactory.Instance;
        time ??= TimeProvider.System;
        var logger = loggers.CreateLogger("KafkaConnect.Broker");
        Directory.CreateDirectory(config.DataDirectory);
        FileStream dirLock;
        try
        {
            dirLock = new FileStream(Path.Combine(config.DataDirectory, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException($"Data directory {config.DataDirectory} is in use by another broker ({ex.Message}).", ex);
        }
        TopicManager? topics = null;
        GroupCoordinator? groups = null;
        LogFlusher? flusher = null;
        BrokerMetrics? metrics = null;
        try
        {
            var clusterId = LoadOrCreateMeta(config);
            var defaults = LogConfig.FromProperties(DefaultTopicSettings(config), LogConfig.Default);
            topics = new TopicManager(config.DataDirectory, defaults, config.NumPartitions, time, logger);
            topics.Load();
            groups = GroupCoordinator.Open(new GroupCoordinatorOptions
            {
                DataDirectory = config.DataDirectory,
                InitialRebalanceDelayMs = config.InitialRebalanceDelayMs,
                MinSessionTimeoutMs = config.MinSessionTimeoutMs,
                MaxSessionTimeoutMs = config.MaxSessionTimeoutMs,
            }, time);
            flusher = new LogFlusher();
            var state = new BrokerState(config, clusterId, topics, groups, flusher, new ProducerIdAllocator(config.DataDirectory), time, loggers);
            foreach (var t in topics.Topics)
                foreach (var p in t.Partitions)
                    ProduceHandler.RebuildProducerState(p);
            var dispatcher = new RequestDispatcher(state, HandlerRegistry.Create(), logger);
            if (initialScram is { Count: > 0 })
            {
                state.Scram.Apply([], initialScram.Select(u => (u.User, u.Credential)));
                logger.LogInformation("stored SCRAM credentials for {Users}", string.Join(", ", initialScram.Select(u => $"{u.User} ({u.Credential.Mechanism.Name()})")));
            }
            var listeners = config.Listeners.Select(l => new ListenerOptions { Name = l.Name, EndPoint = l.EndPoint(), Tls = l.Tls, Sasl = l.UsesSasl }).ToList();
            var server = new KafkaServer(listeners, dispatcher, new FrameLimits
            {
                MaxFrameBytes = config.SocketRequestMaxBytes,
                MaxConnections = config.MaxConnections,
                MaxConnectionsPerIp = config.MaxConnectionsPerIp,
                QueuedMaxRequestBytes = config.QueuedMaxRequestBytes,
                ConnectionsMaxIdleMs = config.ConnectionsMaxIdleMs,
                MaxSaslFrameBytes = config.SaslServerMaxReceiveSize,
            }, logger);
            for (var i = 0; i < listeners.Count; i++) config.BoundTo(listeners[i].Name, server.LocalEndPoints[i].Port);
            // Once the state exists: the instruments' callbacks read it.
            metrics = new BrokerMetrics(state, dispatcher.Requests, server.ConnectionCountOf);
            var broker = new KafkaBroker(state, server, dirLock, logger, metrics);
            server.Start();
            broker.StartBackground();
            logger.LogInformation("broker {NodeId} of cluster {ClusterId} listening on {Endpoint}, data in {Dir}",
                config.NodeId, clusterId, server.LocalEndPoint, config.DataDirectory);
            if (config.Listeners.Count > 1 || config.Listeners[0].Protocol != SecurityProtocol.Plaintext)
                logger.LogInformation("listeners: {Listeners}", broker.DescribeListeners());
            await Task.CompletedTask.ConfigureAwait(false);
            return broker;
        }
        catch
        {
            // A failed start (a port in use, say) must not keep the data directory's files open, nor leave a meter
            // whose callbacks read closed logs.
            metrics?.Dispose();
            if (flusher is not null) await flusher.DisposeAsync().ConfigureAwait(false);
            if (groups is not null) await groups.DisposeAsync().ConfigureAwait(false);
            topics?.Dispose();
            await dirLock.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The broker's log.* defaults expressed as topic-level settings.</summary>
    private static Dictionary<string, string> DefaultTopicSettings(BrokerConfig c)
    {
        var inv = CultureInfo.InvariantCulture;
        return new Dictionary<string, string>
        {
            ["segment.bytes"] = Math.Min(c.SegmentBytes, int.MaxValue).ToString(inv),
            ["segment.ms"] = c.SegmentMs.ToString(inv),
            ["retention.ms"] = c.RetentionMs.ToString(inv),
            ["retention.bytes"] = c.RetentionBytes.ToString(inv),
            ["cleanup.policy"] = c.CleanupPolicy,
            ["delete.retention.ms"] = c.DeleteRetentionMs.ToString(inv),
            ["max.message.bytes"] = c.MessageMaxBytes.ToString(inv),
        };
    }

    private static string LoadOrCreateMeta(BrokerConfig config)
    {
        var path = Path.Combine(config.DataDirectory, "meta.properties");
        if (File.Exists(path))
        {
            var props = JavaProperties.Load(path);
            if (props.TryGetValue("cluster.id", out var existing) && existing.Length > 0)
            {
                if (config.ClusterId is not null && config.ClusterId != existing)
                    throw new InvalidOperationException($"cluster.id {config.ClusterId} does not match {existing} stored in {path}.");
                return existing;
            }
        }
        var clusterId = config.ClusterId ?? Uuid.NewRandom().ToString();
        // Durably (file and directory synced): a power cut right after the first start must not leave a broker with
        // data but a new cluster id, which clients would see as a different cluster.
        Storage.DurableFile.ReplaceAtomically(path,
            System.Text.Encoding.UTF8.GetBytes($"#KafkaConnect.NET broker\nversion=1\ncluster.id={clusterId}\nnode.id={config.NodeId}\n"));
        return clusterId;
    }

    private void StartBackground()
    {
        var c = _state.Config;
        _background.Add(EveryAsync(TimeSpan.FromMilliseconds(c.FlushIntervalMs), "flush", p => p.Log.Flush()));
        _background.Add(EveryAsync(TimeSpan.FromMilliseconds(c.RetentionCheckIntervalMs), "retention", p =>
        {
            if (p.Topic.LogConfig.Delete) p.Log.EnforceRetention();
        }));
        _background.Add(EveryAsync(TimeSpan.FromMilliseconds(c.CleanerBackoffMs), "compaction", p =>
        {
            if (p.Topic.LogConfig.Compact) p.Log.Compact();
        }));
    }

    private async Task EveryAsync(TimeSpan period, string what, Action<Partition> action)
    {
        using var timer = new PeriodicTimer(period, _state.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                foreach (var t in _state.Topics.Topics)
                {
                    foreach (var p in t.Partitions)
                    {
                        try
                        {
                            action(p);
                        }
                        catch (ObjectDisposedException)
                        {
                            // The topic was deleted while we walked it.
                        }
                        catch (Exception ex)
                        {
                            _logger.LogError(ex, "{What} of {Topic}-{Partition} failed", what, t.Name, p.Index);
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        // First, so no collection reads the logs and offsets being closed below.
        _metrics.Dispose();
        await _server.DisposeAsync().ConfigureAwait(false);
        _stopping.Cancel();
        await Task.WhenAll(_background).ConfigureAwait(false);
        await _state.Flusher.DisposeAsync().ConfigureAwait(false);
        await _state.Groups.DisposeAsync().ConfigureAwait(false);
        foreach (var t in _state.Topics.Topics)
            foreach (var p in t.Partitions)
                p.Log.Flush();
        _state.Topics.Dispose();
        await _dirLock.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
        _logger.LogInformation("broker stopped");
    }
}
