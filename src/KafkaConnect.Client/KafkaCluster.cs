using System.Collections.Concurrent;
using KafkaConnect.Client.Config;
using KafkaConnect.Client.Metrics;
using KafkaConnect.Client.Security;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Client;

/// <summary>Connection settings shared by the producer, consumer and admin client.</summary>
public sealed record ClusterOptions
{
    public required IReadOnlyList<(string Host, int Port)> BootstrapServers { get; init; }
    public string ClientId { get; init; } = "";
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan RetryBackoffMax { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan ReconnectBackoff { get; init; } = TimeSpan.FromMilliseconds(50);
    public TimeSpan ReconnectBackoffMax { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MetadataMaxAge { get; init; } = TimeSpan.FromMinutes(5);
    public ClientSecurity Security { get; init; } = ClientSecurity.Plaintext;

    /// <summary>The common client keys from properties (unknown keys are an error).</summary>
    public static ClusterOptions FromProperties(IReadOnlyDictionary<string, string> properties) => From(new ConfigSpec(CommonClientConfig.Keys).Parse(properties));

    /// <summary>Reads the common client keys (bootstrap.servers, client.id, request.timeout.ms, ...).</summary>
    public static ClusterOptions From(ConfigValues c) => new()
    {
        BootstrapServers = CommonClientConfig.ParseBootstrap(c.GetList("bootstrap.servers")),
        ClientId = c.GetString("client.id"),
        RequestTimeout = TimeSpan.FromMilliseconds(c.GetInt("request.timeout.ms")),
        ConnectTimeout = TimeSpan.FromMilliseconds(c.GetLong("socket.connection.setup.timeout.ms")),
        RetryBackoff = TimeSpan.FromMilliseconds(c.GetLong("retry.backoff.ms")),
        RetryBackoffMax = TimeSpan.FromMilliseconds(c.GetLong("retry.backoff.max.ms")),
        ReconnectBackoff = TimeSpan.FromMilliseconds(c.GetLong("reconnect.backoff.ms")),
        ReconnectBackoffMax = TimeSpan.FromMilliseconds(c.GetLong("reconnect.backoff.max.ms")),
        MetadataMaxAge = TimeSpan.FromMilliseconds(c.GetLong("metadata.max.age.ms")),
        Security = ClientSecurity.From(c),
    };
}

/// <summary>
/// A client's view of the cluster: connections per broker (opened on demand, reopened with backoff after a
/// failure), the latest metadata, and group coordinator lookup. Thread-safe; shared by one client's parts.
/// </summary>
public sealed class KafkaCluster : IAsyncDisposable
{
    private readonly ClusterOptions _options;
    private readonly ConcurrentDictionary<int, Lazy<Task<KafkaConnection>>> _connections = new();
    private readonly ConcurrentDictionary<int, (int Failures, long RetryAtTicks)> _backoff = new();
    private readonly SemaphoreSlim _metadataLock = new(1, 1);
    private readonly HashSet<string> _interestingTopics = new(StringComparer.Ordinal);
    private volatile ClusterMetadata _metadata = ClusterMetadata.Empty;
    private long _metadataAtTicks;
    private int _disposed;

    public KafkaCluster(ClusterOptions options)
        : this(options, null)
    {
    }

    /// <summary>A cluster whose connections count into a client's network metrics.</summary>
    internal KafkaCluster(ClusterOptions options, NetworkCounters? counters)
    {
        if (options.BootstrapServers.Count == 0) throw new ConfigException("bootstrap.servers", "needs at least one host:port.");
        _options = options;
        Counters = counters;
    }

    /// <summary>Where this client's connections are counted (its coordinator connection too); null when not counted.</summary>
    internal NetworkCounters? Counters { get; }

    public ClusterOptions Options => _options;
    public ClusterMetadata Metadata => _metadata;

    /// <summary>Bootstrap servers get negative ids so they never collide with broker node ids.</summary>
    private static int BootstrapId(int index) => -1 - index;

    /// <summary>A connection to a broker by node id (opening it if needed).</summary>
    public Task<KafkaConnection> GetConnectionAsync(int nodeId, CancellationToken cancellationToken)
    {
        (string Host, int Port) address;
        if (nodeId < 0)
        {
            address = _options.BootstrapServers[-1 - nodeId];
        }
        else if (_metadata.Brokers.TryGetValue(nodeId, out var node))
        {
            address = (node.Host, node.Port);
        }
        else
        {
            throw new KafkaConnectionException($"Broker {nodeId} is not in the cluster metadata.");
        }
        return GetOrConnectAsync(nodeId, address, cancellationToken);
    }

    private async Task<KafkaConnection> GetOrConnectAsync(int id, (string Host, int Port) address, CancellationToken ct)
    {
        while (true)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            var lazy = _connections.GetOrAdd(id, _ => new Lazy<Task<KafkaConnection>>(() => ConnectWithBackoffAsync(id, address)));
            KafkaConnection connection;
            try
            {
                connection = await lazy.Value.WaitAsync(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is KafkaConnectionException or KafkaAuthenticationException)
            {
                _connections.TryRemove(new KeyValuePair<int, Lazy<Task<KafkaConnection>>>(id, lazy));
                throw;
            }
            if (!connection.IsClosed) return connection;
            if (_connections.TryRemove(new KeyValuePair<int, Lazy<Task<KafkaConnection>>>(id, lazy)))
                _ = connection.DisposeAsync().AsTask();
        }
    }

    private async Task<KafkaConnection> ConnectWithBackoffAsync(int id, (string Host, int Port) address)
    {
        if (_backoff.TryGetValue(id, out var b))
        {
            var wait = b.RetryAtTicks - Environment.TickCount64;
            if (wait > 0) await Task.Delay(TimeSpan.FromMilliseconds(wait)).ConfigureAwait(false);
        }
        try
        {
            var c = await KafkaConnection.ConnectAsync(address.Host, address.Port, _options.ClientId, _options.ConnectTimeout, _options.RequestTimeout, _options.Security, Counters, CancellationToken.None).ConfigureAwait(false);
            _backoff.TryRemove(id, out _);
            return c;
        }
        catch (Exception ex) when (ex is KafkaConnectionException or KafkaAuthenticationException)
        {
            // An authentication failure is not retried here (the caller fails), but the next attempt still waits its turn.
            var failures = _backoff.TryGetValue(id, out var prev) ? prev.Failures + 1 : 1;
            var delay = Math.Min(_options.ReconnectBackoff.TotalMilliseconds * Math.Pow(2, failures - 1), _options.ReconnectBackoffMax.TotalMilliseconds);
            delay *= 0.8 + Random.Shared.NextDouble() * 0.4;
            _backoff[id] = (failures, Environment.TickCount64 + (long)delay);
            throw;
        }
    }

    /// <summary>Any live connection: a known broker, else a bootstrap server, trying each in turn.</summary>
    public async Task<KafkaConnection> GetAnyConnectionAsync(CancellationToken cancellationToken)
    {
        foreach (var (id, lazy) in _connections)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully && !lazy.Value.Result.IsClosed) return lazy.Value.Result;
        }
        var candidates = _metadata.Brokers.Keys.Concat(Enumerable.Range(0, _options.BootstrapServers.Count).Select(BootstrapId)).ToList();
        Exception? last = null;
        foreach (var id in candidates.OrderBy(_ => Random.Shared.Next()))
        {
            try
            {
                return await GetConnectionAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaConnectionException ex)
            {
                last = ex;
            }
        }
        var servers = string.Join(", ", _options.BootstrapServers.Select(s => $"{s.Host}:{s.Port}"));
        throw new KafkaConnectionException($"No broker is reachable (bootstrap.servers={servers}): {last?.Message}", last);
    }

