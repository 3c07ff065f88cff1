using System.Text;
using Confluent.SchemaRegistry;
using KafkaConnect.Client.Consumer;

namespace KafkaConnect.SchemaRegistry.Tests;

/// <summary>The <c>_schemas</c> records in Confluent's exact key and value JSON, and a restart that keeps ids and versions.</summary>
public sealed class StoreTopicTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    private const string Avro = """{"type":"record","name":"Fmt","namespace":"t","fields":[{"name":"a","type":"string"}]}""";
    private const string Proto = "syntax = \"proto3\";\nmessage P { int32 n = 1; }";

    [Fact]
    public async Task RecordsAreConfluentsKeyAndValueJson_ByteForByte()
    {
        var topic = "_schemas_fmt_" + Guid.NewGuid().ToString("N")[..8];
        await using var registry = await fixture.StartRegistryAsync(topic);
        var url = registry.Url.ToString().TrimEnd('/');
        using (var client = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = url }))
        {
            Assert.Equal(1, await client.RegisterSchemaAsync("fmt-value", new Schema(Avro, SchemaType.Avro)));
            Assert.Equal(1, await client.RegisterSchemaAsync("fmt2-value", new Schema(Avro, SchemaType.Avro)));
            Assert.Equal(2, await client.RegisterSchemaAsync("fmt-proto", new Schema(Proto, SchemaType.Protobuf)));
            Assert.Equal(3, await client.RegisterSchemaAsync("fmt-ref", new Schema("""{"type":"record","name":"Ref","namespace":"t","fields":[{"name":"f","type":"Fmt"}]}""",
                [new SchemaReference("t.Fmt", "fmt-value", 1)], SchemaType.Avro)));
        }
        Assert.Equal(200, (await Http.SendAsync(url, HttpMethod.Put, "/config/fmt-value", """{"compatibility":"FULL"}""")).Status);
        Assert.Equal(200, (await Http.SendAsync(url, HttpMethod.Put, "/config", """{"compatibility":"BACKWARD_TRANSITIVE"}""")).Status);
        Assert.Equal(200, (await Http.SendAsync(url, HttpMethod.Put, "/mode/fmt-proto", """{"mode":"READONLY"}""")).Status);
        Assert.Equal(200, (await Http.SendAsync(url, HttpMethod.Delete, "/mode/fmt-proto")).Status);
        Assert.Equal(200, (await Http.SendAsync(url, HttpMethod.Delete, "/subjects/fmt2-value")).Status);
        Assert.Equal(200, (await Http.SendAsync(url, HttpMethod.Delete, "/subjects/fmt2-value?permanent=true")).Status);

        var avroJson = Avro.Replace("\"", "\\\"", StringComparison.Ordinal);
        string[] expected =
        [
            """{"keytype":"SCHEMA","subject":"fmt-value","version":1,"magic":1}""",
            $$"""{"subject":"fmt-value","version":1,"id":1,"schemaType":"AVRO","schema":"{{avroJson}}","deleted":false}""",
            """{"keytype":"SCHEMA","subject":"fmt2-value","version":1,"magic":1}""",
            $$"""{"subject":"fmt2-value","version":1,"id":1,"schemaType":"AVRO","schema":"{{avroJson}}","deleted":false}""",
            """{"keytype":"SCHEMA","subject":"fmt-proto","version":1,"magic":1}""",
            """{"subject":"fmt-proto","version":1,"id":2,"schemaType":"PROTOBUF","schema":"syntax = \"proto3\";\nmessage P { int32 n = 1; }","deleted":false}""",
            """{"keytype":"SCHEMA","subject":"fmt-ref","version":1,"magic":1}""",
            """{"subject":"fmt-ref","version":1,"id":3,"schemaType":"AVRO","references":[{"name":"t.Fmt","subject":"fmt-value","version":1}],"schema":"{\"type\":\"record\",\"name\":\"Ref\",\"namespace\":\"t\",\"fields\":[{\"name\":\"f\",\"type\":\"Fmt\"}]}","deleted":false}""",
            """{"keytype":"CONFIG","subject":"fmt-value","magic":0}""",
            """{"subject":"fmt-value","compatibilityLevel":"FULL"}""",
            """{"keytype":"CONFIG","subject":null,"magic":0}""",
            """{"compatibilityLevel":"BACKWARD_TRANSITIVE"}""",
            """{"keytype":"MODE","subject":"fmt-proto","magic":0}""",
            """{"subject":"fmt-proto","mode":"READONLY"}""",
            """{"keytype":"MODE","subject":"fmt-proto","magic":0}""",
            "<tombstone>",
            """{"keytype":"DELETE_SUBJECT","subject":"fmt2-value","magic":0}""",
            """{"subject":"fmt2-value","version":1}""",
            """{"keytype":"SCHEMA","subject":"fmt2-value","version":1,"magic":1}""",
            "<tombstone>",
        ];
        var records = await ReadAllAsync(topic, expected.Length / 2);
        Assert.Equal(expected, records.SelectMany(r => new[] { r.Key, r.Value }));
    }

    [Fact]
    public async Task RestartOnTheSameTopic_KeepsIdsVersionsAndConfig()
    {
        var topic = "_schemas_restart_" + Guid.NewGuid().ToString("N")[..8];
        int avroId, protoId;
        var registry = await fixture.StartRegistryAsync(topic);
        try
        {
            using var client = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = registry.Url.ToString() });
            avroId = await client.RegisterSchemaAsync("restart-value", new Schema(Avro, SchemaType.Avro));
            protoId = await client.RegisterSchemaAsync("restart-proto", new Schema(Proto, SchemaType.Protobuf));
            await client.UpdateCompatibilityAsync(Compatibility.None, "restart-value");
        }
        finally
        {
            await registry.DisposeAsync();
        }

        await using var again = await fixture.StartRegistryAsync(topic);
        using var fresh = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = again.Url.ToString() });
        Assert.Equal(Avro, (await fresh.GetSchemaAsync(avroId)).SchemaString);
        Assert.Equal(SchemaType.Protobuf, (await fresh.GetSchemaAsync(protoId)).SchemaType);
        Assert.Equal(avroId, await fresh.GetSchemaIdAsync("restart-value", new Schema(Avro, SchemaType.Avro)));
        Assert.Equal(Compatibility.None, await fresh.GetCompatibilityAsync("restart-value"));
        // NONE survived the restart: an unrelated schema is accepted as version 2, with the next id.
        var next = await fresh.RegisterSchemaAsync("restart-value", new Schema("\"long\"", SchemaType.Avro));
        Assert.Equal(Math.Max(avroId, protoId) + 1, next);
        Assert.Equal([1, 2], await fresh.GetSubjectVersionsAsync("restart-value"));
    }

    /// <summary>
    /// A topic as Confluent's registries leave it: an older release's values without schemaType, a NOOP marker, a
    /// soft-deleted subject (DELETE_SUBJECT), a CLEAR_SUBJECT, a global config and mode, and an unknown newer key type.
    /// </summary>
    [Fact]
    public async Task TopicWrittenByConfluent_IsReadAsConfluentReadsIt()
    {
        var topic = "_schemas_confluent_" + Guid.NewGuid().ToString("N")[..8];
        await using (var admin = new KafkaConnect.Client.Admin.KafkaAdminClient(new Dictionary<string, string> { ["bootstrap.servers"] = fixture.BootstrapServers }))
        {
            await admin.CreateTopicsAsync([new KafkaConnect.Client.Admin.NewTopic(topic, 1, 1) { Configs = new Dictionary<string, string> { ["cleanup.policy"] = "compact" } }]);
        }
        (string Key, string? Value)[] records =
        [
            ("""{"keytype":"NOOP","magic":0}""", null),
            ("""{"keytype":"SCHEMA","subject":"old-value","version":1,"magic":1}""", """{"subject":"old-value","version":1,"id":7,"schema":"\"string\"","deleted":false}"""),
            ("""{"keytype":"SCHEMA","subject":"old-value","version":2,"magic":1}""", """{"subject":"old-value","version":2,"id":9,"schema":"\"bytes\"","deleted":false}"""),
            ("""{"keytype":"SCHEMA","subject":"gone-value","version":1,"magic":1}""", """{"subject":"gone-value","version":1,"id":8,"schemaType":"JSON","schema":"{\"type\":\"string\"}","deleted":false}"""),
            ("""{"keytype":"DELETE_SUBJECT","subject":"gone-value","magic":0}""", """{"subject":"gone-value","version":1}"""),
            ("""{"keytype":"SCHEMA","subject":"clear-value","version":1,"magic":1}""", """{"subject":"clear-value","version":1,"id":10,"schema":"\"long\"","deleted":true}"""),
            ("""{"keytype":"CLEAR_SUBJECT","subject":"clear-value","magic":0}""", """{"subject":"clear-value"}"""),
            ("""{"keytype":"CONFIG","subject":null,"magic":0}""", """{"compatibilityLevel":"FULL"}"""),
            ("""{"keytype":"MODE","subject":null,"magic":0}""", """{"mode":"READWRITE"}"""),
            ("""{"keytype":"CONTEXT","tenant":"default","context":".","magic":0}""", """{"tenant":"default","context":"."}"""),
        ];
        await using (var producer = new KafkaConnect.Client.Producer.KafkaProducer(new Dictionary<string, string> { ["bootstrap.servers"] = fixture.BootstrapServers }))
        {
            foreach (var (key, value) in records)
            {
                await producer.ProduceAsync(new KafkaConnect.Client.Producer.ProducerRecord(topic, Encoding.UTF8.GetBytes(key),
                    value is null ? default(ReadOnlyMemory<byte>?) : Encoding.UTF8.GetBytes(value)));
            }
        }

        await using var registry = await fixture.StartRegistryAsync(topic);
        var url = registry.Url.ToString().TrimEnd('/');
        Assert.Equal("""["old-value"]""", (await Http.SendAsync(url, HttpMethod.Get, "/subjects")).Text);
        Assert.Equal("""["gone-value","old-value"]""", (await Http.SendAsync(url, HttpMethod.Get, "/subjects?deleted=true")).Text);
        Assert.Equal("""{"subject":"old-value","version":2,"id":9,"schema":"\"bytes\""}""", (await Http.SendAsync(url, HttpMethod.Get, "/subjects/old-value/versions/latest")).Text);
        Assert.Equal("""{"schemaType":"JSON","schema":"{\"type\":\"string\"}"}""", (await Http.SendAsync(url, HttpMethod.Get, "/schemas/ids/8")).Text);
        Assert.Equal(404, (await Http.SendAsync(url, HttpMethod.Get, "/schemas/ids/10")).Status);
        Assert.Equal("""{"compatibilityLevel":"FULL"}""", (await Http.SendAsync(url, HttpMethod.Get, "/config")).Text);
        // The next id follows the highest in the topic, whichever subject or state holds it.
        var registered = await Http.SendAsync(url, HttpMethod.Post, "/subjects/new-value/versions", Http.SchemaBody("\"double\""));
        Assert.Equal("""{"id":11}""", registered.Text);
    }

    [Fact]
    public async Task ExistingTopicMustHaveOnePartitionAndCompaction()
    {
        await using var admin = new KafkaConnect.Client.Admin.KafkaAdminClient(new Dictionary<string, string> { ["bootstrap.servers"] = fixture.BootstrapServers });
        var twoPartitions = "_schemas_two_" + Guid.NewGuid().ToString("N")[..8];
        var deleting = "_schemas_delete_" + Guid.NewGuid().ToString("N")[..8];
        await admin.CreateTopicsAsync([
            new KafkaConnect.Client.Admin.NewTopic(twoPartitions, 2, 1) { Configs = new Dictionary<string, string> { ["cleanup.policy"] = "compact" } },
            new KafkaConnect.Client.Admin.NewTopic(deleting, 1, 1) { Configs = new Dictionary<string, string> { ["cleanup.policy"] = "delete" } },
        ]);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => fixture.StartRegistryAsync(twoPartitions));
        Assert.Equal($"The schema topic {twoPartitions} should have only 1 partition but has 2", ex.Message);
        ex = await Assert.ThrowsAsync<InvalidOperationException>(() => fixture.StartRegistryAsync(deleting));
        Assert.Equal($"The retention policy of the schema topic {deleting} is incorrect. Expected cleanup.policy to be 'compact' but it is delete", ex.Message);
    }

    private async Task<List<(string Key, string Value)>> ReadAllAsync(string topic, int count)
    {
        await using var consumer = new KafkaConsumer(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = fixture.BootstrapServers,
            ["auto.offset.reset"] = "earliest",
            ["enable.auto.commit"] = "false",
        });
        var tp = new TopicPartition(topic, 0);
        consumer.Assign([tp]);
        await consumer.SeekToBeginningAsync([tp]);
        var result = new List<(string, string)>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (result.Count < count && DateTime.UtcNow < deadline)
        {
            foreach (var r in await consumer.PollAsync(TimeSpan.FromMilliseconds(200)))
            {
                result.Add((Encoding.UTF8.GetString(r.Key!.Value.Span), r.Value is { } v ? Encoding.UTF8.GetString(v.Span) : "<tombstone>"));
            }
        }
        return result;
    }
}
