using KafkaConnect.Connect.Configuration;

namespace KafkaConnect.Connect.Runtime.Config;

/// <summary>
/// Worker settings with Apache Kafka Connect's keys and defaults (WorkerConfig + StandaloneConfig). One
/// difference: <c>listeners</c> defaults to loopback (http://127.0.0.1:8083) instead of all interfaces, so a
/// worker started without configuration is not reachable from the network.
/// </summary>
public sealed class WorkerConfig : AbstractConfig
{
    public const string BootstrapServers = "bootstrap.servers";
    public const string KeyConverter = "key.converter";
    public const string ValueConverter = "value.converter";
    public const string HeaderConverter = "header.converter";
    public const string TaskShutdownGracefulTimeoutMs = "task.shutdown.graceful.timeout.ms";
    public const string OffsetFlushIntervalMs = "offset.flush.interval.ms";
    public const string OffsetFlushTimeoutMs = "offset.flush.timeout.ms";
    public const string Listeners = "listeners";
    public const string RestAdvertisedHostName = "rest.advertised.host.name";
    public const string RestAdvertisedPort = "rest.advertised.port";
    public const string RestAdvertisedListener = "rest.advertised.listener";
    public const string PluginPath = "plugin.path";
    public const string TopicCreationEnable = "topic.creation.enable";
    public const string ClientConfigOverridePolicy = "connector.client.config.override.policy";
    public const string ConfigProviders = "config.providers";
    public const string OffsetStorageFileFilename = "offset.storage.file.filename";
    public const string EmbeddedBrokerListeners = "embedded.broker.listeners";
    public const string EmbeddedBrokerDataDir = "embedded.broker.data.dir";

    public const string DefaultHeaderConverter = "org.apache.kafka.connect.storage.SimpleHeaderConverter";

    private static readonly string[] s_clientPrefixes = ["producer.", "consumer.", "admin.", "key.converter.", "value.converter.",
        "header.converter.", "config.providers.", "listeners.https.", "admin.listeners.https.", "rest.extension.", "ssl.", "sasl.",
        "metrics.context.", "metric.reporters.", "offset.storage.", "embedded.broker.", "config.storage.", "status.storage."];

    /// <summary>Settings every worker understands (Apache's WorkerConfig).</summary>
    public static ConfigDef BaseDefinition { get; } = Base(new ConfigDef());

    /// <summary>Standalone worker settings: the base plus offset.storage.file.filename and the embedded broker.</summary>
    public static ConfigDef StandaloneDefinition { get; } = Base(new ConfigDef())
        .Define(OffsetStorageFileFilename, ConfigType.String, ConfigDef.NoDefaultValue, ConfigDef.NonEmptyString.Instance, Importance.High,
            "File to store source connector offsets in.")
        .Define(EmbeddedBrokerListeners, ConfigType.String, "127.0.0.1:9092", Importance.Low,
            "kconnect only: HOST:PORT of the broker started in-process when bootstrap.servers is not set.")
        .Define(EmbeddedBrokerDataDir, ConfigType.String, "/tmp/kconnect/broker", Importance.Low,
            "kconnect only: data directory of the embedded broker.");

    /// <summary>Distributed worker settings (Apache's DistributedConfig): the base plus the group, internal topics and
    /// inter-worker keys. Replication factors default to 3 as in Apache; -1 takes the broker's default.</summary>
    public static ConfigDef DistributedDefinition { get; } = DistributedConfig.Define(Base(new ConfigDef()));

    public WorkerConfig(IReadOnlyDictionary<string, string> props, bool standalone = true)
        : this(props, standalone ? StandaloneDefinition : BaseDefinition)
    {
    }

    /// <summary>A distributed worker's settings (<c>kconnect distributed</c>).</summary>
    public static WorkerConfig Distributed(IReadOnlyDictionary<string, string> props) => new(props, DistributedDefinition);

    private WorkerConfig(IReadOnlyDictionary<string, string> props, ConfigDef definition)
        : base(definition, props)
    {
        var warnings = new List<string>();
        foreach (var key in props.Keys)
        {
            if (key.StartsWith("internal.", StringComparison.Ordinal))
            {
                warnings.Add($"The worker has been configured with the property '{key}'. Internal converters and their settings are no longer configurable; it is ignored.");
            }
            else if (!Definition.ConfigKeys.ContainsKey(key) && !HasKnownPrefix(key))
            {
                warnings.Add($"The configuration '{key}' was supplied but isn't a known config.");
            }
        }
        Warnings = warnings;
    }

    /// <summary>Messages about ignored internal.* and unknown keys; the CLI logs them as warnings.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>True when the user set bootstrap.servers (the CLI starts an embedded broker otherwise).</summary>
    public bool HasBootstrapServers => Originals().ContainsKey(BootstrapServers);

