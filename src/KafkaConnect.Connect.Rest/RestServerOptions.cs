using System.Net.Security;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Runtime.Metrics;
using KafkaConnect.Security;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.Rest;

/// <summary>Settings of the REST server, read from the worker configuration with <see cref="FromWorkerConfig"/>.</summary>
public sealed record RestServerOptions
{
    public const string ListenersConfig = "listeners";
    public const string AdvertisedHostNameConfig = "rest.advertised.host.name";
    public const string AdvertisedPortConfig = "rest.advertised.port";
    public const string AdvertisedListenerConfig = "rest.advertised.listener";
    public const string AccessControlAllowOriginConfig = "access.control.allow.origin";
    public const string AccessControlAllowMethodsConfig = "access.control.allow.methods";
    public const string RequestTimeoutConfig = "rest.request.timeout.ms";
    public const string AdminListenersConfig = "admin.listeners";
    public const string RestExtensionClassesConfig = "rest.extension.classes";
    public const string ResponseHttpHeadersConfig = "response.http.headers.config";
    public const string JaasFileConfig = BasicAuthenticator.JaasFileProperty;
    public const string UiEnabledConfig = "kconnect.ui.enable";
    public const string OtlpEndpointConfig = "kconnect.metrics.otlp.endpoint";
    public const string OtlpIntervalConfig = "kconnect.metrics.otlp.interval.ms";
    public const string SeriesLimitConfig = "kconnect.metrics.series.limit";
    public const string ListenersHttpsPrefix = "listeners.https.";
    public const string AdminListenersHttpsPrefix = "admin.listeners.https.";
    /// <summary>The name some Connect distributions give <c>ssl.client.auth</c>; accepted as its alias.</summary>
    public const string ClientAuthenticationAlias = "ssl.client.authentication";
    public const string DefaultListener = "http://127.0.0.1:8083";
    private const string ClientAuthKey = "ssl.client.auth";

    /// <summary>The worker settings this server reads, declared once.</summary>
    public static ConfigDef ConfigDef { get; } = new ConfigDef()
        .Define(ListenersConfig, ConfigType.List, DefaultListener, Importance.Low,
            "Comma-separated URIs (http or https) the REST API listens on, e.g. http://127.0.0.1:8083,https://0.0.0.0:8443. An empty host binds every interface; port 0 picks a free port. kconnect binds loopback by default (Apache: all interfaces).")
        .Define(AdvertisedHostNameConfig, ConfigType.String, null, Importance.Low,
            "Host name given to other workers to reach this one, when it differs from the listener's.")
        .Define(AdvertisedPortConfig, ConfigType.Int, null, Importance.Low,
            "Port given to other workers to reach this one, when it differs from the listener's.")
        .Define(AdvertisedListenerConfig, ConfigType.String, null, Importance.Low,
            "Protocol (http or https) of the listener advertised to other workers.")
        .Define(AccessControlAllowOriginConfig, ConfigType.String, "", Importance.Low,
            "Value of Access-Control-Allow-Origin for REST requests: empty disables CORS, * allows any origin, or a comma-separated list of origins.")
        .Define(AccessControlAllowMethodsConfig, ConfigType.String, "", Importance.Low,
            "Methods allowed for cross-origin requests (Access-Control-Allow-Methods); empty means GET,POST,HEAD.")
        .Define(RequestTimeoutConfig, ConfigType.Long, 90_000L, Importance.Low,
            "How long a REST request waits for the worker before answering 500 \"Request timed out\".")
        .Define(AdminListenersConfig, ConfigType.List, null, Importance.Low,
            "Comma-separated URIs (http or https) serving only the /admin endpoints (log levels). Unset: /admin is served on the listeners; empty: /admin is off.")
        .Define(RestExtensionClassesConfig, ConfigType.List, "", Importance.Low,
            $"REST extensions. Only {BasicAuthenticator.ExtensionClass} (HTTP basic authentication from the JAAS file's {BasicAuthenticator.JaasSection} section) is built in; any other class is an error.")
        .Define(ResponseHttpHeadersConfig, ConfigType.String, "", ResponseHeaderRules.Validator, Importance.Low,
            "Headers added to every REST response: comma-separated rules '[action] [header name]:[header value]' with action set, add, setDate or addDate (dates in milliseconds from now); a rule containing a comma goes in double quotes.")
        .Define(JaasFileConfig, ConfigType.String, null, Importance.Low,
            "kconnect only: the JAAS file the basic-auth extension reads, standing in for the JVM system property of the same name (which is also taken from -Djava.security.auth.login.config=... in KAFKA_OPTS; this setting wins).")
        .Define(OtlpEndpointConfig, ConfigType.String, "", Importance.Low,
            "kconnect only: also push the worker's metrics with OpenTelemetry's protocol (OTLP over HTTP/protobuf) to this collector base URL, e.g. http://127.0.0.1:4318 (they go to /v1/metrics). Empty: only when the OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_METRICS_ENDPOINT environment variable names one.")
        .Define(OtlpIntervalConfig, ConfigType.Long, 60_000L, ConfigDef.Range.AtLeast(100), Importance.Low,
            "kconnect only: how often the metrics are pushed over OTLP, in milliseconds.")
        .Define(SeriesLimitConfig, ConfigType.Int, 500, ConfigDef.Range.AtLeast(1), Importance.Low,
            "kconnect only: the most series one metric keeps (labels such as connector, task, client_id, topic, partition); more are folded into one series labelled otel_metric_overflow=\"true\". The exporter reserves memory for them up front, about 10 MB per 1,000 across all metrics.")
        .Define(UiEnabledConfig, ConfigType.Boolean, true, Importance.Low,
            "kconnect only: serve the web UI at /ui on the listeners (behind the same authentication as the REST API).")
        .Define(ConnectMetrics.EnableConfig, ConfigType.Boolean, true, Importance.Low,
            "kconnect only: serve the worker's metrics at GET /metrics in the Prometheus text format (docs/metrics.md).")
        .DefineTls(ListenersHttpsPrefix, "the https listeners")
        .DefineTls(AdminListenersHttpsPrefix, "the https admin listeners");

