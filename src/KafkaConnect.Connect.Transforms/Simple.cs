using System.Text;
using System.Text.RegularExpressions;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Headers;
using KafkaConnect.Connect.Plugins;
using KafkaConnect.Connect.Transforms.Util;

namespace KafkaConnect.Connect.Transforms;

/// <summary>Replaces the key with a struct (or map) of selected value fields.</summary>
[ConnectPlugin("org.apache.kafka.connect.transforms.ValueToKey")]
public sealed class ValueToKey : TransformationBase
{
    public const string FieldsConfig = "fields";
    private const string Purpose = "copying fields from value to key";

    private static readonly ConfigDef s_config = new ConfigDef()
        .Define(FieldsConfig, ConfigType.List, ConfigDef.NoDefaultValue, NonEmptyListValidator.Instance, Importance.High,
            "Field names on the record value to extract as the record key.")
        .Define(TransformsInfo.ReplaceNullWithDefault, ConfigType.Boolean, true, Importance.Medium, TransformsInfo.ReplaceNullWithDefaultDoc);

    private readonly SchemaCache _schemaCache = new();
    private IReadOnlyList<string> _fields = [];
    private bool _replaceNullWithDefault = true;

    public override ConfigDef Config() => s_config;

    public override void Configure(IReadOnlyDictionary<string, string> configs)
    {
        var config = new AbstractConfig(s_config, configs);
        _fields = config.GetList(FieldsConfig)!;
        _replaceNullWithDefault = config.GetBoolean(TransformsInfo.ReplaceNullWithDefault);
    }

    public override TRecord? Apply<TRecord>(TRecord record)
        where TRecord : class
    {
        if (record.ValueSchema is null)
        {
            var map = Requirements.RequireMap(record.Value, Purpose);
            var key = new Dictionary<string, object?>(_fields.Count, StringComparer.Ordinal);
            foreach (var field in _fields)
            {
                key[field] = Requirements.Get(map, field);
            }
            return record.NewRecord(record.Topic, record.KafkaPartition, null, key, record.ValueSchema, record.Value, record.Timestamp);
        }
        var value = Requirements.RequireStruct(record.Value, Purpose);
        var keySchema = _schemaCache.GetOrAdd(value.Schema, _fields, static (s, fields) =>
        {
            var builder = SchemaBuilder.Struct();
            foreach (var field in fields)
            {
                var source = s.GetField(field) ?? throw new DataException("Field does not exist: " + field);
                builder.Field(field, source.Schema);
            }
            return builder.Build();
        });
        var newKey = new Struct(keySchema);
        foreach (var field in _fields)
        {
            newKey.Put(field, _replaceNullWithDefault ? value.Get(field) : value.GetWithoutDefault(field));
        }
        return record.NewRecord(record.Topic, record.KafkaPartition, keySchema, newKey, value.Schema, value, record.Timestamp);
    }
}

/// <summary>Renames the topic when the whole topic matches a regex; the replacement may use $1 / ${name} groups.</summary>
[ConnectPlugin("org.apache.kafka.connect.transforms.RegexRouter")]
public sealed class RegexRouter : TransformationBase
{
    public const string RegexConfig = "regex";
    public const string ReplacementConfig = "replacement";

    private static readonly ConfigDef s_config = new ConfigDef()
        .Define(RegexConfig, ConfigType.String, ConfigDef.NoDefaultValue, RegexValidator.Instance, Importance.High, "Regular expression to use for matching.")
        .Define(ReplacementConfig, ConfigType.String, ConfigDef.NoDefaultValue, Importance.High, "Replacement string.");

    private Regex _regex = new("(?!)");
    private string _replacement = "";

    public override ConfigDef Config() => s_config;

    public override void Configure(IReadOnlyDictionary<string, string> configs)
    {
        var config = new AbstractConfig(s_config, configs);
        // Java's Matcher.matches() requires the whole topic to match.
        _regex = new Regex("^(?:" + config.GetString(RegexConfig) + ")\\z", RegexOptions.CultureInvariant);
        _replacement = JavaReplacementToNet(config.GetString(ReplacementConfig)!);
    }

