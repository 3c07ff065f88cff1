using System.Text;
using KafkaConnect.Schemas;

namespace KafkaConnect.SchemaRegistry.Schemas;

/// <summary>A schema reference as registered: the name the schema uses for it, and the subject and version that hold it.</summary>
public sealed record SchemaReference(string Name, string Subject, int Version);

/// <summary>A referenced schema, resolved by the store: its type, text and own references.</summary>
internal sealed record ResolvedReference(string Name, string SchemaType, string Schema, IReadOnlyList<ResolvedReference> References);

/// <summary>A parsed schema of one of the three formats.</summary>
internal abstract class ParsedSchema
{
    /// <summary>AVRO, JSON or PROTOBUF.</summary>
    public abstract string SchemaType { get; }

    /// <summary>The text the registry stores and serves (Confluent's canonical string for the format).</summary>
    public abstract string Canonical { get; }

    /// <summary>
    /// Whether this schema can read data written with <paramref name="writer"/>. The messages are Confluent's, with a
    /// first "%s" for the reader's side and a second for the writer's ("new"/"old"), filled in by <see cref="Compatibility"/>.
    /// </summary>
    public abstract List<string> ReadsFrom(ParsedSchema writer);

    public static ParsedSchema Parse(string? schemaType, string schema, IReadOnlyList<ResolvedReference> references)
    {
        var type = string.IsNullOrEmpty(schemaType) ? "AVRO" : schemaType;
        if (type is not ("AVRO" or "JSON" or "PROTOBUF"))
        {
            throw RegistryException.InvalidSchema("Invalid schema type " + type);
        }
        if (string.IsNullOrWhiteSpace(schema))
        {
            throw RegistryException.InvalidSchema("Empty schema");
        }
        try
        {
            return type switch
            {
                "AVRO" => ParsedAvroSchema.Parse(schema, references),
                "JSON" => JsonSchema.Parse(schema, references),
                _ => ProtobufSchema.Parse(schema, references),
            };
        }
        catch (SchemaParseException ex)
        {
            // A schema text the format's parser refused: answered as 42201.
            throw RegistryException.InvalidSchema($"Invalid schema of type {type}, details: {ex.Message}");
        }
    }

    /// <summary>Java's String.format for the "%s" placeholders Confluent's messages use.</summary>
    internal static string FormatSides(string template, string first, string second)
    {
        var sb = new StringBuilder(template.Length + 8);
        var n = 0;
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] == '%' && i + 1 < template.Length && template[i + 1] == 's')
            {
                sb.Append(n++ == 0 ? first : second);
                i++;
            }
            else
            {
                sb.Append(template[i]);
            }
        }
        return sb.ToString();
    }
}
