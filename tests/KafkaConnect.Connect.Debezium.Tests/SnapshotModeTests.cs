using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Sources;

namespace KafkaConnect.Connect.Debezium.Tests;

/// <summary>snapshot.mode always, when_needed and initial_only across restarts, against a real PostgreSQL.</summary>
public sealed class SnapshotModeTests
{
    private static string Op(SourceRecord record) => Assert.IsType<Struct>(record.Value).GetString("op")!;

    private static int? Id(SourceRecord record) => Assert.IsType<Struct>(record.Value).GetStruct("after")!.GetInt32("id");

    /// <summary>Runs the task once: takes <paramref name="count"/> records, commits them, stops.</summary>
    private static async Task<List<SourceRecord>> RunAsync(CdcDatabase db, FakeOffsets offsets, string mode, int count, Func<Task>? whileStreaming = null)
    {
        await using var harness = new CdcHarness(db.Props(("snapshot.mode", mode)), offsets);
        await PostgresCdcTests.WaitForSlotAsync(db);
        if (whileStreaming is not null)
        {
            await whileStreaming();
        }
        var records = await harness.TakeAsync(count);
        harness.Commit(records);
        return records;
    }

    [Fact]
    public async Task Always_snapshots_on_every_start_then_streams()
    {
        await using var db = await CdcDatabase.CreateAsync("cdc_always");
        var t = db.Name + ".items";
        await db.ExecAsync($"CREATE TABLE {t} (id INT PRIMARY KEY)");
        await db.ExecAsync($"INSERT INTO {t} VALUES (1)");
        var offsets = new FakeOffsets();
        var first = await RunAsync(db, offsets, "always", 2, () => db.ExecAsync($"INSERT INTO {t} VALUES (2)"));
        Assert.Equal<(string, int?)>([("r", 1), ("c", 2)], first.Select(r => (Op(r), Id(r))));

        await db.ExecAsync($"INSERT INTO {t} VALUES (3)");
        var second = await RunAsync(db, offsets, "always", 4, () => db.ExecAsync($"INSERT INTO {t} VALUES (4)"));
        Assert.Equal<(string, int?)>([("r", 1), ("r", 2), ("r", 3), ("c", 4)], second.Select(r => (Op(r), Id(r))));
    }

    [Fact]
    public async Task When_needed_streams_from_offsets_the_slot_still_holds()
    {
        await using var db = await CdcDatabase.CreateAsync("cdc_needed");
        var t = db.Name + ".items";
        await db.ExecAsync($"CREATE TABLE {t} (id INT PRIMARY KEY)");
        await db.ExecAsync($"INSERT INTO {t} VALUES (1)");
        var offsets = new FakeOffsets();
        var first = await RunAsync(db, offsets, "when_needed", 1);
        Assert.Equal<(string, int?)>([("r", 1)], first.Select(r => (Op(r), Id(r))));

        await db.ExecAsync($"INSERT INTO {t} VALUES (2)");
        var second = await RunAsync(db, offsets, "when_needed", 1);
        Assert.Equal<(string, int?)>([("c", 2)], second.Select(r => (Op(r), Id(r))));
    }

    [Fact]
    public async Task When_needed_snapshots_when_the_slot_is_gone()
    {
        await using var db = await CdcDatabase.CreateAsync("cdc_needslot");
        var t = db.Name + ".items";
        await db.ExecAsync($"CREATE TABLE {t} (id INT PRIMARY KEY)");
        await db.ExecAsync($"INSERT INTO {t} VALUES (1)");
        var offsets = new FakeOffsets();
        await RunAsync(db, offsets, "when_needed", 1);
        await DropSlotAsync(db);
        await db.ExecAsync($"INSERT INTO {t} VALUES (2)");

        var again = await RunAsync(db, offsets, "when_needed", 2);
        Assert.Equal<(string, int?)>([("r", 1), ("r", 2)], again.Select(r => (Op(r), Id(r))));
    }

    [Fact]
    public async Task When_needed_snapshots_when_the_slot_restarts_past_the_offsets_position()
    {
        await using var db = await CdcDatabase.CreateAsync("cdc_needlsn");
        var t = db.Name + ".items";
        await db.ExecAsync($"CREATE TABLE {t} (id INT PRIMARY KEY)");
        await db.ExecAsync($"INSERT INTO {t} VALUES (1)");
        var offsets = new FakeOffsets();
        await RunAsync(db, offsets, "when_needed", 1);
        offsets.Commit([StaleOffset()]);

        var again = await RunAsync(db, offsets, "when_needed", 1);
        Assert.Equal<(string, int?)>([("r", 1)], again.Select(r => (Op(r), Id(r))));

        // Initial, by contrast, trusts the offsets and streams.
        offsets.Commit([StaleOffset()]);
        var streamed = await RunAsync(db, offsets, "initial", 1, () => db.ExecAsync($"INSERT INTO {t} VALUES (2)"));
        Assert.Equal<(string, int?)>([("c", 2)], streamed.Select(r => (Op(r), Id(r))));
    }

    [Fact]
    public async Task Initial_only_does_not_stream_after_its_snapshot_nor_on_restart()
    {
        await using var db = await CdcDatabase.CreateAsync("cdc_initonly");
        var t = db.Name + ".items";
        await db.ExecAsync($"CREATE TABLE {t} (id INT PRIMARY KEY)");
        await db.ExecAsync($"INSERT INTO {t} VALUES (1)");
        var offsets = new FakeOffsets();
        await using (var harness = new CdcHarness(db.Props(("snapshot.mode", "initial_only")), offsets))
        {
            harness.Commit(await harness.TakeAsync(1));
        }
        await db.ExecAsync($"INSERT INTO {t} VALUES (2)");
        await using (var harness = new CdcHarness(db.Props(("snapshot.mode", "initial_only")), offsets))
        {
            // A streaming task would hold the slot; this one never opens it.
            Assert.Empty(await harness.DrainAsync(TimeSpan.FromSeconds(1)));
            Assert.NotEqual(true, await db.ScalarAsync($"SELECT active FROM pg_replication_slots WHERE slot_name = '{db.Name}'"));
        }
    }

    // An offset at LSN 0/10, which the slot released long ago.
    private static SourceRecord StaleOffset() => new(new Dictionary<string, object?> { ["server"] = "dbserver1" },
        new Dictionary<string, object?> { ["lsn"] = 16L, ["lsn_proc"] = 16L, ["lsn_commit"] = 16L, ["txId"] = 1L, ["ts_usec"] = 0L },
        "t", null, null);

    private static Task DropSlotAsync(CdcDatabase db) =>
        PostgresCdcTests.WaitForAsync(async () =>
        {
            try
            {
                await db.ExecAsync($"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '{db.Name}'");
                return await db.ScalarAsync($"SELECT 1 FROM pg_replication_slots WHERE slot_name = '{db.Name}'") is null;
            }
            catch (Npgsql.PostgresException)
            {
                return false;
            }
        }, "the slot to be dropped");
}
