namespace KafkaConnect.Connect.Avro.Tests;

/// <summary>Avro schema (as a registry hands it out) → Connect schema, by Confluent's toConnectSchema rules.</summary>
public sealed class AvroToConnectSchemaTests
{
    private static readonly AvroData s_data = new(new AvroDataOptions());

    private static Schema Connect(string avroJson, int? version = null, AvroDataOptions? options = null) =>
        new AvroData(options ?? new AvroDataOptions()).ToConnectSchema(AvroSchemaParser.Parse(avroJson), version);

    [Fact]
    public void Seed_002s_record_reads_as_a_named_struct_with_the_registry_version()
    {
        var schema = Connect("""{"type":"record","name":"myrecord","fields":[{"name":"f1","type":"string"}]}""", version: 1);
        Assert.Equal(SchemaType.Struct, schema.Type);
        Assert.Equal("myrecord", schema.Name);
        Assert.Equal(1, schema.Version);
        Assert.Equal(Schema.StringSchema, schema.GetField("f1")!.Schema);
    }

    [Theory]
    [InlineData("\"int\"", SchemaType.Int32, null)]
    [InlineData("\"long\"", SchemaType.Int64, null)]
    [InlineData("\"float\"", SchemaType.Float32, null)]
    [InlineData("\"double\"", SchemaType.Float64, null)]
    [InlineData("\"boolean\"", SchemaType.Boolean, null)]
    [InlineData("\"string\"", SchemaType.String, null)]
    [InlineData("\"bytes\"", SchemaType.Bytes, null)]
    [InlineData("""{"type":"int","connect.type":"int8"}""", SchemaType.Int8, null)]
    [InlineData("""{"type":"int","connect.type":"int16"}""", SchemaType.Int16, null)]
    [InlineData("""{"type":"int","logicalType":"date"}""", SchemaType.Int32, Date.LogicalName)]
    [InlineData("""{"type":"int","logicalType":"time-millis"}""", SchemaType.Int32, Time.LogicalName)]
    [InlineData("""{"type":"long","logicalType":"timestamp-millis"}""", SchemaType.Int64, Timestamp.LogicalName)]
    [InlineData("""{"type":"bytes","logicalType":"decimal","precision":64,"scale":2}""", SchemaType.Bytes, ConnectDecimal.LogicalName)]
    [InlineData("""{"type":"int","logicalType":"unknown-type"}""", SchemaType.Int32, null)]
    public void Every_avro_type_has_its_connect_type(string avro, SchemaType type, string? name)
    {
        var schema = Connect(avro);
        Assert.Equal(type, schema.Type);
        Assert.Equal(name, schema.Name);
        Assert.False(schema.IsOptional);
    }

    [Fact]
    public void Decimals_keep_scale_and_a_precision_other_than_64()
    {
        var schema = Connect("""{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}""");
        Assert.Equal(2, ConnectDecimal.ScaleOf(schema));
        Assert.Equal("10", schema.Parameters["connect.decimal.precision"]);
        Assert.Equal(1, schema.Version);
        var fixedDecimal = Connect("""{"type":"fixed","name":"Money","size":8,"logicalType":"decimal","precision":18,"scale":4}""");
        Assert.Equal(ConnectDecimal.LogicalName, fixedDecimal.Name);
        Assert.Equal("8", fixedDecimal.Parameters["connect.fixed.size"]);
    }

    [Fact]
    public void Unions_with_null_are_optional_and_other_unions_are_union_structs()
    {
        var record = Connect("""
            {"type":"record","name":"U","fields":[
              {"name":"a","type":["null","string"],"default":null},
              {"name":"b","type":["long","null"]},
              {"name":"c","type":["int","string","null"]},
              {"name":"d","type":["double"]}]}
            """);
        Assert.Equal(Schema.OptionalStringSchema, record.GetField("a")!.Schema);
        Assert.Equal(Schema.OptionalInt64Schema, record.GetField("b")!.Schema);
        var c = record.GetField("c")!.Schema;
        Assert.Equal("io.confluent.connect.avro.Union", c.Name);
        Assert.True(c.IsOptional);
        Assert.Equal(["int", "string"], c.Fields.Select(f => f.Name));
        Assert.All(c.Fields, f => Assert.True(f.Schema.IsOptional));
        Assert.Equal(Schema.Float64Schema, record.GetField("d")!.Schema);
    }

