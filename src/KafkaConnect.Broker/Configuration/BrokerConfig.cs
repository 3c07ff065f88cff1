using System.Globalization;
using System.Net;
using KafkaConnect.Security;

namespace KafkaConnect.Broker.Configuration;

/// <summary>One broker setting: its Kafka name, default and documentation. The table below is the only place a key is declared.</summary>
public sealed record BrokerSetting(string Name, string? Default, string Documentation, bool Sensitive = false);

/// <summary>
/// The broker's configuration, read from Kafka's own server.properties keys (unknown keys are kept and
/// reported, so an existing server.properties still loads).
/// </summary>
public sealed class BrokerConfig
{
    public static readonly IReadOnlyList<BrokerSetting> Settings =
    [
        new("listeners", "PLAINTEXT://127.0.0.1:9092", "Comma-separated listeners NAME://host:port; each name's security protocol comes from listener.security.protocol.map (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL). The host must be an IP address or localhost; port 0 picks a free port."),
        new("advertised.listeners", null, "NAME://host:port per listener, what clients connecting to that listener are told (Metadata, FindCoordinator, DescribeCluster); a listener not named here advertises its own address."),
        new("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL", "Listener name to security protocol, NAME:PROTOCOL pairs, so custom names such as INTERNAL:PLAINTEXT,EXTERNAL:SASL_SSL can be used in listeners."),
        new("sasl.enabled.mechanisms", "PLAIN", "SASL mechanisms SASL listeners offer: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER (unsecured JWTs). Kafka's default is GSSAPI (Kerberos), which this broker does not support; here the default is PLAIN. listener.name.NAME.sasl.enabled.mechanisms overrides it per listener."),
        new("sasl.jaas.config", null, "JAAS login module used when a listener has no listener.name.NAME.MECHANISM.sasl.jaas.config (ours: Kafka takes only the listener-prefixed key or a JAAS file). For PLAIN: org.apache.kafka.common.security.plain.PlainLoginModule required user_NAME=\"password\" ...;", Sensitive: true),
        new("sasl.server.max.receive.size", "524288", "Largest request a SASL connection may send before it has authenticated; a larger one closes the connection."),
        new("connections.max.reauth.ms", "0", "When positive, a SASL session lasts at most this long (KIP-368): clients are told the lifetime and must re-authenticate; a connection whose session expired is closed on its next request other than a re-authentication. 0 disables."),
        .. TlsSettings.Settings.Concat(TlsSettings.ServerSettings).Select(s => new BrokerSetting(s.Name, s.Default, s.Documentation + " listener.name.NAME." + s.Name + " overrides it for one listener.", s.IsPassword)),
        new("log.dirs", null, "Data directory (log.dir is accepted too). Required."),
        new("node.id", "1", "This broker's id in metadata responses (broker.id is accepted too)."),
        new("cluster.id", null, "Cluster id; generated and stored in meta.properties on first start when absent."),
        new("num.partitions", "1", "Partitions of an auto-created topic."),
        new("auto.create.topics.enable", "true", "Create a topic when a client asks for its metadata or produces to it."),
        new("message.max.bytes", "1048588", "Largest record batch accepted, after compression."),
        new("socket.request.max.bytes", "104857600", "Largest request frame; a larger one closes the connection."),
        new("fetch.max.bytes", "57671680", "Largest fetch response, whatever max.bytes the request asks for; at least one batch is still returned so a consumer makes progress. At least 1024."),
        new("max.connections", "2147483647", "Open connections at most; at the limit new connections wait in the listen backlog until one closes."),
        new("max.connections.per.ip", "2147483647", "Open connections from one IP address at most; a new connection over the limit is closed at once."),
        new("queued.max.request.bytes", "-1", "Bytes of requests being read or handled, across connections: a request takes its size from this once its length is read (as Kafka's memory pool), and over the limit connections stop reading until some finish (backpressure, not a disconnect). Memory for requests stays within this plus one socket.request.max.bytes; -1 is unbounded."),
        new("connections.max.idle.ms", "600000", "A connection that sends nothing for this long while none of its requests is in progress is closed (a frame left half-sent counts as idle); -1 never closes one."),
        new("log.segment.bytes", "1073741824", "Segment size before a new segment is rolled."),
        new("log.roll.ms", "604800000", "Age after which a segment is rolled (log.roll.hours is accepted too)."),
        new("log.retention.ms", "604800000", "Time retention; -1 keeps forever (log.retention.minutes/hours are accepted too)."),
        new("log.retention.bytes", "-1", "Size retention per partition; -1 is unlimited."),
        new("log.retention.check.interval.ms", "300000", "How often retention is enforced."),
        new("log.cleanup.policy", "delete", "Default cleanup.policy of new topics: delete, compact or both."),
        new("log.cleaner.backoff.ms", "15000", "How often compacted topics are cleaned."),
        new("log.cleaner.delete.retention.ms", "86400000", "How long tombstones survive compaction (delete.retention.ms)."),
        new("log.flush.interval.ms", "1000", "Background fsync interval for data acknowledged with acks=0/1. acks=all waits for an fsync (grouped across requests) before answering."),
        new("group.initial.rebalance.delay.ms", "3000", "Delay before the first rebalance of an empty group, so members joining together share one rebalance."),
        new("group.min.session.timeout.ms", "6000", "Smallest session timeout a member may ask for."),
        new("group.max.session.timeout.ms", "1800000", "Largest session timeout a member may ask for."),
        new(MetricsListenerConfig, null, "kconnect only: an http URL such as http://127.0.0.1:9404 where `kconnect broker` serves GET /metrics in Prometheus text format (docs/metrics-broker.md). The host is an IP address (0.0.0.0 for every interface) or localhost. Empty: no metrics endpoint."),
    ];

