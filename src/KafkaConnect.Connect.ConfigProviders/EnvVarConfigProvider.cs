using System.Collections;
using System.Text.RegularExpressions;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Plugins;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.ConfigProviders;

/// <summary>
/// Reads environment variables: <c>${env:DB_PASSWORD}</c> (the path must be empty). <c>allowlist.pattern</c>
/// (KIP-887) is a regular expression a variable's whole name must match to be visible; the default allows all.
/// The environment is captured when the provider is created, as in Apache Kafka.
/// </summary>
[ConnectPlugin("org.apache.kafka.common.config.provider.EnvVarConfigProvider")]
public sealed class EnvVarConfigProvider : IConfigProvider
{
    public const string AllowlistPatternConfig = "allowlist.pattern";

    private static readonly ConfigDef s_config = new ConfigDef()
        .Define(AllowlistPatternConfig, ConfigType.String, null, Importance.Medium,
            "A pattern / regular expression that needs to match for environment variables to be used by this config provider.");

    private readonly ILogger _log;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private volatile Dictionary<string, string>? _visible;

    public EnvVarConfigProvider()
        : this(ReadEnvironment(), null)
    {
    }

    /// <param name="environment">Replaces the process environment, for tests and embedding.</param>
    public EnvVarConfigProvider(IReadOnlyDictionary<string, string> environment)
        : this(environment, null)
    {
    }

    internal EnvVarConfigProvider(IReadOnlyDictionary<string, string> environment, ILogger? log)
    {
        ArgumentNullException.ThrowIfNull(environment);
        _environment = environment;
        _log = log ?? ConfigProviderLogging.LoggerFactory.CreateLogger<EnvVarConfigProvider>();
    }

    /// <exception cref="ConfigException"><c>allowlist.pattern</c> is not a valid regular expression.</exception>
    public void Configure(IReadOnlyDictionary<string, string> configs)
    {
        ArgumentNullException.ThrowIfNull(configs);
        Regex? pattern = null;
        if (configs.TryGetValue(AllowlistPatternConfig, out var source))
        {
            try
            {
                // Java's Matcher.matches(): the whole name must match.
                pattern = new Regex($"^(?:{source})\\z", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                throw new ConfigException(AllowlistPatternConfig, source, e.Message);
            }
        }
        else
        {
            _log.LogInformation("No pattern for environment variables provided. Using default pattern '(.*)'.");
        }

        var visible = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in _environment)
        {
            if (pattern is null || pattern.IsMatch(name))
            {
                visible[name] = value;
            }
        }
        _visible = visible;
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

    private ConfigData Read(string? path, IReadOnlySet<string>? keys)
    {
        if (!string.IsNullOrEmpty(path))
        {
            _log.LogError("Path is not supported for EnvVarConfigProvider, invalid value '{Path}'", path);
            throw new ConfigException($"Path is not supported for EnvVarConfigProvider, invalid value '{path}'");
        }
        var visible = _visible ?? throw new InvalidOperationException("The provider has not been configured yet.");
        if (keys is null)
        {
            return new ConfigData(new Dictionary<string, string>(visible, StringComparer.Ordinal));
        }
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (visible.TryGetValue(key, out var value))
            {
                data[key] = value;
            }
        }
        return new ConfigData(data);
    }

    private static Dictionary<string, string> ReadEnvironment()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && entry.Value is string value)
            {
                result[name] = value;
            }
        }
        return result;
    }
}
