namespace KafkaConnect.Connect.Jdbc.PipelineTests;

/// <summary>
/// The Databend tutorial's pipeline (seeds/003) on our worker: MariaDB table → JDBC source → topic → JDBC sink →
/// PostgreSQL, with the tutorial's source and sink settings.
/// </summary>
public sealed class DatabendTutorialPipelineTests : IClassFixture<BrokerFixture>, IDisposable
{
    private readonly BrokerFixture _broker;
    private readonly string _dir = Directory.CreateTempSubdirectory("kc-jdbc-pipeline").FullName;
    private readonly List<string> _mariaTables = [];
    private readonly List<string> _pgTables = [];

    public DatabendTutorialPipelineTests(BrokerFixture broker)
    {
        _broker = broker;
    }

    public void Dispose()
    {
        _mariaTables.ForEach(Db.DropMaria);
        _pgTables.ForEach(Db.DropPg);
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    internal static Dictionary<string, string> SourceConfig(string name, string table, string mode) => new()
    {
        ["name"] = name,
        ["connector.class"] = "io.confluent.connect.jdbc.JdbcSourceConnector",
        ["tasks.max"] = "1",
        ["connection.url"] = Db.MariaUrl + "?useSSL=false",
        ["connection.user"] = "kc",
        ["connection.password"] = "kc",
        ["mode"] = mode,
        ["table.whitelist"] = "kctest." + table,
        ["poll.interval.ms"] = "200",
        ["table.poll.interval.ms"] = "1000",
        ["incrementing.column.name"] = "id",
        ["timestamp.delay.interval.ms"] = "0",
        // Required with no default, as in Confluent; empty makes the topic the table name (the tutorial's test_kafka).
        ["topic.prefix"] = "",
    };

    internal static Dictionary<string, string> SinkConfig(string name, string topic) => new()
    {
        ["name"] = name,
        ["connector.class"] = "io.confluent.connect.jdbc.JdbcSinkConnector",
        ["topics"] = topic,
        ["connection.url"] = Db.PgUrl,
        ["connection.attempts"] = "5",
        ["connection.backoff.ms"] = "500",
        ["table.name.format"] = "${topic}",
        ["max.retries"] = "10",
        ["retry.backoff.ms"] = "200",
        ["batch.size"] = "1",
        ["auto.create"] = "true",
        ["auto.evolve"] = "true",
        ["insert.mode"] = "upsert",
        ["pk.mode"] = "record_value",
        ["pk.fields"] = "id",
        ["errors.tolerance"] = "all",
    };

    [Fact]
    public async Task Incrementing_RowsArrive_AddedColumnAppearsAtSink()
    {
        var table = Harness.Unique("test_kafka");
        _mariaTables.Add(table);
        _pgTables.Add(table);
        Db.Exec(Db.OpenMaria, $"CREATE TABLE `{table}` (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL, score INT NULL)");
        Db.Exec(Db.OpenMaria, $"INSERT INTO `{table}` (name, score) VALUES ('a', 1), ('b', 2), ('c', NULL)");

        await using var herder = Harness.NewHerder(_broker.BootstrapServers, Path.Combine(_dir, "connect.offsets"));
        await herder.PutConnectorConfigAsync("src-" + table, SourceConfig("src-" + table, table, "incrementing"), allowReplace: false);
        await herder.PutConnectorConfigAsync("sink-" + table, SinkConfig("sink-" + table, table), allowReplace: false);

        await WaitCountAsync(herder, table, 3);
        var rows = Db.Rows(() => Db.OpenPg(), $"SELECT id, name, score FROM \"{table}\" ORDER BY id");
        Assert.Equal(["a", "b", "c"], rows.ConvertAll(r => (string)r[1]!));
        Assert.Equal([1, 2, null], rows.ConvertAll(r => r[2] is null ? (int?)null : Convert.ToInt32(r[2])));

        Db.Exec(Db.OpenMaria, $"ALTER TABLE `{table}` ADD COLUMN city VARCHAR(32) NULL");
        Db.Exec(Db.OpenMaria, $"INSERT INTO `{table}` (name, score, city) VALUES ('d', 4, 'Beijing')");
        await WaitCountAsync(herder, table, 4);
        Assert.Contains("city", Db.PgColumns(table));
        var d = Db.Rows(() => Db.OpenPg(), $"SELECT name, city FROM \"{table}\" WHERE id = 4");
        Assert.Equal("Beijing", d[0][1]);
        // Rows written before the column existed keep NULL there.
        Assert.Null(Db.Rows(() => Db.OpenPg(), $"SELECT city FROM \"{table}\" WHERE id = 1")[0][0]);
        await Harness.AssertRunningAsync(herder, "src-" + table);
        await Harness.AssertRunningAsync(herder, "sink-" + table);
    }

    [Fact]
    public async Task TimestampIncrementing_UpdateAtSourceBecomesUpsertAtSink()
    {
        var table = Harness.Unique("test_kafka_ts");
        _mariaTables.Add(table);
        _pgTables.Add(table);
        Db.Exec(Db.OpenMaria, $"CREATE TABLE `{table}` (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL, " +
            "tms TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3))");
        Db.Exec(Db.OpenMaria, $"INSERT INTO `{table}` (name) VALUES ('a'), ('b')");

        var source = SourceConfig("src-" + table, table, "timestamp+incrementing");
        source["timestamp.column.name"] = "tms";
        await using var herder = Harness.NewHerder(_broker.BootstrapServers, Path.Combine(_dir, "connect-ts.offsets"));
        await herder.PutConnectorConfigAsync("src-" + table, source, allowReplace: false);
        await herder.PutConnectorConfigAsync("sink-" + table, SinkConfig("sink-" + table, table), allowReplace: false);
        await WaitCountAsync(herder, table, 2);

        // A later timestamp than anything read so far, so the update is a new row for the source query.
        await Task.Delay(20);
        Db.Exec(Db.OpenMaria, $"UPDATE `{table}` SET name = 'b2' WHERE id = 2");
        await Harness.WaitUntilAsync(async () =>
        {
            await Harness.AssertRunningAsync(herder, "sink-" + table);
            var rows = Db.Rows(() => Db.OpenPg(), $"SELECT name FROM \"{table}\" WHERE id = 2");
            return rows.Count == 1 && (string?)rows[0][0] == "b2";
        }, "the update to reach the sink");
        Assert.Equal(2, Db.PgCount(table));
        Assert.Equal("a", Db.Rows(() => Db.OpenPg(), $"SELECT name FROM \"{table}\" WHERE id = 1")[0][0]);
    }

    internal static Task WaitCountAsync(Runtime.Herder.StandaloneHerder herder, string table, long count, string? ado = null) =>
        Harness.WaitUntilAsync(async () =>
        {
            foreach (var c in await herder.ConnectorsAsync())
            {
                await Harness.AssertRunningAsync(herder, c);
            }
            return Db.PgCount(table, ado) == count;
        }, $"{count} rows in {table}");
}
