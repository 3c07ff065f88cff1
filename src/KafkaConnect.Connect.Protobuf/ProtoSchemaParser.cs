using KafkaConnect.Connect.Errors;
using KafkaConnect.Schemas;

namespace KafkaConnect.Connect.Protobuf;

/// <summary>
/// A registered Protobuf schema to <see cref="ProtoFile"/>: .proto text through KafkaConnect.Schemas' parser (shared with
/// the registry server), a base64 FileDescriptorProto (as Confluent's Python and Go serializers register it) through
/// KafkaConnect.Schemas' <see cref="DescriptorReader"/>. A schema that does not parse is a <see cref="DataException"/> to the worker.
/// </summary>
internal static class ProtoSchemaParser
{
    private static readonly Dictionary<string, string> s_noReferences = [];

    /// <summary>Parses a registered schema; <paramref name="references"/> maps import names to their schemas.</summary>
    /// <exception cref="DataException">It does not parse, or an import is neither known nor among <paramref name="references"/>.</exception>
    public static ProtoFile Parse(string text, IReadOnlyDictionary<string, string>? references = null)
    {
        ProtoFile main;
        try
        {
            main = new ProtoParser(references ?? s_noReferences, DescriptorReader.TryAddFile).Parse(text);
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
}
