using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Avro;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.Kafka.SyncOverAsync;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;
using Npgsql;
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
    private const string PgUrl = "jdbc:postgresql://127.0.0.1:55432/kctest";
    private const string PgAdo = "Host=127.0.0.1;Port=55432;Username=postgres;Database=kctest;Pooling=false";
    private const int Records = 30;

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

    private static byte[] Unscaled(decimal value, int scale) =>
        new BigInteger(decimal.Round(value * (decimal)Math.Pow(10, scale))).ToByteArray(isUnsigned: false, isBigEndian: true);

    [Fact]
    public async Task Avro_from_confluent_and_kafkajs_reaches_postgres_typed_and_comes_back_readable_by_both()
    {
        await using var worker = new WorkerProcess(output);
        var workerFile = worker.WriteFile("worker.properties", $"""
            key.converter=org.apache.kafka.connect.storage.StringConverter
            value.converter=org.apache.kafka.connect.json.JsonConverter
            offset.storage.file.filename={worker.PathOf("connect.offsets")}
            offset.flush.interval.ms=1000
            {worker.PortLines()}
            """);
        await worker.StartAsync(workerFile);
        await using var registry = new RegistryProcess(worker.Dir, worker.BrokerServers);
        await registry.StartAsync();

        var suffix = Guid.NewGuid().ToString("N")[..8];
        var fromConfluent = $"avro_confluent_{suffix}";
        var fromKafkajs = $"avro_kafkajs_{suffix}";
        await DropTablesAsync(fromConfluent, fromKafkajs);
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
                ["price"] = Convert.ToBase64String(Unscaled(o.Price, 2)),
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

            await PostConnectorAsync(worker, $"avro-sink-{suffix}", new Dictionary<string, string>
            {
                ["connector.class"] = "io.confluent.connect.jdbc.JdbcSinkConnector",
                ["topics"] = $"{fromConfluent},{fromKafkajs}",
                ["connection.url"] = PgUrl,
                ["connection.user"] = "postgres",
                ["auto.create"] = "true",
                ["insert.mode"] = "insert",
                ["table.name.format"] = "${topic}",
                ["value.converter"] = "io.confluent.connect.avro.AvroConverter",
                ["value.converter.schema.registry.url"] = registry.Url,
            });

            foreach (var (table, who) in new[] { (fromConfluent, "confluent"), (fromKafkajs, "kafkajs") })
            {
                await Eventually.WaitAsync(async () => await CountAsync(table) == Records, TimeSpan.FromSeconds(60),
                    () => $"{table} did not get {Records} rows:{Environment.NewLine}{worker.Current.Tail(60)}");
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
                }, await ColumnsAsync(table));
                var rows = await RowsAsync(table);
                Assert.Equal(Enumerable.Range(1, Records).Select(i => Order.For(i, who)), rows);
            }

            // Back out: our JDBC source with our AvroConverter; Confluent's deserializer and kafkajs read it.
            var backTopic = $"back-{fromConfluent}";
            await PostConnectorAsync(worker, $"avro-source-{suffix}", new Dictionary<string, string>
            {
                ["connector.class"] = "io.confluent.connect.jdbc.JdbcSourceConnector",
                ["connection.url"] = PgUrl,
                ["connection.user"] = "postgres",
                ["mode"] = "incrementing",
                ["incrementing.column.name"] = "id",
                ["table.whitelist"] = fromConfluent,
                ["topic.prefix"] = "back-",
                ["poll.interval.ms"] = "200",
                ["value.converter"] = "io.confluent.connect.avro.AvroConverter",
                ["value.converter.schema.registry.url"] = registry.Url,
            });

            var expected = Enumerable.Range(1, Records).Select(i => Order.For(i, "confluent")).ToList();
            Assert.Equal(expected, ConsumeWithConfluent(worker.BrokerServers, registry.Url, backTopic, Records));

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
                var unscaled = new BigInteger(Convert.FromBase64String((string)n["price"]!), isUnsigned: false, isBigEndian: true);
                Assert.Equal(o.Price, (decimal)unscaled / 100m);
            }
        }
        finally
        {
            await DropTablesAsync(fromConfluent, fromKafkajs);
        }
    }

    private static List<Order> ConsumeWithConfluent(string servers, string registryUrl, string topic, int count)
    {
        using var confluentRegistry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = registryUrl });
        using var consumer = new ConsumerBuilder<Ignore, GenericRecord>(new ConsumerConfig
        {
            BootstrapServers = servers,
            GroupId = "confluent-reader-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).SetValueDeserializer(new AvroDeserializer<GenericRecord>(confluentRegistry).AsSyncOverAsync()).Build();
        consumer.Subscribe(topic);
        var orders = new List<Order>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (orders.Count < count && DateTime.UtcNow < deadline)
        {
            ConsumeResult<Ignore, GenericRecord>? result;
            try
            {
                result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            }
            catch (ConsumeException e) when (e.Error.Code == ErrorCode.UnknownTopicOrPart)
            {
                // The source has not created its topic yet.
                continue;
            }
            if (result?.Message?.Value is not { } r)
            {
                continue;
            }
            orders.Add(new Order(
                (int)r["id"], (string)r["customer"], (long)r["quantity"], decimal.Parse(((AvroDecimal)r["price"]).ToString(), CultureInfo.InvariantCulture),
                DateTime.SpecifyKind((DateTime)r["ordered_on"], DateTimeKind.Utc), DateTime.SpecifyKind((DateTime)r["created_at"], DateTimeKind.Utc),
                (bool)r["paid"], (double)r["weight"], (string?)r["note"]));
        }
        consumer.Close();
        Assert.True(orders.Count == count, $"Confluent's deserializer read {orders.Count} of {count} records from {topic}");
        return [.. orders.OrderBy(o => o.Id)];
    }

    private static async Task PostConnectorAsync(WorkerProcess worker, string name, Dictionary<string, string> config)
    {
        using var response = await worker.Http.PostAsJsonAsync("/connectors", new { name, config });
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST {name}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        await worker.WaitForStateAsync(name, "RUNNING", timeoutSeconds: 60);
    }

    private static async Task<long> CountAsync(string table)
    {
        await using var db = new NpgsqlConnection(PgAdo);
        await db.OpenAsync();
        await using var exists = new NpgsqlCommand("SELECT to_regclass(@t) IS NOT NULL", db);
        exists.Parameters.AddWithValue("t", table);
        if (!(bool)(await exists.ExecuteScalarAsync())!)
        {
            return 0;
        }
        await using var count = new NpgsqlCommand($"SELECT count(*) FROM \"{table}\"", db);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static async Task<Dictionary<string, string>> ColumnsAsync(string table)
    {
        await using var db = new NpgsqlConnection(PgAdo);
        await db.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = @t", db);
        cmd.Parameters.AddWithValue("t", table);
        var columns = new Dictionary<string, string>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            columns[reader.GetString(0)] = $"{reader.GetString(1)} {reader.GetString(2)}";
        }
        return columns;
    }

    private static async Task<List<Order>> RowsAsync(string table)
    {
        await using var db = new NpgsqlConnection(PgAdo);
        await db.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            $"SELECT id, customer, quantity, price, ordered_on, created_at, paid, weight, note FROM \"{table}\" ORDER BY id", db);
        var rows = new List<Order>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new Order(reader.GetInt32(0), reader.GetString(1), reader.GetInt64(2), reader.GetDecimal(3),
                DateTime.SpecifyKind(reader.GetDateTime(4), DateTimeKind.Utc), DateTime.SpecifyKind(reader.GetDateTime(5), DateTimeKind.Utc),
                reader.GetBoolean(6), reader.GetDouble(7), reader.IsDBNull(8) ? null : reader.GetString(8)));
        }
        return rows;
    }

    private static async Task DropTablesAsync(params string[] tables)
    {
        await using var db = new NpgsqlConnection(PgAdo);
        try
        {
            await db.OpenAsync();
        }
        catch (NpgsqlException e)
        {
            throw new Xunit.Sdk.XunitException($"PostgreSQL on 127.0.0.1:55432 is not running (scripts/db-up.sh starts it): {e.Message}");
        }
        foreach (var t in tables)
        {
            await using var cmd = new NpgsqlCommand($"DROP TABLE IF EXISTS \"{t}\"", db);
            await cmd.ExecuteNonQueryAsync();
        }
    }
}
