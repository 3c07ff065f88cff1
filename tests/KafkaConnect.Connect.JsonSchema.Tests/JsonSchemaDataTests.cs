using System.Text;
using System.Text.Json;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Tests.Shared;
using KafkaConnect.Connect.Json;
using ConnectDecimal = KafkaConnect.Connect.Data.Decimal;

namespace KafkaConnect.Connect.JsonSchema.Tests;

public sealed class JsonSchemaDataTests
{
    internal static readonly Schema OrderSchema = TestRecords.OrderSchema;

    internal static Struct Order() => TestRecords.Order();

    private static readonly JsonSchemaData Data = new(new JsonSchemaDataConfig());

    // The member order is everit's printer over Confluent's HashMaps; the Decimal member is the text of Confluent's
    // SchemaDiffTest.testConnectTypeAsBytes plus the connect.index a struct field gets.
    [Fact]
    public void Struct_schema_is_written_as_Confluent_registers_it()
    {
        const string expected =
            "{\"type\":\"object\",\"title\":\"com.example.Order\",\"connect.version\":1,\"properties\":{"
            + "\"amount\":{\"type\":\"string\",\"title\":\"org.apache.kafka.connect.data.Decimal\",\"connect.index\":2,\"connect.version\":1,\"connect.type\":\"bytes\",\"connect.parameters\":{\"scale\":\"2\"}},"
            + "\"created\":{\"type\":\"integer\",\"title\":\"org.apache.kafka.connect.data.Timestamp\",\"connect.index\":3,\"connect.version\":1,\"connect.type\":\"int64\"},"
            + "\"name\":{\"connect.index\":1,\"oneOf\":[{\"type\":\"null\"},{\"type\":\"string\"}]},"
            + "\"id\":{\"type\":\"integer\",\"connect.index\":0,\"connect.type\":\"int32\"},"
            + "\"ok\":{\"connect.index\":5,\"type\":\"boolean\"},"
            + "\"tags\":{\"type\":\"array\",\"connect.index\":4,\"items\":{\"type\":\"string\"}}}}";
        Assert.Equal(expected, Data.FromConnectSchema(OrderSchema).ToString());
    }

    [Fact]
    public void Schema_text_reads_back_to_the_same_Connect_schema()
    {
        var text = Data.FromConnectSchema(OrderSchema).ToString();
        Assert.Equal(OrderSchema, Data.ToConnectSchema(text));
    }

    [Fact]
    public void Maps_optional_structs_unions_enums_and_defaults_round_trip()
    {
        var inner = SchemaBuilder.Struct().Name("Inner").Field("x", Schema.Int16Schema).Optional().Build();
        var schema = SchemaBuilder.Struct().Name("Outer")
            .Field("labels", SchemaBuilder.Map(Schema.StringSchema, Schema.Int64Schema).Build())
            .Field("byId", SchemaBuilder.Map(Schema.Int32Schema, Schema.OptionalStringSchema).Build())
            .Field("inner", inner)
            .Field("small", SchemaBuilder.Int8().DefaultValue((sbyte)7).Build())
            .Field("ratio", SchemaBuilder.Float32().Doc("a ratio").Optional().Build())
            .Field("raw", Schema.OptionalBytesSchema)
            .Field("day", Date.Schema)
            .Field("at", Time.Schema)
            .Build();
        var text = Data.FromConnectSchema(schema).ToString();
        Assert.Contains("\"labels\":{\"type\":\"object\",\"connect.index\":0,\"connect.type\":\"map\",\"additionalProperties\":{\"type\":\"integer\",\"connect.type\":\"int64\"}}", text, StringComparison.Ordinal);
        Assert.Contains("\"items\":{\"type\":\"object\",\"properties\":{\"value\":", text, StringComparison.Ordinal);
        Assert.Contains("\"small\":{\"type\":\"integer\",\"default\":7,", text, StringComparison.Ordinal);
        Assert.Equal(schema, Data.ToConnectSchema(text));
    }

    [Fact]
    public void Payload_is_Jacksons_compact_JSON_and_reads_back_field_for_field()
    {
        var json = Data.WriteValue(OrderSchema, Order())!;
        Assert.Equal("{\"id\":42,\"name\":null,\"amount\":\"BNI=\",\"created\":1704164645678,\"tags\":[\"a\",\"b\"],\"ok\":true}", Encoding.UTF8.GetString(json));
        using var document = JsonDocument.Parse(json);
        Assert.Equal(Order(), Data.ToConnectData(OrderSchema, document.RootElement));
    }

