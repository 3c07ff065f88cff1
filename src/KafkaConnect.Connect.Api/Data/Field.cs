namespace KafkaConnect.Connect.Data;

/// <summary>A named, positioned member of a Struct schema. Compares by name, index and schema.</summary>
public sealed class Field : IEquatable<Field>
{
    public Field(string name, int index, Schema schema)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        Name = name;
        Index = index;
        Schema = schema;
    }

    public string Name { get; }

    /// <summary>Position within the struct; stable, so converters can serialize fields positionally.</summary>
    public int Index { get; }

    public Schema Schema { get; }

    public bool Equals(Field? other) =>
        other is not null && (ReferenceEquals(this, other) || (Name == other.Name && Index == other.Index && Schema.Equals(other.Schema)));

    public override bool Equals(object? obj) => obj is Field other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Name, Index, Schema);

    public override string ToString() => $"Field{{name={Name}, index={Index}, schema={Schema}}}";
}
