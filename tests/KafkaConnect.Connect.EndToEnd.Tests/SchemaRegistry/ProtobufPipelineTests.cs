using System.Globalization;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests.Registry;

/// <summary>
/// Issue 14's Protobuf proof: python3-confluent-kafka's ProtobufSerializer, on classes protoc made from
/// python/proto/shop/order.proto, registers the schema and its imports in our registry and produces to our broker;
/// our ProtobufConverter and JDBC sink write PostgreSQL columns of the mapped types; our JDBC source and converter
/// write them back, and python's ProtobufDeserializer, on classes protoc made from what our converter registered,
/// reads them field for field: confluent.type.Decimal, google.type.Date and TimeOfDay and google.protobuf.Timestamp
/// included. python3, protoc or a module missing fails the test.
/// </summary>
public sealed class ProtobufPipelineTests(ITestOutputHelper output)
{
    private const string Converter = "io.confluent.connect.protobuf.ProtobufConverter";

    // Proto3 has no required fields: Confluent makes every field optional unless optional.for.nullables asks for only
    // the ones proto3 can tell are absent (an `optional` label, or a message type) to be optional.
    private static readonly (string, string) s_optionalForNullables = ("optional.for.nullables", "true");

    /// <summary>An order as protobuf's JSON mapping writes it for shop.Order (what ParseDict reads).</summary>
    private static JsonObject ToProtoJson(PipelineOrder o)
    {
        var json = new JsonObject
        {
            ["id"] = o.Id,
            ["rank"] = o.Rank,
            ["customer"] = o.Customer,
            ["quantity"] = o.Quantity.ToString(CultureInfo.InvariantCulture),
            ["price"] = new JsonObject
            {
                ["value"] = Convert.ToBase64String(UnscaledDecimal.ToBytes(o.Price, PipelineOrder.PriceScale)),
                ["precision"] = 10,
                ["scale"] = PipelineOrder.PriceScale,
            },
            ["ordered_on"] = new JsonObject { ["year"] = o.OrderedOn.Year, ["month"] = o.OrderedOn.Month, ["day"] = o.OrderedOn.Day },
            ["ships_at"] = new JsonObject
            {
                ["hours"] = o.ShipsAt.Hour,
                ["minutes"] = o.ShipsAt.Minute,
                ["seconds"] = o.ShipsAt.Second,
                ["nanos"] = o.ShipsAt.Millisecond * 1_000_000,
            },
            ["created_at"] = o.CreatedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["paid"] = o.Paid,
            ["ratio"] = o.Ratio,
            ["weight"] = o.Weight,
        };
        if (o.Note is not null)
        {
            json["note"] = o.Note;
        }
        return json;
    }

    /// <summary>An order from MessageToDict's JSON (defaults included, an unset optional field left out).</summary>
    private static PipelineOrder FromProtoJson(JsonObject m)
    {
        var price = m["price"]!;
        var day = m["ordered_on"]!;
        var time = m["ships_at"]!;
        return new PipelineOrder(
            (int)m["id"]!, (short)(int)m["rank"]!, (string)m["customer"]!, long.Parse((string)m["quantity"]!, CultureInfo.InvariantCulture),
            UnscaledDecimal.FromBytes(Convert.FromBase64String((string)price["value"]!), (int)price["scale"]!),
            new DateOnly((int)day["year"]!, (int)day["month"]!, (int)day["day"]!),
            new TimeOnly((int)time["hours"]!, (int)time["minutes"]!, (int)time["seconds"]!, (int)time["nanos"]! / 1_000_000),
            DateTime.Parse((string)m["created_at"]!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
            (bool)m["paid"]!, (float)(double)m["ratio"]!, (double)m["weight"]!, (string?)m["note"]);
    }

    [Fact]
    public async Task Protobuf_from_pythons_serializer_reaches_postgres_typed_and_pythons_deserializer_reads_it_back()
    {
        await RegistryPipeline.RunAsync(output, "proto_python", async (pipeline, table) =>
        {
            var expected = await ProduceAndSinkAsync(pipeline, table, "produce");

            // Back out through our JDBC source and ProtobufConverter; python compiles the schema our converter registered.
            var backTopic = RegistryPipeline.BackPrefix + table;
            await pipeline.StartJdbcSourceAsync($"protobuf-source-{table}", table, Converter, s_optionalForNullables);
            var decoded = await PythonPeer.RunAsync("consume", Directory.CreateDirectory(pipeline.Worker.PathOf("gen-consume")).FullName,
                pipeline.BrokerServers, pipeline.RegistryUrl, backTopic, PipelineOrder.Records.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(expected, decoded.Select(line => FromProtoJson(JsonNode.Parse(line)!.AsObject())).OrderBy(o => o.Id));
        });
    }

    [Fact]
    public async Task Protobuf_from_pythons_serializer_registering_descriptors_as_it_does_reaches_postgres()
    {
        await RegistryPipeline.RunAsync(output, "proto_descriptors", async (pipeline, table) =>
        {
            await ProduceAndSinkAsync(pipeline, table, "produce-descriptors");
        });
    }

    /// <summary>
    /// Python produces the orders to <paramref name="table"/> (peer mode <paramref name="produceMode"/>); our JDBC sink
    /// must write them to a table of that name with the mapped column types. Returns the orders.
    /// </summary>
    private static async Task<List<PipelineOrder>> ProduceAndSinkAsync(RegistryPipeline pipeline, string table, string produceMode)
    {
        var expected = PipelineOrder.All("python");
        var records = pipeline.Worker.WriteFile("protobuf-records.jsonl", string.Join('\n', expected.Select(o => ToProtoJson(o).ToJsonString())));
        var produced = await PythonPeer.RunAsync(produceMode, PythonPeer.ProtoDirectory, Directory.CreateDirectory(pipeline.Worker.PathOf("gen-produce")).FullName,
            pipeline.BrokerServers, pipeline.RegistryUrl, table, records);
        Assert.Equal($"{{\"sent\": {PipelineOrder.Records}}}", produced.Last());

        await pipeline.StartJdbcSinkAsync($"protobuf-sink-{table}", table, Converter, s_optionalForNullables);
        await pipeline.WaitForRowsAsync(table, PipelineOrder.Records);
        // Message-typed fields (the logical types) are optional in Confluent's mapping: they can be absent.
        Assert.Equal(PipelineOrder.Columns("note", "price", "ordered_on", "ships_at", "created_at"), await PipelinePostgres.ColumnsAsync(table));
        Assert.Equal(expected, await PipelineOrder.RowsAsync(table));
        return expected;
    }
}