    public IReadOnlyList<string> Listeners { get; init; } = [DefaultListener];

    public string? AdvertisedHostName { get; init; }

    public int? AdvertisedPort { get; init; }

    public string? AdvertisedListener { get; init; }

    public string AllowOrigin { get; init; } = "";

    public string AllowMethods { get; init; } = "";

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Listeners serving only /admin; null serves /admin on <see cref="Listeners"/>, empty turns it off.</summary>
    public IReadOnlyList<string>? AdminListeners { get; init; }

    /// <summary>Key, trust and protocol settings of the https listeners (needed when one is https).</summary>
    public TlsSettings? Tls { get; init; }

    /// <summary>
    /// TLS settings for requests to other workers (forwarding to the leader, task configs), from the same
    /// <c>listeners.https.ssl.*</c> or <c>ssl.*</c> keys, as Apache's REST client; null when this worker has no https listener.
    /// </summary>
    public TlsSettings? ClientTls { get; init; }

    /// <summary>Key, trust and protocol settings of the https admin listeners.</summary>
    public TlsSettings? AdminTls { get; init; }

    /// <summary><c>response.http.headers.config</c> as written (validated by <see cref="FromWorkerConfig(IReadOnlyDictionary{string, string})"/>).</summary>
    public string ResponseHeaders { get; init; } = "";

    /// <summary>Basic authentication from the basic-auth REST extension; null lets every request in.</summary>
    internal BasicAuthenticator? Authenticator { get; init; }

    /// <summary>Backs /admin/loggers; the CLI passes the registry its logger factory filters with.</summary>
    public LogLevelRegistry? LogLevels { get; init; }

    /// <summary>Where ASP.NET Core's own logs go; none when null.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Serves the web UI at /ui (<c>kconnect.ui.enable</c>).</summary>
    public bool UiEnabled { get; init; } = true;

    /// <summary>The worker's Kafka client settings, for the UI's live view of a topic; the view is off without them.</summary>
    public IReadOnlyDictionary<string, string>? KafkaClientConfig { get; init; }
    /// <summary>Serve GET /metrics (the worker's <see cref="ConnectMetrics"/> meter) in the Prometheus text format.</summary>
    public bool MetricsEnabled { get; init; }

    /// <summary>
    /// Further meters served beside the worker's and its Kafka clients' (the embedded broker's, when the worker hosts
    /// one), by meter name.
    /// </summary>
    public IReadOnlyList<string> ExtraMeters { get; init; } = [];

    /// <summary>Where the metrics are also pushed over OTLP (<c>kconnect.metrics.otlp.endpoint</c>); null: nowhere, unless the OTEL_* variables say.</summary>
    public Uri? OtlpEndpoint { get; init; }

