using KafkaConnect.Connect.Data;
using ConnectDecimal = KafkaConnect.Connect.Data.Decimal;

namespace KafkaConnect.Connect.Protobuf.Tests;

public sealed class DecimalCodecTests
{
    // Connect's Decimal.FromLogical (BigInteger.ToByteArray, as Java's BigInteger.toByteArray) is the reference.
    [Theory]
    [InlineData("0", 0)]
    [InlineData("12.34", 2)]
    [InlineData("-12.34", 2)]
    [InlineData("1.28", 2)]
    [InlineData("-1.28", 2)]
    [InlineData("-1.29", 2)]
    [InlineData("0.000001", 6)]
    [InlineData("79228162514264337593543950335", 0)]
    [InlineData("-79228162514264337593543950335", 0)]
    [InlineData("-7.9228162514264337593543950335", 28)]
    public void Unscaled_bytes_match_Connects_and_read_back(string text, int scale)
    {
        var value = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        var expected = ConnectDecimal.FromLogical(ConnectDecimal.Schema(scale), value);
        Span<byte> buffer = stackalloc byte[16];
        var length = DecimalCodec.Unscaled(value, buffer, out var precision);
        Assert.Equal(expected, buffer[..length].ToArray());
        Assert.Equal((uint)ConnectDecimal.ToUnscaled(expected).ToString().TrimStart('-').Length, precision);
        Assert.Equal(value, DecimalCodec.FromUnscaled(expected, scale));
    }

    [Fact]
    public void More_than_96_bits_is_a_DataException()
    {
        Assert.Throws<Errors.DataException>(() => DecimalCodec.FromUnscaled(new byte[] { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 0));
    }
}
