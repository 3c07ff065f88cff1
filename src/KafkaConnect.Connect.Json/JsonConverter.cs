using System.Collections;
using System.Text;
using System.Text.Json;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Headers;
using KafkaConnect.Connect.Storage;
using ConnectDecimal = KafkaConnect.Connect.Data.Decimal;

namespace KafkaConnect.Connect.Json;

/// <summary>
/// Kafka Connect's JSON format (<c>org.apache.kafka.connect.json.JsonConverter</c>), byte-for-byte: with
/// <c>schemas.enable=true</c> every message is an envelope <c>{"schema":{...},"payload":...}</c> whose schema
/// JSON matches Apache's key order; without it, plain JSON that reads back schemaless (string-keyed
/// <c>Dictionary&lt;object, object?&gt;</c>, <c>List&lt;object?&gt;</c>, <c>long</c>, <c>double</c>,
/// <c>bool</c>, <c>string</c>). Thread-safe once configured.
/// </summary>
/// <remarks>
/// Stricter than Apache on read: a JSON value of the wrong kind for its schema (e.g. a string for an int32)
/// is a <see cref="DataException"/> instead of being coerced to 0/false/null.
/// </remarks>
public sealed class JsonConverter : IConverter, IHeaderConverter, IVersioned
{
    private JsonConverterConfig _config = new(new Dictionary<string, string> { [JsonConverterConfig.TypeConfig] = "value" });
    private LruCache<Schema, byte[]> _fromConnectSchemaCache = new(JsonConverterConfig.SchemasCacheSizeDefault);
    private LruCache<byte[], Schema> _toConnectSchemaCache = new(JsonConverterConfig.SchemasCacheSizeDefault, ByteContentComparer.Instance);

    public string Version() => "1.0";

    public ConfigDef Config() => JsonConverterConfig.ConfigDef;

    /// <exception cref="ConfigException">A setting is invalid; <c>converter.type</c> is required.</exception>
    public void Configure(IReadOnlyDictionary<string, string> configs)
    {
        _config = new JsonConverterConfig(configs);
        _fromConnectSchemaCache = new LruCache<Schema, byte[]>(_config.SchemaCacheSize);
        _toConnectSchemaCache = new LruCache<byte[], Schema>(_config.SchemaCacheSize, ByteContentComparer.Instance);
    }

    public void Configure(IReadOnlyDictionary<string, string> configs, bool isKey)
    {
        ArgumentNullException.ThrowIfNull(configs);
        var withType = new Dictionary<string, string>(configs, StringComparer.Ordinal)
        {
            [JsonConverterConfig.TypeConfig] = isKey ? "key" : "value",
        };
        Configure(withType);
    }

    internal int FromConnectSchemaCacheSize => _fromConnectSchemaCache.Count;

    internal int ToConnectSchemaCacheSize => _toConnectSchemaCache.Count;

    public byte[]? FromConnectData(string topic, IHeaders? headers, Schema? schema, object? value)
    {
        if (schema is null && value is null)
        {
            return null;
        }
        var output = JsonOutput.Rent();
        try
        {
            if (_config.SchemasEnabled)
            {
                output.WriteRaw("{\"schema\":"u8);
                if (schema is null)
                {
                    output.WriteNull();
                }
                else
                {
                    output.WriteRaw(SchemaJson(schema));
                }
                output.WriteRaw(",\"payload\":"u8);
                WriteValue(output, schema, value);
                output.WriteByte((byte)'}');
            }
            else
            {
                WriteValue(output, schema, value);
            }
            return output.ToArray();
        }
        finally
        {
            JsonOutput.Return(output);
        }
    }

    public SchemaAndValue ToConnectData(string topic, IHeaders? headers, byte[]? value)
    {
        if (value is null)
        {
            return SchemaAndValue.Null;
        }
        try
        {
            return _config.SchemasEnabled ? ReadEnvelope(value) : ReadPlain(value);
        }
        catch (JsonException e)
        {
            throw new DataException("Converting byte[] to Kafka Connect data failed due to serialization error: " + e.Message, e);
        }
    }

