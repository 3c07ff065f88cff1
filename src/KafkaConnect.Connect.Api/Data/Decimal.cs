using System.Globalization;
using System.Numerics;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Data;

/// <summary>
/// Logical type for arbitrary-precision decimals: Bytes holding the unscaled value as big-endian two's
/// complement (the same bytes Java's <c>BigInteger.toByteArray</c> produces), with the scale fixed in the
/// schema parameter <see cref="ScaleField"/>. In-memory value: <c>decimal</c>.
/// </summary>
public static class Decimal
{
    public const string LogicalName = "org.apache.kafka.connect.data.Decimal";

    /// <summary>Schema parameter holding the scale as a decimal integer string.</summary>
    public const string ScaleField = "scale";

    // System.Decimal holds a 96-bit unsigned magnitude with a scale of at most 28.
    private const int MaxClrScale = 28;
    private static readonly BigInteger s_maxClrMagnitude = (BigInteger.One << 96) - 1;

    /// <summary>A builder for a Decimal schema with the given scale, to add Optional() or a default.</summary>
    public static SchemaBuilder Builder(int scale) =>
        SchemaBuilder.Bytes()
            .Name(LogicalName)
            .Parameter(ScaleField, scale.ToString(CultureInfo.InvariantCulture))
            .Version(1);

    public static Schema Schema(int scale) => Builder(scale).Build();

    /// <summary>Encodes a decimal whose scale must equal the schema's, so no digits are silently dropped or invented.</summary>
    public static byte[] FromLogical(Schema schema, decimal value)
    {
        var scale = CheckSchemaAndGetScale(schema);
        if (value.Scale != scale)
        {
            throw new DataException(
                $"Decimal value {value.ToString(CultureInfo.InvariantCulture)} has scale {value.Scale} but the schema requires scale {scale}");
        }
        return FromUnscaled(UnscaledOf(value));
    }

    /// <summary>Decodes to a decimal with the schema's scale.</summary>
    /// <exception cref="DataException">The value does not fit System.Decimal (more than 96 bits or scale above 28).</exception>
    public static decimal ToLogical(Schema schema, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var scale = CheckSchemaAndGetScale(schema);
        var unscaled = ToUnscaled(value);
        if (scale is < 0 or > MaxClrScale || BigInteger.Abs(unscaled) > s_maxClrMagnitude)
        {
            throw new DataException($"Decimal with unscaled value {unscaled} and scale {scale} does not fit System.Decimal");
        }
        var magnitude = BigInteger.Abs(unscaled);
        var lo = (int)(uint)(magnitude & uint.MaxValue);
        var mid = (int)(uint)((magnitude >> 32) & uint.MaxValue);
        var hi = (int)(uint)((magnitude >> 64) & uint.MaxValue);
        return new decimal(lo, mid, hi, unscaled.Sign < 0, (byte)scale);
    }

    /// <summary>Unscaled value of the encoded bytes; for values beyond System.Decimal's range.</summary>
    public static BigInteger ToUnscaled(ReadOnlySpan<byte> value) => new(value, isUnsigned: false, isBigEndian: true);

    /// <summary>Minimal big-endian two's complement encoding of an unscaled value.</summary>
    public static byte[] FromUnscaled(BigInteger unscaled) => unscaled.ToByteArray(isUnsigned: false, isBigEndian: true);

    /// <summary>Reads the scale parameter of a Decimal schema.</summary>
    public static int ScaleOf(Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (!schema.Parameters.TryGetValue(ScaleField, out var text)
            || !int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var scale))
        {
            throw new DataException("Invalid Decimal schema: scale parameter not found or not an integer.");
        }
        return scale;
    }

    private static int CheckSchemaAndGetScale(Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (schema.Name != LogicalName)
        {
            throw new DataException("Requested conversion of Decimal object but the schema does not match.");
        }
        return ScaleOf(schema);
    }

    private static BigInteger UnscaledOf(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var magnitude = ((BigInteger)(uint)bits[2] << 64) | ((BigInteger)(uint)bits[1] << 32) | (uint)bits[0];
        return value < 0 || (bits[3] & int.MinValue) != 0 ? -magnitude : magnitude;
    }
}
