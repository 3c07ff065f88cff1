using System.Buffers.Binary;
using System.Text.Json.Nodes;
using KafkaConnect.Connect.Avro.Tests;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Protobuf.Tests;

/// <summary>The converter against the project's real registry (a fresh one per test, behind the counting proxy).</summary>
public sealed class ProtobufConverterTests : IDisposable
{
    // What the converter imports for the Order record; our registry knows only google/protobuf/* without a reference.
    private static readonly string[] s_orderImports = ["confluent/meta.proto", "confluent/type/decimal.proto", "google/protobuf/timestamp.proto"];

    private readonly TestRegistry _registry = TestRegistry.Start();

    public void Dispose() => _registry.Dispose();

    private ProtobufConverter Converter(params (string Key, string Value)[] extra) => Converter(isKey: false, extra);

    private ProtobufConverter Converter(bool isKey, params (string Key, string Value)[] extra)
    {
        var config = new Dictionary<string, string> { ["schema.registry.url"] = _registry.Url };
        foreach (var (key, value) in extra)
        {
            config[key] = value;
        }
        var converter = new ProtobufConverter();
        converter.Configure(config, isKey);
        return converter;
    }

    private static void AssertReferencedByName(JsonNode registered)
    {
        var references = registered["references"]!.AsArray();
        Assert.Equal(s_orderImports, references.Select(r => (string)r!["name"]!));
        Assert.All(references, r => Assert.Equal((string)r!["name"]!, (string)r["subject"]!));
    }

