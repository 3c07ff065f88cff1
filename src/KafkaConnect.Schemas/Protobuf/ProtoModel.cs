namespace KafkaConnect.Schemas.Protobuf;

/// <summary>Field types, numbered as in descriptor.proto's FieldDescriptorProto.Type.</summary>
public enum ProtoType
{
    Double = 1,
    Float = 2,
    Int64 = 3,
    UInt64 = 4,
    Int32 = 5,
    Fixed64 = 6,
    Fixed32 = 7,
    Bool = 8,
    String = 9,
    Group = 10,
    Message = 11,
    Bytes = 12,
    UInt32 = 13,
    Enum = 14,
    SFixed32 = 15,
    SFixed64 = 16,
    SInt32 = 17,
    SInt64 = 18,
}

/// <summary>
/// A parsed .proto file: what the converter's codec and Connect mapping and the registry's compatibility check need of
/// its descriptors (from .proto text, or a FileDescriptorProto <see cref="DescriptorReader"/> decodes).
/// </summary>
public sealed class ProtoFile
{
    public required string? Package { get; init; }

    public required IReadOnlyList<ProtoMessage> Messages { get; init; }
}

public sealed class ProtoMessage
{
    public required string Name { get; init; }

    public required string FullName { get; init; }

    public List<ProtoField> Fields { get; } = [];

    /// <summary>Oneof names in declaration order; a synthetic one (proto3 <c>optional</c>) is flagged.</summary>
    public List<(string Name, bool Synthetic)> Oneofs { get; } = [];

    public List<ProtoMessage> Nested { get; } = [];

    public List<ProtoEnum> Enums { get; } = [];

    public bool IsMapEntry { get; internal set; }

    public Dictionary<int, ProtoField> ByNumber { get; } = [];
}

public sealed class ProtoField
{
    public required string Name { get; init; }

    public required int Number { get; init; }

    public required ProtoType Type { get; init; }

    /// <summary>The full name of a message or enum type, without a leading dot.</summary>
    public string? TypeName { get; init; }

    public bool Repeated { get; init; }

    /// <summary>The label as written: optional, required, repeated, or null for none (proto3's implicit presence).</summary>
    public string? Label { get; init; }

    /// <summary>In a oneof the schema declares (not the synthetic one of a proto3 <c>optional</c> field).</summary>
    public bool InOneof => OneofIndex >= 0 && !Proto3Optional;

    public bool Proto3Optional { get; init; }

    /// <summary>Index into the message's oneofs, or -1.</summary>
    public int OneofIndex { get; init; } = -1;

    /// <summary>The params of <c>(confluent.field_meta)</c>, in the order written.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Params { get; init; } = [];

    public string? Doc { get; init; }

    public ProtoMessage? MessageType { get; internal set; }

    public ProtoEnum? EnumType { get; internal set; }

    public string? Param(string key)
    {
        foreach (var (k, v) in Params)
        {
            if (k == key)
            {
                return v;
            }
        }
        return null;
    }

    /// <summary>Scalars that proto3 packs when repeated.</summary>
    public bool Packable => Type is not (ProtoType.String or ProtoType.Bytes or ProtoType.Message or ProtoType.Group);
}

public sealed class ProtoEnum
{
    public required string Name { get; init; }

    public required string FullName { get; init; }

    public List<(string Name, int Number)> Values { get; } = [];

    public string? NameOf(int number)
    {
        foreach (var (name, n) in Values)
        {
            if (n == number)
            {
                return name;
            }
        }
        return null;
    }
}

/// <summary>Every message and enum of a schema and its imports, by full name; <see cref="Link"/> resolves field types.</summary>
public sealed class ProtoTypeTable
{
    public Dictionary<string, ProtoMessage> Messages { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, ProtoEnum> Enums { get; } = new(StringComparer.Ordinal);

    /// <summary>The import paths already read.</summary>
    public HashSet<string> Files { get; } = new(StringComparer.Ordinal);

    /// <param name="undefinedWellKnown">Leave a <c>google.protobuf.*</c> message type that no file defines unlinked (the registry's leniency).</param>
    internal void Link(bool undefinedWellKnown)
    {
        foreach (var message in Messages.Values)
        {
            foreach (var field in message.Fields)
            {
                if (field.Type == ProtoType.Message)
                {
                    field.MessageType = Messages.GetValueOrDefault(field.TypeName!)
                        ?? (undefinedWellKnown && field.TypeName!.StartsWith(ProtoParser.WellKnownPrefix, StringComparison.Ordinal) ? null
                            : throw new SchemaParseException($"Type {field.TypeName} of field {message.FullName}.{field.Name} is not defined"));
                }
                else if (field.Type == ProtoType.Enum)
                {
                    field.EnumType = Enums.GetValueOrDefault(field.TypeName!)
                        ?? throw new SchemaParseException($"Enum {field.TypeName} of field {message.FullName}.{field.Name} is not defined");
                }
            }
        }
    }
}
