using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Data;

/// <summary>
/// Describes the shape of a key, value or header so converters can serialize it without guessing.
/// Schemas are immutable and compare by value; build custom ones with <see cref="SchemaBuilder"/>.
/// </summary>
/// <remarks>
/// Values are plain CLR objects: Int8 → <c>sbyte</c>, Int16 → <c>short</c>, Int32 → <c>int</c>,
/// Int64 → <c>long</c>, Float32 → <c>float</c>, Float64 → <c>double</c>, Boolean → <c>bool</c>,
/// String → <c>string</c>, Bytes → <c>byte[]</c>, Array → <c>IList</c> (canonically <c>List&lt;object?&gt;</c>),
/// Map → <c>IDictionary</c> (canonically <c>Dictionary&lt;object, object?&gt;</c>), Struct → <see cref="Data.Struct"/>.
/// The match is exact (an <c>int</c> is not a valid Int64 value), as in Apache Kafka.
/// </remarks>
public abstract class Schema : IEquatable<Schema>
{
    public static readonly Schema Int8Schema = Primitive(SchemaType.Int8, false);
    public static readonly Schema Int16Schema = Primitive(SchemaType.Int16, false);
    public static readonly Schema Int32Schema = Primitive(SchemaType.Int32, false);
    public static readonly Schema Int64Schema = Primitive(SchemaType.Int64, false);
    public static readonly Schema Float32Schema = Primitive(SchemaType.Float32, false);
    public static readonly Schema Float64Schema = Primitive(SchemaType.Float64, false);
    public static readonly Schema BooleanSchema = Primitive(SchemaType.Boolean, false);
    public static readonly Schema StringSchema = Primitive(SchemaType.String, false);
    public static readonly Schema BytesSchema = Primitive(SchemaType.Bytes, false);

    public static readonly Schema OptionalInt8Schema = Primitive(SchemaType.Int8, true);
    public static readonly Schema OptionalInt16Schema = Primitive(SchemaType.Int16, true);
    public static readonly Schema OptionalInt32Schema = Primitive(SchemaType.Int32, true);
    public static readonly Schema OptionalInt64Schema = Primitive(SchemaType.Int64, true);
    public static readonly Schema OptionalFloat32Schema = Primitive(SchemaType.Float32, true);
    public static readonly Schema OptionalFloat64Schema = Primitive(SchemaType.Float64, true);
    public static readonly Schema OptionalBooleanSchema = Primitive(SchemaType.Boolean, true);
    public static readonly Schema OptionalStringSchema = Primitive(SchemaType.String, true);
    public static readonly Schema OptionalBytesSchema = Primitive(SchemaType.Bytes, true);

    private protected Schema()
    {
    }

    public abstract SchemaType Type { get; }

    /// <summary>Whether <c>null</c> is an acceptable value.</summary>
    public abstract bool IsOptional { get; }

    /// <summary>Value used by <see cref="Data.Struct.Get(string)"/> when a field was never set; already validated.</summary>
    public abstract object? DefaultValue { get; }

    /// <summary>Fully qualified name; also identifies logical types such as <see cref="Date.LogicalName"/>.</summary>
    public abstract string? Name { get; }

    public abstract int? Version { get; }

    public abstract string? Doc { get; }

    /// <summary>Free-form string parameters, e.g. the Decimal "scale". Never null; empty when none.</summary>
    public abstract IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>Key schema of a Map; null for every other type.</summary>
    public abstract Schema? KeySchema { get; }

    /// <summary>Element schema of an Array or value schema of a Map; null for every other type.</summary>
    public abstract Schema? ValueSchema { get; }

    /// <summary>Fields of a Struct in declaration order; empty for every other type.</summary>
    public abstract IReadOnlyList<Field> Fields { get; }

    /// <summary>Looks a field up by name; null when absent.</summary>
    /// <exception cref="DataException">The schema is not a Struct.</exception>
    public abstract Field? GetField(string name);

    public bool Equals(Schema? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }
        if (other is null || Type != other.Type || IsOptional != other.IsOptional || Name != other.Name
            || Version != other.Version || Doc != other.Doc)
        {
            return false;
        }
        if (!ValueEquality.ValuesEqual(DefaultValue, other.DefaultValue) || !ParametersEqual(Parameters, other.Parameters))
        {
            return false;
        }
        if (!Equals(KeySchema, other.KeySchema) || !Equals(ValueSchema, other.ValueSchema))
        {
            return false;
        }
        var fields = Fields;
        var otherFields = other.Fields;
        if (fields.Count != otherFields.Count)
        {
            return false;
        }
        for (var i = 0; i < fields.Count; i++)
        {
            if (!fields[i].Equals(otherFields[i]))
            {
                return false;
            }
        }
        return true;
    }

    public sealed override bool Equals(object? obj) => obj is Schema other && Equals(other);

    public sealed override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Type);
        hash.Add(IsOptional);
        hash.Add(Name);
        hash.Add(Version);
        hash.Add(Fields.Count);
        hash.Add(KeySchema);
        hash.Add(ValueSchema);
        return hash.ToHashCode();
    }

    public static bool operator ==(Schema? left, Schema? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(Schema? left, Schema? right) => !(left == right);

    public override string ToString() =>
        Name is null
            ? $"Schema{{{Type.GetName().ToUpperInvariant()}}}"
            : $"Schema{{{Name}:{Type.GetName().ToUpperInvariant()}}}";

    private static bool ParametersEqual(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }
        foreach (var (key, value) in a)
        {
            if (!b.TryGetValue(key, out var other) || other != value)
            {
                return false;
            }
        }
        return true;
    }

    private static ConnectSchema Primitive(SchemaType type, bool optional) =>
        new(type, optional, null, null, null, null);
}
