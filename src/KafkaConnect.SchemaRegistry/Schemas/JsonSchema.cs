using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using KafkaConnect.Schemas;

namespace KafkaConnect.SchemaRegistry.Schemas;

/// <summary>
/// A JSON Schema: stored as its compact JSON text (keys in the order given, as Confluent's Jackson rendering keeps them)
/// and compared with the main rules of Confluent's JSON Schema diff (json/diff/*): type changes, properties added or
/// removed under open and closed content models, required, enum, string/number/array bounds, items and nested objects.
/// Local (<c>#/…</c>) and reference (<c>$ref</c> equal to a reference's name) pointers are followed.
/// </summary>
internal sealed class JsonSchema : ParsedSchema
{
    private static readonly JsonSerializerOptions s_compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    // Numeric keywords and the name of their difference types (…_ADDED, _REMOVED, _INCREASED, _DECREASED); whether a
    // change loosens or tightens is Confluent's compatible-changes set's business.
    private static readonly (string Key, string Name)[] s_bounds =
    [
        ("maxLength", "MAX_LENGTH"), ("minLength", "MIN_LENGTH"), ("maximum", "MAXIMUM"), ("minimum", "MINIMUM"),
        ("exclusiveMaximum", "EXCLUSIVE_MAXIMUM"), ("exclusiveMinimum", "EXCLUSIVE_MINIMUM"), ("maxItems", "MAX_ITEMS"),
        ("minItems", "MIN_ITEMS"), ("maxProperties", "MAX_PROPERTIES"), ("minProperties", "MIN_PROPERTIES"),
    ];

    private static readonly HashSet<string> s_types = ["object", "array", "string", "number", "integer", "boolean", "null"];

    private readonly JsonNode _root;
    private readonly Dictionary<string, JsonNode> _references;

    private JsonSchema(JsonNode root, Dictionary<string, JsonNode> references)
    {
        _root = root;
        _references = references;
        Canonical = root.ToJsonString(s_compact);
    }

    public override string SchemaType => "JSON";

    public override string Canonical { get; }