    [Fact]
    public void Generalized_sum_types_name_unions_and_enums_format_neutrally()
    {
        var options = new AvroDataOptions { GeneralizedSumTypeSupport = true };
        var union = Connect("""["int","string"]""", options: options);
        Assert.Equal("connect_union_0", union.Name);
        Assert.Equal("connect_union_0", union.Parameters["org.apache.kafka.connect.data.Union"]);
        Assert.Equal(["connect_union_field_0", "connect_union_field_1"], union.Fields.Select(f => f.Name));
        var color = Connect("""{"type":"enum","name":"Color","symbols":["RED","GREEN"]}""", options: options);
        Assert.Equal("Color", color.Parameters["org.apache.kafka.connect.data.Enum"]);
        Assert.Equal("1", color.Parameters["org.apache.kafka.connect.data.Enum.GREEN"]);
    }

    [Fact]
    public void Enums_are_strings_with_their_symbols_as_parameters()
    {
        var schema = Connect("""{"type":"enum","name":"Color","namespace":"com.x","doc":"colours","symbols":["RED","GREEN"],"default":"RED"}""");
        Assert.Equal(SchemaType.String, schema.Type);
        Assert.Equal("com.x.Color", schema.Name);
        Assert.Equal("com.x.Color", schema.Parameters["io.confluent.connect.avro.Enum"]);
        Assert.Equal("GREEN", schema.Parameters["io.confluent.connect.avro.Enum.GREEN"]);
        Assert.Equal("colours", schema.Parameters["io.confluent.connect.avro.enum.doc.Color"]);
        Assert.Equal("RED", schema.Parameters["io.confluent.connect.avro.enum.default.Color"]);
    }

    [Fact]
    public void Maps_and_map_entry_arrays_are_connect_maps()
    {
        var stringKeyed = Connect("""{"type":"map","values":"int"}""");
        Assert.Equal(SchemaType.Map, stringKeyed.Type);
        Assert.Equal(Schema.StringSchema, stringKeyed.KeySchema);
        var entries = Connect("""{"type":"array","items":{"type":"record","name":"MapEntry","namespace":"io.confluent.connect.avro","fields":[{"name":"key","type":"int"},{"name":"value","type":"string"}]}}""");
        Assert.Equal(SchemaType.Map, entries.Type);
        Assert.Equal(Schema.Int32Schema, entries.KeySchema);
        Assert.Equal(Schema.StringSchema, entries.ValueSchema);
        var plainArray = Connect("""{"type":"array","items":{"type":"record","name":"Entry","fields":[{"name":"key","type":"int"},{"name":"value","type":"string"}]}}""");
        Assert.Equal(SchemaType.Array, plainArray.Type);
    }

    [Fact]
    public void Fixed_is_named_bytes_with_its_size()
    {
        var schema = Connect("""{"type":"fixed","name":"Hash","namespace":"h","size":16}""");
        Assert.Equal(SchemaType.Bytes, schema.Type);
        Assert.Equal("h.Hash", schema.Name);
        Assert.Equal("16", schema.Parameters["connect.fixed.size"]);
    }

