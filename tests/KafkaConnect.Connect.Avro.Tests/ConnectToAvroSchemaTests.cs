using System.Text.Json.Nodes;

namespace KafkaConnect.Connect.Avro.Tests;

/// <summary>
/// Connect schema → Avro schema text, compared with what Confluent's AvroData registers for the same schema (the rules
/// and property order of its fromConnectSchema, printed as Avro's Java Schema.toString() prints them).
/// </summary>
public sealed class ConnectToAvroSchemaTests
{
    private static readonly AvroData s_data = new(new AvroDataOptions());

    private static string Avro(Schema schema, AvroDataOptions? options = null) =>
        AvroSchemaWriter.Write(new AvroData(options ?? new AvroDataOptions()).FromConnectSchema(schema));

    public static TheoryData<string, Schema, string> Primitives => new()
    {
        { "int8", Schema.Int8Schema, """{"type":"int","connect.type":"int8"}""" },
        { "int16", Schema.Int16Schema, """{"type":"int","connect.type":"int16"}""" },
        { "int32", Schema.Int32Schema, "\"int\"" },
        { "int64", Schema.Int64Schema, "\"long\"" },
        { "float32", Schema.Float32Schema, "\"float\"" },
        { "float64", Schema.Float64Schema, "\"double\"" },
        { "boolean", Schema.BooleanSchema, "\"boolean\"" },
        { "string", Schema.StringSchema, "\"string\"" },
        { "bytes", Schema.BytesSchema, "\"bytes\"" },
        { "optional string", Schema.OptionalStringSchema, """["null","string"]""" },
        { "optional int8", Schema.OptionalInt8Schema, """["null",{"type":"int","connect.type":"int8"}]""" },
    };

    [Theory]
    [MemberData(nameof(Primitives))]
    public void Primitive_types_map_as_confluent_maps_them(string name, Schema schema, string expected)
    {
        Assert.False(string.IsNullOrEmpty(name));
        Assert.Equal(expected, Avro(schema));
    }

    [Fact]
    public void Logical_types_carry_avro_logical_types_and_connect_metadata()
    {
        Assert.Equal(
            """{"type":"bytes","scale":2,"precision":64,"connect.version":1,"connect.parameters":{"scale":"2"},"connect.name":"org.apache.kafka.connect.data.Decimal","logicalType":"decimal"}""",
            Avro(ConnectDecimal.Schema(2)));
        Assert.Equal(
            """{"type":"int","connect.version":1,"connect.name":"org.apache.kafka.connect.data.Date","logicalType":"date"}""",
            Avro(Date.Schema));
        Assert.Equal(
            """{"type":"int","connect.version":1,"connect.name":"org.apache.kafka.connect.data.Time","logicalType":"time-millis"}""",
            Avro(Time.Schema));
        Assert.Equal(
            """{"type":"long","connect.version":1,"connect.name":"org.apache.kafka.connect.data.Timestamp","logicalType":"timestamp-millis"}""",
            Avro(Timestamp.Schema));
    }

    [Fact]
    public void Decimal_precision_comes_from_the_connect_parameter_and_invalid_scales_fall_back_to_the_legacy_property()
    {
        var withPrecision = ConnectDecimal.Builder(2).Parameter("connect.decimal.precision", "10").Build();
        var json = JsonNode.Parse(Avro(withPrecision))!.AsObject();
        Assert.Equal(10, json["precision"]!.GetValue<int>());
        Assert.Equal(2, json["scale"]!.GetValue<int>());
        Assert.Equal("decimal", json["logicalType"]!.GetValue<string>());

        // Scale above precision is not a valid Avro decimal: Confluent keeps only the logicalType property.
        var invalid = ConnectDecimal.Builder(5).Parameter("connect.decimal.precision", "3").Build();
        var legacy = JsonNode.Parse(Avro(invalid))!.AsObject();
        Assert.Equal("decimal", legacy["logicalType"]!.GetValue<string>());
        Assert.Equal(3, legacy["precision"]!.GetValue<int>());
        Assert.Equal(5, legacy["scale"]!.GetValue<int>());
    }

    [Fact]
    public void Without_connect_meta_data_only_avro_attributes_remain()
    {
        var options = new AvroDataOptions { ConnectMetaData = false };
        Assert.Equal("""{"type":"bytes","scale":2,"precision":64,"logicalType":"decimal"}""", Avro(ConnectDecimal.Schema(2), options));
        Assert.Equal("\"int\"", Avro(Schema.Int8Schema, options));
        var named = SchemaBuilder.Struct().Name("com.example.Order").Version(3).Doc("an order").Field("id", Schema.Int32Schema).Build();
        Assert.Equal("""{"type":"record","name":"Order","namespace":"com.example","fields":[{"name":"id","type":"int"}]}""", Avro(named, options));
    }

