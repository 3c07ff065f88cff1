using System.Collections;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Plugins;
using KafkaConnect.Connect.Transforms.Util;

namespace KafkaConnect.Connect.Transforms;

/// <summary>Drops (exclude), keeps (include) or renames fields.</summary>
public abstract class ReplaceField : KeyOrValueTransformation
{
    public const string ExcludeConfig = "exclude";
    public const string IncludeConfig = "include";
    public const string RenamesConfig = "renames";
    private const string Purpose = "field replacement";

    private static readonly ConfigDef s_config = new ConfigDef()
        .Define(ExcludeConfig, ConfigType.List, "", Importance.Medium, "Fields to exclude. This takes precedence over the fields to include.")
        .Define("blacklist", ConfigType.List, null, Importance.Low, "Deprecated. Use " + ExcludeConfig + " instead.")
        .Define(IncludeConfig, ConfigType.List, "", Importance.Medium, "Fields to include. If specified, only these fields will be used.")
        .Define("whitelist", ConfigType.List, null, Importance.Low, "Deprecated. Use " + IncludeConfig + " instead.")
        .Define(RenamesConfig, ConfigType.List, "", ConfigDef.LambdaValidator.With(
                static (_, value) => ParseRenameMappings((IReadOnlyList<string>)value!),
                "list of colon-delimited pairs, e.g. <code>foo:bar,abc:xyz</code>"),
            Importance.Medium, "Field rename mappings.")
        .Define(TransformsInfo.ReplaceNullWithDefault, ConfigType.Boolean, true, Importance.Medium, TransformsInfo.ReplaceNullWithDefaultDoc);

    private readonly SchemaCache _schemaCache = new();
    private HashSet<string> _exclude = [];
    private HashSet<string> _include = [];
    private Dictionary<string, string> _renames = [];
    private Dictionary<string, string> _reverseRenames = [];
    private bool _replaceNullWithDefault = true;

    private protected ReplaceField()
    {
    }

    public override ConfigDef Config() => s_config;

    public override void Configure(IReadOnlyDictionary<string, string> configs)
    {
        var config = new AbstractConfig(s_config, TranslateDeprecated(configs));
        _exclude = new HashSet<string>(config.GetList(ExcludeConfig)!, StringComparer.Ordinal);
        _include = new HashSet<string>(config.GetList(IncludeConfig)!, StringComparer.Ordinal);
        _renames = ParseRenameMappings(config.GetList(RenamesConfig)!);
        _reverseRenames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (from, to) in _renames)
        {
            _reverseRenames[to] = from;
        }
        _replaceNullWithDefault = config.GetBoolean(TransformsInfo.ReplaceNullWithDefault);
    }

    // The pre-3.0 names still work in 3.9; the new name wins when both are set.
    private static IReadOnlyDictionary<string, string> TranslateDeprecated(IReadOnlyDictionary<string, string> configs)
    {
        if (!configs.ContainsKey("whitelist") && !configs.ContainsKey("blacklist"))
        {
            return configs;
        }
        var translated = new Dictionary<string, string>(configs, StringComparer.Ordinal);
        if (configs.TryGetValue("whitelist", out var include))
        {
            translated.TryAdd(IncludeConfig, include);
        }
        if (configs.TryGetValue("blacklist", out var exclude))
        {
            translated.TryAdd(ExcludeConfig, exclude);
        }
        return translated;
    }

    internal static Dictionary<string, string> ParseRenameMappings(IReadOnlyList<string> mappings)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var mapping in mappings)
        {
            var parts = SplitLikeJava(mapping, ':');
            if (parts.Length != 2)
            {
                throw new ConfigException(RenamesConfig, mappings, "Invalid rename mapping: " + mapping);
            }
            result[parts[0]] = parts[1];
        }
        return result;
    }

    /// <summary>Java's String.split: trailing empty strings are removed.</summary>
    internal static string[] SplitLikeJava(string text, char separator)
    {
        var parts = text.Split(separator);
        var count = parts.Length;
        while (count > 0 && parts[count - 1].Length == 0)
        {
            count--;
        }
        return count == parts.Length ? parts : parts[..count];
    }

    private bool Keep(string name) => !_exclude.Contains(name) && (_include.Count == 0 || _include.Contains(name));

    private string Renamed(string name) => _renames.TryGetValue(name, out var to) ? to : name;

    private string ReverseRenamed(string name) => _reverseRenames.TryGetValue(name, out var from) ? from : name;

    public override TRecord? Apply<TRecord>(TRecord record)
        where TRecord : class
    {
        var value = OperatingValue(record);
        if (value is null)
        {
            return record;
        }
        if (OperatingSchema(record) is null)
        {
            var map = Requirements.RequireMap(value, Purpose);
            var updated = new Dictionary<string, object?>(map.Count, StringComparer.Ordinal);
            foreach (DictionaryEntry entry in map)
            {
                var name = Requirements.KeyString(entry.Key);
                if (Keep(name))
                {
                    updated[Renamed(name)] = entry.Value;
                }
            }
            return NewRecord(record, null, updated);
        }
        var input = Requirements.RequireStruct(value, Purpose);
        var updatedSchema = _schemaCache.GetOrAdd(input.Schema, this, static (s, self) => self.MakeUpdatedSchema(s));
        var output = new Struct(updatedSchema);
        foreach (var field in updatedSchema.Fields)
        {
            var source = input.Schema.GetField(ReverseRenamed(field.Name))!;
            output.Put(field, FieldValue(input, source, _replaceNullWithDefault));
        }
        return NewRecord(record, updatedSchema, output);
    }

    private Schema MakeUpdatedSchema(Schema schema)
    {
        var builder = SchemaUtil.CopySchemaBasics(schema, SchemaBuilder.Struct());
        foreach (var field in schema.Fields)
        {
            if (Keep(field.Name))
            {
                builder.Field(Renamed(field.Name), field.Schema);
            }
        }
        return builder.Build();
    }

    [ConnectPlugin("org.apache.kafka.connect.transforms.ReplaceField$Key")]
    public sealed class Key : ReplaceField
    {
        public override bool OperatesOnKey => true;
    }

    [ConnectPlugin("org.apache.kafka.connect.transforms.ReplaceField$Value")]
    public sealed class Value : ReplaceField
    {
        public override bool OperatesOnKey => false;
    }
}
