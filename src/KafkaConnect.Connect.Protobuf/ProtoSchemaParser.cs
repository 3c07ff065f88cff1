using Google.Protobuf.Reflection;
using KafkaConnect.Connect.Errors;
using ProtoBuf;
using ProtoBuf.Reflection;

namespace KafkaConnect.Connect.Protobuf;

/// <summary>
/// .proto text to <see cref="ProtoFile"/> with protobuf-net.Reflection's parser. Only its descriptor objects are
/// used (no protobuf-net serialization, which builds serializers by reflection); the one custom option we read,
/// <c>(confluent.field_meta)</c>, is decoded from the option's raw extension bytes by <see cref="ProtoReader"/>.
/// </summary>
internal static class ProtoSchemaParser
{
    private const string MainFile = "schema.proto";
    private const int FieldMetaNumber = 1088;

    /// <summary>
    /// Parses a registered schema: .proto text, or (as Confluent's Python and Go serializers register it) a
    /// base64-encoded FileDescriptorProto. <paramref name="references"/> maps import names to their schemas.
    /// </summary>
    /// <exception cref="DataException">It does not parse, or an import is neither known nor among <paramref name="references"/>.</exception>
    public static ProtoFile Parse(string text, IReadOnlyDictionary<string, string>? references = null)
    {
        var table = new TypeTable();
        references ??= new Dictionary<string, string>();
        var main = DescriptorDecoder.TryDecodeBase64(text) is { } descriptor
            ? DescriptorDecoder.AddFile(table, descriptor, references)
            : AddText(table, text, references);
        table.Link();
        if (main.Messages.Count == 0)
        {
            throw new DataException("Invalid Protobuf schema: it defines no message");
        }
        return main;
    }

    /// <summary>Parses .proto text (with its imports) into the table; returns the main file.</summary>
    internal static ProtoFile AddText(TypeTable table, string text, IReadOnlyDictionary<string, string> references)
    {
        var set = new FileDescriptorSet();
        foreach (var (name, source) in KnownProtos.Sources)
        {
            if (!references.ContainsKey(name))
            {
                set.Add(name, false, new StringReader(source));
            }
        }
        foreach (var (name, source) in references)
        {
            if (DescriptorDecoder.TryDecodeBase64(source) is { } descriptor)
            {
                // protobuf-net only reads text: a binary import goes into the table directly.
                DescriptorDecoder.AddFile(table, descriptor, references);
            }
            else
            {
                set.Add(name, false, new StringReader(source));
            }
        }
        set.Add(MainFile, true, new StringReader(text));
        set.Process();
        var errors = set.GetErrors().Where(e => e.IsError).ToList();
        if (errors.Count > 0)
        {
            throw new DataException("Invalid Protobuf schema: " + string.Join("; ", errors.Select(e => $"{e.File}({e.LineNumber},{e.ColumnNumber}): {e.Message}")));
        }
        ProtoFile? main = null;
        foreach (var file in set.Files)
        {
            var prefix = string.IsNullOrEmpty(file.Package) ? "" : file.Package + ".";
            var top = file.MessageTypes.Select(m => Convert(m, prefix, table)).ToList();
            foreach (var e in file.EnumTypes)
            {
                table.Enums[prefix + e.Name] = ConvertEnum(e, prefix);
            }
            if (file.Name == MainFile)
            {
                main = new ProtoFile { Package = string.IsNullOrEmpty(file.Package) ? null : file.Package, Messages = top };
            }
        }
        return main!;
    }