    public override TRecord? Apply<TRecord>(TRecord record)
        where TRecord : class
    {
        var match = _regex.Match(record.Topic);
        if (!match.Success)
        {
            return record;
        }
        var topic = match.Result(_replacement);
        return record.NewRecord(topic, record.KafkaPartition, record.KeySchema, record.Key, record.ValueSchema, record.Value, record.Timestamp);
    }

    /// <summary>Java escapes with a backslash (\$ is a literal dollar); .NET doubles the dollar.</summary>
    internal static string JavaReplacementToNet(string replacement)
    {
        var sb = new StringBuilder(replacement.Length);
        for (var i = 0; i < replacement.Length; i++)
        {
            var c = replacement[i];
            if (c == '\\' && i + 1 < replacement.Length)
            {
                var next = replacement[++i];
                sb.Append(next == '$' ? "$$" : next.ToString());
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }
}

/// <summary>Adds a header whose value is a literal parsed like Values.parseString (so "42" is an INT8 header).</summary>
[ConnectPlugin("org.apache.kafka.connect.transforms.InsertHeader")]
public sealed class InsertHeader : TransformationBase
{
    public const string HeaderConfig = "header";
    public const string ValueLiteralConfig = "value.literal";

    private static readonly ConfigDef s_config = new ConfigDef()
        .Define(HeaderConfig, ConfigType.String, ConfigDef.NoDefaultValue, ConfigDef.NonNullValidator.Instance, Importance.High, "The name of the header.")
        .Define(ValueLiteralConfig, ConfigType.String, ConfigDef.NoDefaultValue, ConfigDef.NonNullValidator.Instance, Importance.High,
            "The literal value that is to be set as the header value on all records.");

    private string _header = "";
    private SchemaAndValue _literal = SchemaAndValue.Null;

    public override ConfigDef Config() => s_config;

    public override void Configure(IReadOnlyDictionary<string, string> configs)
    {
        var config = new AbstractConfig(s_config, configs);
        _header = config.GetString(HeaderConfig)!;
        _literal = Values.ParseString(config.GetString(ValueLiteralConfig));
    }

    public override TRecord? Apply<TRecord>(TRecord record)
        where TRecord : class
    {
        var headers = record.Headers.Duplicate();
        headers.Add(_header, _literal);
        return record.NewRecord(record.Topic, record.KafkaPartition, record.KeySchema, record.Key, record.ValueSchema, record.Value, record.Timestamp, headers);
    }
}

/// <summary>Removes every header with one of the configured names.</summary>
[ConnectPlugin("org.apache.kafka.connect.transforms.DropHeaders")]
public sealed class DropHeaders : TransformationBase
{
    public const string HeadersConfig = "headers";

    private static readonly ConfigDef s_config = new ConfigDef()
        .Define(HeadersConfig, ConfigType.List, ConfigDef.NoDefaultValue, NonEmptyListValidator.Instance, Importance.High,
            "The name of the headers to be removed.");

    private HashSet<string> _headers = [];

    public override ConfigDef Config() => s_config;

    public override void Configure(IReadOnlyDictionary<string, string> configs) =>
        _headers = new HashSet<string>(new AbstractConfig(s_config, configs).GetList(HeadersConfig)!, StringComparer.Ordinal);

    public override TRecord? Apply<TRecord>(TRecord record)
        where TRecord : class
    {
        var kept = new List<IHeader>(record.Headers.Count);
        foreach (var header in record.Headers)
        {
            if (!_headers.Contains(header.Key))
            {
                kept.Add(header);
            }
        }
        return record.NewRecord(record.Topic, record.KafkaPartition, record.KeySchema, record.Key, record.ValueSchema, record.Value, record.Timestamp, kept);
    }
}

/// <summary>Drops every record; meant to be used with a predicate.</summary>
[ConnectPlugin("org.apache.kafka.connect.transforms.Filter")]
public sealed class Filter : TransformationBase
{
    private static readonly ConfigDef s_config = new();

    public override ConfigDef Config() => s_config;

    public override void Configure(IReadOnlyDictionary<string, string> configs)
    {
    }

    public override TRecord? Apply<TRecord>(TRecord record)
        where TRecord : class => null;
}
