using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KafkaConnect.Connect.Json;

namespace KafkaConnect.Connect.Debezium.Tests;

/// <summary>
/// The bytes a JsonConverter with schemas writes for our change events, field by field against the shape of
/// Debezium's documented PostgreSQL example (the customers table of its connector documentation).
/// </summary>
public sealed class JsonFormatTests
{
    [Fact]
    public async Task Insert_event_as_json_with_schemas_has_debeziums_shape()
    {
        await using var db = await CdcDatabase.CreateAsync("cdc_json");
        var t = db.Name + ".customers";
        await db.ExecAsync($"CREATE TABLE {t} (id SERIAL, first_name VARCHAR(255) NOT NULL, last_name VARCHAR(255) NOT NULL, email VARCHAR(255) NOT NULL, PRIMARY KEY(id))");
        await using var harness = new CdcHarness(db.Props(("snapshot.mode", "no_data"), ("topic.prefix", "PostgreSQL_server")), new FakeOffsets());
        await PostgresCdcTests.WaitForSlotAsync(db);
        await db.ExecAsync($"INSERT INTO {t} (first_name, last_name, email) VALUES ('Anne', 'Kretchmar', 'annek@noanswer.org')");
        var record = Assert.Single(await harness.TakeAsync(1));

        var converter = new JsonConverter();
        converter.Configure(new Dictionary<string, string> { ["schemas.enable"] = "true" }, isKey: false);
        var keyConverter = new JsonConverter();
        keyConverter.Configure(new Dictionary<string, string> { ["schemas.enable"] = "true" }, isKey: true);
        var prefix = "PostgreSQL_server." + db.Name + ".customers";

        var key = JsonNode.Parse(keyConverter.FromConnectData(record.Topic, null, record.KeySchema, record.Key)!)!;
        AssertJson("""
            {"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":false,"name":"PREFIX.Key"},
             "payload":{"id":1}}
            """.Replace("PREFIX", prefix, StringComparison.Ordinal), key);

        var bytes = converter.FromConnectData(record.Topic, null, record.ValueSchema, record.Value)!;
        var value = JsonNode.Parse(bytes)!;
        var row = """
            [{"type":"int32","optional":false,"field":"id"},
             {"type":"string","optional":false,"field":"first_name"},
             {"type":"string","optional":false,"field":"last_name"},
             {"type":"string","optional":false,"field":"email"}]
            """;
        AssertJson("""
            {"type":"struct","fields":[
              {"type":"struct","fields":ROW,"optional":true,"name":"PREFIX.Value","field":"before"},
              {"type":"struct","fields":ROW,"optional":true,"name":"PREFIX.Value","field":"after"},
              {"type":"struct","fields":[
                {"type":"string","optional":false,"field":"version"},
                {"type":"string","optional":false,"field":"connector"},
                {"type":"string","optional":false,"field":"name"},
                {"type":"int64","optional":false,"field":"ts_ms"},
                {"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,
                 "parameters":{"allowed":"true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"},"default":"false","field":"snapshot"},
                {"type":"string","optional":false,"field":"db"},
                {"type":"string","optional":true,"field":"sequence"},
                {"type":"int64","optional":true,"field":"ts_us"},
                {"type":"int64","optional":true,"field":"ts_ns"},
                {"type":"string","optional":false,"field":"schema"},
                {"type":"string","optional":false,"field":"table"},
                {"type":"int64","optional":true,"field":"txId"},
                {"type":"int64","optional":true,"field":"lsn"},
                {"type":"int64","optional":true,"field":"xmin"},
                {"type":"string","optional":true,"field":"origin"},
                {"type":"int64","optional":true,"field":"origin_lsn"}],
               "optional":false,"name":"io.debezium.connector.postgresql.Source","version":1,"field":"source"},
              {"type":"struct","fields":[
                {"type":"string","optional":false,"field":"id"},
                {"type":"int64","optional":false,"field":"total_order"},
                {"type":"int64","optional":false,"field":"data_collection_order"}],
               "optional":true,"name":"event.block","version":1,"field":"transaction"},
              {"type":"string","optional":false,"field":"op"},
              {"type":"int64","optional":true,"field":"ts_ms"},
              {"type":"int64","optional":true,"field":"ts_us"},
              {"type":"int64","optional":true,"field":"ts_ns"}],
             "optional":false,"name":"PREFIX.Envelope","version":2}
            """.Replace("ROW", row, StringComparison.Ordinal).Replace("PREFIX", prefix, StringComparison.Ordinal), value["schema"]!);

        var payload = value["payload"]!.AsObject();
        Assert.Equal(["before", "after", "source", "transaction", "op", "ts_ms", "ts_us", "ts_ns"], payload.Select(p => p.Key));
        Assert.Null(payload["before"]);
        AssertJson("""{"id":1,"first_name":"Anne","last_name":"Kretchmar","email":"annek@noanswer.org"}""", payload["after"]!);
        Assert.Null(payload["transaction"]);
        Assert.Equal("c", (string?)payload["op"]);
        var source = payload["source"]!.AsObject();
        Assert.Equal(["version", "connector", "name", "ts_ms", "snapshot", "db", "sequence", "ts_us", "ts_ns", "schema", "table", "txId", "lsn", "xmin", "origin", "origin_lsn"],
            source.Select(p => p.Key));
        Assert.Equal("3.7.0-kc", (string?)source["version"]);
        Assert.Equal("postgresql", (string?)source["connector"]);
        Assert.Equal("PostgreSQL_server", (string?)source["name"]);
        Assert.Equal("false", (string?)source["snapshot"]);
        Assert.Equal("kctest", (string?)source["db"]);
        Assert.Equal(db.Name, (string?)source["schema"]);
        Assert.Equal("customers", (string?)source["table"]);
        Assert.Null(source["xmin"]);
        var lsn = (long)source["lsn"]!;
        var sequence = JsonSerializer.Deserialize<JsonArray>((string)source["sequence"]!)!;
        Assert.Equal(lsn.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)sequence[1]);
        // The end of the last transaction streamed before this one (another test's, in this shared database), or null.
        Assert.True(sequence[0] is null || long.Parse((string)sequence[0]!, System.Globalization.CultureInfo.InvariantCulture) < lsn);
        var tsMs = (long)source["ts_ms"]!;
        Assert.Equal(tsMs, (long)source["ts_us"]! / 1000);
        Assert.Equal((long)source["ts_us"]! * 1000, (long)source["ts_ns"]!);
        Assert.InRange((long)payload["ts_ms"]! - tsMs, 0, 60_000); // processed after the commit
        Assert.True((long)source["txId"]! > 0);

        // Compact JSON, as Java's JsonConverter writes it.
        Assert.DoesNotContain("\n", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
    }

    private static void AssertJson(string expected, JsonNode actual)
    {
        var want = JsonNode.Parse(expected)!.ToJsonString();
        Assert.Equal(want, actual.ToJsonString());
    }
}