    public SchemaAndValue ToConnectDataBorrowed(string topic, IHeaders? headers, ReadOnlyMemory<byte>? value)
    {
        if (value is not { } bytes)
        {
            return SchemaAndValue.Null;
        }
        try
        {
            // Values read from JSON never point into the input (strings are decoded, binary is base64-decoded).
            return _config.SchemasEnabled ? ReadEnvelope(bytes.Span) : ReadPlain(bytes.Span);
        }
        catch (JsonException e)
        {
            throw new DataException("Converting byte[] to Kafka Connect data failed due to serialization error: " + e.Message, e);
        }
    }

    public SchemaAndValue ToConnectHeader(string topic, string headerKey, byte[]? value) => ToConnectData(topic, null, value);

    public byte[]? FromConnectHeader(string topic, string headerKey, Schema? schema, object? value) =>
        FromConnectData(topic, null, schema, value);

    public void Dispose()
    {
    }

    /// <summary>The JSON form of a schema as Apache writes it, e.g. <c>{"type":"string","optional":false}</c>.</summary>
    public string AsJsonSchema(Schema schema) => Encoding.UTF8.GetString(SchemaJson(schema));

    /// <summary>Parses the JSON form of a schema (the envelope's "schema" member).</summary>
    /// <exception cref="DataException">Not a valid schema.</exception>
    public Schema? AsConnectSchema(string jsonSchema)
    {
        ArgumentNullException.ThrowIfNull(jsonSchema);
        try
        {
            return ParseSchema(Encoding.UTF8.GetBytes(jsonSchema));
        }
        catch (JsonException e)
        {
            throw new DataException("Invalid JSON schema: " + e.Message, e);
        }
    }

    // ---- Connect -> JSON ----

    private byte[] SchemaJson(Schema schema)
    {
        if (_fromConnectSchemaCache.TryGet(schema, out var cached))
        {
            return cached;
        }
        var output = JsonOutput.Rent();
        try
        {
            WriteSchema(output, schema, null);
            var bytes = output.ToArray();
            _fromConnectSchemaCache.Put(schema, bytes);
            return bytes;
        }
        finally
        {
            JsonOutput.Return(output);
        }
    }

    // Key order is Apache's: type, items | keys, values | fields, optional, name, version, doc, parameters,
    // default, and for struct members the "field" name last.
    private void WriteSchema(JsonOutput o, Schema schema, string? fieldName)
    {
        o.WriteRaw("{\"type\":"u8);
        switch (schema.Type)
        {
            case SchemaType.Boolean: o.WriteRaw("\"boolean\""u8); break;
            case SchemaType.Int8: o.WriteRaw("\"int8\""u8); break;
            case SchemaType.Int16: o.WriteRaw("\"int16\""u8); break;
            case SchemaType.Int32: o.WriteRaw("\"int32\""u8); break;
            case SchemaType.Int64: o.WriteRaw("\"int64\""u8); break;
            case SchemaType.Float32: o.WriteRaw("\"float\""u8); break;
            case SchemaType.Float64: o.WriteRaw("\"double\""u8); break;
            case SchemaType.Bytes: o.WriteRaw("\"bytes\""u8); break;
            case SchemaType.String: o.WriteRaw("\"string\""u8); break;
            case SchemaType.Array:
                o.WriteRaw("\"array\",\"items\":"u8);
                WriteSchema(o, schema.ValueSchema!, null);
                break;
            case SchemaType.Map:
                o.WriteRaw("\"map\",\"keys\":"u8);
                WriteSchema(o, schema.KeySchema!, null);
                o.WriteRaw(",\"values\":"u8);
                WriteSchema(o, schema.ValueSchema!, null);
                break;
            case SchemaType.Struct:
                o.WriteRaw("\"struct\",\"fields\":["u8);
                var fields = schema.Fields;
                for (var i = 0; i < fields.Count; i++)
                {
                    if (i > 0)
                    {
                        o.WriteByte((byte)',');
                    }
                    WriteSchema(o, fields[i].Schema, fields[i].Name);
                }
                o.WriteByte((byte)']');
                break;
            default:
                throw new DataException($"Couldn't translate unsupported schema type {schema}.");
        }
        o.WriteRaw(schema.IsOptional ? ",\"optional\":true"u8 : ",\"optional\":false"u8);
        if (schema.Name is { } name)
        {
            o.WriteRaw(",\"name\":"u8);
            o.WriteString(name);
        }
        if (schema.Version is { } version)
        {
            o.WriteRaw(",\"version\":"u8);
            o.WriteInt64(version);
        }
        if (schema.Doc is { } doc)
        {
            o.WriteRaw(",\"doc\":"u8);
            o.WriteString(doc);
        }
        if (schema.Parameters.Count > 0)
        {
            o.WriteRaw(",\"parameters\":{"u8);
            var first = true;
            foreach (var (key, value) in schema.Parameters)
            {
                if (!first)
                {
                    o.WriteByte((byte)',');
                }
                first = false;
                o.WriteString(key);
                o.WriteByte((byte)':');
                o.WriteString(value);
            }
            o.WriteByte((byte)'}');
        }
        if (schema.DefaultValue is { } defaultValue)
        {
            o.WriteRaw(",\"default\":"u8);
            WriteValue(o, schema, defaultValue);
        }
        if (fieldName is not null)
        {
            o.WriteRaw(",\"field\":"u8);
            o.WriteString(fieldName);
        }
        o.WriteByte((byte)'}');
    }

