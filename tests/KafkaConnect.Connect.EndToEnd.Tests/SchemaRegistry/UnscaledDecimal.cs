using System.Numerics;

namespace KafkaConnect.Connect.EndToEnd.Tests.Registry;

/// <summary>A decimal as Connect, Avro and Confluent's Protobuf decimal carry it: big-endian two's-complement unscaled bytes.</summary>
internal static class UnscaledDecimal
{
    public static byte[] ToBytes(decimal value, int scale) =>
        new BigInteger(decimal.Round(value * (decimal)Math.Pow(10, scale))).ToByteArray(isUnsigned: false, isBigEndian: true);

    public static decimal FromBytes(byte[] unscaled, int scale) =>
        (decimal)new BigInteger(unscaled, isUnsigned: false, isBigEndian: true) / (decimal)Math.Pow(10, scale);
}
