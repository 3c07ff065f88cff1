using System.Buffers.Binary;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Protobuf;

/// <summary>
/// confluent.type.Decimal's parts (big-endian two's complement unscaled value, precision, scale) to and from
/// System.Decimal without BigInteger or schema allocations: a decimal's 96-bit mantissa fits an Int128.
/// </summary>
internal static class DecimalCodec
{
    /// <summary>Writes the minimal two's complement bytes of the unscaled value; returns their count and the precision.</summary>
    public static int Unscaled(decimal value, Span<byte> destination, out uint precision)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var magnitude = ((UInt128)(uint)bits[2] << 64) | ((UInt128)(uint)bits[1] << 32) | (uint)bits[0];
        precision = 1;
        for (var rest = magnitude; rest >= 10; rest /= 10)
        {
            precision++;
        }
        var signed = value < 0 ? -(Int128)magnitude : (Int128)magnitude;
        Span<byte> full = stackalloc byte[16];
        BinaryPrimitives.WriteInt128BigEndian(full, signed);
        var start = 0;
        // Drop leading bytes that only repeat the sign, as BigInteger.toByteArray does.
        while (start < 15 && ((full[start] == 0 && full[start + 1] < 0x80) || (full[start] == 0xFF && full[start + 1] >= 0x80)))
        {
            start++;
        }
        full[start..].CopyTo(destination);
        return 16 - start;
    }

    /// <exception cref="DataException">The value does not fit System.Decimal.</exception>
    public static decimal FromUnscaled(ReadOnlySpan<byte> unscaled, int scale)
    {
        if (unscaled.Length == 0)
        {
            return new decimal(0, 0, 0, false, (byte)Math.Clamp(scale, 0, 28));
        }
        if (unscaled.Length > 16 || scale is < 0 or > 28)
        {
            throw new DataException($"Decimal of {unscaled.Length} bytes with scale {scale} does not fit System.Decimal");
        }
        Span<byte> full = stackalloc byte[16];
        full.Fill(unscaled[0] >= 0x80 ? (byte)0xFF : (byte)0);
        unscaled.CopyTo(full[(16 - unscaled.Length)..]);
        var signed = BinaryPrimitives.ReadInt128BigEndian(full);
        var negative = signed < 0;
        var magnitude = negative ? (UInt128)(-signed) : (UInt128)signed;
        if (magnitude >> 96 != 0)
        {
            throw new DataException($"Decimal with scale {scale} does not fit System.Decimal (more than 96 bits)");
        }
        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), (int)(uint)(magnitude >> 64), negative, (byte)scale);
    }
}
