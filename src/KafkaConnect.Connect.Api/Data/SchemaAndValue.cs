namespace KafkaConnect.Connect.Data;

/// <summary>A value paired with the schema that describes it; what converters return.</summary>
public readonly record struct SchemaAndValue(Schema? Schema, object? Value)
{
    /// <summary>No schema and no value: what a converter returns for a null (tombstone) payload.</summary>
    public static readonly SchemaAndValue Null;

    public bool Equals(SchemaAndValue other) =>
        Equals(Schema, other.Schema) && ValueEquality.ValuesEqual(Value, other.Value);

    public override int GetHashCode() => HashCode.Combine(Schema, ValueEquality.ValueHash(Value));
}
