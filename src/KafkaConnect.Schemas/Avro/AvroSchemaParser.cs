using System.Text.Json;
using System.Text.Json.Nodes;

namespace KafkaConnect.Schemas.Avro;

/// <summary>
/// Parses Avro schema JSON (specification 1.11) into <see cref="AvroSchema"/> with Java Avro's <c>Schema.Parser</c> rules
/// and messages: primitives, named types with namespace inheritance, aliases and references by name, unions (no nested
/// union, no duplicate branch), arrays, maps, field defaults, and every other attribute kept as a property.
/// </summary>
public static class AvroSchemaParser
{
    // Java Avro's Jackson factory allows comments; trailing commas it refuses.
    private static readonly JsonDocumentOptions s_documentOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = false };

    // Java Avro's SCHEMA_RESERVED (ENUM_RESERVED adds "default") and FIELD_RESERVED: every other key is a property.
    private static readonly HashSet<string> s_schemaReserved =
        ["type", "name", "namespace", "doc", "fields", "items", "values", "size", "symbols", "aliases"];

    private static readonly HashSet<string> s_fieldReserved = ["name", "type", "doc", "default", "order", "aliases"];

    /// <exception cref="SchemaParseException">The text is not a valid Avro schema.</exception>
    public static AvroSchema Parse(string json) => Parse(json, [], validateDefaults: false, out _);

    /// <summary>Parses a schema that refers to named types defined in <paramref name="referenced"/> (registry schema references, dependencies first).</summary>
    /// <param name="validateDefaults">Refuse field defaults that do not match their type, as the registry does; Confluent's converter reads past them.</param>
    /// <exception cref="SchemaParseException">The text is not a valid Avro schema.</exception>
    public static AvroSchema Parse(string json, IEnumerable<string> referenced, bool validateDefaults = false) =>
        Parse(json, referenced, validateDefaults, out _);

    /// <summary>As <see cref="Parse(string, IEnumerable{string}, bool)"/>; <paramref name="referencedNames"/> are the full names the references define.</summary>
    /// <exception cref="SchemaParseException">The text is not a valid Avro schema.</exception>
    public static AvroSchema Parse(string json, IEnumerable<string> referenced, bool validateDefaults, out IReadOnlySet<string> referencedNames)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(referenced);
        var context = new Context(validateDefaults);
        foreach (var text in referenced)
        {
            // A type a reference defines again (a dependency shared by two references) is the one already defined.
            context.Parse(ParseJson(text), null, ignoreRedefinition: true);
        }
        referencedNames = new HashSet<string>(context.DefinedNames, StringComparer.Ordinal);
        return context.Parse(ParseJson(json), null, ignoreRedefinition: false);
    }

    private static JsonNode? ParseJson(string json)
    {
        try
        {
            return JsonNode.Parse(json, documentOptions: s_documentOptions);
        }
        catch (JsonException e)
        {
            throw new SchemaParseException(e.Message, e);
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

    private sealed class Context(bool validateDefaults)
    {
        private readonly Dictionary<string, AvroSchema> _named = new(StringComparer.Ordinal);
        private bool _ignoreRedefinition;

        public IEnumerable<string> DefinedNames => _named.Keys;

        public AvroSchema Parse(JsonNode? node, string? ns, bool ignoreRedefinition)
        {
            _ignoreRedefinition = ignoreRedefinition;
            return Parse(node, ns);
        }

        private AvroSchema Parse(JsonNode? node, string? ns)
        {
            switch (node)
            {
                case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                    return Resolve(v.GetValue<string>(), ns);
                case JsonArray array:
                    return ParseUnion(array, ns);
                case JsonObject obj:
                    return ParseObject(obj, ns);
                default:
                    throw new SchemaParseException($"No type: {node?.ToJsonString() ?? "null"}");
            }
        }

        private AvroSchema Resolve(string name, string? ns)
        {
            if (PrimitiveType(name) is { } primitive)
            {
                return AvroSchema.Primitive(primitive);
            }
            if (!name.Contains('.', StringComparison.Ordinal) && ns is not null && _named.TryGetValue(ns + "." + name, out var inNamespace))
            {
                return inNamespace;
            }
            return _named.TryGetValue(name, out var named)
                ? named
                : throw new SchemaParseException($"\"{name}\" is not a defined name. The type of the schema must be a defined name or a {{\"type\": ...}} expression.");
        }

        private AvroSchema ParseUnion(JsonArray array, string? ns)
        {
            var branches = new List<AvroSchema>(array.Count);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in array)
            {
                var branch = Parse(item, ns);
                if (branch.Type == AvroType.Union)
                {
                    throw new SchemaParseException("Nested union: " + array.ToJsonString());
                }
                if (!seen.Add(branch.FullName))
                {
                    throw new SchemaParseException("Duplicate in union:" + branch.FullName);
                }
                branches.Add(branch);
            }
            return AvroSchema.Union(branches);
        }

        private AvroSchema ParseObject(JsonObject obj, string? ns)
        {
            var typeNode = obj["type"] ?? throw new SchemaParseException($"No type: {obj.ToJsonString()}");
            if (typeNode is not JsonValue typeValue || typeValue.GetValueKind() != JsonValueKind.String)
            {
                return Parse(typeNode, ns); // {"type": {...}} or {"type": [...]} wraps a schema
            }
            var type = typeValue.GetValue<string>();
            AvroSchema schema;
            switch (type)
            {
                case "record" or "error":
                {
                    var (name, space) = NameOf(obj, ns);
                    schema = AvroSchema.Record(name, space, OptionalString(obj, "doc"), Aliases(obj, space), isError: type == "error");
                    if (Define(schema) is { } existing)
                    {
                        return existing;
                    }
                    if (obj["fields"] is not JsonArray fieldsJson)
                    {
                        throw new SchemaParseException($"Record has no fields: {obj.ToJsonString()}");
                    }
                    var fields = new List<AvroField>(fieldsJson.Count);
                    foreach (var f in fieldsJson)
                    {
                        var field = ParseField(f as JsonObject ?? throw new SchemaParseException("Field not an object: " + f?.ToJsonString()), space);
                        if (fields.Any(x => x.Name == field.Name))
                        {
                            throw new SchemaParseException(
                                $"Duplicate field {field.Name} in record {schema.FullName}: {field.Name} type:{f!["type"]?.ToJsonString()} pos:{fields.Count} and {field.Name}.");
                        }
                        fields.Add(field);
                    }
                    schema.SetFields(fields);
                    break;
                }
                case "enum":
                {
                    var (name, space) = NameOf(obj, ns);
                    if (obj["symbols"] is not JsonArray symbolsJson)
                    {
                        throw new SchemaParseException($"Enum has no symbols: {obj.ToJsonString()}");
                    }
                    var symbols = new List<string>(symbolsJson.Count);
                    foreach (var s in symbolsJson)
                    {
                        var symbol = s is JsonValue sv && sv.GetValueKind() == JsonValueKind.String ? sv.GetValue<string>() : "";
                        ValidateName(symbol);
                        if (symbols.Contains(symbol))
                        {
                            throw new SchemaParseException("Duplicate enum symbol: " + symbol);
                        }
                        symbols.Add(symbol);
                    }
                    var enumDefault = OptionalString(obj, "default");
                    if (enumDefault is not null && !symbols.Contains(enumDefault))
                    {
                        throw new SchemaParseException($"The Enum Default: {enumDefault} is not in the enum symbol set: [{string.Join(", ", symbols)}]");
                    }
                    schema = AvroSchema.Enum(name, space, OptionalString(obj, "doc"), symbols, enumDefault, Aliases(obj, space));
                    if (Define(schema) is { } existing)
                    {
                        return existing;
                    }
                    break;
                }
                case "fixed":
                {
                    var (name, space) = NameOf(obj, ns);
                    if (obj["size"] is not JsonValue sizeJson || !sizeJson.TryGetValue<int>(out var size) || size < 0)
                    {
                        throw new SchemaParseException($"Invalid or no size: {obj.ToJsonString()}");
                    }
                    schema = AvroSchema.Fixed(name, space, OptionalString(obj, "doc"), size, Aliases(obj, space));
                    if (Define(schema) is { } existing)
                    {
                        return existing;
                    }
                    break;
                }
                case "array":
                    schema = AvroSchema.Array(Parse(obj["items"] ?? throw new SchemaParseException("Array has no items type: " + obj.ToJsonString()), ns));
                    break;
                case "map":
                    schema = AvroSchema.Map(Parse(obj["values"] ?? throw new SchemaParseException("Map has no values type: " + obj.ToJsonString()), ns));
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
            var name = OptionalString(obj, "name") ?? throw new SchemaParseException("No field name: " + obj.ToJsonString());
            ValidateName(name);
            var schema = Parse(obj["type"] ?? throw new SchemaParseException($"No field type: {obj.ToJsonString()}"), ns);
            var hasDefault = obj.TryGetPropertyValue("default", out var defaultValue);
            if (hasDefault && validateDefaults && !IsValidDefault(schema, defaultValue))
            {
                throw new SchemaParseException($"Invalid default for field {name}: {defaultValue?.ToJsonString() ?? "null"} not a {Describe(schema)}");
            }
            var field = new AvroField(name, schema, OptionalString(obj, "doc"), hasDefault, defaultValue?.DeepClone(),
                OptionalString(obj, "order") is { } order && order != "ascending" ? order : null, Aliases(obj, space: null));
            foreach (var (key, value) in obj)
            {
                if (!s_fieldReserved.Contains(key))
                {
                    field.AddProp(key, value?.DeepClone());
                }
            }
            return field;
        }

        // The schema, or the one already defined under its name when references may define a type twice.
        private AvroSchema? Define(AvroSchema schema)
        {
            if (_named.TryGetValue(schema.FullName, out var existing))
            {
                return _ignoreRedefinition ? existing : throw new SchemaParseException($"Can't redefine: {schema.FullName}");
            }
            _named.Add(schema.FullName, schema);
            return null;
        }

        private static (string Name, string? Namespace) NameOf(JsonObject obj, string? enclosing)
        {
            var full = OptionalString(obj, "name") ?? throw new SchemaParseException($"No name in schema: {obj.ToJsonString()}");
            var dot = full.LastIndexOf('.');
            var name = dot >= 0 ? full[(dot + 1)..] : full;
            var space = dot >= 0 ? full[..dot] : OptionalString(obj, "namespace") ?? enclosing;
            ValidateName(name);
            if (!string.IsNullOrEmpty(space))
            {
                foreach (var part in space.Split('.'))
                {
                    ValidateName(part);
                }
            }
            var result = string.IsNullOrEmpty(space) ? name : space + "." + name;
            if (PrimitiveType(name) is not null && string.IsNullOrEmpty(space))
            {
                throw new SchemaParseException("Schemas may not be named after primitives: " + result);
            }
            return (name, string.IsNullOrEmpty(space) ? null : space);
        }

        // A named type's aliases are qualified with its namespace, as Java Avro keeps them; a field's stay as written.
        private static List<string> Aliases(JsonObject obj, string? space) =>
            obj["aliases"] is JsonArray aliases
                ? aliases.Select(a => a is JsonValue v && v.GetValueKind() == JsonValueKind.String
                    ? Qualify(v.GetValue<string>(), space)
                    : throw new SchemaParseException("alias not a string: " + aliases.ToJsonString())).ToList()
                : [];

        private static string Qualify(string alias, string? space) =>
            space is null || alias.Contains('.', StringComparison.Ordinal) ? alias : space + "." + alias;

        private static void ValidateName(string name)
        {
            if (!IsValidName(name))
            {
                throw new SchemaParseException($"Illegal initial character: {name}");
            }
        }

        private static string? OptionalString(JsonObject obj, string key) =>
            obj[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

        private static string Describe(AvroSchema t) => t.IsNamed ? t.FullName : AvroSchema.TypeName(t.Type);

        /// <summary>Avro's default-value rules (a union's default must match its first branch).</summary>
        private static bool IsValidDefault(AvroSchema t, JsonNode? d)
        {
            var kind = d?.GetValueKind() ?? JsonValueKind.Null;
            return t.Type switch
            {
                AvroType.Null => kind == JsonValueKind.Null,
                AvroType.Boolean => kind is JsonValueKind.True or JsonValueKind.False,
                AvroType.Int => kind == JsonValueKind.Number && d!.AsValue().TryGetValue<int>(out _),
                AvroType.Long => kind == JsonValueKind.Number && d!.AsValue().TryGetValue<long>(out _),
                AvroType.Float or AvroType.Double => kind == JsonValueKind.Number
                    || (kind == JsonValueKind.String && d!.GetValue<string>() is "NaN" or "Infinity" or "-Infinity"),
                AvroType.Bytes or AvroType.String or AvroType.Fixed => kind == JsonValueKind.String,
                AvroType.Enum => kind == JsonValueKind.String && t.Symbols.Contains(d!.GetValue<string>()),
                AvroType.Array => kind == JsonValueKind.Array && d!.AsArray().All(e => IsValidDefault(t.ItemSchema!, e)),
                AvroType.Map => kind == JsonValueKind.Object && d!.AsObject().All(e => IsValidDefault(t.ItemSchema!, e.Value)),
                AvroType.Union => t.Branches.Count > 0 && IsValidDefault(t.Branches[0], d),
                AvroType.Record => kind == JsonValueKind.Object && t.Fields.All(f =>
                    d!.AsObject().TryGetPropertyValue(f.Name, out var v) ? IsValidDefault(f.Schema, v) : f.HasDefault),
                _ => false,
            };
        }
    }
}