    private static ProtoMessage Convert(DescriptorProto proto, string prefix, TypeTable table)
    {
        var message = new ProtoMessage { Name = proto.Name, FullName = prefix + proto.Name, IsMapEntry = proto.Options?.MapEntry == true };
        table.Messages[message.FullName] = message;
        var oneofHasReal = new bool[proto.OneofDecls.Count];
        foreach (var field in proto.Fields)
        {
            if (field.ShouldSerializeOneofIndex() && !field.Proto3Optional)
            {
                oneofHasReal[field.OneofIndex] = true;
            }
        }
        for (var i = 0; i < proto.OneofDecls.Count; i++)
        {
            message.Oneofs.Add((proto.OneofDecls[i].Name, !oneofHasReal[i]));
        }
        foreach (var field in proto.Fields)
        {
            var (parameters, doc) = FieldMeta(field.Options);
            var converted = new ProtoField
            {
                Name = field.Name,
                Number = field.Number,
                Type = (ProtoType)(int)field.type,
                TypeName = string.IsNullOrEmpty(field.TypeName) ? null : field.TypeName.TrimStart('.'),
                Repeated = field.label == FieldDescriptorProto.Label.LabelRepeated,
                Proto3Optional = field.Proto3Optional,
                OneofIndex = field.ShouldSerializeOneofIndex() ? field.OneofIndex : -1,
                Params = parameters,
                Doc = doc,
            };
            message.Fields.Add(converted);
            message.ByNumber[converted.Number] = converted;
        }
        foreach (var nested in proto.NestedTypes)
        {
            message.Nested.Add(Convert(nested, message.FullName + ".", table));
        }
        foreach (var e in proto.EnumTypes)
        {
            var converted = ConvertEnum(e, message.FullName + ".");
            message.Enums.Add(converted);
            table.Enums[converted.FullName] = converted;
        }
        return message;
    }

    private static ProtoEnum ConvertEnum(EnumDescriptorProto proto, string prefix)
    {
        var result = new ProtoEnum { Name = proto.Name, FullName = prefix + proto.Name };
        foreach (var value in proto.Values)
        {
            result.Values.Add((value.Name, value.Number));
        }
        return result;
    }

    // The option arrives as extension bytes of FieldOptions: field 1088 holding a confluent.Meta message.
    private static (IReadOnlyList<KeyValuePair<string, string>> Params, string? Doc) FieldMeta(FieldOptions? options)
    {
        if (options is not IExtensible extensible || extensible.GetExtensionObject(false) is not { } extension)
        {
            return ([], null);
        }
        byte[] raw;
        var stream = extension.BeginQuery();
        try
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            raw = copy.ToArray();
        }
        finally
        {
            extension.EndQuery(stream);
        }
        return DecodeFieldMeta(raw);
    }

    /// <summary>Reads <c>(confluent.field_meta)</c> (extension 1088, a confluent.Meta) out of FieldOptions bytes.</summary>
    internal static (IReadOnlyList<KeyValuePair<string, string>> Params, string? Doc) DecodeFieldMeta(ReadOnlySpan<byte> raw)
    {
        var parameters = new List<KeyValuePair<string, string>>();
        string? doc = null;
        var reader = new ProtoReader(raw);
        while (reader.TryReadTag(out var number, out var wireType))
        {
            if (number != FieldMetaNumber || wireType != WireType.LengthDelimited)
            {
                reader.Skip(wireType);
                continue;
            }
            var meta = new ProtoReader(reader.ReadBytesSpan());
            while (meta.TryReadTag(out var metaField, out var metaWire))
            {
                if (metaField == 1 && metaWire == WireType.LengthDelimited)
                {
                    doc = meta.ReadString();
                }
                else if (metaField == 2 && metaWire == WireType.LengthDelimited)
                {
                    var entry = new ProtoReader(meta.ReadBytesSpan());
                    string key = "", value = "";
                    while (entry.TryReadTag(out var entryField, out var entryWire))
                    {
                        if (entryField == 1 && entryWire == WireType.LengthDelimited)
                        {
                            key = entry.ReadString();
                        }
                        else if (entryField == 2 && entryWire == WireType.LengthDelimited)
                        {
                            value = entry.ReadString();
                        }
                        else
                        {
                            entry.Skip(entryWire);
                        }
                    }
                    parameters.Add(new(key, value));
                }
                else
                {
                    meta.Skip(metaWire);
                }
            }
        }
        return (parameters, doc);
    }
}
