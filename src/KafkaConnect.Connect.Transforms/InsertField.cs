using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Plugins;
using KafkaConnect.Connect.Transforms.Util;

namespace KafkaConnect.Connect.Transforms;

/// <summary>Adds fields from record metadata (topic, partition, offset, timestamp) or a static value.</summary>
public abstract class InsertField : KeyOrValueTransformation
{
    public const string TopicFieldConfig = "topic.field";
    public const string PartitionFieldConfig = "partition.field";
    public const string OffsetFieldConfig = "offset.field";
    public const string TimestampFieldConfig = "timestamp.field";
    public const string StaticFieldConfig = "static.field";
    public const string StaticValueConfig = "static.value";
    private const string Purpose = "field insertion";
    private const string OptionalityDoc = "Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the default).";

    private static readonly Schema s_optionalTimestamp = Data.Timestamp.Builder().Optional().Build();

    private static readonly ConfigDef s_config = new ConfigDef()
        .Define(TopicFieldConfig, ConfigType.String, null, Importance.Medium, "Field name for Kafka topic. " + OptionalityDoc)
        .Define(PartitionFieldConfig, ConfigType.String, null, Importance.Medium, "Field name for Kafka partition. " + OptionalityDoc)
        .Define(OffsetFieldConfig, ConfigType.String, null, Importance.Medium, "Field name for Kafka offset - only applicable to sink connectors.<br/>" + OptionalityDoc)
        .Define(TimestampFieldConfig, ConfigType.String, null, Importance.Medium, "Field name for record timestamp. " + OptionalityDoc)
        .Define(StaticFieldConfig, ConfigType.String, null, Importance.Medium, "Field name for static data field. " + OptionalityDoc)
        .Define(StaticValueConfig, ConfigType.String, null, Importance.Medium, "Static field value, if field name configured.")
        .Define(TransformsInfo.ReplaceNullWithDefault, ConfigType.Boolean, true, Importance.Medium, TransformsInfo.ReplaceNullWithDefaultDoc);

    private readonly SchemaCache _schemaCache = new();
    private Spec? _topic;
    private Spec? _partition;
    private Spec? _offset;
    private Spec? _timestamp;
    private Spec? _static;
    private string? _staticValue;
    private bool _replaceNullWithDefault = true;

    private protected InsertField()
    {
    }

    public override ConfigDef Config() => s_config;

    public override void Configure(IReadOnlyDictionary<string, string> configs)
    {
        var config = new AbstractConfig(s_config, configs);
        _topic = Spec.Parse(config.GetString(TopicFieldConfig));
        _partition = Spec.Parse(config.GetString(PartitionFieldConfig));
        _offset = Spec.Parse(config.GetString(OffsetFieldConfig));
        _timestamp = Spec.Parse(config.GetString(TimestampFieldConfig));
        _static = Spec.Parse(config.GetString(StaticFieldConfig));
        _staticValue = config.GetString(StaticValueConfig);
        _replaceNullWithDefault = config.GetBoolean(TransformsInfo.ReplaceNullWithDefault);
        if (_topic is null && _partition is null && _offset is null && _timestamp is null && _static is null)
        {
            throw new ConfigException("No field insertion configured");
        }
        if (_static is not null && _staticValue is null)
        {
            throw new ConfigException(StaticValueConfig, null, "No value specified for static field: " + _static);
        }
    }

    public override TRecord? Apply<TRecord>(TRecord record)
        where TRecord : class
    {
        var value = OperatingValue(record);
        if (value is null)
        {
            return record;
        }
        return OperatingSchema(record) is null ? ApplySchemaless(record, value) : ApplyWithSchema(record, value);
    }

