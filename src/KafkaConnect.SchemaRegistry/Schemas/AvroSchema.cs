using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KafkaConnect.SchemaRegistry.Schemas;

internal enum AvroKind { Null, Boolean, Int, Long, Float, Double, Bytes, String, Record, Enum, Array, Map, Union, Fixed }

internal sealed class AvroField
{
    public required string Name { get; init; }
    public required int Pos { get; init; }
    public required AvroType Type { get; init; }
    public string? Doc { get; init; }
    public JsonNode? Default { get; init; }
    public bool HasDefault { get; init; }
    public string? Order { get; init; }
    public List<string> Aliases { get; } = [];
    public List<KeyValuePair<string, JsonNode?>> Props { get; } = [];
}

internal sealed class AvroType
{
    public required AvroKind Kind { get; init; }
    public string? Name { get; set; }
    public string? Namespace { get; set; }
    public string? FullName => Name is null ? null : string.IsNullOrEmpty(Namespace) ? Name : Namespace + "." + Name;
    public string? Doc { get; set; }
    public bool IsError { get; set; }
    public List<string> Aliases { get; } = [];
    public List<AvroField> Fields { get; } = [];
    public List<string> Symbols { get; } = [];
    public string? EnumDefault { get; set; }
    public int Size { get; set; }
    public AvroType? Items { get; set; }
    public AvroType? Values { get; set; }
    public List<AvroType> Branches { get; } = [];
    public List<KeyValuePair<string, JsonNode?>> Props { get; } = [];

    /// <summary>Java Avro's Schema.Type name, as its compatibility messages print it.</summary>
    public string TypeName => Kind.ToString().ToUpperInvariant();
}

/// <summary>
/// An Avro schema: parsed with Avro's naming rules (namespaces, aliases, named types defined once, references), written
/// back as Java Avro's Schema.toString() does, which is the text Confluent stores, and checked for reader/writer
/// compatibility with the rules and messages of Java Avro's SchemaCompatibility as Confluent reports them.
/// </summary>
internal sealed class AvroSchema : ParsedSchema
{
    private static readonly HashSet<string> s_primitives = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"];
    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private AvroSchema(AvroType root, string canonical)
    {
        Root = root;
        Canonical = canonical;
    }

    public AvroType Root { get; }

    public override string SchemaType => "AVRO";

    public override string Canonical { get; }

