using System.Text;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Converters.Tests;

public sealed class NumberConverterTests
{
    [Fact]
    public void Numbers_use_kafka_serializer_bytes()
    {
        Assert.Equal(new byte[] { 0x01, 0x02 }, new ShortConverter().FromConnectData("t", null, null, (short)0x0102));
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF, 0xFE }, new IntegerConverter().FromConnectData("t", null, null, -2));
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0x01, 0x00 }, new LongConverter().FromConnectData("t", null, null, 256L));
        Assert.Equal(new byte[] { 0x3F, 0x80, 0, 0 }, new FloatConverter().FromConnectData("t", null, null, 1.0f));
        Assert.Equal(new byte[] { 0x3F, 0xF0, 0, 0, 0, 0, 0, 0 }, new DoubleConverter().FromConnectData("t", null, null, 1.0));
        Assert.Equal(new byte[] { 1 }, new BooleanConverter().FromConnectData("t", null, null, true));
    }

    [Fact]
    public void Round_trips_and_nulls()
    {
        RoundTrip(new ShortConverter(), (short)-1234, Schema.OptionalInt16Schema);
        RoundTrip(new IntegerConverter(), int.MinValue, Schema.OptionalInt32Schema);
        RoundTrip(new LongConverter(), long.MaxValue, Schema.OptionalInt64Schema);
        RoundTrip(new FloatConverter(), 3.25f, Schema.OptionalFloat32Schema);
        RoundTrip(new DoubleConverter(), double.NaN, Schema.OptionalFloat64Schema);
        RoundTrip(new BooleanConverter(), false, Schema.OptionalBooleanSchema);
        Assert.Null(new IntegerConverter().FromConnectData("t", null, Schema.OptionalInt32Schema, null));
        Assert.Equal(new SchemaAndValue(Schema.OptionalInt32Schema, null), new IntegerConverter().ToConnectData("t", null, null));
    }

    [Fact]
    public void Wrong_types_and_sizes_fail()
    {
        Assert.Throws<DataException>(() => new IntegerConverter().FromConnectData("t", null, null, 1L));
        Assert.Throws<DataException>(() => new LongConverter().ToConnectData("t", null, new byte[3]));
        Assert.Throws<DataException>(() => new BooleanConverter().ToConnectData("t", null, new byte[] { 7 }));
    }

    [Fact]
    public void Byte_array_passes_through()
    {
        var c = new ByteArrayConverter();
        var bytes = new byte[] { 1, 2, 3 };
        Assert.Same(bytes, c.FromConnectData("t", null, Schema.BytesSchema, bytes));
        Assert.Equal(bytes, c.FromConnectData("t", null, null, new ReadOnlyMemory<byte>(bytes)));
        Assert.Equal(new SchemaAndValue(Schema.OptionalBytesSchema, bytes), c.ToConnectData("t", null, bytes));
        Assert.Throws<DataException>(() => c.FromConnectData("t", null, Schema.StringSchema, "x"));
    }

    private static void RoundTrip<T>(NumberConverter<T> c, T value, Schema schema)
        where T : struct
    {
        c.Configure(new Dictionary<string, string>(), isKey: false);
        var back = c.ToConnectData("t", null, c.FromConnectData("t", null, schema, value));
        Assert.Equal(schema, back.Schema);
        Assert.Equal(value, back.Value);
    }
}

public sealed class SimpleHeaderConverterTests
{
    private readonly SimpleHeaderConverter _c = new();

    private SchemaAndValue Parse(string text) => _c.ToConnectHeader("t", "h", Encoding.UTF8.GetBytes(text));

    [Theory]
    [InlineData("true", true)]
    [InlineData("12", (sbyte)12)]
    [InlineData("-300", (short)-300)]
    [InlineData("70000", 70000)]
    [InlineData("5000000000", 5000000000L)]
    [InlineData("1.5", 1.5f)]
    [InlineData("1e300", 1e300)]
    [InlineData("hello world", "hello world")]
    [InlineData("12 monkeys", "12 monkeys")]
    [InlineData("[1,2", "[1,2")]
    public void Infers_schema(string text, object expected)
    {
        var parsed = Parse(text);
        Assert.Equal(expected, parsed.Value);
        Assert.Equal(Values.InferSchema(expected), parsed.Schema);
    }

