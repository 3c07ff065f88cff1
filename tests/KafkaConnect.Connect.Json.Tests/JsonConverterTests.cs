using System.Text;
using System.Text.Json.Nodes;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using ConnectDecimal = KafkaConnect.Connect.Data.Decimal;

namespace KafkaConnect.Connect.Json.Tests;

public sealed class JsonConverterTests
{
    private static JsonConverter Create(bool schemas = true, string decimalFormat = "BASE64", bool replaceNull = true)
    {
        var converter = new JsonConverter();
        converter.Configure(new Dictionary<string, string>
        {
            ["schemas.enable"] = schemas ? "true" : "false",
            ["decimal.format"] = decimalFormat,
            ["replace.null.with.default"] = replaceNull ? "true" : "false",
        }, isKey: false);
        return converter;
    }

    private static string Write(JsonConverter c, Schema? schema, object? value) =>
        Encoding.UTF8.GetString(c.FromConnectData("t", null, schema, value)!);

    private static SchemaAndValue Read(JsonConverter c, string json) => c.ToConnectData("t", null, Encoding.UTF8.GetBytes(json));

    public static TheoryData<Schema, object, string> Primitives => new()
    {
        { Schema.StringSchema, "aaa", """{"schema":{"type":"string","optional":false},"payload":"aaa"}""" },
        { Schema.BooleanSchema, true, """{"schema":{"type":"boolean","optional":false},"payload":true}""" },
        { Schema.Int8Schema, (sbyte)12, """{"schema":{"type":"int8","optional":false},"payload":12}""" },
        { Schema.Int16Schema, (short)-12, """{"schema":{"type":"int16","optional":false},"payload":-12}""" },
        { Schema.Int32Schema, 12, """{"schema":{"type":"int32","optional":false},"payload":12}""" },
        { Schema.Int64Schema, 4398046511104L, """{"schema":{"type":"int64","optional":false},"payload":4398046511104}""" },
        { Schema.Float32Schema, 12.2f, """{"schema":{"type":"float","optional":false},"payload":12.2}""" },
        { Schema.Float64Schema, 12.2, """{"schema":{"type":"double","optional":false},"payload":12.2}""" },
        { Schema.Float64Schema, 1.0, """{"schema":{"type":"double","optional":false},"payload":1.0}""" },
        { Schema.Float64Schema, 1e20, """{"schema":{"type":"double","optional":false},"payload":1.0E20}""" },
        { Schema.Float64Schema, 1e7, """{"schema":{"type":"double","optional":false},"payload":1.0E7}""" },
        { Schema.Float64Schema, 1234567.5, """{"schema":{"type":"double","optional":false},"payload":1234567.5}""" },
        { Schema.Float64Schema, 0.001, """{"schema":{"type":"double","optional":false},"payload":0.001}""" },
        { Schema.Float64Schema, 1.5e-4, """{"schema":{"type":"double","optional":false},"payload":1.5E-4}""" },
        { Schema.Float64Schema, -0.0, """{"schema":{"type":"double","optional":false},"payload":-0.0}""" },
        { Schema.Float32Schema, 3.4028235e38f, """{"schema":{"type":"float","optional":false},"payload":3.4028235E38}""" },
        { Schema.BytesSchema, "test-string"u8.ToArray(), """{"schema":{"type":"bytes","optional":false},"payload":"dGVzdC1zdHJpbmc="}""" },
        { Schema.OptionalStringSchema, "é\"\n\u0001😀", "{\"schema\":{\"type\":\"string\",\"optional\":true},\"payload\":\"é\\\"\\n\\u0001😀\"}" },
    };

    [Theory]
    [MemberData(nameof(Primitives))]
    public void Primitive_golden_and_round_trip(Schema schema, object value, string expected)
    {
        var c = Create();
        Assert.Equal(expected, Write(c, schema, value));
        var back = Read(c, expected);
        Assert.Equal(schema, back.Schema);
        Assert.Equal(new SchemaAndValue(schema, value), back);
    }

