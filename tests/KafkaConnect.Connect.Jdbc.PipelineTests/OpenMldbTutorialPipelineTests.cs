using System.Text;

namespace KafkaConnect.Connect.Jdbc.PipelineTests;

/// <summary>The OpenMLDB tutorial (seeds/000) on our worker, with PostgreSQL as the target database.</summary>
public sealed class OpenMldbTutorialPipelineTests : IClassFixture<BrokerFixture>, IDisposable
{
    // The tutorial's kafka_demo_files/message, byte for byte.
    private const string TutorialMessage =
        "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int16\",\"optional\":true,\"field\":\"c1_int16\"},{\"type\":\"int32\",\"optional\":true,\"field\":\"c2_int32\"}," +
        "{\"type\":\"int64\",\"optional\":true,\"field\":\"c3_int64\"},{\"type\":\"float\",\"optional\":true,\"field\":\"c4_float\"},{\"type\":\"double\",\"optional\":true,\"field\":\"c5_double\"}," +
        "{\"type\":\"boolean\",\"optional\":true,\"field\":\"c6_boolean\"},{\"type\":\"string\",\"optional\":true,\"field\":\"c7_string\"}," +
        "{\"type\":\"int64\",\"name\":\"org.apache.kafka.connect.data.Date\",\"optional\":true,\"field\":\"c8_date\"}," +
        "{\"type\":\"int64\",\"name\":\"org.apache.kafka.connect.data.Timestamp\",\"optional\":true,\"field\":\"c9_timestamp\"}],\"optional\":false,\"name\":\"foobar\"}," +
        "\"payload\":{\"c1_int16\":1,\"c2_int32\":2,\"c3_int64\":3,\"c4_float\":4.4,\"c5_double\":5.555,\"c6_boolean\":true,\"c7_string\":\"c77777\",\"c8_date\":19109,\"c9_timestamp\":1651051906000}}";

    private readonly BrokerFixture _broker;
    private readonly string _dir = Directory.CreateTempSubdirectory("kc-jdbc-pipeline").FullName;
    private readonly List<string> _pgTables = [];

    public OpenMldbTutorialPipelineTests(BrokerFixture broker)
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

    [Fact]
    public async Task SchemaCarryingMessage_CreatesAndFillsTable()
    {
        var topic = Harness.Unique("topic1");
        _pgTables.Add(topic);
        await Harness.ProduceAsync(_broker.BootstrapServers, topic, [(null, Encoding.UTF8.GetBytes(TutorialMessage))]);

        await using var herder = Harness.NewHerder(_broker.BootstrapServers, Path.Combine(_dir, "connect.offsets"));
        // The tutorial's openmldb-sink.properties, with our database's URL.
        await herder.PutConnectorConfigAsync("test-sink", new Dictionary<string, string>
        {
            ["name"] = "test-sink",
            ["connector.class"] = "io.confluent.connect.jdbc.JdbcSinkConnector",
            ["tasks.max"] = "1",
            ["topics"] = topic,
            ["connection.url"] = Db.PgUrl,
            ["auto.create"] = "true",
            ["value.converter"] = "org.apache.kafka.connect.json.JsonConverter",
            ["value.converter.schemas.enable"] = "true",
        }, allowReplace: false);
        await DatabendTutorialPipelineTests.WaitCountAsync(herder, topic, 1);

        var row = Db.Rows(() => Db.OpenPg(),
            $"SELECT c1_int16, c2_int32, c3_int64, c4_float, c5_double, c6_boolean, c7_string, c8_date, c9_timestamp FROM \"{topic}\"")[0];
        Assert.Equal((short)1, row[0]);
        Assert.Equal(2, row[1]);
        Assert.Equal(3L, row[2]);
        Assert.Equal(4.4f, (float)row[3]!);
        Assert.Equal(5.555, (double)row[4]!);
        Assert.Equal(true, row[5]);
        Assert.Equal("c77777", row[6]);
        Assert.Equal(new DateTime(2022, 4, 27), AsDateTime(row[7]));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1651051906000).UtcDateTime, AsDateTime(row[8]));
    }

    [Fact]
    public async Task SchemalessJson_AutoSchema_FillsExistingTable_PartialRowsTakeDefaults()
    {
        var topic = Harness.Unique("topic_auto");
        var table = Harness.Unique("openmldb_t");
        _pgTables.Add(table);
        Db.Exec(() => Db.OpenPg(), $"CREATE TABLE \"{table}\" (c1_int16 SMALLINT, c2_int32 INT, c3_int64 BIGINT, c4_float REAL, " +
            "c5_double DOUBLE PRECISION, c6_boolean BOOLEAN, c7_string TEXT DEFAULT 'dflt', c8_date DATE, c9_timestamp TIMESTAMP, c10_int INT DEFAULT 42)");
        string[] messages =
        [
            "{\"c1_int16\":1,\"c2_int32\":2,\"c3_int64\":3,\"c4_float\":4.4,\"c5_double\":5.555,\"c6_boolean\":true,\"c7_string\":\"c77777\",\"c8_date\":19109,\"c9_timestamp\":1651051906000}",
            "{\"c1_int16\":2,\"c8_date\":\"2022-04-27\",\"c9_timestamp\":\"2022-04-27 09:31:46\"}",
            "{\"c1_int16\":3}",
        ];
        await Harness.ProduceAsync(_broker.BootstrapServers, topic, Array.ConvertAll(messages, m => ((byte[]?)null, (byte[]?)Encoding.UTF8.GetBytes(m))));

        await using var herder = Harness.NewHerder(_broker.BootstrapServers, Path.Combine(_dir, "connect-auto.offsets"));
        await herder.PutConnectorConfigAsync("auto-sink", new Dictionary<string, string>
        {
            ["name"] = "auto-sink",
            ["connector.class"] = "JdbcSink",
            ["topics"] = topic,
            ["connection.url"] = Db.PgUrl,
            ["auto.schema"] = "true",
            ["topic.table.mapping"] = $"{topic}:{table}",
            ["value.converter"] = "org.apache.kafka.connect.json.JsonConverter",
            ["value.converter.schemas.enable"] = "false",
        }, allowReplace: false);
        await DatabendTutorialPipelineTests.WaitCountAsync(herder, table, 3);

        var rows = Db.Rows(() => Db.OpenPg(), $"SELECT c1_int16, c2_int32, c7_string, c8_date, c9_timestamp, c10_int FROM \"{table}\" ORDER BY c1_int16");
        var ts = DateTimeOffset.FromUnixTimeMilliseconds(1651051906000).UtcDateTime;
        Assert.Equal([2, null, null], rows.ConvertAll(r => (int?)r[1]));
        Assert.Equal(["c77777", "dflt", "dflt"], rows.ConvertAll(r => (string?)r[2]));
        Assert.Equal(new DateTime(2022, 4, 27), AsDateTime(rows[0][3]));
        Assert.Equal(new DateTime(2022, 4, 27), AsDateTime(rows[1][3]));
        Assert.Equal(ts, AsDateTime(rows[0][4]));
        Assert.Equal(ts, AsDateTime(rows[1][4]));
        Assert.Null(rows[2][3]);
        Assert.Equal([42, 42, 42], rows.ConvertAll(r => (int?)r[5]));
    }

    // Npgsql reads DATE as DateOnly and TIMESTAMP as DateTime.
    private static DateTime AsDateTime(object? value) => value is DateOnly d ? d.ToDateTime(TimeOnly.MinValue) : (DateTime)value!;
}