    public TimeSpan OtlpInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The most series one metric keeps (<c>kconnect.metrics.series.limit</c>).</summary>
    public int MetricsSeriesLimit { get; init; } = 500;

    /// <summary>
    /// Reads the REST settings from a worker configuration (other keys are ignored), loading key stores and the
    /// basic-auth files now, so a mistake is a start-up error. The JAAS file may come from <c>KAFKA_OPTS</c>.
    /// </summary>
    /// <exception cref="ConfigException">A REST setting, key store or credentials file is invalid.</exception>
    public static RestServerOptions FromWorkerConfig(IReadOnlyDictionary<string, string> workerConfig) =>
        FromWorkerConfig(workerConfig, Environment.GetEnvironmentVariable("KAFKA_OPTS"));

    /// <summary>As <see cref="FromWorkerConfig(IReadOnlyDictionary{string, string})"/>, with <paramref name="kafkaOpts"/> for the environment's KAFKA_OPTS.</summary>
    /// <exception cref="ConfigException">A REST setting, key store or credentials file is invalid.</exception>
    public static RestServerOptions FromWorkerConfig(IReadOnlyDictionary<string, string> workerConfig, string? kafkaOpts)
    {
        ArgumentNullException.ThrowIfNull(workerConfig);
        var relevant = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in ConfigDef.Names)
        {
            if (workerConfig.TryGetValue(name, out var value))
            {
                relevant[name] = value;
            }
        }
        var config = new AbstractConfig(ConfigDef, relevant);
        var listeners = config.GetList(ListenersConfig) ?? [];
        listeners = listeners.Count == 0 ? [DefaultListener] : listeners;
        var adminListeners = config.GetList(AdminListenersConfig);
        var advertisedPort = config.Get(AdvertisedPortConfig);
        return new RestServerOptions
        {
            Listeners = listeners,
            AdminListeners = adminListeners,
            Tls = HasHttps(listeners) ? LoadTls(workerConfig, ListenersHttpsPrefix) : null,
            ClientTls = HasHttps(listeners) ? LoadTls(workerConfig, ListenersHttpsPrefix, server: false) : null,
            AdminTls = HasHttps(adminListeners) ? LoadTls(workerConfig, AdminListenersHttpsPrefix) : null,
            ResponseHeaders = config.GetString(ResponseHttpHeadersConfig) ?? "",
            Authenticator = LoadExtensions(config.GetList(RestExtensionClassesConfig) ?? [], config.GetString(JaasFileConfig), kafkaOpts),
            AdvertisedHostName = NullIfEmpty(config.GetString(AdvertisedHostNameConfig)),
            AdvertisedPort = advertisedPort is int p ? p : null,
            AdvertisedListener = NullIfEmpty(config.GetString(AdvertisedListenerConfig)),
            AllowOrigin = config.GetString(AccessControlAllowOriginConfig) ?? "",
            AllowMethods = config.GetString(AccessControlAllowMethodsConfig) ?? "",
            RequestTimeout = TimeSpan.FromMilliseconds(config.GetLong(RequestTimeoutConfig)),
            UiEnabled = config.GetBoolean(UiEnabledConfig),
            MetricsEnabled = config.GetBoolean(ConnectMetrics.EnableConfig),
            OtlpEndpoint = ParseOtlpEndpoint(config.GetString(OtlpEndpointConfig)),
            OtlpInterval = TimeSpan.FromMilliseconds(config.GetLong(OtlpIntervalConfig)),
            MetricsSeriesLimit = config.GetInt(SeriesLimitConfig),
        };
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    private static Uri? ParseOtlpEndpoint(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ConfigException(OtlpEndpointConfig, value, "must be an http or https URL such as http://127.0.0.1:4318");
        }
        return uri;
    }

    /// <summary>
    /// The HTTP handler for requests to other workers: with <see cref="ClientTls"/>, https URLs are checked against its
    /// trust store and host name rule, and its key store's certificate is offered; otherwise the system's defaults apply.
    /// </summary>
    public HttpMessageHandler CreateInterWorkerHandler()
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (ClientTls is { } tls)
        {
            handler.SslOptions.EnabledSslProtocols = tls.Protocols;
            if (tls.Key is { } key)
            {
                handler.SslOptions.ClientCertificateContext = SslStreamCertificateContext.Create(key.Certificate, key.Chain, offline: true);
            }
            handler.SslOptions.RemoteCertificateValidationCallback = (sender, cert, _, errors) =>
                tls.ValidateServerCertificate(cert, errors, (sender as SslStream)?.TargetHostName ?? "") is null;
        }
        return handler;
    }

    private static bool HasHttps(IReadOnlyList<string>? listeners) =>
        listeners?.Any(l => l.Trim().StartsWith("https:", StringComparison.OrdinalIgnoreCase)) == true;

    /// <summary>
    /// Apache's rule for an https listener's ssl.* settings: when any key carries <paramref name="prefix"/>, only the
    /// prefixed keys count; otherwise the worker's top-level ssl.* keys do.
    /// </summary>
    /// <exception cref="ConfigException">A key or trust store cannot be loaded (the message names the key).</exception>
    internal static TlsSettings LoadTls(IReadOnlyDictionary<string, string> workerConfig, string prefix, bool server = true)
    {
        var prefixed = workerConfig.Keys.Any(k => k.Length > prefix.Length && k.StartsWith(prefix, StringComparison.Ordinal));
        string Full(string key) => prefixed ? prefix + key : key;
        string? Raw(string key) => workerConfig.TryGetValue(Full(key), out var v) && !string.IsNullOrWhiteSpace(v) ? v : null;
        // ssl.client.auth is Apache's key; the alias is accepted, and an error about it names the one the user wrote.
        var clientAuthKey = Raw(ClientAuthKey) is null && Raw(ClientAuthenticationAlias) is not null ? ClientAuthenticationAlias : ClientAuthKey;
        string? Get(string key)
        {
            if (key != ClientAuthKey)
            {
                return Raw(key);
            }
            var (auth, alias) = (Raw(ClientAuthKey), Raw(ClientAuthenticationAlias));
            if (auth is not null && alias is not null && !auth.Trim().Equals(alias.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                throw new ConfigException($"{Full(ClientAuthKey)}={auth} and {Full(ClientAuthenticationAlias)}={alias} disagree; set one of them.");
            }
            return auth ?? alias;
        }
        string KeyName(string key) => Full(key == ClientAuthKey ? clientAuthKey : key);
        try
        {
            return TlsSettings.Load(Get, server, KeyName);
        }
        catch (SecurityConfigException e)
        {
            throw new ConfigException($"Invalid HTTPS configuration: {e.Message}", e);
        }
    }

    private static BasicAuthenticator? LoadExtensions(IReadOnlyList<string> classes, string? jaasSetting, string? kafkaOpts)
    {
        BasicAuthenticator? authenticator = null;
        foreach (var name in classes)
        {
            // The class name, or its simple name as Apache's plugin aliases allow.
            if (name != BasicAuthenticator.ExtensionClass && name != BasicAuthenticator.ExtensionClass[(BasicAuthenticator.ExtensionClass.LastIndexOf('.') + 1)..])
            {
                throw new ConfigException(RestExtensionClassesConfig, name,
                    $"REST extensions are Java classes and cannot be loaded here; the one built in is {BasicAuthenticator.ExtensionClass}");
            }
            if (authenticator is not null)
            {
                continue;
            }
            var (path, source) = BasicAuthenticator.LocateJaasFile(jaasSetting, kafkaOpts)
                ?? throw new ConfigException($"{RestExtensionClassesConfig} names {name}, which needs a JAAS file with a {BasicAuthenticator.JaasSection} section: "
                    + $"set {JaasFileConfig}=/path/file in the worker configuration or -D{BasicAuthenticator.JaasFileProperty}=/path/file in KAFKA_OPTS.");
            authenticator = BasicAuthenticator.Load(path, source);
        }
        return authenticator;
    }
}

internal static class TlsConfigDefExtensions
{
    /// <summary>Declares Kafka's server ssl.* settings (and the client-auth alias) under <paramref name="prefix"/>, from the one list in KafkaConnect.Security.</summary>
    public static ConfigDef DefineTls(this ConfigDef def, string prefix, string who)
    {
        foreach (var setting in TlsSettings.Settings.Concat(TlsSettings.ServerSettings))
        {
            var type = setting.IsPassword ? ConfigType.Password : setting.IsList ? ConfigType.List : ConfigType.String;
            def.Define(prefix + setting.Name, type, null, Importance.Low,
                $"{setting.Documentation} For {who}; when no {prefix}* key is set, {setting.Name} applies (default {setting.Default ?? "none"}).");
        }
        return def.Define(prefix + RestServerOptions.ClientAuthenticationAlias, ConfigType.String, null, Importance.Low,
            $"Alias of {prefix}ssl.client.auth: none, requested or required (any case).");
    }
}
