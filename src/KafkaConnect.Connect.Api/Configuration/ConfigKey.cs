namespace KafkaConnect.Connect.Configuration;

/// <summary>The definition of one setting in a <see cref="ConfigDef"/>. The default value is stored parsed.</summary>
public sealed class ConfigKey
{
    public ConfigKey(
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
        IRecommender? recommender = null,
        bool internalConfig = false)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
        Type = type;
        HasDefault = !ReferenceEquals(defaultValue, ConfigDef.NoDefaultValue);
        DefaultValue = HasDefault ? ConfigDef.ParseType(name, defaultValue, type) : ConfigDef.NoDefaultValue;
        Validator = validator;
        Importance = importance;
        Documentation = documentation;
        Group = group;
        OrderInGroup = orderInGroup;
        Width = width;
        DisplayName = displayName ?? name;
        Dependents = dependents ?? [];
        Recommender = recommender;
        InternalConfig = internalConfig;
        // A default the validator rejects would only surface when a user relies on it; fail at definition.
        if (HasDefault && validator is not null)
        {
            validator.EnsureValid(name, DefaultValue);
        }
    }

    public string Name { get; }

    public ConfigType Type { get; }

    /// <summary>The parsed default, or <see cref="ConfigDef.NoDefaultValue"/> for required settings.</summary>
    public object? DefaultValue { get; }

    /// <summary>False for required settings.</summary>
    public bool HasDefault { get; }

    public IValidator? Validator { get; }

    public Importance Importance { get; }

    public string? Documentation { get; }

    public string? Group { get; }

    public int OrderInGroup { get; }

    public Width Width { get; }

    public string DisplayName { get; }

    /// <summary>Settings whose recommended values or visibility depend on this one; validated along with it.</summary>
    public IReadOnlyList<string> Dependents { get; }

    public IRecommender? Recommender { get; }

    /// <summary>Hidden from generated documentation.</summary>
    public bool InternalConfig { get; }
}
