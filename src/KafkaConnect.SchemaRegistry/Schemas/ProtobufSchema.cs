using Google.Protobuf.Reflection;
using ProtoBuf.Reflection;

namespace KafkaConnect.SchemaRegistry.Schemas;

/// <summary>
/// A Protobuf schema: <c>.proto</c> text parsed by protobuf-net.Reflection (references are the imported files, by the
/// import path given as the reference name), compared with the rules of Confluent's protobuf diff (protobuf/diff/*):
/// messages removed, fields by number, kind and wire-compatible scalar groups, labels, named types, required fields
/// and oneofs.
/// </summary>
internal sealed class ProtobufSchema : ParsedSchema
{
    private const string MainFile = "schema.proto";

    private readonly FileDescriptorProto _file;
    private readonly Dictionary<string, DescriptorProto> _messages;
    private readonly HashSet<string> _enums;

    private ProtobufSchema(string text, FileDescriptorProto file, FileDescriptorSet set)
    {
        Canonical = text;
        _file = file;
        _messages = new Dictionary<string, DescriptorProto>(StringComparer.Ordinal);
        _enums = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in set.Files)
        {
            var prefix = string.IsNullOrEmpty(f.Package) ? "." : "." + f.Package + ".";
            foreach (var m in f.MessageTypes)
            {
                Index(prefix + m.Name, m);
            }
            foreach (var e in f.EnumTypes)
            {
                _enums.Add(prefix + e.Name);
            }
        }
    }

    public override string SchemaType => "PROTOBUF";

    // The text as registered, trimmed: Confluent prints its own normalised .proto, which we do not reproduce.
    public override string Canonical { get; }

    public static ProtobufSchema Parse(string text, IReadOnlyList<ResolvedReference> references)
    {
        var set = new FileDescriptorSet();
        var added = new HashSet<string>(StringComparer.Ordinal);
        void AddReferences(IReadOnlyList<ResolvedReference> refs)
        {
            foreach (var r in refs)
            {
                AddReferences(r.References);
                if (added.Add(r.Name))
                {
                    set.Add(r.Name, includeInOutput: true, new StringReader(r.Schema));
                }
            }
        }
        AddReferences(references);
        set.Add(MainFile, includeInOutput: true, new StringReader(text));
        set.Process();
        var errors = set.GetErrors().Where(e => e.IsError).ToList();
        if (errors.Count > 0)
        {
            throw new SchemaParseException(string.Join("; ", errors.Select(e => $"{e.File}:{e.LineNumber}:{e.ColumnNumber}: {e.Message}")));
        }
        var file = set.Files.Single(f => f.Name == MainFile);
        return new ProtobufSchema(text.Trim(), file, set);
    }

    private void Index(string fullName, DescriptorProto message)
    {
        _messages[fullName] = message;
        foreach (var nested in message.NestedTypes)
        {
            Index(fullName + "." + nested.Name, nested);
        }
        foreach (var e in message.EnumTypes)
        {
            _enums.Add(fullName + "." + e.Name);
        }
    }

    public override List<string> ReadsFrom(ParsedSchema writer)
    {
        var original = (ProtobufSchema)writer;
        var diffs = new List<(string Type, string Path)>();
        if ((original._file.Package ?? "") != (_file.Package ?? ""))
        {
            diffs.Add(("PACKAGE_CHANGED", "#/"));
        }
        CompareTypes(original, original._file.MessageTypes, _file.MessageTypes, "#/", diffs, []);
        return [.. diffs.Where(d => d.Type is not ("MESSAGE_ADDED" or "FIELD_ADDED" or "FIELD_REMOVED" or "FIELD_NAME_CHANGED"
                or "FIELD_STRING_OR_BYTES_LABEL_CHANGED" or "ONEOF_ADDED" or "ONEOF_REMOVED" or "ONEOF_FIELD_ADDED"))
            .Select(d => $"{{errorType:\"{d.Type}\", description:\"{Describe(d.Type, d.Path)}\"}}")];
    }

    private void CompareTypes(ProtobufSchema original, IList<DescriptorProto> o, IList<DescriptorProto> u, string path,
        List<(string, string)> diffs, HashSet<(DescriptorProto, DescriptorProto)> seen)
    {
        foreach (var om in o.Where(m => m.Options?.MapEntry != true))
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

    private void CompareMessage(ProtobufSchema original, DescriptorProto o, DescriptorProto u, string path,
        List<(string, string)> diffs, HashSet<(DescriptorProto, DescriptorProto)> seen)
    {
        if (!seen.Add((o, u)))
        {
            return;
        }
        var byTag = u.Fields.ToDictionary(f => f.Number);
        foreach (var of in o.Fields)
        {
            var at = $"{path}/{of.Number}";
            if (!byTag.TryGetValue(of.Number, out var uf))
            {
                var inOneof = of.ShouldSerializeOneofIndex() && !of.Proto3Optional;
                diffs.Add((of.label == FieldDescriptorProto.Label.LabelRequired ? "REQUIRED_FIELD_REMOVED" : inOneof ? "ONEOF_FIELD_REMOVED" : "FIELD_REMOVED", at));
                continue;
            }
            CompareField(original, o, u, of, uf, at, diffs, seen);
        }
        foreach (var uf in u.Fields.Where(f => o.Fields.All(x => x.Number != f.Number)))
        {
            diffs.Add((uf.label == FieldDescriptorProto.Label.LabelRequired ? "REQUIRED_FIELD_ADDED" : "FIELD_ADDED", $"{path}/{uf.Number}"));
        }
        CompareTypes(original, o.NestedTypes, u.NestedTypes, path + ".", diffs, seen);
    }

    private void CompareField(ProtobufSchema original, DescriptorProto om, DescriptorProto um, FieldDescriptorProto o, FieldDescriptorProto u,
        string path, List<(string, string)> diffs, HashSet<(DescriptorProto, DescriptorProto)> seen)
    {
        var ok = original.KindOf(o);
        var uk = KindOf(u);
        if (ok != uk)
        {
            diffs.Add(("FIELD_KIND_CHANGED", path));
            return;
        }
        if (ok == "SCALAR")
        {
            var os = original.ScalarGroup(o);
            var us = ScalarGroup(u);
            if (os != us)
            {
                diffs.Add(("FIELD_SCALAR_KIND_CHANGED", path));
            }
            else if (o.label != u.label)
            {
                diffs.Add((os == "STRING_OR_BYTES" ? "FIELD_STRING_OR_BYTES_LABEL_CHANGED" : "FIELD_NUMERIC_LABEL_CHANGED", path));
            }
            return;
        }
        var on = Local(o.TypeName, original._file.Package);
        var un = Local(u.TypeName, _file.Package);
        if (on != un)
        {
            diffs.Add(("FIELD_NAMED_TYPE_CHANGED", path));
            return;
        }
        if (original._messages.TryGetValue(o.TypeName, out var otype) && _messages.TryGetValue(u.TypeName, out var utype))
        {
            var nested = new List<(string, string)>();
            CompareMessage(original, otype, utype, "#/" + on, nested, seen);
            diffs.AddRange(nested);
        }
        _ = om;
        _ = um;
    }

    private static string Local(string typeName, string? package)
    {
        var prefix = string.IsNullOrEmpty(package) ? "." : "." + package + ".";
        return typeName.StartsWith(prefix, StringComparison.Ordinal) ? typeName[prefix.Length..] : typeName.TrimStart('.');
    }

    private string KindOf(FieldDescriptorProto f) => f.type switch
    {
        FieldDescriptorProto.Type.TypeMessage or FieldDescriptorProto.Type.TypeGroup =>
            _messages.TryGetValue(f.TypeName, out var m) && m.Options?.MapEntry == true ? "MAP" : "MESSAGE",
        _ => "SCALAR",
    };

    // The wire-compatible groups of Confluent's ScalarKind: varints, zigzag varints, 32- and 64-bit fixed, floats, doubles, length-delimited.
    private string ScalarGroup(FieldDescriptorProto f) => f.type switch
    {
        FieldDescriptorProto.Type.TypeInt32 or FieldDescriptorProto.Type.TypeInt64 or FieldDescriptorProto.Type.TypeUint32
            or FieldDescriptorProto.Type.TypeUint64 or FieldDescriptorProto.Type.TypeBool or FieldDescriptorProto.Type.TypeEnum => "GENERAL_NUMBER",
        FieldDescriptorProto.Type.TypeSint32 or FieldDescriptorProto.Type.TypeSint64 => "SIGNED_NUMBER",
        FieldDescriptorProto.Type.TypeFixed32 or FieldDescriptorProto.Type.TypeSfixed32 => "FIXED32",
        FieldDescriptorProto.Type.TypeFixed64 or FieldDescriptorProto.Type.TypeSfixed64 => "FIXED64",
        FieldDescriptorProto.Type.TypeFloat => "FLOAT",
        FieldDescriptorProto.Type.TypeDouble => "DOUBLE",
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
