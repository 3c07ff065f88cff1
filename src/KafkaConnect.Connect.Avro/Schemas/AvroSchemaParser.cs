using System.Text.Json;
using System.Text.Json.Nodes;

namespace KafkaConnect.Connect.Avro.Schemas;

/// <summary>
/// Parses Avro schema JSON (specification 1.11) into <see cref="AvroSchema"/>: primitives, named types with namespace
/// inheritance and references by name, unions, arrays, maps, field defaults, and every other attribute kept as a property.
/// </summary>
public static class AvroSchemaParser
{
    private static readonly JsonDocumentOptions s_documentOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = false };

    private static readonly HashSet<string> s_schemaReserved =
        ["type", "name", "namespace", "doc", "fields", "items", "values", "size", "symbols", "aliases"];

    private static readonly HashSet<string> s_fieldReserved = ["name", "type", "doc", "default", "order", "aliases"];

    /// <exception cref="AvroSchemaException">The text is not a valid Avro schema.</exception>
    public static AvroSchema Parse(string json) => Parse(json, []);

    /// <summary>Parses a schema that refers to named types defined in <paramref name="referenced"/> (registry schema references, dependencies first).</summary>
    /// <exception cref="AvroSchemaException">The text is not a valid Avro schema.</exception>
    public static AvroSchema Parse(string json, IEnumerable<string> referenced)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(referenced);
        var context = new Context();
        foreach (var text in referenced)
        {
            context.Parse(ParseJson(text), null);
        }
        return context.Parse(ParseJson(json), null);
    }

    private static JsonNode? ParseJson(string json)
    {
        try
        {
            return JsonNode.Parse(json, documentOptions: s_documentOptions);
        }
        catch (JsonException e)
        {
            throw new AvroSchemaException("Invalid Avro schema JSON: " + e.Message, e);
        }
    }

    /// <summary>Avro's name rule: <c>[A-Za-z_][A-Za-z0-9_]*</c>.</summary>
    public static bool IsValidName(string? name)
    {
        if (string.IsNullOrEmpty(name) || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }
        return true;
    }

    private static AvroType? PrimitiveType(string name) => name switch
    {
        "null" => AvroType.Null,
        "boolean" => AvroType.Boolean,
        "int" => AvroType.Int,
        "long" => AvroType.Long,
        "float" => AvroType.Float,
        "double" => AvroType.Double,
        "bytes" => AvroType.Bytes,
        "string" => AvroType.String,
        _ => null,
    };

    private sealed class Context
    {
        private readonly Dictionary<string, AvroSchema> _named = new(StringComparer.Ordinal);

        public AvroSchema Parse(JsonNode? node, string? ns)
        {
            switch (node)
            {
                case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                    return Resolve(v.GetValue<string>(), ns);
                case JsonArray array:
                    var branches = new List<AvroSchema>(array.Count);
                    foreach (var item in array)
                    {
                        var branch = Parse(item, ns);
                        if (branch.Type == AvroType.Union)
                        {
                            throw new AvroSchemaException("Unions may not immediately contain other unions");
                        }
                        branches.Add(branch);
                    }
                    return AvroSchema.Union(branches);
                case JsonObject obj:
                    return ParseObject(obj, ns);
                default:
                    throw new AvroSchemaException($"Not a schema: {node?.ToJsonString() ?? "null"}");
            }
        }

        private AvroSchema Resolve(string name, string? ns)
        {
            if (PrimitiveType(name) is { } primitive)
            {
                return AvroSchema.Primitive(primitive);
            }
            if (!name.Contains('.') && ns is not null && _named.TryGetValue(ns + "." + name, out var inNamespace))
            {
                return inNamespace;
            }
            return _named.TryGetValue(name, out var named)
                ? named
                : throw new AvroSchemaException($"Undefined name: \"{name}\"");
        }

        private AvroSchema ParseObject(JsonObject obj, string? ns)
        {
            var typeNode = obj["type"];
            if (typeNode is not JsonValue typeValue || typeValue.GetValueKind() != JsonValueKind.String)
            {
                if (typeNode is JsonObject or JsonArray)
                {
                    return Parse(typeNode, ns); // {"type": {...}} wraps a schema
                }
                throw new AvroSchemaException($"No type: {obj.ToJsonString()}");
            }
            var type = typeValue.GetValue<string>();
            AvroSchema schema;
            switch (type)
            {
                case "record" or "error":
                {
                    var (name, space) = NameOf(obj, ns);
                    schema = AvroSchema.Record(name, space, OptionalString(obj, "doc"), Aliases(obj));
                    Define(schema);
                    if (obj["fields"] is not JsonArray fieldsJson)
                    {
                        throw new AvroSchemaException($"Record has no fields: {obj.ToJsonString()}");
                    }
                    var fields = new List<AvroField>(fieldsJson.Count);
                    foreach (var f in fieldsJson)
                    {
                        fields.Add(ParseField(f as JsonObject ?? throw new AvroSchemaException("Field is not an object"), space));
                    }
                    schema.SetFields(fields);
                    break;
                }
                case "enum":
                {
                    var (name, space) = NameOf(obj, ns);
                    if (obj["symbols"] is not JsonArray symbolsJson)
                    {
                        throw new AvroSchemaException($"Enum has no symbols: {obj.ToJsonString()}");
                    }
                    var symbols = new List<string>(symbolsJson.Count);
                    foreach (var s in symbolsJson)
                    {
                        var symbol = s is JsonValue sv && sv.GetValueKind() == JsonValueKind.String ? sv.GetValue<string>() : null;
                        if (!IsValidName(symbol) || symbols.Contains(symbol!))
                        {
                            throw new AvroSchemaException($"Invalid or duplicate enum symbol {s?.ToJsonString()}");
                        }
                        symbols.Add(symbol!);
                    }
                    var enumDefault = OptionalString(obj, "default");
                    if (enumDefault is not null && !symbols.Contains(enumDefault))
                    {
                        throw new AvroSchemaException($"The Enum Default: {enumDefault} is not in the enum symbol set: [{string.Join(", ", symbols)}]");
                    }
                    schema = AvroSchema.Enum(name, space, OptionalString(obj, "doc"), symbols, enumDefault, Aliases(obj));
                    Define(schema);
                    break;
                }
                case "fixed":
                {
                    var (name, space) = NameOf(obj, ns);
                    if (obj["size"] is not JsonValue sizeJson || !sizeJson.TryGetValue<int>(out var size) || size < 0)
                    {
                        throw new AvroSchemaException($"Invalid fixed size: {obj.ToJsonString()}");
                    }
                    schema = AvroSchema.Fixed(name, space, OptionalString(obj, "doc"), size, Aliases(obj));
                    Define(schema);
                    break;
                }
                case "array":
                    schema = AvroSchema.Array(Parse(obj["items"] ?? throw new AvroSchemaException("Array has no items type"), ns));
                    break;
                case "map":
                    schema = AvroSchema.Map(Parse(obj["values"] ?? throw new AvroSchemaException("Map has no values type"), ns));
                    break;
                default:
                    if (PrimitiveType(type) is not { } primitive)
                    {
                        // {"type":"com.x.Named"} refers to a named type; Avro's Java parser accepts it.
                        return Resolve(type, ns);
                    }
                    schema = AvroSchema.PrimitiveWithProps(primitive);
                    break;
            }
            var hasProps = false;
            foreach (var (key, value) in obj)
            {
                var reserved = s_schemaReserved.Contains(key) || (schema.Type == AvroType.Enum && key == "default");
                if (!reserved)
                {
                    schema.AddProp(key, value?.DeepClone());
                    hasProps = true;
                }
            }
            return schema.Type <= AvroType.String && !hasProps ? AvroSchema.Primitive(schema.Type) : schema;
        }

        private AvroField ParseField(JsonObject obj, string? ns)
        {
            var name = OptionalString(obj, "name");
            if (!IsValidName(name))
            {
                throw new AvroSchemaException($"Illegal field name: {name ?? "(none)"}");
            }
            var schema = Parse(obj["type"] ?? throw new AvroSchemaException($"No field type: {obj.ToJsonString()}"), ns);
            var hasDefault = obj.TryGetPropertyValue("default", out var defaultValue);
            var field = new AvroField(name!, schema, OptionalString(obj, "doc"), hasDefault, defaultValue?.DeepClone(),
                OptionalString(obj, "order") is { } order && order != "ascending" ? order : null, Aliases(obj));
            foreach (var (key, value) in obj)
            {
                if (!s_fieldReserved.Contains(key))
                {
                    field.AddProp(key, value?.DeepClone());
                }
            }
            return field;
        }

        private void Define(AvroSchema schema)
        {
            if (!_named.TryAdd(schema.FullName, schema))
            {
                throw new AvroSchemaException($"Can't redefine: {schema.FullName}");
            }
        }

        private static (string Name, string? Namespace) NameOf(JsonObject obj, string? enclosing)
        {
            var full = OptionalString(obj, "name") ?? throw new AvroSchemaException($"No name in schema: {obj.ToJsonString()}");
            var dot = full.LastIndexOf('.');
            string name;
            string? space;
            if (dot >= 0)
            {
                name = full[(dot + 1)..];
                space = full[..dot];
            }
            else
            {
                name = full;
                space = obj.ContainsKey("namespace") ? OptionalString(obj, "namespace") : enclosing;
            }
            if (!IsValidName(name) || (!string.IsNullOrEmpty(space) && !space.Split('.').All(IsValidName)))
            {
                throw new AvroSchemaException($"Illegal name: {full}");
            }
            return (name, string.IsNullOrEmpty(space) ? null : space);
        }

        private static IReadOnlyList<string> Aliases(JsonObject obj) =>
            obj["aliases"] is JsonArray aliases
                ? aliases.Select(a => a is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw new AvroSchemaException("Aliases must be strings")).ToList()
                : [];

        private static string? OptionalString(JsonObject obj, string key) =>
            obj[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
    }
}
