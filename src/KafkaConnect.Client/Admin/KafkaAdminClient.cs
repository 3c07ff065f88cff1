using System.Globalization;
using System.Text;
using KafkaConnect.Client.Config;
using KafkaConnect.Client.Metrics;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Client.Admin;

/// <summary>
/// Kafka's admin operations: topics, configs, offsets, records, groups and the cluster. Each call routes to
/// the right broker (the controller for topic and config changes, partition leaders for offsets and record
/// deletion, the group coordinator for group operations), retries retriable errors with backoff until
/// default.api.timeout.ms, and otherwise throws a <see cref="KafkaException"/> carrying the error code and the
/// broker's message. A call that touches several items throws if any item failed; items that succeeded stay done.
/// Thread-safe.
/// </summary>
public sealed partial class KafkaAdminClient : IAsyncDisposable
{
    /// <summary>The admin client's settings: the common client keys plus default.api.timeout.ms and retries.</summary>
    public static ConfigSpec Spec { get; } = new ConfigSpec(CommonClientConfig.Keys).With(
    [
        new ConfigKey("default.api.timeout.ms", ConfigType.Int, "60000",
            "Upper bound for one admin call including retries.", ConfigSpec.Between(1, int.MaxValue)),
        new ConfigKey("retries", ConfigType.Int, "2147483647",
            "How often a call is retried after a retriable error (the api timeout usually ends it first).", ConfigSpec.Between(0, int.MaxValue)),
        new ConfigKey("send.buffer.bytes", ConfigType.Int, "131072", "Accepted for compatibility; not used."),
        new ConfigKey("receive.buffer.bytes", ConfigType.Int, "65536", "Accepted for compatibility; not used."),
    ]);

    private readonly KafkaCluster _cluster;
    private readonly AdminMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly TimeSpan _apiTimeout;
    private readonly int _retries;
    private volatile bool _controllerSuspect;

    /// <summary>Creates the client from Kafka-style properties; unknown or invalid keys throw a ConfigException naming the key.</summary>
    public KafkaAdminClient(IReadOnlyDictionary<string, string> properties, TimeProvider? timeProvider = null)
        : this(Spec.Parse(properties), timeProvider)
    {
    }

    /// <summary>Creates the client from values parsed with <see cref="Spec"/> (or a spec that includes it).</summary>
    public KafkaAdminClient(ConfigValues config, TimeProvider? timeProvider = null)
    {
        var cluster = ClusterOptions.From(config);
        if (cluster.ClientId.Length == 0) cluster = cluster with { ClientId = ClientMetrics.DefaultAdminId() };
        _metrics = new AdminMetrics(cluster.ClientId);
        _cluster = new KafkaCluster(cluster, _metrics.Network);
        _apiTimeout = TimeSpan.FromMilliseconds(config.GetInt("default.api.timeout.ms"));
        _retries = config.GetInt("retries");
        _time = timeProvider ?? TimeProvider.System;
        _metrics.Register();
    }

    /// <summary>The client id this client sends and is measured under (client.id, else Apache's adminclient-N).</summary>
    public string ClientId => _metrics.ClientId;

    /// <summary>The request timeout handed to brokers for operations that wait (create/delete topics, delete records).</summary>
    private int BrokerTimeoutMs => (int)Math.Min(_cluster.Options.RequestTimeout.TotalMilliseconds, _apiTimeout.TotalMilliseconds);

    public async ValueTask DisposeAsync()
    {
        _metrics.Unregister();
        await _cluster.DisposeAsync().ConfigureAwait(false);
    }

    // ---- plumbing -------------------------------------------------------------------------------------------

