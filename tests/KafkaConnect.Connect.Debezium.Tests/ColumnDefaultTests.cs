using KafkaConnect.Connect.Data;

namespace KafkaConnect.Connect.Debezium.Tests;

/// <summary>Literal column defaults become the fields' schema defaults, as Debezium sets them.</summary>
public sealed class ColumnDefaultTests
{
    [Fact]
    public async Task Literal_defaults_are_field_defaults_in_snapshot_and_stream()
    {
        await using var db = await CdcDatabase.CreateAsync("cdc_defaults");
        var s = db.Name;
        await db.ExecAsync($"CREATE TYPE {s}.mood AS ENUM ('sad', 'ok')");
        await db.ExecAsync($"""
            CREATE TABLE {s}.d (id SERIAL PRIMARY KEY, n INT DEFAULT 42, neg INT DEFAULT -1, big BIGINT NOT NULL DEFAULT 9000000000,
              price NUMERIC(6,2) DEFAULT 1.5, name VARCHAR(20) DEFAULT 'it''s', flag BOOLEAN NOT NULL DEFAULT true,
              mood {s}.mood DEFAULT 'ok', created TIMESTAMPTZ DEFAULT now(), plain TEXT)
            """);
        await db.ExecAsync($"INSERT INTO {s}.d DEFAULT VALUES");
        await using var harness = new CdcHarness(db.Props(), new FakeOffsets());
        var snapshot = Assert.Single(await harness.TakeAsync(1));
        await db.ExecAsync($"INSERT INTO {s}.d DEFAULT VALUES");
        var streamed = Assert.Single(await harness.TakeAsync(1));

        foreach (var record in new[] { snapshot, streamed })
        {
            var schema = ((Struct)record.Value!).GetStruct("after")!.Schema;
            object? Default(string field) => schema.GetField(field)!.Schema.DefaultValue;
            Assert.Equal(42, Default("n"));
            Assert.Equal(-1, Default("neg"));
            Assert.Equal(9_000_000_000L, Default("big"));
            Assert.Equal(1.50m, Default("price"));
            Assert.Equal("it's", Default("name"));
            Assert.Equal(true, Default("flag"));
            Assert.Equal("ok", Default("mood"));
            Assert.Equal("io.debezium.data.Enum", schema.GetField("mood")!.Schema.Name);
            Assert.True(schema.GetField("n")!.Schema.IsOptional);
            Assert.False(schema.GetField("big")!.Schema.IsOptional);
            // Function defaults are not literals.
            Assert.Null(Default("id"));
            Assert.Null(Default("created"));
            Assert.Null(Default("plain"));
        }
    }
}
