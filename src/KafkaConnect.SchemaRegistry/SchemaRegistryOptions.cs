using System.Globalization;
using System.Text;

namespace KafkaConnect.SchemaRegistry;

/// <summary>One setting of schema-registry.properties: Confluent's key, default and meaning. The table drives parsing and the docs.</summary>
public sealed record RegistryKey(string Name, string? Default, string Description);

/// <summary>
/// The settings of <c>kconnect schema-registry</c>, read from Confluent's schema-registry.properties keys. Client settings for
/// the store's producer, consumer and admin are the <c>kafkastore.</c>-prefixed Kafka client keys (security.protocol, sasl.*,
/// ssl.*), passed on without the prefix.
/// </summary>
public sealed class SchemaRegistryOptions
{
    public const string ListenersConfig = "listeners";
    public const string BootstrapConfig = "kafkastore.bootstrap.servers";
    public const string TopicConfig = "kafkastore.topic";
    public const string ReplicationConfig = "kafkastore.topic.replication.factor";
    public const string TimeoutConfig = "kafkastore.timeout.ms";
    public const string CompatibilityConfig = "schema.compatibility.level";
    public const string OldCompatibilityConfig = "avro.compatibility.level";
    public const string HostNameConfig = "host.name";
    public const string MutabilityConfig = "mode.mutability";
    public const string GroupIdConfig = "schema.registry.group.id";
    public const string LeaderEligibilityConfig = "leader.eligibility";
    public const string OldLeaderEligibilityConfig = "master.eligibility";
    public const string LeaderElectionStickyConfig = "leader.election.sticky";
    public const string GroupSessionTimeoutConfig = "kafkagroup.session.timeout.ms";
    public const string GroupHeartbeatIntervalConfig = "kafkagroup.heartbeat.interval.ms";
    public const string GroupRebalanceTimeoutConfig = "kafkagroup.rebalance.timeout.ms";
    public const string LeaderConnectTimeoutConfig = "leader.connect.timeout.ms";
    public const string LeaderReadTimeoutConfig = "leader.read.timeout.ms";
    public const string ForwardedHeadersConfig = "inter.instance.headers.whitelist";

    internal static readonly string[] Levels = ["NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE"];

    public static IReadOnlyList<RegistryKey> Keys { get; } =
    [
        new(ListenersConfig, "http://127.0.0.1:8081", "Comma-separated http:// listeners (host:port; port 0 picks a free one). Loopback by default, unlike Confluent's 0.0.0.0."),
        new(BootstrapConfig, null, "Kafka brokers of the store (required)."),
        new(TopicConfig, "_schemas", "The compacted topic that holds schemas, configs and modes."),
        new(ReplicationConfig, "3", "Replication factor when the topic is created; capped to the live brokers with a warning, as Confluent does."),
        new(TimeoutConfig, "500", "Milliseconds a request waits for the store to read the topic to its end; at least 10 s here, so a slow first start of a local broker is not an error."),
        new(CompatibilityConfig, "backward", "Default compatibility level: none, backward, backward_transitive, forward, forward_transitive, full, full_transitive."),
        new(OldCompatibilityConfig, null, "The older name of schema.compatibility.level; used when that one is not set."),
        new(HostNameConfig, "the listener's host", "Host other instances forward writes to (with the first listener's port); a 0.0.0.0 listener advertises the machine's name. Set it to a name the other instances can reach."),
        new(MutabilityConfig, "true", "Whether /mode may be changed."),
        new(GroupIdConfig, "schema-registry", "Kafka group in which the instances on one topic elect their leader; give each registry cluster (each topic) its own."),
        new(LeaderEligibilityConfig, "true", "Whether this instance may become the leader; one that may not forwards every write."),
        new(OldLeaderEligibilityConfig, null, "The older name of leader.eligibility; used when that one is not set."),
        new(LeaderElectionStickyConfig, "false", "Keep the current leader when instances join, instead of electing the smallest URL; set it alike on all instances."),
        new(GroupSessionTimeoutConfig, "10000", "Milliseconds without a heartbeat after which the group drops an instance (and elects another leader if it led)."),
        new(GroupHeartbeatIntervalConfig, "3000", "Milliseconds between heartbeats to the group coordinator; also how soon an instance learns that an election starts."),
        new(GroupRebalanceTimeoutConfig, "300000", "Milliseconds the coordinator waits for every instance to rejoin during an election."),
        new(LeaderConnectTimeoutConfig, "60000", "Milliseconds a follower waits to connect to the leader when forwarding a write."),
        new(LeaderReadTimeoutConfig, "60000", "Milliseconds a follower waits for the leader's answer to a forwarded write."),
        new(ForwardedHeadersConfig, null, "Comma-separated HTTP headers forwarded to the leader besides Content-Type, Accept, Authorization and X-Request-ID."),
        new("kafkastore.topic.config.*", null, "Topic settings used when the registry creates the topic (cleanup.policy is always compact)."),
        new("kafkastore.security.protocol", "PLAINTEXT", "Security protocol to the store's brokers; kafkastore.sasl.* and kafkastore.ssl.* as the Kafka client's keys."),
    ];

