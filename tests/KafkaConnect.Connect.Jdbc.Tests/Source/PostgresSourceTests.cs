using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Jdbc.Source;

namespace KafkaConnect.Connect.Jdbc.Tests.Source;

/// <summary>Source modes against a real PostgreSQL; each test works in its own schema.</summary>
public sealed class PostgresSourceTests
{
    private static async Task<(System.Data.Common.DbConnection Db, string Schema)> SchemaAsync()
    {
        var db = await SourceDb.OpenPostgresAsync();
        var schema = SourceDb.UniqueName("src");
        await SourceDb.ExecAsync(db, $"CREATE SCHEMA {schema}");
        return (db, schema);
    }

    private static async Task DropAsync(System.Data.Common.DbConnection db, string schema)
    {
        await SourceDb.ExecAsync(db, $"DROP SCHEMA {schema} CASCADE");
        await db.DisposeAsync();
    }

    [Fact]
    public async Task Incrementing_mode_reads_new_rows_and_added_columns_and_resumes_from_stored_offsets()
    {
        var (db, schema) = await SchemaAsync();
        try
        {
            await SourceDb.ExecAsync(db, $"CREATE TABLE {schema}.orders (id SERIAL PRIMARY KEY, name TEXT, qty INT NOT NULL)");
            await SourceDb.ExecAsync(db, $"INSERT INTO {schema}.orders (name, qty) VALUES ('a', 1), ('b', 2), ('c', 3)");
            var props = SourceHarness.Props(SourceDb.PostgresUrl, "incrementing", ("tables", $"{schema}.orders"), ("batch.max.rows", "2"));
            var offsets = new FakeOffsets();
            await using (var harness = new SourceHarness(props, offsets))
            {
                var first = await harness.PollOnceAsync();
                Assert.Equal(2, first.Count);
                Assert.Equal("db-orders", first[0].Topic);
                Assert.Equal("orders", first[0].ValueSchema!.Name);
                Assert.Equal(new Dictionary<string, object?> { ["protocol"] = "1", ["table"] = $"{schema}.orders" }, first[0].SourcePartition);
                Assert.Equal(new Dictionary<string, object?> { ["incrementing"] = 2L }, first[1].SourceOffset);
                Assert.True(first[0].ValueSchema!.GetField("name")!.Schema.IsOptional);
                Assert.False(first[0].ValueSchema!.GetField("qty")!.Schema.IsOptional);
            }

            // A new task (restart) resumes after id 2 from the stored offset.
            await using (var harness = new SourceHarness(props, offsets))
            {
                var rest = await harness.DrainAsync();
                Assert.Equal([3], rest.Select(r => (int)SourceHarness.Field(r, "id")!));

                await SourceDb.ExecAsync(db, $"ALTER TABLE {schema}.orders ADD COLUMN email TEXT");
                await SourceDb.ExecAsync(db, $"INSERT INTO {schema}.orders (name, qty, email) VALUES ('d', 4, 'd@x')");
                var added = Assert.Single(await harness.DrainAsync());
                Assert.Equal("d@x", SourceHarness.Field(added, "email"));
            }

            // Offsets stored under the legacy {"table": name} partition are honoured too.
            var legacy = new FakeOffsets();
            legacy.Set(new Dictionary<string, object?> { ["table"] = "orders" }, new Dictionary<string, object?> { ["incrementing"] = 3 });
            await using (var harness = new SourceHarness(props, legacy))
            {
                Assert.Equal([4], (await harness.DrainAsync()).Select(r => (int)SourceHarness.Field(r, "id")!));
            }
        }
        finally
        {
            await DropAsync(db, schema);
        }
    }

    [Fact]
    public async Task Timestamp_incrementing_reads_every_row_sharing_a_timestamp_across_batches_and_updates()
    {
        var (db, schema) = await SchemaAsync();
        try
        {
            await SourceDb.ExecAsync(db, $"CREATE TABLE {schema}.t (id BIGSERIAL PRIMARY KEY, v TEXT, updated TIMESTAMP NOT NULL)");
            await SourceDb.ExecAsync(db, $"INSERT INTO {schema}.t (v, updated) SELECT 'r' || g, TIMESTAMP '2024-01-01 10:00:00.123456' FROM generate_series(1, 5) g");
            var props = SourceHarness.Props(SourceDb.PostgresUrl, "timestamp+incrementing",
                ("tables", $"{schema}.t"), ("timestamp.column.name", "updated"), ("batch.max.rows", "2"));
            var offsets = new FakeOffsets();
            await using (var harness = new SourceHarness(props, offsets))
            {
                var first = await harness.PollOnceAsync();
                Assert.Equal(2, first.Count);
                var offset = first[1].SourceOffset!;
                Assert.Equal(2L, offset["incrementing"]);
                Assert.Equal(new DateTimeOffset(2024, 1, 1, 10, 0, 0, 123, TimeSpan.Zero).ToUnixTimeMilliseconds(), offset["timestamp"]);
                Assert.Equal(123_456_000L, offset["timestamp_nanos"]);
            }
            // Restart mid-way through rows sharing one timestamp: the rest are still read, none twice.
            await using (var harness = new SourceHarness(props, offsets))
            {
                var rest = await harness.DrainAsync();
                Assert.Equal([3L, 4L, 5L], rest.Select(r => (long)SourceHarness.Field(r, "id")!));

                await SourceDb.ExecAsync(db, $"UPDATE {schema}.t SET v = 'changed', updated = TIMESTAMP '2024-01-01 11:00:00' WHERE id = 1");
                var update = Assert.Single(await harness.DrainAsync());
                Assert.Equal(1L, SourceHarness.Field(update, "id"));
                Assert.Equal("changed", SourceHarness.Field(update, "v"));
            }
        }
        finally
        {
            await DropAsync(db, schema);
        }
    }

