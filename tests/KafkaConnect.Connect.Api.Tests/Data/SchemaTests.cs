using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Tests.Data;

public sealed class SchemaTests
{
    [Fact]
    public void Builder_CreatesNestedStructWithFieldsInOrder()
    {
        var address = SchemaBuilder.Struct().Name("Address").Field("city", Schema.StringSchema).Optional().Build();
        var person = SchemaBuilder.Struct().Name("com.example.Person").Version(2).Doc("a person")
            .Field("name", Schema.StringSchema)
            .Field("age", SchemaBuilder.Int32().Optional())
            .Field("address", address)
            .Field("tags", SchemaBuilder.Array(Schema.StringSchema))
            .Field("scores", SchemaBuilder.Map(Schema.StringSchema, Schema.Float64Schema))
            .Build();

        Assert.Equal(SchemaType.Struct, person.Type);
        Assert.Equal("com.example.Person", person.Name);
        Assert.Equal(2, person.Version);
        Assert.Equal("a person", person.Doc);
        Assert.False(person.IsOptional);
        Assert.Equal(["name", "age", "address", "tags", "scores"], person.Fields.Select(f => f.Name));
        Assert.Equal(2, person.GetField("address")!.Index);
        Assert.True(person.GetField("age")!.Schema.IsOptional);
        Assert.Equal(SchemaType.String, person.GetField("tags")!.Schema.ValueSchema!.Type);
        Assert.Equal(SchemaType.Float64, person.GetField("scores")!.Schema.ValueSchema!.Type);
        Assert.Null(person.GetField("missing"));
    }

