using System.Globalization;
using System.Text.Json.Nodes;
using Confluent.Kafka;
using Confluent.Kafka.SyncOverAsync;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;
using Newtonsoft.Json;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests.Registry;

/// <summary>
/// Issue 14's JSON Schema proof: Confluent's .NET <c>JsonSerializer&lt;T&gt;</c> registers a schema with Confluent's
/// Connect annotations in our registry and produces to our broker; our JsonSchemaConverter and JDBC sink write
/// PostgreSQL columns of the annotated types; our JDBC source and converter write them back, and Confluent's
/// <c>JsonDeserializer&lt;T&gt;</c> reads (and validates) what we wrote, field for field, logical types included.
/// </summary>
public sealed class JsonSchemaPipelineTests(ITestOutputHelper output)
{
    private const string Converter = "io.confluent.connect.json.JsonSchemaConverter";

    // Confluent's JsonSchemaData reads the Connect type from "connect.type" and a logical type from the title (with
    // its parameters in "connect.parameters"); a oneOf with null is an optional field.
    private const string OrderSchema = """
        {"type":"object","title":"shop.Order","additionalProperties":false,"properties":{
          "id":{"type":"integer","connect.type":"int32"},
          "rank":{"type":"integer","connect.type":"int16"},
          "customer":{"type":"string"},
          "quantity":{"type":"integer","connect.type":"int64"},
          "price":{"type":"string","title":"org.apache.kafka.connect.data.Decimal","connect.type":"bytes","connect.version":1,"connect.parameters":{"scale":"2"}},
          "ordered_on":{"type":"integer","title":"org.apache.kafka.connect.data.Date","connect.type":"int32","connect.version":1},
          "ships_at":{"type":"integer","title":"org.apache.kafka.connect.data.Time","connect.type":"int32","connect.version":1},
          "created_at":{"type":"integer","title":"org.apache.kafka.connect.data.Timestamp","connect.type":"int64","connect.version":1},
          "paid":{"type":"boolean"},
          "ratio":{"type":"number","connect.type":"float32"},
          "weight":{"type":"number","connect.type":"float64"},
          "note":{"oneOf":[{"type":"null"},{"type":"string"}]}
        },"required":["id","rank","customer","quantity","price","ordered_on","ships_at","created_at","paid","ratio","weight"]}
        """;

    /// <summary>
    /// An order as JSON carries it under Confluent's mapping (what Newtonsoft writes and reads for Confluent's serdes):
    /// a decimal is its unscaled bytes in base64, a date days since the epoch, a time milliseconds of the day, a
    /// timestamp milliseconds since the epoch.
    /// </summary>
    internal sealed class JsonOrder
    {
        [JsonProperty("id")] public int Id { get; set; }
        [JsonProperty("rank")] public short Rank { get; set; }
        [JsonProperty("customer")] public string Customer { get; set; } = "";
        [JsonProperty("quantity")] public long Quantity { get; set; }
        [JsonProperty("price")] public string Price { get; set; } = "";
        [JsonProperty("ordered_on")] public int OrderedOn { get; set; }
        [JsonProperty("ships_at")] public int ShipsAt { get; set; }
        [JsonProperty("created_at")] public long CreatedAt { get; set; }
        [JsonProperty("paid")] public bool Paid { get; set; }
        [JsonProperty("ratio")] public float Ratio { get; set; }
        [JsonProperty("weight")] public double Weight { get; set; }
        [JsonProperty("note")] public string? Note { get; set; }

        public static JsonOrder From(PipelineOrder o) => new()
        {
            Id = o.Id,
            Rank = o.Rank,
            Customer = o.Customer,
            Quantity = o.Quantity,
            Price = Convert.ToBase64String(UnscaledDecimal.ToBytes(o.Price, PipelineOrder.PriceScale)),
            OrderedOn = o.OrderedOn.DayNumber - PipelineOrder.EpochDay.DayNumber,
            ShipsAt = (int)(o.ShipsAt.Ticks / TimeSpan.TicksPerMillisecond),
            CreatedAt = new DateTimeOffset(o.CreatedAt).ToUnixTimeMilliseconds(),
            Paid = o.Paid,
            Ratio = o.Ratio,
            Weight = o.Weight,
            Note = o.Note,
        };

