using System.Buffers.Binary;
using KafkaConnect.Connect.Avro.Codec;
using KafkaConnect.Connect.SchemaRegistry;
using static KafkaConnect.Connect.Avro.Tests.ConverterFixture;

namespace KafkaConnect.Connect.Avro.Tests;

/// <summary>The converter end to end over real HTTP to a registry: wire format, registration modes, caches, bad input.</summary>
public sealed class AvroConverterTests : IDisposable
{
    private readonly TestRegistry _registry = TestRegistry.Start();

    public void Dispose() => _registry.Dispose();

    [Fact]
    public void Every_type_round_trips_and_the_bytes_are_magic_byte_schema_id_and_avro()
    {
        using var converter = Converter(_registry.Url);
        var value = Everything();
        var bytes = converter.FromConnectData("orders", null, value.Schema, value)!;
        Assert.Equal(0, bytes[0]);
        var id = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1));
        Assert.Equal(AvroSchemaWriter.Write(converter.AvroSchemaFor(value.Schema)), _registry.SchemaById(id));

        var back = converter.ToConnectData("orders", null, bytes);
        Assert.Equal("com.example.Everything", back.Schema!.Name);
        Assert.Equal(1, back.Schema.Version); // the writer schema's version under orders-value, as Confluent's converter sets it
        AssertSameValues(value, back.Value);
        Assert.Equal(42, ((Struct)back.Value!).Get("withDefault"));
        Assert.Null(((Struct)back.Value!).Get("missing"));
    }

    [Fact]
    public void Top_level_primitives_logical_types_and_collections_round_trip()
    {
        using var converter = Converter(_registry.Url);
        (Schema Schema, object Value)[] cases =
        [
            (Schema.StringSchema, "plain"),
            (Schema.Int8Schema, (sbyte)-128),
            (Schema.Int64Schema, long.MinValue),
            (Schema.BytesSchema, new byte[] { 9, 8, 7 }),
            (ConnectDecimal.Schema(5), 0.00001m),
            (ConnectDecimal.Schema(0), -79228162514264337593543950335m),
            (Timestamp.Schema, DateTimeOffset.FromUnixTimeMilliseconds(-1)),
            (SchemaBuilder.Array(Schema.OptionalInt32Schema).Build(), new List<object?> { 1, null, 3 }),
            (SchemaBuilder.Map(Schema.Int64Schema, Schema.OptionalStringSchema).Build(), new Dictionary<object, object?> { [5L] = null }),
        ];
        foreach (var (schema, value) in cases)
        {
            var back = converter.ToConnectData("prims", null, converter.FromConnectData("prims", null, schema, value));
            Assert.Equal(schema.Type, back.Schema!.Type);
            Assert.Equal(schema.Name, back.Schema.Name);
            AssertSameValues(value, back.Value, schema.ToString());
        }
    }

    [Fact]
    public void Null_is_null_both_ways_and_a_required_null_is_a_data_error()
    {
        using var converter = Converter(_registry.Url);
        Assert.Null(converter.FromConnectData("t", null, Schema.OptionalStringSchema, null));
        Assert.Null(converter.FromConnectData("t", null, null, null));
        Assert.Equal(SchemaAndValue.Null, converter.ToConnectData("t", null, null));
        Assert.Throws<DataException>(() => converter.FromConnectData("t", null, Schema.StringSchema, null));
        Assert.Equal(0, _registry.Requests);
    }

    [Fact]
    public void Schemaless_values_travel_in_confluents_anything_record()
    {
        using var converter = Converter(_registry.Url);
        var value = new Dictionary<object, object?>
        {
            ["id"] = 7L,
            ["price"] = 1.5,
            ["ok"] = true,
            ["tags"] = new List<object?> { "a", null, 3 },
            ["nested"] = new Dictionary<object, object?> { [1L] = "one" },
        };
        var bytes = converter.FromConnectData("loose", null, null, value)!;
        Assert.Equal(Anything.SchemaJson, _registry.SchemaById(BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1))));
        Assert.Equal(Anything.SchemaJson, AvroSchemaWriter.Write(AvroSchemaParser.Parse(Anything.SchemaJson)));
        var back = converter.ToConnectData("loose", null, bytes);
        Assert.Null(back.Schema);
        AssertSameValues(value, back.Value);
        Assert.Equal("text", converter.ToConnectData("loose", null, converter.FromConnectData("loose", null, null, "text")).Value);
        Assert.Equal(5, converter.ToConnectData("loose", null, converter.FromConnectData("loose", null, null, (short)5)).Value);
        Assert.Throws<DataException>(() => converter.FromConnectData("loose", null, null, new byte[] { 1 }));
    }

    [Fact]
    public void Bytes_without_the_magic_byte_are_refused_with_confluents_words()
    {
        using var converter = Converter(_registry.Url);
        var e = Assert.Throws<DataException>(() => converter.ToConnectData("t", null, [1, 0, 0, 0, 1, 2]));
        Assert.Contains("Unknown magic byte!", e.Message);
        Assert.Throws<DataException>(() => converter.ToConnectData("t", null, [0, 0, 0]));
        Assert.Throws<DataException>(() => converter.ToConnectData("t", null, []));
    }

    [Fact]
    public void An_unknown_schema_id_is_a_data_error_naming_the_id()
    {
        using var converter = Converter(_registry.Url);
        var e = Assert.Throws<DataException>(() => converter.ToConnectData("t", null, [0, 0, 0, 0x30, 0x39, 2]));
        Assert.Contains("12345", e.Message);
        Assert.Contains("40403", e.Message);
        Assert.Equal(SchemaRegistryException.SchemaNotFound, Assert.IsType<SchemaRegistryException>(e.InnerException).ErrorCode);
    }

    [Fact]
    public void Truncated_or_corrupt_avro_is_a_data_error()
    {
        using var converter = Converter(_registry.Url);
        var value = Everything();
        var bytes = converter.FromConnectData("t", null, value.Schema, value)!;
        Assert.Throws<DataException>(() => converter.ToConnectData("t", null, bytes[..(bytes.Length / 2)]));
        var oneString = converter.FromConnectData("s", null, Schema.StringSchema, "abc")!;
        oneString[5] = 0x7F; // a negative length
        Assert.Throws<DataException>(() => converter.ToConnectData("s", null, oneString));
    }

    [Fact]
    public void A_registry_that_is_down_is_a_retriable_error_both_ways()
    {
        using var converter = Converter(TestRegistry.DeadUrl());
        Assert.Throws<RetriableException>(() => converter.FromConnectData("t", null, Schema.StringSchema, "x"));
        Assert.Throws<RetriableException>(() => converter.ToConnectData("t", null, [0, 0, 0, 0, 1, 2, 0x41]));
    }

    [Fact]
    public void Cache_hits_reach_no_registry_also_for_equal_schemas_built_anew()
    {
        using var converter = Converter(_registry.Url);
        var value = Everything();
        var bytes = converter.FromConnectData("orders", null, value.Schema, value)!;
        converter.ToConnectData("orders", null, bytes);
        var requests = _registry.Requests;
        Assert.True(requests >= 2, $"register and version lookup (the client keeps the id it registered), got {requests}");

        for (var i = 0; i < 100; i++)
        {
            var rebuilt = new Struct(SchemaBuilder.Struct().Name("com.example.Small").Field("n", Schema.Int32Schema).Build()).Put("n", i);
            converter.FromConnectData("orders", null, rebuilt.Schema, rebuilt);
            Assert.Equal(bytes, converter.FromConnectData("orders", null, value.Schema, value));
            converter.ToConnectDataBorrowed("orders", null, bytes.AsMemory());
        }
        Assert.True(requests + 1 == _registry.Requests, $"only Small's registration: {requests} then {_registry.Requests}"); 
    }

    [Fact]
    public void Auto_register_off_looks_the_schema_up_and_fails_when_it_is_not_there()
    {
        using var converter = Converter(_registry.Url, false, ("auto.register.schemas", "false"));
        var e = Assert.Throws<DataException>(() => converter.FromConnectData("lookup", null, Schema.StringSchema, "x"));
        Assert.Contains("lookup-value", e.Message);
        var id = _registry.Register("lookup-value", "\"string\"");
        var bytes = converter.FromConnectData("lookup", null, Schema.StringSchema, "x")!;
        Assert.Equal(id, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1)));
    }

    [Fact]
    public void Use_latest_version_writes_with_the_subjects_latest_schema()
    {
        // The latest schema was registered by someone else, without Connect's metadata and with fields in another order.
        var latestId = _registry.Register("latest-value",
            """{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"qty","type":"int"},{"name":"source","type":"string","default":"web"},{"name":"id","type":"long"},{"name":"note","type":["null","string"],"default":null},{"name":"extra","type":["null",{"type":"map","values":"int"}],"default":null},{"name":"dims","type":{"type":"record","name":"Dims","fields":[{"name":"w","type":"double","default":1.5},{"name":"tags","type":{"type":"array","items":"string"},"default":["a"]}]},"default":{}}]}""");
        using var converter = Converter(_registry.Url, false, ("auto.register.schemas", "false"), ("use.latest.version", "true"));
        var schema = SchemaBuilder.Struct().Name("shop.Order").Field("id", Schema.Int64Schema).Field("qty", Schema.Int32Schema).Field("note", Schema.OptionalStringSchema).Build();
        var value = new Struct(schema).Put("id", 5L).Put("qty", 2).Put("note", "n");
        var bytes = converter.FromConnectData("latest", null, schema, value)!;
        Assert.Equal(latestId, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1)));
        var back = (Struct)converter.ToConnectData("latest", null, bytes).Value!;
        Assert.Equal(5L, back.Get("id"));
        Assert.Equal(2, back.Get("qty"));
        Assert.Equal("n", back.Get("note"));
        // Fields of the latest schema that the record lacks are written with their defaults.
        Assert.Equal("web", back.Get("source"));
        Assert.Null(back.Get("extra"));
        var dims = Assert.IsType<Struct>(back.Get("dims"));
        Assert.Equal(1.5, dims.Get("w"));
        Assert.Equal(new List<object?> { "a" }, (List<object?>)dims.Get("tags")!);

        var unknown = SchemaBuilder.Struct().Name("shop.Order").Field("id", Schema.Int64Schema).Field("qty", Schema.Int32Schema).Field("other", Schema.Int32Schema).Build();
        var e = Assert.Throws<DataException>(() => converter.FromConnectData("latest", null, unknown, new Struct(unknown).Put("id", 1L).Put("qty", 1).Put("other", 1)));
        Assert.Contains("lacks", e.Message);
    }

    [Fact]
    public void Latest_compatibility_strict_refuses_a_latest_schema_that_cannot_read_the_records_own()
    {
        _registry.Register("shirts-value", """{"type":"record","name":"Shirt","namespace":"shop","fields":[{"name":"size","type":{"type":"enum","name":"Size","symbols":["S","M","L"]}}]}""");
        var schema = SchemaBuilder.Struct().Name("shop.Shirt").Field("size", Schema.StringSchema).Build();
        var value = new Struct(schema).Put("size", "M");
        using (var strict = Converter(_registry.Url, false, ("auto.register.schemas", "false"), ("use.latest.version", "true")))
        {
            var e = Assert.Throws<DataException>(() => strict.FromConnectData("shirts", null, schema, value));
            Assert.Contains("Incompatible schema", e.Message);
        }
        using var lenient = Converter(_registry.Url, false, ("auto.register.schemas", "false"), ("use.latest.version", "true"), ("latest.compatibility.strict", "false"));
        var bytes = lenient.FromConnectData("shirts", null, schema, value)!;
        Assert.Equal("M", ((Struct)lenient.ToConnectData("shirts", null, bytes).Value!).Get("size"));
        Assert.Throws<DataException>(() => lenient.FromConnectData("shirts", null, schema, new Struct(schema).Put("size", "XXL")));
    }

    [Fact]
    public void Record_name_strategies_register_under_the_record_name()
    {
        using var converter = Converter(_registry.Url, true,
            ("key.subject.name.strategy", "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy"));
        var schema = SchemaBuilder.Struct().Name("com.example.Key").Field("id", Schema.Int32Schema).Build();
        var bytes = converter.FromConnectData("things", null, schema, new Struct(schema).Put("id", 1))!;
        using var lookup = Converter(_registry.Url, false, ("auto.register.schemas", "false"), ("value.subject.name.strategy", "io.confluent.kafka.serializers.subject.RecordNameStrategy"));
        Assert.Throws<DataException>(() => lookup.FromConnectData("things", null, schema, new Struct(schema).Put("id", 1)));
        Assert.Equal(1, ((Struct)converter.ToConnectData("things", null, bytes).Value!).Get("id"));
    }

    [Fact]
    public void Converters_are_safe_to_share_between_threads()
    {
        using var converter = Converter(_registry.Url);
        var value = Everything();
        var expected = converter.FromConnectData("orders", null, value.Schema, value)!;
        // Threads of their own, not pool threads: the in-process registry needs the pool to answer the concurrent misses.
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var threads = Enumerable.Range(0, 8).Select(_ => new Thread(() =>
        {
            try
            {
                for (var i = 0; i < 200; i++)
                {
                    var bytes = converter.FromConnectData("orders", null, value.Schema, value)!;
                    Assert.Equal(expected, bytes);
                    AssertSameValues(value, converter.ToConnectData("orders", null, bytes).Value);
                }
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Empty(failures);
    }

    [Fact]
    public void Config_declares_confluents_keys_and_defaults()
    {
        var config = new AvroConverter().Config();
        Assert.Equal(true, config.ConfigKeys["connect.meta.data"].DefaultValue);
        Assert.Equal(false, config.ConfigKeys["enhanced.avro.schema.support"].DefaultValue);
        Assert.Equal(1000, config.ConfigKeys["schemas.cache.config"].DefaultValue);
        Assert.Equal(false, config.ConfigKeys["scrub.invalid.names"].DefaultValue);
        Assert.Equal(true, config.ConfigKeys["auto.register.schemas"].DefaultValue);
        Assert.Equal(true, config.ConfigKeys["flatten.singleton.unions"].DefaultValue);
        Assert.Contains("avro.reflection.allow.null", config.ConfigKeys.Keys);
        Assert.Throws<ConfigException>(() => new AvroConverter().Configure(new Dictionary<string, string>(), false));
    }
}

public sealed class PluginTests
{
    [Fact]
    public void The_worker_resolves_confluents_class_name_to_this_converter()
    {
        var plugins = KafkaConnect.Connect.Runtime.Plugins.PluginRegistry.Create();
        Assert.True(plugins.TryResolve("io.confluent.connect.avro.AvroConverter", out var type));
        Assert.Equal(typeof(AvroConverter), type);
        Assert.Equal("io.confluent.connect.avro.AvroConverter", plugins.ClassNameOf(typeof(AvroConverter)));
    }
}
