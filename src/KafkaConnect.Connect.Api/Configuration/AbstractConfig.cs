using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Configuration;

/// <summary>
/// Parsed, typed view of a configuration. Subclass it per plugin (passing the plugin's
/// <see cref="ConfigDef"/>) so settings are parsed and validated once, in the constructor, and read with
/// typed getters afterwards. Tracks which settings were read so unused ones can be reported.
/// </summary>
public class AbstractConfig
{
    private readonly IReadOnlyDictionary<string, string> _originals;
    private readonly IReadOnlyDictionary<string, object?> _values;
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private readonly Lock _usedLock = new();

    /// <exception cref="ConfigException">A setting is missing or invalid.</exception>
    public AbstractConfig(ConfigDef definition, IReadOnlyDictionary<string, string> originals)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(originals);
        Definition = definition;
        _originals = new Dictionary<string, string>(originals, StringComparer.Ordinal);
        _values = definition.Parse(_originals);
    }

    public ConfigDef Definition { get; }

    /// <summary>All parsed values, including defaults.</summary>
    public IReadOnlyDictionary<string, object?> Values => _values;

    /// <summary>The parsed value of a defined setting.</summary>
    /// <exception cref="ConfigException">The setting is not defined.</exception>
    public object? Get(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!_values.TryGetValue(key, out var value))
        {
            throw new ConfigException($"Unknown configuration '{key}'");
        }
        lock (_usedLock)
        {
            _used.Add(key);
        }
        return value;
    }

    public string? GetString(string key) => GetTyped<string>(key);

    public IReadOnlyList<string>? GetList(string key) => GetTyped<IReadOnlyList<string>>(key);

    public Type? GetClass(string key) => GetTyped<Type>(key);

    public Password? GetPassword(string key) => GetTyped<Password>(key);

    /// <exception cref="ConfigException">The setting is unset (null) or not an Int.</exception>
    public int GetInt(string key) => GetValue<int>(key);

    public short GetShort(string key) => GetValue<short>(key);

    public long GetLong(string key) => GetValue<long>(key);

    public double GetDouble(string key) => GetValue<double>(key);

    public bool GetBoolean(string key) => GetValue<bool>(key);

    /// <summary>The configuration exactly as given, including keys the definition does not know.</summary>
    public IReadOnlyDictionary<string, string> Originals() => _originals;

    /// <summary>
    /// Original settings whose key starts with <paramref name="prefix"/>, with the prefix removed by default;
    /// used to pass e.g. "producer." settings on to a client.
    /// </summary>
    public IReadOnlyDictionary<string, string> OriginalsWithPrefix(string prefix, bool strip = true)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in _originals)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal) && key.Length > prefix.Length)
            {
                result[strip ? key[prefix.Length..] : key] = value;
            }
        }
        return result;
    }

    /// <summary>Original keys never read through <see cref="Get"/> (typos, settings for other components).</summary>
    public IReadOnlySet<string> Unused()
    {
        lock (_usedLock)
        {
            var unused = new HashSet<string>(_originals.Keys, StringComparer.Ordinal);
            unused.ExceptWith(_used);
            return unused;
        }
    }

    public override string ToString()
    {
        // Passwords render as [hidden] via Password.ToString.
        var parts = _values.OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => $"\t{e.Key} = {(e.Value is IEnumerable<string> list && e.Value is not string ? "[" + string.Join(", ", list) + "]" : e.Value?.ToString() ?? "null")}");
        return $"{GetType().Name} values: \n" + string.Join("\n", parts);
    }

    private T? GetTyped<T>(string key)
        where T : class => Get(key) switch
        {
            null => null,
            T typed => typed,
            var other => throw new ConfigException($"Configuration '{key}' is a {other.GetType().Name}, not a {typeof(T).Name}"),
        };

    private T GetValue<T>(string key)
        where T : struct => Get(key) switch
        {
            T typed => typed,
            null => throw new ConfigException($"Configuration '{key}' has no value"),
            var other => throw new ConfigException($"Configuration '{key}' is a {other.GetType().Name}, not a {typeof(T).Name}"),
        };
}
