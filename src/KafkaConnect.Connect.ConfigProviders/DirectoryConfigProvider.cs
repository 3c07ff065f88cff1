using System.Text;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Plugins;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.ConfigProviders;

/// <summary>
/// Reads values from a directory of files, such as a mounted Kubernetes secret: in
/// <c>${dir:/var/run/secrets/db:password}</c> the path is the directory and the key a file name in it; the value
/// is the file's whole content (UTF-8, trailing newline included, as in Apache Kafka). Only regular files
/// directly in the directory count (symbolic links are followed; subdirectories and dangling links are ignored).
/// <c>allowed.paths</c> restricts which directories may be read; a path outside it, or one that is not a directory,
/// yields no data with a warning.
/// </summary>
[ConnectPlugin("org.apache.kafka.common.config.provider.DirectoryConfigProvider")]
public sealed class DirectoryConfigProvider : AllowedPathsConfigProvider
{
    // Lenient like Java's new String(bytes, UTF_8): invalid bytes become U+FFFD, a BOM is kept.
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public DirectoryConfigProvider()
        : this(null)
    {
    }

    internal DirectoryConfigProvider(ILogger? log)
        : base(log ?? ConfigProviderLogging.LoggerFactory.CreateLogger<DirectoryConfigProvider>())
    {
    }

    private protected override ConfigData ReadAllowed(string path, string dir, IReadOnlySet<string>? keys)
    {
        if (!Directory.Exists(dir))
        {
            Log.LogWarning("The path {Path} is not a directory", path);
            return ConfigData.Empty;
        }

        string[] entries;
        try
        {
            entries = Directory.GetFileSystemEntries(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.LogError(e, "Could not list directory {Path}", dir);
            throw new ConfigException($"Could not list directory {dir}");
        }

        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            // Keys are matched against the listing, never joined onto the path, so "../x" cannot escape.
            var name = Path.GetFileName(entry);
            if ((keys is not null && !keys.Contains(name)) || !IsRegularFile(entry))
            {
                continue;
            }
            try
            {
                data[name] = s_utf8.GetString(File.ReadAllBytes(entry));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.LogError("Could not read file {Path} for property {Key}: {Reason}", entry, name, e.GetType().Name);
                throw new ConfigException($"Could not read file {entry} for property {name}");
            }
        }
        return new ConfigData(data);
    }

    private static bool IsRegularFile(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is null)
        {
            return info.Exists;
        }
        // Kubernetes secret volumes are symlinks (key -> ..data/key); follow them to the final target.
        try
        {
            return info.ResolveLinkTarget(returnFinalTarget: true) is { Exists: true } target
                && (target.Attributes & FileAttributes.Directory) == 0;
        }
        catch (IOException)
        {
            return false; // a link loop
        }
    }
}
