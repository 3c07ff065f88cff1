using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Tests.Data;

public sealed class StructTests
{
    private static readonly Schema s_inner = SchemaBuilder.Struct().Name("inner").Field("x", Schema.Int32Schema).Build();

    private static readonly Schema s_schema = SchemaBuilder.Struct().Name("outer")
        .Field("i8", Schema.Int8Schema)
        .Field("i16", Schema.Int16Schema)
        .Field("i32", Schema.Int32Schema)
        .Field("i64", Schema.Int64Schema)
        .Field("f32", Schema.Float32Schema)
        .Field("f64", Schema.Float64Schema)
        .Field("b", Schema.BooleanSchema)
        .Field("s", Schema.StringSchema)
        .Field("bytes", Schema.BytesSchema)
        .Field("arr", SchemaBuilder.Array(Schema.StringSchema))
        .Field("map", SchemaBuilder.Map(Schema.StringSchema, Schema.Int32Schema))
        .Field("inner", s_inner)
        .Field("opt", Schema.OptionalStringSchema)
        .Field("withDefault", SchemaBuilder.Int32().DefaultValue(42))
        .Build();

    private static Struct Full() => new Struct(s_schema)
        .Put("i8", (sbyte)1).Put("i16", (short)2).Put("i32", 3).Put("i64", 4L)
        .Put("f32", 5.5f).Put("f64", 6.5).Put("b", true).Put("s", "str")
        .Put("bytes", new byte[] { 1, 2 })
        .Put("arr", new List<object?> { "a", "b" })
        .Put("map", new Dictionary<object, object?> { ["k"] = 1 })
        .Put("inner", new Struct(s_inner).Put("x", 7));

    [Fact]
    public void TypedGetters_ReturnPutValues()
    {
        var s = Full();
        s.Validate();
        Assert.Equal((sbyte)1, s.GetInt8("i8"));
        Assert.Equal((short)2, s.GetInt16("i16"));
        Assert.Equal(3, s.GetInt32("i32"));
        Assert.Equal(4L, s.GetInt64("i64"));
        Assert.Equal(5.5f, s.GetFloat32("f32"));
        Assert.Equal(6.5, s.GetFloat64("f64"));
        Assert.True(s.GetBoolean("b"));
        Assert.Equal("str", s.GetString("s"));
        Assert.Equal(new byte[] { 1, 2 }, s.GetBytes("bytes"));
        Assert.Equal(2, s.GetArray("arr")!.Count);
        Assert.Equal(1, s.GetMap("map")!["k"]);
        Assert.Equal(7, s.GetStruct("inner")!.GetInt32("x"));
        Assert.Null(s.GetString("opt"));
    }

    [Fact]
    public void Get_FallsBackToDefault()
    {
        var s = Full();
        Assert.Equal(42, s.GetInt32("withDefault"));
        Assert.Null(s.GetWithoutDefault("withDefault"));
        s.Put("withDefault", 1);
        Assert.Equal(1, s.Get("withDefault"));
    }

    [Fact]
    public void Put_WrongType_ThrowsDataExceptionNamingTheField()
    {
        var s = new Struct(s_schema);
        var ex = Assert.Throws<DataException>(() => s.Put("i32", "three"));
        Assert.Contains("\"i32\"", ex.Message, StringComparison.Ordinal);
        Assert.Throws<DataException>(() => s.Put("i64", 4));
        Assert.Throws<DataException>(() => s.Put("s", null));
        Assert.Throws<DataException>(() => s.Put("nope", 1));
        Assert.Throws<DataException>(() => s.Put("inner", new Struct(SchemaBuilder.Struct().Field("y", Schema.Int32Schema).Build())));
    }

    [Fact]
    public void TypedGetter_OnWrongSchemaType_Throws()
    {
        var ex = Assert.Throws<DataException>(() => Full().GetString("i32"));
        Assert.Contains("i32", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ReportsMissingRequiredField()
    {
        var s = new Struct(s_schema).Put("i8", (sbyte)1);
        var ex = Assert.Throws<DataException>(s.Validate);
        Assert.Contains("i16", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Put_IncompleteNestedStruct_Throws()
    {
        var ex = Assert.Throws<DataException>(() => Full().Put("inner", new Struct(s_inner)));
        Assert.Contains("\"x\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Equality_IsByValueIncludingBytesAndCollections()
    {
        Assert.Equal(Full(), Full());
        Assert.Equal(Full().GetHashCode(), Full().GetHashCode());
        Assert.NotEqual(Full(), Full().Put("bytes", new byte[] { 9 }));
        Assert.NotEqual(Full(), Full().Put("arr", new List<object?> { "a" }));
    }

    [Fact]
    public void Put_FieldFromOtherSchema_Throws()
    {
        var other = SchemaBuilder.Struct().Field("i8", Schema.Int32Schema).Build();
        Assert.Throws<DataException>(() => new Struct(s_schema).Put(other.GetField("i8")!, 1));
    }

    [Fact]
    public void Constructor_RejectsNonStructSchema()
    {
        Assert.Throws<DataException>(() => new Struct(Schema.Int32Schema));
    }
}
