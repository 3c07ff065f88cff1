using System.Text.Json;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using ConnectDecimal = KafkaConnect.Connect.Data.Decimal;

namespace KafkaConnect.Connect.Json;

/// <summary>
/// Streams JSON straight into Connect values. The reader must be on the value's first token; it is left
/// on the value's last token.
/// </summary>
internal static class JsonValueReader
{
    public static object? Read(ref Utf8JsonReader reader, Schema? schema, bool replaceNullWithDefault)
    {
        if (schema is null)
        {
            return ReadSchemaless(ref reader);
        }
        if (reader.TokenType == JsonTokenType.Null)
        {
            return NullValue(schema, replaceNullWithDefault);
        }
        if (schema.Name is { } logicalName)
        {
            switch (logicalName)
            {
                case ConnectDecimal.LogicalName:
                    return ReadDecimal(ref reader, schema);
                case Date.LogicalName:
                    return Date.ToLogical(schema, ReadInt32(ref reader, "Date"));
                case Time.LogicalName:
                    return Time.ToLogical(schema, ReadInt32(ref reader, "Time"));
                case Timestamp.LogicalName:
                    return Timestamp.ToLogical(schema, ReadInt64(ref reader, "Timestamp"));
            }
        }
        switch (schema.Type)
        {
            case SchemaType.Boolean:
                return reader.TokenType switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False => false,
                    _ => throw Mismatch(schema, ref reader),
                };
            case SchemaType.Int8:
            {
                var v = ReadInt64(ref reader, "INT8");
                return v is >= sbyte.MinValue and <= sbyte.MaxValue ? (sbyte)v : throw OutOfRange(v, "INT8");
            }
            case SchemaType.Int16:
            {
                var v = ReadInt64(ref reader, "INT16");
                return v is >= short.MinValue and <= short.MaxValue ? (short)v : throw OutOfRange(v, "INT16");
            }
            case SchemaType.Int32:
            {
                var v = ReadInt64(ref reader, "INT32");
                return v is >= int.MinValue and <= int.MaxValue ? (int)v : throw OutOfRange(v, "INT32");
            }
            case SchemaType.Int64:
                return ReadInt64(ref reader, "INT64");
            case SchemaType.Float32:
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetSingle(out var f))
                {
                    return f;
                }
                return reader.TokenType == JsonTokenType.String && TryNonFinite(ref reader, out var fd)
                    ? (float)fd
                    : throw Mismatch(schema, ref reader);
            case SchemaType.Float64:
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var d))
                {
                    return d;
                }
                return reader.TokenType == JsonTokenType.String && TryNonFinite(ref reader, out var dd)
                    ? dd
                    : throw Mismatch(schema, ref reader);
            case SchemaType.String:
                return reader.TokenType == JsonTokenType.String ? reader.GetString() : throw Mismatch(schema, ref reader);
            case SchemaType.Bytes:
                if (reader.TokenType == JsonTokenType.String && reader.TryGetBytesFromBase64(out var bytes))
                {
                    return bytes;
                }
                throw new DataException($"Invalid bytes field: expected a base64 string but found {Describe(ref reader)}");
            case SchemaType.Array:
                return ReadArray(ref reader, schema, replaceNullWithDefault);
            case SchemaType.Map:
                return ReadMap(ref reader, schema, replaceNullWithDefault);
            case SchemaType.Struct:
                return ReadStruct(ref reader, schema, replaceNullWithDefault);
            default:
                throw new DataException("Unknown schema type: " + schema.Type);
        }
    }

    public static object? NullValue(Schema schema, bool replaceNullWithDefault)
    {
        if (schema.DefaultValue is { } defaultValue && replaceNullWithDefault)
        {
            return defaultValue; // already in logical form
        }
        if (schema.IsOptional)
        {
            return null;
        }
        throw new DataException($"Invalid null value for required {schema.Type.GetName().ToUpperInvariant()} field");
    }

    private static List<object?> ReadArray(ref Utf8JsonReader reader, Schema schema, bool replaceNullWithDefault)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Mismatch(schema, ref reader);
        }
        var elementSchema = schema.ValueSchema;
        var result = new List<object?>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            result.Add(Read(ref reader, elementSchema, replaceNullWithDefault));
        }
        return result;
    }

    private static Dictionary<object, object?> ReadMap(ref Utf8JsonReader reader, Schema schema, bool replaceNullWithDefault)
    {
        var keySchema = schema.KeySchema!;
        var valueSchema = schema.ValueSchema;
        var result = new Dictionary<object, object?>();
        if (keySchema.Type == SchemaType.String)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new DataException($"Maps with string fields should be encoded as JSON objects, but found {Describe(ref reader)}");
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = reader.GetString()!;
                reader.Read();
                result[key] = Read(ref reader, valueSchema, replaceNullWithDefault);
            }
            return result;
        }
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new DataException($"Maps with non-string fields should be encoded as JSON array of tuples, but found {Describe(ref reader)}");
        }
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new DataException($"Found invalid map entry instead of array tuple: {Describe(ref reader)}");
            }
            if (!reader.Read() || reader.TokenType == JsonTokenType.EndArray)
            {
                throw new DataException("Found invalid map entry, expected length 2 but found :0");
            }
            var key = Read(ref reader, keySchema, replaceNullWithDefault)
                ?? throw new DataException("Map keys may not be null");
            if (!reader.Read() || reader.TokenType == JsonTokenType.EndArray)
            {
                throw new DataException("Found invalid map entry, expected length 2 but found :1");
            }
            var value = Read(ref reader, valueSchema, replaceNullWithDefault);
            if (!reader.Read() || reader.TokenType != JsonTokenType.EndArray)
            {
                throw new DataException("Found invalid map entry, expected length 2 but found more");
            }
            result[key] = value;
        }
        return result;
    }

    private static Struct ReadStruct(ref Utf8JsonReader reader, Schema schema, bool replaceNullWithDefault)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new DataException($"Structs should be encoded as JSON objects, but found {Describe(ref reader)}");
        }
        var fields = schema.Fields;
        var names = FieldNames.For(schema);
        var count = fields.Count;
        Span<bool> seen = stackalloc bool[Math.Min(count, 256)];
        var seenOverflow = count > 256 ? new bool[count] : null;
        var seenSpan = seenOverflow ?? seen;
        var result = new Struct(schema);
        var expected = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // Fields usually arrive in schema order, so try the next expected one before scanning.
            var index = -1;
            if (expected < count && reader.ValueTextEquals(names[expected]))
            {
                index = expected;
            }
            else
            {
                for (var i = 0; i < count; i++)
                {
                    if (reader.ValueTextEquals(names[i]))
                    {
                        index = i;
                        break;
                    }
                }
            }
            reader.Read();
            if (index < 0)
            {
                reader.Skip(); // Apache ignores members that are not in the schema
                continue;
            }
            var field = fields[index];
            object? value;
            try
            {
                value = Read(ref reader, field.Schema, replaceNullWithDefault);
            }
            catch (DataException e) when (!e.Message.StartsWith("Field '", StringComparison.Ordinal))
            {
                throw new DataException($"Field '{field.Name}': {e.Message}", e);
            }
            result.Put(field, value);
            seenSpan[index] = true;
            expected = index + 1;
        }
        for (var i = 0; i < count; i++)
        {
            if (!seenSpan[i])
            {
                var field = fields[i];
                try
                {
                    result.Put(field, NullValue(field.Schema, replaceNullWithDefault));
                }
                catch (DataException e)
                {
                    throw new DataException($"Field '{field.Name}': {e.Message}", e);
                }
            }
        }
        return result;
    }

    private static object? ReadSchemaless(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.True:
                return true;
            case JsonTokenType.False:
                return false;
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.Number:
                if (IsIntegral(ref reader))
                {
                    return reader.TryGetInt64(out var l)
                        ? l
                        : throw new DataException($"Integer {Describe(ref reader)} does not fit in int64");
                }
                return reader.GetDouble();
            case JsonTokenType.StartArray:
                var list = new List<object?>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    list.Add(ReadSchemaless(ref reader));
                }
                return list;
            case JsonTokenType.StartObject:
                var map = new Dictionary<object, object?>();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var key = reader.GetString()!;
                    reader.Read();
                    map[key] = ReadSchemaless(ref reader);
                }
                return map;
            default:
                throw new DataException($"Unexpected JSON token {reader.TokenType}");
        }
    }

    private static decimal ReadDecimal(ref Utf8JsonReader reader, Schema schema)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.TryGetDecimal(out var number)
                ? number
                : throw new DataException($"Decimal {Describe(ref reader)} does not fit System.Decimal");
        }
        if (reader.TokenType == JsonTokenType.String)
        {
            if (!reader.TryGetBytesFromBase64(out var bytes))
            {
                throw new DataException("Invalid bytes for Decimal field: not base64");
            }
            return ConnectDecimal.ToLogical(schema, bytes);
        }
        throw new DataException($"Invalid type for Decimal, underlying representation should be numeric or bytes but was {Describe(ref reader)}");
    }

    private static int ReadInt32(ref Utf8JsonReader reader, string what)
    {
        if (reader.TokenType == JsonTokenType.Number && IsIntegral(ref reader) && reader.TryGetInt32(out var v))
        {
            return v;
        }
        throw new DataException($"Invalid type for {what}, underlying representation should be integer but was {Describe(ref reader)}");
    }

    private static long ReadInt64(ref Utf8JsonReader reader, string what)
    {
        if (reader.TokenType == JsonTokenType.Number && IsIntegral(ref reader) && reader.TryGetInt64(out var v))
        {
            return v;
        }
        throw new DataException($"Invalid value for {what}: expected an integer but found {Describe(ref reader)}");
    }

    private static bool TryNonFinite(ref Utf8JsonReader reader, out double value)
    {
        if (reader.ValueTextEquals("NaN"u8))
        {
            value = double.NaN;
            return true;
        }
        if (reader.ValueTextEquals("Infinity"u8))
        {
            value = double.PositiveInfinity;
            return true;
        }
        if (reader.ValueTextEquals("-Infinity"u8))
        {
            value = double.NegativeInfinity;
            return true;
        }
        value = 0;
        return false;
    }

    // Jackson treats a number with a fraction or an exponent as floating point even when it is whole.
    private static bool IsIntegral(ref Utf8JsonReader reader)
    {
        ReadOnlySpan<byte> span = reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan;
        return span.IndexOfAny("."u8[0], (byte)'e', (byte)'E') < 0;
    }

    private static DataException Mismatch(Schema schema, ref Utf8JsonReader reader) =>
        new($"Invalid value for {schema.Type.GetName().ToUpperInvariant()}: found {Describe(ref reader)}");

    private static DataException OutOfRange(long value, string type) => new($"Value {value} is out of range for {type}");

    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.StartObject => "a JSON object",
        JsonTokenType.StartArray => "a JSON array",
        JsonTokenType.String => "a JSON string",
        JsonTokenType.Number => "the JSON number " + System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
        JsonTokenType.True or JsonTokenType.False => "a JSON boolean",
        JsonTokenType.Null => "JSON null",
        _ => reader.TokenType.ToString(),
    };
}