    private void WriteValue(JsonOutput o, Schema? schema, object? value)
    {
        if (value is null)
        {
            if (schema is null)
            {
                o.WriteNull();
                return;
            }
            if (schema.DefaultValue is { } defaultValue && _config.ReplaceNullWithDefault)
            {
                WriteValue(o, schema, defaultValue);
                return;
            }
            if (schema.IsOptional)
            {
                o.WriteNull();
                return;
            }
            throw new DataException("Conversion error: null value for field that is required and has no default value");
        }

        if (schema?.Name is { } logicalName && TryWriteLogical(o, schema, logicalName, value))
        {
            return;
        }

        var type = schema?.Type ?? InferType(value);
        switch (type)
        {
            case SchemaType.Int8 when value is sbyte v: o.WriteInt64(v); return;
            case SchemaType.Int16 when value is short v: o.WriteInt64(v); return;
            case SchemaType.Int32 when value is int v: o.WriteInt64(v); return;
            case SchemaType.Int64 when value is long v: o.WriteInt64(v); return;
            case SchemaType.Float32 when value is float v: o.WriteSingle(v); return;
            case SchemaType.Float64 when value is double v: o.WriteDouble(v); return;
            case SchemaType.Boolean when value is bool v: o.WriteBoolean(v); return;
            case SchemaType.String when value is string v: o.WriteString(v); return;
            case SchemaType.Bytes when value is byte[] v: o.WriteBase64String(v); return;
            case SchemaType.Bytes when value is ReadOnlyMemory<byte> v: o.WriteBase64String(v.Span); return;
            case SchemaType.Bytes when value is Memory<byte> v: o.WriteBase64String(v.Span); return;
            case SchemaType.Bytes when value is ArraySegment<byte> v: o.WriteBase64String(v); return;
            case SchemaType.Array when value is IList list:
                WriteArray(o, schema?.ValueSchema, list);
                return;
            case SchemaType.Map when value is IDictionary map:
                WriteMap(o, schema, map);
                return;
            case SchemaType.Struct when value is Struct s:
                WriteStruct(o, schema, s);
                return;
        }
        throw new DataException($"Invalid type for {TypeName(type)}: {value.GetType().FullName}");
    }

    private void WriteArray(JsonOutput o, Schema? elementSchema, IList list)
    {
        o.WriteByte((byte)'[');
        for (var i = 0; i < list.Count; i++)
        {
            if (i > 0)
            {
                o.WriteByte((byte)',');
            }
            WriteValue(o, elementSchema, list[i]);
        }
        o.WriteByte((byte)']');
    }

