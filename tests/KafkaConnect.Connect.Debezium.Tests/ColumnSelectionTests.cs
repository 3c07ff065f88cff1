using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Debezium.Postgres;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Sources;

namespace KafkaConnect.Connect.Debezium.Tests;

/// <summary>column.include.list, column.exclude.list and message.key.columns against a real PostgreSQL.</summary>
public sealed class ColumnSelectionTests
{
    private static Struct Envelope(SourceRecord record) => Assert.IsType<Struct>(record.Value);

    private static List<string> FieldNames(Schema schema) => [.. schema.Fields.Select(f => f.Name)];

    [Fact]
    public async Task Excluded_columns_vanish_from_before_after_and_the_value_schema()
    {
        await using var db = await CdcDatabase.CreateAsync("cdc_colex");
        var t = db.Name + ".people";
        await db.ExecAsync($"CREATE TABLE {t} (id INT PRIMARY KEY, name TEXT, secret TEXT, ssn TEXT)");
        await db.ExecAsync($"ALTER TABLE {t} REPLICA IDENTITY FULL");
        await db.ExecAsync($"INSERT INTO {t} VALUES (1, 'Ann', 's1', '111')");
        await using var harness = new CdcHarness(db.Props(("column.exclude.list", $"{db.Name}\\.people\\.secret,{db.Name.ToUpperInvariant()}\\.PEOPLE\\.SSN")),
            new FakeOffsets());
        var snapshot = Assert.Single(await harness.TakeAsync(1));
        await db.ExecAsync($"UPDATE {t} SET name = 'Anne', secret = 's2' WHERE id = 1");
        await db.ExecAsync($"DELETE FROM {t} WHERE id = 1");
        var changes = await harness.TakeAsync(3);

        foreach (var record in new[] { snapshot, changes[0], changes[1] })
        {
            var value = Envelope(record);
            Assert.Equal(["id", "name"], FieldNames(value.Schema.GetField("after")!.Schema));
            foreach (var row in new[] { value.GetStruct("before"), value.GetStruct("after") }.OfType<Struct>())
            {
                Assert.Equal(["id", "name"], FieldNames(row.Schema));
            }
        }
        Assert.Equal("Ann", Envelope(snapshot).GetStruct("after")!.GetString("name"));
        Assert.Equal("Ann", Envelope(changes[0]).GetStruct("before")!.GetString("name"));
        Assert.Equal("Anne", Envelope(changes[0]).GetStruct("after")!.GetString("name"));
        Assert.Equal("Anne", Envelope(changes[1]).GetStruct("before")!.GetString("name"));
    }

    [Fact]
    public async Task Include_list_keeps_only_whole_matches_ignoring_case()
    {
        await using var db = await CdcDatabase.CreateAsync("cdc_colin");
        var t = db.Name + ".people";
        await db.ExecAsync($"CREATE TABLE {t} (id INT PRIMARY KEY, name TEXT, nickname TEXT)");
        await db.ExecAsync($"INSERT INTO {t} VALUES (1, 'Ann', 'A')");
        // "nick" must not match nickname: patterns are anchored at both ends.
        await using var harness = new CdcHarness(db.Props(("column.include.list", $"{db.Name}\\.people\\.ID,{db.Name}\\.people\\.nick,{db.Name}\\.people\\.na.e")),
            new FakeOffsets());
        var snapshot = Assert.Single(await harness.TakeAsync(1));
        await db.ExecAsync($"INSERT INTO {t} VALUES (2, 'Bob', 'B')");
        var insert = Assert.Single(await harness.TakeAsync(1));
        foreach (var record in new[] { snapshot, insert })
        {
            Assert.Equal(["id", "name"], FieldNames(Envelope(record).GetStruct("after")!.Schema));
        }
        Assert.Equal("Bob", Envelope(insert).GetStruct("after")!.GetString("name"));
    }

