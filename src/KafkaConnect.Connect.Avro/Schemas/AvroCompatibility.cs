namespace KafkaConnect.Connect.Avro.Schemas;

/// <summary>
/// Avro's schema-resolution rules (specification, "Schema Resolution"): whether data written with one schema can be
/// read with another. Used for <c>latest.compatibility.strict</c>, which asks whether the subject's latest schema can
/// read what the record's own schema would write, as Confluent's serializer checks locally.
/// </summary>
public static class AvroCompatibility
{
    /// <summary>True when <paramref name="reader"/> can read data written with <paramref name="writer"/>.</summary>
    public static bool CanRead(AvroSchema reader, AvroSchema writer)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(writer);
        return CanRead(reader, writer, new HashSet<(AvroSchema, AvroSchema)>());
    }

    private static bool CanRead(AvroSchema reader, AvroSchema writer, HashSet<(AvroSchema, AvroSchema)> assumed)
    {
        if (writer.Type == AvroType.Union)
        {
            return writer.Branches.All(branch => CanRead(reader, branch, assumed));
        }
        if (reader.Type == AvroType.Union)
        {
            return reader.Branches.Any(branch => CanRead(branch, writer, assumed));
        }
        if (reader.Type != writer.Type)
        {
            return Promotes(writer.Type, reader.Type);
        }
        // Recursive types: a pair under comparison is taken as compatible until shown otherwise.
        if (reader.IsNamed && !assumed.Add((reader, writer)))
        {
            return true;
        }
        switch (reader.Type)
        {
            case AvroType.Record:
                if (!NamesMatch(reader, writer))
                {
                    return false;
                }
                foreach (var field in reader.Fields)
                {
                    var written = writer.GetField(field.Name) ?? field.Aliases.Select(writer.GetField).FirstOrDefault(f => f is not null);
                    if (written is null ? !field.HasDefault : !CanRead(field.Schema, written.Schema, assumed))
                    {
                        return false;
                    }
                }
                return true;
            case AvroType.Enum:
                return NamesMatch(reader, writer) && (reader.EnumDefault is not null || writer.Symbols.All(reader.Symbols.Contains));
            case AvroType.Fixed:
                return NamesMatch(reader, writer) && reader.FixedSize == writer.FixedSize;
            case AvroType.Array or AvroType.Map:
                return CanRead(reader.ItemSchema!, writer.ItemSchema!, assumed);
            default:
                return true;
        }
    }

    // int → long, float, double; long → float, double; float → double; string ↔ bytes.
    private static bool Promotes(AvroType from, AvroType to) => (from, to) switch
    {
        (AvroType.Int, AvroType.Long or AvroType.Float or AvroType.Double) => true,
        (AvroType.Long, AvroType.Float or AvroType.Double) => true,
        (AvroType.Float, AvroType.Double) => true,
        (AvroType.String, AvroType.Bytes) or (AvroType.Bytes, AvroType.String) => true,
        _ => false,
    };

    // Unqualified names are compared, as Avro's Java SchemaCompatibility does; reader aliases count.
    private static bool NamesMatch(AvroSchema reader, AvroSchema writer) =>
        reader.Name == writer.Name || reader.Aliases.Any(a => a == writer.Name || a == writer.FullName);
}
