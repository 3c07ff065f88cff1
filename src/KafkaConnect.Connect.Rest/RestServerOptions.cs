using KafkaConnect.Connect.Configuration;
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
    public const string DefaultListener = "http://127.0.0.1:8083";

    /// <summary>The worker settings this server reads, declared once.</summary>
    public static ConfigDef ConfigDef { get; } = new ConfigDef()
        .Define(ListenersConfig, ConfigType.List, DefaultListener, Importance.Low,
            "Comma-separated URIs the REST API listens on, e.g. http://127.0.0.1:8083. An empty host binds every interface; port 0 picks a free port.")
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
            "How long a REST request waits for the worker before answering 500 \"Request timed out\".");

    public IReadOnlyList<string> Listeners { get; init; } = [DefaultListener];

    public string? AdvertisedHostName { get; init; }

    public int? AdvertisedPort { get; init; }

    public string? AdvertisedListener { get; init; }

    public string AllowOrigin { get; init; } = "";

    public string AllowMethods { get; init; } = "";

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Backs /admin/loggers; the CLI passes the registry its logger factory filters with.</summary>
    public LogLevelRegistry? LogLevels { get; init; }

    /// <summary>Where ASP.NET Core's own logs go; none when null.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Reads the REST settings from a worker configuration; other keys are ignored.</summary>
    /// <exception cref="Errors.ConfigException">A REST setting is invalid.</exception>
    public static RestServerOptions FromWorkerConfig(IReadOnlyDictionary<string, string> workerConfig)
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
        var advertisedPort = config.Get(AdvertisedPortConfig);
        return new RestServerOptions
        {
            Listeners = listeners.Count == 0 ? [DefaultListener] : listeners,
            AdvertisedHostName = NullIfEmpty(config.GetString(AdvertisedHostNameConfig)),
            AdvertisedPort = advertisedPort is int p ? p : null,
            AdvertisedListener = NullIfEmpty(config.GetString(AdvertisedListenerConfig)),
            AllowOrigin = config.GetString(AccessControlAllowOriginConfig) ?? "",
            AllowMethods = config.GetString(AccessControlAllowMethodsConfig) ?? "",
            RequestTimeout = TimeSpan.FromMilliseconds(config.GetLong(RequestTimeoutConfig)),
        };
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
