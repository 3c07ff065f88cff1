using DescriptorWire = KafkaConnect.Schemas.Protobuf.ProtoWireReader<KafkaConnect.Schemas.Protobuf.DescriptorErrors>;
using System.Globalization;
using System.Text;

namespace KafkaConnect.Schemas.Protobuf;

/// <summary>
/// A FileDescriptorProto as the .proto text Confluent's registry stores and returns for it (its canonicalString: Square
/// Wire's element printer, not normalised): syntax, package, imports, file options, messages then enums; a message's
/// reserved, options, fields, oneofs, nested messages then enums; map fields as the repeated entry message protoc made
/// (<c>option map_entry = true;</c>), type names fully qualified with their leading dot. Printed: the file options of
/// descriptor.proto, message and field options that change what the schema means (map_entry, packed, deprecated,
/// defaults, json_name, <c>(confluent.field_meta)</c> doc/params/tags); not printed: services, extensions, custom options.
/// </summary>
public static partial class DescriptorReader
{
    private const int MaxFieldNumber = 536_870_911;

    // FileOptions printed, in the order Confluent prints them: field number, name, kind ('s' string, 'b' bool, 'e' optimize_for).
    private static readonly (int Number, string Name, char Kind)[] s_fileOptions =
    [
        (1, "java_package", 's'), (8, "java_outer_classname", 's'), (10, "java_multiple_files", 'b'),
        (20, "java_generate_equals_and_hash", 'b'), (27, "java_string_check_utf8", 'b'), (9, "optimize_for", 'e'),
        (11, "go_package", 's'), (16, "cc_generic_services", 'b'), (17, "java_generic_services", 'b'),
        (18, "py_generic_services", 'b'), (23, "deprecated", 'b'), (31, "cc_enable_arenas", 'b'),
        (36, "objc_class_prefix", 's'), (37, "csharp_namespace", 's'), (39, "swift_prefix", 's'),
        (40, "php_class_prefix", 's'), (41, "php_namespace", 's'), (44, "php_metadata_namespace", 's'), (45, "ruby_package", 's'),
    ];

    private static readonly string[] s_typeNames =
    [
        "", "double", "float", "int64", "uint64", "int32", "fixed64", "fixed32", "bool", "string", "group", "message",
        "bytes", "uint32", "enum", "sfixed32", "sfixed64", "sint32", "sint64",
    ];

    /// <summary>The canonical .proto text of a serialized FileDescriptorProto.</summary>
    /// <exception cref="SchemaParseException">The bytes are not a FileDescriptorProto.</exception>
    public static string ToProtoText(ReadOnlySpan<byte> descriptor)
    {
        string? package = null, syntax = null;
        var dependencies = new List<string>();
        var publicDependencies = new HashSet<int>();
        var weakDependencies = new HashSet<int>();
        var messages = new List<string>();
        var enums = new List<string>();
        var options = new StringBuilder();
        var reader = new DescriptorWire(descriptor);
        while (reader.TryReadTag(out var number, out var wire))
        {
            switch (number)
            {
                case 2 when wire == ProtoWireType.LengthDelimited: package = reader.ReadString(); break;
                case 3 when wire == ProtoWireType.LengthDelimited: dependencies.Add(reader.ReadString()); break;
                case 4 when wire == ProtoWireType.LengthDelimited: messages.Add(MessageText(reader.ReadBytes(), null)); break;
                case 5 when wire == ProtoWireType.LengthDelimited: enums.Add(EnumText(reader.ReadBytes())); break;
                case 8 when wire == ProtoWireType.LengthDelimited: FileOptions(reader.ReadBytes(), options); break;
                case 10: ReadInts(ref reader, wire, publicDependencies); break;
                case 11: ReadInts(ref reader, wire, weakDependencies); break;
                case 12 when wire == ProtoWireType.LengthDelimited: syntax = reader.ReadString(); break;
                default: reader.Skip(wire); break;
            }
        }
        var proto3 = syntax == "proto3";
        if (proto3)
        {
            // Labels depend on the syntax, which comes last: print the messages again knowing it.
            messages.Clear();
            var again = new DescriptorWire(descriptor);
            while (again.TryReadTag(out var number, out var wire))
            {
                if (number == 4 && wire == ProtoWireType.LengthDelimited)
                {
                    messages.Add(MessageText(again.ReadBytes(), "proto3"));
                }
                else
                {
                    again.Skip(wire);
                }
            }
        }
        var sb = new StringBuilder();
        if (syntax is "proto2" or "proto3")
        {
            sb.Append("syntax = \"").Append(syntax).Append("\";\n");
        }
        if (!string.IsNullOrEmpty(package))
        {
            sb.Append("package ").Append(package).Append(";\n");
        }
        var imports = dependencies.Where((_, i) => !publicDependencies.Contains(i) && !weakDependencies.Contains(i)).ToList();
        var publicImports = dependencies.Where((_, i) => publicDependencies.Contains(i)).ToList();
        if (imports.Count + publicImports.Count > 0)
        {
            sb.Append('\n');
            foreach (var import in imports)
            {
                sb.Append("import \"").Append(import).Append("\";\n");
            }
            foreach (var import in publicImports)
            {
                sb.Append("import public \"").Append(import).Append("\";\n");
            }
        }
        if (options.Length > 0)
        {
            sb.Append('\n').Append(options);
        }
        if (messages.Count + enums.Count > 0)
        {
            sb.Append('\n');
            messages.ForEach(m => sb.Append(m));
            enums.ForEach(e => sb.Append(e));
        }
        return sb.ToString();
    }

