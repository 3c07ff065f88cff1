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
public sealed class FileConfigProvider : AllowedPathsConfigProvider
{
    // Strict so a damaged file fails loudly instead of yielding a corrupted secret.
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public FileConfigProvider()
        : this(null)
    {
    }

    internal FileConfigProvider(ILogger? log)
        : base(log ?? ConfigProviderLogging.LoggerFactory.CreateLogger<FileConfigProvider>())
    {
    }

    private protected override ConfigData ReadAllowed(string path, string filePath, IReadOnlySet<string>? keys)
    {
        Dictionary<string, string> properties;
        try
        {
            properties = JavaProperties.Parse(s_utf8.GetString(StripBom(File.ReadAllBytes(filePath))));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DecoderFallbackException or FormatException)
        {
            // The inner exception is kept out: a parse error must not carry file content along.
            Log.LogError("Could not read properties from file {Path}: {Reason}", path, e.GetType().Name);
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
