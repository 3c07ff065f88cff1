using KafkaConnect.Schemas;

namespace KafkaConnect.SchemaRegistry.Schemas;

/// <summary>
/// A Protobuf schema: <c>.proto</c> text parsed by <see cref="ProtoParser"/> (references are the imported files, named by
/// their import path), compared with the rules of Confluent's protobuf diff (protobuf/diff/*): package changed, messages
/// removed, fields by number with their kind, wire-compatible scalar group, label and named type, required fields,
/// oneof fields removed.
/// </summary>
internal sealed class ProtobufSchema : ParsedSchema
{
    private readonly ProtoFile _file;
    private readonly Dictionary<string, ProtoMessage> _messages = new(StringComparer.Ordinal);

    private ProtobufSchema(string text, ProtoFile file, IEnumerable<ProtoFile> all)
    {
        Canonical = text;
        _file = file;
        foreach (var f in all)
        {
            foreach (var m in f.Messages)
            {
                Index(m);
            }
        }
    }

    public override string SchemaType => "PROTOBUF";

    // The text as registered, trimmed: Confluent prints its own normalised .proto, which we do not reproduce.
    public override string Canonical { get; }

    public static ProtobufSchema Parse(string text, IReadOnlyList<ResolvedReference> references)
    {
        var files = new List<ProtoFile>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(IReadOnlyList<ResolvedReference> refs)
        {
            foreach (var r in refs)
            {
                Add(r.References);
                if (r.SchemaType != "PROTOBUF")
                {
                    throw new SchemaParseException($"Reference {r.Name} is of type {r.SchemaType}, not PROTOBUF");
                }
                if (seen.Add(r.Name))
                {
                    files.Add(ProtoParser.Parse(r.Schema));
                }
            }
        }
        Add(references);
        var file = ProtoParser.Parse(text);
        foreach (var import in file.Imports.Where(i => !i.StartsWith("google/protobuf/", StringComparison.Ordinal) && !seen.Contains(i)))
        {
            throw new SchemaParseException($"Import \"{import}\" was not found (no reference named \"{import}\").");
        }
        files.Add(file);
        foreach (var f in files)
        {
            ProtoParser.Resolve(f, files);
        }
        return new ProtobufSchema(text.Trim(), file, files);
    }

    private void Index(ProtoMessage m)
    {
        _messages[m.FullName] = m;
        m.Messages.ForEach(Index);
    }

    public override List<string> ReadsFrom(ParsedSchema writer)
    {
        var original = (ProtobufSchema)writer;
        var diffs = new List<(string Type, string Path)>();
        if ((original._file.Package ?? "") != (_file.Package ?? ""))
        {
            diffs.Add(("PACKAGE_CHANGED", "#/"));
        }
        CompareMessages(original, original._file.Messages, _file.Messages, "#/", diffs, []);
        return [.. diffs.Where(d => d.Type is not ("MESSAGE_ADDED" or "FIELD_ADDED" or "FIELD_REMOVED" or "FIELD_NAME_CHANGED"
                or "FIELD_STRING_OR_BYTES_LABEL_CHANGED" or "ONEOF_ADDED" or "ONEOF_REMOVED" or "ONEOF_FIELD_ADDED"))
            .Select(d => $"{{errorType:\"{d.Type}\", description:\"{Describe(d.Type, d.Path)}\"}}")];
    }

    private void CompareMessages(ProtobufSchema original, List<ProtoMessage> o, List<ProtoMessage> u, string path,
        List<(string, string)> diffs, HashSet<(ProtoMessage, ProtoMessage)> seen)
    {
        foreach (var om in o)
        {
            var um = u.FirstOrDefault(m => m.Name == om.Name);
            if (um is null)
            {
                diffs.Add(("MESSAGE_REMOVED", path + om.Name));
                continue;
            }
            CompareMessage(original, om, um, path + om.Name, diffs, seen);
        }
    }

    private void CompareMessage(ProtobufSchema original, ProtoMessage o, ProtoMessage u, string path,
        List<(string, string)> diffs, HashSet<(ProtoMessage, ProtoMessage)> seen)
    {
        if (!seen.Add((o, u)))
        {
            return;
        }
        foreach (var of in o.Fields)
        {
            var at = $"{path}/{of.Number}";
            var uf = u.Fields.FirstOrDefault(f => f.Number == of.Number);
            if (uf is null)
            {
                diffs.Add((of.Label == "required" ? "REQUIRED_FIELD_REMOVED" : of.Oneof is not null ? "ONEOF_FIELD_REMOVED" : "FIELD_REMOVED", at));
                continue;
            }
            if (of.Name != uf.Name)
            {
                diffs.Add(("FIELD_NAME_CHANGED", at));
            }
            CompareTypes(original, of.Kind, of.ResolvedType, of.Label, uf.Kind, uf.ResolvedType, uf.Label, at, diffs, seen);
            if (of.Kind == ProtoKind.Map && uf.Kind == ProtoKind.Map)
            {
                CompareTypes(original, of.MapValueKind, of.ResolvedMapValue, null, uf.MapValueKind, uf.ResolvedMapValue, null, at, diffs, seen);
            }
        }
        foreach (var uf in u.Fields.Where(f => o.Fields.All(x => x.Number != f.Number)))
        {
            diffs.Add((uf.Label == "required" ? "REQUIRED_FIELD_ADDED" : uf.Oneof is not null ? "ONEOF_FIELD_ADDED" : "FIELD_ADDED", $"{path}/{uf.Number}"));
        }
        CompareMessages(original, o.Messages, u.Messages, path + ".", diffs, seen);
    }

