using KafkaConnect.Connect.Configuration;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.ConfigProviders;

/// <summary>
/// What the file and directory providers share: the <c>allowed.paths</c> setting, and the rule that an empty path,
/// or one outside the allowed paths, yields no data (the latter with a warning), as in Apache Kafka.
/// </summary>
public abstract class AllowedPathsConfigProvider : IConfigProvider
{
    public const string AllowedPathsConfig = AllowedPaths.ConfigName;

    private static readonly ConfigDef s_config = new ConfigDef()
        .Define(AllowedPathsConfig, ConfigType.String, null, Importance.Medium, AllowedPaths.Documentation);

    private volatile AllowedPaths? _allowedPaths;

    private protected AllowedPathsConfigProvider(ILogger log) => Log = log;

    private protected ILogger Log { get; }

    public void Configure(IReadOnlyDictionary<string, string> configs)
    {
        ArgumentNullException.ThrowIfNull(configs);
        _allowedPaths = new AllowedPaths(configs.GetValueOrDefault(AllowedPathsConfig));
    }

    public ConfigData Get(string path) => Read(path, keys: null);

    public ConfigData Get(string path, IReadOnlySet<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return Read(path, keys);
    }

    public ConfigDef Config() => s_config;

    public void Dispose()
    {
    }

    /// <summary>Reads <paramref name="resolved"/>, the allowed full path of what the caller named <paramref name="path"/>.</summary>
    private protected abstract ConfigData ReadAllowed(string path, string resolved, IReadOnlySet<string>? keys);

    private ConfigData Read(string? path, IReadOnlySet<string>? keys)
    {
        var allowed = _allowedPaths ?? throw new InvalidOperationException("The provider has not been configured yet.");
        if (string.IsNullOrEmpty(path))
        {
            return ConfigData.Empty;
        }
        var resolved = allowed.ParseUntrustedPath(path);
        if (resolved is null)
        {
            Log.LogWarning("The path {Path} is not allowed to be accessed", path);
            return ConfigData.Empty;
        }
        return ReadAllowed(path, resolved, keys);
    }
}
