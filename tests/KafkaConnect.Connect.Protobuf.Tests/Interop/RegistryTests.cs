using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Tests.Shared;
using KafkaConnect.SchemaRegistry.Tests;

namespace KafkaConnect.Connect.Protobuf.Tests;

/// <summary>The converter with its defaults against our registry server (in-process, on an in-process broker).</summary>
public sealed class RegistryTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    private ProtobufConverter Converter(bool isKey)
    {
        var converter = new ProtobufConverter();
        converter.Configure(new Dictionary<string, string> { ["schema.registry.url"] = fixture.Url }, isKey);
        return converter;
    }

    [Fact]
    public void Records_with_known_type_imports_and_primitive_keys_round_trip_through_the_registry()
    {
        var topic = "pb-reg-" + Guid.NewGuid().ToString("N")[..8];
        var values = Converter(isKey: false);
        var bytes = values.FromConnectData(topic, null, TestRecords.OrderSchema, TestRecords.Order())!;
        var read = (Struct)Converter(isKey: false).ToConnectData(topic, null, bytes).Value!;
        Assert.Equal(12.34m, read.Get("amount"));
        Assert.Equal(TestRecords.Order().Get("created"), read.Get("created"));

        var keys = Converter(isKey: true);
        Assert.Equal("k1", Converter(isKey: true).ToConnectData(topic, null, keys.FromConnectData(topic, null, Schema.StringSchema, "k1")).Value);
    }

    [Fact]
    public void An_id_the_registry_does_not_know_is_a_DataException()
    {
        var e = Assert.Throws<Errors.DataException>(() => Converter(isKey: false).ToConnectData("t", null, [0, 0x7F, 0, 0, 1, 0]));
        Assert.Contains("schema id", e.Message, StringComparison.Ordinal);
    }
}