    /// <summary>
    /// Runs one attempt after another until it succeeds, fails with a non-retriable error, or the api timeout or
    /// retry budget runs out. Connection failures and retriable Kafka errors are retried with backoff.
    /// </summary>
    private async Task<T> RetryAsync<T>(string operation, Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_apiTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        Exception? last = null;
        for (var n = 0; ; n++)
        {
            try
            {
                return await attempt(linked.Token).ConfigureAwait(false);
            }
            catch (KafkaConnectionException ex)
            {
                // The broker may be gone for good: look the controller up again rather than redial it forever.
                _controllerSuspect = true;
                last = ex;
            }
            catch (KafkaException ex) when (IsRetriable(ex.Error))
            {
                last = ex;
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw TimedOut(operation, last);
            }
            if (n >= _retries) throw last is KafkaException k ? k : new KafkaException(ErrorCode.NetworkException, $"{operation} failed: {last.Message}");
            try
            {
                await Task.Delay(_cluster.Backoff(n), _time, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw TimedOut(operation, last);
            }
        }
    }

    private KafkaException TimedOut(string operation, Exception? last) => new(ErrorCode.RequestTimedOut,
        $"{operation} timed out after {_apiTimeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms (default.api.timeout.ms)"
        + (last is null ? "." : $"; last error: {last.Message}"));

    /// <summary>
    /// Kafka's retriable errors, less UNKNOWN_TOPIC_OR_PARTITION (for admin calls a missing topic is an answer,
    /// not a metadata race), plus NOT_CONTROLLER (the controller moved) and UNSTABLE_OFFSET_COMMIT (a
    /// transactional commit is pending).
    /// </summary>
    internal static bool IsRetriable(ErrorCode error) => error is ErrorCode.NotController or ErrorCode.UnstableOffsetCommit
        || (error != ErrorCode.UnknownTopicOrPartition && KafkaException.IsRetriableError(error));

    private static async Task<TResponse> SendAsync<TResponse>(KafkaConnection connection, ApiKey key, short minVersion, short maxVersion,
        Func<short, IKafkaMessage> build, CancellationToken ct)
        where TResponse : class, IKafkaMessage, new()
    {
        var version = connection.NegotiateVersion(key, minVersion, maxVersion);
        return await connection.SendAsync<TResponse>(key, version, build(version), ct).ConfigureAwait(false);
    }

    /// <summary>The controller (topic and config changes go there); any broker when the controller is unknown.</summary>
    private async Task<KafkaConnection> GetControllerConnectionAsync(CancellationToken ct)
    {
        var metadata = _cluster.Metadata;
        if (_controllerSuspect || metadata.ControllerId < 0 || !metadata.Brokers.ContainsKey(metadata.ControllerId))
        {
            _controllerSuspect = false;
            metadata = await _cluster.RefreshMetadataAsync(Array.Empty<string>(), allowAutoCreate: false, cancellationToken: ct).ConfigureAwait(false);
        }
        return metadata.ControllerId >= 0 && metadata.Brokers.ContainsKey(metadata.ControllerId)
            ? await _cluster.GetConnectionAsync(metadata.ControllerId, ct).ConfigureAwait(false)
            : await _cluster.GetAnyConnectionAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Forgets the controller so the next attempt looks it up again.</summary>
    private Task RefreshControllerAsync(CancellationToken ct)
        => _cluster.RefreshMetadataAsync(Array.Empty<string>(), allowAutoCreate: false, cancellationToken: ct);

    /// <summary>One failed item of a multi-item call.</summary>
    private readonly record struct Failure(string Item, ErrorCode Error, string? Message);

    /// <summary>Collects per-item outcomes: fatal failures are kept; retriable ones make the attempt retry.</summary>
    private sealed class Outcome
    {
        public List<Failure> Fatal { get; } = [];
        public Failure? Retriable { get; private set; }

        /// <summary>Records an error; returns true when the item is finished (success or fatal).</summary>
        public bool Record(string item, ErrorCode error, string? message)
        {
            if (error == ErrorCode.None) return true;
            if (IsRetriable(error))
            {
                Retriable = new Failure(item, error, message);
                return false;
            }
            Fatal.Add(new Failure(item, error, message));
            return true;
        }

        public void ThrowIfRetriable(string operation)
        {
            if (Retriable is { } r)
            {
                Retriable = null;
                throw new KafkaException(r.Error, Describe(operation, [r]));
            }
        }

        public void ThrowIfFailed(string operation)
        {
            if (Fatal.Count > 0) throw new KafkaException(Fatal[0].Error, Describe(operation, Fatal));
        }
    }

    private static string Describe(string operation, IReadOnlyList<Failure> failures)
    {
        var sb = new StringBuilder(operation).Append(" failed for ");
        for (var i = 0; i < failures.Count; i++)
        {
            var f = failures[i];
            if (i > 0) sb.Append("; ");
            sb.Append(f.Item).Append(": ").Append(ErrorName(f.Error));
            if (!string.IsNullOrEmpty(f.Message)) sb.Append(" - ").Append(f.Message);
        }
        return sb.Append('.').ToString();
    }

    /// <summary>Kafka's spelling of an error code (TOPIC_ALREADY_EXISTS), as its tools and docs print it.</summary>
    internal static string ErrorName(ErrorCode error)
    {
        var name = error.ToString();
        if (name.Length == 0 || char.IsDigit(name[0]) || name[0] == '-') return $"error {(short)error}";
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]))) sb.Append('_');
            sb.Append(char.ToUpperInvariant(c));
        }
        return sb.ToString();
    }

    private static KafkaException Error(string operation, string item, ErrorCode error, string? message)
        => new(error, Describe(operation, [new Failure(item, error, message)]));
}
