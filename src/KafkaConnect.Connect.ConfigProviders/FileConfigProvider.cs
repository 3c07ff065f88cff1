using System.Text;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Plugins;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.ConfigProviders;

/// <summary>
/// Reads values from a Java properties file: in <c>${file:/etc/kafka/secrets.properties:db.password}</c> the
/// path is the file and the key a property in it. <c>allowed.paths</c> restricts which files may be read; a
/// path outside it yields no data (logged as a warning), as in Apache Kafka. A file that cannot be read is a
/// <see cref="ConfigException"/> naming the path. Files are read on every call, so edits take effect on the
/// next resolution.
/// </summary>
[ConnectPlugin("org.apache.kafka.common.config.provider.FileConfigProvider")]
public sealed class FileConfigProvider : IConfigProvider
{
    public const string AllowedPathsConfig = AllowedPaths.ConfigName;

    private static readonly ConfigDef s_config = new ConfigDef()
        .Define(AllowedPathsConfig, ConfigType.String, null, Importance.Medium, AllowedPaths.Documentation);

    // Strict so a damaged file fails loudly instead of yielding a corrupted secret.
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ILogger _log;
    private volatile AllowedPaths? _allowedPaths;

    public FileConfigProvider()
        : this(null)
    {
    }

    internal FileConfigProvider(ILogger? log) =>
        _log = log ?? ConfigProviderLogging.LoggerFactory.CreateLogger<FileConfigProvider>();

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

    private ConfigData Read(string? path, IReadOnlySet<string>? keys)
    {
        var allowed = _allowedPaths ?? throw new InvalidOperationException("The provider has not been configured yet.");
        if (string.IsNullOrEmpty(path))
        {
            return ConfigData.Empty;
        }
        var filePath = allowed.ParseUntrustedPath(path);
        if (filePath is null)
        {
            _log.LogWarning("The path {Path} is not allowed to be accessed", path);
            return ConfigData.Empty;
        }

        Dictionary<string, string> properties;
        try
        {
            properties = JavaProperties.Parse(s_utf8.GetString(StripBom(File.ReadAllBytes(filePath))));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DecoderFallbackException or FormatException)
        {
            // The inner exception is kept out: a parse error must not carry file content along.
            _log.LogError("Could not read properties from file {Path}: {Reason}", path, e.GetType().Name);
            throw new ConfigException($"Could not read properties from file {path}");
        }

        if (keys is null)
        {
            return new ConfigData(properties);
        }
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (properties.TryGetValue(key, out var value))
            {
                data[key] = value;
            }
        }
        return new ConfigData(data);
    }

    private static ReadOnlySpan<byte> StripBom(byte[] bytes) =>
        bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? bytes.AsSpan(3) : bytes;
}