    public static AvroSchema Parse(string text, IReadOnlyList<ResolvedReference> references)
    {
        var names = new Dictionary<string, AvroType>(StringComparer.Ordinal);
        foreach (var r in Flatten(references))
        {
            if (r.SchemaType != "AVRO")
            {
                throw new SchemaParseException($"Reference {r.Name} is of type {r.SchemaType}, not AVRO");
            }
            // A referenced schema defines its named types for this one; redefinitions by later references are ignored.
            new Parser(names, ignoreRedefinition: true).Parse(ParseJson(r.Schema), null);
        }
        var defined = new HashSet<string>(names.Keys, StringComparer.Ordinal);
        var root = new Parser(names, ignoreRedefinition: false).Parse(ParseJson(text), null);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            Write(w, root, new HashSet<string>(defined, StringComparer.Ordinal), null);
        }
        return new AvroSchema(root, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    private static IEnumerable<ResolvedReference> Flatten(IReadOnlyList<ResolvedReference> refs)
    {
        foreach (var r in refs)
        {
            foreach (var inner in Flatten(r.References))
            {
                yield return inner;
            }
            yield return r;
        }
    }

    private static JsonNode? ParseJson(string text)
    {
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false });
        }
        catch (JsonException ex)
        {
            throw new SchemaParseException(ex.Message);
        }
    }

    public override List<string> ReadsFrom(ParsedSchema writer) =>
        new AvroCompatibility().Check(Root, ((AvroSchema)writer).Root);

    private sealed class Parser(Dictionary<string, AvroType> names, bool ignoreRedefinition)
    {
        public AvroType Parse(JsonNode? node, string? space)
        {
            switch (node)
            {
                case JsonValue v when v.TryGetValue<string>(out var name):
                    return Resolve(name, space);
                case JsonArray union:
                    return ParseUnion(union, space);
                case JsonObject o:
                    return ParseObject(o, space);
                default:
                    throw new SchemaParseException($"No type: {node?.ToJsonString() ?? "null"}");
            }
        }

        private AvroType Resolve(string name, string? space)
        {
            if (s_primitives.Contains(name))
            {
                return new AvroType { Kind = Enum.Parse<AvroKind>(name, ignoreCase: true) };
            }
            if (!name.Contains('.', StringComparison.Ordinal) && !string.IsNullOrEmpty(space) && names.TryGetValue(space + "." + name, out var local))
            {
                return local;
            }
            if (names.TryGetValue(name, out var full))
            {
                return full;
            }
            throw new SchemaParseException($"\"{name}\" is not a defined name. The type of the schema must be a defined name or a {{\"type\": ...}} expression.");
        }

        private AvroType ParseUnion(JsonArray union, string? space)
        {
            var result = new AvroType { Kind = AvroKind.Union };
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in union)
            {
                var branch = Parse(item, space);
                if (branch.Kind == AvroKind.Union)
                {
                    throw new SchemaParseException("Nested union: " + union.ToJsonString());
                }
                var key = branch.FullName ?? branch.Kind.ToString();
                if (!seen.Add(key))
                {
                    throw new SchemaParseException("Duplicate in union:" + key.ToLowerInvariant());
                }
                result.Branches.Add(branch);
            }
            return result;
        }

        private AvroType ParseObject(JsonObject o, string? space)
        {
            var typeNode = o["type"];
            if (typeNode is null)
            {
                throw new SchemaParseException("No type: " + o.ToJsonString());
            }
            if (typeNode is not JsonValue tv || !tv.TryGetValue<string>(out var type))
            {
                // {"type": {...}} or {"type": [...]}: the inner schema, Avro ignores the wrapper's other keys.
                return Parse(typeNode, space);
            }
            AvroType result;
            switch (type)
            {
                case "record" or "error" or "enum" or "fixed":
                    result = ParseNamed(o, type, space);
                    break;
                case "array":
                    result = new AvroType { Kind = AvroKind.Array, Items = Parse(o["items"] ?? throw new SchemaParseException("Array has no items type: " + o.ToJsonString()), space) };
                    break;
                case "map":
                    result = new AvroType { Kind = AvroKind.Map, Values = Parse(o["values"] ?? throw new SchemaParseException("Map has no values type: " + o.ToJsonString()), space) };
                    break;
                default:
                    if (s_primitives.Contains(type))
                    {
                        result = new AvroType { Kind = Enum.Parse<AvroKind>(type, ignoreCase: true) };
                    }
                    else
                    {
                        // {"type": "SomeName"}: a reference to a named type.
                        return Resolve(type, space);
                    }
                    break;
            }
            if (result.Kind is AvroKind.Array or AvroKind.Map or <= AvroKind.String)
            {
                foreach (var (k, v) in o)
                {
                    if (k is not ("type" or "items" or "values"))
                    {
                        result.Props.Add(new(k, v?.DeepClone()));
                    }
                }
            }
            return result;
        }

        private AvroType ParseNamed(JsonObject o, string type, string? space)
        {
            var name = String(o, "name") ?? throw new SchemaParseException("No name in schema: " + o.ToJsonString());
            var ns = String(o, "namespace");
            string? typeSpace;
            string shortName;
            var dot = name.LastIndexOf('.');
            if (dot >= 0)
            {
                typeSpace = name[..dot];
                shortName = name[(dot + 1)..];
            }
            else
            {
                typeSpace = ns ?? space;
                shortName = name;
            }
            ValidateName(shortName);
            var result = new AvroType
            {
                Kind = type switch { "enum" => AvroKind.Enum, "fixed" => AvroKind.Fixed, _ => AvroKind.Record },
                Name = shortName,
                Namespace = string.IsNullOrEmpty(typeSpace) ? null : typeSpace,
                Doc = String(o, "doc"),
                IsError = type == "error",
            };
            var full = result.FullName!;
            if (s_primitives.Contains(full))
            {
                throw new SchemaParseException("Schemas may not be named after primitives: " + full);
            }
            if (names.TryGetValue(full, out var existing))
            {
                if (ignoreRedefinition)
                {
                    return existing;
                }
                throw new SchemaParseException($"Can't redefine: {full}");
            }
            names[full] = result;
            if (o["aliases"] is JsonArray aliases)
            {
                foreach (var a in aliases)
                {
                    var alias = a?.GetValue<string>() ?? throw new SchemaParseException("alias not a string: " + aliases.ToJsonString());
                    result.Aliases.Add(alias.Contains('.', StringComparison.Ordinal) || result.Namespace is null ? alias : result.Namespace + "." + alias);
                }
            }
            switch (result.Kind)
            {
                case AvroKind.Record:
                    if (o["fields"] is not JsonArray fields)
                    {
                        throw new SchemaParseException("Record has no fields: " + o.ToJsonString());
                    }
                    var fieldNames = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var f in fields)
                    {
                        if (f is not JsonObject fo)
                        {
                            throw new SchemaParseException("Field not an object: " + f?.ToJsonString());
                        }
                        var fname = String(fo, "name") ?? throw new SchemaParseException("No field name: " + fo.ToJsonString());
                        ValidateName(fname);
                        if (!fieldNames.Add(fname))
                        {
                            throw new SchemaParseException($"Duplicate field {fname} in record {full}: {fname} type:{fo["type"]?.ToJsonString()} pos:{result.Fields.Count} and {fname}.");
                        }
                        var ftype = Parse(fo["type"] ?? throw new SchemaParseException("No field type: " + fo.ToJsonString()), result.Namespace);
                        var hasDefault = fo.ContainsKey("default");
                        var dflt = fo["default"]?.DeepClone();
                        if (hasDefault && !IsValidDefault(ftype, dflt))
                        {
                            throw new SchemaParseException($"Invalid default for field {fname}: {dflt?.ToJsonString() ?? "null"} not a {Describe(ftype)}");
                        }
                        var field = new AvroField
                        {
                            Name = fname,
                            Pos = result.Fields.Count,
                            Type = ftype,
                            Doc = String(fo, "doc"),
                            HasDefault = hasDefault,
                            Default = dflt,
                            Order = String(fo, "order") is { } order && order != "ascending" ? order : null,
                        };
                        if (fo["aliases"] is JsonArray faliases)
                        {
                            field.Aliases.AddRange(faliases.Select(a => a?.GetValue<string>() ?? ""));
                        }
                        foreach (var (k, v) in fo)
                        {
                            if (k is not ("name" or "type" or "doc" or "default" or "order" or "aliases"))
                            {
                                field.Props.Add(new(k, v?.DeepClone()));
                            }
                        }
                        result.Fields.Add(field);
                    }
                    break;
                case AvroKind.Enum:
                    if (o["symbols"] is not JsonArray symbols)
                    {
                        throw new SchemaParseException("Enum has no symbols: " + o.ToJsonString());
                    }
                    foreach (var s in symbols)
                    {
                        var symbol = s?.GetValue<string>() ?? "";
                        ValidateName(symbol);
                        if (result.Symbols.Contains(symbol))
                        {
                            throw new SchemaParseException("Duplicate enum symbol: " + symbol);
                        }
                        result.Symbols.Add(symbol);
                    }
                    result.EnumDefault = String(o, "default");
                    if (result.EnumDefault is { } d && !result.Symbols.Contains(d))
                    {
                        throw new SchemaParseException($"The Enum Default: {d} is not in the enum symbol set: [{string.Join(", ", result.Symbols)}]");
                    }
                    break;
                case AvroKind.Fixed:
                    if (o["size"] is not JsonValue sv || !sv.TryGetValue<int>(out var size) || size < 0)
                    {
                        throw new SchemaParseException("Invalid or no size: " + o.ToJsonString());
                    }
                    result.Size = size;
                    break;
            }
            foreach (var (k, v) in o)
            {
                if (k is not ("type" or "name" or "namespace" or "doc" or "aliases" or "fields" or "symbols" or "size" or "default"))
                {
                    result.Props.Add(new(k, v?.DeepClone()));
                }
            }
            return result;
        }

        private static string? String(JsonObject o, string key) =>
            o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

        private static void ValidateName(string name)
        {
            var ok = name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
            if (!ok)
            {
                throw new SchemaParseException($"Illegal initial character: {name}");
            }
        }
    }

    private static string Describe(AvroType t) => t.FullName ?? t.Kind.ToString().ToLowerInvariant();

    /// <summary>Avro's default-value rules (a union's default must match its first branch).</summary>
    private static bool IsValidDefault(AvroType t, JsonNode? d)
    {
        var kind = d?.GetValueKind() ?? JsonValueKind.Null;
        return t.Kind switch
        {
            AvroKind.Null => kind == JsonValueKind.Null,
            AvroKind.Boolean => kind is JsonValueKind.True or JsonValueKind.False,
            AvroKind.Int => kind == JsonValueKind.Number && d!.AsValue().TryGetValue<int>(out _),
            AvroKind.Long => kind == JsonValueKind.Number && d!.AsValue().TryGetValue<long>(out _),
            AvroKind.Float or AvroKind.Double => kind == JsonValueKind.Number
                || (kind == JsonValueKind.String && d!.GetValue<string>() is "NaN" or "Infinity" or "-Infinity"),
            AvroKind.Bytes or AvroKind.String or AvroKind.Fixed => kind == JsonValueKind.String,
            AvroKind.Enum => kind == JsonValueKind.String && t.Symbols.Contains(d!.GetValue<string>()),
            AvroKind.Array => kind == JsonValueKind.Array && d!.AsArray().All(e => IsValidDefault(t.Items!, e)),
            AvroKind.Map => kind == JsonValueKind.Object && d!.AsObject().All(e => IsValidDefault(t.Values!, e.Value)),
            AvroKind.Union => t.Branches.Count > 0 && IsValidDefault(t.Branches[0], d),
            AvroKind.Record => kind == JsonValueKind.Object && t.Fields.All(f =>
                d!.AsObject().TryGetPropertyValue(f.Name, out var v) ? IsValidDefault(f.Type, v) : f.HasDefault),
            _ => false,
        };
    }

    // Java Avro's Schema.toJson: the first use of a named type defines it, later uses print its name relative to the
    // enclosing namespace; a primitive without properties prints as a plain string.
    private static void Write(Utf8JsonWriter w, AvroType t, HashSet<string> written, string? space)
    {
        switch (t.Kind)
        {
            case AvroKind.Record or AvroKind.Enum or AvroKind.Fixed:
                var full = t.FullName!;
                if (!written.Add(full))
                {
                    w.WriteStringValue(t.Namespace is not null && t.Namespace == space ? t.Name : full);
                    return;
                }
                w.WriteStartObject();
                w.WriteString("type", t.Kind switch { AvroKind.Enum => "enum", AvroKind.Fixed => "fixed", _ => t.IsError ? "error" : "record" });
                w.WriteString("name", t.Name);
                if (t.Namespace is not null)
                {
                    if (t.Namespace != space)
                    {
                        w.WriteString("namespace", t.Namespace);
                    }
                }
                else if (space is not null)
                {
                    w.WriteString("namespace", "");
                }
                if (t.Doc is not null)
                {
                    w.WriteString("doc", t.Doc);
                }
                switch (t.Kind)
                {
                    case AvroKind.Record:
                        w.WritePropertyName("fields");
                        w.WriteStartArray();
                        foreach (var f in t.Fields)
                        {
                            w.WriteStartObject();
                            w.WriteString("name", f.Name);
                            w.WritePropertyName("type");
                            Write(w, f.Type, written, t.Namespace);
                            if (f.Doc is not null)
                            {
                                w.WriteString("doc", f.Doc);
                            }
                            if (f.HasDefault)
                            {
                                w.WritePropertyName("default");
                                WriteNode(w, f.Default);
                            }
                            if (f.Order is not null)
                            {
                                w.WriteString("order", f.Order);
                            }
                            if (f.Aliases.Count > 0)
                            {
                                w.WriteStartArray("aliases");
                                f.Aliases.ForEach(w.WriteStringValue);
                                w.WriteEndArray();
                            }
                            WriteProps(w, f.Props);
                            w.WriteEndObject();
                        }
                        w.WriteEndArray();
                        break;
                    case AvroKind.Enum:
                        w.WriteStartArray("symbols");
                        t.Symbols.ForEach(w.WriteStringValue);
                        w.WriteEndArray();
                        if (t.EnumDefault is not null)
                        {
                            w.WriteString("default", t.EnumDefault);
                        }
                        break;
                    default:
                        w.WriteNumber("size", t.Size);
                        break;
                }
                WriteProps(w, t.Props);
                if (t.Aliases.Count > 0)
                {
                    w.WriteStartArray("aliases");
                    foreach (var a in t.Aliases)
                    {
                        // Java prints aliases relative to the type's own namespace.
                        var dot = a.LastIndexOf('.');
                        w.WriteStringValue(dot >= 0 && a[..dot] == t.Namespace ? a[(dot + 1)..] : a);
                    }
                    w.WriteEndArray();
                }
                w.WriteEndObject();
                return;
            case AvroKind.Array or AvroKind.Map:
                w.WriteStartObject();
                w.WriteString("type", t.Kind == AvroKind.Array ? "array" : "map");
                w.WritePropertyName(t.Kind == AvroKind.Array ? "items" : "values");
                Write(w, t.Kind == AvroKind.Array ? t.Items! : t.Values!, written, space);
                WriteProps(w, t.Props);
                w.WriteEndObject();
                return;
            case AvroKind.Union:
                w.WriteStartArray();
                foreach (var b in t.Branches)
                {
                    Write(w, b, written, space);
                }
                w.WriteEndArray();
                return;
            default:
                var name = t.Kind.ToString().ToLowerInvariant();
                if (t.Props.Count == 0)
                {
                    w.WriteStringValue(name);
                    return;
                }
                w.WriteStartObject();
                w.WriteString("type", name);
                WriteProps(w, t.Props);
                w.WriteEndObject();
                return;
        }
    }

    private static void WriteProps(Utf8JsonWriter w, List<KeyValuePair<string, JsonNode?>> props)
    {
        foreach (var (k, v) in props)
        {
            w.WritePropertyName(k);
            WriteNode(w, v);
        }
    }

    private static void WriteNode(Utf8JsonWriter w, JsonNode? node)
    {
        if (node is null)
        {
            w.WriteNullValue();
        }
        else
        {
            node.WriteTo(w);
        }
    }
}

