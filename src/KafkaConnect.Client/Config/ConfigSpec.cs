using System.Globalization;

namespace KafkaConnect.Client.Config;

public enum ConfigType { String, Int, Long, Double, Boolean, List, Password, Class }

/// <summary>One setting: its Kafka name, type, default (null = required) and documentation.</summary>
public sealed record ConfigKey(string Name, ConfigType Type, string? Default, string Documentation, Func<object, string?>? Validator = null)
{
    /// <summary>A key that must be given (no default).</summary>
    public bool Required => Default is null;
}

/// <summary>A setting was missing, unknown or invalid; the message names the key.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string key, string message) : base($"{key}: {message}") => Key = key;

    public string Key { get; }
}

/// <summary>
/// Declares a component's settings once; parsing and validation (and, later, documentation) derive from it.
/// Values arrive as strings, as in a .properties file.
/// </summary>
public sealed class ConfigSpec
{
    private readonly Dictionary<string, ConfigKey> _keys;

    public ConfigSpec(IEnumerable<ConfigKey> keys) => _keys = keys.ToDictionary(k => k.Name, StringComparer.Ordinal);

    public IEnumerable<ConfigKey> Keys => _keys.Values;

    public ConfigSpec With(IEnumerable<ConfigKey> more) => new(_keys.Values.Concat(more));

    public bool Contains(string name) => _keys.ContainsKey(name);

    /// <summary>
    /// Parses and validates. Unknown keys are an error unless <paramref name="ignoredKeys"/> accepts them (for
    /// example settings meant for another client that share one properties file).
    /// </summary>
    public ConfigValues Parse(IReadOnlyDictionary<string, string> properties, Func<string, bool>? ignoredKeys = null)
    {
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (name, raw) in properties)
        {
            if (!_keys.TryGetValue(name, out var key))
            {
                if (ignoredKeys?.Invoke(name) == true) continue;
                throw new ConfigException(name, "unknown setting.");
            }
            values[name] = Convert(key, raw);
        }
        foreach (var key in _keys.Values)
        {
            if (values.ContainsKey(key.Name)) continue;
            if (key.Required) throw new ConfigException(key.Name, "is required and has no default.");
            values[key.Name] = Convert(key, key.Default!);
        }
        foreach (var key in _keys.Values)
        {
            if (key.Validator?.Invoke(values[key.Name]) is { } problem)
                throw new ConfigException(key.Name, problem);
        }
        return new ConfigValues(values);
    }

    private static object Convert(ConfigKey key, string raw)
    {
        var text = raw.Trim();
        var inv = CultureInfo.InvariantCulture;
        switch (key.Type)
        {
            case ConfigType.Int:
                return int.TryParse(text, NumberStyles.AllowLeadingSign, inv, out var i) ? i : throw Invalid(key, raw, "a whole number (int)");
            case ConfigType.Long:
                return long.TryParse(text, NumberStyles.AllowLeadingSign, inv, out var l) ? l : throw Invalid(key, raw, "a whole number (long)");
            case ConfigType.Double:
                return double.TryParse(text, NumberStyles.Float, inv, out var d) ? d : throw Invalid(key, raw, "a number");
            case ConfigType.Boolean:
                return text.ToLowerInvariant() switch
                {
                    "true" => true,
                    "false" => false,
                    _ => throw Invalid(key, raw, "true or false"),
                };
            case ConfigType.List:
                return (IReadOnlyList<string>)text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            default:
                return text;
        }
    }

    private static ConfigException Invalid(ConfigKey key, string raw, string expected)
        => new(key.Name, $"expected {expected}, got '{raw}'.");

    /// <summary>Validator: the value must lie in [min, max].</summary>
    public static Func<object, string?> Between(long min, long max) => v =>
    {
        var n = System.Convert.ToInt64(v, CultureInfo.InvariantCulture);
        return n < min || n > max ? $"must be between {min} and {max}, got {n}." : null;
    };

    /// <summary>Validator: the value must be one of the given strings (case-insensitive).</summary>
    public static Func<object, string?> OneOf(params string[] allowed) => v =>
        allowed.Contains((string)v, StringComparer.OrdinalIgnoreCase) ? null : $"must be one of {string.Join(", ", allowed)}, got '{v}'.";
}

/// <summary>Parsed settings, typed.</summary>
public sealed class ConfigValues
{
    private readonly Dictionary<string, object> _values;

    internal ConfigValues(Dictionary<string, object> values) => _values = values;

    public string GetString(string key) => (string)_values[key];
    public int GetInt(string key) => (int)_values[key];
    public long GetLong(string key) => (long)_values[key];
    public double GetDouble(string key) => (double)_values[key];
    public bool GetBool(string key) => (bool)_values[key];
    public IReadOnlyList<string> GetList(string key) => (IReadOnlyList<string>)_values[key];
}
