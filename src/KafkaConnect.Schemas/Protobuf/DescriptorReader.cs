using DescriptorWire = KafkaConnect.Schemas.Protobuf.ProtoWireReader<KafkaConnect.Schemas.Protobuf.DescriptorErrors>;

namespace KafkaConnect.Schemas.Protobuf;

/// <summary>
/// Reads a serialized FileDescriptorProto (descriptor.proto's layout), the form Confluent's Python and Go
/// serializers register, into the same model the text parser produces.
/// </summary>
public static partial class DescriptorReader
{
    /// <summary>The descriptor bytes when <paramref name="schema"/> is base64 (never true of .proto text, which has spaces and ';').</summary>
    public static byte[]? TryDecodeBase64(string schema)
    {
        var trimmed = schema.AsSpan().Trim();
        if (trimmed.Length == 0 || trimmed.Length % 4 != 0 || trimmed.ContainsAny(" ;{\n\"") )
        {
            return null;
        }
        var bytes = new byte[trimmed.Length / 4 * 3];
        return Convert.TryFromBase64Chars(trimmed, bytes, out var written) ? bytes[..written] : null;
    }

    /// <summary>The <see cref="ProtoParser"/> hook: reads <paramref name="source"/> when it is a base64 descriptor, else returns null (text).</summary>
    public static ProtoFile? TryAddFile(ProtoParser parser, string source) =>
        TryDecodeBase64(source) is { } bytes ? AddFile(parser, bytes) : null;

    /// <summary>Adds a file and, through the parser, its imports to the parser's table; returns the file.</summary>
    public static ProtoFile AddFile(ProtoParser parser, ReadOnlySpan<byte> descriptor)
    {
        var table = parser.Types;
        string? package = null;
        var dependencies = new List<string>();
        var messages = new List<(int Start, int Length)>();
        var enums = new List<(int Start, int Length)>();
        var reader = new DescriptorWire(descriptor);
        var offsets = new OffsetTracker(descriptor);
        while (reader.TryReadTag(out var number, out var wire))
        {
            switch (number)
            {
                case 2 when wire == ProtoWireType.LengthDelimited: package = reader.ReadString(); break;
                case 3 when wire == ProtoWireType.LengthDelimited: dependencies.Add(reader.ReadString()); break;
                case 4 when wire == ProtoWireType.LengthDelimited: messages.Add(offsets.Of(reader.ReadBytes())); break;
                case 5 when wire == ProtoWireType.LengthDelimited: enums.Add(offsets.Of(reader.ReadBytes())); break;
                default: reader.Skip(wire); break;
            }
        }
        var prefix = string.IsNullOrEmpty(package) ? "" : package + ".";
        var top = new List<ProtoMessage>(messages.Count);
        foreach (var m in messages)
        {
            top.Add(Message(descriptor.Slice(m.Start, m.Length), prefix, table));
        }
        foreach (var e in enums)
        {
            var converted = Enum(descriptor.Slice(e.Start, e.Length), prefix);
            table.Enums[converted.FullName] = converted;
        }
        foreach (var dependency in dependencies)
        {
            parser.AddImport(dependency);
        }
        return new ProtoFile { Package = string.IsNullOrEmpty(package) ? null : package, Messages = top };
    }