    private TRecord ApplySchemaless<TRecord>(TRecord record, object value)
        where TRecord : Connectors.ConnectRecord<TRecord>
    {
        var updated = Requirements.CopyMap(Requirements.RequireMap(value, Purpose), 5);
        if (_topic is not null)
        {
            updated[_topic.Name] = record.Topic;
        }
        if (_partition is not null && record.KafkaPartition is { } partition)
        {
            updated[_partition.Name] = partition;
        }
        if (_offset is not null)
        {
            updated[_offset.Name] = Requirements.RequireSinkRecord(record, Purpose).KafkaOffset;
        }
        if (_timestamp is not null && record.Timestamp is { } timestamp)
        {
            updated[_timestamp.Name] = timestamp;
        }
        if (_static is not null && _staticValue is not null)
        {
            updated[_static.Name] = _staticValue;
        }
        return NewRecord(record, null, updated);
    }

    private TRecord ApplyWithSchema<TRecord>(TRecord record, object value)
        where TRecord : Connectors.ConnectRecord<TRecord>
    {
        var input = Requirements.RequireStruct(value, Purpose);
        var updatedSchema = _schemaCache.GetOrAdd(input.Schema, this, static (s, self) => self.MakeUpdatedSchema(s));
        var updated = new Struct(updatedSchema);
        var fields = input.Schema.Fields;
        for (var i = 0; i < fields.Count; i++)
        {
            // Same position in the updated schema: inserted fields are appended.
            updated.Put(updatedSchema.Fields[i], FieldValue(input, fields[i], _replaceNullWithDefault));
        }
        if (_topic is not null)
        {
            updated.Put(_topic.Name, record.Topic);
        }
        if (_partition is not null && record.KafkaPartition is { } partition)
        {
            updated.Put(_partition.Name, partition);
        }
        if (_offset is not null)
        {
            updated.Put(_offset.Name, Requirements.RequireSinkRecord(record, Purpose).KafkaOffset);
        }
        if (_timestamp is not null && record.Timestamp is { } timestamp)
        {
            updated.Put(_timestamp.Name, DateTimeOffset.FromUnixTimeMilliseconds(timestamp));
        }
        if (_static is not null && _staticValue is not null)
        {
            updated.Put(_static.Name, _staticValue);
        }
        return NewRecord(record, updatedSchema, updated);
    }

    private Schema MakeUpdatedSchema(Schema schema)
    {
        var builder = SchemaUtil.CopySchemaBasics(schema, SchemaBuilder.Struct());
        foreach (var field in schema.Fields)
        {
            builder.Field(field.Name, field.Schema);
        }
        if (_topic is not null)
        {
            builder.Field(_topic.Name, _topic.Optional ? Schema.OptionalStringSchema : Schema.StringSchema);
        }
        if (_partition is not null)
        {
            builder.Field(_partition.Name, _partition.Optional ? Schema.OptionalInt32Schema : Schema.Int32Schema);
        }
        if (_offset is not null)
        {
            builder.Field(_offset.Name, _offset.Optional ? Schema.OptionalInt64Schema : Schema.Int64Schema);
        }
        if (_timestamp is not null)
        {
            builder.Field(_timestamp.Name, _timestamp.Optional ? s_optionalTimestamp : Data.Timestamp.Schema);
        }
        if (_static is not null)
        {
            builder.Field(_static.Name, _static.Optional ? Schema.OptionalStringSchema : Schema.StringSchema);
        }
        return builder.Build();
    }

    private sealed record Spec(string Name, bool Optional)
    {
        // "name?" is optional (also the default), "name!" required.
        public static Spec? Parse(string? spec) => spec switch
        {
            null => null,
            _ when spec.EndsWith('?') => new Spec(spec[..^1], true),
            _ when spec.EndsWith('!') => new Spec(spec[..^1], false),
            _ => new Spec(spec, true),
        };

        public override string ToString() => $"InsertionSpec{{name={Name}, optional={(Optional ? "true" : "false")}}}";
    }

    [ConnectPlugin("org.apache.kafka.connect.transforms.InsertField$Key")]
    public sealed class Key : InsertField
    {
        public override bool OperatesOnKey => true;
    }

    [ConnectPlugin("org.apache.kafka.connect.transforms.InsertField$Value")]
    public sealed class Value : InsertField
    {
        public override bool OperatesOnKey => false;
    }
}
