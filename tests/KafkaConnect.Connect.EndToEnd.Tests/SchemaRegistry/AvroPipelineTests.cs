using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Avro;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.Kafka.SyncOverAsync;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests.Registry;

/// <summary>
/// Issue 14's main proof: Avro records written by two implementations nobody here wrote — Confluent's .NET serdes and
/// kafkajs with @kafkajs/confluent-schema-registry — go through our registry and our AvroConverter into PostgreSQL
/// with the right column types; our JDBC source reads them back and both implementations read what our converter
/// wrote, field for field, logical types included.
/// </summary>
public sealed class AvroPipelineTests(ITestOutputHelper output)
{
    private const int Records = 30;

    private const string AvroConverter = "io.confluent.connect.avro.AvroConverter";

    private static readonly DateTime s_epoch = new(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private const string OrderSchema = """
        {"type":"record","name":"Order","namespace":"shop","fields":[
          {"name":"id","type":"int"},
          {"name":"customer","type":"string"},
          {"name":"quantity","type":"long"},
          {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}},
          {"name":"ordered_on","type":{"type":"int","logicalType":"date"}},
          {"name":"created_at","type":{"type":"long","logicalType":"timestamp-millis"}},
          {"name":"paid","type":"boolean"},
          {"name":"weight","type":"double"},
          {"name":"note","type":["null","string"],"default":null}
        ]}
        """;

    /// <summary>The values of record <paramref name="i"/>, as every side must see them.</summary>
    private sealed record Order(int Id, string Customer, long Quantity, decimal Price, DateTime OrderedOn, DateTime CreatedAt, bool Paid, double Weight, string? Note)
    {
        public static Order For(int i, string who) => new(
            i, $"{who}-customer-{i}", i * 1000L, (i * 100 + 99) / 100m, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(i),
            new DateTime(2026, 12, 3, 10, 0, 0, DateTimeKind.Utc).AddSeconds(i).AddMilliseconds(i), i % 2 == 0, i * 0.5,
            i % 3 == 0 ? null : $"note {i} ✓");
    }

    [Fact]
    public async Task Avro_from_confluent_and_kafkajs_reaches_postgres_typed_and_comes_back_readable_by_both()
    {
        await using var pipeline = await RegistryPipeline.StartAsync(output);
        var worker = pipeline.Worker;
        var registry = pipeline.Registry;

        var suffix = Guid.NewGuid().ToString("N")[..8];
        var fromConfluent = $"avro_confluent_{suffix}";
        var fromKafkajs = $"avro_kafkajs_{suffix}";
        await PipelinePostgres.DropTablesAsync(fromConfluent, fromKafkajs);
        try
        {
            // Confluent's AvroSerializer registers the schema under <topic>-value in our registry and frames the records.
            using (var confluentRegistry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = registry.Url }))
            using (var producer = new ProducerBuilder<Null, GenericRecord>(new ProducerConfig { BootstrapServers = worker.BrokerServers, Acks = Acks.All })
                .SetValueSerializer(new AvroSerializer<GenericRecord>(confluentRegistry)).Build())
            {
                var schema = (RecordSchema)global::Avro.Schema.Parse(OrderSchema);
                for (var i = 1; i <= Records; i++)
                {
                    var o = Order.For(i, "confluent");
                    var record = new GenericRecord(schema);
                    record.Add("id", o.Id);
                    record.Add("customer", o.Customer);
                    record.Add("quantity", o.Quantity);
                    record.Add("price", new AvroDecimal(o.Price));
                    record.Add("ordered_on", o.OrderedOn);
                    record.Add("created_at", o.CreatedAt);
                    record.Add("paid", o.Paid);
                    record.Add("weight", o.Weight);
                    record.Add("note", o.Note);
                    await producer.ProduceAsync(fromConfluent, new Message<Null, GenericRecord> { Value = record });
                }
            }

            // kafkajs + avsc do the same for the second topic.
            var lines = Enumerable.Range(1, Records).Select(i => Order.For(i, "kafkajs")).Select(o => new JsonObject
            {
                ["id"] = o.Id,
                ["customer"] = o.Customer,
                ["quantity"] = o.Quantity,
                ["price"] = Convert.ToBase64String(UnscaledDecimal.ToBytes(o.Price, 2)),
                ["ordered_on"] = (int)(o.OrderedOn - s_epoch).TotalDays,
                ["created_at"] = (long)(o.CreatedAt - s_epoch).TotalMilliseconds,
                ["paid"] = o.Paid,
                ["weight"] = o.Weight,
                ["note"] = o.Note,
            }.ToJsonString());
            var recordsFile = worker.WriteFile("kafkajs-records.jsonl", string.Join('\n', lines));
            var schemaFile = worker.WriteFile("order.avsc", OrderSchema);
            var produced = await NodePeer.RunAsync("produce", worker.BrokerServers, registry.Url, fromKafkajs, schemaFile, recordsFile);
            Assert.Contains($"\"sent\":{Records}", produced.Last(), StringComparison.Ordinal);

            await pipeline.StartJdbcSinkAsync($"avro-sink-{suffix}", $"{fromConfluent},{fromKafkajs}", AvroConverter);

            foreach (var (table, who) in new[] { (fromConfluent, "confluent"), (fromKafkajs, "kafkajs") })
            {
                await pipeline.WaitForRowsAsync(table, Records);
                Assert.Equal(new Dictionary<string, string>
                {
                    ["id"] = "integer NO",
                    ["customer"] = "text NO",
                    ["quantity"] = "bigint NO",
                    ["price"] = "numeric NO",
                    ["ordered_on"] = "date NO",
                    ["created_at"] = "timestamp without time zone NO",
                    ["paid"] = "boolean NO",
                    ["weight"] = "double precision NO",
                    ["note"] = "text YES",
                }, await PipelinePostgres.ColumnsAsync(table));
                var rows = await RowsAsync(table);
                Assert.Equal(Enumerable.Range(1, Records).Select(i => Order.For(i, who)), rows);
            }

            // Back out: our JDBC source with our AvroConverter; Confluent's deserializer and kafkajs read it.
            var backTopic = RegistryPipeline.BackPrefix + fromConfluent;
            await pipeline.StartJdbcSourceAsync($"avro-source-{suffix}", fromConfluent, AvroConverter);

            var expected = Enumerable.Range(1, Records).Select(i => Order.For(i, "confluent")).ToList();
            using (var confluentRegistry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = registry.Url }))
            {
                var read = pipeline.Consume(backTopic, Records, new AvroDeserializer<GenericRecord>(confluentRegistry).AsSyncOverAsync());
                Assert.Equal(expected, read.Select(OrderOf).OrderBy(o => o.Id));
            }

            var decoded = await NodePeer.RunAsync("consume", worker.BrokerServers, registry.Url, backTopic, Records.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(Records, decoded.Length);
            var fromNode = decoded.Select(line => JsonNode.Parse(line)!.AsObject()).OrderBy(o => (int)o["id"]!).ToList();
            for (var i = 0; i < Records; i++)
            {
                var o = expected[i];
                var n = fromNode[i];
                Assert.Equal(o.Id, (int)n["id"]!);
                Assert.Equal(o.Customer, (string)n["customer"]!);
                Assert.Equal(o.Quantity, (long)n["quantity"]!);
                Assert.Equal((int)(o.OrderedOn - s_epoch).TotalDays, (int)n["ordered_on"]!);
                Assert.Equal((long)(o.CreatedAt - s_epoch).TotalMilliseconds, (long)n["created_at"]!);
                Assert.Equal(o.Paid, (bool)n["paid"]!);
                Assert.Equal(o.Weight, (double)n["weight"]!);
                Assert.Equal(o.Note, (string?)n["note"]);
                // avsc leaves the decimal as its unscaled bytes; the scale is the schema's.
                Assert.Equal(o.Price, UnscaledDecimal.FromBytes(Convert.FromBase64String((string)n["price"]!), 2));
            }
        }
        finally
        {
            await PipelinePostgres.DropTablesAsync(fromConfluent, fromKafkajs);
        }
    }

    private static Order OrderOf(GenericRecord r) => new(
        (int)r["id"], (string)r["customer"], (long)r["quantity"], decimal.Parse(((AvroDecimal)r["price"]).ToString(), CultureInfo.InvariantCulture),
        DateTime.SpecifyKind((DateTime)r["ordered_on"], DateTimeKind.Utc), DateTime.SpecifyKind((DateTime)r["created_at"], DateTimeKind.Utc),
        (bool)r["paid"], (double)r["weight"], (string?)r["note"]);

    private static Task<List<Order>> RowsAsync(string table) => PipelinePostgres.QueryAsync(
        $"SELECT id, customer, quantity, price, ordered_on, created_at, paid, weight, note FROM \"{table}\" ORDER BY id",
        r => new Order(r.GetInt32(0), r.GetString(1), r.GetInt64(2), r.GetDecimal(3),
            DateTime.SpecifyKind(r.GetDateTime(4), DateTimeKind.Utc), DateTime.SpecifyKind(r.GetDateTime(5), DateTimeKind.Utc),
            r.GetBoolean(6), r.GetDouble(7), r.IsDBNull(8) ? null : r.GetString(8)));
}