    [Fact]
    public void Logical_types_golden()
    {
        var c = Create();
        Assert.Equal(
            """{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":"MDk="}""",
            Write(c, ConnectDecimal.Schema(2), 123.45m));
        Assert.Equal(
            """{"schema":{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Date","version":1},"payload":10000}""",
            Write(c, Date.Schema, new DateOnly(1997, 5, 19)));
        Assert.Equal(
            """{"schema":{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Time","version":1},"payload":14400000}""",
            Write(c, Time.Schema, new TimeOnly(4, 0)));
        Assert.Equal(
            """{"schema":{"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.Timestamp","version":1},"payload":4000000000}""",
            Write(c, Timestamp.Schema, DateTimeOffset.FromUnixTimeMilliseconds(4_000_000_000)));

        Assert.Equal(123.45m, Read(c, """{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":"MDk="}""").Value);
        Assert.Equal(new DateOnly(1997, 5, 19), Read(c, """{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Date"},"payload":10000}""").Value);
        Assert.Equal(new TimeOnly(4, 0), Read(c, """{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Time"},"payload":14400000}""").Value);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(4_000_000_000), Read(c, """{"schema":{"type":"int64","name":"org.apache.kafka.connect.data.Timestamp"},"payload":4000000000}""").Value);
    }

    [Fact]
    public void Decimal_numeric_format()
    {
        var c = Create(decimalFormat: "numeric");
        var schema = ConnectDecimal.Schema(2);
        var json = Write(c, schema, 123.45m);
        Assert.Equal("""{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":123.45}""", json);
        Assert.Equal(123.45m, Read(c, json).Value);
        Assert.EndsWith("\"payload\":-0.50}", Write(c, schema, -0.50m), StringComparison.Ordinal);
        Assert.EndsWith("\"payload\":1E-7}", Write(c, ConnectDecimal.Schema(7), 0.0000001m), StringComparison.Ordinal);
        Assert.EndsWith("\"payload\":0.000001}", Write(c, ConnectDecimal.Schema(6), 0.000001m), StringComparison.Ordinal);
        // Base64 payloads are still accepted when reading numeric-configured converters.
        Assert.Equal(123.45m, Read(c, """{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}},"payload":"MDk="}""").Value);
    }

    [Fact]
    public void Struct_golden_with_apache_key_order()
    {
        var schema = SchemaBuilder.Struct().Name("x")
            .Field("id", Schema.Int32Schema)
            .Field("name", SchemaBuilder.String().Optional().DefaultValue("n/a").Doc("the name"))
            .Build();
        var c = Create();
        var json = Write(c, schema, new Struct(schema).Put("id", 1));
        Assert.Equal(
            """{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},{"type":"string","optional":true,"doc":"the name","default":"n/a","field":"name"}],"optional":false,"name":"x"},"payload":{"id":1,"name":"n/a"}}""",
            json);
        var back = Read(c, json);
        Assert.Equal(schema, back.Schema);
        Assert.Equal("n/a", ((Struct)back.Value!).Get("name"));
    }

    [Fact]
    public void Replace_null_with_default_off_writes_null()
    {
        var schema = SchemaBuilder.Struct().Field("name", SchemaBuilder.String().Optional().DefaultValue("n/a")).Build();
        var c = Create(replaceNull: false);
        Assert.Equal("""{"name":null}""", Write(Create(schemas: false, replaceNull: false), schema, new Struct(schema)));
        var back = (Struct)Read(c, Write(c, schema, new Struct(schema))).Value!;
        Assert.Null(back.GetWithoutDefault("name"));
    }

    [Fact]
    public void Arrays_maps_nested_round_trip()
    {
        var inner = SchemaBuilder.Struct().Name("inner").Field("f", Schema.OptionalFloat64Schema).Build();
        var schema = SchemaBuilder.Struct().Name("outer")
            .Field("list", SchemaBuilder.Array(Schema.Int32Schema).Build())
            .Field("smap", SchemaBuilder.Map(Schema.StringSchema, Schema.Int64Schema).Build())
            .Field("imap", SchemaBuilder.Map(Schema.Int32Schema, Schema.OptionalStringSchema).Build())
            .Field("inner", inner)
            .Field("opt", SchemaBuilder.Struct().Field("x", Schema.Int8Schema).Optional().Build())
            .Build();
        var value = new Struct(schema)
            .Put("list", new List<object?> { 1, 2, 3 })
            .Put("smap", new Dictionary<object, object?> { ["a"] = 1L, ["b"] = 2L })
            .Put("imap", new Dictionary<object, object?> { [1] = "one", [2] = null })
            .Put("inner", new Struct(inner).Put("f", 2.5));
        var c = Create();
        var json = Write(c, schema, value);
        Assert.Contains("\"payload\":{\"list\":[1,2,3],\"smap\":{\"a\":1,\"b\":2},\"imap\":[[1,\"one\"],[2,null]],\"inner\":{\"f\":2.5},\"opt\":null}", json, StringComparison.Ordinal);
        Assert.Contains("{\"type\":\"map\",\"keys\":{\"type\":\"int32\",\"optional\":false},\"values\":{\"type\":\"string\",\"optional\":true},\"optional\":false,\"field\":\"imap\"}", json, StringComparison.Ordinal);
        Assert.Contains("{\"type\":\"array\",\"items\":{\"type\":\"int32\",\"optional\":false},\"optional\":false,\"field\":\"list\"}", json, StringComparison.Ordinal);
        var back = Read(c, json);
        Assert.Equal(schema, back.Schema);
        Assert.Equal(value, back.Value);
        Assert.Equal(json, Write(c, back.Schema, back.Value));
    }

    [Fact]
    public void Schemaless_write_and_read()
    {
        var c = Create(schemas: false);
        var map = new Dictionary<object, object?> { ["a"] = 1L, ["b"] = new List<object?> { true, "x", 1.5, null } };
        Assert.Equal("""{"a":1,"b":[true,"x",1.5,null]}""", Write(c, null, map));
        var back = Read(c, """{"a":1,"b":[true,"x",1.5,null],"c":{"d":-2}}""");
        Assert.Null(back.Schema);
        var m = Assert.IsType<Dictionary<object, object?>>(back.Value);
        Assert.Equal(1L, m["a"]);
        Assert.Equal(new List<object?> { true, "x", 1.5, null }, (List<object?>)m["b"]!);
        Assert.Equal(-2L, ((Dictionary<object, object?>)m["c"]!)["d"]);
        Assert.Equal("[[1,2]]", Write(c, null, new Dictionary<object, object?> { [1] = 2 }));
        Assert.Equal("\"aaa\"", Write(c, Schema.StringSchema, "aaa"));
        Assert.Equal("null", Write(c, Schema.OptionalStringSchema, null));
        Assert.Equal("""{"schema":null,"payload":12}""", Write(Create(), null, 12L));
        Assert.Equal(12L, Read(Create(), """{"schema":null,"payload":12}""").Value);
    }

    [Fact]
    public void Nulls_and_tombstones()
    {
        var c = Create();
        Assert.Null(c.FromConnectData("t", null, null, null));
        Assert.Equal(SchemaAndValue.Null, c.ToConnectData("t", null, null));
        Assert.Equal("""{"schema":{"type":"string","optional":true},"payload":null}""", Write(c, Schema.OptionalStringSchema, null));
        Assert.Equal(new SchemaAndValue(Schema.OptionalStringSchema, null), Read(c, """{"schema":{"type":"string","optional":true},"payload":null}"""));
        Assert.Equal(SchemaAndValue.Null, Read(c, """{"schema":null,"payload":null}"""));
        Assert.Throws<DataException>(() => Write(c, Schema.StringSchema, null));
    }

    [Theory]
    [InlineData("{not json", "serialization error")]
    [InlineData("""{"payload":1}""", "requires \"schema\" and \"payload\"")]
    [InlineData("""{"schema":null,"payload":1,"extra":2}""", "requires \"schema\" and \"payload\"")]
    [InlineData("[1,2]", "schemas.enable=false")]
    [InlineData("""{"schema":{"type":"int32"},"payload":"abc"}""", "INT32")]
    [InlineData("""{"schema":{"type":"int8"},"payload":300}""", "out of range")]
    [InlineData("""{"schema":{"type":"string"},"payload":null}""", "Invalid null value for required STRING field")]
    [InlineData("""{"schema":{"type":"nope"},"payload":1}""", "Unknown schema type: nope")]
    [InlineData("""{"schema":{"optional":true},"payload":1}""", "'type'")]
    [InlineData("""{"schema":{"type":"struct","fields":[{"type":"int32","field":"a"}]},"payload":{"b":1}}""", "Field 'a'")]
    [InlineData("""{"schema":{"type":"bytes"},"payload":"***"}""", "base64")]
    public void Bad_input_is_a_data_exception(string json, string messagePart)
    {
        var e = Assert.ThrowsAny<DataException>(() => Read(Create(), json));
        Assert.Contains(messagePart, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenMLDB_tutorial_message()
    {
        const string message = """{"schema":{"type":"struct","fields":[{"type":"int16","optional":true,"field":"c1_int16"},{"type":"int32","optional":true,"field":"c2_int32"},{"type":"int64","optional":true,"field":"c3_int64"},{"type":"float","optional":true,"field":"c4_float"},{"type":"double","optional":true,"field":"c5_double"},{"type":"boolean","optional":true,"field":"c6_boolean"},{"type":"string","optional":true,"field":"c7_string"},{"type":"int64","name":"org.apache.kafka.connect.data.Date","optional":true,"field":"c8_date"},{"type":"int64","name":"org.apache.kafka.connect.data.Timestamp","optional":true,"field":"c9_timestamp"}],"optional":false,"name":"foobar"},"payload":{"c1_int16":1,"c2_int32":2,"c3_int64":3,"c4_float":4.4,"c5_double":5.555,"c6_boolean":true,"c7_string":"c77777","c8_date":19109,"c9_timestamp":1651051906000}}""";
        var c = Create();
        var result = c.ToConnectData("t", null, Encoding.UTF8.GetBytes(message));
        var s = Assert.IsType<Struct>(result.Value);
        Assert.Equal("foobar", result.Schema!.Name);
        Assert.Equal((short)1, s.Get("c1_int16"));
        Assert.Equal(2, s.Get("c2_int32"));
        Assert.Equal(3L, s.Get("c3_int64"));
        Assert.Equal(4.4f, s.Get("c4_float"));
        Assert.Equal(5.555, s.Get("c5_double"));
        Assert.Equal(true, s.Get("c6_boolean"));
        Assert.Equal("c77777", s.Get("c7_string"));
        Assert.Equal(new DateOnly(2022, 4, 27), s.Get("c8_date"));
        Assert.Equal(Date.LogicalName, result.Schema.GetField("c8_date")!.Schema.Name);
        Assert.Equal(SchemaType.Int64, result.Schema.GetField("c8_date")!.Schema.Type);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1651051906000), s.Get("c9_timestamp"));
        Assert.Equal(Timestamp.LogicalName, result.Schema.GetField("c9_timestamp")!.Schema.Name);

        var back = Encoding.UTF8.GetString(c.FromConnectData("t", null, result.Schema, s)!);
        // The tutorial writes "name" before "optional"; Apache (and we) write optional first, so compare semantically.
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(message), JsonNode.Parse(back)), back);
        Assert.Contains("""{"type":"int64","optional":true,"name":"org.apache.kafka.connect.data.Date","field":"c8_date"}""", back, StringComparison.Ordinal);
        Assert.Equal(back, Encoding.UTF8.GetString(c.FromConnectData("t", null, result.Schema, c.ToConnectData("t", null, Encoding.UTF8.GetBytes(back)).Value)!));
    }

    [Fact]
    public void Schema_caches_are_bounded_by_config()
    {
        var c = new JsonConverter();
        c.Configure(new Dictionary<string, string> { ["schemas.cache.size"] = "2" }, isKey: true);
        for (var i = 0; i < 5; i++)
        {
            var schema = SchemaBuilder.Int32().Name("s" + i).Build();
            var bytes = c.FromConnectData("t", null, schema, i)!;
            c.ToConnectData("t", null, bytes);
        }
        Assert.Equal(2, c.FromConnectSchemaCacheSize);
        Assert.Equal(2, c.ToConnectSchemaCacheSize);
    }

    [Fact]
    public void Config_uses_apache_keys()
    {
        var names = new JsonConverter().Config().ConfigKeys.Keys.ToHashSet();
        Assert.Superset(new HashSet<string> { "converter.type", "schemas.enable", "schemas.cache.size", "decimal.format", "replace.null.with.default" }, names);
        Assert.Throws<ConfigException>(() => new JsonConverter().Configure(new Dictionary<string, string>()));
    }

    [Fact]
    public void Header_round_trip()
    {
        var c = new JsonConverter();
        c.Configure(new Dictionary<string, string> { ["converter.type"] = "header", ["schemas.enable"] = "false" });
        var bytes = c.FromConnectHeader("t", "h", Schema.Int32Schema, 5);
        Assert.Equal("5", Encoding.UTF8.GetString(bytes!));
        Assert.Equal(5L, c.ToConnectHeader("t", "h", bytes).Value);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Borrowed_input_reads_like_an_array_and_keeps_no_reference_to_the_buffer(bool schemas)
    {
        var converter = Create(schemas);
        var schema = SchemaBuilder.Struct().Field("s", Schema.StringSchema).Field("b", Schema.BytesSchema).Field("n", Schema.Int64Schema).Build();
        var value = new Struct(schema).Put("s", "hé").Put("b", new byte[] { 1, 2, 3 }).Put("n", 42L);
        var bytes = converter.FromConnectData("t", null, schema, value)!;
        // The bytes sit in the middle of a larger buffer, as they do in a fetched record batch.
        var buffer = new byte[bytes.Length + 20];
        bytes.CopyTo(buffer, 10);

        var expected = converter.ToConnectData("t", null, bytes);
        var borrowed = converter.ToConnectDataBorrowed("t", null, buffer.AsMemory(10, bytes.Length));
        Array.Fill(buffer, (byte)'x'); // the consumer reuses its buffer once the call returns

        Assert.Equal(Write(converter, expected.Schema, expected.Value), Write(converter, borrowed.Schema, borrowed.Value));
        Assert.Equal(SchemaAndValue.Null, converter.ToConnectDataBorrowed("t", null, null));
        Assert.Throws<DataException>(() => converter.ToConnectDataBorrowed("t", null, "{\"schema\":"u8.ToArray()));
    }

    [Fact]
    public void Repeated_envelopes_read_like_the_first_and_still_reject_what_the_first_would()
    {
        var converter = Create();
        const string schema = """{"type":"struct","fields":[{"type":"int32","optional":false,"field":"a"},{"type":"string","optional":true,"field":"b"}],"optional":false}""";
        var first = Read(converter, $$$"""{"schema":{{{schema}}},"payload":{"a":1,"b":"x"}}""");
        // Same schema bytes: only the payload is read, with the schema of the first message.
        var second = Read(converter, $$$"""{"schema":{{{schema}}},"payload":{"a":2,"b":null}}""");
        Assert.Same(first.Schema, second.Schema);
        Assert.Equal(2, ((Struct)second.Value!).Get("a"));
        Assert.Null(((Struct)second.Value!).Get("b"));
        Assert.Equal(3, ((Struct)Read(converter, $$$"""{"schema":{{{schema}}},"payload":{"a":3}  }""").Value!).Get("a"));
        Assert.Equal(2, converter.PrefixReads);

        // Same prefix, but something the envelope does not allow, or a payload that does not fit: the same errors as a
        // first message would get.
        Assert.Throws<DataException>(() => Read(converter, $$$"""{"schema":{{{schema}}},"payload":{"a":1},"extra":1}"""));
        Assert.Throws<DataException>(() => Read(converter, $$$"""{"schema":{{{schema}}},"payload":{"a":"not a number"}}"""));
        Assert.Throws<DataException>(() => Read(converter, $$$"""{"schema":{{{schema}}},"payload":{"a":1"""));

        Assert.Equal(2, converter.PrefixReads);

        // A different schema is parsed again.
        var other = Read(converter, """{"schema":{"type":"string","optional":false},"payload":"s"}""");
        Assert.Equal(Schema.StringSchema.Type, other.Schema!.Type);
        Assert.Equal("s", other.Value);
    }
}
