namespace KafkaConnect.Connect.Avro.Tests;

/// <summary>Converters configured against a <see cref="TestRegistry"/>, and the test data most tests share.</summary>
internal static class ConverterFixture
{
    public static AvroConverter Converter(string url, bool isKey = false, params (string Key, string Value)[] extra)
    {
        var configs = new Dictionary<string, string>
        {
            ["schema.registry.url"] = url,
            ["max.retries"] = "1",
            ["retries.wait.ms"] = "10",
            ["retries.max.wait.ms"] = "20",
            ["http.connect.timeout.ms"] = "2000",
            ["http.read.timeout.ms"] = "10000", // generous: many test classes start brokers at once on two cores
        };
        foreach (var (key, value) in extra)
        {
            configs[key] = value;
        }
        var converter = new AvroConverter();
        converter.Configure(configs, isKey);
        return converter;
    }

    /// <summary>A struct with every Connect type and logical type, optional and nested members.</summary>
    public static Schema EverythingSchema { get; } = SchemaBuilder.Struct().Name("com.example.Everything")
        .Field("i8", Schema.Int8Schema)
        .Field("i16", Schema.Int16Schema)
        .Field("i32", Schema.Int32Schema)
        .Field("i64", Schema.Int64Schema)
        .Field("f32", Schema.Float32Schema)
        .Field("f64", Schema.Float64Schema)
        .Field("flag", Schema.BooleanSchema)
        .Field("text", Schema.StringSchema)
        .Field("raw", Schema.BytesSchema)
        .Field("amount", ConnectDecimal.Schema(2))
        .Field("big", ConnectDecimal.Builder(0).Optional().Build())
        .Field("day", Date.Schema)
        .Field("at", Time.Schema)
        .Field("created", Timestamp.Schema)
        .Field("note", Schema.OptionalStringSchema)
        .Field("missing", Schema.OptionalInt64Schema)
        .Field("withDefault", SchemaBuilder.Int32().DefaultValue(42).Build())
        .Field("tags", SchemaBuilder.Array(Schema.StringSchema).Build())
        .Field("scores", SchemaBuilder.Map(Schema.StringSchema, Schema.OptionalFloat64Schema).Build())
        .Field("byId", SchemaBuilder.Map(Schema.Int32Schema, Schema.StringSchema).Build())
        .Field("inner", SchemaBuilder.Struct().Name("com.example.Inner").Field("x", Schema.Int32Schema).Field("y", Schema.OptionalStringSchema).Build())
        .Field("maybeInner", SchemaBuilder.Struct().Name("com.example.Other").Field("z", Schema.BooleanSchema).Optional().Build())
        .Build();

    public static Struct Everything()
    {
        var schema = EverythingSchema;
        return new Struct(schema)
            .Put("i8", (sbyte)-8)
            .Put("i16", (short)1600)
            .Put("i32", -320000)
            .Put("i64", long.MaxValue)
            .Put("f32", 1.25f)
            .Put("f64", -2.5e300)
            .Put("flag", true)
            .Put("text", "héllo, wörld — ✓")
            .Put("raw", new byte[] { 0, 1, 2, 255 })
            .Put("amount", -12345.67m)
            .Put("big", 79228162514264337593543950335m)
            .Put("day", new DateOnly(1969, 7, 20))
            .Put("at", new TimeOnly(23, 59, 59, 999))
            .Put("created", DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123))
            .Put("note", "a note")
            .Put("tags", new List<object?> { "a", "b", "" })
            .Put("scores", new Dictionary<object, object?> { ["x"] = 1.5, ["y"] = null })
            .Put("byId", new Dictionary<object, object?> { [1] = "one", [-2] = "minus two" })
            .Put("inner", new Struct(schema.GetField("inner")!.Schema).Put("x", 7))
            .Put("maybeInner", null);
    }

    /// <summary>Field-by-field equality where schemas may differ only in the registry version the reader adds.</summary>
    public static void AssertSameValues(object? expected, object? actual, string path = "value")
    {
        switch (expected)
        {
            case Struct e:
                var a = Assert.IsType<Struct>(actual);
                Assert.Equal(e.Schema.Fields.Select(f => f.Name), a.Schema.Fields.Select(f => f.Name));
                foreach (var field in e.Schema.Fields)
                {
                    AssertSameValues(e.Get(field), a.Get(field.Name), path + "." + field.Name);
                }
                break;
            case System.Collections.IDictionary e:
                var ad = Assert.IsAssignableFrom<System.Collections.IDictionary>(actual);
                Assert.Equal(e.Count, ad.Count);
                foreach (System.Collections.DictionaryEntry entry in e)
                {
                    Assert.True(ad.Contains(entry.Key), $"{path} lacks key {entry.Key}");
                    AssertSameValues(entry.Value, ad[entry.Key], $"{path}[{entry.Key}]");
                }
                break;
            case System.Collections.IList e when expected is not byte[]:
                var al = Assert.IsAssignableFrom<System.Collections.IList>(actual);
                Assert.Equal(e.Count, al.Count);
                for (var i = 0; i < e.Count; i++)
                {
                    AssertSameValues(e[i], al[i], $"{path}[{i}]");
                }
                break;
            default:
                Assert.True(Equals(expected, actual) || (expected is byte[] eb && actual is byte[] ab && eb.SequenceEqual(ab)),
                    $"{path}: expected {expected} ({expected?.GetType().Name}), got {actual} ({actual?.GetType().Name})");
                break;
        }
    }
}