    [Fact]
    public void Avro_field_defaults_become_connect_defaults_flagged_as_avro_ones()
    {
        var record = Connect("""
            {"type":"record","name":"R","fields":[
              {"name":"n","type":"int","default":7,"doc":"a number"},
              {"name":"l","type":"long","default":9007199254740993},
              {"name":"b","type":"bytes","default":"A\u00e9"},
              {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"},"default":1000},
              {"name":"inner","type":{"type":"record","name":"I","fields":[{"name":"x","type":"int"}]},"default":{"x":3}},
              {"name":"bad","type":"int","default":"oops"}]}
            """);
        var n = record.GetField("n")!.Schema;
        Assert.Equal(7, n.DefaultValue);
        Assert.Equal("true", n.Parameters["io.confluent.connect.avro.field.default"]);
        Assert.Equal("a number", record.Parameters["io.confluent.connect.avro.field.doc.n"]);
        Assert.Equal(9007199254740993L, record.GetField("l")!.Schema.DefaultValue);
        Assert.Equal(new byte[] { 0x41, 0xE9 }, (byte[])record.GetField("b")!.Schema.DefaultValue!);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1000), record.GetField("ts")!.Schema.DefaultValue);
        Assert.Equal(3, ((Struct)record.GetField("inner")!.Schema.DefaultValue!).Get("x"));
        Assert.Null(record.GetField("bad")!.Schema.DefaultValue);
    }

    [Fact]
    public void Connect_metadata_restores_name_version_doc_parameters_and_default()
    {
        var schema = Connect("""{"type":"string","connect.doc":"text","connect.version":4,"connect.name":"my.Text","connect.parameters":{"k":"v"},"connect.default":"dflt"}""", version: 9);
        Assert.Equal("text", schema.Doc);
        Assert.Equal(4, schema.Version); // the schema's own connect.version wins over the registry's
        Assert.Equal("my.Text", schema.Name);
        Assert.Equal("v", schema.Parameters["k"]);
        Assert.Equal("dflt", schema.DefaultValue);
        var withoutMeta = Connect("""{"type":"string","connect.doc":"text","connect.name":"my.Text"}""", options: new AvroDataOptions { ConnectMetaData = false });
        Assert.Null(withoutMeta.Doc);
        Assert.Equal("my.Text", withoutMeta.Name); // connect.name is read either way, as Confluent does
    }

    [Fact]
    public void Unsupported_shapes_are_data_errors()
    {
        Assert.Throws<DataException>(() => Connect("\"null\""));
        Assert.Throws<DataException>(() => Connect("""{"type":"record","name":"Node","fields":[{"name":"next","type":["null","Node"]}]}"""));
        Assert.Throws<DataException>(() => Connect("""{"type":"int","connect.type":"int128"}"""));
    }

    // Cases from Confluent's AvroDataTest (its inputs and expected outcomes).
    [Theory]
    [InlineData("int", 42)]
    [InlineData("long", 42L)]
    public void A_connect_default_on_the_type_is_the_fields_default(string type, object expected)
    {
        var record = Connect($$$"""{"type":"record","name":"SomeThing","namespace":"com.acme.property","fields":[{"name":"f","type":{"type":"{{{type}}}","connect.default":42,"connect.version":1}}]}""");
        Assert.Equal(expected, record.GetField("f")!.Schema.DefaultValue);
    }

    [Fact]
    public void An_invalid_float_default_is_ignored()
    {
        var record = Connect("""{"type":"record","name":"SomeThing","namespace":"com.acme.property","fields":[{"name":"f","type":"float","default":[1.23]}]}""");
        Assert.Null(record.GetField("f")!.Schema.DefaultValue);
    }

    [Theory]
    [InlineData("org.apache.kafka.connect.data.Timestamp", 1, true)]
    [InlineData("com.custom.Timestamp", 1, false)]
    [InlineData("org.apache.kafka.connect.data.Timestamp", 2, false)]
    public void A_logical_type_must_agree_with_its_connect_name_and_version(string name, int version, bool accepted)
    {
        var text = $$$"""{"type":"record","name":"Message","namespace":"org.cmatta.kafka.connect.irc","fields":[{"name":"createdat","type":{"type":"long","connect.doc":"When this message was received.","connect.version":{{{version}}},"connect.name":"{{{name}}}","logicalType":"timestamp-millis"}}]}""";
        if (accepted)
        {
            Assert.Equal("When this message was received.", Connect(text).GetField("createdat")!.Schema.Doc);
        }
        else
        {
            Assert.Throws<DataException>(() => Connect(text));
        }
    }

    public static TheoryData<string, Schema> RoundTrips => new()
    {
        { "int8", Schema.Int8Schema },
        { "optional int16", Schema.OptionalInt16Schema },
        { "decimal", ConnectDecimal.Schema(4) },
        { "optional date", Date.Builder().Optional().Build() },
        { "time", Time.Schema },
        { "timestamp", Timestamp.Schema },
        { "array", SchemaBuilder.Array(Schema.OptionalStringSchema).Build() },
        { "string map", SchemaBuilder.Map(Schema.StringSchema, Schema.Float64Schema).Build() },
        { "int map", SchemaBuilder.Map(Schema.Int32Schema, Schema.BooleanSchema).Optional().Build() },
        { "string with default", SchemaBuilder.String().DefaultValue("x").Doc("d").Build() },
        {
            "struct", SchemaBuilder.Struct().Name("com.example.Order").Version(2).Doc("an order")
                .Field("id", Schema.Int64Schema)
                .Field("amount", ConnectDecimal.Builder(2).Optional().Build())
                .Field("count", SchemaBuilder.Int32().DefaultValue(1).Build())
                .Field("tags", SchemaBuilder.Array(Schema.StringSchema).Build())
                .Field("inner", SchemaBuilder.Struct().Name("com.example.Inner").Field("x", Schema.Int16Schema).Optional().Build())
                .Build()
        },
    };

    [Theory]
    [MemberData(nameof(RoundTrips))]
    public void Connect_schemas_survive_the_trip_through_avro(string name, Schema schema)
    {
        Assert.False(string.IsNullOrEmpty(name));
        var avro = s_data.FromConnectSchema(schema);
        var text = AvroSchemaWriter.Write(avro);
        var back = s_data.ToConnectSchema(AvroSchemaParser.Parse(text));
        Assert.Equal(schema, back);
    }
}