    private void WriteMap(JsonOutput o, Schema? schema, IDictionary map)
    {
        bool objectMode;
        if (schema is null)
        {
            objectMode = true;
            foreach (DictionaryEntry entry in map)
            {
                if (entry.Key is not string)
                {
                    objectMode = false;
                    break;
                }
            }
        }
        else
        {
            objectMode = schema.KeySchema!.Type == SchemaType.String;
        }
        var keySchema = schema?.KeySchema;
        var valueSchema = schema?.ValueSchema;
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
                if (entry.Key is not string key)
                {
                    throw new DataException($"Invalid type for STRING map key: {entry.Key?.GetType().FullName}");
                }
                o.WriteString(key);
                o.WriteByte((byte)':');
                WriteValue(o, valueSchema, entry.Value);
            }
            else
            {
                o.WriteByte((byte)'[');
                WriteValue(o, keySchema, entry.Key);
                o.WriteByte((byte)',');
                WriteValue(o, valueSchema, entry.Value);
                o.WriteByte((byte)']');
            }
        }
        o.WriteByte(objectMode ? (byte)'}' : (byte)']');
    }

    private void WriteStruct(JsonOutput o, Schema? schema, Struct value)
    {
        if (schema is null || !value.Schema.Equals(schema))
        {
            throw new DataException("Mismatching schema.");
        }
        var fields = schema.Fields;
        var names = FieldNames.For(schema);
        o.WriteByte((byte)'{');
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                o.WriteByte((byte)',');
            }
            o.WriteUtf8String(names[i]);
            o.WriteByte((byte)':');
            WriteValue(o, fields[i].Schema, value.GetWithoutDefault(fields[i].Name));
        }
        o.WriteByte((byte)'}');
    }

    private bool TryWriteLogical(JsonOutput o, Schema schema, string logicalName, object value)
    {
        switch (logicalName)
        {
            case ConnectDecimal.LogicalName:
                if (value is not decimal d)
                {
                    throw new DataException($"Invalid type for Decimal, expected decimal but was {value.GetType().FullName}");
                }
                if (_config.DecimalFormat == DecimalFormat.Numeric)
                {
                    o.WriteDecimal(d);
                }
                else
                {
                    o.WriteBase64String(ConnectDecimal.FromLogical(schema, d));
                }
                return true;
            case Date.LogicalName:
                o.WriteInt64(value switch
                {
                    DateOnly date => Date.FromLogical(schema, date),
                    DateTime dateTime => Date.FromLogical(schema, dateTime),
                    _ => throw new DataException($"Invalid type for Date, expected DateOnly or DateTime but was {value.GetType().FullName}"),
                });
                return true;
            case Time.LogicalName:
                o.WriteInt64(value switch
                {
                    TimeOnly time => Time.FromLogical(schema, time),
                    TimeSpan span => Time.FromLogical(schema, span),
                    _ => throw new DataException($"Invalid type for Time, expected TimeOnly or TimeSpan but was {value.GetType().FullName}"),
                });
                return true;
            case Timestamp.LogicalName:
                o.WriteInt64(value switch
                {
                    DateTimeOffset instant => Timestamp.FromLogical(schema, instant),
                    DateTime dateTime => Timestamp.FromLogical(schema, dateTime),
                    _ => throw new DataException($"Invalid type for Timestamp, expected DateTimeOffset or DateTime but was {value.GetType().FullName}"),
                });
                return true;
            default:
                return false;
        }
    }

    /// <summary>The Connect type of a schemaless value (also used by the JSON Schema converter).</summary>
    internal static SchemaType InferType(object value) => value switch
    {
        sbyte => SchemaType.Int8,
        short => SchemaType.Int16,
        int => SchemaType.Int32,
        long => SchemaType.Int64,
        float => SchemaType.Float32,
        double => SchemaType.Float64,
        bool => SchemaType.Boolean,
        string => SchemaType.String,
        byte[] or ReadOnlyMemory<byte> or Memory<byte> or ArraySegment<byte> => SchemaType.Bytes,
        IList => SchemaType.Array,
        IDictionary => SchemaType.Map,
        Struct => SchemaType.Struct,
        _ => throw new DataException($"CLR type {value.GetType().FullName} does not have corresponding schema type."),
    };

    private static string TypeName(SchemaType type) => type.GetName().ToUpperInvariant();

    // ---- JSON -> Connect ----

    private SchemaAndValue ReadPlain(ReadOnlySpan<byte> bytes)
    {
        var reader = new Utf8JsonReader(bytes);
        if (!reader.Read())
        {
            return SchemaAndValue.Null; // empty input reads as a missing value
        }
        return new SchemaAndValue(null, JsonValueReader.Read(ref reader, null, _config.ReplaceNullWithDefault));
    }

    /// <summary>The envelope up to the payload value of the last message read, and its parsed schema.</summary>
    private sealed record EnvelopePrefix(byte[] Bytes, Schema? Schema);

    private volatile EnvelopePrefix? _lastPrefix;

    /// <summary>Envelopes read through the repeated-prefix path (for tests; not synchronized).</summary>
    internal long PrefixReads { get; private set; }

    private SchemaAndValue ReadEnvelope(ReadOnlySpan<byte> bytes)
    {
        // Messages of one topic nearly always repeat the same `{"schema":...,"payload":` bytes: when they do, read
        // just the payload instead of tokenizing, hashing and comparing the schema again. Anything unusual (other
        // bytes, trailing fields, a malformed payload) takes the full path below, which also reports the errors.
        if (_lastPrefix is { } last && bytes.StartsWith(last.Bytes) && TryReadPayload(bytes[last.Bytes.Length..], last.Schema, out var fast))
        {
            PrefixReads++;
            return fast;
        }
        var reader = new Utf8JsonReader(bytes);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw MissingEnvelope();
        }
        int schemaStart = -1, schemaEnd = -1, payloadStart = -1, payloadEnd = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isSchema = reader.ValueTextEquals("schema"u8);
            var isPayload = !isSchema && reader.ValueTextEquals("payload"u8);
            if (!isSchema && !isPayload)
            {
                throw MissingEnvelope();
            }
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            var end = (int)reader.BytesConsumed;
            if (isSchema)
            {
                (schemaStart, schemaEnd) = (start, end);
            }
            else
            {
                (payloadStart, payloadEnd) = (start, end);
            }
        }
        if (schemaStart < 0 || payloadStart < 0)
        {
            throw MissingEnvelope();
        }
        var schema = ParseSchema(bytes.Slice(schemaStart, schemaEnd - schemaStart));
        var payloadReader = new Utf8JsonReader(bytes.Slice(payloadStart, payloadEnd - payloadStart));
        payloadReader.Read();
        var result = new SchemaAndValue(schema, JsonValueReader.Read(ref payloadReader, schema, _config.ReplaceNullWithDefault));
        if (schemaStart < payloadStart && payloadStart <= MaxCachedPrefix)
        {
            _lastPrefix = new EnvelopePrefix(bytes[..payloadStart].ToArray(), schema);
        }
        return result;
    }

    private const int MaxCachedPrefix = 64 * 1024;

    /// <summary>Reads the payload value that starts <paramref name="rest"/>; false unless only the closing brace follows it.</summary>
    private bool TryReadPayload(ReadOnlySpan<byte> rest, Schema? schema, out SchemaAndValue result)
    {
        result = default;
        try
        {
            var reader = new Utf8JsonReader(rest);
            if (!reader.Read())
            {
                return false;
            }
            var value = JsonValueReader.Read(ref reader, schema, _config.ReplaceNullWithDefault);
            var tail = rest[(int)reader.BytesConsumed..].Trim(" \t\r\n"u8);
            if (tail.Length != 1 || tail[0] != (byte)'}')
            {
                return false;
            }
            result = new SchemaAndValue(schema, value);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or DataException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }

    private static DataException MissingEnvelope() => new(
        "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain additional fields."
        + " If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.");

    private Schema? ParseSchema(ReadOnlySpan<byte> json)
    {
        if (json.SequenceEqual("null"u8))
        {
            return null;
        }
        if (_toConnectSchemaCache.TryGet(json, out var cached))
        {
            return cached;
        }
        using var document = JsonDocument.Parse(json.ToArray());
        var schema = JsonSchemaParser.Parse(document.RootElement, _config.ReplaceNullWithDefault);
        if (schema is not null)
        {
            _toConnectSchemaCache.Put(json.ToArray(), schema);
        }
        return schema;
    }
}