    [Fact]
    public void Numeric_decimal_format_writes_a_number_schema_and_value()
    {
        var data = new JsonSchemaData(new JsonSchemaDataConfig { DecimalFormat = DecimalFormat.Numeric });
        var schema = ConnectDecimal.Schema(2);
        Assert.Equal(
            "{\"type\":\"number\",\"title\":\"org.apache.kafka.connect.data.Decimal\",\"connect.version\":1,\"connect.type\":\"bytes\",\"connect.parameters\":{\"scale\":\"2\"}}",
            data.FromConnectSchema(schema).ToString());
        Assert.Equal("12.30", Encoding.UTF8.GetString(data.WriteValue(schema, 12.30m)!));
        using var document = JsonDocument.Parse("12.30");
        Assert.Equal(12.30m, data.ToConnectData(data.ToConnectSchema(data.FromConnectSchema(schema).ToString()), document.RootElement));
    }

    // A schema written by hand (or by a non-Connect producer): no connect.* keywords.
    [Fact]
    public void Plain_json_schema_maps_as_Confluent_reads_it()
    {
        const string text = """
            {"type":"object","title":"Plain","properties":{
              "b":{"type":"integer"},"a":{"type":["string","null"]},"zeta":{"type":"number"},
              "alpha":{"enum":["X","Y"]},"count":{"oneOf":[{"type":"string"},{"type":"integer"}]}},
             "required":["b"]}
            """;
        var schema = Data.ToConnectSchema(text, version: 3);
        Assert.Equal("Plain", schema.Name);
        Assert.Equal(3, schema.Version);
        // No connect.index: fields come in the iteration order of everit's HashMap of properties.
        Assert.Equal(["zeta", "a", "b", "alpha", "count"], schema.Fields.Select(f => f.Name));
        Assert.Equal(SchemaType.Int64, schema.GetField("b")!.Schema.Type);
        Assert.Equal(SchemaType.Float64, schema.GetField("zeta")!.Schema.Type);
        Assert.True(schema.GetField("a")!.Schema.IsOptional);
        Assert.Equal("Y", schema.GetField("alpha")!.Schema.Parameters["io.confluent.connect.json.Enum.Y"]);
        var union = schema.GetField("count")!.Schema;
        Assert.Equal("io.confluent.connect.json.OneOf", union.Name);

        using var document = JsonDocument.Parse("""{"b":1,"a":"s","zeta":1.5,"alpha":"X","count":7}""");
        var value = (Struct)Data.ToConnectData(schema, document.RootElement)!;
        Assert.Equal(1L, value.Get("b"));
        Assert.Equal(7L, ((Struct)value.Get("count")!).Get("io.confluent.connect.json.OneOf.field.1"));
        Assert.Equal("{\"zeta\":1.5,\"a\":\"s\",\"b\":1,\"alpha\":\"X\",\"count\":7}", Encoding.UTF8.GetString(Data.WriteValue(schema, value)!));
    }

    [Fact]
    public void Use_optional_for_nonrequired_makes_fields_outside_required_optional()
    {
        var data = new JsonSchemaData(new JsonSchemaDataConfig { UseOptionalForNonRequired = true });
        var schema = data.ToConnectSchema("""{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"required":["a"]}""");
        Assert.False(schema.GetField("a")!.Schema.IsOptional);
        Assert.True(schema.GetField("b")!.Schema.IsOptional);
    }

    [Fact]
    public void Local_refs_resolve_and_unresolvable_ones_are_named()
    {
        var schema = Data.ToConnectSchema("""{"type":"object","properties":{"p":{"$ref":"#/definitions/P"}},"definitions":{"P":{"type":"boolean"}}}""");
        Assert.Equal(SchemaType.Boolean, schema.GetField("p")!.Schema.Type);
        var e = Assert.Throws<DataException>(() => Data.ToConnectSchema("""{"type":"object","properties":{"p":{"$ref":"other.json"}}}"""));
        Assert.Contains("other.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_for_a_required_field_without_default_is_left_out_and_a_wrong_kind_is_a_DataException()
    {
        var schema = SchemaBuilder.Struct().Field("a", Schema.Int32Schema).Field("b", Schema.OptionalInt32Schema).Build();
        Assert.Equal("{\"b\":null}", Encoding.UTF8.GetString(Data.WriteValue(schema, new Struct(schema))!));
        using var document = JsonDocument.Parse("""{"a":"x"}""");
        var e = Assert.Throws<DataException>(() => Data.ToConnectData(schema, document.RootElement));
        Assert.Contains("Field a", e.Message, StringComparison.Ordinal);
    }
}