    [Fact]
    public void Arrays_and_string_keyed_maps_are_avro_arrays_and_maps()
    {
        Assert.Equal("""{"type":"array","items":"int"}""", Avro(SchemaBuilder.Array(Schema.Int32Schema).Build()));
        Assert.Equal("""{"type":"map","values":["null","long"]}""", Avro(SchemaBuilder.Map(Schema.StringSchema, Schema.OptionalInt64Schema).Build()));
    }

    [Fact]
    public void Maps_with_other_keys_are_arrays_of_map_entry_records()
    {
        Assert.Equal(
            """{"type":"array","items":{"type":"record","name":"MapEntry","namespace":"io.confluent.connect.avro","fields":[{"name":"key","type":"int"},{"name":"value","type":"string"}]}}""",
            Avro(SchemaBuilder.Map(Schema.Int32Schema, Schema.StringSchema).Build()));
        // An optional string key is not an Avro map key either, unless allow.optional.map.keys.
        var optionalKey = SchemaBuilder.Map(Schema.OptionalStringSchema, Schema.Int32Schema).Build();
        Assert.StartsWith("""{"type":"array","items":{"type":"record","name":"MapEntry""", Avro(optionalKey));
        Assert.Equal("""{"type":"map","values":"int"}""", Avro(optionalKey, new AvroDataOptions { AllowOptionalMapKeys = true }));
    }

    [Fact]
    public void Unnamed_structs_are_connect_default_records_numbered_in_order()
    {
        var inner = SchemaBuilder.Struct().Field("x", Schema.Int32Schema).Build();
        var other = SchemaBuilder.Struct().Field("y", Schema.StringSchema).Build();
        var outer = SchemaBuilder.Struct()
            .Field("a", Schema.Int32Schema)
            .Field("b", Schema.OptionalStringSchema)
            .Field("inner", inner)
            .Field("other", other)
            .Build();
        Assert.Equal(
            """{"type":"record","name":"ConnectDefault","namespace":"io.confluent.connect.avro","fields":[{"name":"a","type":"int"},{"name":"b","type":["null","string"],"default":null},{"name":"inner","type":{"type":"record","name":"ConnectDefault2","fields":[{"name":"x","type":"int"}]}},{"name":"other","type":{"type":"record","name":"ConnectDefault3","fields":[{"name":"y","type":"string"}]}}]}""",
            Avro(outer));
    }

    [Fact]
    public void Named_structs_keep_name_version_and_doc_and_a_reused_type_is_written_once()
    {
        var inner = SchemaBuilder.Struct().Name("com.example.Line").Field("sku", Schema.StringSchema).Build();
        var schema = SchemaBuilder.Struct().Name("com.example.Order").Version(2).Doc("an order")
            .Field("first", inner)
            .Field("second", inner)
            .Field("maybe", SchemaBuilder.Struct().Name("com.example.Line").Field("sku", Schema.StringSchema).Optional().Build())
            .Build();
        Assert.Equal(
            """{"type":"record","name":"Order","namespace":"com.example","fields":[{"name":"first","type":{"type":"record","name":"Line","fields":[{"name":"sku","type":"string"}],"connect.name":"com.example.Line"}},{"name":"second","type":"Line"},{"name":"maybe","type":["null","Line"],"default":null}],"connect.doc":"an order","connect.version":2,"connect.name":"com.example.Order"}""",
            Avro(schema));
    }

    [Fact]
    public void Defaults_become_field_defaults_and_connect_default_properties()
    {
        var schema = SchemaBuilder.Struct().Name("d.D")
            .Field("n", SchemaBuilder.Int32().DefaultValue(5).Build())
            .Field("s", SchemaBuilder.String().Optional().DefaultValue("x").Build())
            .Field("f", SchemaBuilder.Float32().DefaultValue(1.5f).Build())
            .Field("b", SchemaBuilder.Bytes().DefaultValue(new byte[] { 0x41, 0xE9 }).Build())
            .Build();
        Assert.Equal(
            """{"type":"record","name":"D","namespace":"d","fields":[{"name":"n","type":{"type":"int","connect.default":5},"default":5},{"name":"s","type":[{"type":"string","connect.default":"x"},"null"],"default":"x"},{"name":"f","type":{"type":"float","connect.default":1.5},"default":1.5},{"name":"b","type":{"type":"bytes","connect.default":"Aé"},"default":"Aé"}],"connect.name":"d.D"}""",
            Avro(schema));
    }