    /// <summary>Adds topics whose metadata later refreshes should include.</summary>
    public void AddTopics(IEnumerable<string> topics)
    {
        lock (_interestingTopics)
            foreach (var t in topics) _interestingTopics.Add(t);
    }

    public bool IsMetadataStale => Environment.TickCount64 - Interlocked.Read(ref _metadataAtTicks) > _options.MetadataMaxAge.TotalMilliseconds;

    /// <summary>
    /// Fetches metadata for the given topics (null = the topics added with <see cref="AddTopics"/>, or all when
    /// <paramref name="allTopics"/>). Retries on connection failures until the request timeout.
    /// </summary>
    public async Task<ClusterMetadata> RefreshMetadataAsync(IReadOnlyCollection<string>? topics = null, bool allTopics = false, bool allowAutoCreate = true, CancellationToken cancellationToken = default)
    {
        await _metadataLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var deadline = Environment.TickCount64 + (long)_options.RequestTimeout.TotalMilliseconds;
            var attempt = 0;
            while (true)
            {
                try
                {
                    var connection = await GetAnyConnectionAsync(cancellationToken).ConfigureAwait(false);
                    var version = connection.NegotiateVersion(ApiKey.Metadata, 1, 12);
                    var request = new MetadataRequest { AllowAutoTopicCreation = allowAutoCreate };
                    List<string> names;
                    lock (_interestingTopics) names = (topics ?? _interestingTopics).ToList();
                    request.Topics = allTopics ? null : names.Select(n => new MetadataRequest.MetadataRequestTopic { Name = n }).ToList();
                    var response = await connection.SendAsync<MetadataResponse>(ApiKey.Metadata, version, request, cancellationToken).ConfigureAwait(false);
                    var metadata = Merge(response, replaceTopics: allTopics);
                    _metadata = metadata;
                    Interlocked.Exchange(ref _metadataAtTicks, Environment.TickCount64);
                    return metadata;
                }
                catch (KafkaConnectionException) when (Environment.TickCount64 < deadline)
                {
                    await Task.Delay(Backoff(attempt++), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _metadataLock.Release();
        }
    }

    private ClusterMetadata Merge(MetadataResponse response, bool replaceTopics)
    {
        var brokers = response.Brokers.ToDictionary(b => b.NodeId, b => new BrokerNode(b.NodeId, b.Host, b.Port));
        var topics = replaceTopics ? new Dictionary<string, TopicMetadata>(StringComparer.Ordinal) : new Dictionary<string, TopicMetadata>(_metadata.Topics, StringComparer.Ordinal);
        foreach (var t in response.Topics)
        {
            if (t.Name is null) continue;
            var error = (ErrorCode)t.ErrorCode;
            if (error == ErrorCode.UnknownTopicOrPartition) { topics.Remove(t.Name); }
            topics[t.Name] = new TopicMetadata(t.Name, t.TopicId, error, t.IsInternal,
                t.Partitions.OrderBy(p => p.PartitionIndex).Select(p => new PartitionMetadata(p.PartitionIndex, p.LeaderId, p.LeaderEpoch, (ErrorCode)p.ErrorCode)).ToList());
        }
        return new ClusterMetadata(response.ClusterId, response.ControllerId, brokers, topics);
    }

    /// <summary>Exponential backoff with jitter, from retry.backoff.ms up to retry.backoff.max.ms.</summary>
    public TimeSpan Backoff(int attempt)
    {
        var ms = Math.Min(_options.RetryBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 20)), _options.RetryBackoffMax.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms * (0.8 + Random.Shared.NextDouble() * 0.4));
    }

