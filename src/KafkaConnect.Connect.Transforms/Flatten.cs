using System.Collections;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Plugins;
using KafkaConnect.Connect.Transforms.Util;

namespace KafkaConnect.Connect.Transforms;

/// <summary>Flattens nested structs/maps into one level, joining names with a delimiter; arrays are left alone.</summary>
public abstract class Flatten : KeyOrValueTransformation
{
    public const string DelimiterConfig = "delimiter";
    private const string Purpose = "flattening";

    private static readonly ConfigDef s_config = new ConfigDef()
        .Define(DelimiterConfig, ConfigType.String, ".", Importance.Medium,
            "Delimiter to insert between field names from the input record when generating field names for the output record");

    private readonly SchemaCache _schemaCache = new();
    private string _delimiter = ".";

    private protected Flatten()
    {
    }

    public override ConfigDef Config() => s_config;

    public override void Configure(IReadOnlyDictionary<string, string> configs) =>
        _delimiter = new AbstractConfig(s_config, configs).GetString(DelimiterConfig)!;

    public override TRecord? Apply<TRecord>(TRecord record)
        where TRecord : class
    {
        var value = OperatingValue(record);
        if (value is null)
        {
            return record;
        }
        var schema = OperatingSchema(record);
        if (schema is null)
        {
            var flattened = new Dictionary<string, object?>(StringComparer.Ordinal);
            FlattenMap(Requirements.RequireMap(value, Purpose), "", flattened);
            return NewRecord(record, null, flattened);
        }
        var input = Requirements.RequireStructOrNull(value, Purpose);
        var updatedSchema = _schemaCache.GetOrAdd(schema, this, static (s, self) =>
        {
            var builder = SchemaUtil.CopySchemaBasics(s, SchemaBuilder.Struct());
            self.BuildSchema(s, "", builder, s.IsOptional, s.DefaultValue as Struct);
            return builder.Build();
        });
        var output = new Struct(updatedSchema);
        FlattenStruct(input, "", output);
        return NewRecord(record, updatedSchema, output);
    }

    private string Name(string prefix, string name) => prefix.Length == 0 ? name : prefix + _delimiter + name;

    private void FlattenMap(IDictionary map, string prefix, Dictionary<string, object?> output)
    {
        foreach (DictionaryEntry entry in map)
        {
            var name = Name(prefix, Requirements.KeyString(entry.Key));
            switch (entry.Value)
            {
                case null:
                case sbyte or short or int or long or float or double or bool or string or byte[] or IList:
                    output[name] = entry.Value;
                    break;
                case IDictionary nested:
                    FlattenMap(nested, name, output);
                    break;
                case Struct:
                    throw new DataException("Flatten transformation does not support " + entry.Value.GetType()
                        + " for record without schemas (for field " + name + ").");
                default:
                    throw new DataException("Flatten transformation was passed a value of type " + entry.Value.GetType()
                        + " which is not supported by Connect's data API");
            }
        }
    }

    private void BuildSchema(Schema schema, string prefix, SchemaBuilder output, bool optional, Struct? parentDefault)
    {
        foreach (var field in schema.Fields)
        {
            var name = Name(prefix, field.Name);
            var fieldOptional = optional || field.Schema.IsOptional;
            var fieldDefault = field.Schema.DefaultValue ?? parentDefault?.Get(field);
            switch (field.Schema.Type)
            {
                case SchemaType.Struct:
                    BuildSchema(field.Schema, name, output, fieldOptional, fieldDefault as Struct);
                    break;
                case SchemaType.Map:
                    throw new DataException("Flatten transformation does not support " + field.Schema.Type.GetName().ToUpperInvariant()
                        + " for record with schemas (for field " + name + ").");
                default:
                    var builder = SchemaUtil.CopySchemaBasics(field.Schema);
                    if (fieldOptional)
                    {
                        builder.Optional();
                    }
                    if (fieldDefault is not null)
                    {
                        builder.DefaultValue(fieldDefault);
                    }
                    output.Field(name, builder.Build());
                    break;
            }
        }
    }

    private void FlattenStruct(Struct? input, string prefix, Struct output)
    {
        if (input is null)
        {
            return;
        }
        foreach (var field in input.Schema.Fields)
        {
            var name = Name(prefix, field.Name);
            switch (field.Schema.Type)
            {
                case SchemaType.Struct:
                    FlattenStruct(input.Get(field) as Struct, name, output);
                    break;
                case SchemaType.Map:
                    throw new DataException("Flatten transformation does not support " + field.Schema.Type.GetName().ToUpperInvariant()
                        + " for record with schemas (for field " + name + ").");
                default:
                    output.Put(name, input.Get(field));
                    break;
            }
        }
    }

    [ConnectPlugin("org.apache.kafka.connect.transforms.Flatten$Key")]
    public sealed class Key : Flatten
    {
        public override bool OperatesOnKey => true;
    }

    [ConnectPlugin("org.apache.kafka.connect.transforms.Flatten$Value")]
    public sealed class Value : Flatten
    {
        public override bool OperatesOnKey => false;
    }
}
