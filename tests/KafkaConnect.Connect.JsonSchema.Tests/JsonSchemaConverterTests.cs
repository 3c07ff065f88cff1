using System.Buffers.Binary;
using System.Text;
using KafkaConnect.Connect.Avro.Tests;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.JsonSchema.Tests;

/// <summary>The converter against the project's real registry (a fresh one per test, behind the counting proxy).</summary>
public sealed class JsonSchemaConverterTests : IDisposable
{
    private readonly TestRegistry _registry = TestRegistry.Start();

    public void Dispose() => _registry.Dispose();

    private JsonSchemaConverter Converter(params (string Key, string Value)[] extra)
    {
        var config = new Dictionary<string, string> { ["schema.registry.url"] = _registry.Url };
        foreach (var (key, value) in extra)
        {
            config[key] = value;
        }
        var converter = new JsonSchemaConverter();
        converter.Configure(config, isKey: false);
        return converter;
    }

    [Fact]
    public void Writes_magic_id_and_json_and_reads_it_back()
    {
        var converter = Converter();
        var bytes = converter.FromConnectData("orders", null, JsonSchemaDataTests.OrderSchema, JsonSchemaDataTests.Order())!;

        Assert.Equal(0, bytes[0]);
        var id = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1));
        var registered = _registry.Latest("orders-value");
        Assert.Equal(id, (int)registered["id"]!);
        Assert.Equal("JSON", (string?)registered["schemaType"]);
        Assert.Equal(converter.JsonSchemaFor(JsonSchemaDataTests.OrderSchema), (string?)registered["schema"]);
        Assert.StartsWith("{\"id\":42,", Encoding.UTF8.GetString(bytes, 5, bytes.Length - 5), StringComparison.Ordinal);

        var back = Converter().ToConnectData("orders", null, bytes);
        Assert.Equal(JsonSchemaDataTests.Order(), back.Value);
        Assert.Equal(JsonSchemaDataTests.OrderSchema, back.Schema);
    }

    [Fact]
    public void The_registry_is_asked_once_per_schema_and_subject()
    {
        var converter = Converter();
        for (var i = 0; i < 5; i++)
        {
            converter.FromConnectData("orders", null, JsonSchemaDataTests.OrderSchema, JsonSchemaDataTests.Order());
        }
        Assert.Equal(1, _registry.Requests);
    }

    [Fact]
    public void Without_auto_register_an_unregistered_schema_is_a_DataException_naming_the_subject()
    {
        var converter = Converter(("auto.register.schemas", "false"));
        var e = Assert.Throws<DataException>(() => converter.FromConnectData("t", null, Schema.StringSchema, "x"));
        Assert.Contains("t-value", e.Message, StringComparison.Ordinal);
        // Looked up, not registered: the subject is still unknown to the registry.
        Assert.Equal(1, _registry.Requests);
        Assert.Throws<HttpRequestException>(() => _registry.Latest("t-value"));
    }

    [Fact]
    public void Use_latest_version_writes_under_the_subjects_latest_id()
    {
        _registry.Register("t-value", "{\"type\":\"string\"}", "JSON");
        var latest = _registry.Register("t-value", "{\"type\":\"string\",\"maxLength\":10}", "JSON");
        var converter = Converter(("auto.register.schemas", "false"), ("use.latest.version", "true"), ("latest.compatibility.strict", "false"));
        var bytes = converter.FromConnectData("t", null, Schema.StringSchema, "x")!;
        Assert.Equal(latest, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1)));
    }

    [Fact]
    public void Record_name_strategy_uses_the_schema_name_as_subject()
    {
        var converter = Converter(("value.subject.name.strategy", "io.confluent.kafka.serializers.subject.RecordNameStrategy"));
        var bytes = converter.FromConnectData("t", null, JsonSchemaDataTests.OrderSchema, JsonSchemaDataTests.Order())!;
        var registered = _registry.Latest("com.example.Order");
        Assert.Equal(1, (int)registered["version"]!);
        Assert.Equal(BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1)), (int)registered["id"]!);
    }

    [Fact]
    public void Null_values_become_null_records_and_optional_nulls_a_json_null()
    {
        var converter = Converter();
        Assert.Null(converter.FromConnectData("t", null, null, null));
        Assert.Null(converter.FromConnectData("t", null, Schema.StringSchema, null));
        var bytes = converter.FromConnectData("t", null, Schema.OptionalStringSchema, null)!;
        Assert.Equal("null", Encoding.UTF8.GetString(bytes, 5, bytes.Length - 5));
        Assert.Equal(SchemaAndValue.Null, converter.ToConnectData("t", null, null));
    }

    [Fact]
    public void Bytes_without_the_magic_byte_are_a_DataException()
    {
        var e = Assert.Throws<DataException>(() => Converter().ToConnectData("t", null, "{\"a\":1}"u8.ToArray()));
        Assert.Contains("magic byte", e.Message, StringComparison.Ordinal);
        Assert.Throws<DataException>(() => Converter().ToConnectData("t", null, [0, 0]));
        Assert.Equal(0, _registry.Requests);
    }

    [Fact]
    public void An_unknown_schema_id_is_a_DataException_naming_the_id()
    {
        var e = Assert.Throws<DataException>(() => Converter().ToConnectData("t", null, [0, 0, 0, 0, 99, (byte)'1']));
        Assert.Contains("schema id 99", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, _registry.Requests);
    }

    [Fact]
    public void A_payload_that_is_not_json_is_a_DataException()
    {
        var good = Converter().FromConnectData("t", null, Schema.StringSchema, "x")!;
        var bad = good[..5].Concat("{oops"u8.ToArray()).ToArray();
        var e = Assert.Throws<DataException>(() => Converter().ToConnectData("t", null, bad));
        Assert.Contains("not JSON", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fail_invalid_schema_rejects_payloads_the_schema_does_not_allow()
    {
        var writer = Converter();
        var good = writer.FromConnectData("t", null, JsonSchemaDataTests.OrderSchema, JsonSchemaDataTests.Order())!;
        // The same id with a payload whose "id" is a string: only the validating reader notices before mapping.
        var bad = good[..5].Concat("{\"id\":\"42\",\"amount\":\"BNI=\",\"created\":1,\"tags\":[],\"ok\":true}"u8.ToArray()).ToArray();
        var e = Assert.Throws<DataException>(() => Converter(("json.fail.invalid.schema", "true")).ToConnectData("t", null, bad));
        Assert.Contains("does not match its schema", e.Message, StringComparison.Ordinal);
        Assert.Contains("/id", e.Message, StringComparison.Ordinal);

        // Lenient by default (Confluent's default is false); our mapping still refuses the wrong kind, naming the field.
        var lenient = Assert.Throws<DataException>(() => Converter().ToConnectData("t", null, bad));
        Assert.Contains("Field id", lenient.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fail_invalid_schema_accepts_what_the_converter_writes()
    {
        var converter = Converter(("json.fail.invalid.schema", "true"));
        var bytes = converter.FromConnectData("t", null, JsonSchemaDataTests.OrderSchema, JsonSchemaDataTests.Order())!;
        Assert.Equal(JsonSchemaDataTests.Order(), converter.ToConnectData("t", null, bytes).Value);
    }

    [Fact]
    public void A_protobuf_schema_id_is_refused()
    {
        var id = _registry.Register("t-value", "syntax = \"proto3\";", "PROTOBUF");
        var e = Assert.Throws<DataException>(() => Converter().ToConnectData("t", null, [0, 0, 0, 0, (byte)id, (byte)'1']));
        Assert.Contains("PROTOBUF", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_registry_url_is_a_ConfigException()
    {
        Assert.Throws<ConfigException>(() => new JsonSchemaConverter().Configure(new Dictionary<string, string>(), false));
    }
}