    [Fact]
    public async Task Timestamp_mode_with_coalesced_columns_does_not_lose_rows_sharing_a_timestamp()
    {
        var (db, schema) = await SchemaAsync();
        try
        {
            await SourceDb.ExecAsync(db, $"CREATE TABLE {schema}.t (id INT, modified TIMESTAMP, created TIMESTAMP NOT NULL)");
            await SourceDb.ExecAsync(db, $"INSERT INTO {schema}.t VALUES (1, NULL, '2024-01-01 00:00:01'), (2, '2024-01-01 00:00:02', '2024-01-01 00:00:00'), "
                + "(3, NULL, '2024-01-01 00:00:02'), (4, NULL, '2024-01-01 00:00:03')");
            var props = SourceHarness.Props(SourceDb.PostgresUrl, "timestamp",
                ("tables", $"{schema}.t"), ("timestamp.column.name", "modified,created"), ("batch.max.rows", "2"));
            var offsets = new FakeOffsets();
            await using (var harness = new SourceHarness(props, offsets))
            {
                var first = await harness.PollOnceAsync();
                Assert.Equal(2, first.Count);
                // Row 2 shares its timestamp with row 3, which is not read yet: the offset stays at row 1's.
                Assert.Equal(first[0].SourceOffset, first[1].SourceOffset);
            }
            await using (var harness = new SourceHarness(props, offsets))
            {
                var rest = await harness.DrainAsync();
                Assert.Equal([2, 3, 4], rest.Select(r => (int)SourceHarness.Field(r, "id")!));
            }
        }
        finally
        {
            await DropAsync(db, schema);
        }
    }

    [Fact]
    public async Task Delay_interval_holds_back_recent_rows_so_late_commits_are_not_skipped()
    {
        var (db, schema) = await SchemaAsync();
        try
        {
            await SourceDb.ExecAsync(db, $"CREATE TABLE {schema}.t (id INT NOT NULL, ts TIMESTAMPTZ NOT NULL)");
            await SourceDb.ExecAsync(db, $"INSERT INTO {schema}.t VALUES (1, now() - interval '200 seconds'), (2, now() - interval '30 seconds')");
            var props = SourceHarness.Props(SourceDb.PostgresUrl, "timestamp+incrementing",
                ("tables", $"{schema}.t"), ("timestamp.column.name", "ts"), ("incrementing.column.name", "id"),
                ("timestamp.delay.interval.ms", "60000"));
            await using var harness = new SourceHarness(props);
            Assert.Equal([1], (await harness.DrainAsync()).Select(r => (int)SourceHarness.Field(r, "id")!));

            // Row 3 commits late with a timestamp before row 2's; once both are older than the delay, both arrive.
            await SourceDb.ExecAsync(db, $"INSERT INTO {schema}.t VALUES (3, now() - interval '45 seconds')");
            Assert.Empty(await harness.DrainAsync());
            await SourceDb.ExecAsync(db, $"UPDATE {schema}.t SET ts = ts - interval '100 seconds' WHERE id IN (2, 3)");
            Assert.Equal([3, 2], (await harness.DrainAsync()).Select(r => (int)SourceHarness.Field(r, "id")!));
        }
        finally
        {
            await DropAsync(db, schema);
        }
    }

    [Fact]
    public async Task Bulk_mode_copies_the_whole_table_every_poll()
    {
        var (db, schema) = await SchemaAsync();
        try
        {
            await SourceDb.ExecAsync(db, $"CREATE TABLE {schema}.b (k TEXT NOT NULL, n INT)");
            await SourceDb.ExecAsync(db, $"INSERT INTO {schema}.b VALUES ('x', 1), ('y', NULL)");
            await using var harness = new SourceHarness(SourceHarness.Props(SourceDb.PostgresUrl, "bulk", ("tables", $"{schema}.b")));
            var first = await harness.PollOnceAsync();
            Assert.Equal(2, first.Count);
            Assert.Null(first[0].SourceOffset);
            Assert.Equal(new Dictionary<string, object?> { ["table"] = "b" }, first[0].SourcePartition);
            Assert.Null(SourceHarness.Field(first[1], "n"));
            await Task.Delay(5);
            var second = await harness.PollOnceAsync();
            Assert.Equal(2, second.Count);
        }
        finally
        {
            await DropAsync(db, schema);
        }
    }

