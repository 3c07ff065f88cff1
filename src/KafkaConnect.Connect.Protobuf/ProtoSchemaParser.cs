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

    /// <exception cref="DataException">The text does not parse, or an import is neither known nor among <paramref name="references"/>.</exception>
    public static ProtoFile Parse(string text, IReadOnlyDictionary<string, string>? references = null)
    {
        var set = new FileDescriptorSet();
        foreach (var (name, source) in KnownProtos.Sources)
        {
            if (references is null || !references.ContainsKey(name))
            {
                set.Add(name, false, new StringReader(source));
            }
        }
        foreach (var (name, source) in references ?? new Dictionary<string, string>())
        {
            set.Add(name, false, new StringReader(source));
        }
        set.Add(MainFile, true, new StringReader(text));
        set.Process();
        var errors = set.GetErrors().Where(e => e.IsError).ToList();
        if (errors.Count > 0)
        {
            throw new DataException("Invalid Protobuf schema: " + string.Join("; ", errors.Select(e => $"{e.File}({e.LineNumber},{e.ColumnNumber}): {e.Message}")));
        }
        var messages = new Dictionary<string, ProtoMessage>(StringComparer.Ordinal);
        var enums = new Dictionary<string, ProtoEnum>(StringComparer.Ordinal);
        ProtoFile? main = null;
        foreach (var file in set.Files)
        {
            var prefix = string.IsNullOrEmpty(file.Package) ? "" : file.Package + ".";
            var top = file.MessageTypes.Select(m => Convert(m, prefix, messages, enums)).ToList();
            foreach (var e in file.EnumTypes)
            {
                enums[prefix + e.Name] = ConvertEnum(e, prefix);
            }
            if (file.Name == MainFile)
            {
                main = new ProtoFile { Package = string.IsNullOrEmpty(file.Package) ? null : file.Package, Messages = top };
            }
        }
        foreach (var message in messages.Values)
        {
            foreach (var field in message.Fields)
            {
                if (field.Type == ProtoType.Message)
                {
                    field.MessageType = messages.GetValueOrDefault(field.TypeName!)
                        ?? throw new DataException($"Invalid Protobuf schema: type {field.TypeName} of field {message.FullName}.{field.Name} is not defined");
                }
                else if (field.Type == ProtoType.Enum)
                {
                    field.EnumType = enums.GetValueOrDefault(field.TypeName!)
                        ?? throw new DataException($"Invalid Protobuf schema: enum {field.TypeName} of field {message.FullName}.{field.Name} is not defined");
                }
            }
        }
        if (main is null || main.Messages.Count == 0)
        {
            throw new DataException("Invalid Protobuf schema: it defines no message");
        }
        return main;
    }

    private static ProtoMessage Convert(DescriptorProto proto, string prefix, Dictionary<string, ProtoMessage> messages, Dictionary<string, ProtoEnum> enums)
    {
        var message = new ProtoMessage { Name = proto.Name, FullName = prefix + proto.Name, IsMapEntry = proto.Options?.MapEntry == true };
        messages[message.FullName] = message;
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
            message.Nested.Add(Convert(nested, message.FullName + ".", messages, enums));
        }
        foreach (var e in proto.EnumTypes)
        {
            var converted = ConvertEnum(e, message.FullName + ".");
            message.Enums.Add(converted);
            enums[converted.FullName] = converted;
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