    /// <summary>Finds the group coordinator's node id (retrying while it is not available).</summary>
    public async Task<BrokerNode> FindCoordinatorAsync(string groupId, CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + (long)_options.RequestTimeout.TotalMilliseconds;
        var attempt = 0;
        while (true)
        {
            ErrorCode error;
            string? message;
            try
            {
                var connection = await GetAnyConnectionAsync(cancellationToken).ConfigureAwait(false);
                var version = connection.NegotiateVersion(ApiKey.FindCoordinator, 0, 6);
                var request = new FindCoordinatorRequest { KeyType = 0 };
                if (version >= 4) request.CoordinatorKeys = [groupId]; else request.KeyValue = groupId;
                var response = await connection.SendAsync<FindCoordinatorResponse>(ApiKey.FindCoordinator, version, request, cancellationToken).ConfigureAwait(false);
                int nodeId; string host; int port;
                if (version >= 4)
                {
                    var c = response.Coordinators.Single();
                    (error, message, nodeId, host, port) = ((ErrorCode)c.ErrorCode, c.ErrorMessage, c.NodeId, c.Host, c.Port);
                }
                else
                {
                    (error, message, nodeId, host, port) = ((ErrorCode)response.ErrorCode, response.ErrorMessage, response.NodeId, response.Host, response.Port);
                }
                if (error == ErrorCode.None)
                {
                    var node = new BrokerNode(nodeId, host, port);
                    if (!_metadata.Brokers.ContainsKey(nodeId))
                    {
                        var brokers = new Dictionary<int, BrokerNode>(_metadata.Brokers) { [nodeId] = node };
                        _metadata = _metadata with { Brokers = brokers };
                    }
                    return node;
                }
            }
            catch (KafkaConnectionException) when (Environment.TickCount64 < deadline)
            {
                await Task.Delay(Backoff(attempt++), cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (error is not (ErrorCode.CoordinatorNotAvailable or ErrorCode.CoordinatorLoadInProgress or ErrorCode.NotCoordinator) || Environment.TickCount64 >= deadline)
                throw new KafkaException(error, $"FindCoordinator for group '{groupId}' failed: {error}{(message is null ? "" : " - " + message)}");
            await Task.Delay(Backoff(attempt++), cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        foreach (var (_, lazy) in _connections)
        {
            if (!lazy.IsValueCreated) continue;
            try
            {
                var c = await lazy.Value.ConfigureAwait(false);
                await c.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Connections that never opened have nothing to close.
            }
        }
        _connections.Clear();
    }
}

/// <summary>A Kafka error code returned by the broker, with Kafka's retriable classification.</summary>
public sealed class KafkaException : Exception
{
    public KafkaException(ErrorCode error, string message) : base(message) => Error = error;

    public ErrorCode Error { get; }

    public bool IsRetriable => IsRetriableError(Error);

    public static bool IsRetriableError(ErrorCode e) => e is ErrorCode.NotLeaderOrFollower or ErrorCode.LeaderNotAvailable
        or ErrorCode.UnknownTopicOrPartition or ErrorCode.RequestTimedOut or ErrorCode.NetworkException
        or ErrorCode.CoordinatorLoadInProgress or ErrorCode.CoordinatorNotAvailable or ErrorCode.NotCoordinator
        or ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend or ErrorCode.KafkaStorageError
        or ErrorCode.FencedLeaderEpoch or ErrorCode.UnknownLeaderEpoch or ErrorCode.OffsetNotAvailable
        or ErrorCode.CorruptMessage or ErrorCode.ThrottlingQuotaExceeded or ErrorCode.ReplicaNotAvailable;
}
