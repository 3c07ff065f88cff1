using System.Buffers.Binary;
using System.Text;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.SchemaRegistry;
using KafkaConnect.Connect.Tests.Shared;

namespace KafkaConnect.Connect.JsonSchema.Tests;

public sealed class JsonSchemaConverterTests
{
    private static Dictionary<string, string> Config(params (string Key, string Value)[] extra)
    {
        var config = new Dictionary<string, string> { ["schema.registry.url"] = "http://127.0.0.1:1" };
        foreach (var (key, value) in extra)
        {
            config[key] = value;
        }
        return config;
    }

    private static JsonSchemaConverter Converter(InMemoryRegistry registry, params (string, string)[] extra)
    {
        var converter = new JsonSchemaConverter(registry);
        converter.Configure(Config(extra), isKey: false);
        return converter;
    }

    [Fact]
    public void Writes_magic_id_and_json_and_reads_it_back()
    {
        var registry = new InMemoryRegistry();
        var converter = Converter(registry);
        var bytes = converter.FromConnectData("orders", null, JsonSchemaDataTests.OrderSchema, JsonSchemaDataTests.Order())!;

        Assert.Equal(0, bytes[0]);
        var id = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1));
        var registered = registry.GetLatest("orders-value");
        Assert.Equal(id, registered.Id);
        Assert.Equal(RegistrySchema.Json, registered.Schema.SchemaType);
        Assert.Equal(converter.JsonSchemaFor(JsonSchemaDataTests.OrderSchema), registered.Schema.Schema);
        Assert.StartsWith("{\"id\":42,", Encoding.UTF8.GetString(bytes, 5, bytes.Length - 5), StringComparison.Ordinal);

        var back = Converter(registry).ToConnectData("orders", null, bytes);
        Assert.Equal(JsonSchemaDataTests.Order(), back.Value);
        Assert.Equal(JsonSchemaDataTests.OrderSchema, back.Schema);
    }

    [Fact]
    public void The_registry_is_asked_once_per_schema_and_subject()
    {
        var registry = new InMemoryRegistry();
        var converter = Converter(registry);
        for (var i = 0; i < 5; i++)
        {
            converter.FromConnectData("orders", null, JsonSchemaDataTests.OrderSchema, JsonSchemaDataTests.Order());
        }
        Assert.Equal(1, registry.Calls);
    }

    [Fact]
    public void Without_auto_register_an_unregistered_schema_is_a_DataException_naming_the_subject()
    {
        var converter = Converter(new InMemoryRegistry(), ("auto.register.schemas", "false"));
        var e = Assert.Throws<DataException>(() => converter.FromConnectData("t", null, Schema.StringSchema, "x"));
        Assert.Contains("t-value", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Use_latest_version_writes_under_the_subjects_latest_id()
    {
        var registry = new InMemoryRegistry();
        var latest = registry.Register("t-value", new RegistrySchema("{\"type\":\"string\"}", RegistrySchema.Json));
        var converter = Converter(registry, ("auto.register.schemas", "false"), ("use.latest.version", "true"), ("latest.compatibility.strict", "false"));
        var bytes = converter.FromConnectData("t", null, Schema.StringSchema, "x")!;
        Assert.Equal(latest, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1)));
    }

    [Fact]
    public void Record_name_strategy_uses_the_schema_name_as_subject()
    {
        var registry = new InMemoryRegistry();
        var converter = Converter(registry, ("value.subject.name.strategy", "io.confluent.kafka.serializers.subject.RecordNameStrategy"));
        converter.FromConnectData("t", null, JsonSchemaDataTests.OrderSchema, JsonSchemaDataTests.Order());
        Assert.Equal(1, registry.GetLatest("com.example.Order").Version);
    }

    [Fact]
    public void Null_values_become_null_records_and_optional_nulls_a_json_null()
    {
        var converter = Converter(new InMemoryRegistry());
        Assert.Null(converter.FromConnectData("t", null, null, null));
        Assert.Null(converter.FromConnectData("t", null, Schema.StringSchema, null));
        var bytes = converter.FromConnectData("t", null, Schema.OptionalStringSchema, null)!;
        Assert.Equal("null", Encoding.UTF8.GetString(bytes, 5, bytes.Length - 5));
        Assert.Equal(SchemaAndValue.Null, converter.ToConnectData("t", null, null));
    }

    [Fact]
    public void Bytes_without_the_magic_byte_are_a_DataException()
    {
        var e = Assert.Throws<DataException>(() => Converter(new InMemoryRegistry()).ToConnectData("t", null, "{\"a\":1}"u8.ToArray()));
        Assert.Contains("magic byte", e.Message, StringComparison.Ordinal);
        Assert.Throws<DataException>(() => Converter(new InMemoryRegistry()).ToConnectData("t", null, [0, 0]));
    }

    [Fact]
    public void An_unknown_schema_id_is_a_DataException_naming_the_id()
    {
        var e = Assert.Throws<DataException>(() => Converter(new InMemoryRegistry()).ToConnectData("t", null, [0, 0, 0, 0, 99, (byte)'1']));
        Assert.Contains("schema id 99", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_payload_that_is_not_json_is_a_DataException()
    {
        var registry = new InMemoryRegistry();
        var good = Converter(registry).FromConnectData("t", null, Schema.StringSchema, "x")!;
        var bad = good[..5].Concat("{oops"u8.ToArray()).ToArray();
        var e = Assert.Throws<DataException>(() => Converter(registry).ToConnectData("t", null, bad));
        Assert.Contains("not JSON", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fail_invalid_schema_rejects_payloads_the_schema_does_not_allow()
    {
        var registry = new InMemoryRegistry();
        var writer = Converter(registry);
        var good = writer.FromConnectData("t", null, JsonSchemaDataTests.OrderSchema, JsonSchemaDataTests.Order())!;
        // The same id with a payload whose "id" is a string: only the validating reader notices before mapping.
        var bad = good[..5].Concat("{\"id\":\"42\",\"amount\":\"BNI=\",\"created\":1,\"tags\":[],\"ok\":true}"u8.ToArray()).ToArray();
        var e = Assert.Throws<DataException>(() => Converter(registry, ("json.fail.invalid.schema", "true")).ToConnectData("t", null, bad));
        Assert.Contains("does not match its schema", e.Message, StringComparison.Ordinal);
        Assert.Contains("/id", e.Message, StringComparison.Ordinal);

        // Lenient by default (Confluent's default is false); our mapping still refuses the wrong kind, naming the field.
        var lenient = Assert.Throws<DataException>(() => Converter(registry).ToConnectData("t", null, bad));
        Assert.Contains("Field id", lenient.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fail_invalid_schema_accepts_what_the_converter_writes()
    {
        var registry = new InMemoryRegistry();
        var converter = Converter(registry, ("json.fail.invalid.schema", "true"));
        var bytes = converter.FromConnectData("t", null, JsonSchemaDataTests.OrderSchema, JsonSchemaDataTests.Order())!;
        Assert.Equal(JsonSchemaDataTests.Order(), converter.ToConnectData("t", null, bytes).Value);
    }

    [Fact]
    public void A_protobuf_schema_id_is_refused()
    {
        var registry = new InMemoryRegistry();
        var id = registry.Register("t-value", new RegistrySchema("syntax = \"proto3\";", RegistrySchema.Protobuf));
        var e = Assert.Throws<DataException>(() => Converter(registry).ToConnectData("t", null, [0, 0, 0, 0, (byte)id, (byte)'1']));
        Assert.Contains("PROTOBUF", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_registry_url_is_a_ConfigException()
    {
        Assert.Throws<ConfigException>(() => new JsonSchemaConverter().Configure(new Dictionary<string, string>(), false));
    }
}