    /// <summary>Where <c>kconnect broker</c> serves its metrics (a kconnect setting, not Kafka's).</summary>
    public const string MetricsListenerConfig = "kconnect.metrics.listener";

    private static readonly HashSet<string> Known = new(Settings.Select(s => s.Name).Concat(
    [
        "log.dir", "broker.id", "log.roll.hours", "log.retention.minutes", "log.retention.hours",
    ]), StringComparer.Ordinal);

    private readonly Dictionary<string, string> _values;

    private BrokerConfig(Dictionary<string, string> values, List<string> unknown)
    {
        _values = values;
        UnknownKeys = unknown;
        Listeners = BrokerListener.ParseAll(Get);
        DataDirectory = Get("log.dirs") ?? Get("log.dir") ?? throw new ArgumentException("log.dirs: a data directory is required (use --data-dir DIR or log.dirs=DIR).");
        if (DataDirectory.Contains(',')) throw new ArgumentException("log.dirs: this broker keeps its data in one directory; give exactly one.");
        NodeId = Int("broker.id", Int("node.id", 1));
        ClusterId = Get("cluster.id");
        NumPartitions = Int("num.partitions", 1, min: 1);
        AutoCreateTopics = Bool("auto.create.topics.enable");
        MessageMaxBytes = Int("message.max.bytes", 0, min: 0);
        SocketRequestMaxBytes = Int("socket.request.max.bytes", 0, min: 1024);
        FetchMaxBytes = Int("fetch.max.bytes", 0, min: 1024);
        MaxConnections = Int("max.connections", 0, min: 1);
        MaxConnectionsPerIp = Int("max.connections.per.ip", 0, min: 1);
        QueuedMaxRequestBytes = Long("queued.max.request.bytes", 0, min: -1);
        ConnectionsMaxIdleMs = Long("connections.max.idle.ms", 0, min: -1);
        if (ConnectionsMaxIdleMs == 0) throw new ArgumentException("connections.max.idle.ms: expected -1 (never) or a positive number of milliseconds, got '0'.");
        if (QueuedMaxRequestBytes == 0) throw new ArgumentException("queued.max.request.bytes: expected -1 (unbounded) or a positive number of bytes, got '0'.");
        SegmentBytes = Long("log.segment.bytes", 0, min: 1024);
        SegmentMs = _values.ContainsKey("log.roll.ms") || !_values.ContainsKey("log.roll.hours")
            ? Long("log.roll.ms", 0, min: 1)
            : Long("log.roll.hours", 0, min: 1) * 3_600_000;
        RetentionMs = _values.ContainsKey("log.retention.ms") ? Long("log.retention.ms", 0, min: -1)
            : _values.ContainsKey("log.retention.minutes") ? Long("log.retention.minutes", 0, min: -1) * 60_000
            : _values.ContainsKey("log.retention.hours") ? Long("log.retention.hours", 0, min: -1) * 3_600_000
            : Long("log.retention.ms", 0, min: -1);
        RetentionBytes = Long("log.retention.bytes", 0, min: -1);
        RetentionCheckIntervalMs = Long("log.retention.check.interval.ms", 0, min: 1);
        CleanupPolicy = Get("log.cleanup.policy")!;
        CleanerBackoffMs = Long("log.cleaner.backoff.ms", 0, min: 1);
        DeleteRetentionMs = Long("log.cleaner.delete.retention.ms", 0, min: 0);
        FlushIntervalMs = Long("log.flush.interval.ms", 0, min: 1);
        InitialRebalanceDelayMs = Int("group.initial.rebalance.delay.ms", 0, min: 0);
        MinSessionTimeoutMs = Int("group.min.session.timeout.ms", 0, min: 1);
        MaxSessionTimeoutMs = Int("group.max.session.timeout.ms", 0, min: 1);
        ConnectionsMaxReauthMs = Long("connections.max.reauth.ms", 0, min: 0);
        SaslServerMaxReceiveSize = Int("sasl.server.max.receive.size", 0, min: 1);
        MetricsListener = HttpUrl(MetricsListenerConfig);
    }