/// <summary>
/// Java Avro's SchemaCompatibility reader/writer check, reporting each incompatibility as Confluent's Difference does:
/// <c>{errorType:'…', description:'…', additionalInfo:'…'}</c> with the location as a JSON pointer.
/// </summary>
internal sealed class AvroCompatibility
{
    private readonly List<string> _location = [];
    private readonly Dictionary<(AvroType, AvroType), bool> _memo = new(new PairComparer());

    public List<string> Check(AvroType reader, AvroType writer)
    {
        var result = new List<string>();
        Compute(reader, writer, result);
        return result;
    }

    private bool Compute(AvroType reader, AvroType writer, List<string> result)
    {
        var key = (reader, writer);
        if (_memo.TryGetValue(key, out var known))
        {
            return known;
        }
        // Recursive types: assume compatible while the pair is being computed, as Java does.
        _memo[key] = true;
        var before = result.Count;
        Calculate(reader, writer, result);
        var ok = result.Count == before;
        _memo[key] = ok;
        return ok;
    }

    private bool At(string token, AvroType reader, AvroType writer, List<string> result)
    {
        _location.Add(token);
        try
        {
            return Compute(reader, writer, result);
        }
        finally
        {
            _location.RemoveAt(_location.Count - 1);
        }
    }

    private void Calculate(AvroType reader, AvroType writer, List<string> result)
    {
        if (reader.Kind == writer.Kind)
        {
            switch (reader.Kind)
            {
                case AvroKind.Array:
                    At("items", reader.Items!, writer.Items!, result);
                    return;
                case AvroKind.Map:
                    At("values", reader.Values!, writer.Values!, result);
                    return;
                case AvroKind.Fixed:
                    CheckNames(reader, writer, result);
                    if (reader.Size != writer.Size)
                    {
                        _location.Add("size");
                        Add(result, "FIXED_SIZE_MISMATCH", $"The size of FIXED type field at path '{Path()}' in the %s schema does not match with the %s schema",
                            $"expected: {writer.Size}, found: {reader.Size}");
                        _location.RemoveAt(_location.Count - 1);
                    }
                    return;
                case AvroKind.Enum:
                    CheckNames(reader, writer, result);
                    if (reader.EnumDefault is null)
                    {
                        var missing = writer.Symbols.Where(s => !reader.Symbols.Contains(s)).Order(StringComparer.Ordinal).ToList();
                        if (missing.Count > 0)
                        {
                            _location.Add("symbols");
                            var info = "[" + string.Join(", ", missing) + "]";
                            Add(result, "MISSING_ENUM_SYMBOLS", $"The %s schema is missing enum symbols '{info}' at path '{Path()}' in the %s schema", info);
                            _location.RemoveAt(_location.Count - 1);
                        }
                    }
                    return;
                case AvroKind.Record:
                    CheckNames(reader, writer, result);
                    _location.Add("fields");
                    foreach (var rf in reader.Fields)
                    {
                        _location.Add(rf.Pos.ToString(CultureInfo.InvariantCulture));
                        var wf = writer.Fields.FirstOrDefault(f => f.Name == rf.Name)
                            ?? rf.Aliases.Select(a => writer.Fields.FirstOrDefault(f => f.Name == a)).FirstOrDefault(f => f is not null);
                        if (wf is null)
                        {
                            if (!rf.HasDefault)
                            {
                                if (rf.Type.Kind == AvroKind.Enum && rf.Type.EnumDefault is not null)
                                {
                                    At("type", rf.Type, writer, result);
                                }
                                else
                                {
                                    Add(result, "READER_FIELD_MISSING_DEFAULT_VALUE",
                                        $"The field '{rf.Name}' at path '{Path()}' in the %s schema has no default value and is missing in the %s schema", rf.Name);
                                }
                            }
                        }
                        else
                        {
                            At("type", rf.Type, wf.Type, result);
                        }
                        _location.RemoveAt(_location.Count - 1);
                    }
                    _location.RemoveAt(_location.Count - 1);
                    return;
                case AvroKind.Union:
                    for (var i = 0; i < writer.Branches.Count; i++)
                    {
                        _location.Add(i.ToString(CultureInfo.InvariantCulture));
                        var branch = writer.Branches[i];
                        if (!Compute(reader, branch, []))
                        {
                            Add(result, "MISSING_UNION_BRANCH", $"The %s schema is missing a type inside a union field at path '{Path()}' in the %s schema",
                                "reader union lacking writer type: " + branch.TypeName);
                        }
                        _location.RemoveAt(_location.Count - 1);
                    }
                    return;
                default:
                    return;
            }
        }
        if (writer.Kind == AvroKind.Union)
        {
            for (var i = 0; i < writer.Branches.Count; i++)
            {
                At(i.ToString(CultureInfo.InvariantCulture), reader, writer.Branches[i], result);
            }
            return;
        }
        var promoted = reader.Kind switch
        {
            AvroKind.Long => writer.Kind == AvroKind.Int,
            AvroKind.Float => writer.Kind is AvroKind.Int or AvroKind.Long,
            AvroKind.Double => writer.Kind is AvroKind.Int or AvroKind.Long or AvroKind.Float,
            AvroKind.Bytes => writer.Kind == AvroKind.String,
            AvroKind.String => writer.Kind == AvroKind.Bytes,
            _ => false,
        };
        if (promoted)
        {
            return;
        }
        if (reader.Kind == AvroKind.Union)
        {
            if (reader.Branches.Any(b => Compute(b, writer, [])))
            {
                return;
            }
            Add(result, "MISSING_UNION_BRANCH", $"The %s schema is missing a type inside a union field at path '{Path()}' in the %s schema",
                "reader union lacking writer type: " + writer.TypeName);
            return;
        }
        Add(result, "TYPE_MISMATCH", $"The type (path '{Path()}') of a field in the %s schema does not match with the %s schema",
            $"reader type: {reader.TypeName} not compatible with writer type: {writer.TypeName}");
    }

    private void CheckNames(AvroType reader, AvroType writer, List<string> result)
    {
        // Java compares the unqualified names, then the reader's aliases against the writer's full name.
        if (reader.Name == writer.Name || reader.Aliases.Contains(writer.FullName!))
        {
            return;
        }
        _location.Add("name");
        Add(result, "NAME_MISMATCH", $"The name of the schema has changed (path '{Path()}')", "expected: " + writer.FullName);
        _location.RemoveAt(_location.Count - 1);
    }

    private string Path() => "/" + string.Join("/", _location.Select(s => s.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)));

    private static void Add(List<string> result, string type, string description, string info) =>
        result.Add($"{{errorType:'{type}', description:'{description}', additionalInfo:'{info}'}}");

    private sealed class PairComparer : IEqualityComparer<(AvroType, AvroType)>
    {
        public bool Equals((AvroType, AvroType) x, (AvroType, AvroType) y) => ReferenceEquals(x.Item1, y.Item1) && ReferenceEquals(x.Item2, y.Item2);

        public int GetHashCode((AvroType, AvroType) obj) =>
            HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item1), System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item2));
    }
}
