using KafkaConnect.Schemas;
using KafkaConnect.Schemas.Protobuf;

namespace KafkaConnect.SchemaRegistry.Schemas;

/// <summary>
/// A Protobuf schema: <c>.proto</c> text (or a base64 FileDescriptorProto, kept as its canonical text) parsed by KafkaConnect.Schemas' <see cref="ProtoParser"/> (references are the
/// imported files, named by their import path; the known types are built in), compared with the rules of Confluent's
/// protobuf diff (protobuf/diff/*): package changed, messages removed, fields by number with their kind,
/// wire-compatible scalar group, label and named type, required fields, oneof fields removed.
/// </summary>
internal sealed class ProtobufSchema : ParsedSchema
{
    private readonly ProtoFile _file;

    private ProtobufSchema(string text, ProtoFile file)
    {
        Canonical = text;
        _file = file;
    }

    public override string SchemaType => "PROTOBUF";

    // The text as registered, trimmed (Confluent prints its own canonical .proto, which we reproduce only for a schema
    // registered as a descriptor, see DescriptorReader.ToProtoText).
    public override string Canonical { get; }

    public static ProtobufSchema Parse(string text, IReadOnlyList<ResolvedReference> references)
    {
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(IReadOnlyList<ResolvedReference> refs)
        {
            foreach (var r in refs)
            {
                Add(r.References);
                if (r.SchemaType != "PROTOBUF")
                {
                    throw new SchemaParseException($"Reference {r.Name} is of type {r.SchemaType}, not PROTOBUF");
                }
                sources.TryAdd(r.Name, r.Schema);
            }
        }
        Add(references);
        ProtoFile file;
        try
        {
            file = new ProtoParser(sources, otherForm: null, undefinedWellKnown: true).Parse(text);
        }
        catch (SchemaParseException textError) when (DescriptorReader.TryDecodeBase64(text) is { } descriptor)
        {
            // As Confluent does: what is not .proto text may be a base64 FileDescriptorProto (Confluent's Python and
            // Go serializers register that); it is kept as its canonical .proto text, so it reads back as text and
            // gets the id of the same schema registered as that text.
            try
            {
                text = DescriptorReader.ToProtoText(descriptor);
                file = new ProtoParser(sources, otherForm: null, undefinedWellKnown: true).Parse(text);
            }
            catch (SchemaParseException descriptorError)
            {
                throw new SchemaParseException(
                    $"Could not parse Protobuf: not .proto text ({textError.Message}), nor a base64 FileDescriptorProto ({descriptorError.Message})",
                    descriptorError);
            }
        }
        return new ProtobufSchema(text.Trim(), file);
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

    private enum Kind { Scalar, Enum, Message, Map }

    // A field's type as Confluent's diff sees it: a map is its own kind (key and value), not the entry message protoc makes.
    private static (Kind Kind, ProtoField Type) Shape(ProtoField f) => f.Type switch
    {
        ProtoType.Enum => (Kind.Enum, f),
        ProtoType.Message when f.MessageType is { IsMapEntry: true } entry => (Kind.Map, entry.ByNumber[1]),
        ProtoType.Message or ProtoType.Group => (Kind.Message, f),
        _ => (Kind.Scalar, f),
    };

    private void CompareMessages(ProtobufSchema original, IReadOnlyList<ProtoMessage> o, IReadOnlyList<ProtoMessage> u, string path,
        List<(string, string)> diffs, HashSet<(ProtoMessage, ProtoMessage)> seen)
    {
        foreach (var om in o.Where(m => !m.IsMapEntry))
        {
            var um = u.FirstOrDefault(m => m.Name == om.Name && !m.IsMapEntry);
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
            var uf = u.ByNumber.GetValueOrDefault(of.Number);
            if (uf is null)
            {
                diffs.Add((of.Label == "required" ? "REQUIRED_FIELD_REMOVED" : of.InOneof ? "ONEOF_FIELD_REMOVED" : "FIELD_REMOVED", at));
                continue;
            }
            if (of.Name != uf.Name)
            {
                diffs.Add(("FIELD_NAME_CHANGED", at));
            }
            var (ok, ot) = Shape(of);
            var (uk, ut) = Shape(uf);
            CompareTypes(original, ok, ot, of.Label, uk, ut, uf.Label, at, diffs, seen);
            if (ok == Kind.Map && uk == Kind.Map)
            {
                var (ovk, ovt) = Shape(of.MessageType!.ByNumber[2]);
                var (uvk, uvt) = Shape(uf.MessageType!.ByNumber[2]);
                CompareTypes(original, ovk, ovt, null, uvk, uvt, null, at, diffs, seen);
            }
        }
        foreach (var uf in u.Fields.Where(f => !o.ByNumber.ContainsKey(f.Number)))
        {
            diffs.Add((uf.Label == "required" ? "REQUIRED_FIELD_ADDED" : uf.InOneof ? "ONEOF_FIELD_ADDED" : "FIELD_ADDED", $"{path}/{uf.Number}"));
        }
        CompareMessages(original, o.Nested, u.Nested, path + ".", diffs, seen);
    }

    // Confluent's FieldSchemaDiff.compareLabelsAndTypes: enums count as scalars; a label only matters when both are written.
    private void CompareTypes(ProtobufSchema original, Kind ok, ProtoField ot, string? ol, Kind uk, ProtoField ut, string? ul,
        string path, List<(string, string)> diffs, HashSet<(ProtoMessage, ProtoMessage)> seen)
    {
        var okind = ok == Kind.Enum ? Kind.Scalar : ok;
        var ukind = uk == Kind.Enum ? Kind.Scalar : uk;
        if (okind != ukind)
        {
            diffs.Add(("FIELD_KIND_CHANGED", path));
            return;
        }
        if (okind is Kind.Scalar or Kind.Map)
        {
            var og = ok == Kind.Enum ? "GENERAL_NUMBER" : ScalarGroup(ot.Type);
            var ug = uk == Kind.Enum ? "GENERAL_NUMBER" : ScalarGroup(ut.Type);
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
        var on = Local(ot.TypeName!, original._file.Package);
        var un = Local(ut.TypeName!, _file.Package);
        if (on != un)
        {
            diffs.Add(("FIELD_NAMED_TYPE_CHANGED", path));
            return;
        }
        if (ot.MessageType is { } otype && ut.MessageType is { } utype)
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

    private static string Local(string typeName, string? package) =>
        package is not null && typeName.StartsWith(package + ".", StringComparison.Ordinal) ? typeName[(package.Length + 1)..] : typeName;

    // The wire-compatible groups of Confluent's ScalarKind: varints, zigzag varints, 32- and 64-bit fixed, floats, doubles, length-delimited.
    private static string ScalarGroup(ProtoType scalar) => scalar switch
    {
        ProtoType.Int32 or ProtoType.Int64 or ProtoType.UInt32 or ProtoType.UInt64 or ProtoType.Bool => "GENERAL_NUMBER",
        ProtoType.SInt32 or ProtoType.SInt64 => "SIGNED_NUMBER",
        ProtoType.Fixed32 or ProtoType.SFixed32 => "FIXED32",
        ProtoType.Fixed64 or ProtoType.SFixed64 => "FIXED64",
        ProtoType.Float => "FLOAT",
        ProtoType.Double => "DOUBLE",
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
