using System.Globalization;
using System.Text;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Jdbc.Sink;
using KafkaConnect.Connect.Json;
using KafkaConnect.Connect.Sinks;

namespace KafkaConnect.Connect.Jdbc.Tests.Sink;

/// <summary>
/// The OpenMLDB Kafka tutorial (seed 000): its message with an embedded schema creates and fills a table through
/// JsonConverter (schemas.enable=true) and auto.create; the same rows as schemaless JSON with auto.schema=true
/// fill the existing table, partial rows included.
/// </summary>
public sealed class OpenMldbTutorialTests
{
    public static TheoryData<string> Databases => ["pg", "maria", "sqlite"];

    // Verbatim from the tutorial (kafka_demo_files/message).
    private const string TutorialMessage =
        """{"schema":{"type":"struct","fields":[{"type":"int16","optional":true,"field":"c1_int16"},{"type":"int32","optional":true,"field":"c2_int32"},{"type":"int64","optional":true,"field":"c3_int64"},{"type":"float","optional":true,"field":"c4_float"},{"type":"double","optional":true,"field":"c5_double"},{"type":"boolean","optional":true,"field":"c6_boolean"},{"type":"string","optional":true,"field":"c7_string"},{"type":"int64","name":"org.apache.kafka.connect.data.Date","optional":true,"field":"c8_date"},{"type":"int64","name":"org.apache.kafka.connect.data.Timestamp","optional":true,"field":"c9_timestamp"}],"optional":false,"name":"foobar"},"payload":{"c1_int16":1,"c2_int32":2,"c3_int64":3,"c4_float":4.4,"c5_double":5.555,"c6_boolean":true,"c7_string":"c77777","c8_date":19109,"c9_timestamp":1651051906000}}""";

    private static SinkRecord Convert(string topic, string json, bool schemas, long offset)
    {
        var converter = new JsonConverter();
        converter.Configure(new Dictionary<string, string> { ["schemas.enable"] = schemas ? "true" : "false" }, isKey: false);
        var data = converter.ToConnectData(topic, null, Encoding.UTF8.GetBytes(json));
        return new SinkRecord(topic, 0, null, null, data.Schema, data.Value, offset);
    }

    private static void AssertTutorialRow(Dictionary<string, object?> row)
    {
        var inv = CultureInfo.InvariantCulture;
        Assert.Equal(1, System.Convert.ToInt32(row["c1_int16"], inv));
        Assert.Equal(2, System.Convert.ToInt32(row["c2_int32"], inv));
        Assert.Equal(3L, System.Convert.ToInt64(row["c3_int64"], inv));
        Assert.Equal(4.4, System.Convert.ToDouble(row["c4_float"], inv), 5);
        Assert.Equal(5.555, System.Convert.ToDouble(row["c5_double"], inv), 10);
        Assert.True(System.Convert.ToBoolean(row["c6_boolean"], inv));
        Assert.Equal("c77777", row["c7_string"]);
        Assert.Equal(new DateOnly(2022, 4, 27), row["c8_date"]);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1651051906000), row["c9_timestamp"]);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task EmbeddedSchema_CreatesAndFills_ThenSchemalessRowsFillTheSameTable(string kind)
    {
        using var db = new SinkTestDb(kind);
        var topic = db.Table;

        // Step 1, the tutorial's openmldb-sink.properties: auto.create=true, JsonConverter with schemas.
        var record = Convert(topic, TutorialMessage, schemas: true, 0);
        Assert.IsType<Struct>(record.Value);
        var create = new JdbcSinkTask();
        create.Start(db.Props(("topics", topic), ("auto.create", "true")));
        create.Put([record]);
        create.Stop();
        var rows = await AutoSchemaTests.ReadAll(db, db.Table, "c3_int64");
        AssertTutorialRow(Assert.Single(rows));

        // Step 2, the tutorial's tip: messages without a schema against the now existing table, auto.schema=true.
        var payload = TutorialMessage[(TutorialMessage.IndexOf("\"payload\":", StringComparison.Ordinal) + "\"payload\":".Length)..^1];
        var schemaless = new[]
        {
            payload.Replace("\"c3_int64\":3", "\"c3_int64\":4", StringComparison.Ordinal),
            // Partial rows (OpenMLDB connector 0.8.5+): missing columns take their defaults (NULL here).
            """{"c3_int64":5,"c7_string":"partial","c8_date":"2022-04-28","c9_timestamp":"2022-04-27 09:31:46"}""",
            """{"c3_int64":6}""",
        };
        var auto = new JdbcSinkTask();
        auto.Start(db.Props(("topics", topic), ("auto.schema", "true")));
        auto.Put([.. schemaless.Select((json, i) => Convert(topic, json, schemas: false, 1 + i))]);
        auto.Stop();

        rows = await AutoSchemaTests.ReadAll(db, db.Table, "c3_int64");
        Assert.Equal(4, rows.Count);
        rows[1]["c3_int64"] = 3L;
        AssertTutorialRow(rows[1]);
        Assert.Equal("partial", rows[2]["c7_string"]);
        Assert.Equal(new DateOnly(2022, 4, 28), rows[2]["c8_date"]);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1651051906000), rows[2]["c9_timestamp"]);
        Assert.Null(rows[2]["c1_int16"]);
        Assert.Null(rows[2]["c6_boolean"]);
        foreach (var (name, value) in rows[3])
        {
            if (name != "c3_int64")
            {
                Assert.Null(value);
            }
        }
    }
}