    /// <summary>kconnect.metrics.listener: the URL of the Prometheus endpoint, or null for none.</summary>
    public Uri? MetricsListener { get; }

    /// <summary>Every listener, in the order of <c>listeners</c>; the first is the one <see cref="ListenHost"/> and friends describe.</summary>
    public IReadOnlyList<BrokerListener> Listeners { get; }

    /// <summary>The listener of that name (names are upper case).</summary>
    public BrokerListener Listener(string name) => Listeners.FirstOrDefault(l => l.Name == name) ?? Listeners[0];

    /// <summary>sasl.server.max.receive.size: the largest frame before authentication.</summary>
    public int SaslServerMaxReceiveSize { get; }

    /// <summary>connections.max.reauth.ms: the longest SASL session before re-authentication, 0 for unlimited.</summary>
    public long ConnectionsMaxReauthMs { get; }

    public string ListenHost => Listeners[0].Host;
    public int ListenPort => Listeners[0].Port;
    public string AdvertisedHost => Listeners[0].AdvertisedHost;
    public int AdvertisedPort => Listeners[0].AdvertisedPort;

    /// <summary>With port 0 the OS picks the port; clients must be told the one actually bound (first listener).</summary>
    internal void BoundTo(int port) => BoundTo(Listeners[0].Name, port);

    /// <summary>The port a listener actually bound, for a listener configured (or advertised) with port 0.</summary>
    internal void BoundTo(string listener, int port)
    {
        var l = Listener(listener);
        if (l.AdvertisedPort == 0) l.AdvertisedPort = port;
    }
    public string DataDirectory { get; }
    public int NodeId { get; }
    public string? ClusterId { get; }
    public int NumPartitions { get; }
    public bool AutoCreateTopics { get; }
    public int MessageMaxBytes { get; }
    public int SocketRequestMaxBytes { get; }
    public int FetchMaxBytes { get; }
    public int MaxConnections { get; }
    public int MaxConnectionsPerIp { get; }
    public long QueuedMaxRequestBytes { get; }

