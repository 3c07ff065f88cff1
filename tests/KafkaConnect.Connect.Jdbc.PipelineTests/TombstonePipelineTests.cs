using System.Buffers.Binary;
using System.Text;

namespace KafkaConnect.Connect.Jdbc.PipelineTests;

/// <summary>delete.enabled=true with pk.mode=record_key: a tombstone deletes the row its key names.</summary>
public sealed class TombstonePipelineTests : IClassFixture<BrokerFixture>, IDisposable
{
    private const string ValueSchema =
        "{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":true,\"field\":\"name\"}],\"optional\":false,\"name\":\"person\"}";

    private readonly BrokerFixture _broker;
    private readonly string _dir = Directory.CreateTempSubdirectory("kc-jdbc-pipeline").FullName;
    private readonly List<string> _pgTables = [];

    public TombstonePipelineTests(BrokerFixture broker)
    {
        _broker = broker;
    }

    public void Dispose()
    {
        _pgTables.ForEach(Db.DropPg);
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static byte[] Value(string name) => Encoding.UTF8.GetBytes($"{{\"schema\":{ValueSchema},\"payload\":{{\"name\":\"{name}\"}}}}");

    [Fact]
    public Task StructKey_JsonConverter_TombstoneDeletesRow() => RunAsync(
        "org.apache.kafka.connect.json.JsonConverter",
        id => Encoding.UTF8.GetBytes($"{{\"schema\":{{\"type\":\"struct\",\"fields\":[{{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"}}],\"optional\":false}},\"payload\":{{\"id\":{id}}}}}"));

    [Fact]
    public Task PrimitiveKey_IntegerConverter_TombstoneDeletesRow() => RunAsync(
        "org.apache.kafka.connect.converters.IntegerConverter",
        id =>
        {
            var b = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(b, id);
            return b;
        });

    private async Task RunAsync(string keyConverter, Func<int, byte[]> key)
    {
        var topic = Harness.Unique("tomb");
        _pgTables.Add(topic);
        await Harness.ProduceAsync(_broker.BootstrapServers, topic,
        [
            (key(1), Value("one")), (key(2), Value("two")), (key(3), Value("three")),
            (key(2), null), (key(3), Value("three-b")),
        ]);
        await using var herder = Harness.NewHerder(_broker.BootstrapServers, Path.Combine(_dir, "connect.offsets"));
        await herder.PutConnectorConfigAsync("sink-" + topic, new Dictionary<string, string>
        {
            ["name"] = "sink-" + topic,
            ["connector.class"] = "io.confluent.connect.jdbc.JdbcSinkConnector",
            ["topics"] = topic,
            ["connection.url"] = Db.PgUrl,
            ["auto.create"] = "true",
            ["insert.mode"] = "upsert",
            ["delete.enabled"] = "true",
            ["pk.mode"] = "record_key",
            ["pk.fields"] = "id",
            ["key.converter"] = keyConverter,
        }, allowReplace: false);
        await DatabendTutorialPipelineTests.WaitCountAsync(herder, topic, 2);
        Assert.Equal([[1, "one"], [3, "three-b"]], Db.Rows(() => Db.OpenPg(), $"SELECT id, name FROM \"{topic}\" ORDER BY id"));

        // A tombstone in a later batch, for a row written earlier.
        await Harness.ProduceAsync(_broker.BootstrapServers, topic, [(key(1), null)]);
        await DatabendTutorialPipelineTests.WaitCountAsync(herder, topic, 1);
        Assert.Equal([[3, "three-b"]], Db.Rows(() => Db.OpenPg(), $"SELECT id, name FROM \"{topic}\" ORDER BY id"));
    }
}