    private static ProtoMessage Message(ReadOnlySpan<byte> data, string prefix, ProtoTypeTable table)
    {
        string name = "";
        var fields = new List<(int Start, int Length)>();
        var nested = new List<(int Start, int Length)>();
        var enums = new List<(int Start, int Length)>();
        var oneofs = new List<string>();
        var mapEntry = false;
        var reader = new DescriptorWire(data);
        var offsets = new OffsetTracker(data);
        while (reader.TryReadTag(out var number, out var wire))
        {
            switch (number)
            {
                case 1 when wire == ProtoWireType.LengthDelimited: name = reader.ReadString(); break;
                case 2 when wire == ProtoWireType.LengthDelimited: fields.Add(offsets.Of(reader.ReadBytes())); break;
                case 3 when wire == ProtoWireType.LengthDelimited: nested.Add(offsets.Of(reader.ReadBytes())); break;
                case 4 when wire == ProtoWireType.LengthDelimited: enums.Add(offsets.Of(reader.ReadBytes())); break;
                case 7 when wire == ProtoWireType.LengthDelimited: mapEntry = IsMapEntry(reader.ReadBytes()); break;
                case 8 when wire == ProtoWireType.LengthDelimited: oneofs.Add(FirstString(reader.ReadBytes())); break;
                default: reader.Skip(wire); break;
            }
        }
        var message = new ProtoMessage { Name = name, FullName = prefix + name, IsMapEntry = mapEntry };
        table.Messages[message.FullName] = message;
        foreach (var f in fields)
        {
            var field = Field(data.Slice(f.Start, f.Length));
            message.Fields.Add(field);
            message.ByNumber[field.Number] = field;
        }
        for (var i = 0; i < oneofs.Count; i++)
        {
            var index = i;
            message.Oneofs.Add((oneofs[i], message.Fields.Where(f => f.OneofIndex == index).All(f => f.Proto3Optional)));
        }
        foreach (var n in nested)
        {
            message.Nested.Add(Message(data.Slice(n.Start, n.Length), message.FullName + ".", table));
        }
        foreach (var e in enums)
        {
            var converted = Enum(data.Slice(e.Start, e.Length), message.FullName + ".");
            message.Enums.Add(converted);
            table.Enums[converted.FullName] = converted;
        }
        return message;
    }

    private static ProtoField Field(ReadOnlySpan<byte> data)
    {
        string name = "";
        string? typeName = null;
        int fieldNumber = 0, label = 1, type = 0, oneof = -1;
        var proto3Optional = false;
        IReadOnlyList<KeyValuePair<string, string>> parameters = [];
        string? doc = null;
        var reader = new DescriptorWire(data);
        while (reader.TryReadTag(out var number, out var wire))
        {
            switch (number)
            {
                case 1 when wire == ProtoWireType.LengthDelimited: name = reader.ReadString(); break;
                case 3 when wire == ProtoWireType.Varint: fieldNumber = (int)reader.ReadVarint(); break;
                case 4 when wire == ProtoWireType.Varint: label = (int)reader.ReadVarint(); break;
                case 5 when wire == ProtoWireType.Varint: type = (int)reader.ReadVarint(); break;
                case 6 when wire == ProtoWireType.LengthDelimited: typeName = reader.ReadString().TrimStart('.'); break;
                case 8 when wire == ProtoWireType.LengthDelimited: (parameters, doc) = DecodeFieldMeta(reader.ReadBytes()); break;
                case 9 when wire == ProtoWireType.Varint: oneof = (int)reader.ReadVarint(); break;
                case 17 when wire == ProtoWireType.Varint: proto3Optional = reader.ReadVarint() != 0; break;
                default: reader.Skip(wire); break;
            }
        }
        if (type is < 1 or > 18)
        {
            throw new SchemaParseException($"Invalid Protobuf descriptor: field {name} has type {type}");
        }
        return new ProtoField
        {
            Name = name,
            Number = fieldNumber,
            Type = (ProtoType)type,
            TypeName = typeName,
            Repeated = label == 3,
            Label = label switch { 2 => "required", 3 => "repeated", _ => "optional" },
            Proto3Optional = proto3Optional,
            OneofIndex = oneof,
            Params = parameters,
            Doc = doc,
        };
    }

    private static ProtoEnum Enum(ReadOnlySpan<byte> data, string prefix)
    {
        string name = "";
        var values = new List<(string, int)>();
        var reader = new DescriptorWire(data);
        while (reader.TryReadTag(out var number, out var wire))
        {
            if (number == 1 && wire == ProtoWireType.LengthDelimited)
            {
                name = reader.ReadString();
            }
            else if (number == 2 && wire == ProtoWireType.LengthDelimited)
            {
                values.Add(EnumValue(reader.ReadBytes()));
            }
            else
            {
                reader.Skip(wire);
            }
        }
        var result = new ProtoEnum { Name = name, FullName = prefix + name };
        result.Values.AddRange(values);
        return result;
    }

    private const int FieldMetaNumber = 1088;

