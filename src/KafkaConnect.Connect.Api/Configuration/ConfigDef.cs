using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Configuration;

/// <summary>
/// Declares the settings a plugin accepts: type, default, validation, documentation and UI hints. The
/// worker uses it to parse configurations (<see cref="Parse"/>), to answer the REST validate endpoint
/// (<see cref="Validate"/>) and to generate documentation (<see cref="ToMarkdown"/>).
/// Configurations are string-valued dictionaries, as they arrive over REST.
/// </summary>
public sealed partial class ConfigDef
{
    /// <summary>Marks a setting as required: parsing fails when it is absent.</summary>
    public static readonly object NoDefaultValue = new NoDefault();

    private readonly Dictionary<string, ConfigKey> _keys = new(StringComparer.Ordinal);
    private readonly List<ConfigKey> _ordered = [];
    private readonly List<string> _groups = [];

    public ConfigDef()
    {
    }

    /// <summary>A copy of <paramref name="other"/> to extend without changing it.</summary>
    public ConfigDef(ConfigDef other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var key in other._ordered)
        {
            Define(key);
        }
    }

    /// <summary>
    /// Resolves Class settings. Defaults to <see cref="Type.GetType(string)"/> plus a search of loaded
    /// assemblies; the worker replaces it to resolve from plugin load contexts.
    /// </summary>
    public static Func<string, Type?> ClassResolver { get; set; } = DefaultClassResolver;

    public IReadOnlyDictionary<string, ConfigKey> ConfigKeys => _keys;

    /// <summary>Setting names in definition order.</summary>
    public IReadOnlyList<string> Names => _ordered.ConvertAll(k => k.Name);

    /// <summary>Groups in the order they were first used.</summary>
    public IReadOnlyList<string> Groups => _groups;

    public ConfigDef Define(ConfigKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!_keys.TryAdd(key.Name, key))
        {
            throw new ConfigException($"Configuration {key.Name} is defined twice.");
        }
        _ordered.Add(key);
        if (key.Group is not null && !_groups.Contains(key.Group))
        {
            _groups.Add(key.Group);
        }
        return this;
    }

    /// <summary>Defines a setting with every option.</summary>
    /// <param name="defaultValue">Parsed like user input (a string or an already typed value); <see cref="NoDefaultValue"/> makes it required.</param>
    /// <exception cref="ConfigException">Duplicate name, unparsable default, or a default the validator rejects.</exception>
    public ConfigDef Define(
        string name,
        ConfigType type,
        object? defaultValue,
        IValidator? validator,
        Importance importance,
        string? documentation,
        string? group = null,
        int orderInGroup = -1,
        Width width = Width.None,
        string? displayName = null,
        IReadOnlyList<string>? dependents = null,
        IRecommender? recommender = null) =>
        Define(new ConfigKey(name, type, defaultValue, validator, importance, documentation, group, orderInGroup, width,
            displayName, dependents, recommender));

    /// <summary>Defines an optional setting without a validator.</summary>
    public ConfigDef Define(string name, ConfigType type, object? defaultValue, Importance importance, string? documentation) =>
        Define(name, type, defaultValue, null, importance, documentation);

    /// <summary>Defines a required setting.</summary>
    public ConfigDef Define(string name, ConfigType type, Importance importance, string? documentation) =>
        Define(name, type, NoDefaultValue, null, importance, documentation);

    /// <summary>Defines a setting left out of generated documentation.</summary>
    public ConfigDef DefineInternal(string name, ConfigType type, object? defaultValue, Importance importance) =>
        Define(new ConfigKey(name, type, defaultValue, null, importance, string.Empty, internalConfig: true));

    /// <summary>
    /// Copies the settings of <paramref name="child"/> under <paramref name="prefix"/> into this definition
    /// (e.g. "transforms.x." + the transformation's own settings), placing them in <paramref name="group"/>.
    /// </summary>
    public ConfigDef Embed(string prefix, string group, int startingOrderInGroup, ConfigDef child)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(child);
        var order = startingOrderInGroup;
        foreach (var key in child._ordered)
        {
            var dependents = key.Dependents.Count == 0 ? null : key.Dependents.Select(d => prefix + d).ToList();
            Define(new ConfigKey(
                prefix + key.Name, key.Type, key.DefaultValue, key.Validator, key.Importance, key.Documentation, group, order++,
                key.Width, key.DisplayName, dependents, key.Recommender is null ? null : new PrefixedRecommender(prefix, key.Recommender),
                key.InternalConfig));
        }
        return this;
    }

    /// <summary>Default values of the settings that have one, parsed.</summary>
    public IReadOnlyDictionary<string, object?> DefaultValues()
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var key in _ordered)
        {
            if (key.HasDefault)
            {
                result[key.Name] = key.DefaultValue;
            }
        }
        return result;
    }

    /// <summary>
    /// Parses every defined setting, filling in defaults. Undefined keys in <paramref name="props"/> are ignored.
    /// </summary>
    /// <exception cref="ConfigException">The first missing, unparsable or invalid setting, by name.</exception>
    public IReadOnlyDictionary<string, object?> Parse(IReadOnlyDictionary<string, string> props)
    {
        ArgumentNullException.ThrowIfNull(props);
        CheckDependentsDefined();
        var result = new Dictionary<string, object?>(_keys.Count, StringComparer.Ordinal);
        foreach (var key in _ordered)
        {
            result[key.Name] = ParseValue(key, props.TryGetValue(key.Name, out var raw), raw);
        }
        return result;
    }

    /// <summary>
    /// Validates a configuration without throwing: one <see cref="ConfigValue"/> per setting, in definition
    /// order, with parse/validator errors, and recommended values and visibility from recommenders. A setting
    /// is validated after its parent so recommenders see the parent's value.
    /// </summary>
    public IReadOnlyList<ConfigValue> Validate(IReadOnlyDictionary<string, string> props)
    {
        ArgumentNullException.ThrowIfNull(props);
        var values = new Dictionary<string, ConfigValue>(StringComparer.Ordinal);
        var order = new List<ConfigValue>(_ordered.Count);
        foreach (var key in _ordered)
        {
            var value = new ConfigValue(key.Name);
            values[key.Name] = value;
            order.Add(value);
        }
        foreach (var undefined in UndefinedDependents())
        {
            var value = new ConfigValue(undefined);
            value.AddErrorMessage($"{undefined} is referred in the dependents, but not defined.");
            values[undefined] = value;
            order.Add(value);
        }

        var parsed = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var key in _ordered)
        {
            ParseForValidate(key.Name, props, parsed, values);
        }
        var validated = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in _ordered)
        {
            ValidateRecommendations(key.Name, parsed, values, validated);
        }
        return order;
    }

    /// <summary>
    /// Parses one value: strings are trimmed and converted; already typed values of the right kind pass through.
    /// </summary>
    /// <exception cref="ConfigException">Naming <paramref name="name"/> and the offending value.</exception>
    public static object? ParseType(string name, object? value, ConfigType type)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (value is null)
        {
            return null;
        }
        var text = value as string;
        var trimmed = text?.Trim();
        switch (type)
        {
            case ConfigType.Boolean:
                if (value is bool)
                {
                    return value;
                }
                if (trimmed is not null)
                {
                    if (trimmed.Equals("true", StringComparison.OrdinalIgnoreCase))
                    {
                        return true;
                    }
                    if (trimmed.Equals("false", StringComparison.OrdinalIgnoreCase))
                    {
                        return false;
                    }
                }
                throw new ConfigException(name, value, "Expected value to be either true or false");
            case ConfigType.Password:
                return value switch
                {
                    Password => value,
                    string s => new Password(s),
                    _ => throw new ConfigException(name, value, $"Expected value to be a string, but it was a {value.GetType().Name}"),
                };
            case ConfigType.String:
                return trimmed ?? throw new ConfigException(name, value, $"Expected value to be a string, but it was a {value.GetType().Name}");
            case ConfigType.Int:
                return value switch
                {
                    int => value,
                    short s => (int)s,
                    _ when trimmed is not null && int.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) => i,
                    _ => throw new ConfigException(name, value, "Not a number of type INT"),
                };
            case ConfigType.Short:
                return value switch
                {
                    short => value,
                    _ when trimmed is not null && short.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var s) => s,
                    _ => throw new ConfigException(name, value, "Not a number of type SHORT"),
                };
            case ConfigType.Long:
                return value switch
                {
                    long => value,
                    int i => (long)i,
                    short s => (long)s,
                    _ when trimmed is not null && long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => l,
                    _ => throw new ConfigException(name, value, "Not a number of type LONG"),
                };
            case ConfigType.Double:
                return value switch
                {
                    double => value,
                    float f => (double)f,
                    int i => (double)i,
                    long l => (double)l,
                    short s => (double)s,
                    _ when trimmed is not null && double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
                    _ => throw new ConfigException(name, value, "Not a number of type DOUBLE"),
                };
            case ConfigType.List:
                if (trimmed is not null)
                {
                    return trimmed.Length == 0
                        ? (IReadOnlyList<string>)[]
                        : Array.ConvertAll(trimmed.Split(','), e => e.Trim());
                }
                if (value is IEnumerable<string> strings)
                {
                    return strings.ToArray();
                }
                throw new ConfigException(name, value, "Expected a comma separated list.");
            case ConfigType.Class:
                if (value is Type)
                {
                    return value;
                }
                if (trimmed is not null)
                {
                    return ClassResolver(trimmed) ?? throw new ConfigException(name, value, $"Class {trimmed} could not be found.");
                }
                throw new ConfigException(name, value, "Expected a Class instance or class name.");
            default:
                throw new ConfigException($"Unknown type {type} for configuration {name}");
        }
    }

    /// <summary>The string form of a parsed value, the inverse of <see cref="ParseType"/>; passwords give their secret.</summary>
    public static string? ConvertToString(object? parsedValue, ConfigType type) => parsedValue switch
    {
        null => null,
        Password p => p.Value,
        bool b => b ? "true" : "false",
        Type t => $"{t.FullName}, {t.Assembly.GetName().Name}",
        IEnumerable<string> list when type == ConfigType.List => string.Join(",", list),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => parsedValue.ToString(),
    };

    /// <summary>
    /// Renders a Markdown table of the non-internal settings, ordered by group and order within group, then
    /// required before optional, then importance, then name.
    /// </summary>
    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.Append("| Name | Description | Type | Default | Valid Values | Importance |\n");
        sb.Append("|------|-------------|------|---------|--------------|------------|\n");
        foreach (var key in SortedForDocs())
        {
            sb.Append("| `").Append(key.Name).Append("` | ")
                .Append(EscapeCell(key.Documentation ?? string.Empty)).Append(" | ")
                .Append(key.Type.ToString().ToLowerInvariant()).Append(" | ")
                .Append(EscapeCell(DocDefault(key))).Append(" | ")
                .Append(EscapeCell(key.Validator?.ToString() ?? string.Empty)).Append(" | ")
                .Append(key.Importance.ToString().ToLowerInvariant()).Append(" |\n");
        }
        return sb.ToString();
    }

    private List<ConfigKey> SortedForDocs()
    {
        var keys = _ordered.FindAll(k => !k.InternalConfig);
        keys.Sort((a, b) =>
        {
            var cmp = (a.Group, b.Group) switch
            {
                (null, null) => 0,
                (null, _) => -1,
                (_, null) => 1,
                _ => _groups.IndexOf(a.Group).CompareTo(_groups.IndexOf(b.Group)),
            };
            if (cmp == 0)
            {
                cmp = a.OrderInGroup.CompareTo(b.OrderInGroup);
            }
            if (cmp == 0)
            {
                cmp = a.HasDefault.CompareTo(b.HasDefault);
            }
            if (cmp == 0)
            {
                cmp = a.Importance.CompareTo(b.Importance);
            }
            return cmp != 0 ? cmp : string.CompareOrdinal(a.Name, b.Name);
        });
        return keys;
    }

    private static string DocDefault(ConfigKey key)
    {
        if (!key.HasDefault)
        {
            return string.Empty;
        }
        return key.DefaultValue switch
        {
            null => "null",
            Password => Password.Hidden,
            string { Length: 0 } => "\"\"",
            var v => ConvertToString(v, key.Type) ?? "null",
        };
    }

    private static string EscapeCell(string text) =>
        text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\r", string.Empty, StringComparison.Ordinal)
            .Replace("\n", " ", StringComparison.Ordinal);

    private static object? ParseValue(ConfigKey key, bool isSet, string? raw)
    {
        object? value;
        if (isSet)
        {
            value = ParseType(key.Name, raw, key.Type);
        }
        else if (!key.HasDefault)
        {
            throw new ConfigException(MissingMessage(key.Name));
        }
        else
        {
            value = key.DefaultValue;
        }
        key.Validator?.EnsureValid(key.Name, value);
        return value;
    }

    private static string MissingMessage(string name) => $"Missing required configuration \"{name}\" which has no default value.";

    private void ParseForValidate(
        string name,
        IReadOnlyDictionary<string, string> props,
        Dictionary<string, object?> parsed,
        Dictionary<string, ConfigValue> values)
    {
        if (parsed.ContainsKey(name) || !_keys.TryGetValue(name, out var key))
        {
            return;
        }
        var configValue = values[name];
        object? value = null;
        if (props.TryGetValue(name, out var raw))
        {
            try
            {
                value = ParseType(name, raw, key.Type);
            }
            catch (ConfigException e)
            {
                configValue.AddErrorMessage(e.Message);
            }
        }
        else if (!key.HasDefault)
        {
            configValue.AddErrorMessage(MissingMessage(name));
        }
        else
        {
            value = key.DefaultValue;
        }

        // Only run the validator on a value that parsed; a parse error already explains the problem.
        if (key.Validator is not null && configValue.ErrorMessages.Count == 0)
        {
            try
            {
                key.Validator.EnsureValid(name, value);
            }
            catch (ConfigException e)
            {
                configValue.AddErrorMessage(e.Message);
            }
        }
        configValue.Value = value;
        parsed[name] = value;
        foreach (var dependent in key.Dependents)
        {
            ParseForValidate(dependent, props, parsed, values);
        }
    }

    private void ValidateRecommendations(
        string name,
        Dictionary<string, object?> parsed,
        Dictionary<string, ConfigValue> values,
        HashSet<string> validated)
    {
        if (!validated.Add(name) || !_keys.TryGetValue(name, out var key))
        {
            return;
        }
        var configValue = values[name];
        if (key.Recommender is not null)
        {
            try
            {
                var recommended = key.Recommender.ValidValues(name, parsed);
                configValue.RecommendedValues = recommended;
                configValue.Visible = key.Recommender.Visible(name, parsed);
            }
            catch (ConfigException e)
            {
                configValue.AddErrorMessage(e.Message);
            }
        }
        foreach (var dependent in key.Dependents)
        {
            ValidateRecommendations(dependent, parsed, values, validated);
        }
    }

    private List<string> UndefinedDependents()
    {
        var undefined = new List<string>();
        foreach (var key in _ordered)
        {
            foreach (var dependent in key.Dependents)
            {
                if (!_keys.ContainsKey(dependent) && !undefined.Contains(dependent))
                {
                    undefined.Add(dependent);
                }
            }
        }
        return undefined;
    }

    private void CheckDependentsDefined()
    {
        var undefined = UndefinedDependents();
        if (undefined.Count > 0)
        {
            throw new ConfigException($"Some configurations are referred in the dependents, but not defined: {string.Join(",", undefined)}");
        }
    }

    [UnconditionalSuppressMessage("Trimming", "IL2057", Justification = "Class settings name types at run time; the worker resolves plugins through its registry, whose assemblies the native build keeps whole.")]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "As above: only types the build kept resolve.")]
    private static Type? DefaultClassResolver(string name)
    {
        var type = Type.GetType(name, throwOnError: false);
        if (type is not null)
        {
            return type;
        }
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            type = assembly.GetType(name, throwOnError: false);
            if (type is not null)
            {
                return type;
            }
        }
        return null;
    }

    private sealed class NoDefault
    {
        public override string ToString() => "<no default>";
    }

    // An embedded child's recommender sees the child's own (unprefixed) setting names.
    private sealed class PrefixedRecommender(string prefix, IRecommender inner) : IRecommender
    {
        public IReadOnlyList<object?> ValidValues(string name, IReadOnlyDictionary<string, object?> parsedConfig) =>
            inner.ValidValues(Unprefix(name), Unprefixed(parsedConfig));

        public bool Visible(string name, IReadOnlyDictionary<string, object?> parsedConfig) =>
            inner.Visible(Unprefix(name), Unprefixed(parsedConfig));

        private string Unprefix(string name) => name.StartsWith(prefix, StringComparison.Ordinal) ? name[prefix.Length..] : name;

        private Dictionary<string, object?> Unprefixed(IReadOnlyDictionary<string, object?> parsed)
        {
            var result = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var (key, value) in parsed)
            {
                if (key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    result[key[prefix.Length..]] = value;
                }
            }
            return result;
        }
    }
}