    public static JsonSchema Parse(string text, IReadOnlyList<ResolvedReference> references)
    {
        var refs = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        foreach (var r in references)
        {
            foreach (var (name, node) in Parse(r.Schema, r.References)._references)
            {
                refs.TryAdd(name, node);
            }
            refs[r.Name] = Parse(r.Schema, r.References)._root;
        }
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text);
        }
        catch (JsonException ex)
        {
            throw new SchemaParseException(ex.Message);
        }
        if (root is not (JsonObject or JsonValue) || (root is JsonValue v && v.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False)))
        {
            throw new SchemaParseException("A JSON schema must be an object or a boolean, found: " + root?.ToJsonString());
        }
        Validate(root);
        return new JsonSchema(root, refs);
    }

    private static void Validate(JsonNode node)
    {
        if (node is not JsonObject o)
        {
            return;
        }
        if (o["type"] is { } type)
        {
            var names = type is JsonArray a ? a.Select(t => t?.GetValueKind() == JsonValueKind.String ? t.GetValue<string>() : null) : [type.GetValueKind() == JsonValueKind.String ? type.GetValue<string>() : null];
            foreach (var n in names)
            {
                if (n is null || !s_types.Contains(n))
                {
                    throw new SchemaParseException($"#: expected type is one of {string.Join(", ", s_types)}, found: {type.ToJsonString()}");
                }
            }
        }
        if (o["required"] is { } req && req is not JsonArray)
        {
            throw new SchemaParseException("#/required: expected type: JSONArray, found: " + req.GetValueKind());
        }
        foreach (var key in (string[])["properties", "definitions", "$defs"])
        {
            if (o[key] is JsonObject props)
            {
                foreach (var (_, p) in props)
                {
                    if (p is not null)
                    {
                        Validate(p);
                    }
                }
            }
        }
        if (o["items"] is { } items)
        {
            Validate(items);
        }
    }

    public override List<string> ReadsFrom(ParsedSchema writer)
    {
        var old = (JsonSchema)writer;
        var diffs = new List<(string Type, string Path)>();
        new Diff(old, this, diffs).Compare(old._root, _root, "#");
        return [.. diffs.Where(d => !s_compatible.Contains(d.Type)).Select(d => $"{{errorType:\"{d.Type}\", description:\"{Describe(d.Type, d.Path)}'}}")];
    }

    // Confluent's COMPATIBLE_CHANGES_STRICT for the difference types this diff reports.
    private static readonly HashSet<string> s_compatible =
    [
        "ID_CHANGED", "DESCRIPTION_CHANGED", "TITLE_CHANGED", "DEFAULT_CHANGED", "SCHEMA_REMOVED", "TYPE_EXTENDED",
        "MAX_LENGTH_INCREASED", "MAX_LENGTH_REMOVED", "MIN_LENGTH_DECREASED", "MIN_LENGTH_REMOVED", "PATTERN_REMOVED",
        "MAXIMUM_INCREASED", "MAXIMUM_REMOVED", "MINIMUM_DECREASED", "MINIMUM_REMOVED",
        "EXCLUSIVE_MAXIMUM_INCREASED", "EXCLUSIVE_MAXIMUM_REMOVED", "EXCLUSIVE_MINIMUM_DECREASED", "EXCLUSIVE_MINIMUM_REMOVED",
        "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED", "REQUIRED_ATTRIBUTE_REMOVED",
        "MAX_PROPERTIES_INCREASED", "MAX_PROPERTIES_REMOVED", "MIN_PROPERTIES_DECREASED", "MIN_PROPERTIES_REMOVED",
        "ADDITIONAL_PROPERTIES_ADDED", "ADDITIONAL_PROPERTIES_EXTENDED",
        "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL", "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL",
        "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL",
        "MAX_ITEMS_INCREASED", "MAX_ITEMS_REMOVED", "MIN_ITEMS_DECREASED", "MIN_ITEMS_REMOVED", "UNIQUE_ITEMS_REMOVED",
        "ENUM_ARRAY_EXTENDED", "COMBINED_TYPE_EXTENDED", "PRODUCT_TYPE_NARROWED", "SUM_TYPE_EXTENDED",
    ];

    // Confluent's Difference.error() wording for each group of difference types.
    private static string Describe(string type, string path) => type switch
    {
        _ when type.EndsWith("_ADDED", StringComparison.Ordinal) && IsKeyword(type) || type is "ADDITIONAL_PROPERTIES_REMOVED" =>
            $"The keyword at path '{path}' in the %s schema is not present in the %s schema",
        "MIN_LENGTH_INCREASED" or "MINIMUM_INCREASED" or "EXCLUSIVE_MINIMUM_INCREASED" or "MIN_PROPERTIES_INCREASED" or "MIN_ITEMS_INCREASED" =>
            $"The value at path '{path}' in the %s schema is more than its value in the %s schema",
        "MAX_LENGTH_DECREASED" or "MAXIMUM_DECREASED" or "MAX_ITEMS_DECREASED" or "EXCLUSIVE_MAXIMUM_DECREASED" or "MAX_PROPERTIES_DECREASED" =>
            $"The value at path '{path}' in the %s schema is less than its value in the %s schema",
        "PATTERN_CHANGED" => $"The value at path '{path}' is different between the %s and %s schema",
        "TYPE_NARROWED" or "ENUM_ARRAY_NARROWED" or "ADDITIONAL_PROPERTIES_NARROWED" or "SUM_TYPE_NARROWED" =>
            $"An array or combined type at path '{path}' has fewer elements in the %s schema than the %s schema",
        "TYPE_CHANGED" or "ENUM_ARRAY_CHANGED" or "COMBINED_TYPE_CHANGED" or "COMBINED_TYPE_SUBSCHEMAS_CHANGED" =>
            $"A type at path '{path}' is different between the %s schema and the %s schema",
        "PRODUCT_TYPE_EXTENDED" => $"An array or combined type at path '{path}' has more elements in the %s schema than the %s schema",
        "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL" or "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL" =>
            $"The %s schema has an open content model and has a property or item at path '{path}' which is missing in the %s schema",
        "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL" =>
            $"The %s schema has an unopen content model and has a required property at path '{path}' which is missing in the %s schema",
        "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL" =>
            $"The %s has a closed content model and is missing a property or item present at path '{path}' in the %s schema",
        _ => "",
    };

    private static bool IsKeyword(string type) => type is "MAXIMUM_ADDED" or "MINIMUM_ADDED" or "EXCLUSIVE_MAXIMUM_ADDED" or "EXCLUSIVE_MINIMUM_ADDED"
        or "MAX_LENGTH_ADDED" or "MIN_LENGTH_ADDED" or "PATTERN_ADDED" or "REQUIRED_ATTRIBUTE_ADDED" or "MAX_PROPERTIES_ADDED"
        or "MIN_PROPERTIES_ADDED" or "MAX_ITEMS_ADDED" or "MIN_ITEMS_ADDED" or "UNIQUE_ITEMS_ADDED";

    private sealed class Diff(JsonSchema original, JsonSchema update, List<(string, string)> diffs)
    {
        private readonly HashSet<(JsonNode, JsonNode)> _visiting = [];

        public void Compare(JsonNode? o, JsonNode? u, string path)
        {
            o = Deref(original, o);
            u = Deref(update, u);
            if (o is null || u is null || !_visiting.Add((o, u)))
            {
                return;
            }
            var oo = o as JsonObject;
            var uo = u as JsonObject;
            if (oo is null || uo is null)
            {
                // Boolean schemas: true accepts everything, false nothing.
                if (IsFalse(o) != IsFalse(u))
                {
                    Add(IsFalse(u) ? "TYPE_NARROWED" : "TYPE_EXTENDED", path);
                }
                return;
            }
            if (CompareCombined(oo, uo, path))
            {
                return;
            }
            CompareTypes(oo, uo, path);
            foreach (var (key, name) in s_bounds)
            {
                CompareBound(oo, uo, key, name, path);
            }
            var op = Str(oo, "pattern");
            var up = Str(uo, "pattern");
            if (op != up)
            {
                Add(op is null ? "PATTERN_ADDED" : up is null ? "PATTERN_REMOVED" : "PATTERN_CHANGED", path + "/pattern");
            }
            if (Bool(oo, "uniqueItems") != Bool(uo, "uniqueItems"))
            {
                Add(Bool(uo, "uniqueItems") ? "UNIQUE_ITEMS_ADDED" : "UNIQUE_ITEMS_REMOVED", path + "/uniqueItems");
            }
            CompareEnum(oo, uo, path);
            if (oo["items"] is { } oi && uo["items"] is { } ui)
            {
                Compare(oi, ui, path + "/items");
            }
            CompareObject(oo, uo, path);
        }

        private static string? Combiner(JsonObject o) =>
            o["oneOf"] is JsonArray ? "oneOf" : o["anyOf"] is JsonArray ? "anyOf" : o["allOf"] is JsonArray ? "allOf" : null;

        private bool Compatible(JsonNode? o, JsonNode? u)
        {
            var sub = new List<(string Type, string Path)>();
            new Diff(original, update, sub).Compare(o, u, "#");
            return sub.All(d => s_compatible.Contains(d.Type));
        }

        /// <summary>
        /// Confluent's CombinedSchemaDiff, with a greedy pairing of subschemas where Confluent computes a maximum matching:
        /// criteria changed, sum types (oneOf/anyOf) extended or narrowed, product types (allOf) extended or narrowed,
        /// subschemas compared pairwise. True when the schemas were combined ones (nothing else to compare).
        /// </summary>
        private bool CompareCombined(JsonObject o, JsonObject u, string path)
        {
            var oc = Combiner(o);
            var uc = Combiner(u);
            if (oc is null && uc is null)
            {
                return false;
            }
            if (oc is null || uc is null)
            {
                // A plain schema that became a sum containing a compatible branch only widens.
                var widened = oc is null && uc is "oneOf" or "anyOf" && u[uc!]!.AsArray().Any(b => Compatible(o, b));
                Add(widened ? "COMBINED_TYPE_EXTENDED" : "TYPE_CHANGED", path);
                return true;
            }
            var os = o[oc]!.AsArray();
            var us = u[uc]!.AsArray();
            if (oc != uc)
            {
                var extended = uc == "anyOf" || (os.Count == 1 && (us.Count == 1 || uc == "oneOf")) || (us.Count == 1 && oc == "allOf");
                Add(extended ? "COMBINED_TYPE_EXTENDED" : "COMBINED_TYPE_CHANGED", path);
                if (!extended)
                {
                    return true;
                }
            }
            if (os.Count < us.Count)
            {
                Add(uc == "allOf" ? "PRODUCT_TYPE_EXTENDED" : "SUM_TYPE_EXTENDED", path);
            }
            else if (os.Count > us.Count)
            {
                Add(oc is "anyOf" or "oneOf" ? "SUM_TYPE_NARROWED" : "PRODUCT_TYPE_NARROWED", path);
            }
            var used = new HashSet<int>();
            var matched = 0;
            for (var i = 0; i < os.Count; i++)
            {
                for (var j = 0; j < us.Count; j++)
                {
                    if (!used.Contains(j) && Compatible(os[i], us[j]))
                    {
                        used.Add(j);
                        matched++;
                        break;
                    }
                }
            }
            if (matched < Math.Min(os.Count, us.Count))
            {
                Add("COMBINED_TYPE_SUBSCHEMAS_CHANGED", path);
            }
            return true;
        }

        private void CompareTypes(JsonObject o, JsonObject u, string path)
        {
            var ot = Types(o);
            var ut = Types(u);
            if (ot is null || ut is null || ot.SetEquals(ut))
            {
                if (ot is null && ut is not null)
                {
                    Add("TYPE_NARROWED", path);
                }
                return;
            }
            // integer → number widens; a superset of types extends, a subset narrows.
            var ow = new HashSet<string>(ot.Select(t => t == "integer" ? "number" : t));
            var uw = new HashSet<string>(ut.Select(t => t == "integer" ? "number" : t));
            if (ut.IsSupersetOf(ot) || (uw.IsSupersetOf(ow) && !ot.Except(ut).Any(t => t != "integer")))
            {
                Add("TYPE_EXTENDED", path);
            }
            else if (ot.IsSupersetOf(ut) || (ow.IsSupersetOf(uw) && ut.Contains("integer") && ot.Contains("number")))
            {
                Add(ot.Count > 1 && ut.Count >= 1 && ot.IsProperSupersetOf(ut) ? "TYPE_NARROWED" : "TYPE_CHANGED", path);
            }
            else
            {
                Add("TYPE_CHANGED", path);
            }
        }

        private void CompareBound(JsonObject o, JsonObject u, string key, string name, string path)
        {
            var ov = Num(o, key);
            var uv = Num(u, key);
            if (ov == uv)
            {
                return;
            }
            var at = path + "/" + key;
            if (ov is null)
            {
                Add(name + "_ADDED", at);
            }
            else if (uv is null)
            {
                Add(name + "_REMOVED", at);
            }
            else
            {
                Add(name + ((uv > ov) ? "_INCREASED" : "_DECREASED"), at);
            }
        }

        private void CompareEnum(JsonObject o, JsonObject u, string path)
        {
            if (o["enum"] is not JsonArray oe || u["enum"] is not JsonArray ue)
            {
                if (o["enum"] is null && u["enum"] is JsonArray)
                {
                    Add("ENUM_ARRAY_NARROWED", path + "/enum");
                }
                return;
            }
            var os = oe.Select(e => e?.ToJsonString() ?? "null").ToHashSet();
            var us = ue.Select(e => e?.ToJsonString() ?? "null").ToHashSet();
            if (os.SetEquals(us))
            {
                return;
            }
            Add(us.IsSupersetOf(os) ? "ENUM_ARRAY_EXTENDED" : os.IsSupersetOf(us) ? "ENUM_ARRAY_NARROWED" : "ENUM_ARRAY_CHANGED", path + "/enum");
        }

        private void CompareObject(JsonObject o, JsonObject u, string path)
        {
            var oprops = o["properties"] as JsonObject;
            var uprops = u["properties"] as JsonObject;
            if (oprops is null && uprops is null && o["additionalProperties"] is null && u["additionalProperties"] is null)
            {
                return;
            }
            var oOpen = IsOpen(o);
            var uOpen = IsOpen(u);
            if (oOpen && !uOpen)
            {
                Add("ADDITIONAL_PROPERTIES_REMOVED", path + "/additionalProperties");
            }
            else if (!oOpen && uOpen)
            {
                Add("ADDITIONAL_PROPERTIES_ADDED", path + "/additionalProperties");
            }
            var oreq = Required(o);
            var ureq = Required(u);
            foreach (var (name, schema) in uprops ?? [])
            {
                var at = path + "/properties/" + name;
                if (oprops is not null && oprops.ContainsKey(name))
                {
                    Compare(oprops[name], schema, at);
                    if (!oreq.Contains(name) && ureq.Contains(name))
                    {
                        Add(schema is JsonObject so && so.ContainsKey("default") ? "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED" : "REQUIRED_ATTRIBUTE_ADDED", path + "/required/" + name);
                    }
                    continue;
                }
                var required = ureq.Contains(name);
                var hasDefault = schema is JsonObject s && s.ContainsKey("default");
                if (oOpen)
                {
                    Add(schema is JsonObject { Count: 0 } || schema is JsonValue t && t.GetValueKind() == JsonValueKind.True
                        ? "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL"
                        : required ? "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL" : "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", at);
                }
                else
                {
                    Add(required ? hasDefault ? "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL" : "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL"
                        : "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", at);
                }
            }
            foreach (var (name, schema) in oprops ?? [])
            {
                if (uprops is not null && uprops.ContainsKey(name))
                {
                    if (oreq.Contains(name) && !ureq.Contains(name))
                    {
                        Add("REQUIRED_ATTRIBUTE_REMOVED", path + "/required/" + name);
                    }
                    continue;
                }
                var at = path + "/properties/" + name;
                Add(uOpen ? "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL"
                    : IsFalse(schema) ? "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL" : "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", at);
            }
        }

        private static bool IsOpen(JsonObject o) => o["additionalProperties"] is not JsonValue v || v.GetValueKind() != JsonValueKind.False;

        private static HashSet<string> Required(JsonObject o) =>
            o["required"] is JsonArray a ? [.. a.Select(e => e?.GetValue<string>() ?? "")] : [];

        private static HashSet<string>? Types(JsonObject o) => o["type"] switch
        {
            JsonArray a => [.. a.Select(e => e!.GetValue<string>())],
            JsonValue v => [v.GetValue<string>()],
            _ => o["properties"] is not null ? ["object"] : null,
        };

        private static string? Str(JsonObject o, string key) => o[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

        private static bool Bool(JsonObject o, string key) => o[key] is JsonValue v && v.GetValueKind() == JsonValueKind.True;

        private static decimal? Num(JsonObject o, string key) => o[key] is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.GetValue<decimal>() : null;

        private static bool IsFalse(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.False;

        private static JsonNode? Deref(JsonSchema schema, JsonNode? node)
        {
            for (var depth = 0; depth < 32 && node is JsonObject o && o["$ref"] is JsonValue r && r.TryGetValue<string>(out var target); depth++)
            {
                var hash = target.IndexOf('#', StringComparison.Ordinal);
                var doc = hash < 0 ? target : target[..hash];
                var pointer = hash < 0 ? "" : target[(hash + 1)..];
                var root = doc.Length == 0 ? schema._root : schema._references.GetValueOrDefault(doc);
                node = root is null ? null : Pointer(root, pointer);
            }
            return node;
        }

        private static JsonNode? Pointer(JsonNode root, string pointer)
        {
            var node = root;
            foreach (var part in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                node = node is JsonObject o ? o[part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)] : null;
            }
            return node;
        }

        private void Add(string type, string path) => diffs.Add((type, path));
    }
}
