using System.Buffers.Text;
using System.Collections;
using System.Text.Json;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Json;
using ConnectDecimal = KafkaConnect.Connect.Data.Decimal;

namespace KafkaConnect.Connect.JsonSchema;

/// <summary>Connect values to and from the JSON payload, as Confluent's JsonSchemaData.fromConnectData / toConnectData.</summary>
internal sealed partial class JsonSchemaData
{
    /// <summary>
    /// The JSON text of a value, or null where Confluent's mapping yields no JSON node (a null for a required
    /// schema without default), which the converter turns into a null record.
    /// </summary>
    public byte[]? WriteValue(Schema? schema, object? value)
    {
        var output = JsonOutput.Rent();
        try
        {
            return Write(output, schema, value) ? output.ToArray() : null;
        }
        finally
        {
            JsonOutput.Return(output);
        }
    }

    // Returns false (and writes nothing) where Java's mapping returns null: the member is then left out.
    private bool Write(JsonOutput o, Schema? schema, object? value)
    {
        if (value is null)
        {
            if (schema is null)
            {
                return false;
            }
            if (schema.DefaultValue is { } defaultValue && !_config.IgnoreDefaultForNullables)
            {
                return Write(o, schema, defaultValue);
            }
            if (schema.IsOptional)
            {
                o.WriteNull();
                return true;
            }
            return false;
        }
        if (schema?.Name is { } name && TryWriteLogical(o, schema, name, value))
        {
            return true;
        }
        // Schemaless values are typed as JsonConverter types them.
        var type = schema?.Type ?? Json.JsonConverter.InferType(value);
        switch (type)
        {
            case SchemaType.Int8 when value is sbyte v: o.WriteInt64(v); return true;
            case SchemaType.Int16 when value is short v: o.WriteInt64(v); return true;
            case SchemaType.Int32 when value is int v: o.WriteInt64(v); return true;
            case SchemaType.Int64 when value is long v: o.WriteInt64(v); return true;
            case SchemaType.Float32 when value is float v: o.WriteSingle(v); return true;
            case SchemaType.Float64 when value is double v: o.WriteDouble(v); return true;
            case SchemaType.Boolean when value is bool v: o.WriteBoolean(v); return true;
            case SchemaType.String when value is string v: o.WriteString(v); return true;
            case SchemaType.Bytes when value is byte[] v: o.WriteBase64String(v); return true;
            case SchemaType.Bytes when value is ReadOnlyMemory<byte> v: o.WriteBase64String(v.Span); return true;
            case SchemaType.Bytes when value is ArraySegment<byte> v: o.WriteBase64String(v); return true;
            case SchemaType.Bytes when value is decimal v: o.WriteDecimal(v); return true;
            case SchemaType.Array when value is IList list:
                o.WriteByte((byte)'[');
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0)
                    {
                        o.WriteByte((byte)',');
                    }
                    WriteOrNull(o, schema?.ValueSchema, list[i]);
                }
                o.WriteByte((byte)']');
                return true;
            case SchemaType.Map when value is IDictionary map:
                WriteMap(o, schema, map);
                return true;
            case SchemaType.Struct when value is Struct s:
                return WriteStruct(o, schema, s);
        }
        throw new DataException($"Invalid type for {type.ToString().ToUpperInvariant()}: {value.GetType().FullName}");
    }

    // Jackson turns a null element or map value into a JSON null.
    private void WriteOrNull(JsonOutput o, Schema? schema, object? value)
    {
        if (!Write(o, schema, value))
        {
            o.WriteNull();
        }
    }

    private void WriteMap(JsonOutput o, Schema? schema, IDictionary map)
    {
        var objectMode = schema is null
            ? map.Keys.Cast<object?>().All(k => k is string)
            : schema.KeySchema!.Type == SchemaType.String && !schema.KeySchema.IsOptional;
        o.WriteByte(objectMode ? (byte)'{' : (byte)'[');
        var first = true;
        foreach (DictionaryEntry entry in map)
        {
            if (!first)
            {
                o.WriteByte((byte)',');
            }
            first = false;
            if (objectMode)
            {
                o.WriteString(entry.Key as string ?? throw new DataException($"Invalid type for STRING map key: {entry.Key?.GetType().FullName}"));
                o.WriteByte((byte)':');
                WriteOrNull(o, schema?.ValueSchema, entry.Value);
            }
            else
            {
                o.WriteRaw("{\"key\":"u8);
                WriteOrNull(o, schema?.KeySchema, entry.Key);
                o.WriteRaw(",\"value\":"u8);
                WriteOrNull(o, schema?.ValueSchema, entry.Value);
                o.WriteByte((byte)'}');
            }
        }
        o.WriteByte(objectMode ? (byte)'}' : (byte)']');
    }

    private bool WriteStruct(JsonOutput o, Schema? schema, Struct value)
    {
        if (schema is null || !value.Schema.Equals(schema))
        {
            throw new DataException("Mismatching schema.");
        }
        if (IsUnion(schema))
        {
            // A union is held as a struct with one field set: write that one.
            foreach (var field in schema.Fields)
            {
                if (FieldValue(value, field) is { } member)
                {
                    return Write(o, field.Schema, member);
                }
            }
            return Write(o, schema, null);
        }
        o.WriteByte((byte)'{');
        var first = true;
        var names = FieldNames.For(schema);
        foreach (var field in schema.Fields)
        {
            var fieldValue = FieldValue(value, field);
            if (fieldValue is null && !WritesNull(field.Schema))
            {
                continue;
            }
            if (!first)
            {
                o.WriteByte((byte)',');
            }
            first = false;
            o.WriteUtf8String(names[field.Index]);
            o.WriteByte((byte)':');
            Write(o, field.Schema, fieldValue);
        }
        o.WriteByte((byte)'}');
        return true;
    }

    private object? FieldValue(Struct value, Field field) =>
        _config.IgnoreDefaultForNullables ? value.GetWithoutDefault(field.Name) : value.Get(field);

    private bool WritesNull(Schema schema) =>
        (schema.DefaultValue is not null && !_config.IgnoreDefaultForNullables) || schema.IsOptional;

    private bool TryWriteLogical(JsonOutput o, Schema schema, string logicalName, object value)
    {
        if (logicalName == ConnectDecimal.LogicalName)
        {
            var d = value as decimal? ?? throw new DataException("Invalid type for Decimal, expected decimal but was " + value.GetType());
            if (_config.DecimalFormat == DecimalFormat.Numeric)
            {
                o.WriteDecimal(d);
            }
            else
            {
                o.WriteBase64String(ConnectDecimal.FromLogical(schema, d));
            }
            return true;
        }
        long? encoded = (logicalName, value) switch
        {
            (Date.LogicalName, DateOnly date) => Date.FromLogical(schema, date),
            (Date.LogicalName, DateTime dateTime) => Date.FromLogical(schema, dateTime),
            (Time.LogicalName, TimeOnly time) => Time.FromLogical(schema, time),
            (Time.LogicalName, TimeSpan span) => Time.FromLogical(schema, span),
            (Timestamp.LogicalName, DateTimeOffset instant) => Timestamp.FromLogical(schema, instant),
            (Timestamp.LogicalName, DateTime dateTime) => Timestamp.FromLogical(schema, dateTime),
            (Date.LogicalName or Time.LogicalName or Timestamp.LogicalName, _) =>
                throw new DataException($"Invalid type for {logicalName}: {value.GetType().FullName}"),
            _ => null,
        };
        if (encoded is { } number)
        {
            o.WriteInt64(number);
            return true;
        }
        return false;
    }


    // ---- JSON -> Connect ----

    /// <summary>Reads a JSON value for a schema; a default <see cref="JsonElement"/> stands for a missing member.</summary>
    public object? ToConnectData(Schema? schema, JsonElement json)
    {
        var missing = json.ValueKind == JsonValueKind.Undefined;
        if (schema is null)
        {
            return missing ? null : ReadSchemaless(json);
        }
        if (missing || json.ValueKind == JsonValueKind.Null)
        {
            if (schema.DefaultValue is { } defaultValue)
            {
                return defaultValue;
            }
            if (missing || schema.IsOptional)
            {
                return null;
            }
            throw new DataException($"Invalid null value for required {schema.Type.ToString().ToUpperInvariant()} field");
        }
        switch (schema.Name)
        {
            case ConnectDecimal.LogicalName:
                return json.ValueKind switch
                {
                    JsonValueKind.Number => json.GetDecimal(),
                    JsonValueKind.String => ConnectDecimal.ToLogical(schema, Base64Bytes(json, "Decimal")),
                    _ => throw Mismatch("Decimal, underlying representation should be numeric or bytes", json),
                };
            case Date.LogicalName:
                return Date.ToLogical(schema, Int32(json, "Date"));
            case Time.LogicalName:
                return Time.ToLogical(schema, Int32(json, "Time"));
            case Timestamp.LogicalName:
                return Timestamp.ToLogical(schema, Int64(json, "Timestamp"));
        }
        switch (schema.Type)
        {
            case SchemaType.Boolean:
                return json.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => throw Mismatch("BOOLEAN", json),
                };
            case SchemaType.Int8:
                return (sbyte)Ranged(json, sbyte.MinValue, sbyte.MaxValue, "INT8");
            case SchemaType.Int16:
                return (short)Ranged(json, short.MinValue, short.MaxValue, "INT16");
            case SchemaType.Int32:
                return Int32(json, "INT32");
            case SchemaType.Int64:
                return Int64(json, "INT64");
            case SchemaType.Float32:
                return json.ValueKind == JsonValueKind.Number ? json.GetSingle() : throw Mismatch("FLOAT32", json);
            case SchemaType.Float64:
                return json.ValueKind == JsonValueKind.Number ? json.GetDouble() : throw Mismatch("FLOAT64", json);
            case SchemaType.String:
                return json.ValueKind == JsonValueKind.String ? json.GetString() : throw Mismatch("STRING", json);
            case SchemaType.Bytes:
                return json.ValueKind == JsonValueKind.Number ? json.GetDecimal() : Base64Bytes(json, "BYTES");
            case SchemaType.Array:
                if (json.ValueKind != JsonValueKind.Array)
                {
                    throw Mismatch("ARRAY", json);
                }
                var list = new List<object?>(json.GetArrayLength());
                foreach (var element in json.EnumerateArray())
                {
                    list.Add(ToConnectData(schema.ValueSchema, element));
                }
                return list;
            case SchemaType.Map:
                return ReadMap(schema, json);
            case SchemaType.Struct:
                return IsUnion(schema) ? ReadUnion(schema, json) : ReadStruct(schema, json);
            default:
                throw new DataException("Unknown schema type: " + schema.Type);
        }
    }

    private Dictionary<object, object?> ReadMap(Schema schema, JsonElement json)
    {
        var result = new Dictionary<object, object?>();
        if (schema.KeySchema!.Type == SchemaType.String && !schema.KeySchema.IsOptional)
        {
            if (json.ValueKind != JsonValueKind.Object)
            {
                throw new DataException("Maps with string fields should be encoded as JSON objects, but found " + json.ValueKind);
            }
            foreach (var member in json.EnumerateObject())
            {
                result[member.Name] = ToConnectData(schema.ValueSchema, member.Value);
            }
            return result;
        }
        if (json.ValueKind != JsonValueKind.Array)
        {
            throw new DataException("Maps with non-string fields should be encoded as JSON array of objects, but found " + json.ValueKind);
        }
        foreach (var entry in json.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object)
            {
                throw new DataException("Found invalid map entry instead of object: " + entry.ValueKind);
            }
            entry.TryGetProperty(KeyField, out var key);
            entry.TryGetProperty(ValueField, out var value);
            result[ToConnectData(schema.KeySchema, key) ?? throw new DataException("Found a map entry with a null key")] =
                ToConnectData(schema.ValueSchema, value);
        }
        return result;
    }

    private Struct ReadStruct(Schema schema, JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new DataException("Structs should be encoded as JSON objects, but found " + json.ValueKind);
        }
        var result = new Struct(schema);
        // Looked up by cached UTF-8 names: JsonElement would otherwise transcode every name on every record.
        var names = FieldNames.For(schema);
        foreach (var field in schema.Fields)
        {
            json.TryGetProperty(names[field.Index], out var member);
            try
            {
                if (ToConnectData(field.Schema, member) is { } value)
                {
                    result.Put(field, value);
                }
            }
            catch (DataException e) when (!e.Message.StartsWith("Field ", StringComparison.Ordinal))
            {
                throw new DataException($"Field {field.Name}: {e.Message}", e);
            }
        }
        return result;
    }

    // Confluent's choice: the first simple member whose JSON kind fits, else the struct member sharing most property names.
    private Struct ReadUnion(Schema schema, JsonElement json)
    {
        Field? best = null;
        var bestScore = 0;
        foreach (var field in schema.Fields)
        {
            if (FitsSimple(field.Schema, json))
            {
                return new Struct(schema).Put(field, ToConnectData(field.Schema, json));
            }
            var score = MatchStruct(field.Schema, json);
            if (score > bestScore)
            {
                bestScore = score;
                best = field;
            }
        }
        if (best is not null)
        {
            return new Struct(schema).Put(best, ToConnectData(best.Schema, json));
        }
        throw new DataException("Did not find matching oneof field for data");
    }

    private static bool FitsSimple(Schema schema, JsonElement json) => schema.Type switch
    {
        SchemaType.Int8 or SchemaType.Int16 or SchemaType.Int32 or SchemaType.Int64 =>
            json.ValueKind == JsonValueKind.Number && json.TryGetInt64(out _),
        SchemaType.Float32 or SchemaType.Float64 => json.ValueKind == JsonValueKind.Number,
        SchemaType.Boolean => json.ValueKind is JsonValueKind.True or JsonValueKind.False,
        SchemaType.String => json.ValueKind == JsonValueKind.String,
        // Jackson reads fractions as BigDecimal (isBigDecimal) and never makes binary nodes from text.
        SchemaType.Bytes => json.ValueKind == JsonValueKind.Number && !json.TryGetInt64(out _),
        SchemaType.Array => json.ValueKind == JsonValueKind.Array,
        SchemaType.Map => json.ValueKind is JsonValueKind.Object or JsonValueKind.Array,
        _ => false,
    };

    private static int MatchStruct(Schema schema, JsonElement json)
    {
        if (schema.Type != SchemaType.Struct || json.ValueKind != JsonValueKind.Object)
        {
            return 0;
        }
        var score = 0;
        foreach (var field in schema.Fields)
        {
            if (json.TryGetProperty(field.Name, out var child))
            {
                score += 1 + MatchStruct(field.Schema, child);
            }
        }
        return score;
    }

    private static object? ReadSchemaless(JsonElement json)
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.Null: return null;
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            case JsonValueKind.String: return json.GetString();
            case JsonValueKind.Number: return json.TryGetInt64(out var l) ? l : json.GetDouble();
            case JsonValueKind.Array:
                return json.EnumerateArray().Select(ReadSchemaless).ToList();
            case JsonValueKind.Object:
                var map = new Dictionary<object, object?>();
                foreach (var member in json.EnumerateObject())
                {
                    map[member.Name] = ReadSchemaless(member.Value);
                }
                return map;
            default:
                throw new DataException("Unknown JSON value kind " + json.ValueKind);
        }
    }

    private static byte[] Base64Bytes(JsonElement json, string what)
    {
        if (json.ValueKind != JsonValueKind.String)
        {
            throw Mismatch(what, json);
        }
        var text = json.GetString()!;
        var bytes = new byte[Base64.GetMaxDecodedFromUtf8Length(text.Length)];
        if (!Convert.TryFromBase64String(text, bytes, out var written))
        {
            throw new DataException($"Invalid bytes for {what}: not Base64");
        }
        return bytes.AsSpan(0, written).ToArray();
    }

    private static int Int32(JsonElement json, string what) =>
        json.ValueKind == JsonValueKind.Number && json.TryGetInt32(out var v) ? v : throw Mismatch(what + ", underlying representation should be a 32-bit integer", json);

    private static long Int64(JsonElement json, string what) =>
        json.ValueKind == JsonValueKind.Number && json.TryGetInt64(out var v) ? v : throw Mismatch(what + ", underlying representation should be integral", json);

    private static long Ranged(JsonElement json, long min, long max, string what)
    {
        var v = Int64(json, what);
        return v >= min && v <= max ? v : throw new DataException($"Invalid value for {what}: {v} is out of range");
    }

    private static DataException Mismatch(string what, JsonElement json) =>
        new($"Invalid type for {what}: JSON {json.ValueKind} {Truncate(json.GetRawText())}");

    private static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "...";
}
