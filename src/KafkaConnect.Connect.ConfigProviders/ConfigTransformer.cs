using System.Text;
using System.Text.RegularExpressions;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.ConfigProviders;

/// <summary>A <c>${provider:[path:]key}</c> reference found in a configuration value.</summary>
/// <param name="ConfigName">The configuration key whose value holds the reference.</param>
public sealed record ConfigReference(string ConfigName, string Provider, string Path, string Key)
{
    /// <summary>The reference as it would be written (no path part when the path is empty).</summary>
    public string Text => Path.Length == 0 ? $"${{{Provider}:{Key}}}" : $"${{{Provider}:{Path}:{Key}}}";

    public override string ToString() => Text;
}

/// <summary>The outcome of <see cref="ConfigTransformer.Transform"/>.</summary>
public sealed class ConfigTransformerResult
{
    internal ConfigTransformerResult(
        IReadOnlyDictionary<string, string> data,
        IReadOnlyDictionary<string, long> ttls,
        IReadOnlyList<ConfigReference> unresolved)
    {
        Data = data;
        Ttls = ttls;
        Unresolved = unresolved;
    }

    /// <summary>Every input key, with each resolvable reference replaced by its value. Holds secrets: never log it.</summary>
    public IReadOnlyDictionary<string, string> Data { get; }

    /// <summary>
    /// TTL in milliseconds by provider path, for data that expires (keyed by path alone, as in Apache Kafka; the
    /// worker schedules a connector restart after the TTL when <c>config.action.reload=restart</c>).
    /// </summary>
    public IReadOnlyDictionary<string, long> Ttls { get; }

    /// <summary>
    /// References to a configured provider that returned no value for the key (missing file entry, path outside
    /// <c>allowed.paths</c>, ...). They are left in <see cref="Data"/> as written. References to unknown providers
    /// are not listed: they are not references to us (Apache leaves them untouched too).
    /// </summary>
    public IReadOnlyList<ConfigReference> Unresolved { get; }
}

/// <summary>
/// Replaces <c>${provider:[path:]key}</c> references in configuration values with values from
/// <see cref="IConfigProvider"/>s, exactly as Apache Kafka's <c>org.apache.kafka.common.config.ConfigTransformer</c>:
/// same pattern, one <see cref="IConfigProvider.Get(string, IReadOnlySet{string})"/> call per provider and path,
/// unknown providers and missing keys left as written, replacements never re-scanned.
/// </summary>
public sealed partial class ConfigTransformer
{
    private readonly IReadOnlyDictionary<string, IConfigProvider> _providers;

    /// <param name="providers">Provider instances by the name references use (e.g. "file").</param>
    public ConfigTransformer(IReadOnlyDictionary<string, IConfigProvider> providers)
    {
        ArgumentNullException.ThrowIfNull(providers);
        _providers = providers;
    }

    /// <summary>
    /// Apache's <c>ConfigTransformer.DEFAULT_PATTERN</c>: group 1 the provider, group 3 the optional path, group 4
    /// the key. Lazy groups make the first colon end the provider and the next one the path, so
    /// <c>${a:b:c:d}</c> is provider a, path b, key "c:d".
    /// </summary>
    public static Regex DefaultPattern => ReferencePattern();

    /// <summary>Every reference in <paramref name="value"/>, in order of appearance.</summary>
    public static IReadOnlyList<ConfigReference> FindReferences(string configName, string? value)
    {
        var result = new List<ConfigReference>();
        if (value is null)
        {
            return result;
        }
        for (var match = ReferencePattern().Match(value); match.Success; match = match.NextMatch())
        {
            result.Add(ToReference(configName, match));
        }
        return result;
    }

    /// <exception cref="ConfigException">A provider failed (e.g. a referenced file cannot be read); the message
    /// names the provider and path, never a value.</exception>
    public ConfigTransformerResult Transform(IReadOnlyDictionary<string, string> configs)
    {
        ArgumentNullException.ThrowIfNull(configs);

        // Collect the keys wanted per provider and path, so each provider/path is asked once.
        var keysByProvider = new Dictionary<string, Dictionary<string, HashSet<string>>>(StringComparer.Ordinal);
        foreach (var (name, value) in configs)
        {
            if (value is null)
            {
                continue;
            }
            for (var match = ReferencePattern().Match(value); match.Success; match = match.NextMatch())
            {
                var reference = ToReference(name, match);
                if (!keysByProvider.TryGetValue(reference.Provider, out var byPath))
                {
                    keysByProvider[reference.Provider] = byPath = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
                }
                if (!byPath.TryGetValue(reference.Path, out var keys))
                {
                    byPath[reference.Path] = keys = new HashSet<string>(StringComparer.Ordinal);
                }
                keys.Add(reference.Key);
            }
        }

        var lookups = new Dictionary<string, Dictionary<string, IReadOnlyDictionary<string, string>>>(StringComparer.Ordinal);
        var ttls = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (providerName, byPath) in keysByProvider)
        {
            if (!_providers.TryGetValue(providerName, out var provider) || provider is null)
            {
                continue;
            }
            var byPathData = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
            lookups[providerName] = byPathData;
            foreach (var (path, keys) in byPath)
            {
                var data = Fetch(providerName, provider, path, keys);
                if (data.Ttl is >= 0 and var ttl)
                {
                    ttls[path] = ttl;
                }
                byPathData[path] = data.Data;
            }
        }

        var unresolved = new List<ConfigReference>();
        var result = new Dictionary<string, string>(configs.Count, StringComparer.Ordinal);
        foreach (var (name, value) in configs)
        {
            result[name] = Replace(name, value, lookups, unresolved);
        }
        return new ConfigTransformerResult(result, ttls, unresolved);
    }

    private static ConfigData Fetch(string providerName, IConfigProvider provider, string path, HashSet<string> keys)
    {
        try
        {
            return provider.Get(path, keys) ?? ConfigData.Empty;
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            // Provider messages name paths, not values (our providers guarantee it; third-party ones should).
            throw new ConfigException($"Config provider '{providerName}' could not resolve path '{path}': {e.Message}", e);
        }
    }

    private static string Replace(
        string name,
        string value,
        Dictionary<string, Dictionary<string, IReadOnlyDictionary<string, string>>> lookups,
        List<ConfigReference> unresolved)
    {
        if (value is null)
        {
            return value!;
        }
        StringBuilder? builder = null;
        var copied = 0;
        for (var match = ReferencePattern().Match(value); match.Success; match = match.NextMatch())
        {
            var reference = ToReference(name, match);
            if (!lookups.TryGetValue(reference.Provider, out var byPath))
            {
                continue; // unknown provider: left as written
            }
            if (!byPath.TryGetValue(reference.Path, out var data) || !data.TryGetValue(reference.Key, out var replacement))
            {
                unresolved.Add(reference);
                continue;
            }
            builder ??= new StringBuilder(value.Length);
            builder.Append(value, copied, match.Index - copied).Append(replacement);
            copied = match.Index + match.Length;
        }
        if (builder is null)
        {
            return value;
        }
        return builder.Append(value, copied, value.Length - copied).ToString();
    }

    private static ConfigReference ToReference(string configName, Match match) =>
        new(configName, match.Groups[1].Value, match.Groups[3].Success ? match.Groups[3].Value : string.Empty, match.Groups[4].Value);

    [GeneratedRegex(@"\$\{([^}]*?):(([^}]*?):)?([^}]*?)\}", RegexOptions.CultureInvariant)]
    private static partial Regex ReferencePattern();
}