    private static void ReadInts(ref DescriptorWire reader, ProtoWireType wire, HashSet<int> into)
    {
        if (wire == ProtoWireType.LengthDelimited)
        {
            var packed = new DescriptorWire(reader.ReadBytes());
            while (packed.TryReadVarint(out var value))
            {
                into.Add((int)value);
            }
        }
        else if (wire == ProtoWireType.Varint)
        {
            into.Add(reader.ReadInt32());
        }
        else
        {
            reader.Skip(wire);
        }
    }

    private static void FileOptions(ReadOnlySpan<byte> data, StringBuilder into)
    {
        var values = new Dictionary<int, string>();
        var reader = new DescriptorWire(data);
        while (reader.TryReadTag(out var number, out var wire))
        {
            var known = Array.FindIndex(s_fileOptions, o => o.Number == number);
            if (known < 0)
            {
                reader.Skip(wire);
                continue;
            }
            values[number] = s_fileOptions[known].Kind switch
            {
                's' when wire == ProtoWireType.LengthDelimited => Quoted(reader.ReadString()),
                'b' when wire == ProtoWireType.Varint => reader.ReadVarint() != 0 ? "true" : "false",
                'e' when wire == ProtoWireType.Varint => reader.ReadVarint() switch { 2 => "CODE_SIZE", 3 => "LITE_RUNTIME", _ => "SPEED" },
                _ => throw new SchemaParseException($"Invalid Protobuf descriptor: file option {s_fileOptions[known].Name} has wire type {(int)wire}"),
            };
        }
        foreach (var (number, name, _) in s_fileOptions)
        {
            if (values.TryGetValue(number, out var value))
            {
                into.Append("option ").Append(name).Append(" = ").Append(value).Append(";\n");
            }
        }
    }

