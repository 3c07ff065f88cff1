using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Plugins;
using KafkaConnect.Connect.Transforms.Util;

namespace KafkaConnect.Connect.Transforms;

/// <summary>Copies or moves key/value fields into headers (fields[i] → headers[i]).</summary>
public abstract class HeaderFrom : KeyOrValueTransformation
{
    public const string FieldsConfig = "fields";
    public const string HeadersConfig = "headers";
    public const string OperationConfig = "operation";

    private static readonly ConfigDef s_config = new ConfigDef()
        .Define(FieldsConfig, ConfigType.List, ConfigDef.NoDefaultValue, NonEmptyListValidator.Instance, Importance.High,
            "Field names in the record whose values are to be copied or moved to headers.")
        .Define(HeadersConfig, ConfigType.List, ConfigDef.NoDefaultValue, NonEmptyListValidator.Instance, Importance.High,
            "Header names, in the same order as the field names listed in the fields configuration property.")
        .Define(OperationConfig, ConfigType.String, ConfigDef.NoDefaultValue, ConfigDef.ValidString.In("move", "copy"), Importance.High,
            "Either <code>move</code> if the fields are to be moved to the headers (removed from the key/value), "
            + "or <code>copy</code> if the fields are to be copied to the headers (retained in the key/value).")
        .Define(TransformsInfo.ReplaceNullWithDefault, ConfigType.Boolean, true, Importance.Medium, TransformsInfo.ReplaceNullWithDefaultDoc);

    private readonly SchemaCache _moveSchemaCache = new();
    private IReadOnlyList<string> _fields = [];
    private IReadOnlyList<string> _headers = [];
    private bool _move;
    private string _operation = "copy";
    private bool _replaceNullWithDefault = true;

    private protected HeaderFrom()
    {
    }

    public override ConfigDef Config() => s_config;

    public override void Configure(IReadOnlyDictionary<string, string> configs)
    {
        var config = new AbstractConfig(s_config, configs);
        _fields = config.GetList(FieldsConfig)!;
        _headers = config.GetList(HeadersConfig)!;
        if (_fields.Count != _headers.Count)
        {
            throw new ConfigException($"'{FieldsConfig}' config must have the same number of elements as '{HeadersConfig}' config.");
        }
        _operation = config.GetString(OperationConfig)!;
        _move = _operation == "move";
        _replaceNullWithDefault = config.GetBoolean(TransformsInfo.ReplaceNullWithDefault);
    }

    public override TRecord? Apply<TRecord>(TRecord record)
        where TRecord : class
    {
        var value = OperatingValue(record);
        var schema = OperatingSchema(record);
        var headers = record.Headers.Duplicate();
        if (schema is null)
        {
            var map = Requirements.RequireMap(value, "header " + _operation);
            var updated = Requirements.CopyMap(map);
            for (var i = 0; i < _fields.Count; i++)
            {
                var fieldValue = Requirements.Get(map, _fields[i]);
                if (_move)
                {
                    updated.Remove(_fields[i]);
                }
                headers.Add(_headers[i], fieldValue, null);
            }
            return NewRecord(record, null, updated, headers);
        }
        var input = Requirements.RequireStruct(value, "header " + _operation);
        Schema updatedSchema;
        Struct updatedValue;
        if (_move)
        {
            updatedSchema = _moveSchemaCache.GetOrAdd(schema, _fields, static (s, fields) =>
            {
                var builder = SchemaUtil.CopySchemaBasics(s, SchemaBuilder.Struct());
                foreach (var field in s.Fields)
                {
                    if (!fields.Contains(field.Name))
                    {
                        builder.Field(field.Name, field.Schema);
                    }
                }
                return builder.Build();
            });
            updatedValue = new Struct(updatedSchema);
            foreach (var field in updatedSchema.Fields)
            {
                updatedValue.Put(field, FieldValue(input, input.Schema.GetField(field.Name)!, _replaceNullWithDefault));
            }
        }
        else
        {
            updatedSchema = schema;
            updatedValue = input;
        }
        for (var i = 0; i < _fields.Count; i++)
        {
            var inputField = input.Schema.GetField(_fields[i]);
            var fieldValue = inputField is null ? null : FieldValue(input, inputField, _replaceNullWithDefault);
            // An unknown field fails the record (Apache fails with a NullPointerException).
            var fieldSchema = schema.GetField(_fields[i])?.Schema
                ?? throw new DataException($"Field {_fields[i]} does not exist in the record schema");
            headers.Add(_headers[i], fieldValue, fieldSchema);
        }
        return NewRecord(record, updatedSchema, updatedValue, headers);
    }

    [ConnectPlugin("org.apache.kafka.connect.transforms.HeaderFrom$Key")]
    public sealed class Key : HeaderFrom
    {
        public override bool OperatesOnKey => true;
    }

    [ConnectPlugin("org.apache.kafka.connect.transforms.HeaderFrom$Value")]
    public sealed class Value : HeaderFrom
    {
        public override bool OperatesOnKey => false;
    }
}
