using KafkaConnect.Connect.Data;

namespace KafkaConnect.Connect.Tests.Data;

public sealed class ValuesTests
{
    [Fact]
    public void ConvertToString_Primitives()
    {
        Assert.Null(Values.ConvertToString(null, null));
        Assert.Equal("12", Values.ConvertToString(Schema.Int32Schema, 12));
        Assert.Equal("true", Values.ConvertToString(Schema.BooleanSchema, true));
        Assert.Equal("1.0", Values.ConvertToString(Schema.Float64Schema, 1.0));
        Assert.Equal("1.5", Values.ConvertToString(Schema.Float32Schema, 1.5f));
        Assert.Equal("hi", Values.ConvertToString(Schema.StringSchema, "hi"));
        Assert.Equal("AQI=", Values.ConvertToString(Schema.BytesSchema, new byte[] { 1, 2 }));
    }

    [Fact]
    public void ConvertToString_Collections()
    {
        Assert.Equal("[1,2,null]", Values.ConvertToString(null, new List<object?> { 1, 2, null }));
        Assert.Equal("{\"a\":1}", Values.ConvertToString(null, new Dictionary<object, object?> { ["a"] = 1 }));
        var schema = SchemaBuilder.Struct().Field("name", Schema.StringSchema).Field("n", Schema.Int32Schema).Build();
        Assert.Equal("{\"name\":\"x\\\"y\",\"n\":3}", Values.ConvertToString(schema, new Struct(schema).Put("name", "x\"y").Put("n", 3)));
    }

    [Fact]
    public void ConvertToString_LogicalTypes()
    {
        Assert.Equal("2020-03-04", Values.ConvertToString(Date.Schema, new DateOnly(2020, 3, 4)));
        Assert.Equal("1970-01-02", Values.ConvertToString(Date.Schema, 1));
        Assert.Equal("01:02:03.004Z", Values.ConvertToString(Time.Schema, new TimeOnly(1, 2, 3, 4)));
        Assert.Equal("1970-01-01T00:00:01.500Z", Values.ConvertToString(Timestamp.Schema, 1500L));
        Assert.Equal("1.25", Values.ConvertToString(KafkaConnect.Connect.Data.Decimal.Schema(2), 1.25m));
    }

    [Fact]
    public void InferSchema_PrimitivesAndCollections()
    {
        Assert.Equal(Schema.StringSchema, Values.InferSchema("x"));
        Assert.Equal(Schema.Int64Schema, Values.InferSchema(1L));
        Assert.Equal(Schema.BytesSchema, Values.InferSchema(new byte[] { 1 }));
        Assert.Null(Values.InferSchema(null));
        Assert.Null(Values.InferSchema(new List<object?>()));
        Assert.Null(Values.InferSchema(new List<object?> { 1, "a" }));
        Assert.Equal(SchemaBuilder.Array(Schema.Int32Schema).Build(), Values.InferSchema(new List<object?> { 1, 2 }));
        Assert.Equal(SchemaBuilder.Array(Schema.OptionalInt32Schema).Build(), Values.InferSchema(new List<object?> { 1, null }));
        Assert.Equal(
            SchemaBuilder.Map(Schema.StringSchema, Schema.BooleanSchema).Build(),
            Values.InferSchema(new Dictionary<object, object?> { ["a"] = true }));
        var structSchema = SchemaBuilder.Struct().Field("a", Schema.Int32Schema).Build();
        Assert.Same(structSchema, Values.InferSchema(new Struct(structSchema)));
    }
}
