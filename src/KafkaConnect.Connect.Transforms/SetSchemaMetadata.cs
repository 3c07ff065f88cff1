using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Plugins;
using KafkaConnect.Connect.Transforms.Util;

namespace KafkaConnect.Connect.Transforms;

/// <summary>Sets the name and/or version of the key or value schema (structs are rebuilt on the new schema).</summary>
public abstract class SetSchemaMetadata : KeyOrValueTransformation
{
    public const string SchemaNameConfig = "schema.name";
    public const string SchemaVersionConfig = "schema.version";

    private static readonly ConfigDef s_config = new ConfigDef()
        .Define(SchemaNameConfig, ConfigType.String, null, Importance.High, "Schema name to set.")
        .Define(SchemaVersionConfig, ConfigType.Int, null, Importance.High, "Schema version to set.")
        .Define(TransformsInfo.ReplaceNullWithDefault, ConfigType.Boolean, true, Importance.Medium, TransformsInfo.ReplaceNullWithDefaultDoc);

    private string? _schemaName;
    private int? _schemaVersion;
    private bool _replaceNullWithDefault = true;

    private protected SetSchemaMetadata()
    {
    }

    public override ConfigDef Config() => s_config;

    public override void Configure(IReadOnlyDictionary<string, string> configs)
    {
        var config = new AbstractConfig(s_config, configs);
        _schemaName = config.GetString(SchemaNameConfig);
        _schemaVersion = config.Get(SchemaVersionConfig) as int?;
        _replaceNullWithDefault = config.GetBoolean(TransformsInfo.ReplaceNullWithDefault);
        if (_schemaName is null && _schemaVersion is null)
        {
            throw new ConfigException("Neither schema name nor version configured");
        }
    }

    public override TRecord? Apply<TRecord>(TRecord record)
        where TRecord : class
    {
        var value = OperatingValue(record);
        var schema = OperatingSchema(record);
        if (value is null && schema is null)
        {
            return record;
        }
        Requirements.RequireSchema(schema, "updating schema metadata");
        var isMap = schema!.Type == SchemaType.Map;
        var updatedSchema = new ConnectSchema(
            schema.Type,
            schema.IsOptional,
            schema.DefaultValue,
            _schemaName ?? schema.Name,
            _schemaVersion ?? schema.Version,
            schema.Doc,
            schema.Parameters.Count == 0 ? null : new Dictionary<string, string>(schema.Parameters),
            schema.Type == SchemaType.Struct ? [.. schema.Fields] : null,
            isMap ? schema.KeySchema : null,
            isMap || schema.Type == SchemaType.Array ? schema.ValueSchema : null);
        return NewRecord(record, updatedSchema, UpdateSchemaIn(value, updatedSchema));
    }

    private object? UpdateSchemaIn(object? value, Schema updatedSchema)
    {
        if (value is not Struct original)
        {
            return value;
        }
        var updated = new Struct(updatedSchema);
        foreach (var field in updatedSchema.Fields)
        {
            // Both schemas have the same fields; read by name from the original.
            updated.Put(field, FieldValue(original, original.Schema.Fields[field.Index], _replaceNullWithDefault));
        }
        return updated;
    }

    [ConnectPlugin("org.apache.kafka.connect.transforms.SetSchemaMetadata$Key")]
    public sealed class Key : SetSchemaMetadata
    {
        public override bool OperatesOnKey => true;
    }

    [ConnectPlugin("org.apache.kafka.connect.transforms.SetSchemaMetadata$Value")]
    public sealed class Value : SetSchemaMetadata
    {
        public override bool OperatesOnKey => false;
    }
}
