namespace KafkaConnect.Connect.Protobuf;

/// <summary>Field types, numbered as in descriptor.proto's FieldDescriptorProto.Type.</summary>
internal enum ProtoType
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

/// <summary>A parsed .proto file: what the codec and the Connect mapping need of its descriptors.</summary>
internal sealed class ProtoFile
{
    public required string? Package { get; init; }

    public required IReadOnlyList<ProtoMessage> Messages { get; init; }

    /// <summary>The message at a Confluent message-index path (indexes into top-level, then nested, messages).</summary>
    public ProtoMessage MessageAt(IReadOnlyList<int> indexes)
    {
        IReadOnlyList<ProtoMessage> level = Messages;
        ProtoMessage? message = null;
        foreach (var index in indexes)
        {
            if (index < 0 || index >= level.Count)
            {
                throw new Errors.DataException($"Message index {index} is beyond the {level.Count} message(s) the schema defines there");
            }
            message = level[index];
            level = message.Nested;
        }
        return message ?? throw new Errors.DataException("Empty message-index path");
    }
}

internal sealed class ProtoMessage
{
    public required string Name { get; init; }

    public required string FullName { get; init; }

    public List<ProtoField> Fields { get; } = [];

    /// <summary>Oneof names in declaration order; a synthetic one (proto3 <c>optional</c>) is flagged.</summary>
    public List<(string Name, bool Synthetic)> Oneofs { get; } = [];

    public List<ProtoMessage> Nested { get; } = [];

    public List<ProtoEnum> Enums { get; } = [];

    public bool IsMapEntry { get; init; }

    public Dictionary<int, ProtoField> ByNumber { get; } = [];
}

internal sealed class ProtoField
{
    public required string Name { get; init; }

    public required int Number { get; init; }

    public required ProtoType Type { get; init; }

    /// <summary>The full name of a message or enum type, without a leading dot.</summary>
    public string? TypeName { get; init; }

    public bool Repeated { get; init; }

    public bool Proto3Optional { get; init; }

    /// <summary>Index into the message's oneofs, or -1.</summary>
    public int OneofIndex { get; init; } = -1;

    /// <summary>The params of <c>(confluent.field_meta)</c>, in the order written.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Params { get; init; } = [];

    public string? Doc { get; init; }

    public ProtoMessage? MessageType { get; set; }

    public ProtoEnum? EnumType { get; set; }

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

internal sealed class ProtoEnum
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