    public string BootstrapServersValue => string.Join(",", GetList(BootstrapServers)!);

    public TimeSpan OffsetFlushInterval => TimeSpan.FromMilliseconds(GetLong(OffsetFlushIntervalMs));

    public TimeSpan OffsetFlushTimeout => TimeSpan.FromMilliseconds(GetLong(OffsetFlushTimeoutMs));

    public TimeSpan TaskShutdownTimeout => TimeSpan.FromMilliseconds(GetLong(TaskShutdownGracefulTimeoutMs));

    public bool TopicCreationEnabled => GetBoolean(TopicCreationEnable);

    /// <summary>
    /// Client settings for a client of the worker's: bootstrap.servers, then (for "admin." and the worker's own clients)
    /// the worker's top-level client settings such as security.protocol, ssl.* and sasl.*, then the keys under the prefix.
    /// As in Apache, connectors' producers and consumers take only their "producer."/"consumer." keys, so a secured
    /// cluster needs the security settings repeated under those prefixes.
    /// </summary>
    public Dictionary<string, string> ClientConfig(string prefix)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal) { [BootstrapServers] = BootstrapServersValue };
        if (prefix is "admin." or WorkerClientPrefix)
        {
            foreach (var (k, v) in Originals())
            {
                if (k != BootstrapServers && k != "client.id" && s_topLevelClientKeys.Contains(k)) result[k] = v;
            }
        }
        foreach (var (k, v) in OriginalsWithPrefix(prefix))
        {
            result[k] = v;
        }
        return result;
    }

    /// <summary>The prefix that asks <see cref="ClientConfig"/> for the worker's own clients (internal topics, the group).</summary>
    public const string WorkerClientPrefix = "__worker__.";

    // The client settings a worker file may give at the top level for the worker's own clients (Apache passes its
    // originals on; only keys a client knows are kept here, since our clients refuse unknown keys).
    private static readonly HashSet<string> s_topLevelClientKeys = new(
        KafkaConnect.Client.Config.CommonClientConfig.Keys.Select(k => k.Name), StringComparer.Ordinal);

    /// <summary>
    /// "host:port" identifying this worker in statuses: rest.advertised.* if set, else the first listener. An
    /// unspecified listener host (all interfaces) is reported as the machine name, as Apache does.
    /// </summary>
    public string WorkerId(int? boundPort = null)
    {
        var (host, port) = ParseListener(GetList(Listeners) is { Count: > 0 } l ? l[0] : "http://127.0.0.1:8083");
        var advHost = GetString(RestAdvertisedHostName);
        var advPort = Get(RestAdvertisedPort) as int?;
        host = string.IsNullOrEmpty(advHost) ? (host.Length == 0 || host == "0.0.0.0" ? Environment.MachineName : host) : advHost;
        port = advPort ?? boundPort ?? port;
        return $"{host}:{port}";
    }

    /// <summary>Splits "http://host:port" into host and port (host empty for "http://:8083").</summary>
    public static (string Host, int Port) ParseListener(string listener)
    {
        var s = listener.Trim();
        var scheme = s.IndexOf("://", StringComparison.Ordinal);
        var defaultPort = s.StartsWith("https", StringComparison.OrdinalIgnoreCase) ? 443 : 80;
        if (scheme >= 0)
        {
            s = s[(scheme + 3)..];
        }
        s = s.TrimEnd('/');
        var colon = s.LastIndexOf(':');
        if (colon < 0 || s.EndsWith(']'))
        {
            return (s.Trim('[', ']'), defaultPort);
        }
        var port = int.TryParse(s.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p)
            ? p
            : throw new KafkaConnect.Connect.Errors.ConfigException(Listeners, listener, "Could not parse the port");
        return (s[..colon].Trim('[', ']'), port);
    }

    private static bool HasKnownPrefix(string key)
    {
        foreach (var prefix in s_clientPrefixes)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    private static ConfigDef Base(ConfigDef def) => def
        .Define(BootstrapServers, ConfigType.List, "localhost:9092", Importance.High,
            "A list of host/port pairs used to establish the initial connection to the Kafka cluster. kconnect standalone starts an embedded broker when this is not set.")
        .Define("client.dns.lookup", ConfigType.String, "use_all_dns_ips", ConfigDef.ValidString.In("use_all_dns_ips", "resolve_canonical_bootstrap_servers_only"),
            Importance.Medium, "Controls how the client uses DNS lookups.")
        .Define(KeyConverter, ConfigType.String, ConfigDef.NoDefaultValue, ConfigDef.NonEmptyString.Instance, Importance.High,
            "Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka (record keys).")
        .Define(ValueConverter, ConfigType.String, ConfigDef.NoDefaultValue, ConfigDef.NonEmptyString.Instance, Importance.High,
            "Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka (record values).")
        .Define(HeaderConverter, ConfigType.String, DefaultHeaderConverter, Importance.Low,
            "HeaderConverter class used to convert between Kafka Connect format and the serialized form that is written to Kafka (record headers).")
        .Define(TaskShutdownGracefulTimeoutMs, ConfigType.Long, 5000L, ConfigDef.Range.AtLeast(0L), Importance.Low,
            "Amount of time to wait for tasks to shutdown gracefully, in total for all tasks.")
        .Define(OffsetFlushIntervalMs, ConfigType.Long, 60000L, ConfigDef.Range.AtLeast(0L), Importance.Low,
            "Interval at which to try committing offsets for tasks.")
        .Define(OffsetFlushTimeoutMs, ConfigType.Long, 5000L, ConfigDef.Range.AtLeast(0L), Importance.Low,
            "Maximum number of milliseconds to wait for records to flush and offset data to be committed before cancelling the process and restoring the offset data to be committed in a future attempt.")
        .Define(Listeners, ConfigType.List, "http://127.0.0.1:8083", Importance.Low,
            "List of comma-separated URIs the REST API will listen on. kconnect binds loopback by default (Apache: all interfaces).")
        .Define(RestAdvertisedHostName, ConfigType.String, null, Importance.Low, "Hostname to give out to other workers to connect to.")
        .Define(RestAdvertisedPort, ConfigType.Int, null, Importance.Low, "Port to give out to other workers to connect to.")
        .Define(RestAdvertisedListener, ConfigType.String, null, Importance.Low, "Advertised listener (HTTP or HTTPS).")
        .Define("access.control.allow.origin", ConfigType.String, "", Importance.Low, "Value to set the Access-Control-Allow-Origin header to for REST API requests.")
        .Define("access.control.allow.methods", ConfigType.String, "", Importance.Low, "Sets the methods supported for cross origin requests.")
        .Define("admin.listeners", ConfigType.List, null, Importance.Low, "Separate listeners for the admin REST API.")
        .Define("rest.extension.classes", ConfigType.List, "", Importance.Low, "ConnectRestExtension classes; only the basic-auth extension is built in (see the REST server's settings).")
        .Define("response.http.headers.config", ConfigType.String, "", Importance.Low, "Rules for REST API HTTP response headers.")
        .Define(PluginPath, ConfigType.List, null, Importance.Low,
            "List of paths separated by commas that contain plugins (each directory's assemblies load into their own context).")
        .Define("plugin.discovery", ConfigType.String, "hybrid_warn", ConfigDef.ValidString.InIgnoringCase("only_scan", "hybrid_warn", "hybrid_fail", "service_load"),
            Importance.Low, "Method to use to discover plugins (accepted; kconnect always scans).")
        .Define(ConfigProviders, ConfigType.List, "", Importance.Low, "Comma-separated names of ConfigProvider classes, loaded and used in the order specified (config.providers.{name}.class and .param.*).")
        .Define(ClientConfigOverridePolicy, ConfigType.String, "All", ConfigDef.ValidString.InIgnoringCase("All", "None", "Principal"), Importance.Medium,
            "Which client configurations connectors may override (producer.override./consumer.override./admin.override.).")
        .Define(TopicCreationEnable, ConfigType.Boolean, true, Importance.Low,
            "Whether to allow automatic creation of topics used by source connectors, when source connectors are configured with `topic.creation.` properties.")
        .Define(Metrics.ConnectMetrics.EnableConfig, ConfigType.Boolean, true, Importance.Low,
            "Whether the worker records Apache's Connect metrics and serves them at GET /metrics (kconnect extension; docs/metrics.md).")
        .Define("metrics.sample.window.ms", ConfigType.Long, 30000L, ConfigDef.Range.AtLeast(1L), Importance.Low, "The window of the *-rate metrics' samples.")
        .Define("metrics.num.samples", ConfigType.Int, 2, ConfigDef.Range.AtLeast(1), Importance.Low, "How many sample windows the *-rate metrics cover.")
        .Define("metrics.recording.level", ConfigType.String, "INFO", Importance.Low, "Metrics recording level (accepted).")
        .Define("metric.reporters", ConfigType.List, "", Importance.Low, "Metric reporter classes (accepted).")
        .Define("auto.include.jmx.reporter", ConfigType.Boolean, true, Importance.Low, "Accepted for compatibility.")
        .Define("client.id", ConfigType.String, "", Importance.Low, "Accepted for compatibility.")
        .Define("exactly.once.source.support", ConfigType.String, "disabled", Importance.High, "Distributed mode only; accepted.")
        .Define("security.protocol", ConfigType.String, "PLAINTEXT", Importance.Medium,
            "Protocol the worker's own clients use with the brokers (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL), with the top-level ssl.* and sasl.* keys; connectors' clients take theirs under producer., consumer. and admin.");
}
