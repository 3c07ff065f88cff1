using System.Text.RegularExpressions;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Plugins;
using KafkaConnect.Connect.Transforms.Util;

namespace KafkaConnect.Connect.Transforms.Predicates;

/// <summary>True when the whole topic name matches <c>pattern</c>.</summary>
[ConnectPlugin("org.apache.kafka.connect.transforms.predicates.TopicNameMatches")]
public sealed class TopicNameMatches : PredicateBase
{
    public const string PatternConfig = "pattern";

    private static readonly ConfigDef s_config = new ConfigDef()
        .Define(PatternConfig, ConfigType.String, ConfigDef.NoDefaultValue,
            ConfigDef.CompositeValidator.Of(ConfigDef.NonEmptyString.Instance, RegexValidator.Instance), Importance.Medium,
            "A Java regular expression for matching against the name of a record's topic.");

    private Regex? _pattern;
    private string _patternText = "";

    public override ConfigDef Config() => s_config;

    public override void Configure(IReadOnlyDictionary<string, string> configs)
    {
        _patternText = new AbstractConfig(s_config, configs).GetString(PatternConfig)!;
        try
        {
            _pattern = new Regex("^(?:" + _patternText + ")\\z", RegexOptions.CultureInvariant);
        }
        catch (ArgumentException e)
        {
            throw new ConfigException(PatternConfig, _patternText, "entry must be a Java-compatible regular expression: " + e.Message);
        }
    }

    public override bool Test<TRecord>(TRecord record) => _pattern is not null && _pattern.IsMatch(record.Topic);

    public override string ToString() => $"TopicNameMatches{{pattern={_patternText}}}";
}

/// <summary>True when the record has at least one header named <c>name</c>.</summary>
[ConnectPlugin("org.apache.kafka.connect.transforms.predicates.HasHeaderKey")]
public sealed class HasHeaderKey : PredicateBase
{
    public const string NameConfig = "name";

    private static readonly ConfigDef s_config = new ConfigDef()
        .Define(NameConfig, ConfigType.String, ConfigDef.NoDefaultValue, ConfigDef.NonEmptyString.Instance, Importance.Medium, "The header name.");

    private string _name = "";

    public override ConfigDef Config() => s_config;

    public override void Configure(IReadOnlyDictionary<string, string> configs) =>
        _name = new AbstractConfig(s_config, configs).GetString(NameConfig)!;

    public override bool Test<TRecord>(TRecord record)
    {
        foreach (var header in record.Headers)
        {
            if (header.Key == _name)
            {
                return true;
            }
        }
        return false;
    }

    public override string ToString() => $"HasHeaderKey{{name='{_name}'}}";
}

/// <summary>True for tombstones (null value).</summary>
[ConnectPlugin("org.apache.kafka.connect.transforms.predicates.RecordIsTombstone")]
public sealed class RecordIsTombstone : PredicateBase
{
    private static readonly ConfigDef s_config = new();

    public override ConfigDef Config() => s_config;

    public override void Configure(IReadOnlyDictionary<string, string> configs)
    {
    }

    public override bool Test<TRecord>(TRecord record) => record.Value is null;

    public override string ToString() => "RecordIsTombstone{}";
}
