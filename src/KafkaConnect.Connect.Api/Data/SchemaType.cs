namespace KafkaConnect.Connect.Data;

/// <summary>
/// The structural type of a <see cref="Schema"/>. Logical types (Decimal, Date, Time, Timestamp) are not
/// listed here: they reuse a primitive type and are recognised by <see cref="Schema.Name"/>.
/// </summary>
public enum SchemaType
{
    /// <summary>8-bit signed integer, <c>sbyte</c>.</summary>
    Int8,
    /// <summary>16-bit signed integer, <c>short</c>.</summary>
    Int16,
    /// <summary>32-bit signed integer, <c>int</c>.</summary>
    Int32,
    /// <summary>64-bit signed integer, <c>long</c>.</summary>
    Int64,
    /// <summary>IEEE 754 single precision, <c>float</c>.</summary>
    Float32,
    /// <summary>IEEE 754 double precision, <c>double</c>.</summary>
    Float64,
    /// <summary><c>bool</c>.</summary>
    Boolean,
    /// <summary>UTF-8 text, <c>string</c>.</summary>
    String,
    /// <summary>Opaque bytes, <c>byte[]</c>.</summary>
    Bytes,
    /// <summary>Ordered sequence of values of one schema, <c>List&lt;object?&gt;</c> (any <c>IList</c>).</summary>
    Array,
    /// <summary>Key/value pairs with one key and one value schema, <c>Dictionary&lt;object, object?&gt;</c> (any <c>IDictionary</c>).</summary>
    Map,
    /// <summary>Named fields with their own schemas, <see cref="Data.Struct"/>.</summary>
    Struct,
}

/// <summary>Helpers over <see cref="SchemaType"/>.</summary>
public static class SchemaTypeExtensions
{
    /// <summary>True for every type except Array, Map and Struct.</summary>
    public static bool IsPrimitive(this SchemaType type) =>
        type is not (SchemaType.Array or SchemaType.Map or SchemaType.Struct);

    /// <summary>The lower-case name Kafka uses on the wire and in JSON schemas ("int8", "string", ...).</summary>
    public static string GetName(this SchemaType type) => type switch
    {
        SchemaType.Int8 => "int8",
        SchemaType.Int16 => "int16",
        SchemaType.Int32 => "int32",
        SchemaType.Int64 => "int64",
        SchemaType.Float32 => "float32",
        SchemaType.Float64 => "float64",
        SchemaType.Boolean => "boolean",
        SchemaType.String => "string",
        SchemaType.Bytes => "bytes",
        SchemaType.Array => "array",
        SchemaType.Map => "map",
        SchemaType.Struct => "struct",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>Parses a name produced by <see cref="GetName"/> (case-insensitive).</summary>
    public static bool TryParseName(string name, out SchemaType type)
    {
        ArgumentNullException.ThrowIfNull(name);
        switch (name.ToUpperInvariant())
        {
            case "INT8": type = SchemaType.Int8; return true;
            case "INT16": type = SchemaType.Int16; return true;
            case "INT32": type = SchemaType.Int32; return true;
            case "INT64": type = SchemaType.Int64; return true;
            case "FLOAT32": type = SchemaType.Float32; return true;
            case "FLOAT64": type = SchemaType.Float64; return true;
            case "BOOLEAN": type = SchemaType.Boolean; return true;
            case "STRING": type = SchemaType.String; return true;
            case "BYTES": type = SchemaType.Bytes; return true;
            case "ARRAY": type = SchemaType.Array; return true;
            case "MAP": type = SchemaType.Map; return true;
            case "STRUCT": type = SchemaType.Struct; return true;
            default: type = default; return false;
        }
    }
}
