namespace KafkaConnect.Connect.Configuration;

/// <summary>
/// How a configuration string is parsed. Parsed CLR types: Boolean → <c>bool</c>, String → <c>string</c>
/// (trimmed), Int → <c>int</c>, Short → <c>short</c>, Long → <c>long</c>, Double → <c>double</c>,
/// List → <c>IReadOnlyList&lt;string&gt;</c> (comma separated), Class → <c>System.Type</c>,
/// Password → <see cref="Password"/>.
/// </summary>
public enum ConfigType
{
    Boolean,
    String,
    Int,
    Short,
    Long,
    Double,
    List,
    Class,
    Password,
}

/// <summary>How much a user should care about a setting; orders generated documentation.</summary>
public enum Importance
{
    High,
    Medium,
    Low,
}

/// <summary>Hint for UIs on how wide an input box to draw.</summary>
public enum Width
{
    None,
    Short,
    Medium,
    Long,
}

/// <summary>
/// Checks a parsed value. Implementations throw <see cref="Errors.ConfigException"/> naming the key; their
/// <c>ToString</c> appears in the "Valid Values" column of generated docs.
/// </summary>
public interface IValidator
{
    void EnsureValid(string name, object? value);
}

/// <summary>
/// Suggests values and visibility for a setting from the other (already parsed) settings, so UIs can offer
/// choices that depend on earlier answers. Used by <see cref="ConfigDef.Validate"/>.
/// </summary>
public interface IRecommender
{
    IReadOnlyList<object?> ValidValues(string name, IReadOnlyDictionary<string, object?> parsedConfig);

    bool Visible(string name, IReadOnlyDictionary<string, object?> parsedConfig);
}

/// <summary>
/// A secret configuration value. <see cref="ToString"/> returns "[hidden]" so it never leaks into logs,
/// error messages or REST responses; read the secret with <see cref="Value"/>.
/// </summary>
public sealed class Password : IEquatable<Password>
{
    public const string Hidden = "[hidden]";

    public Password(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
    }

    public string Value { get; }

    public override string ToString() => Hidden;

    public bool Equals(Password? other) => other is not null && Value == other.Value;

    public override bool Equals(object? obj) => obj is Password other && Equals(other);

    public override int GetHashCode() => Value.GetHashCode(StringComparison.Ordinal);
}

/// <summary>
/// The validation outcome of one setting, as the REST endpoint
/// <c>PUT /connector-plugins/{plugin}/config/validate</c> reports it.
/// </summary>
public sealed class ConfigValue
{
    private readonly List<string> _errorMessages = [];
    private List<object?> _recommendedValues = [];

    public ConfigValue(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
    }

    public ConfigValue(string name, object? value, IEnumerable<object?> recommendedValues, IEnumerable<string> errorMessages)
        : this(name)
    {
        Value = value;
        _recommendedValues = [.. recommendedValues];
        _errorMessages.AddRange(errorMessages);
    }

    public string Name { get; }

    /// <summary>The parsed value; a <see cref="Password"/> renders as "[hidden]".</summary>
    public object? Value { get; set; }

    public IReadOnlyList<object?> RecommendedValues
    {
        get => _recommendedValues;
        set => _recommendedValues = [.. value];
    }

    public IReadOnlyList<string> ErrorMessages => _errorMessages;

    /// <summary>Whether a UI should show the setting given the other values; true unless a recommender says otherwise.</summary>
    public bool Visible { get; set; } = true;

    public void AddErrorMessage(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        _errorMessages.Add(message);
    }

    public override string ToString() =>
        $"[{Name},{Value?.ToString() ?? "null"},[{string.Join(",", _recommendedValues)}],[{string.Join(",", _errorMessages)}],{(Visible ? "true" : "false")}]";
}

/// <summary>The result of validating a whole configuration: one <see cref="ConfigValue"/> per setting.</summary>
public sealed class Config
{
    public Config(IReadOnlyList<ConfigValue> configValues)
    {
        ArgumentNullException.ThrowIfNull(configValues);
        ConfigValues = configValues;
    }

    public IReadOnlyList<ConfigValue> ConfigValues { get; }

    /// <summary>Total error count, what the REST API reports as <c>error_count</c>.</summary>
    public int ErrorCount => ConfigValues.Sum(v => v.ErrorMessages.Count);
}
