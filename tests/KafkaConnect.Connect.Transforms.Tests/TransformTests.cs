using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Sinks;
using KafkaConnect.Connect.Sources;
using KafkaConnect.Connect.Transforms.Predicates;
using static KafkaConnect.Connect.Transforms.Tests.TestRecords;

namespace KafkaConnect.Connect.Transforms.Tests;

public sealed class TransformTests
{
    private static readonly Schema s_person = SchemaBuilder.Struct().Name("person")
        .Field("id", Schema.Int64Schema)
        .Field("name", Schema.StringSchema)
        .Field("age", SchemaBuilder.Int32().Optional().DefaultValue(18).Build())
        .Build();

    private static Struct Person() => new Struct(s_person).Put("id", 7L).Put("name", "ann");

    [Fact]
    public void InsertField_WithSchema_AddsMetadataFields()
    {
        var t = Configured<InsertField.Value>(("topic.field", "topic!"), ("partition.field", "part"), ("offset.field", "off"),
            ("timestamp.field", "ts"), ("static.field", "instance_id"), ("static.value", "my-instance-id"));
        var result = t.Apply(Sink("test", s_person, Person()))!;
        var value = (Struct)result.Value!;
        Assert.Equal("test", value.Get("topic"));
        Assert.Equal(3, value.Get("part"));
        Assert.Equal(42L, value.Get("off"));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000), value.Get("ts"));
        Assert.Equal("my-instance-id", value.Get("instance_id"));
        Assert.Equal("person", result.ValueSchema!.Name);
        Assert.False(result.ValueSchema.GetField("topic")!.Schema.IsOptional);
        Assert.True(result.ValueSchema.GetField("part")!.Schema.IsOptional);
        Assert.Equal(Timestamp.LogicalName, result.ValueSchema.GetField("ts")!.Schema.Name);
        // Cached per input schema.
        Assert.Same(result.ValueSchema, t.Apply(Sink("test", s_person, Person()))!.ValueSchema);
    }

    [Fact]
    public void InsertField_Schemaless_AndErrors()
    {
        var t = Configured<InsertField.Value>(("topic.field", "topic"), ("timestamp.field", "ts"));
        var result = t.Apply(Source("orders", null, null, null, new Dictionary<object, object?> { ["a"] = 1 }))!;
        var map = Assert.IsType<Dictionary<string, object?>>(result.Value);
        Assert.Equal("orders", map["topic"]);
        Assert.Equal(1_700_000_000_000L, map["ts"]);
        Assert.Equal(1, map["a"]);
        // Tombstones pass through untouched.
        var tombstone = Source("orders", null, null, null, null);
        Assert.Same(tombstone, t.Apply(tombstone));

        var e = Assert.Throws<DataException>(() => t.Apply(Source("orders", null, null, null, "text")));
        Assert.Equal("Only Map objects supported in absence of schema for [field insertion], found: System.String", e.Message);
        var offset = Configured<InsertField.Value>(("offset.field", "off"));
        Assert.StartsWith("Only SinkRecord supported for [field insertion]",
            Assert.Throws<DataException>(() => offset.Apply(Source("t", null, null, null, new Dictionary<string, object?>()))).Message);
        Assert.Equal("No field insertion configured", Assert.Throws<ConfigException>(() => Configured<InsertField.Value>()).Message);
        var ce = Assert.Throws<ConfigException>(() => Configured<InsertField.Value>(("static.field", "x")));
        Assert.Equal("static.value", ce.ConfigName);
    }

    [Fact]
    public void InsertField_Key_ReplaceNullWithDefault()
    {
        var withDefault = Configured<InsertField.Key>(("topic.field", "t"));
        var without = Configured<InsertField.Key>(("topic.field", "t"), ("replace.null.with.default", "false"));
        var record = Source("x", s_person, Person(), null, null);
        Assert.Equal(18, ((Struct)withDefault.Apply(record)!.Key!).GetWithoutDefault("age"));
        Assert.Null(((Struct)without.Apply(record)!.Key!).GetWithoutDefault("age"));
    }

    [Fact]
    public void ReplaceField_ExcludeIncludeRename()
    {
        var t = Configured<ReplaceField.Value>(("exclude", "age"), ("renames", "id:person_id,name:full_name"));
        var result = t.Apply(Source("x", null, null, s_person, Person()))!;
        Assert.Equal(["person_id", "full_name"], result.ValueSchema!.Fields.Select(f => f.Name));
        Assert.Equal(7L, ((Struct)result.Value!).Get("person_id"));

        var include = Configured<ReplaceField.Value>(("include", "name"));
        var map = (Dictionary<string, object?>)include.Apply(Source("x", null, null, null, new Dictionary<string, object?> { ["name"] = "a", ["b"] = 2 }))!.Value!;
        Assert.Equal(["name"], map.Keys);

        var legacy = Configured<ReplaceField.Value>(("blacklist", "name"));
        Assert.Equal(["id", "age"], legacy.Apply(Source("x", null, null, s_person, Person()))!.ValueSchema!.Fields.Select(f => f.Name));

        var e = Assert.Throws<ConfigException>(() => Configured<ReplaceField.Value>(("renames", "a:b:c")));
        Assert.Equal("renames", e.ConfigName);
        Assert.Contains("Invalid rename mapping: a:b:c", e.Message);
    }

    [Fact]
    public void ExtractField_TopLevelAndNestedV2()
    {
        var t = Configured<ExtractField.Key>(("field", "id"));
        var result = t.Apply(Source("x", s_person, Person(), null, null))!;
        Assert.Equal(Schema.Int64Schema, result.KeySchema);
        Assert.Equal(7L, result.Key);

        var inner = SchemaBuilder.Struct().Field("baz", Schema.StringSchema).Build();
        var outer = SchemaBuilder.Struct().Field("foo.bar", inner).Build();
        var value = new Struct(outer).Put("foo.bar", new Struct(inner).Put("baz", "deep"));
        var nested = Configured<ExtractField.Value>(("field", "`foo.bar`.baz"), ("field.syntax.version", "v2"));
        Assert.Equal("deep", nested.Apply(Source("x", null, null, outer, value))!.Value);

        var schemaless = Configured<ExtractField.Value>(("field", "a.b"), ("field.syntax.version", "V2"));
        var map = new Dictionary<object, object?> { ["a"] = new Dictionary<object, object?> { ["b"] = 5 } };
        Assert.Equal(5, schemaless.Apply(Source("x", null, null, null, map))!.Value);

        Assert.Equal("Unknown field: nope", Assert.Throws<ArgumentException>(() =>
            Configured<ExtractField.Value>(("field", "nope")).Apply(Source("x", null, null, s_person, Person()))).Message);
        Assert.Contains("field.syntax.version", Assert.Throws<ConfigException>(() =>
            Configured<ExtractField.Value>(("field", "a"), ("field.syntax.version", "V3"))).Message);
        Assert.Contains("Missing required configuration \"field\"", Assert.Throws<ConfigException>(() => Configured<ExtractField.Value>()).Message);
    }

    [Theory]
    [InlineData("a.b", new[] { "a", "b" })]
    [InlineData("`a.b`.c", new[] { "a.b", "c" })]
    [InlineData("a.", new[] { "a", "" })]
    [InlineData("`a\\`.b`.c", new[] { "a`.b", "c" })]
    [InlineData("`a`b`", new[] { "a`b" })]
    public void SingleFieldPath_V2Parsing(string path, string[] expected) =>
        Assert.Equal(expected, new Field.SingleFieldPath(path, Field.FieldSyntaxVersion.V2).Steps);

    [Fact]
    public void SingleFieldPath_IncompleteBacktick() =>
        Assert.StartsWith("Incomplete backtick pair in path: [`a.b]",
            Assert.Throws<ConfigException>(() => new Field.SingleFieldPath("`a.b", Field.FieldSyntaxVersion.V2)).Message);

    [Fact]
    public void HoistField_WrapsValue()
    {
        var t = Configured<HoistField.Value>(("field", "line"));
        var result = t.Apply(Source("x", null, null, Schema.StringSchema, "hello"))!;
        Assert.Equal("hello", ((Struct)result.Value!).Get("line"));
        var schemaless = t.Apply(Source("x", null, null, null, 42))!;
        Assert.Equal(42, ((Dictionary<string, object?>)schemaless.Value!)["line"]);
    }

    [Fact]
    public void Flatten_NestedStructsAndMaps()
    {
        var address = SchemaBuilder.Struct().Field("city", Schema.StringSchema).Field("zip", Schema.OptionalStringSchema).Build();
        var schema = SchemaBuilder.Struct().Field("id", Schema.Int32Schema).Field("address", address).Build();
        var value = new Struct(schema).Put("id", 1).Put("address", new Struct(address).Put("city", "Oslo"));
        var t = Configured<Flatten.Value>(("delimiter", "_"));
        var result = t.Apply(Source("x", null, null, schema, value))!;
        Assert.Equal(["id", "address_city", "address_zip"], result.ValueSchema!.Fields.Select(f => f.Name));
        Assert.Equal("Oslo", ((Struct)result.Value!).Get("address_city"));

        var map = new Dictionary<object, object?> { ["a"] = new Dictionary<object, object?> { ["b"] = 1, ["c"] = new List<object?> { 1 } } };
        var flat = (Dictionary<string, object?>)Configured<Flatten.Value>().Apply(Source("x", null, null, null, map))!.Value!;
        Assert.Equal(1, flat["a.b"]);
        Assert.IsType<List<object?>>(flat["a.c"]);

        var withMap = SchemaBuilder.Struct().Field("m", SchemaBuilder.Map(Schema.StringSchema, Schema.StringSchema)).Build();
        Assert.Equal("Flatten transformation does not support MAP for record with schemas (for field m).",
            Assert.Throws<DataException>(() => Configured<Flatten.Value>().Apply(Source("x", null, null, withMap,
                new Struct(withMap).Put("m", new Dictionary<object, object?>())))).Message);
    }

    [Fact]
    public void Cast_FieldsAndWholeValue()
    {
        var schema = SchemaBuilder.Struct().Field("a", Schema.Int64Schema).Field("b", Schema.StringSchema).Field("c", Schema.Float64Schema).Build();
        var value = new Struct(schema).Put("a", 300L).Put("b", "12").Put("c", 2.0);
        var t = Configured<Cast.Value>(("spec", "a:int8,b:int32,c:string"));
        var result = (Struct)t.Apply(Source("x", null, null, schema, value))!.Value!;
        Assert.Equal((sbyte)44, result.Get("a")); // narrowing wraps like Java's byteValue()
        Assert.Equal(12, result.Get("b"));
        Assert.Equal("2.0", result.Get("c"));

        var whole = Configured<Cast.Key>(("spec", "int32"));
        var r = whole.Apply(Source("x", Schema.Int64Schema, 5L, null, null))!;
        Assert.Equal(Schema.Int32Schema, r.KeySchema);
        Assert.Equal(5, r.Key);
        Assert.Equal("AQI=", Configured<Cast.Value>(("spec", "string")).Apply(Source("x", null, null, Schema.BytesSchema, new byte[] { 1, 2 }))!.Value);

        var schemaless = (Dictionary<string, object?>)Configured<Cast.Value>(("spec", "n:boolean")).Apply(
            Source("x", null, null, null, new Dictionary<string, object?> { ["n"] = 2 }))!.Value!;
        Assert.Equal(true, schemaless["n"]);

        Assert.Equal("Cast transformation does not support casting to BYTES; supported types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]",
            Assert.Throws<ConfigException>(() => Configured<Cast.Value>(("spec", "a:bytes"))).Message);
        Assert.Equal("Invalid type found in casting spec: foo", Assert.Throws<ConfigException>(() => Configured<Cast.Value>(("spec", "a:foo"))).Message);
        Assert.Contains("may only specify a single cast", Assert.Throws<ConfigException>(() => Configured<Cast.Value>(("spec", "int8,a:int16"))).Message);
        Assert.Equal("Value (abc) was out of range for requested data type",
            Assert.Throws<DataException>(() => Configured<Cast.Value>(("spec", "int32")).Apply(Source("x", null, null, Schema.StringSchema, "abc"))).Message);
    }

    [Fact]
    public void MaskField_EmptyAndReplacement()
    {
        var t = Configured<MaskField.Value>(("fields", "id,name"));
        var result = (Struct)t.Apply(Source("x", null, null, s_person, Person()))!.Value!;
        Assert.Equal(0L, result.Get("id"));
        Assert.Equal("", result.Get("name"));

        var replaced = (Dictionary<string, object?>)Configured<MaskField.Value>(("fields", "n,s"), ("replacement", "9")).Apply(
            Source("x", null, null, null, new Dictionary<string, object?> { ["n"] = 5, ["s"] = "secret" }))!.Value!;
        Assert.Equal(9, replaced["n"]);
        Assert.Equal("9", replaced["s"]);

        Assert.Equal("fields", Assert.Throws<ConfigException>(() => Configured<MaskField.Value>(("fields", ""))).ConfigName);
        Assert.StartsWith("Unable to convert abc",
            Assert.Throws<DataException>(() => Configured<MaskField.Value>(("fields", "n"), ("replacement", "abc")).Apply(
                Source("x", null, null, null, new Dictionary<string, object?> { ["n"] = 5 }))).Message);
    }

    [Fact]
    public void SetSchemaMetadata_RenamesSchema()
    {
        var t = Configured<SetSchemaMetadata.Value>(("schema.name", "com.example.Person"), ("schema.version", "3"));
        var result = t.Apply(Source("x", null, null, s_person, Person()))!;
        Assert.Equal("com.example.Person", result.ValueSchema!.Name);
        Assert.Equal(3, result.ValueSchema.Version);
        Assert.Same(result.ValueSchema, ((Struct)result.Value!).Schema);
        Assert.Equal("Neither schema name nor version configured", Assert.Throws<ConfigException>(() => Configured<SetSchemaMetadata.Value>()).Message);
        Assert.Equal("Schema required for [updating schema metadata]",
            Assert.Throws<DataException>(() => t.Apply(Source("x", null, null, null, "v"))).Message);
    }

    [Fact]
    public void TimestampConverter_Conversions()
    {
        var toString = Configured<TimestampConverter.Value>(("target.type", "string"), ("format", "yyyy-MM-dd'T'HH:mm:ss.SSS"));
        Assert.Equal("2023-11-14T22:13:20.000", toString.Apply(Source("x", null, null, Schema.Int64Schema, 1_700_000_000_000L))!.Value);

        var schema = SchemaBuilder.Struct().Field("ts", Schema.StringSchema).Field("other", Schema.Int32Schema).Build();
        var value = new Struct(schema).Put("ts", "2024-01-31").Put("other", 1);
        var toTimestamp = Configured<TimestampConverter.Value>(("field", "ts"), ("target.type", "Timestamp"), ("format", "yyyy-MM-dd"));
        var result = toTimestamp.Apply(Source("x", null, null, schema, value))!;
        Assert.Equal(Timestamp.LogicalName, result.ValueSchema!.GetField("ts")!.Schema.Name);
        Assert.Equal(new DateTimeOffset(2024, 1, 31, 0, 0, 0, TimeSpan.Zero), ((Struct)result.Value!).Get("ts"));

        var toUnixSeconds = Configured<TimestampConverter.Value>(("field", "t"), ("target.type", "unix"), ("unix.precision", "seconds"));
        var map = (Dictionary<string, object?>)toUnixSeconds.Apply(Source("x", null, null, null,
            new Dictionary<string, object?> { ["t"] = new DateTimeOffset(2024, 1, 31, 0, 0, 0, TimeSpan.Zero) }))!.Value!;
        Assert.Equal(1_706_659_200L, map["t"]);

        var toDate = Configured<TimestampConverter.Value>(("target.type", "Date"));
        Assert.Equal(new DateOnly(2023, 11, 14), toDate.Apply(Source("x", null, null, null, 1_700_000_000_000L))!.Value);
        var toTime = Configured<TimestampConverter.Value>(("target.type", "Time"));
        Assert.Equal(new TimeOnly(22, 13, 20), toTime.Apply(Source("x", null, null, null, 1_700_000_000_000L))!.Value);

        Assert.Equal("TimestampConverter requires format option to be specified when using string timestamps",
            Assert.Throws<ConfigException>(() => Configured<TimestampConverter.Value>(("target.type", "string"))).Message);
        Assert.Equal("target.type", Assert.Throws<ConfigException>(() => Configured<TimestampConverter.Value>(("target.type", "bogus"))).ConfigName);
        Assert.Equal("Could not parse timestamp: value (nope) does not match pattern (yyyy-MM-dd)",
            Assert.Throws<DataException>(() => Configured<TimestampConverter.Value>(("target.type", "unix"), ("format", "yyyy-MM-dd"))
                .Apply(Source("x", null, null, Schema.StringSchema, "nope"))).Message);
    }

    [Fact]
    public void HeaderFrom_MoveAndCopy()
    {
        var move = Configured<HeaderFrom.Value>(("fields", "id,name"), ("headers", "h_id,h_name"), ("operation", "move"));
        var result = move.Apply(Source("x", null, null, s_person, Person()))!;
        Assert.Equal(["age"], result.ValueSchema!.Fields.Select(f => f.Name));
        Assert.Equal(7L, result.Headers.LastWithName("h_id")!.Value);
        Assert.Equal(Schema.StringSchema, result.Headers.LastWithName("h_name")!.Schema);

        var copy = Configured<HeaderFrom.Value>(("fields", "a"), ("headers", "h"), ("operation", "copy"));
        var r = copy.Apply(Source("x", null, null, null, new Dictionary<string, object?> { ["a"] = 1 }))!;
        Assert.Equal(1, ((Dictionary<string, object?>)r.Value!)["a"]);
        Assert.Equal(1, r.Headers.LastWithName("h")!.Value);

        Assert.Equal("'fields' config must have the same number of elements as 'headers' config.",
            Assert.Throws<ConfigException>(() => Configured<HeaderFrom.Value>(("fields", "a,b"), ("headers", "h"), ("operation", "copy"))).Message);
        Assert.Equal("operation", Assert.Throws<ConfigException>(() => Configured<HeaderFrom.Value>(("fields", "a"), ("headers", "h"), ("operation", "swap"))).ConfigName);
    }

    [Fact]
    public void ValueToKey_BuildsKey()
    {
        var t = Configured<ValueToKey>(("fields", "id"));
        var result = t.Apply(Source("x", null, null, s_person, Person()))!;
        Assert.Equal(7L, ((Struct)result.Key!).Get("id"));
        Assert.Equal("Field does not exist: nope",
            Assert.Throws<DataException>(() => Configured<ValueToKey>(("fields", "nope")).Apply(Source("x", null, null, s_person, Person()))).Message);
        var schemaless = t.Apply(Source("x", null, null, null, new Dictionary<string, object?> { ["id"] = 1, ["z"] = 2 }))!;
        Assert.Equal(new Dictionary<string, object?> { ["id"] = 1 }, schemaless.Key);
    }

    [Fact]
    public void Routers()
    {
        var regex = Configured<RegexRouter>(("regex", "(.*)customers_(.*)"), ("replacement", "$1cust_$2"));
        Assert.Equal("db.cust_eu", regex.Apply(Source("db.customers_eu", null, null, null, null))!.Topic);
        var untouched = Source("orders", null, null, null, null);
        Assert.Same(untouched, regex.Apply(untouched));
        Assert.Equal("regex", Assert.Throws<ConfigException>(() => Configured<RegexRouter>(("regex", "(unclosed"), ("replacement", "x"))).ConfigName);

        var ts = Configured<TimestampRouter>();
        Assert.Equal("orders-20231114", ts.Apply(Source("orders", null, null, null, null))!.Topic);
        var hourly = Configured<TimestampRouter>(("topic.format", "${timestamp}/${topic}"), ("timestamp.format", "yyyy-MM-dd_HH"));
        Assert.Equal("2023-11-14_22/orders", hourly.Apply(Source("orders", null, null, null, null))!.Topic);
        Assert.StartsWith("Timestamp missing on record",
            Assert.Throws<DataException>(() => ts.Apply(Source("orders", null, null, null, null, timestamp: null))).Message);
    }

    [Fact]
    public void Headers_InsertAndDrop()
    {
        var insert = Configured<InsertHeader>(("header", "version"), ("value.literal", "42"));
        var record = insert.Apply(Source("x", null, null, null, null))!;
        Assert.Equal((sbyte)42, record.Headers.LastWithName("version")!.Value);
        record.Headers.AddString("trace", "t");
        var dropped = Configured<DropHeaders>(("headers", "version")).Apply(record)!;
        Assert.Null(dropped.Headers.LastWithName("version"));
        Assert.NotNull(dropped.Headers.LastWithName("trace"));
        Assert.Contains("\"headers\"", Assert.Throws<ConfigException>(() => Configured<DropHeaders>()).Message);
        Assert.Equal("headers", Assert.Throws<ConfigException>(() => Configured<DropHeaders>(("headers", ""))).ConfigName);
    }

    [Fact]
    public void FilterAndPredicates()
    {
        Assert.Null(new Filter().Apply(Source("x", null, null, null, null)));
        var matches = new TopicNameMatches();
        matches.Configure(Props(("pattern", "foo.*")));
        Assert.True(matches.Test(Source("foobar", null, null, null, null)));
        Assert.False(matches.Test(Source("xfoo", null, null, null, null)));
        var hasHeader = new HasHeaderKey();
        hasHeader.Configure(Props(("name", "h")));
        var withHeader = Source("x", null, null, null, null);
        withHeader.Headers.AddString("h", "1");
        Assert.True(hasHeader.Test(withHeader));
        Assert.False(hasHeader.Test(Source("x", null, null, null, null)));
        Assert.True(new RecordIsTombstone().Test(Sink("x", null, null)));
        Assert.Equal("pattern", Assert.Throws<ConfigException>(() => new TopicNameMatches().Configure(Props(("pattern", "")))).ConfigName);
        Assert.Contains("\"name\"", Assert.Throws<ConfigException>(() => new HasHeaderKey().Configure(Props())).Message);
    }

    [Fact]
    public void Chain_AppliesInOrderWithPredicates()
    {
        var insert = Configured<InsertField.Value>(("topic.field", "source_topic"));
        var route = Configured<RegexRouter>(("regex", "raw\\.(.*)"), ("replacement", "clean.$1"));
        var dropTombstones = new Filter();
        var isRaw = new TopicNameMatches();
        isRaw.Configure(Props(("pattern", "raw\\..*")));
        var notTombstone = new RecordIsTombstone();
        var chain = new TestChain<SinkRecord>(
            (insert, null, false),
            (route, isRaw, false),
            (dropTombstones, notTombstone, false));

        var result = chain.Apply(Sink("raw.orders", s_person, Person()))!;
        Assert.Equal("clean.orders", result.Topic);
        Assert.Equal("raw.orders", ((Struct)result.Value!).Get("source_topic"));
        Assert.Equal("other", chain.Apply(Sink("other", s_person, Person()))!.Topic);
        Assert.Null(chain.Apply(Sink("raw.orders", null, null)));

        // Negated: keep only tombstones.
        var keepTombstones = new TestChain<SinkRecord>((new Filter(), new RecordIsTombstone(), true));
        Assert.Null(keepTombstones.Apply(Sink("x", s_person, Person())));
        Assert.NotNull(keepTombstones.Apply(Sink("x", null, null)));
    }

    [Fact]
    public void PluginNames_MatchApache()
    {
        var attr = typeof(InsertField.Value).GetCustomAttributes(typeof(Plugins.ConnectPluginAttribute), false).Cast<Plugins.ConnectPluginAttribute>().Single();
        Assert.Equal("org.apache.kafka.connect.transforms.InsertField$Value", attr.JavaClassName);
        Assert.Equal("InsertField", typeof(InsertField.Value).DeclaringType!.Name);
        Assert.Equal("Value", typeof(InsertField.Value).Name);
        Assert.True(typeof(ITransformation<SourceRecord>).IsAssignableFrom(typeof(Cast.Key)));
        Assert.True(typeof(IPredicate<SinkRecord>).IsAssignableFrom(typeof(HasHeaderKey)));
    }
}
