using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Plugins;
using KafkaConnect.Connect.Transforms.Util;

namespace KafkaConnect.Connect.Transforms;

/// <summary>Wraps the key or value in a struct (or map, schemaless) under one field.</summary>
public abstract class HoistField : KeyOrValueTransformation
{
    public const string FieldConfig = "field";

    private static readonly ConfigDef s_config = new ConfigDef()
        .Define(FieldConfig, ConfigType.String, ConfigDef.NoDefaultValue, Importance.Medium,
            "Field name for the single field that will be created in the resulting Struct or Map.");

    private readonly SchemaCache _schemaCache = new();
    private string _fieldName = "";

    private protected HoistField()
    {
    }

    public override ConfigDef Config() => s_config;

    public override void Configure(IReadOnlyDictionary<string, string> configs) =>
        _fieldName = new AbstractConfig(s_config, configs).GetString(FieldConfig)!;

    public override TRecord? Apply<TRecord>(TRecord record)
        where TRecord : class
    {
        var schema = OperatingSchema(record);
        var value = OperatingValue(record);
        if (schema is null)
        {
            return NewRecord(record, null, new Dictionary<string, object?>(1, StringComparer.Ordinal) { [_fieldName] = value });
        }
        var updatedSchema = _schemaCache.GetOrAdd(schema, _fieldName, static (s, name) => SchemaBuilder.Struct().Field(name, s).Build());
        return NewRecord(record, updatedSchema, new Struct(updatedSchema).Put(_fieldName, value));
    }

    [ConnectPlugin("org.apache.kafka.connect.transforms.HoistField$Key")]
    public sealed class Key : HoistField
    {
        public override bool OperatesOnKey => true;
    }

    [ConnectPlugin("org.apache.kafka.connect.transforms.HoistField$Value")]
    public sealed class Value : HoistField
    {
        public override bool OperatesOnKey => false;
    }
}
