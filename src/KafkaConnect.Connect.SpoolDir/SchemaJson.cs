using System.Globalization;
using System.Text;
using System.Text.Json;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.SpoolDir;

/// <summary>
/// Connect schemas as JSON in the format jcustenborder's connectors take in key.schema and value.schema:
/// <c>{"name":…,"type":"STRUCT","isOptional":false,"fieldSchemas":{"id":{"type":"INT64","isOptional":false}}}</c>,
/// with "version", "doc", "parameters", "defaultValue" and, for maps and arrays, "keySchema"/"valueSchema".
/// </summary>
internal static class SchemaJson
{
    public static bool TryParse(string text, out Schema schema, out string error)
    {
        schema = Schema.StringSchema;
        try
        {
            using var document = JsonDocument.Parse(text);
            schema = Read(document.RootElement, "$");
            error = string.Empty;
            return true;
        }
        catch (JsonException e)
        {
            error = $"invalid JSON at line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}: {e.Message}";
        }
        catch (SchemaBuilderException e)
        {
            error = e.Message;
        }
        catch (DataException e)
        {
            error = e.Message;
        }
        return false;
    }

    public static string Write(Schema schema)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, schema);
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static Schema Read(JsonElement node, string path)
    {
        if (node.ValueKind != JsonValueKind.Object)
        {
            throw new DataException($"{path}: a schema must be a JSON object");
        }
        var typeName = node.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : null;
        if (typeName is null || typeName.Length == 0 || !char.IsLetter(typeName[0]) || !Enum.TryParse<SchemaType>(typeName.Replace("_", string.Empty, StringComparison.Ordinal), true, out var type)
            || !Enum.IsDefined(type))
        {
            throw new DataException($"{path}: \"type\" must be one of INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, "
                + $"STRING, BYTES, ARRAY, MAP, STRUCT, not {(typeName is null ? "missing" : '"' + typeName + '"')}");
        }
        var builder = type switch
        {
            SchemaType.Array => SchemaBuilder.Array(Read(Required(node, "valueSchema", path), path + ".valueSchema")),
            SchemaType.Map => SchemaBuilder.Map(Read(Required(node, "keySchema", path), path + ".keySchema"),
                Read(Required(node, "valueSchema", path), path + ".valueSchema")),
            _ => new SchemaBuilder(type),
        };
        if (node.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
        {
            builder.Name(name.GetString()!);
        }
        if (node.TryGetProperty("version", out var version) && version.ValueKind == JsonValueKind.Number)
        {
            builder.Version(version.GetInt32());
        }
        if (node.TryGetProperty("doc", out var doc) && doc.ValueKind == JsonValueKind.String)
        {
            builder.Doc(doc.GetString()!);
        }
        if (node.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in parameters.EnumerateObject())
            {
                builder.Parameter(p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText());
            }
        }
        if (type == SchemaType.Struct && node.TryGetProperty("fieldSchemas", out var fields))
        {
            if (fields.ValueKind != JsonValueKind.Object)
            {
                throw new DataException($"{path}.fieldSchemas: must be an object of field name to schema");
            }
            foreach (var field in fields.EnumerateObject())
            {
                builder.Field(field.Name, Read(field.Value, path + ".fieldSchemas." + field.Name));
            }
        }
        if (node.TryGetProperty("isOptional", out var optional) && optional.ValueKind == JsonValueKind.True)
        {
            builder.Optional();
        }
        if (node.TryGetProperty("defaultValue", out var defaultValue) && defaultValue.ValueKind != JsonValueKind.Null)
        {
            builder.DefaultValue(DefaultValue(type, defaultValue, path));
        }
        return builder.Build();
    }

    private static JsonElement Required(JsonElement node, string property, string path) =>
        node.TryGetProperty(property, out var value) ? value : throw new DataException($"{path}: \"{property}\" is required for this type");

    private static object DefaultValue(SchemaType type, JsonElement value, string path)
    {
        try
        {
            return type switch
            {
                SchemaType.Int8 => (sbyte)value.GetInt32(),
                SchemaType.Int16 => (short)value.GetInt32(),
                SchemaType.Int32 => value.GetInt32(),
                SchemaType.Int64 => value.GetInt64(),
                SchemaType.Float32 => value.GetSingle(),
                SchemaType.Float64 => value.GetDouble(),
                SchemaType.Boolean => value.GetBoolean(),
                SchemaType.String => value.GetString()!,
                _ => throw new DataException($"{path}.defaultValue: defaults are supported for primitive types only"),
            };
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new DataException($"{path}.defaultValue: {value.GetRawText()} is not a {type}");
        }
    }

    private static void Write(Utf8JsonWriter writer, Schema schema)
    {
        writer.WriteStartObject();
        if (schema.Name is not null)
        {
            writer.WriteString("name", schema.Name);
        }
        writer.WriteString("type", schema.Type.ToString().ToUpperInvariant());
        if (schema.Version is { } version)
        {
            writer.WriteNumber("version", version);
        }
        if (schema.Doc is not null)
        {
            writer.WriteString("doc", schema.Doc);
        }
        if (schema.Parameters.Count > 0)
        {
            writer.WriteStartObject("parameters");
            foreach (var (key, value) in schema.Parameters)
            {
                writer.WriteString(key, value);
            }
            writer.WriteEndObject();
        }
        writer.WriteBoolean("isOptional", schema.IsOptional);
        switch (schema.DefaultValue)
        {
            case null: break;
            case string s: writer.WriteString("defaultValue", s); break;
            case bool b: writer.WriteBoolean("defaultValue", b); break;
            case IConvertible c: writer.WriteNumber("defaultValue", Convert.ToDecimal(c, CultureInfo.InvariantCulture)); break;
        }
        if (schema.Type == SchemaType.Map)
        {
            writer.WritePropertyName("keySchema");
            Write(writer, schema.KeySchema!);
        }
        if (schema.Type is SchemaType.Map or SchemaType.Array)
        {
            writer.WritePropertyName("valueSchema");
            Write(writer, schema.ValueSchema!);
        }
        if (schema.Type == SchemaType.Struct)
        {
            writer.WriteStartObject("fieldSchemas");
            foreach (var field in schema.Fields)
            {
                writer.WritePropertyName(field.Name);
                Write(writer, field.Schema);
            }
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }
}
