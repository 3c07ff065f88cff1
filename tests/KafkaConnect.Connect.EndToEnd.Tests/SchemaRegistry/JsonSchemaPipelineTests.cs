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
        await using var pipeline = await RegistryPipeline.StartAsync(output);
        var table = $"json_confluent_{Guid.NewGuid().ToString("N")[..8]}";
        await PipelinePostgres.DropTablesAsync(table);
        try
        {
            using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = pipeline.RegistryUrl });
            // Confluent's serializer registers the schema given to it under <topic>-value, checks each value against it
            // and frames the records.
            using (var producer = new ProducerBuilder<Null, JsonOrder>(new ProducerConfig { BootstrapServers = pipeline.BrokerServers, Acks = Acks.All })
                .SetValueSerializer(new JsonSerializer<JsonOrder>(registry, new Schema(OrderSchema, SchemaType.Json))).Build())
            {
                foreach (var o in PipelineOrder.All("confluent"))
                {
                    await producer.ProduceAsync(table, new Message<Null, JsonOrder> { Value = JsonOrder.From(o) });
                }
            }

            await pipeline.StartJdbcSinkAsync($"json-sink-{table}", table, Converter);
            await pipeline.WaitForRowsAsync(table, PipelineOrder.Records);
            Assert.Equal(PipelineOrder.Columns("note"), await PipelinePostgres.ColumnsAsync(table));
            var expected = PipelineOrder.All("confluent");
            Assert.Equal(expected, await PipelineOrder.RowsAsync(table));

            // Back out through our JDBC source and JsonSchemaConverter.
            var backTopic = RegistryPipeline.BackPrefix + table;
            await pipeline.StartJdbcSourceAsync($"json-source-{table}", table, Converter);
            var subject = backTopic + "-value";
            await Eventually.WaitAsync(async () => (await registry.GetAllSubjectsAsync()).Contains(subject), TimeSpan.FromSeconds(60),
                () => $"the source registered no {subject}:{Environment.NewLine}{pipeline.Worker.Current.Tail(60)}");
            var registered = await registry.GetLatestSchemaAsync(subject);
            Assert.Equal(SchemaType.Json, registered.SchemaType);

            // A JSON Schema client knows the logical types only by the Connect annotations our converter wrote.
            var properties = JsonNode.Parse(registered.SchemaString)!["properties"]!;
            Assert.Equal("org.apache.kafka.connect.data.Decimal", (string?)properties["price"]!["title"]);
            Assert.Equal("bytes", (string?)properties["price"]!["connect.type"]);
            var priceScale = int.Parse((string)properties["price"]!["connect.parameters"]!["scale"]!, CultureInfo.InvariantCulture);
            Assert.Equal("org.apache.kafka.connect.data.Date", (string?)properties["ordered_on"]!["title"]);
            Assert.Equal("org.apache.kafka.connect.data.Time", (string?)properties["ships_at"]!["title"]);
            Assert.Equal("org.apache.kafka.connect.data.Timestamp", (string?)properties["created_at"]!["title"]);
            Assert.Equal("int16", (string?)properties["rank"]!["connect.type"]);
            Assert.Equal("float32", (string?)properties["ratio"]!["connect.type"]);

            // Confluent's deserializer validates each record against the schema our converter registered.
            var deserializer = new JsonDeserializer<JsonOrder>(registry, new Schema(registered.SchemaString, SchemaType.Json),
                new JsonDeserializerConfig { Validate = true });
            var read = pipeline.Consume(backTopic, PipelineOrder.Records, deserializer.AsSyncOverAsync());
            Assert.Equal(expected, read.Select(r => r.ToOrder(priceScale)).OrderBy(o => o.Id));
        }
        finally
        {
            await PipelinePostgres.DropTablesAsync(table);
        }
    }
}
