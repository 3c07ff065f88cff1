using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Jdbc.Source;

namespace KafkaConnect.Connect.Jdbc.Tests.Source;

/// <summary>The Databend tutorial's source side: a MySQL table with an auto-increment id.</summary>
public sealed class MariaDbSourceTests
{
    [Fact]
    public async Task Incrementing_mode_reads_new_rows_and_picks_up_added_columns()
    {
        var table = SourceDb.UniqueName("test_kafka");
        await using var db = await SourceDb.OpenMariaDbAsync();
        await SourceDb.ExecAsync(db, $"CREATE TABLE {table} (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50), age INT)");
        try
        {
            await SourceDb.ExecAsync(db, $"INSERT INTO {table} (name, age) VALUES ('a', 1), ('b', 2)");

            // The tutorial's config: whitelist "db.table", incrementing.column.name=id.
            var connector = new JdbcSourceConnector();
            var context = new FakeConnectorContext();
            connector.Initialize(context);
            var props = SourceHarness.Props(SourceDb.MariaDbUrl, "incrementing",
                ("table.whitelist", "kctest." + table), ("incrementing.column.name", "id"), ("table.poll.interval.ms", "3000"));
            connector.Start(props);
            var taskConfigs = connector.TaskConfigs(1);
            connector.Stop();
            Assert.Single(taskConfigs);
            Assert.Equal("kctest." + table, taskConfigs[0]["tables"]);

            await using var harness = new SourceHarness(taskConfigs[0]);
            var first = await harness.DrainAsync();
            Assert.Equal(2, first.Count);
            Assert.Equal("db-" + table, first[0].Topic);
            Assert.Null(first[0].Key);
            Assert.Equal(table, first[0].ValueSchema!.Name);
            Assert.Equal(1, SourceHarness.Field(first[0], "id"));
            Assert.Equal("b", SourceHarness.Field(first[1], "name"));
            Assert.True(first[0].ValueSchema!.GetField("name")!.Schema.IsOptional);
            Assert.False(first[0].ValueSchema!.GetField("id")!.Schema.IsOptional);
            Assert.Equal(new Dictionary<string, object?> { ["protocol"] = "1", ["table"] = "kctest." + table }, first[0].SourcePartition);
            Assert.Equal(new Dictionary<string, object?> { ["incrementing"] = 2L }, first[1].SourceOffset);

            Assert.Empty(await harness.DrainAsync());

            await SourceDb.ExecAsync(db, $"ALTER TABLE {table} ADD COLUMN email VARCHAR(100)");
            await SourceDb.ExecAsync(db, $"INSERT INTO {table} (name, age, email) VALUES ('c', 3, 'c@example.com')");
            var second = await harness.DrainAsync();
            var record = Assert.Single(second);
            Assert.Equal(3, SourceHarness.Field(record, "id"));
            Assert.Equal("c@example.com", SourceHarness.Field(record, "email"));
            Assert.NotNull(record.ValueSchema!.GetField("email"));
        }
        finally
        {
            await SourceDb.ExecAsync(db, $"DROP TABLE IF EXISTS {table}");
        }
    }

    [Fact]
    public async Task Timestamp_incrementing_mode_turns_an_update_into_a_new_record()
    {
        var table = SourceDb.UniqueName("tsinc");
        await using var db = await SourceDb.OpenMariaDbAsync();
        await SourceDb.ExecAsync(db, $"CREATE TABLE {table} (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50), "
            + "tms TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3))");
        try
        {
            await SourceDb.ExecAsync(db, $"INSERT INTO {table} (name, tms) VALUES ('a', NOW(3) - INTERVAL 10 SECOND), ('b', NOW(3) - INTERVAL 10 SECOND)");
            var props = SourceHarness.Props(SourceDb.MariaDbUrl, "timestamp+incrementing",
                ("tables", "kctest." + table), ("incrementing.column.name", "id"), ("timestamp.column.name", "tms"));
            await using var harness = new SourceHarness(props);
            var first = await harness.DrainAsync();
            Assert.Equal(["a", "b"], first.Select(r => (string?)SourceHarness.Field(r, "name")));
            Assert.True(first[1].SourceOffset!.ContainsKey("timestamp"));
            Assert.True(first[1].SourceOffset!.ContainsKey("timestamp_nanos"));
            Assert.Equal(2L, first[1].SourceOffset!["incrementing"]);

            await SourceDb.ExecAsync(db, $"UPDATE {table} SET name = 'a2', tms = NOW(3) - INTERVAL 5 SECOND WHERE id = 1");
            var second = await harness.DrainAsync();
            var update = Assert.Single(second);
            Assert.Equal(1, SourceHarness.Field(update, "id"));
            Assert.Equal("a2", SourceHarness.Field(update, "name"));
            Assert.IsType<DateTimeOffset>(SourceHarness.Field(update, "tms"), exactMatch: false);
        }
        finally
        {
            await SourceDb.ExecAsync(db, $"DROP TABLE IF EXISTS {table}");
        }
    }

    [Fact]
    public async Task Incrementing_column_is_autodetected_when_not_set()
    {
        var table = SourceDb.UniqueName("autoinc");
        await using var db = await SourceDb.OpenMariaDbAsync();
        await SourceDb.ExecAsync(db, $"CREATE TABLE {table} (name VARCHAR(20), seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY)");
        try
        {
            await SourceDb.ExecAsync(db, $"INSERT INTO {table} (name) VALUES ('x'), ('y')");
            await using var harness = new SourceHarness(SourceHarness.Props(SourceDb.MariaDbUrl, "incrementing", ("tables", "kctest." + table)));
            var records = await harness.DrainAsync();
            Assert.Equal(2, records.Count);
            Assert.Equal("seq", harness.Task.Queriers[0].IncrementingColumn);
            Assert.Equal(2L, records[1].SourceOffset!["incrementing"]);
        }
        finally
        {
            await SourceDb.ExecAsync(db, $"DROP TABLE IF EXISTS {table}");
        }
    }
}
