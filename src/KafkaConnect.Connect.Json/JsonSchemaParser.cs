using System.Text;
using System.Text.Json;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Json;

/// <summary>Reads Apache's JSON schema form; members may come in any order.</summary>
internal static class JsonSchemaParser
{
    public static Schema? Parse(JsonElement json, bool replaceNullWithDefault)
    {
        if (json.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new DataException($"Schema must be a JSON object, not {json.ValueKind}");
        }
        if (!json.TryGetProperty("type", out var typeNode) || typeNode.ValueKind != JsonValueKind.String)
        {
            throw new DataException("Schema must contain 'type' field");
        }
        SchemaBuilder builder;
        var typeName = typeNode.GetString();
        switch (typeName)
        {
            case "boolean": builder = SchemaBuilder.Bool(); break;
            case "int8": builder = SchemaBuilder.Int8(); break;
            case "int16": builder = SchemaBuilder.Int16(); break;
            case "int32": builder = SchemaBuilder.Int32(); break;
            case "int64": builder = SchemaBuilder.Int64(); break;
            case "float": builder = SchemaBuilder.Float32(); break;
            case "double": builder = SchemaBuilder.Float64(); break;
            case "bytes": builder = SchemaBuilder.Bytes(); break;
            case "string": builder = SchemaBuilder.String(); break;
            case "array":
                if (!json.TryGetProperty("items", out var items) || items.ValueKind == JsonValueKind.Null)
                {
                    throw new DataException("Array schema did not specify the element type");
                }
                builder = SchemaBuilder.Array(Required(items, replaceNullWithDefault, "Array element"));
                break;
            case "map":
                if (!json.TryGetProperty("keys", out var keys))
                {
                    throw new DataException("Map schema did not specify the key type");
                }
                if (!json.TryGetProperty("values", out var values))
                {
                    throw new DataException("Map schema did not specify the value type");
                }
                builder = SchemaBuilder.Map(Required(keys, replaceNullWithDefault, "Map key"), Required(values, replaceNullWithDefault, "Map value"));
                break;
            case "struct":
                builder = SchemaBuilder.Struct();
                if (!json.TryGetProperty("fields", out var fields) || fields.ValueKind != JsonValueKind.Array)
                {
                    throw new DataException("Struct schema's \"fields\" argument is not an array.");
                }
                foreach (var field in fields.EnumerateArray())
                {
                    if (field.ValueKind != JsonValueKind.Object
                        || !field.TryGetProperty("field", out var fieldName) || fieldName.ValueKind != JsonValueKind.String)
                    {
                        throw new DataException("Struct schema's field name not specified properly");
                    }
                    builder.Field(fieldName.GetString()!, Required(field, replaceNullWithDefault, "Struct field"));
                }
                break;
            default:
                throw new DataException("Unknown schema type: " + typeName);
        }

        if (json.TryGetProperty("optional", out var optional) && optional.ValueKind == JsonValueKind.True)
        {
            builder.Optional();
        }
        else
        {
            builder.Required();
        }
        if (json.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
        {
            builder.Name(name.GetString()!);
        }
        if (json.TryGetProperty("version", out var version) && version.ValueKind == JsonValueKind.Number
            && version.TryGetInt32(out var versionNumber))
        {
            builder.Version(versionNumber);
        }
        if (json.TryGetProperty("doc", out var doc) && doc.ValueKind == JsonValueKind.String)
        {
            builder.Doc(doc.GetString()!);
        }
        if (json.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object)
        {
            foreach (var parameter in parameters.EnumerateObject())
            {
                if (parameter.Value.ValueKind != JsonValueKind.String)
                {
                    throw new DataException("Schema parameters must have string values.");
                }
                builder.Parameter(parameter.Name, parameter.Value.GetString()!);
            }
        }
        if (json.TryGetProperty("default", out var defaultNode))
        {
            var raw = Encoding.UTF8.GetBytes(defaultNode.GetRawText());
            var reader = new Utf8JsonReader(raw);
            reader.Read();
            builder.DefaultValue(JsonValueReader.Read(ref reader, builder.Build(), replaceNullWithDefault));
        }
        return builder.Build();
    }

    private static Schema Required(JsonElement json, bool replaceNullWithDefault, string what) =>
        Parse(json, replaceNullWithDefault) ?? throw new DataException($"{what} schema may not be null");
}