    [Fact]
    public void Writes_header_message_index_and_message_and_reads_it_back()
    {
        var bytes = Converter().FromConnectData("orders", null, ProtobufDataTests.OrderSchema, ProtobufDataTests.Order())!;

        Assert.Equal(0, bytes[0]);
        var registered = _registry.Latest("orders-value");
        Assert.Equal((int)registered["id"]!, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1)));
        Assert.Equal("PROTOBUF", (string?)registered["schemaType"]);
        // The registry keeps the text as sent, trimmed.
        Assert.Equal(ProtobufDataTests.OrderProto.ReplaceLineEndings("\n").TrimEnd(), (string?)registered["schema"]);
        Assert.Equal(0, bytes[5]); // message index [0]
        Assert.Equal("082a", Convert.ToHexString(bytes, 6, 2).ToLowerInvariant());

        var back = Converter().ToConnectData("orders", null, bytes);
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
        var bytes = Converter(("skip.known.types", "false")).FromConnectData("orders", null, ProtobufDataTests.OrderSchema, ProtobufDataTests.Order())!;
        AssertReferencedByName(_registry.Latest("orders-value"));
        // Registered up front, no refused attempt: each import registered and looked up (for its version), then the schema.
        Assert.Equal(3 * 2 + 1, _registry.Requests);
        Assert.Contains("message Decimal", (string?)_registry.Latest("confluent/type/decimal.proto")["schema"], StringComparison.Ordinal);
        Assert.Equal(12.34m, ((Struct)Converter().ToConnectData("orders", null, bytes).Value!).Get("amount"));
    }

    [Fact]
    public void With_skip_known_types_the_schema_goes_without_references_as_confluents_registry_knows_the_imports()
    {
        // Like Confluent's, our registry has confluent/*.proto and google/type/*.proto built in.
        var bytes = Converter().FromConnectData("orders", null, ProtobufDataTests.OrderSchema, ProtobufDataTests.Order())!;
        var registered = _registry.Latest("orders-value");
        Assert.Null(registered["references"]);
        Assert.Contains("import \"confluent/type/decimal.proto\"", (string?)registered["schema"], StringComparison.Ordinal);
        Assert.Equal((int)registered["id"]!, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1)));
        Assert.Equal(1, _registry.Requests);
        Assert.Equal(12.34m, ((Struct)Converter().ToConnectData("orders", null, bytes).Value!).Get("amount"));
    }

    [Fact]
    public void A_nested_message_is_read_through_its_index_path()
    {
        const string proto = """
            syntax = "proto3";
            message First { int32 a = 1; }
            message Second {
              message Inner { string s = 1; }
            }
            """;
        var id = _registry.Register("t-value", proto, "PROTOBUF");
        // Index path [1, 0] = Second.Inner: count 2, then 1 and 0, zigzag-encoded; then s = "x".
        byte[] bytes = [0, 0, 0, 0, (byte)id, 4, 2, 0, 0x0A, 1, (byte)'x'];
        var result = Converter().ToConnectData("t", null, bytes);
        Assert.Equal("Inner", result.Schema!.Name);
        Assert.Equal("x", ((Struct)result.Value!).Get("s"));
    }

    [Fact]
    public void A_registered_wrapper_reads_as_a_raw_primitive()
    {
        const string proto = """
            syntax = "proto3";
            package google.protobuf;
            message StringValue { string value = 1; }
            """;
        var id = _registry.Register("t-key", proto, "PROTOBUF");
        var result = Converter(isKey: true).ToConnectData("t", null, [0, 0, 0, 0, (byte)id, 0, 0x0A, 2, (byte)'k', (byte)'1']);
        Assert.Equal(SchemaType.String, result.Schema!.Type);
        Assert.Equal("k1", result.Value);
    }

    [Fact]
    public void Null_value_is_a_null_record()
    {
        Assert.Null(Converter().FromConnectData("t", null, ProtobufDataTests.OrderSchema, null));
        Assert.Equal(SchemaAndValue.Null, Converter().ToConnectData("t", null, null));
        Assert.Equal(0, _registry.Requests);
    }

    [Fact]
    public void A_top_level_primitive_is_written_as_its_wrapper_message_and_read_back_bare()
    {
        var converter = Converter(isKey: true);
        var bytes = converter.FromConnectData("t", null, Schema.StringSchema, "k1")!;
        // Message index [7] (StringValue in wrappers.proto): count 1 and index 7, zigzag; then field 1 = "k1".
        Assert.Equal("020e0a026b31", Convert.ToHexString(bytes, 5, bytes.Length - 5).ToLowerInvariant());
        Assert.Equal(9, ((string)_registry.Latest("t-key")["schema"]!).Split("message ").Length - 1); // all of wrappers.proto
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
        var good = Converter().FromConnectData("orders", null, ProtobufDataTests.OrderSchema, ProtobufDataTests.Order())!;

        var noMagic = Assert.Throws<DataException>(() => Converter().ToConnectData("orders", null, [1, 2, 3, 4, 5, 6]));
        Assert.Contains("magic byte", noMagic.Message, StringComparison.Ordinal);

        var unknownId = Assert.Throws<DataException>(() => Converter().ToConnectData("orders", null, [0, 0, 0, 1, 0, 0]));
        Assert.Contains("schema id 256", unknownId.Message, StringComparison.Ordinal);

        var truncated = Assert.Throws<DataException>(() => Converter().ToConnectData("orders", null, good[..^3]));
        Assert.Contains("truncated", truncated.Message, StringComparison.Ordinal);
        Assert.Contains("Order", truncated.Message, StringComparison.Ordinal);

        var noIndex = Assert.Throws<DataException>(() => Converter().ToConnectData("orders", null, good[..5]));
        Assert.Contains("message-index", noIndex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_json_schema_id_is_refused()
    {
        var id = _registry.Register("t-value", "{\"type\":\"string\"}", "JSON");
        var e = Assert.Throws<DataException>(() => Converter().ToConnectData("t", null, [0, 0, 0, 0, (byte)id, 0]));
        Assert.Contains("JSON", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_registry_is_asked_once_per_schema_and_subject()
    {
        var converter = Converter(("skip.known.types", "false"));
        converter.FromConnectData("orders", null, ProtobufDataTests.OrderSchema, ProtobufDataTests.Order());
        // Each import's registration and version lookup, then the schema's registration.
        Assert.Equal(3 * 2 + 1, _registry.Requests);
        for (var i = 0; i < 4; i++)
        {
            converter.FromConnectData("orders", null, ProtobufDataTests.OrderSchema, ProtobufDataTests.Order());
        }
        Assert.Equal(7, _registry.Requests);

        // With skip.known.types: one lookup of the same schema text without references, once.
        var skipping = Converter();
        for (var i = 0; i < 5; i++)
        {
            skipping.FromConnectData("orders", null, ProtobufDataTests.OrderSchema, ProtobufDataTests.Order());
        }
        Assert.Equal(7 + 1, _registry.Requests);
    }
}
