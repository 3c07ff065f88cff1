using KafkaConnect.Connect.Errors;
using KafkaConnect.Schemas;

namespace KafkaConnect.Connect.Protobuf;

/// <summary>
/// A registered Protobuf schema to <see cref="ProtoFile"/>: .proto text through KafkaConnect.Schemas' parser (shared with
/// the registry server), a base64 FileDescriptorProto (as Confluent's Python and Go serializers register it) through
/// <see cref="DescriptorDecoder"/>. A schema that does not parse is a <see cref="DataException"/> to the worker.
/// </summary>
internal static class ProtoSchemaParser
{
    private const int FieldMetaNumber = 1088;

    private static readonly Dictionary<string, string> s_noReferences = [];

    /// <summary>Parses a registered schema; <paramref name="references"/> maps import names to their schemas.</summary>
    /// <exception cref="DataException">It does not parse, or an import is neither known nor among <paramref name="references"/>.</exception>
    public static ProtoFile Parse(string text, IReadOnlyDictionary<string, string>? references = null)
    {
        ProtoFile main;
        try
        {
            main = new ProtoParser(references ?? s_noReferences, DescriptorDecoder.TryAddFile).Parse(text);
        }
        catch (SchemaParseException e)
        {
            throw new DataException(e.Line is { } line ? $"Invalid Protobuf schema (line {line}): {e.Reason}" : "Invalid Protobuf schema: " + e.Message, e);
        }
        if (main.Messages.Count == 0)
        {
            throw new DataException("Invalid Protobuf schema: it defines no message");
        }
        return main;
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
