using KafkaConnect.Schemas;
using KafkaConnect.Schemas.Avro;

namespace KafkaConnect.SchemaRegistry.Schemas;

/// <summary>
/// An Avro schema as the registry keeps it: parsed with Java Avro's rules (defaults validated, as Confluent's registry
/// does), its canonical text Java Avro's Schema.toString() with the types its references define written as names, and
/// checked for reader/writer compatibility with Java Avro's SchemaCompatibility rules and messages.
/// </summary>
internal sealed class ParsedAvroSchema : ParsedSchema
{
    private ParsedAvroSchema(AvroSchema root, string canonical)
    {
        Root = root;
        Canonical = canonical;
    }

    public AvroSchema Root { get; }

    public override string SchemaType => "AVRO";

    public override string Canonical { get; }

    public static ParsedAvroSchema Parse(string text, IReadOnlyList<ResolvedReference> references)
    {
        var referenced = new List<string>();
        foreach (var r in Flatten(references))
        {
            if (r.SchemaType != "AVRO")
            {
                throw new SchemaParseException($"Reference {r.Name} is of type {r.SchemaType}, not AVRO");
            }
            referenced.Add(r.Schema);
        }
        var root = AvroSchemaParser.Parse(text, referenced, validateDefaults: true, out var known);
        return new ParsedAvroSchema(root, AvroSchemaWriter.Write(root, known));
    }

    // Dependencies first: a reference's own references before it.
    private static IEnumerable<ResolvedReference> Flatten(IReadOnlyList<ResolvedReference> refs)
    {
        foreach (var r in refs)
        {
            foreach (var inner in Flatten(r.References))
            {
                yield return inner;
            }
            yield return r;
        }
    }

    public override List<string> ReadsFrom(ParsedSchema writer) => AvroCompatibility.Check(Root, ((ParsedAvroSchema)writer).Root);
}