    public IReadOnlyList<string> Listeners { get; init; } = ["http://127.0.0.1:8081"];
    public required string BootstrapServers { get; init; }
    public string Topic { get; init; } = "_schemas";
    public short ReplicationFactor { get; init; } = 3;
    public TimeSpan StoreTimeout { get; init; } = TimeSpan.FromMilliseconds(500);
    public string CompatibilityLevel { get; init; } = "BACKWARD";
    public string? HostName { get; init; }
    public bool ModeMutability { get; init; } = true;
    public string GroupId { get; init; } = "schema-registry";
    public bool LeaderEligibility { get; init; } = true;
    public bool LeaderElectionSticky { get; init; }
    public TimeSpan GroupSessionTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan GroupHeartbeatInterval { get; init; } = TimeSpan.FromSeconds(3);
    public TimeSpan GroupRebalanceTimeout { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan LeaderConnectTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan LeaderReadTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public IReadOnlyList<string> ForwardedHeaders { get; init; } = [];

    /// <summary>Settings for a topic the registry creates (<c>kafkastore.topic.config.*</c>).</summary>
    public IReadOnlyDictionary<string, string> TopicConfigs { get; init; } = new Dictionary<string, string>();

    /// <summary>Kafka client settings for the store (bootstrap.servers, security.protocol, sasl.*, ssl.*).</summary>
    public IReadOnlyDictionary<string, string> ClientConfig { get; init; } = new Dictionary<string, string>();

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Keys that mean nothing here, to be warned about.</summary>
    public IReadOnlyList<string> UnknownKeys { get; init; } = [];

    /// <summary>Reads Confluent's keys; a bad value throws <see cref="ArgumentException"/> naming the key.</summary>
    public static SchemaRegistryOptions FromProperties(IReadOnlyDictionary<string, string> props)
    {
        ArgumentNullException.ThrowIfNull(props);
        string? Get(string key) => props.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        var bootstrap = Get(BootstrapConfig) ?? throw new ArgumentException($"{BootstrapConfig} is required: the Kafka brokers that hold {TopicConfig}.");
        try
        {
            KafkaConnect.Client.Config.CommonClientConfig.ParseBootstrap(bootstrap.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        }
        catch (KafkaConnect.Client.Config.ConfigException ex)
        {
            throw new ArgumentException($"Invalid value {bootstrap} for configuration {BootstrapConfig}: {ex.Message}");
        }
        var client = new Dictionary<string, string>(StringComparer.Ordinal) { ["bootstrap.servers"] = bootstrap };
        var unknown = new List<string>();
        var topicConfigs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in props)
        {
            if (k.StartsWith("kafkastore.topic.config.", StringComparison.Ordinal))
            {
                topicConfigs[k["kafkastore.topic.config.".Length..]] = v;
            }
            else if (k.StartsWith("kafkastore.", StringComparison.Ordinal) && (k.StartsWith("kafkastore.ssl.", StringComparison.Ordinal)
                || k.StartsWith("kafkastore.sasl.", StringComparison.Ordinal) || k == "kafkastore.security.protocol"))
            {
                client[k["kafkastore.".Length..]] = v;
            }
            else if (Keys.All(key => key.Name != k))
            {
                unknown.Add(k);
            }
        }
        var level = (Get(CompatibilityConfig) ?? Get(OldCompatibilityConfig) ?? "backward").ToUpperInvariant();
        if (!Levels.Contains(level))
        {
            var key = Get(CompatibilityConfig) is null ? OldCompatibilityConfig : CompatibilityConfig;
            throw new ArgumentException($"Invalid value {props[key]} for configuration {key}: must be one of {string.Join(", ", Levels.Select(l => l.ToLowerInvariant()))}.");
        }
        var listeners = (Get(ListenersConfig) ?? "http://127.0.0.1:8081").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var l in listeners)
        {
            if (!Uri.TryCreate(l, UriKind.Absolute, out var uri) || uri.Scheme != "http")
            {
                throw new ArgumentException($"Invalid value {l} for configuration {ListenersConfig}: expected http://host:port (https listeners are not supported yet).");
            }
        }
        return new SchemaRegistryOptions
        {
            Listeners = listeners,
            BootstrapServers = bootstrap,
            Topic = Get(TopicConfig) ?? "_schemas",
            ReplicationFactor = (short)Int(props, ReplicationConfig, 3, 1, short.MaxValue),
            StoreTimeout = TimeSpan.FromMilliseconds(Int(props, TimeoutConfig, 500, 0, int.MaxValue)),
            CompatibilityLevel = level,
            HostName = Get(HostNameConfig),
            ModeMutability = Bool(props, MutabilityConfig, true),
            GroupId = Get(GroupIdConfig) ?? "schema-registry",
            LeaderEligibility = Bool(props, LeaderEligibilityConfig, Bool(props, OldLeaderEligibilityConfig, true)),
            LeaderElectionSticky = Bool(props, LeaderElectionStickyConfig, false),
            GroupSessionTimeout = TimeSpan.FromMilliseconds(Int(props, GroupSessionTimeoutConfig, 10_000, 1, int.MaxValue)),
            GroupHeartbeatInterval = TimeSpan.FromMilliseconds(Int(props, GroupHeartbeatIntervalConfig, 3_000, 1, int.MaxValue)),
            GroupRebalanceTimeout = TimeSpan.FromMilliseconds(Int(props, GroupRebalanceTimeoutConfig, 300_000, 1, int.MaxValue)),
            LeaderConnectTimeout = TimeSpan.FromMilliseconds(Int(props, LeaderConnectTimeoutConfig, 60_000, 1, int.MaxValue)),
            LeaderReadTimeout = TimeSpan.FromMilliseconds(Int(props, LeaderReadTimeoutConfig, 60_000, 1, int.MaxValue)),
            ForwardedHeaders = (Get(ForwardedHeadersConfig) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            ClientConfig = client,
            TopicConfigs = topicConfigs,
            UnknownKeys = unknown,
        };
    }

    private static int Int(IReadOnlyDictionary<string, string> props, string key, int dflt, int min, int max)
    {
        if (!props.TryGetValue(key, out var s) || string.IsNullOrWhiteSpace(s))
        {
            return dflt;
        }
        if (!int.TryParse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
        {
            throw new ArgumentException($"Invalid value {s} for configuration {key}: expected an integer between {min} and {max}.");
        }
        return v;
    }

    private static bool Bool(IReadOnlyDictionary<string, string> props, string key, bool dflt)
    {
        if (!props.TryGetValue(key, out var s) || string.IsNullOrWhiteSpace(s))
        {
            return dflt;
        }
        return s.Trim().ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => throw new ArgumentException($"Invalid value {s} for configuration {key}: expected true or false."),
        };
    }

    /// <summary>The keys table of docs/schema-registry.md.</summary>
    public static string MarkdownTable()
    {
        var sb = new StringBuilder("| key | default | meaning |\n|---|---|---|\n");
        foreach (var k in Keys)
        {
            sb.Append(CultureInfo.InvariantCulture, $"| `{k.Name}` | {(k.Default is null ? "" : "`" + k.Default + "`")} | {k.Description} |\n");
        }
        return sb.ToString();
    }
}
