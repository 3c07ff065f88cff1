using System.Collections;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KafkaConnect.Connect.Avro;

// Default values: Connect value → Avro JSON default, and Avro JSON default → Connect value.
public sealed partial class AvroData
{
    private static readonly Encoding s_latin1 = Encoding.Latin1;

    /// <summary>A Connect default as Avro JSON (Confluent's <c>defaultValueFromConnect</c>): bytes as ISO-8859-1 text, logical types as their encoding.</summary>
    internal JsonNode? DefaultValueToJson(Schema schema, object? value)
    {
        if (value is null)
        {
            return null;
        }
        try
        {
            switch (schema.Name)
            {
                case ConnectDecimal.LogicalName:
                    return JsonValue.Create(s_latin1.GetString(ConnectDecimal.FromLogical(schema, (decimal)value)));
                case Date.LogicalName:
                    return JsonValue.Create((long)(value is DateOnly d ? Date.FromLogical(schema, d) : Date.FromLogical(schema, (DateTime)value)));
                case Time.LogicalName:
                    return JsonValue.Create((long)(value is TimeOnly t ? Time.FromLogical(schema, t) : Time.FromLogical(schema, (TimeSpan)value)));
                case Timestamp.LogicalName:
                    return JsonValue.Create(value is DateTimeOffset o ? Timestamp.FromLogical(schema, o) : Timestamp.FromLogical(schema, (DateTime)value));
            }
            switch (schema.Type)
            {
                case SchemaType.Int8: return JsonValue.Create((long)(sbyte)value);
                case SchemaType.Int16: return JsonValue.Create((long)(short)value);
                case SchemaType.Int32: return JsonValue.Create((long)(int)value);
                case SchemaType.Int64: return JsonValue.Create((long)value);
                case SchemaType.Float32: return JsonValue.Create((float)value);
                case SchemaType.Float64: return JsonValue.Create((double)value);
                case SchemaType.Boolean: return JsonValue.Create((bool)value);
                case SchemaType.String: return JsonValue.Create((string)value);
                case SchemaType.Bytes: return JsonValue.Create(s_latin1.GetString((byte[])value));
                case SchemaType.Array:
                {
                    var array = new JsonArray();
                    foreach (var element in (IList)value)
                    {
                        array.Add(DefaultValueToJson(schema.ValueSchema!, element));
                    }
                    return array;
                }
                case SchemaType.Map:
                    if (IsStringKeyedMap(schema, Options.AllowOptionalMapKeys))
                    {
                        var obj = new JsonObject();
                        foreach (DictionaryEntry entry in (IDictionary)value)
                        {
                            obj[(string)entry.Key] = DefaultValueToJson(schema.ValueSchema!, entry.Value);
                        }
                        return obj;
                    }
                    else
                    {
                        var pairs = new JsonArray();
                        foreach (DictionaryEntry entry in (IDictionary)value)
                        {
                            pairs.Add((JsonNode)new JsonArray(DefaultValueToJson(schema.KeySchema!, entry.Key), DefaultValueToJson(schema.ValueSchema!, entry.Value)));
                        }
                        return pairs;
                    }
                case SchemaType.Struct:
                {
                    var isUnion = IsUnionSchema(schema);
                    var obj = new JsonObject();
                    var s = (Struct)value;
                    foreach (var field in schema.Fields)
                    {
                        var fieldValue = DefaultValueToJson(field.Schema, s.Get(field));
                        if (isUnion)
                        {
                            return fieldValue; // Confluent takes the first member's, set or not
                        }
                        obj[ScrubName(field.Name)] = fieldValue;
                    }
                    return obj;
                }
                default:
                    throw new DataException("Unknown schema type:" + schema.Type);
            }
        }
        catch (InvalidCastException)
        {
            throw new DataException($"Invalid type used for default value of {schema.Type} field: {value.GetType()}");
        }
    }

