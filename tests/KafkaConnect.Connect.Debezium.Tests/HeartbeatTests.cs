using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Sources;

namespace KafkaConnect.Connect.Debezium.Tests;

/// <summary>heartbeat.interval.ms: offsets and the slot advance while only tables that are not captured change.</summary>
public sealed class HeartbeatTests
{
    [Fact]
    public async Task Heartbeats_advance_the_slot_while_only_uncaptured_tables_change()
    {
        await using var db = await CdcDatabase.CreateAsync("cdc_heartbeat");
        await db.ExecAsync($"CREATE TABLE {db.Name}.captured (id INT PRIMARY KEY)");
        await db.ExecAsync($"CREATE TABLE {db.Name}.other (id SERIAL PRIMARY KEY)");
        var props = db.Props(("snapshot.mode", "no_data"), ("table.include.list", db.Name + "\\.captured"),
            ("heartbeat.interval.ms", "50"), ("topic.heartbeat.prefix", "hb"));
        await using var harness = new CdcHarness(props, new FakeOffsets());
        await PostgresCdcTests.WaitForSlotAsync(db);
        var initial = await PostgresCdcTests.ConfirmedFlushAsync(db);

        var received = new List<SourceRecord>();
        await PostgresCdcTests.WaitForAsync(async () =>
        {
            await db.ExecAsync($"INSERT INTO {db.Name}.other DEFAULT VALUES");
            var records = await harness.DrainAsync(TimeSpan.FromMilliseconds(200));
            received.AddRange(records);
            harness.Commit(records);
            return await PostgresCdcTests.ConfirmedFlushAsync(db) > initial;
        }, "the slot's confirmed_flush_lsn to advance");

        Assert.NotEmpty(received);
        Assert.All(received, heartbeat =>
        {
            Assert.Equal("hb.dbserver1", heartbeat.Topic);
            Assert.Equal(0, heartbeat.KafkaPartition);
            Assert.Equal("io.debezium.connector.common.ServerNameKey", heartbeat.KeySchema!.Name);
            Assert.Equal(1, heartbeat.KeySchema.Version);
            Assert.Equal("dbserver1", Assert.IsType<Struct>(heartbeat.Key).GetString("serverName"));
            Assert.Equal("io.debezium.connector.common.Heartbeat", heartbeat.ValueSchema!.Name);
            Assert.Equal(["ts_ms"], heartbeat.ValueSchema.Fields.Select(f => f.Name));
            var sent = DateTimeOffset.FromUnixTimeMilliseconds(Assert.IsType<Struct>(heartbeat.Value).GetInt64("ts_ms")!.Value);
            Assert.InRange(sent, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow);
            Assert.True((long)heartbeat.SourceOffset!["lsn_commit"]! > initial);
            Assert.Equal(new Dictionary<string, object?> { ["server"] = "dbserver1" }, heartbeat.SourcePartition);
        });
    }

    [Fact]
    public async Task No_heartbeats_by_default()
    {
        await using var db = await CdcDatabase.CreateAsync("cdc_noheartbeat");
        await db.ExecAsync($"CREATE TABLE {db.Name}.captured (id INT PRIMARY KEY)");
        await db.ExecAsync($"CREATE TABLE {db.Name}.other (id SERIAL PRIMARY KEY)");
        await using var harness = new CdcHarness(db.Props(("snapshot.mode", "no_data"), ("table.include.list", db.Name + "\\.captured")), new FakeOffsets());
        await PostgresCdcTests.WaitForSlotAsync(db);
        await db.ExecAsync($"INSERT INTO {db.Name}.other DEFAULT VALUES");
        await db.ExecAsync($"INSERT INTO {db.Name}.captured VALUES (1)");
        // The captured insert arrives after the other table's transaction; nothing came before it.
        var first = Assert.Single(await harness.TakeAsync(1));
        Assert.Equal($"dbserver1.{db.Name}.captured", first.Topic);
    }
}