        public PipelineOrder ToOrder(int priceScale) => new(
            Id, Rank, Customer, Quantity, UnscaledDecimal.FromBytes(Convert.FromBase64String(Price), priceScale),
            PipelineOrder.EpochDay.AddDays(OrderedOn), TimeOnly.FromTimeSpan(TimeSpan.FromMilliseconds(ShipsAt)),
            DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt).UtcDateTime, Paid, Ratio, Weight, Note);
    }

    [Fact]
    public async Task Json_schema_from_confluents_serializer_reaches_postgres_typed_and_confluents_deserializer_reads_it_back()
    {
        await RegistryPipeline.RunAsync(output, "json_confluent", async (pipeline, table) =>
        {
            using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = pipeline.RegistryUrl });
            await ProduceAndSinkAsync(pipeline, registry, table, OrderSchema, PipelineOrder.All("confluent").Select(JsonOrder.From));
            Assert.Equal(PipelineOrder.Columns("note"), await PipelinePostgres.ColumnsAsync(table));
            var expected = PipelineOrder.All("confluent");
            Assert.Equal(expected, await PipelineOrder.RowsAsync(table));

            var (registered, read) = await ReadBackAsync<JsonOrder>(pipeline, registry, table);

            // A JSON Schema client knows the logical types only by the Connect annotations our converter wrote.
            var properties = JsonNode.Parse(registered)!["properties"]!;
            Assert.Equal("org.apache.kafka.connect.data.Decimal", (string?)properties["price"]!["title"]);
            Assert.Equal("bytes", (string?)properties["price"]!["connect.type"]);
            var priceScale = int.Parse((string)properties["price"]!["connect.parameters"]!["scale"]!, CultureInfo.InvariantCulture);
            Assert.Equal("org.apache.kafka.connect.data.Date", (string?)properties["ordered_on"]!["title"]);
            Assert.Equal("org.apache.kafka.connect.data.Time", (string?)properties["ships_at"]!["title"]);
            Assert.Equal("org.apache.kafka.connect.data.Timestamp", (string?)properties["created_at"]!["title"]);
            Assert.Equal("int16", (string?)properties["rank"]!["connect.type"]);
            Assert.Equal("float32", (string?)properties["ratio"]!["connect.type"]);
            Assert.Equal(expected, read.Select(r => r.ToOrder(priceScale)).OrderBy(o => o.Id));
        });
    }

    // A decimal may also be a JSON number (Confluent's decimal.format=NUMERIC): "type":"number" with connect.type bytes.
    private const string PaymentSchema = """
        {"type":"object","title":"shop.Payment","properties":{
          "id":{"type":"integer","connect.type":"int32"},
          "amount":{"type":"number","title":"org.apache.kafka.connect.data.Decimal","connect.type":"bytes","connect.version":1,"connect.parameters":{"scale":"3"}},
          "fee":{"oneOf":[{"type":"null"},{"type":"number","title":"org.apache.kafka.connect.data.Decimal","connect.type":"bytes","connect.version":1,"connect.parameters":{"scale":"3"}}]}
        },"required":["id","amount"]}
        """;

    /// <summary>A payment with decimals as JSON numbers (Newtonsoft writes and reads a .NET decimal as one).</summary>
    internal sealed class JsonPayment
    {
        [JsonProperty("id")] public int Id { get; set; }
        [JsonProperty("amount")] public decimal Amount { get; set; }
        [JsonProperty("fee")] public decimal? Fee { get; set; }

        public static JsonPayment For(int i) => new() { Id = i, Amount = i * 1.125m - 20, Fee = i % 2 == 0 ? null : i / 8m };

        [JsonIgnore] public (int, decimal, decimal?) Values => (Id, Amount, Fee);
    }

    [Fact]
    public async Task Numeric_decimals_from_confluents_serializer_reach_postgres_and_come_back_as_numbers_with_decimal_format_numeric()
    {
        await RegistryPipeline.RunAsync(output, "json_numeric", async (pipeline, table) =>
        {
            using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = pipeline.RegistryUrl });
            var payments = Enumerable.Range(1, PipelineOrder.Records).Select(JsonPayment.For).ToList();
            await ProduceAndSinkAsync(pipeline, registry, table, PaymentSchema, payments);
            Assert.Equal(new Dictionary<string, string> { ["id"] = "integer NO", ["amount"] = "numeric NO", ["fee"] = "numeric YES" },
                await PipelinePostgres.ColumnsAsync(table));
            var rows = await PipelinePostgres.QueryAsync($"SELECT id, amount, fee FROM \"{table}\" ORDER BY id",
                r => (r.GetInt32(0), r.GetDecimal(1), r.IsDBNull(2) ? (decimal?)null : r.GetDecimal(2)));
            Assert.Equal(payments.Select(p => p.Values), rows);

            var (registered, read) = await ReadBackAsync<JsonPayment>(pipeline, registry, table, ("decimal.format", "NUMERIC"));
            var amount = JsonNode.Parse(registered)!["properties"]!["amount"]!;
            Assert.Equal("number", (string?)amount["type"]);
            Assert.Equal("org.apache.kafka.connect.data.Decimal", (string?)amount["title"]);
            Assert.Equal(payments.Select(p => p.Values), read.Select(p => p.Values).OrderBy(v => v.Item1));
        });
    }

    /// <summary>A reading as a .NET user writes it: no schema at hand, Confluent's serializer generates one from the type.</summary>
    internal sealed class Reading
    {
        [JsonProperty("id")] public int Id { get; set; }
        [JsonProperty("count")] public long Count { get; set; }
        [JsonProperty("name")] public string Name { get; set; } = "";
        [JsonProperty("comment")] public string? Comment { get; set; }
        [JsonProperty("value")] public double Value { get; set; }
        [JsonProperty("ok")] public bool Ok { get; set; }

        public static Reading For(int i) => new() { Id = i, Count = i * 3_000_000_000L, Name = $"r{i}", Comment = i % 3 == 0 ? null : $"c{i}", Value = i / 4.0, Ok = i % 2 == 1 };

        [JsonIgnore] public (int, long, string, string?, double, bool) Values => (Id, Count, Name, Comment, Value, Ok);
    }

    [Fact]
    public async Task A_schema_confluents_serializer_generates_from_a_dotnet_type_maps_to_connects_default_types()
    {
        await RegistryPipeline.RunAsync(output, "json_generated", async (pipeline, table) =>
        {
            using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = pipeline.RegistryUrl });
            var readings = Enumerable.Range(1, PipelineOrder.Records).Select(Reading.For).ToList();
            await ProduceAndSinkAsync(pipeline, registry, table, null, readings);

            // NJsonSchema's schema has no connect.* annotations: its integers are int64, numbers float64, and a
            // "type":["null","string"] member is an optional string, as in Confluent's JsonSchemaData.
            Assert.Equal(new Dictionary<string, string>
            {
                ["id"] = "bigint NO",
                ["count"] = "bigint NO",
                ["name"] = "text NO",
                ["comment"] = "text YES",
                ["value"] = "double precision NO",
                ["ok"] = "boolean NO",
            }, await PipelinePostgres.ColumnsAsync(table));
            var rows = await PipelinePostgres.QueryAsync($"SELECT id, count, name, comment, value, ok FROM \"{table}\" ORDER BY id",
                r => ((int)r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetDouble(4), r.GetBoolean(5)));
            Assert.Equal(readings.Select(r => r.Values), rows);

            var (_, read) = await ReadBackAsync<Reading>(pipeline, registry, table);
            Assert.Equal(readings.Select(r => r.Values), read.Select(r => r.Values).OrderBy(v => v.Item1));
        });
    }

    /// <summary>
    /// Produces <paramref name="values"/> with Confluent's JsonSerializer, which registers <paramref name="schema"/> (or,
    /// without one, the schema NJsonSchema generates from <typeparamref name="T"/>) under <c>&lt;topic&gt;-value</c>,
    /// checks each value against it and frames the records; then our JDBC sink and JsonSchemaConverter write the topic
    /// <paramref name="table"/> to the table of that name.
    /// </summary>
    private static async Task ProduceAndSinkAsync<T>(RegistryPipeline pipeline, ISchemaRegistryClient registry, string table, string? schema, IEnumerable<T> values)
        where T : class
    {
        var serializer = schema is null ? new JsonSerializer<T>(registry) : new JsonSerializer<T>(registry, new Schema(schema, SchemaType.Json));
        using (var producer = new ProducerBuilder<Null, T>(new ProducerConfig { BootstrapServers = pipeline.BrokerServers, Acks = Acks.All })
            .SetValueSerializer(serializer).Build())
        {
            foreach (var value in values)
            {
                await producer.ProduceAsync(table, new Message<Null, T> { Value = value });
            }
        }
        await pipeline.StartJdbcSinkAsync($"json-sink-{table}", table, Converter);
        await pipeline.WaitForRowsAsync(table, PipelineOrder.Records);
    }

    /// <summary>
    /// Back out: our JDBC source and JsonSchemaConverter write <paramref name="table"/> to its back topic; Confluent's
    /// deserializer reads it, validating each record against the schema our converter registered (returned too).
    /// </summary>
    private static async Task<(string Schema, List<T> Values)> ReadBackAsync<T>(RegistryPipeline pipeline, ISchemaRegistryClient registry, string table,
        params (string Key, string Value)[] converterSettings)
        where T : class
    {
        var backTopic = RegistryPipeline.BackPrefix + table;
        var subject = backTopic + "-value";
        await pipeline.StartJdbcSourceAsync($"json-source-{table}", table, Converter, converterSettings);
        await Eventually.WaitAsync(async () => (await registry.GetAllSubjectsAsync()).Contains(subject), TimeSpan.FromSeconds(60),
            () => $"the source registered no {subject}:{Environment.NewLine}{pipeline.Worker.Current.Tail(60)}");
        var registered = await registry.GetLatestSchemaAsync(subject);
        Assert.Equal(SchemaType.Json, registered.SchemaType);
        var deserializer = new JsonDeserializer<T>(registry, new Schema(registered.SchemaString, SchemaType.Json), new JsonDeserializerConfig { Validate = true });
        return (registered.SchemaString, pipeline.Consume(backTopic, PipelineOrder.Records, deserializer.AsSyncOverAsync()));
    }
}