    private static string MessageText(ReadOnlySpan<byte> data, string? syntax)
    {
        string name = "";
        var fields = new List<(string Text, int Oneof)>();
        var oneofs = new List<string>();
        var nested = new List<string>();
        var enums = new List<string>();
        var reserved = new List<string>();
        var reservedNames = new List<string>();
        var options = new List<string>();
        var reader = new DescriptorWire(data);
        while (reader.TryReadTag(out var number, out var wire))
        {
            switch (number)
            {
                case 1 when wire == ProtoWireType.LengthDelimited: name = reader.ReadString(); break;
                case 2 when wire == ProtoWireType.LengthDelimited: fields.Add(FieldText(reader.ReadBytes(), syntax)); break;
                case 3 when wire == ProtoWireType.LengthDelimited: nested.Add(MessageText(reader.ReadBytes(), syntax)); break;
                case 4 when wire == ProtoWireType.LengthDelimited: enums.Add(EnumText(reader.ReadBytes())); break;
                case 7 when wire == ProtoWireType.LengthDelimited: MessageOptions(reader.ReadBytes(), options); break;
                case 8 when wire == ProtoWireType.LengthDelimited: oneofs.Add(FirstString(reader.ReadBytes())); break;
                case 9 when wire == ProtoWireType.LengthDelimited: reserved.Add(Range(reader.ReadBytes(), exclusiveEnd: true)); break;
                case 10 when wire == ProtoWireType.LengthDelimited: reservedNames.Add(reader.ReadString()); break;
                default: reader.Skip(wire); break;
            }
        }
        var sb = new StringBuilder("message ").Append(name).Append(" {");
        if (reserved.Count + reservedNames.Count > 0)
        {
            sb.Append('\n');
            reserved.ForEach(r => Indent(sb, "reserved " + r + ";\n"));
            reservedNames.ForEach(r => Indent(sb, "reserved " + Quoted(r) + ";\n"));
        }
        if (options.Count > 0)
        {
            sb.Append('\n');
            options.ForEach(o => Indent(sb, o));
        }
        var plain = fields.Where(f => f.Oneof < 0).ToList();
        if (plain.Count > 0)
        {
            sb.Append('\n');
            plain.ForEach(f => Indent(sb, f.Text));
        }
        // Oneofs with no member (the synthetic ones of proto3 optional fields) are not printed.
        var printed = oneofs.Select((oneof, i) => (Name: oneof, Members: fields.Where(f => f.Oneof == i).ToList())).Where(o => o.Members.Count > 0).ToList();
        if (printed.Count > 0)
        {
            sb.Append('\n');
            foreach (var (oneofName, members) in printed)
            {
                var oneof = new StringBuilder("oneof ").Append(oneofName).Append(" {\n");
                members.ForEach(m => Indent(oneof, m.Text));
                Indent(sb, oneof.Append("}\n").ToString());
            }
        }
        if (nested.Count + enums.Count > 0)
        {
            sb.Append('\n');
            nested.ForEach(n => Indent(sb, n));
            enums.ForEach(e => Indent(sb, e));
        }
        return sb.Append("}\n").ToString();
    }

    private static void MessageOptions(ReadOnlySpan<byte> data, List<string> into)
    {
        var values = new SortedDictionary<int, bool>();
        var reader = new DescriptorWire(data);
        while (reader.TryReadTag(out var number, out var wire))
        {
            if (number is 2 or 3 or 7 && wire == ProtoWireType.Varint)
            {
                values[number] = reader.ReadVarint() != 0;
            }
            else
            {
                reader.Skip(wire);
            }
        }
        foreach (var (number, value) in values)
        {
            var name = number switch { 2 => "no_standard_descriptor_accessor", 3 => "deprecated", _ => "map_entry" };
            into.Add($"option {name} = {(value ? "true" : "false")};\n");
        }
    }

