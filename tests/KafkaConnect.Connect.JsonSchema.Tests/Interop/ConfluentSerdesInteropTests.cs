using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Tests.Shared;
using KafkaConnect.SchemaRegistry.Tests;
using Newtonsoft.Json;

namespace KafkaConnect.Connect.JsonSchema.Tests;

/// <summary>
/// Confluent's own .NET JSON Schema serdes (Confluent.SchemaRegistry.Serdes.Json 2.16.0, NJsonSchema inside) as
/// oracles, through our registry: what their serializer writes our converter reads field for field, (after their
/// serializer validated its JSON against our schema text), and what our converter writes their deserializer reads.
/// </summary>
public sealed class ConfluentSerdesInteropTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    public sealed class OrderPoco
    {
        [JsonProperty("id")]
        public int Id { get; set; }

        [JsonProperty("name")]
        public string? Name { get; set; }

        [JsonProperty("amount")]
        public decimal Amount { get; set; }

        [JsonProperty("created")]
        public long Created { get; set; }

        [JsonProperty("tags")]
        public List<string> Tags { get; set; } = [];

        [JsonProperty("ok")]
        public bool Ok { get; set; }
    }

    private JsonSchemaConverter Converter(params (string Key, string Value)[] extra)
    {
        var config = new Dictionary<string, string> { ["schema.registry.url"] = fixture.Url, ["decimal.format"] = "NUMERIC" };
        foreach (var (key, value) in extra)
        {
            config[key] = value;
        }
        var converter = new JsonSchemaConverter();
        converter.Configure(config, isKey: false);
        return converter;
    }

    [Fact]
    public async Task What_Confluents_JsonSerializer_writes_our_converter_reads_field_for_field()
    {
        var topic = "js-in-" + Guid.NewGuid().ToString("N")[..8];
        var ours = Converter();
        var schemaText = ours.JsonSchemaFor(TestRecords.OrderSchema);
        using var client = fixture.Client();
        var serializer = new JsonSerializer<OrderPoco>(client, new Confluent.SchemaRegistry.Schema(schemaText, Confluent.SchemaRegistry.SchemaType.Json),
            // Validate: their serializer checks the JSON it makes against our schema text (NJsonSchema) before writing.
            new JsonSerializerConfig { AutoRegisterSchemas = true, Validate = true }, null);
        var poco = new OrderPoco { Id = 42, Amount = 12.34m, Created = 1_704_164_645_678, Tags = ["a", "b"], Ok = true };

        var bytes = await serializer.SerializeAsync(poco, new SerializationContext(MessageComponentType.Value, topic));
        var read = ours.ToConnectData(topic, null, bytes);

        var value = Assert.IsType<Struct>(read.Value);
        Assert.Equal(42, value.Get("id"));
        Assert.Null(value.Get("name"));
        Assert.Equal(12.34m, value.Get("amount"));
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 3, 4, 5, 678, TimeSpan.Zero), value.Get("created"));
        Assert.Equal(new List<object?> { "a", "b" }, value.Get("tags"));
        Assert.Equal(true, value.Get("ok"));
        // Their serializer registered our text: the id our converter would write is theirs.
        Assert.Equal(bytes[..5], ours.FromConnectData(topic, null, TestRecords.OrderSchema, TestRecords.Order())![..5]);
    }

    [Fact]
    public async Task What_our_converter_writes_Confluents_JsonDeserializer_reads()
    {
        var topic = "js-out-" + Guid.NewGuid().ToString("N")[..8];
        var bytes = Converter().FromConnectData(topic, null, TestRecords.OrderSchema, TestRecords.Order().Put("name", "Ann"))!;

        using var client = fixture.Client();
        var poco = await new JsonDeserializer<OrderPoco>(client, (JsonDeserializerConfig?)null).DeserializeAsync(bytes, isNull: false, new SerializationContext(MessageComponentType.Value, topic));

        Assert.Equal(42, poco.Id);
        Assert.Equal("Ann", poco.Name);
        Assert.Equal(12.34m, poco.Amount);
        Assert.Equal(1_704_164_645_678, poco.Created);
        Assert.Equal(["a", "b"], poco.Tags);
        Assert.True(poco.Ok);
    }

    [Fact]
    public void An_id_the_registry_does_not_know_is_a_DataException()
    {
        var e = Assert.Throws<Errors.DataException>(() => Converter().ToConnectData("t", null, [0, 0x7F, 0, 0, 1, (byte)'1']));
        Assert.Contains("schema id", e.Message, StringComparison.Ordinal);
    }
}
