using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.ConfigProviders;

/// <summary>
/// The <c>allowed.paths</c> setting of the file and directory providers (KIP-993): a comma-separated list of
/// absolute, existing paths; a requested path is readable only if, once normalised, it lies at or below one of
/// them. Unset means every path is allowed.
/// </summary>
internal sealed class AllowedPaths
{
    public const string ConfigName = "allowed.paths";
    public const string Documentation =
        "A comma separated list of paths that this config provider is allowed to access. If not set, all paths are allowed.";

    private readonly List<string[]>? _allowed;

    /// <exception cref="ConfigException">An entry is not absolute or does not exist.</exception>
    public AllowedPaths(string? configValue)
    {
        if (string.IsNullOrEmpty(configValue))
        {
            return;
        }
        _allowed = [];
        foreach (var raw in configValue.Split(','))
        {
            // Apache does not trim, so " /a" fails there; trimming only accepts more, and blanks are skipped.
            var entry = raw.Trim();
            if (entry.Length == 0)
            {
                continue;
            }
            if (!Path.IsPathFullyQualified(entry))
            {
                throw new ConfigException($"Path {entry} is not absolute");
            }
            var normalised = Normalise(entry);
            if (!File.Exists(normalised) && !Directory.Exists(normalised))
            {
                throw new ConfigException($"Path {normalised} does not exist");
            }
            _allowed.Add(Segments(normalised));
        }
    }

    public bool IsRestricted => _allowed is not null;

    /// <summary>
    /// The path to read, normalised when a restriction applies, or null when <paramref name="path"/> is outside
    /// every allowed path. Relative paths never match a restriction (the allowed paths are absolute).
    /// </summary>
    public string? ParseUntrustedPath(string path)
    {
        if (_allowed is null)
        {
            return path;
        }
        if (!Path.IsPathFullyQualified(path))
        {
            return null;
        }
        var normalised = Normalise(path);
        var segments = Segments(normalised);
        foreach (var allowed in _allowed)
        {
            if (StartsWith(segments, allowed))
            {
                return normalised;
            }
        }
        return null;
    }

    // Purely lexical, like java.nio.file.Path.normalize: "." and ".." are folded without touching the disk.
    private static string Normalise(string absolutePath) => Path.GetFullPath(absolutePath);

    private static string[] Segments(string normalised) =>
        normalised.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);

    // Whole-segment comparison, so /data/secrets-other is not inside /data/secrets.
    private static bool StartsWith(string[] path, string[] prefix)
    {
        if (prefix.Length > path.Length)
        {
            return false;
        }
        for (var i = 0; i < prefix.Length; i++)
        {
            if (!string.Equals(path[i], prefix[i], StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }
}