    // Confluent's FieldSchemaDiff.compareLabelsAndTypes: enums count as scalars; a label only matters when both are written.
    private void CompareTypes(ProtobufSchema original, ProtoKind ok, string ot, string? ol, ProtoKind uk, string ut, string? ul,
        string path, List<(string, string)> diffs, HashSet<(ProtoMessage, ProtoMessage)> seen)
    {
        var okind = ok == ProtoKind.Enum ? ProtoKind.Scalar : ok;
        var ukind = uk == ProtoKind.Enum ? ProtoKind.Scalar : uk;
        if (okind != ukind)
        {
            diffs.Add(("FIELD_KIND_CHANGED", path));
            return;
        }
        if (okind is ProtoKind.Scalar or ProtoKind.Map)
        {
            var og = ok == ProtoKind.Enum ? "GENERAL_NUMBER" : ScalarGroup(ot);
            var ug = uk == ProtoKind.Enum ? "GENERAL_NUMBER" : ScalarGroup(ut);
            if (og != ug)
            {
                diffs.Add(("FIELD_SCALAR_KIND_CHANGED", path));
            }
            else if (ol is not null && ul is not null && ol != ul)
            {
                diffs.Add((og == "STRING_OR_BYTES" ? "FIELD_STRING_OR_BYTES_LABEL_CHANGED" : "FIELD_NUMERIC_LABEL_CHANGED", path));
            }
            return;
        }
        var on = Local(ot, original._file.Package);
        var un = Local(ut, _file.Package);
        if (on != un)
        {
            diffs.Add(("FIELD_NAMED_TYPE_CHANGED", path));
            return;
        }
        if (original._messages.TryGetValue(ot, out var otype) && _messages.TryGetValue(ut, out var utype))
        {
            var nested = new List<(string, string)>();
            CompareMessage(original, otype, utype, "#/" + on, nested, seen);
            diffs.AddRange(nested);
            if (nested.Any(d => d.Item1 is not ("MESSAGE_ADDED" or "FIELD_ADDED" or "FIELD_REMOVED" or "FIELD_NAME_CHANGED"
                or "FIELD_STRING_OR_BYTES_LABEL_CHANGED" or "ONEOF_ADDED" or "ONEOF_REMOVED" or "ONEOF_FIELD_ADDED")))
            {
                diffs.Add(("FIELD_NAMED_TYPE_CHANGED", path));
            }
        }
    }

    private static string Local(string typeName, string? package)
    {
        var prefix = package is null ? "." : "." + package + ".";
        return typeName.StartsWith(prefix, StringComparison.Ordinal) ? typeName[prefix.Length..] : typeName.TrimStart('.');
    }

    // The wire-compatible groups of Confluent's ScalarKind: varints, zigzag varints, 32- and 64-bit fixed, floats, doubles, length-delimited.
    private static string ScalarGroup(string scalar) => scalar switch
    {
        "int32" or "int64" or "uint32" or "uint64" or "bool" => "GENERAL_NUMBER",
        "sint32" or "sint64" => "SIGNED_NUMBER",
        "fixed32" or "sfixed32" => "FIXED32",
        "fixed64" or "sfixed64" => "FIXED64",
        "float" => "FLOAT",
        "double" => "DOUBLE",
        _ => "STRING_OR_BYTES",
    };

    private static string Describe(string type, string path) => type switch
    {
        "PACKAGE_CHANGED" => $"The package at '{path}' in the %s schema does not match the package in the %s schema",
        "MESSAGE_REMOVED" => $"The %s schema is missing a MESSAGE type at path '{path}' in the %s schema",
        "FIELD_KIND_CHANGED" => $"The type of a field at path '{path}' in the %s schema does not match the %s schema",
        "FIELD_SCALAR_KIND_CHANGED" => $"The kind of a SCALAR field at path '{path}' in the %s schema does not match its kind in the %s schema",
        "FIELD_NAMED_TYPE_CHANGED" => $"The type of a MESSAGE field at path '{path}' in the %s schema does not match its type in the %s schema",
        "FIELD_NUMERIC_LABEL_CHANGED" => $"The label for a NUMERIC field at path '{path}' in the %s schema does not match its label in the %s schema",
        "REQUIRED_FIELD_ADDED" => $"A required field  at path '{path}' in the %s schema is missing in the %s schema",
        "REQUIRED_FIELD_REMOVED" => $"The %s schema is missing a required field at path: '{path}' in the %s schema",
        "ONEOF_FIELD_REMOVED" => $"The %s schema is missing a oneof field at path '{path}' in the %s schema",
        _ => "",
    };
}