    // A field line, and the index of the oneof it is printed in (-1: none, as for a proto3 optional field).
    private static (string Text, int Oneof) FieldText(ReadOnlySpan<byte> data, string? syntax)
    {
        string name = "";
        string? typeName = null, defaultValue = null, jsonName = null;
        int fieldNumber = 0, label = 1, type = 0, oneof = -1;
        var proto3Optional = false;
        var options = new List<string>();
        var reader = new DescriptorWire(data);
        while (reader.TryReadTag(out var number, out var wire))
        {
            switch (number)
            {
                case 1 when wire == ProtoWireType.LengthDelimited: name = reader.ReadString(); break;
                case 3 when wire == ProtoWireType.Varint: fieldNumber = reader.ReadInt32(); break;
                case 4 when wire == ProtoWireType.Varint: label = reader.ReadInt32(); break;
                case 5 when wire == ProtoWireType.Varint: type = reader.ReadInt32(); break;
                case 6 when wire == ProtoWireType.LengthDelimited: typeName = reader.ReadString(); break;
                case 7 when wire == ProtoWireType.LengthDelimited: defaultValue = reader.ReadString(); break;
                case 8 when wire == ProtoWireType.LengthDelimited: FieldOptions(reader.ReadBytes(), options); break;
                case 9 when wire == ProtoWireType.Varint: oneof = reader.ReadInt32(); break;
                case 10 when wire == ProtoWireType.LengthDelimited: jsonName = reader.ReadString(); break;
                case 17 when wire == ProtoWireType.Varint: proto3Optional = reader.ReadVarint() != 0; break;
                default: reader.Skip(wire); break;
            }
        }
        if (type is < 1 or > 18)
        {
            throw new SchemaParseException($"Invalid Protobuf descriptor: field {name} has type {type}");
        }
        var inOneof = oneof >= 0 && !proto3Optional;
        var proto3 = syntax == "proto3";
        var labelText = inOneof ? null
            : proto3Optional ? "optional"
            : label == 3 ? "repeated"
            : proto3 ? null
            : label == 2 ? "required" : "optional";
        if (defaultValue is not null && !proto3)
        {
            options.Add("default = " + (type is 9 ? Quoted(defaultValue) : defaultValue));
        }
        if (jsonName is not null)
        {
            options.Add("json_name = " + Quoted(jsonName));
        }
        var sb = new StringBuilder();
        if (labelText is not null)
        {
            sb.Append(labelText).Append(' ');
        }
        sb.Append(typeName ?? s_typeNames[type]).Append(' ').Append(name).Append(" = ").Append(fieldNumber.ToString(CultureInfo.InvariantCulture));
        if (options.Count == 1)
        {
            sb.Append(" [").Append(options[0]).Append(']');
        }
        else if (options.Count > 1)
        {
            sb.Append(" [\n");
            for (var i = 0; i < options.Count; i++)
            {
                Indent(sb, options[i] + (i < options.Count - 1 ? "," : ""));
            }
            sb.Append(']');
        }
        return (sb.Append(";\n").ToString(), inOneof ? oneof : -1);
    }

    private static void FieldOptions(ReadOnlySpan<byte> data, List<string> into)
    {
        bool? packed = null, deprecated = null;
        var reader = new DescriptorWire(data);
        while (reader.TryReadTag(out var number, out var wire))
        {
            if (number == 2 && wire == ProtoWireType.Varint)
            {
                packed = reader.ReadVarint() != 0;
            }
            else if (number == 3 && wire == ProtoWireType.Varint)
            {
                deprecated = reader.ReadVarint() != 0;
            }
            else
            {
                reader.Skip(wire);
            }
        }
        if (packed is { } p)
        {
            into.Add("packed = " + (p ? "true" : "false"));
        }
        if (deprecated is { } d)
        {
            into.Add("deprecated = " + (d ? "true" : "false"));
        }
        if (FieldMeta(data) is { } meta && MetaText(meta) is { } text)
        {
            into.Add("(confluent.field_meta) = " + text);
        }
    }

    // Confluent's option map of a confluent.Meta: doc, params (precision and scale print their value first), tags.
    private static string? MetaText(Meta meta)
    {
        var entries = new List<string>();
        if (!string.IsNullOrEmpty(meta.Doc))
        {
            entries.Add("doc: " + Quoted(meta.Doc));
        }
        if (meta.Params.Count > 0)
        {
            entries.Add("params: " + ListText(meta.Params.Select(p => p.Key is "precision" or "scale"
                ? MapText([$"value: {Quoted(p.Value)}", $"key: {Quoted(p.Key)}"])
                : MapText([$"key: {Quoted(p.Key)}", $"value: {Quoted(p.Value)}"])).ToList()));
        }
        if (meta.Tags.Count > 0)
        {
            entries.Add("tags: " + ListText([.. meta.Tags.Select(Quoted)]));
        }
        return entries.Count == 0 ? null : MapText(entries);
    }

    private static string MapText(List<string> entries)
    {
        var sb = new StringBuilder("{\n");
        for (var i = 0; i < entries.Count; i++)
        {
            Indent(sb, entries[i] + (i < entries.Count - 1 ? "," : ""));
        }
        return sb.Append('}').ToString();
    }

    private static string ListText(List<string> items)
    {
        var sb = new StringBuilder("[\n");
        for (var i = 0; i < items.Count; i++)
        {
            Indent(sb, items[i] + (i < items.Count - 1 ? "," : ""));
        }
        return sb.Append(']').ToString();
    }

