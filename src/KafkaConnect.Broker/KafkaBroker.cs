using System.Globalization;
using KafkaConnect.Broker.Configuration;
using KafkaConnect.Broker.Groups;
using KafkaConnect.Broker.Handlers;
using KafkaConnect.Broker.Topics;
using KafkaConnect.Network;
using KafkaConnect.Protocol;
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
    private int _disposed;

    private KafkaBroker(BrokerState state, KafkaServer server, FileStream dirLock, ILogger logger)
    {
        _state = state;
        _server = server;
        _dirLock = dirLock;
        _logger = logger;
    }

    public BrokerConfig Config => _state.Config;
    public string ClusterId => _state.ClusterId;
    public System.Net.IPEndPoint EndPoint => _server.LocalEndPoint;
    public string BootstrapServers => $"{_server.LocalEndPoint.Address}:{_server.LocalEndPoint.Port}";

    public static async Task<KafkaBroker> StartAsync(BrokerConfig config, ILoggerFactory? loggers = null, TimeProvider? time = null)
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
            var server = new KafkaServer(config.ListenEndPoint(), dispatcher, new FrameLimits
            {
                MaxFrameBytes = config.SocketRequestMaxBytes,
                MaxConnections = config.MaxConnections,
                MaxConnectionsPerIp = config.MaxConnectionsPerIp,
                QueuedMaxRequestBytes = config.QueuedMaxRequestBytes,
                ConnectionsMaxIdleMs = config.ConnectionsMaxIdleMs,
            }, logger);
            config.BoundTo(server.LocalEndPoint.Port);
            var broker = new KafkaBroker(state, server, dirLock, logger);
            server.Start();
            broker.StartBackground();
            logger.LogInformation("broker {NodeId} of cluster {ClusterId} listening on {Endpoint}, data in {Dir}",
                config.NodeId, clusterId, server.LocalEndPoint, config.DataDirectory);
            await Task.CompletedTask.ConfigureAwait(false);
            return broker;
        }
        catch
        {
            // A failed start (a port in use, say) must not keep the data directory's files open.
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
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, $"#KafkaConnect.NET broker\nversion=1\ncluster.id={clusterId}\nnode.id={config.NodeId}\n");
        File.Move(tmp, path, overwrite: true);
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