    [Fact]
    public async Task Query_mode_appends_the_where_clause_and_uses_the_prefix_as_topic()
    {
        var (db, schema) = await SchemaAsync();
        try
        {
            await SourceDb.ExecAsync(db, $"CREATE TABLE {schema}.a (id INT NOT NULL, amount NUMERIC(10,2) NOT NULL, big NUMERIC(12,0), f NUMERIC(5,1))");
            await SourceDb.ExecAsync(db, $"INSERT INTO {schema}.a VALUES (1, 10.50, 7, 1.5), (2, 99.99, 8, 2.5), (3, 5.00, NULL, NULL)");
            var query = $"SELECT * FROM (SELECT id, amount, big, f FROM {schema}.a WHERE amount > 6) AS q";
            var props = SourceHarness.Props(SourceDb.PostgresUrl, "incrementing",
                ("query", query), ("incrementing.column.name", "id"), ("topic.prefix", "big-orders"));
            await using (var harness = new SourceHarness(props))
            {
                var records = await harness.DrainAsync();
                Assert.Equal([1, 2], records.Select(r => (int)SourceHarness.Field(r, "id")!));
                Assert.All(records, r => Assert.Equal("big-orders", r.Topic));
                Assert.Equal(new Dictionary<string, object?> { ["query"] = "query" }, records[0].SourcePartition);
                Assert.Null(records[0].ValueSchema!.Name);
                Assert.Equal(10.50m, SourceHarness.Field(records[0], "amount"));
                Assert.Equal(KafkaConnect.Connect.Data.Decimal.LogicalName, records[0].ValueSchema!.GetField("amount")!.Schema.Name);
            }

            // numeric.mapping=best_fit: NUMERIC(12,0) → INT64, NUMERIC(5,1) → FLOAT64.
            props["numeric.mapping"] = "best_fit";
            props["mode"] = "bulk";
            await using (var harness = new SourceHarness(props))
            {
                var records = await harness.PollOnceAsync();
                Assert.Equal(7L, SourceHarness.Field(records[0], "big"));
                Assert.Equal(1.5, SourceHarness.Field(records[0], "f"));
            }
        }
        finally
        {
            await DropAsync(db, schema);
        }
    }

    [Fact]
    public async Task Validate_non_null_rejects_a_nullable_incrementing_column()
    {
        var (db, schema) = await SchemaAsync();
        try
        {
            await SourceDb.ExecAsync(db, $"CREATE TABLE {schema}.n (id INT, v TEXT)");
            await using var harness = new SourceHarness(SourceHarness.Props(SourceDb.PostgresUrl, "incrementing",
                ("tables", $"{schema}.n"), ("incrementing.column.name", "id")));
            var error = await Assert.ThrowsAsync<KafkaConnect.Connect.Errors.ConnectException>(() => harness.PollOnceAsync());
            Assert.Contains("nullable", error.Message, StringComparison.Ordinal);

            await using var relaxed = new SourceHarness(SourceHarness.Props(SourceDb.PostgresUrl, "incrementing",
                ("tables", $"{schema}.n"), ("incrementing.column.name", "id"), ("validate.non.null", "false")));
            Assert.Empty(await relaxed.DrainAsync());
        }
        finally
        {
            await DropAsync(db, schema);
        }
    }

    [Fact]
    public async Task Connector_lists_tables_with_schema_pattern_and_whitelist_and_spreads_them_over_tasks()
    {
        var (db, schema) = await SchemaAsync();
        try
        {
            foreach (var name in new[] { "t1", "t2", "t3" })
            {
                await SourceDb.ExecAsync(db, $"CREATE TABLE {schema}.{name} (id SERIAL PRIMARY KEY)");
            }
            var connector = new JdbcSourceConnector();
            connector.Initialize(new FakeConnectorContext());
            connector.Start(SourceHarness.Props(SourceDb.PostgresUrl, "incrementing", ("schema.pattern", schema)));
            try
            {
                var configs = connector.TaskConfigs(2);
                Assert.Equal([$"{schema}.t1,{schema}.t2", $"{schema}.t3"], configs.Select(c => c["tables"]));
            }
            finally
            {
                connector.Stop();
            }

            var whitelisted = new JdbcSourceConnector();
            whitelisted.Initialize(new FakeConnectorContext());
            whitelisted.Start(SourceHarness.Props(SourceDb.PostgresUrl, "incrementing", ("table.whitelist", $"{schema}.t2,{schema}.t3")));
            try
            {
                Assert.Equal([$"{schema}.t2,{schema}.t3"], whitelisted.TaskConfigs(1).Select(c => c["tables"]));
            }
            finally
            {
                whitelisted.Stop();
            }
        }
        finally
        {
            await DropAsync(db, schema);
        }
    }
}
