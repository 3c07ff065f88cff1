using System.Numerics;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using ConnectDecimal = KafkaConnect.Connect.Data.Decimal;

namespace KafkaConnect.Connect.Tests.Data;

public sealed class LogicalTypeTests
{
    [Fact]
    public void LogicalNames_MatchKafka()
    {
        Assert.Equal("org.apache.kafka.connect.data.Date", Date.Schema.Name);
        Assert.Equal("org.apache.kafka.connect.data.Time", Time.Schema.Name);
        Assert.Equal("org.apache.kafka.connect.data.Timestamp", Timestamp.Schema.Name);
        Assert.Equal("org.apache.kafka.connect.data.Decimal", ConnectDecimal.Schema(2).Name);
        Assert.Equal("2", ConnectDecimal.Schema(2).Parameters["scale"]);
        Assert.Equal(SchemaType.Int32, Date.Schema.Type);
        Assert.Equal(SchemaType.Int32, Time.Schema.Type);
        Assert.Equal(SchemaType.Int64, Timestamp.Schema.Type);
        Assert.Equal(SchemaType.Bytes, ConnectDecimal.Schema(2).Type);
    }

    [Theory]
    [InlineData("1970-01-01", 0)]
    [InlineData("1970-01-02", 1)]
    [InlineData("1969-12-31", -1)]
    [InlineData("1900-03-01", -25508)]
    [InlineData("2024-02-29", 19782)]
    public void Date_RoundTrips(string iso, int days)
    {
        var date = DateOnly.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(days, Date.FromLogical(Date.Schema, date));
        Assert.Equal(date, Date.ToLogical(Date.Schema, days));
        Assert.Equal(days, Date.FromLogical(Date.Schema, date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)));
    }

    [Fact]
    public void Date_RejectsTimeOfDayAndWrongSchema()
    {
        Assert.Throws<DataException>(() => Date.FromLogical(Date.Schema, new DateTime(2020, 1, 1, 1, 0, 0, DateTimeKind.Utc)));
        Assert.Throws<DataException>(() => Date.ToLogical(Schema.Int32Schema, 0));
    }

    [Fact]
    public void Time_RoundTripsMillisOfDay()
    {
        var t = new TimeOnly(13, 45, 30, 123);
        var millis = Time.FromLogical(Time.Schema, t);
        Assert.Equal(((13 * 60 + 45) * 60 + 30) * 1000 + 123, millis);
        Assert.Equal(t, Time.ToLogical(Time.Schema, millis));
        Assert.Throws<DataException>(() => Time.ToLogical(Time.Schema, 86_400_000));
        Assert.Throws<DataException>(() => Time.ToLogical(Time.Schema, -1));
        Assert.Throws<DataException>(() => Time.FromLogical(Time.Schema, TimeSpan.FromHours(25)));
    }

    [Fact]
    public void Timestamp_RoundTripsEpochMillis()
    {
        var instant = new DateTimeOffset(2021, 6, 1, 12, 0, 0, 5, TimeSpan.FromHours(2));
        var millis = Timestamp.FromLogical(Timestamp.Schema, instant);
        Assert.Equal(instant.ToUnixTimeMilliseconds(), millis);
        Assert.Equal(instant, Timestamp.ToLogical(Timestamp.Schema, millis));
        Assert.Equal(-1000, Timestamp.FromLogical(Timestamp.Schema, new DateTime(1969, 12, 31, 23, 59, 59, DateTimeKind.Utc)));
    }

    [Theory]
    [InlineData("0", 0, new byte[] { 0x00 })]
    [InlineData("1.27", 2, new byte[] { 0x7F })]
    [InlineData("1.28", 2, new byte[] { 0x00, 0x80 })]
    [InlineData("-1.28", 2, new byte[] { 0x80 })]
    [InlineData("-1.29", 2, new byte[] { 0xFF, 0x7F })]
    [InlineData("-0.01", 2, new byte[] { 0xFF })]
    [InlineData("123456789.123", 3, new byte[] { 0x1C, 0xBE, 0x99, 0x1A, 0x83 })]
    public void Decimal_EncodesBigEndianTwosComplement(string text, int scale, byte[] expected)
    {
        var value = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        var schema = ConnectDecimal.Schema(scale);
        var bytes = ConnectDecimal.FromLogical(schema, value);
        Assert.Equal(expected, bytes);
        var back = ConnectDecimal.ToLogical(schema, bytes);
        Assert.Equal(value, back);
        Assert.Equal(scale, back.Scale);
    }

    [Fact]
    public void Decimal_ScaleMismatch_Throws()
    {
        var ex = Assert.Throws<DataException>(() => ConnectDecimal.FromLogical(ConnectDecimal.Schema(2), 1.5m));
        Assert.Contains("scale", ex.Message, StringComparison.Ordinal);
        Assert.Throws<DataException>(() => ConnectDecimal.FromLogical(ConnectDecimal.Schema(2), 1.500m));
    }

    [Fact]
    public void Decimal_TooLargeForClrDecimal_ThrowsButUnscaledWorks()
    {
        var huge = BigInteger.Pow(10, 40);
        var bytes = ConnectDecimal.FromUnscaled(-huge);
        Assert.Throws<DataException>(() => ConnectDecimal.ToLogical(ConnectDecimal.Schema(0), bytes));
        Assert.Equal(-huge, ConnectDecimal.ToUnscaled(bytes));
    }

    [Fact]
    public void Decimal_MissingScaleParameter_Throws()
    {
        var schema = SchemaBuilder.Bytes().Name(ConnectDecimal.LogicalName).Build();
        Assert.Throws<DataException>(() => ConnectDecimal.FromLogical(schema, 1m));
    }

    [Fact]
    public void LogicalValues_ValidateAgainstLogicalClrTypes()
    {
        ConnectSchema.ValidateValue(Date.Schema, new DateOnly(2020, 1, 1));
        ConnectSchema.ValidateValue(Time.Schema, new TimeOnly(1, 0));
        ConnectSchema.ValidateValue(Timestamp.Schema, DateTimeOffset.UnixEpoch);
        ConnectSchema.ValidateValue(ConnectDecimal.Schema(2), 1.25m);
        Assert.Throws<DataException>(() => ConnectSchema.ValidateValue(Date.Schema, 5));
        Assert.Throws<DataException>(() => ConnectSchema.ValidateValue(ConnectDecimal.Schema(2), new byte[] { 1 }));
    }
}