    [Fact]
    public void Parameters_and_docs_are_connect_properties()
    {
        var schema = SchemaBuilder.String().Doc("text").Parameter("k", "v").Build();
        Assert.Equal("""{"type":"string","connect.doc":"text","connect.parameters":{"k":"v"}}""", Avro(schema));
    }

    [Fact]
    public void Enhanced_support_turns_enum_parameters_back_into_an_avro_enum()
    {
        var color = SchemaBuilder.String().Name("com.x.Color")
            .Parameter("io.confluent.connect.avro.Enum", "com.x.Color")
            .Parameter("io.confluent.connect.avro.Enum.RED", "RED")
            .Build();
        var avro = new AvroData(new AvroDataOptions { EnhancedSchemaSupport = true }).FromConnectSchema(color);
        Assert.Equal(AvroType.Enum, avro.Type);
        Assert.Equal("com.x.Color", avro.FullName);
        Assert.Equal(["RED"], avro.Symbols);
        // Without enhanced support it stays a string (with its parameters).
        Assert.Equal(AvroType.String, s_data.FromConnectSchema(color).Type);
    }

    [Fact]
    public void Connect_unions_become_avro_unions()
    {
        var union = SchemaBuilder.Struct().Name("io.confluent.connect.avro.Union")
            .Field("int", Schema.OptionalInt32Schema)
            .Field("string", Schema.OptionalStringSchema)
            .Build();
        Assert.Equal("""["int","string"]""", Avro(union));
        var optional = SchemaBuilder.Struct().Name("io.confluent.connect.avro.Union")
            .Field("int", Schema.OptionalInt32Schema)
            .Field("string", Schema.OptionalStringSchema)
            .Optional()
            .Build();
        Assert.Equal("""["null","int","string"]""", Avro(optional));
    }

    [Fact]
    public void Invalid_names_fail_unless_scrubbed()
    {
        var schema = SchemaBuilder.Struct().Name("my-ns.1st record").Field("a-b", Schema.Int32Schema).Build();
        Assert.Throws<DataException>(() => s_data.FromConnectSchema(schema));
        Assert.Equal(
            """{"type":"record","name":"x1st_record","namespace":"my_ns","fields":[{"name":"a_b","type":"int"}],"connect.name":"my-ns.1st record"}""",
            Avro(schema, new AvroDataOptions { ScrubInvalidNames = true }));
        Assert.Equal("valid_Name1", AvroData.DoScrubName("valid_Name1"));
        Assert.Equal("x2x", AvroData.DoScrubName("2x"));
        Assert.Equal("a_b", AvroData.DoScrubName("a b"));
        Assert.Equal("_C3_A9t_C3_A9", AvroData.DoScrubName("été"));
    }

    [Fact]
    public void Written_schemas_parse_back_to_the_same_text()
    {
        var schema = SchemaBuilder.Struct().Name("com.example.All")
            .Field("i8", Schema.Int8Schema)
            .Field("dec", ConnectDecimal.Builder(3).Optional().Build())
            .Field("map", SchemaBuilder.Map(Schema.Int64Schema, Schema.OptionalStringSchema).Build())
            .Field("list", SchemaBuilder.Array(Timestamp.Schema).Optional().Build())
            .Build();
        var text = Avro(schema);
        Assert.Equal(text, AvroSchemaWriter.Write(AvroSchemaParser.Parse(text)));
    }
}

public sealed class EnumOrderTests
{
    [Theory]
    [InlineData(5)]
    [InlineData(60)]
    public void Enhanced_enums_keep_their_symbol_order_through_connect(int count)
    {
        var data = new AvroData(new AvroDataOptions { EnhancedSchemaSupport = true });
        string[] symbols = [.. Enumerable.Range(0, count).Select(i => "S" + ((i * 37) % 61).ToString(System.Globalization.CultureInfo.InvariantCulture))];
        var list = string.Join(",", symbols.Select(s => $"\"{s}\""));
        var text = """{"type":"record","name":"R","fields":[{"name":"e","type":{"type":"enum","name":"E","symbols":[""" + list + "]}}]}";
        var connect = data.ToConnectSchema(AvroSchemaParser.Parse(text));
        var back = data.FromConnectSchema(connect);
        Assert.Equal(symbols, back.GetField("e")!.Schema.Symbols);
    }
}