    /// <summary>An Avro JSON default → Connect value for <paramref name="schema"/> (Confluent's <c>defaultValueFromAvro</c>).</summary>
    internal object? DefaultValueFromJson(Schema schema, AvroSchema avroSchema, JsonNode? value)
    {
        var result = DefaultValueFromJsonWithoutLogical(schema, avroSchema, value);
        if (result is null)
        {
            return null;
        }
        return schema.Name switch
        {
            ConnectDecimal.LogicalName => ConnectDecimal.ToLogical(schema, (byte[])result),
            Date.LogicalName => Date.ToLogical(schema, (int)result),
            Time.LogicalName => Time.ToLogical(schema, (int)result),
            Timestamp.LogicalName => Timestamp.ToLogical(schema, (long)result),
            _ => result,
        };
    }

    private object? DefaultValueFromJsonWithoutLogical(Schema schema, AvroSchema avroSchema, JsonNode? value)
    {
        if (value is null || value.GetValueKind() == JsonValueKind.Null)
        {
            return null;
        }
        switch (avroSchema.Type)
        {
            case AvroType.Int:
                return schema.Type switch
                {
                    SchemaType.Int8 => (sbyte)Number(value),
                    SchemaType.Int16 => (short)Number(value),
                    SchemaType.Int32 => (int)Number(value),
                    _ => null,
                };
            case AvroType.Long:
                return value is JsonValue exact && exact.TryGetValue<long>(out var l) ? l : (long)Number(value);
            case AvroType.Float:
                return (float)Number(value);
            case AvroType.Double:
                return Number(value);
            case AvroType.Boolean:
                return value.GetValueKind() == JsonValueKind.True;
            case AvroType.String or AvroType.Enum:
                return value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
            case AvroType.Bytes or AvroType.Fixed:
                return value.GetValueKind() == JsonValueKind.String
                    ? s_latin1.GetBytes(value.GetValue<string>())
                    : throw new DataException("Invalid binary data in default value");
            case AvroType.Array:
            {
                if (value is not JsonArray array || schema.Type != SchemaType.Array)
                {
                    throw new DataException("Invalid JSON for array default value");
                }
                var result = new List<object?>(array.Count);
                foreach (var element in array)
                {
                    result.Add(DefaultValueFromJson(schema.ValueSchema!, avroSchema.ItemSchema!, element));
                }
                return result;
            }
            case AvroType.Map:
            {
                if (value is not JsonObject obj || schema.Type != SchemaType.Map)
                {
                    throw new DataException("Invalid JSON for map default value");
                }
                var result = new Dictionary<object, object?>(obj.Count);
                foreach (var (key, element) in obj)
                {
                    result[key] = DefaultValueFromJson(schema.ValueSchema!, avroSchema.ItemSchema!, element);
                }
                return result;
            }
            case AvroType.Record:
            {
                if (value is not JsonObject obj || schema.Type != SchemaType.Struct)
                {
                    throw new DataException("Invalid JSON for record default value");
                }
                var result = new Struct(schema);
                foreach (var avroField in avroSchema.Fields)
                {
                    var field = schema.GetField(avroField.Name) ?? throw new DataException($"No field {avroField.Name} in {schema}");
                    var converted = obj.TryGetPropertyValue(avroField.Name, out var fieldJson)
                        ? DefaultValueFromJson(field.Schema, avroField.Schema, fieldJson)
                        : field.Schema.DefaultValue;
                    result.Put(field, converted);
                }
                return result;
            }
            case AvroType.Union:
            {
                // A default must match the first member.
                var member = avroSchema.Branches[0];
                if (member.Type == AvroType.Null)
                {
                    return null;
                }
                var memberField = schema.Type == SchemaType.Struct ? schema.GetField(UnionMemberFieldName(member, 0)) : null;
                if (memberField is null)
                {
                    return null;
                }
                var memberValue = DefaultValueFromJson(memberField.Schema, member, value);
                return new Struct(schema).Put(memberField, memberValue);
            }
            default:
                return null;
        }
    }

    private static double Number(JsonNode value) =>
        value is JsonValue v && v.TryGetValue<double>(out var d) ? d
        : value is JsonValue l && l.TryGetValue<long>(out var n) ? n
        : value is JsonValue i && i.TryGetValue<int>(out var k) ? k
        : throw new DataException($"Invalid number in default value: {value.ToJsonString()}");
}