    [Fact]
    public void Include_and_exclude_lists_together_are_a_configuration_error_naming_both()
    {
        var props = new Dictionary<string, string>
        {
            ["database.hostname"] = CdcDatabase.Host,
            ["database.user"] = "postgres",
            ["database.dbname"] = "kctest",
            ["topic.prefix"] = "dbserver1",
            ["column.include.list"] = "public\\.a\\.x",
            ["column.exclude.list"] = "public\\.a\\.y",
        };
        var result = new PostgresConnector().Validate(props);
        var errors = result.ConfigValues.Single(v => v.Name == "column.exclude.list").ErrorMessages;
        var error = Assert.Single(errors);
        Assert.Contains("column.include.list", error, StringComparison.Ordinal);
        Assert.Contains("column.exclude.list", error, StringComparison.Ordinal);
        Assert.Throws<ConnectException>(() => new PostgresConnector().Start(props));

        props.Remove("column.exclude.list");
        Assert.All(new PostgresConnector().Validate(props).ConfigValues, v => Assert.Empty(v.ErrorMessages));
    }

    [Fact]
    public void Malformed_message_key_columns_are_refused()
    {
        var result = PostgresConnectorConfig.ConfigDef.Validate(new Dictionary<string, string> { ["message.key.columns"] = "public.t" });
        Assert.NotEmpty(result.Single(v => v.Name == "message.key.columns").ErrorMessages);
        result = PostgresConnectorConfig.ConfigDef.Validate(new Dictionary<string, string> { ["message.key.columns"] = "public.t:a,b;(.*).u:c" });
        Assert.Empty(result.Single(v => v.Name == "message.key.columns").ErrorMessages);
    }

    [Fact]
    public async Task Message_key_columns_replace_the_primary_key_and_key_keyless_tables()
    {
        await using var db = await CdcDatabase.CreateAsync("cdc_msgkey");
        var orders = db.Name + ".orders";
        var logs = db.Name + ".logs";
        await db.ExecAsync($"CREATE TABLE {orders} (id INT PRIMARY KEY, region TEXT NOT NULL, code INT NOT NULL, note TEXT)");
        await db.ExecAsync($"CREATE TABLE {logs} (a INT, b TEXT, msg TEXT)");
        await db.ExecAsync($"ALTER TABLE {logs} REPLICA IDENTITY FULL");
        await db.ExecAsync($"INSERT INTO {orders} VALUES (1, 'eu', 10, 'x')");
        await db.ExecAsync($"INSERT INTO {logs} VALUES (7, 'seven', 'hello')");
        // The key's columns come in the order listed, as Debezium's key mapper takes them.
        var keys = $"{db.Name}\\.orders:code,region;{db.Name}\\.l.*:b, a";
        await using var harness = new CdcHarness(db.Props(("message.key.columns", keys)), new FakeOffsets());
        var snapshot = await harness.TakeAsync(2);
        await db.ExecAsync($"INSERT INTO {orders} VALUES (2, 'us', 20, 'y')");
        await db.ExecAsync($"DELETE FROM {logs} WHERE a = 7");
        var changes = await harness.TakeAsync(3);

        var logKeys = new[] { snapshot[0], changes[1], changes[2] };
        foreach (var record in logKeys)
        {
            Assert.Equal($"dbserver1.{db.Name}.logs.Key", record.KeySchema!.Name);
            Assert.Equal(["b", "a"], FieldNames(record.KeySchema));
            var key = Assert.IsType<Struct>(record.Key);
            Assert.Equal(7, key.GetInt32("a"));
            Assert.Equal("seven", key.GetString("b"));
        }
        Assert.Null(changes[2].Value); // the delete's tombstone, keyed as the delete
        foreach (var (record, region, code) in new[] { (snapshot[1], "eu", 10), (changes[0], "us", 20) })
        {
            Assert.Equal(["code", "region"], FieldNames(record.KeySchema!));
            var key = Assert.IsType<Struct>(record.Key);
            Assert.Equal(region, key.GetString("region"));
            Assert.Equal(code, key.GetInt32("code"));
            Assert.Equal(["id", "region", "code", "note"], FieldNames(Envelope(record).GetStruct("after")!.Schema));
        }
    }
}