    [Fact]
    public void Schemas_CompareByValue()
    {
        Schema a = SchemaBuilder.Struct().Name("x").Field("a", Schema.Int32Schema).Build();
        Schema b = SchemaBuilder.Struct().Name("x").Field("a", SchemaBuilder.Int32()).Build();
        Schema c = SchemaBuilder.Struct().Name("x").Field("a", Schema.Int64Schema).Build();
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, c);
        Assert.NotEqual(Schema.StringSchema, Schema.OptionalStringSchema);
    }

    [Fact]
    public void Builder_RejectsDuplicateSettingsAndFields()
    {
        Assert.Throws<SchemaBuilderException>(() => SchemaBuilder.String().Name("a").Name("b"));
        Assert.Throws<SchemaBuilderException>(() => SchemaBuilder.String().Optional().Required());
        Assert.Throws<SchemaBuilderException>(() => SchemaBuilder.Struct().Field("a", Schema.Int8Schema).Field("a", Schema.Int8Schema));
        Assert.Throws<SchemaBuilderException>(() => SchemaBuilder.Int32().Field("a", Schema.Int8Schema));
    }

    [Fact]
    public void Builder_ValidatesDefaultValue()
    {
        var schema = SchemaBuilder.Int32().DefaultValue(5).Build();
        Assert.Equal(5, schema.DefaultValue);
        var ex = Assert.Throws<SchemaBuilderException>(() => SchemaBuilder.Int32().DefaultValue("five"));
        Assert.Contains("int", ex.Message, StringComparison.Ordinal);
        Assert.Throws<SchemaBuilderException>(() => SchemaBuilder.Int32().DefaultValue(5L));
        Assert.Throws<SchemaBuilderException>(() => SchemaBuilder.String().DefaultValue(null));
        Assert.Null(SchemaBuilder.String().Optional().DefaultValue(null).Build().DefaultValue);
    }

    [Fact]
    public void GetField_OnNonStruct_Throws()
    {
        Assert.Throws<DataException>(() => Schema.Int32Schema.GetField("a"));
        Assert.Empty(Schema.Int32Schema.Fields);
        Assert.Null(Schema.Int32Schema.KeySchema);
    }

    [Theory]
    [InlineData(SchemaType.Int8, (sbyte)1)]
    [InlineData(SchemaType.Int16, (short)1)]
    [InlineData(SchemaType.Int32, 1)]
    [InlineData(SchemaType.Int64, 1L)]
    [InlineData(SchemaType.Float32, 1f)]
    [InlineData(SchemaType.Float64, 1d)]
    [InlineData(SchemaType.Boolean, true)]
    [InlineData(SchemaType.String, "x")]
    public void ValidateValue_AcceptsExactClrTypes(SchemaType type, object value)
    {
        ConnectSchema.ValidateValue(SchemaBuilder.OfType(type).Build(), value);
    }

    [Fact]
    public void ValidateValue_RejectsWrongTypesWithClearMessage()
    {
        var ex = Assert.Throws<DataException>(() => ConnectSchema.ValidateValue("count", Schema.Int64Schema, 1));
        Assert.Contains("count", ex.Message, StringComparison.Ordinal);
        Assert.Contains("long", ex.Message, StringComparison.Ordinal);
        Assert.Contains("System.Int32", ex.Message, StringComparison.Ordinal);
        Assert.Throws<DataException>(() => ConnectSchema.ValidateValue(Schema.StringSchema, null));
        ConnectSchema.ValidateValue(Schema.OptionalStringSchema, null);
        ConnectSchema.ValidateValue(Schema.BytesSchema, new byte[] { 1 });
    }

    [Fact]
    public void ValidateValue_ChecksArrayElementsAndMapEntries()
    {
        var array = SchemaBuilder.Array(Schema.Int32Schema).Build();
        ConnectSchema.ValidateValue(array, new List<object?> { 1, 2 });
        ConnectSchema.ValidateValue(array, new List<int> { 1, 2 });
        Assert.Throws<DataException>(() => ConnectSchema.ValidateValue(array, new List<object?> { 1, "2" }));
        Assert.Throws<DataException>(() => ConnectSchema.ValidateValue(array, new List<object?> { 1, null }));
        ConnectSchema.ValidateValue(SchemaBuilder.Array(Schema.OptionalInt32Schema).Build(), new List<object?> { 1, null });

        var map = SchemaBuilder.Map(Schema.StringSchema, Schema.Int32Schema).Build();
        ConnectSchema.ValidateValue(map, new Dictionary<object, object?> { ["a"] = 1 });
        Assert.Throws<DataException>(() => ConnectSchema.ValidateValue(map, new Dictionary<object, object?> { [1] = 1 }));
        Assert.Throws<DataException>(() => ConnectSchema.ValidateValue(map, new Dictionary<object, object?> { ["a"] = 1L }));
    }

    [Fact]
    public void ValidateValue_NamesWhereInNestedCollectionsTheBadValueIs()
    {
        var nested = SchemaBuilder.Array(SchemaBuilder.Map(Schema.StringSchema, Schema.Int32Schema).Build()).Build();
        var good = new Dictionary<object, object?> { ["a"] = 1 };
        var ex = Assert.Throws<DataException>(() => ConnectSchema.ValidateValue(
            "counts", nested, new List<object?> { good, new Dictionary<object, object?> { ["b"] = "two" } }));
        Assert.StartsWith("Invalid value for value of map element of array field: \"counts\": expected int", ex.Message, StringComparison.Ordinal);

        ex = Assert.Throws<DataException>(() => ConnectSchema.ValidateValue(
            nested, new List<object?> { new Dictionary<object, object?> { [3] = 1 } }));
        Assert.StartsWith("Invalid value for key of map element of array value: expected string", ex.Message, StringComparison.Ordinal);

        ex = Assert.Throws<DataException>(() => ConnectSchema.ValidateValue("n", Schema.Int32Schema, null));
        Assert.Equal("Invalid value: null used for required field: \"n\", schema type: Int32", ex.Message);
    }

    [Fact]
    public void ValidateValue_StructMustHaveMatchingSchema()
    {
        var s1 = SchemaBuilder.Struct().Field("a", Schema.Int32Schema).Build();
        var s2 = SchemaBuilder.Struct().Field("b", Schema.Int32Schema).Build();
        Assert.Throws<DataException>(() => ConnectSchema.ValidateValue(s1, new Struct(s2).Put("b", 1)));
        ConnectSchema.ValidateValue(s1, new Struct(s1).Put("a", 1));
    }

    [Fact]
    public void Parameters_KeepTheirInsertionOrder_AndCompareRegardlessOfIt()
    {
        // 200 names in a scrambled order: a hashed or frozen copy would enumerate them differently.
        string[] names = [.. Enumerable.Range(0, 200).Select(i => "p" + ((i * 37) % 211))];
        var builder = SchemaBuilder.String();
        foreach (var name in names)
        {
            builder.Parameter(name, name);
        }
        builder.Parameter(names[0], "replaced");
        var schema = builder.Build();
        Assert.Equal(names, schema.Parameters.Keys);
        Assert.Equal("replaced", schema.Parameters[names[0]]);

        var copied = new ConnectSchema(SchemaType.String, false, null, null, null, null, schema.Parameters);
        Assert.Equal(names, copied.Parameters.Keys);

        var reversed = SchemaBuilder.String();
        foreach (var name in names.Reverse())
        {
            reversed.Parameter(name, name == names[0] ? "replaced" : name);
        }
        Assert.Equal(schema, reversed.Build());
    }
}