    private static string EnumText(ReadOnlySpan<byte> data)
    {
        string name = "";
        var values = new List<string>();
        var reserved = new List<string>();
        var reservedNames = new List<string>();
        bool? allowAlias = null, deprecated = null;
        var reader = new DescriptorWire(data);
        while (reader.TryReadTag(out var number, out var wire))
        {
            switch (number)
            {
                case 1 when wire == ProtoWireType.LengthDelimited: name = reader.ReadString(); break;
                case 2 when wire == ProtoWireType.LengthDelimited: values.Add(EnumValueText(reader.ReadBytes())); break;
                case 3 when wire == ProtoWireType.LengthDelimited:
                    var enumOptions = new DescriptorWire(reader.ReadBytes());
                    while (enumOptions.TryReadTag(out var n, out var w))
                    {
                        if (n is 2 or 3 && w == ProtoWireType.Varint)
                        {
                            var flag = enumOptions.ReadVarint() != 0;
                            _ = n == 2 ? allowAlias = flag : deprecated = flag;
                        }
                        else
                        {
                            enumOptions.Skip(w);
                        }
                    }
                    break;
                case 4 when wire == ProtoWireType.LengthDelimited: reserved.Add(Range(reader.ReadBytes(), exclusiveEnd: false)); break;
                case 5 when wire == ProtoWireType.LengthDelimited: reservedNames.Add(reader.ReadString()); break;
                default: reader.Skip(wire); break;
            }
        }
        var options = new List<string>();
        if (allowAlias is { } a)
        {
            options.Add($"option allow_alias = {(a ? "true" : "false")};\n");
        }
        if (deprecated is { } d)
        {
            options.Add($"option deprecated = {(d ? "true" : "false")};\n");
        }
        var sb = new StringBuilder("enum ").Append(name).Append(" {");
        if (reserved.Count + reservedNames.Count > 0)
        {
            sb.Append('\n');
            reserved.ForEach(r => Indent(sb, "reserved " + r + ";\n"));
            reservedNames.ForEach(r => Indent(sb, "reserved " + Quoted(r) + ";\n"));
        }
        else if (options.Count + values.Count > 0)
        {
            sb.Append('\n');
        }
        options.ForEach(o => Indent(sb, o));
        values.ForEach(v => Indent(sb, v));
        return sb.Append("}\n").ToString();
    }

    private static string EnumValueText(ReadOnlySpan<byte> data)
    {
        var (name, number) = EnumValue(data);
        return $"{name} = {number.ToString(CultureInfo.InvariantCulture)};\n";
    }

    // A reserved range: a message's end is exclusive, an enum's inclusive; "max" for the largest field number.
    private static string Range(ReadOnlySpan<byte> data, bool exclusiveEnd)
    {
        int start = 0, end = 0;
        var reader = new DescriptorWire(data);
        while (reader.TryReadTag(out var number, out var wire))
        {
            if (number is 1 or 2 && wire == ProtoWireType.Varint)
            {
                _ = number == 1 ? start = reader.ReadInt32() : end = reader.ReadInt32();
            }
            else
            {
                reader.Skip(wire);
            }
        }
        var last = exclusiveEnd ? end - 1 : end;
        return start == last ? start.ToString(CultureInfo.InvariantCulture)
            : $"{start.ToString(CultureInfo.InvariantCulture)} to {(last < MaxFieldNumber ? last.ToString(CultureInfo.InvariantCulture) : "max")}";
    }

    // Confluent's appendIndented: every line of the value two spaces in.
    private static void Indent(StringBuilder sb, string value)
    {
        var lines = value.Split('\n');
        var count = lines.Length;
        while (count > 0 && lines[count - 1].Length == 0)
        {
            count--;
        }
        for (var i = 0; i < count; i++)
        {
            sb.Append("  ").Append(lines[i]).Append('\n');
        }
    }

    private static string Quoted(string value)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in value)
        {
            sb.Append(c switch
            {
                '\a' => "\\a", '\b' => "\\b", '\f' => "\\f", '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", '\v' => "\\v",
                '\\' => "\\\\", '\'' => "\\'", '"' => "\\\"",
                _ => c.ToString(),
            });
        }
        return sb.Append('"').ToString();
    }
}