    /// <summary>Reads <c>(confluent.field_meta)</c> (extension 1088, a confluent.Meta) out of FieldOptions bytes.</summary>
    internal static (IReadOnlyList<KeyValuePair<string, string>> Params, string? Doc) DecodeFieldMeta(ReadOnlySpan<byte> options)
    {
        var meta = FieldMeta(options);
        return (meta?.Params ?? [], meta?.Doc);
    }

    private sealed record Meta(List<KeyValuePair<string, string>> Params, string? Doc, List<string> Tags);

    // The last (confluent.field_meta) in FieldOptions bytes, or null when there is none.
    private static Meta? FieldMeta(ReadOnlySpan<byte> options)
    {
        Meta? result = null;
        var reader = new DescriptorWire(options);
        while (reader.TryReadTag(out var number, out var wireType))
        {
            if (number != FieldMetaNumber || wireType != ProtoWireType.LengthDelimited)
            {
                reader.Skip(wireType);
                continue;
            }
            result = new Meta([], null, []);
            var meta = new DescriptorWire(reader.ReadBytes());
            while (meta.TryReadTag(out var metaField, out var metaWire))
            {
                if (metaField == 1 && metaWire == ProtoWireType.LengthDelimited)
                {
                    result = result with { Doc = meta.ReadString() };
                }
                else if (metaField == 2 && metaWire == ProtoWireType.LengthDelimited)
                {
                    var entry = new DescriptorWire(meta.ReadBytes());
                    string key = "", value = "";
                    while (entry.TryReadTag(out var entryField, out var entryWire))
                    {
                        if (entryField == 1 && entryWire == ProtoWireType.LengthDelimited)
                        {
                            key = entry.ReadString();
                        }
                        else if (entryField == 2 && entryWire == ProtoWireType.LengthDelimited)
                        {
                            value = entry.ReadString();
                        }
                        else
                        {
                            entry.Skip(entryWire);
                        }
                    }
                    result.Params.Add(new(key, value));
                }
                else if (metaField == 3 && metaWire == ProtoWireType.LengthDelimited)
                {
                    result.Tags.Add(meta.ReadString());
                }
                else
                {
                    meta.Skip(metaWire);
                }
            }
        }
        return result;
    }

    // An EnumValueDescriptorProto's name and number.
    private static (string Name, int Number) EnumValue(ReadOnlySpan<byte> data)
    {
        string name = "";
        var number = 0;
        var reader = new DescriptorWire(data);
        while (reader.TryReadTag(out var field, out var wire))
        {
            if (field == 1 && wire == ProtoWireType.LengthDelimited)
            {
                name = reader.ReadString();
            }
            else if (field == 2 && wire == ProtoWireType.Varint)
            {
                number = reader.ReadInt32();
            }
            else
            {
                reader.Skip(wire);
            }
        }
        return (name, number);
    }

    private static bool IsMapEntry(ReadOnlySpan<byte> options)
    {
        var reader = new DescriptorWire(options);
        var mapEntry = false;
        while (reader.TryReadTag(out var number, out var wire))
        {
            if (number == 7 && wire == ProtoWireType.Varint)
            {
                mapEntry = reader.ReadVarint() != 0;
            }
            else
            {
                reader.Skip(wire);
            }
        }
        return mapEntry;
    }

    private static string FirstString(ReadOnlySpan<byte> data)
    {
        var reader = new DescriptorWire(data);
        while (reader.TryReadTag(out var number, out var wire))
        {
            if (number == 1 && wire == ProtoWireType.LengthDelimited)
            {
                return reader.ReadString();
            }
            reader.Skip(wire);
        }
        return "";
    }

    // Spans cannot be stored in lists: keep where a nested slice lies in its parent instead.
    private readonly ref struct OffsetTracker(ReadOnlySpan<byte> parent)
    {
        private readonly ReadOnlySpan<byte> _parent = parent;

        public (int Start, int Length) Of(ReadOnlySpan<byte> slice) =>
            ((int)System.Runtime.CompilerServices.Unsafe.ByteOffset(
                ref System.Runtime.InteropServices.MemoryMarshal.GetReference(_parent),
                ref System.Runtime.InteropServices.MemoryMarshal.GetReference(slice)), slice.Length);
    }
}
