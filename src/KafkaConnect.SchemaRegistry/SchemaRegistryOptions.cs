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
        new(HostNameConfig, "the listener's host", "Name of this instance; only logged, as there is no leader election to report it to."),
        new(MutabilityConfig, "true", "Whether /mode may be changed."),
        new(GroupIdConfig, "schema-registry", "Group name of the registry cluster (used in the store's client id; no group is joined)."),
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