    [Fact]
    public void Temporal_values()
    {
        Assert.Equal(new SchemaAndValue(Date.Schema, new DateOnly(2024, 2, 29)), Parse("2024-02-29"));
        Assert.Equal(new SchemaAndValue(Time.Schema, new TimeOnly(12, 34, 56, 789)), Parse("12:34:56.789Z"));
        Assert.Equal(new SchemaAndValue(Timestamp.Schema, new DateTimeOffset(2024, 2, 29, 12, 34, 56, 789, TimeSpan.Zero)), Parse("2024-02-29T12:34:56.789Z"));
    }

    [Fact]
    public void Arrays_and_maps()
    {
        var list = Parse("[1, 300, 2]");
        Assert.Equal(SchemaBuilder.Array(Schema.Int16Schema).Build(), list.Schema);
        Assert.Equal(new List<object?> { (short)1, (short)300, (short)2 }, (List<object?>)list.Value!);

        var map = Parse("{\"a\":1,\"b\":2.5}");
        Assert.Equal(SchemaBuilder.Map(Schema.StringSchema, Schema.Float32Schema).Build(), map.Schema);
        Assert.Equal(2.5f, ((IDictionary<object, object?>)map.Value!)["b"]);
        Assert.Equal(1f, ((IDictionary<object, object?>)map.Value!)["a"]);

        var times = Parse("[\"2024-01-01\",\"2024-01-02\"]");
        Assert.Equal(SchemaBuilder.Array(Date.Schema).Build(), times.Schema);
    }

    [Fact]
    public void Round_trips_through_text()
    {
        var schema = SchemaBuilder.Map(Schema.StringSchema, SchemaBuilder.Array(Schema.Int8Schema).Build()).Build();
        var value = new Dictionary<object, object?> { ["x"] = new List<object?> { (sbyte)1, (sbyte)2 }, ["y,z"] = new List<object?> { (sbyte)-5 } };
        var bytes = _c.FromConnectHeader("t", "h", schema, value);
        Assert.Equal("{\"x\":[1,2],\"y,z\":[-5]}", Encoding.UTF8.GetString(bytes!));
        var back = _c.ToConnectHeader("t", "h", bytes);
        Assert.Equal(schema, back.Schema);
        Assert.Equal(new SchemaAndValue(schema, value), back);

        foreach (var (s, v) in new (Schema, object)[] { (Schema.BooleanSchema, false), (Schema.Int64Schema, long.MinValue), (Schema.StringSchema, "a:b,c") })
        {
            var text = _c.FromConnectHeader("t", "h", s, v);
            Assert.Equal(v, _c.ToConnectHeader("t", "h", text).Value);
        }
        Assert.Equal(SchemaAndValue.Null, _c.ToConnectHeader("t", "h", null));
        Assert.Null(_c.FromConnectHeader("t", "h", Schema.OptionalStringSchema, null));
    }

    [Fact]
    public void Invalid_utf8_falls_back_to_bytes()
    {
        var bytes = new byte[] { 0xC3, 0x28 };
        Assert.Equal(new SchemaAndValue(Schema.BytesSchema, bytes), _c.ToConnectHeader("t", "h", bytes));
    }

    [Fact]
    public void Numeric_coercions()
    {
        Assert.Equal(12, Values.ConvertToInteger(null, "12"));
        Assert.Equal(3L, Values.ConvertToLong(null, 3.9));
        Assert.Equal(1.5, Values.ConvertToDouble(null, "1.5"));
        Assert.True(Values.ConvertToBoolean(null, "TRUE"));
        Assert.Throws<DataException>(() => Values.ConvertToByte(null, 1000));
        Assert.Throws<DataException>(() => Values.ConvertToInteger(null, "abc"));
    }
}