    public long ConnectionsMaxIdleMs { get; }
    public long SegmentBytes { get; }
    public long SegmentMs { get; }
    public long RetentionMs { get; }
    public long RetentionBytes { get; }
    public long RetentionCheckIntervalMs { get; }
    public string CleanupPolicy { get; }
    public long CleanerBackoffMs { get; }
    public long DeleteRetentionMs { get; }
    public long FlushIntervalMs { get; }
    public int InitialRebalanceDelayMs { get; }
    public int MinSessionTimeoutMs { get; }
    public int MaxSessionTimeoutMs { get; }

    /// <summary>Keys that are not broker settings of ours; they are ignored (a Kafka server.properties has many).</summary>
    public IReadOnlyList<string> UnknownKeys { get; }

    /// <summary>Every setting with its effective value, for DescribeConfigs on the broker resource.</summary>
    /// <remarks>Passwords and JAAS lines are described without their value, as Kafka does for sensitive settings.</remarks>
    public IEnumerable<(string Name, string? Value, bool IsDefault, bool IsSensitive)> Describe()
        => Settings.Select(s => (s.Name, s.Sensitive ? null : Get(s.Name), !_values.ContainsKey(s.Name) || _values[s.Name] == s.Default, s.Sensitive));

    public static BrokerConfig Create(IReadOnlyDictionary<string, string> properties)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var unknown = new List<string>();
        foreach (var (k, v) in properties)
        {
            values[k] = v.Trim();
            if (!Known.Contains(k) && !IsListenerKey(k)) unknown.Add(k);
        }
        return new BrokerConfig(values, unknown);
    }

    // listener.name.NAME.KEY overrides KEY for one listener; NAME.MECHANISM.sasl.jaas.config carries a mechanism's JAAS.
    private static bool IsListenerKey(string key)
    {
        const string Prefix = "listener.name.";
        if (!key.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var dot = key.IndexOf('.', Prefix.Length);
        if (dot < 0) return false;
        var rest = key[(dot + 1)..];
        return Known.Contains(rest) || rest.EndsWith(".sasl.jaas.config", StringComparison.Ordinal)
            || rest.EndsWith(".connections.max.reauth.ms", StringComparison.Ordinal);
    }

    private static readonly Dictionary<string, string?> Defaults = Settings.ToDictionary(s => s.Name, s => s.Default, StringComparer.Ordinal);

    /// <summary>The value set explicitly, else the setting's default.</summary>
    private string? Get(string key)
        => _values.TryGetValue(key, out var v) && v.Length > 0 ? v : Defaults.GetValueOrDefault(key);

    private bool Bool(string key) => Get(key)?.ToLowerInvariant() switch
    {
        "true" => true,
        "false" => false,
        var v => throw new ArgumentException($"{key}: expected true or false, got '{v}'."),
    };

    private int Int(string key, int fallback, int min = int.MinValue)
    {
        var text = Get(key);
        if (text is null) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min)
            throw new ArgumentException($"{key}: expected a whole number >= {min}, got '{text}'.");
        return v;
    }

    private long Long(string key, long fallback, long min = long.MinValue)
    {
        var text = Get(key);
        if (text is null) return fallback;
        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min)
            throw new ArgumentException($"{key}: expected a whole number >= {min}, got '{text}'.");
        return v;
    }

    public IPEndPoint ListenEndPoint() => Listeners[0].EndPoint();

    /// <summary>An http://host:port URL whose host can be bound without a name lookup (an IP address or localhost).</summary>
    private Uri? HttpUrl(string key)
    {
        var text = Get(key);
        if (text is null) return null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp
            || uri.AbsolutePath != "/" || uri.Query.Length > 0 || !string.IsNullOrEmpty(uri.UserInfo)
            || (uri.HostNameType is not (UriHostNameType.IPv4 or UriHostNameType.IPv6) && uri.Host != "localhost"))
        {
            throw new ArgumentException($"{key}: expected an http URL of an IP address or localhost and a port, such as http://127.0.0.1:9404, got '{text}'.");
        }
        return uri;
    }
}
