namespace KafkaConnect.Schemas.Protobuf;

/// <summary>
/// Reads a Protobuf schema and its imports into one <see cref="ProtoTypeTable"/>: .proto text through our own parser,
/// imports from the schema's references (named by import path), else the built-in text of a known type
/// (<see cref="KnownProtos"/>); a source in another form (a base64 FileDescriptorProto) goes to the reader the
/// caller gives. One instance reads one schema.
/// </summary>
public sealed class ProtoParser
{
    internal const string WellKnownPrefix = "google.protobuf.";

    private readonly IReadOnlyDictionary<string, string> _references;
    private readonly Func<ProtoParser, string, ProtoFile?>? _otherForm;
    private readonly bool _undefinedWellKnown;

    /// <param name="references">Import path → schema text of the schema's references.</param>
    /// <param name="otherForm">Reads a source that is not .proto text into <see cref="Types"/> (returns null when it is text).</param>
    /// <param name="undefinedWellKnown">
    /// Accept a <c>google.protobuf.*</c> message type no file defines when a <c>google/protobuf/</c> file is imported,
    /// as a registry that has them all built in does; its fields are left without a <see cref="ProtoField.MessageType"/>.
    /// </param>
    public ProtoParser(IReadOnlyDictionary<string, string> references, Func<ProtoParser, string, ProtoFile?>? otherForm = null, bool undefinedWellKnown = false)
    {
        ArgumentNullException.ThrowIfNull(references);
        _references = references;
        _otherForm = otherForm;
        _undefinedWellKnown = undefinedWellKnown;
    }

    public ProtoTypeTable Types { get; } = new();

    /// <summary>Parses the schema and its imports and links every field to its type; returns the schema's own file.</summary>
    /// <exception cref="SchemaParseException">It does not parse, a type is not defined, or an import is neither known nor a reference.</exception>
    public ProtoFile Parse(string schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var file = Read(schema);
        Types.Link(_undefinedWellKnown);
        return file;
    }

    /// <summary>Adds an imported file once: from the references, else the built-in definition of a known type.</summary>
    /// <exception cref="SchemaParseException">The import is neither known nor among the references, or it does not parse.</exception>
    public void AddImport(string import)
    {
        if (!Types.Files.Add(import))
        {
            return;
        }
        if (_references.TryGetValue(import, out var source))
        {
            Read(source);
        }
        else if (KnownProtos.ReferenceSource(import) is { } known)
        {
            Read(known);
        }
        else if (!KnownProtos.IsKnown(import))
        {
            throw new SchemaParseException($"Import \"{import}\" was not found (no reference named \"{import}\").");
        }
        // Other known files (descriptor.proto, which meta.proto imports for its extension) define nothing we read.
    }

    private ProtoFile Read(string source) =>
        _otherForm?.Invoke(this, source) ?? ProtoTextParser.Read(this, source, _undefinedWellKnown);
}
