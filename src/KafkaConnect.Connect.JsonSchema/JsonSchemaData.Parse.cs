using System.Text.Json;
using System.Text.Json.Nodes;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.SchemaRegistry;

namespace KafkaConnect.Connect.JsonSchema;

/// <summary>JSON Schema text to a Connect schema, as Confluent's JsonSchemaData.toConnectSchema reads everit's model.</summary>
internal sealed partial class JsonSchemaData
{
    private const int MaxDepth = 64;

    /// <summary>
    /// Parses a registered schema. <paramref name="references"/> maps a reference name to its schema text, for
    /// <c>$ref</c>s that point outside the document; <paramref name="version"/> is the registry version, used when
    /// the schema carries no <c>connect.version</c>.
    /// </summary>
    /// <exception cref="DataException">Not JSON, or a JSON Schema construct that has no Connect counterpart.</exception>
    public Schema ToConnectSchema(string schemaText, IReadOnlyDictionary<string, string>? references = null, int? version = null)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(schemaText);
        }
        catch (JsonException e)
        {
            throw new DataException("Invalid JSON Schema: " + e.Message, e);
        }
        var context = new ParseContext(root, references ?? new Dictionary<string, string>());
        return ToConnect(context, root, version, false, 0);
    }

    private sealed class ParseContext(JsonNode? root, IReadOnlyDictionary<string, string> references)
    {
        private readonly Dictionary<string, JsonNode?> _documents = new(StringComparer.Ordinal);

        public JsonNode? Root { get; } = root;

        public int UnionIndex { get; set; }

        public JsonNode? Resolve(string reference)
        {
            var hash = reference.IndexOf('#', StringComparison.Ordinal);
            var document = hash < 0 ? reference : reference[..hash];
            var pointer = hash < 0 ? "" : reference[(hash + 1)..];
            JsonNode? node;
            if (document.Length == 0)
            {
                node = Root;
            }
            else if (!_documents.TryGetValue(document, out node))
            {
                if (!references.TryGetValue(document, out var text))
                {
                    throw new DataException($"Unresolved JSON Schema reference \"{reference}\" (not among the schema's references)");
                }
                node = JsonNode.Parse(text);
                _documents[document] = node;
            }
            foreach (var segment in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                var name = Uri.UnescapeDataString(segment).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
                node = node switch
                {
                    JsonObject o when o.TryGetPropertyValue(name, out var child) => child,
                    JsonArray a when int.TryParse(name, out var i) && i >= 0 && i < a.Count => a[i],
                    _ => throw new DataException($"Unresolved JSON Schema reference \"{reference}\""),
                };
            }
            return node;
        }
    }

    private Schema ToConnect(ParseContext ctx, JsonNode? node, int? version, bool forceOptional, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new DataException("JSON Schema nests too deeply (recursive schemas are not supported)");
        }
        if (node is not JsonObject obj)
        {
            throw new DataException("Unsupported JSON Schema: " + (node?.ToJsonString() ?? "null"));
        }
        if (obj["$ref"] is JsonValue refValue && refValue.TryGetValue<string>(out var reference))
        {
            return ToConnect(ctx, ctx.Resolve(reference), version, forceOptional, depth + 1);
        }

        SchemaBuilder builder;
        var connectType = GetString(obj, ConnectTypeProp);
        var hasName = false;
        if (obj["enum"] is JsonArray enumValues)
        {
            builder = ToConnectEnum(enumValues);
        }
        else if (obj.ContainsKey("const"))
        {
            builder = ToConnectEnum([obj["const"]?.DeepClone()]);
        }
        else if ((obj["oneOf"] ?? obj["anyOf"]) is JsonArray alternatives)
        {
            return Combined(ctx, obj, [.. alternatives], version, forceOptional, depth);
        }
        else if (obj["allOf"] is JsonArray all)
        {
            if (all.Count == 1)
            {
                return ToConnect(ctx, all[0], version, forceOptional, depth + 1);
            }
            throw new DataException("Unsupported JSON Schema: allOf with more than one schema");
        }
        else if (obj["type"] is JsonArray types)
        {
            // everit reads "type": [a, b] as anyOf, one schema per type, each with the object's other keywords.
            var alternativesByType = new List<JsonNode?>();
            foreach (var type in types)
            {
                var copy = (JsonObject)obj.DeepClone();
                copy["type"] = type?.DeepClone();
                alternativesByType.Add(copy);
            }
            return Combined(ctx, null, alternativesByType, version, forceOptional, depth);
        }
        else
        {
            var type = GetString(obj, "type") ?? InferType(obj);
            switch (type)
            {
                case "boolean":
                    builder = SchemaBuilder.Bool();
                    break;
                case "integer":
                case "number":
                    builder = connectType switch
                    {
                        null => type == "integer" ? SchemaBuilder.Int64() : SchemaBuilder.Float64(),
                        "int8" => SchemaBuilder.Int8(),
                        "int16" => SchemaBuilder.Int16(),
                        "int32" => SchemaBuilder.Int32(),
                        "int64" => SchemaBuilder.Int64(),
                        "float32" => SchemaBuilder.Float32(),
                        "float64" => SchemaBuilder.Float64(),
                        "bytes" => SchemaBuilder.Bytes(),
                        _ => throw new DataException("Unsupported type " + connectType),
                    };
                    break;
                case "string":
                    builder = connectType == "bytes" ? SchemaBuilder.Bytes() : SchemaBuilder.String();
                    break;
                case "array":
                    var items = obj["items"] ?? throw new DataException("Array schema did not specify the items type");
                    var resolvedItems = items is JsonObject io && io["$ref"] is JsonValue r && r.TryGetValue<string>(out var itemRef) ? ctx.Resolve(itemRef) : items;
                    if (connectType == "map" && resolvedItems is JsonObject entry && entry["properties"] is JsonObject entryProps)
                    {
                        builder = SchemaBuilder.Map(
                            ToConnect(ctx, entryProps[KeyField], null, false, depth + 1),
                            ToConnect(ctx, entryProps[ValueField], null, false, depth + 1));
                    }
                    else
                    {
                        builder = SchemaBuilder.Array(ToConnect(ctx, items, null, false, depth + 1));
                    }
                    break;
                case "object":
                    if (connectType == "map")
                    {
                        builder = SchemaBuilder.Map(Schema.StringSchema, ToConnect(ctx, obj["additionalProperties"], null, false, depth + 1));
                    }
                    else
                    {
                        builder = SchemaBuilder.Struct();
                        AddFields(ctx, builder, obj, depth);
                    }
                    break;
                case "null":
                    throw new DataException("Unsupported JSON Schema: a null type outside a union");
                default:
                    throw new DataException("Unsupported JSON Schema (no type a Connect schema can express): " + obj.ToJsonString());
            }
        }
        return Finish(builder, obj, version, forceOptional, hasName);
    }

    private static string? InferType(JsonObject obj) =>
        obj.ContainsKey("properties") || obj.ContainsKey("additionalProperties") || obj.ContainsKey("required") ? "object"
        : obj.ContainsKey("items") ? "array"
        : null;

    private void AddFields(ParseContext ctx, SchemaBuilder builder, JsonObject obj, int depth)
    {
        if (obj["properties"] is not JsonObject properties)
        {
            return;
        }
        var required = obj["required"] is JsonArray req
            ? req.Select(n => n?.GetValue<string>()).ToHashSet(StringComparer.Ordinal)
            : [];
        // everit keeps properties in a HashMap, so fields without connect.index come in its iteration order;
        // Confluent files them under the running count (a later one with that index replaces it).
        var names = JavaHashOrder.Order(properties.Select(p => p.Key), k => k, JavaHashOrder.CapacityAfterPuts(properties.Count));
        var sorted = new SortedDictionary<int, string>();
        foreach (var name in names)
        {
            var index = properties[name] is JsonObject p && p[ConnectIndexProp] is JsonValue v && v.TryGetValue<int>(out var i) ? i : sorted.Count;
            sorted[index] = name;
        }
        foreach (var name in sorted.Values)
        {
            var optional = _config.UseOptionalForNonRequired && !required.Contains(name);
            builder.Field(name, ToConnect(ctx, properties[name], null, optional, depth + 1));
        }
    }

    private Schema Combined(ParseContext ctx, JsonObject? owner, List<JsonNode?> alternatives, int? version, bool forceOptional, int depth)
    {
        if (alternatives.Count == 1 && _config.FlattenSingletonUnions)
        {
            return ToConnect(ctx, alternatives[0], null, false, depth + 1);
        }
        if (alternatives.Count == 2)
        {
            var nullIndex = alternatives.FindIndex(IsNullSchema);
            if (nullIndex >= 0)
            {
                return ToConnect(ctx, alternatives[1 - nullIndex], version, true, depth + 1);
            }
        }
        var name = _config.GeneralizedSumTypeSupport ? GeneralizedTypeUnionPrefix + ctx.UnionIndex++ : JsonTypeOneOf;
        var builder = SchemaBuilder.Struct().Name(name);
        if (_config.GeneralizedSumTypeSupport)
        {
            builder.Parameter(GeneralizedTypeUnion, name);
        }
        var index = 0;
        var hasNull = false;
        foreach (var alternative in alternatives)
        {
            if (IsNullSchema(alternative))
            {
                hasNull = true;
                continue;
            }
            var fieldName = _config.GeneralizedSumTypeSupport ? GeneralizedTypeUnionFieldPrefix + index : name + ".field." + index;
            builder.Field(fieldName, ToConnect(ctx, alternative, null, true, depth + 1));
            index++;
        }
        return owner is null ? Optional(builder, forceOptional || hasNull) : Finish(builder, owner, version, forceOptional || hasNull, true);
    }

    private static Schema Optional(SchemaBuilder builder, bool optional) => optional ? builder.Optional().Build() : builder.Build();

    private static bool IsNullSchema(JsonNode? node) => node is JsonObject o && GetString(o, "type") == "null" && !o.ContainsKey("enum");

    private SchemaBuilder ToConnectEnum(IEnumerable<JsonNode?> values)
    {
        var builder = SchemaBuilder.String();
        var paramName = _config.GeneralizedSumTypeSupport ? GeneralizedTypeEnum : JsonTypeEnum;
        builder.Parameter(paramName, "");
        var symbolIndex = 0;
        foreach (var value in values)
        {
            var symbol = value is null ? NullMarker
                : value is JsonValue v && v.TryGetValue<string>(out var s) ? s
                : value.ToJsonString();
            builder.Parameter(paramName + "." + symbol, _config.GeneralizedSumTypeSupport ? symbolIndex.ToString(System.Globalization.CultureInfo.InvariantCulture) : symbol);
            symbolIndex++;
        }
        return builder;
    }

    private Schema Finish(SchemaBuilder builder, JsonObject obj, int? version, bool forceOptional, bool hasName)
    {
        if (!hasName && GetString(obj, "title") is { } title)
        {
            builder.Name(title);
        }
        if (obj[ConnectVersionProp] is JsonValue v && v.TryGetValue<int>(out var connectVersion))
        {
            builder.Version(connectVersion);
        }
        else if (version is { } registryVersion)
        {
            builder.Version(registryVersion);
        }
        if (GetString(obj, "description") is { } description)
        {
            builder.Doc(description);
        }
        if (obj[ConnectParametersProp] is JsonObject parameters)
        {
            foreach (var (key, value) in parameters)
            {
                builder.Parameter(key, value is JsonValue pv && pv.TryGetValue<string>(out var s) ? s : value?.ToJsonString() ?? "null");
            }
        }
        if (obj.TryGetPropertyValue("default", out var defaultNode))
        {
            var schemaSoFar = builder.Build();
            using var document = JsonDocument.Parse(defaultNode?.ToJsonString() ?? "null");
            builder.DefaultValue(ToConnectData(schemaSoFar, document.RootElement));
        }
        if (forceOptional)
        {
            builder.Optional();
        }
        return builder.Build();
    }

    private static string? GetString(JsonObject obj, string key) =>
        obj[key] is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;
}
