using System.Buffers.Binary;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.SchemaRegistry;
using KafkaConnect.Connect.Tests.Shared;

namespace KafkaConnect.Connect.Protobuf.Tests;

public sealed class ProtobufConverterTests
{
    private static ProtobufConverter Converter(InMemoryRegistry registry, params (string Key, string Value)[] extra)
    {
        var config = new Dictionary<string, string> { ["schema.registry.url"] = "http://127.0.0.1:1" };
        foreach (var (key, value) in extra)
        {
            config[key] = value;
        }
        var converter = new ProtobufConverter(registry);
        converter.Configure(config, isKey: false);
        return converter;
    }

    [Fact]
    public void Writes_header_message_index_and_message_and_reads_it_back()
    {
        var registry = new InMemoryRegistry();
        var bytes = Converter(registry).FromConnectData("orders", null, ProtobufDataTests.OrderSchema, ProtobufDataTests.Order())!;

        Assert.Equal(0, bytes[0]);
        var registered = registry.GetLatest("orders-value");
        Assert.Equal(registered.Id, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1)));
        Assert.Equal(RegistrySchema.Protobuf, registered.Schema.SchemaType);
        Assert.Empty(registered.Schema.References); // known types only: skip.known.types
        Assert.Equal(ProtobufDataTests.OrderProto.ReplaceLineEndings("\n"), registered.Schema.Schema);
        Assert.Equal(0, bytes[5]); // message index [0]
        Assert.Equal("082a", Convert.ToHexString(bytes, 6, 2).ToLowerInvariant());

        var back = Converter(registry).ToConnectData("orders", null, bytes);
        var value = (Struct)back.Value!;
        Assert.Equal("Order", back.Schema!.Name);
        Assert.Equal(42, value.Get("id"));
        Assert.Equal(12.34m, value.Get("amount"));
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 3, 4, 5, 678, TimeSpan.Zero), value.Get("created"));
        Assert.Equal(new List<object?> { "a", "b" }, value.Get("tags"));
        Assert.Equal(true, value.Get("ok"));
    }

    [Fact]
    public void Without_skip_known_types_imports_are_registered_and_referenced_by_name()
    {
        var registry = new InMemoryRegistry();
        var bytes = Converter(registry, ("skip.known.types", "false")).FromConnectData("orders", null, ProtobufDataTests.OrderSchema, ProtobufDataTests.Order())!;
        var registered = registry.GetLatest("orders-value").Schema;
        Assert.Equal(
            ["confluent/meta.proto", "confluent/type/decimal.proto", "google/protobuf/timestamp.proto"],
            registered.References.Select(r => r.Name));
        Assert.All(registered.References, r => Assert.Equal(r.Name, r.Subject));
        Assert.Contains("message Decimal", registry.GetLatest("confluent/type/decimal.proto").Schema.Schema, StringComparison.Ordinal);
        Assert.Equal(12.34m, ((Struct)Converter(registry).ToConnectData("orders", null, bytes).Value!).Get("amount"));
    }

    [Fact]
    public void A_registry_that_refuses_known_imports_gets_them_as_references()
    {
        var registry = new InMemoryRegistry { RejectUnreferencedImports = true };
        var bytes = Converter(registry).FromConnectData("orders", null, ProtobufDataTests.OrderSchema, ProtobufDataTests.Order())!;
        Assert.Equal(3, registry.GetLatest("orders-value").Schema.References.Count);
        Assert.Equal(12.34m, ((Struct)Converter(registry).ToConnectData("orders", null, bytes).Value!).Get("amount"));
    }

    [Fact]
    public void A_nested_message_is_read_through_its_index_path()
    {
        var registry = new InMemoryRegistry();
        const string proto = """
            syntax = "proto3";
            message First { int32 a = 1; }
            message Second {
              message Inner { string s = 1; }
            }
            """;
        var id = registry.Register("t-value", new RegistrySchema(proto, RegistrySchema.Protobuf));
        // Index path [1, 0] = Second.Inner: count 2, then 1 and 0, zigzag-encoded; then s = "x".
        byte[] bytes = [0, 0, 0, 0, (byte)id, 4, 2, 0, 0x0A, 1, (byte)'x'];
        var result = Converter(registry).ToConnectData("t", null, bytes);
        Assert.Equal("Inner", result.Schema!.Name);
        Assert.Equal("x", ((Struct)result.Value!).Get("s"));
    }

    [Fact]
    public void A_registered_wrapper_reads_as_a_raw_primitive()
    {
        var registry = new InMemoryRegistry();
        const string proto = """
            syntax = "proto3";
            package google.protobuf;
            message StringValue { string value = 1; }
            """;
        var id = registry.Register("t-key", new RegistrySchema(proto, RegistrySchema.Protobuf));
        var converter = new ProtobufConverter(registry);
        converter.Configure(new Dictionary<string, string> { ["schema.registry.url"] = "http://127.0.0.1:1" }, isKey: true);
        var result = converter.ToConnectData("t", null, [0, 0, 0, 0, (byte)id, 0, 0x0A, 2, (byte)'k', (byte)'1']);
        Assert.Equal(SchemaType.String, result.Schema!.Type);
        Assert.Equal("k1", result.Value);
    }

    [Fact]
    public void Null_value_is_a_null_record()
    {
        Assert.Null(Converter(new InMemoryRegistry()).FromConnectData("t", null, ProtobufDataTests.OrderSchema, null));
        Assert.Equal(SchemaAndValue.Null, Converter(new InMemoryRegistry()).ToConnectData("t", null, null));
    }

    [Fact]
    public void A_top_level_primitive_is_written_as_its_wrapper_message_and_read_back_bare()
    {
        var registry = new InMemoryRegistry();
        var converter = new ProtobufConverter(registry);
        converter.Configure(new Dictionary<string, string> { ["schema.registry.url"] = "http://127.0.0.1:1" }, isKey: true);
        var bytes = converter.FromConnectData("t", null, Schema.StringSchema, "k1")!;
        // Message index [7] (StringValue in wrappers.proto): count 1 and index 7, zigzag; then field 1 = "k1".
        Assert.Equal("020e0a026b31", Convert.ToHexString(bytes, 5, bytes.Length - 5).ToLowerInvariant());
        Assert.Equal(9, registry.GetLatest("t-key").Schema.Schema.Split("message ").Length - 1); // all of wrappers.proto
        var back = converter.ToConnectData("t", null, bytes);
        Assert.Equal(SchemaType.String, back.Schema!.Type);
        Assert.Equal("k1", back.Value);

        Assert.Equal(7L, converter.ToConnectData("t", null, converter.FromConnectData("t", null, Schema.Int64Schema, 7L)).Value);
        var e = Assert.Throws<DataException>(() => converter.FromConnectData("t", null, SchemaBuilder.Array(Schema.StringSchema).Build(), new List<object?>()));
        Assert.Contains("no top-level protobuf form", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_input_is_a_DataException_that_says_what_is_wrong()
    {
        var registry = new InMemoryRegistry();
        var good = Converter(registry).FromConnectData("orders", null, ProtobufDataTests.OrderSchema, ProtobufDataTests.Order())!;

        var noMagic = Assert.Throws<DataException>(() => Converter(registry).ToConnectData("orders", null, [1, 2, 3, 4, 5, 6]));
        Assert.Contains("magic byte", noMagic.Message, StringComparison.Ordinal);

        var unknownId = Assert.Throws<DataException>(() => Converter(registry).ToConnectData("orders", null, [0, 0, 0, 1, 0, 0]));
        Assert.Contains("schema id 256", unknownId.Message, StringComparison.Ordinal);

        var truncated = Assert.Throws<DataException>(() => Converter(registry).ToConnectData("orders", null, good[..^3]));
        Assert.Contains("truncated", truncated.Message, StringComparison.Ordinal);
        Assert.Contains("Order", truncated.Message, StringComparison.Ordinal);

        var noIndex = Assert.Throws<DataException>(() => Converter(registry).ToConnectData("orders", null, good[..5]));
        Assert.Contains("message-index", noIndex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_json_schema_id_is_refused()
    {
        var registry = new InMemoryRegistry();
        var id = registry.Register("t-value", new RegistrySchema("{\"type\":\"string\"}", RegistrySchema.Json));
        var e = Assert.Throws<DataException>(() => Converter(registry).ToConnectData("t", null, [0, 0, 0, 0, (byte)id, 0]));
        Assert.Contains("JSON", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_registry_is_asked_once_per_schema_and_subject()
    {
        var registry = new InMemoryRegistry();
        var converter = Converter(registry);
        for (var i = 0; i < 5; i++)
        {
            converter.FromConnectData("orders", null, ProtobufDataTests.OrderSchema, ProtobufDataTests.Order());
        }
        Assert.Equal(1, registry.Calls);
    }
}
