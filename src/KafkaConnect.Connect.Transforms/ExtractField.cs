using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Connectors;
using KafkaConnect.Connect.Plugins;
using KafkaConnect.Connect.Transforms.Field;
using KafkaConnect.Connect.Transforms.Util;

namespace KafkaConnect.Connect.Transforms;

/// <summary>Replaces the key or value with one of its fields (nested with <c>field.syntax.version=V2</c>).</summary>
public abstract class ExtractField : KeyOrValueTransformation
{
    public const string FieldConfig = "field";
    private const string Purpose = "field extraction";

    private static readonly ConfigDef s_config = FieldSyntax.AppendTo(new ConfigDef()
        .Define(FieldConfig, ConfigType.String, ConfigDef.NoDefaultValue, Importance.Medium, "Field name to extract.")
        .Define(TransformsInfo.ReplaceNullWithDefault, ConfigType.Boolean, true, Importance.Medium, TransformsInfo.ReplaceNullWithDefaultDoc));

    private SingleFieldPath _path = new("", FieldSyntaxVersion.V1);
    private string _originalPath = "";
    private bool _replaceNullWithDefault = true;

    private protected ExtractField()
    {
    }

    public override ConfigDef Config() => s_config;

    public override void Configure(IReadOnlyDictionary<string, string> configs)
    {
        var config = new AbstractConfig(s_config, configs);
        _originalPath = config.GetString(FieldConfig)!;
        _path = new SingleFieldPath(_originalPath, FieldSyntax.FromConfig(config));
        _replaceNullWithDefault = config.GetBoolean(TransformsInfo.ReplaceNullWithDefault);
    }

    public override TRecord? Apply<TRecord>(TRecord record)
        where TRecord : class
    {
        var schema = OperatingSchema(record);
        if (schema is null)
        {
            var map = Requirements.RequireMapOrNull(OperatingValue(record), Purpose);
            return NewRecord(record, null, map is null ? null : _path.ValueFrom(map));
        }
        var value = Requirements.RequireStructOrNull(OperatingValue(record), Purpose);
        var field = _path.FieldFrom(schema) ?? throw new ArgumentException("Unknown field: " + _originalPath);
        return NewRecord(record, field.Schema, value is null ? null : _path.ValueFrom(value, _replaceNullWithDefault));
    }

    [ConnectPlugin("org.apache.kafka.connect.transforms.ExtractField$Key")]
    public sealed class Key : ExtractField
    {
        public override bool OperatesOnKey => true;
    }

    [ConnectPlugin("org.apache.kafka.connect.transforms.ExtractField$Value")]
    public sealed class Value : ExtractField
    {
        public override bool OperatesOnKey => false;
    }
}
