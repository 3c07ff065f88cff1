using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Sources;

namespace KafkaConnect.Connect.Debezium.Tests;

/// <summary>Change capture from a real PostgreSQL 15 with wal_level=logical (scripts/db-up.sh, port 55433).</summary>
public sealed class PostgresCdcTests
{
    private static Struct Value(SourceRecord record) => Assert.IsType<Struct>(record.Value);

    private static Struct? After(SourceRecord record) => Value(record).GetStruct("after");

    private static Struct? Before(SourceRecord record) => Value(record).GetStruct("before");

    private static string Op(SourceRecord record) => Value(record).GetString("op")!;

    private static Struct Source(SourceRecord record) => Value(record).GetStruct("source")!;

    [Fact]
    public async Task Snapshot_rows_then_inserts_updates_deletes_and_truncate_stream_in_order()
    {
        await using var db = await CdcDatabase.CreateAsync("cdc_order");
        var t = db.Name + ".customers";
        await db.ExecAsync($"CREATE TABLE {t} (id INT PRIMARY KEY, first_name TEXT NOT NULL, email VARCHAR(255))");
        await db.ExecAsync($"INSERT INTO {t} VALUES (1, 'Sally', 'sally@example.com'), (2, 'George', NULL)");

        var offsets = new FakeOffsets();
        await using var harness = new CdcHarness(db.Props(("skipped.operations", "none")), offsets);
        var snapshot = await harness.TakeAsync(2);
        Assert.All(snapshot, r => Assert.Equal("r", Op(r)));
        Assert.Equal(["first", "last"], snapshot.Select(r => Source(r).GetString("snapshot")));
        Assert.Equal([1, 2], snapshot.Select(r => After(r)!.GetInt32("id")));
        Assert.All(snapshot, r => Assert.Null(Before(r)));
        var first = snapshot[0];
        Assert.Equal($"dbserver1.{db.Name}.customers", first.Topic);
        Assert.Equal($"dbserver1.{db.Name}.customers.Key", first.KeySchema!.Name);
        Assert.Equal(1, Assert.IsType<Struct>(first.Key).GetInt32("id"));
        Assert.Equal($"dbserver1.{db.Name}.customers.Envelope", first.ValueSchema!.Name);
        Assert.Equal(new Dictionary<string, object?> { ["server"] = "dbserver1" }, first.SourcePartition);
        Assert.Equal("INITIAL", first.SourceOffset!["snapshot"]);
        Assert.Equal(false, first.SourceOffset["last_snapshot_record"]);
        Assert.Equal(true, snapshot[1].SourceOffset!["last_snapshot_record"]);
        harness.Commit(snapshot);

        await db.ExecAsync($"INSERT INTO {t} VALUES (3, 'Edward', 'ed@example.com')");
        await db.ExecAsync($"UPDATE {t} SET email = 'george@example.com' WHERE id = 2");
        await db.ExecAsync($"DELETE FROM {t} WHERE id = 1");
        await db.ExecAsync($"TRUNCATE {t}");
        var changes = await harness.TakeAsync(5);

        Assert.Equal(["c", "u", "d", null, "t"], changes.Select(r => r.Value is null ? null : Op(r)));
        var insert = changes[0];
        Assert.Equal("Edward", After(insert)!.GetString("first_name"));
        Assert.Equal("false", Source(insert).Get("snapshot"));
        Assert.NotNull(Source(insert).GetInt64("txId"));
        Assert.NotNull(Source(insert).GetInt64("lsn"));
        Assert.Equal("kctest", Source(insert).GetString("db"));
        Assert.Equal(db.Name, Source(insert).GetString("schema"));
        Assert.Equal("customers", Source(insert).GetString("table"));
        Assert.Equal("postgresql", Source(insert).GetString("connector"));
        Assert.Equal("dbserver1", Source(insert).GetString("name"));

        var update = changes[1];
        Assert.Null(Before(update)); // REPLICA IDENTITY DEFAULT sends no old row
        Assert.Equal("george@example.com", After(update)!.GetString("email"));
        Assert.Equal("George", After(update)!.GetString("first_name"));

        var delete = changes[2];
        Assert.Null(After(delete));
        Assert.Equal(1, Before(delete)!.GetInt32("id"));
        Assert.Equal("", Before(delete)!.GetString("first_name")); // not sent; a required field gets Debezium's fallback
        Assert.Null(Before(delete)!.GetString("email"));
        var tombstone = changes[3];
        Assert.Equal(delete.Key, tombstone.Key);
        Assert.Null(tombstone.ValueSchema);
        Assert.Equal(delete.SourceOffset, tombstone.SourceOffset);

        var truncate = changes[4];
        Assert.Null(truncate.Key);
        Assert.Null(Before(truncate));
        Assert.Null(After(truncate));

        // Transactions after the first streamed one carry the end of the previous one as lsn_commit.
        var lsns = changes.Select(r => (long)r.SourceOffset!["lsn"]!).ToList();
        Assert.True(lsns[0] < lsns[1] && lsns[1] < lsns[2] && lsns[2] < lsns[4]);
        Assert.True((long)changes[1].SourceOffset!["lsn_commit"]! > lsns[0]);
        Assert.Equal("INSERT", insert.SourceOffset!["messageType"]);
    }

    [Fact]
    public async Task Truncate_is_skipped_by_default_as_in_debezium()
    {
        await using var db = await CdcDatabase.CreateAsync("cdc_skip");
        var t = db.Name + ".items";
        await db.ExecAsync($"CREATE TABLE {t} (id INT PRIMARY KEY)");
        await using var harness = new CdcHarness(db.Props(("snapshot.mode", "no_data")), new FakeOffsets());
        await WaitForSlotAsync(db);
        await db.ExecAsync($"INSERT INTO {t} VALUES (1)");
        await db.ExecAsync($"TRUNCATE {t}");
        await db.ExecAsync($"INSERT INTO {t} VALUES (2)");
        var records = await harness.TakeAsync(2);
        Assert.Equal([1, 2], records.Select(r => After(r)!.GetInt32("id")));
    }

    [Fact]
    public async Task Restart_resumes_from_committed_offsets_and_loses_no_change()
    {
        await using var db = await CdcDatabase.CreateAsync("cdc_restart");
        var t = db.Name + ".events";
        await db.ExecAsync($"CREATE TABLE {t} (id INT PRIMARY KEY, note TEXT)");
        await db.ExecAsync($"INSERT INTO {t} VALUES (1, 'snap')");
        var offsets = new FakeOffsets();
        var props = db.Props();
        await using (var harness = new CdcHarness(props, offsets))
        {
            harness.Commit(await harness.TakeAsync(1));
            for (var i = 2; i <= 6; i++)
            {
                await db.ExecAsync($"INSERT INTO {t} VALUES ({i}, 'tx')");
            }
            // One transaction of several rows: the restart must neither repeat its committed part nor drop the rest.
            await db.ExecAsync($"BEGIN; INSERT INTO {t} VALUES (7, 'multi'); INSERT INTO {t} VALUES (8, 'multi'); INSERT INTO {t} VALUES (9, 'multi'); COMMIT;");
            var streamed = await harness.TakeAsync(8);
            Assert.Equal([2, 3, 4, 5, 6, 7, 8, 9], streamed.Select(r => After(r)!.GetInt32("id")));
            // The worker committed up to id 8 (mid-transaction); 9 was polled but its offset never stored.
            harness.Commit(streamed.Take(7));

            // The slot confirms the end of the last whole transaction the committed offsets cover (id 6's).
            var expected = (long)streamed[6].SourceOffset!["lsn_commit"]!;
            await WaitForAsync(async () => await ConfirmedFlushAsync(db) >= expected, "the slot's confirmed_flush_lsn to advance");
            Assert.Equal(expected, await ConfirmedFlushAsync(db));
        }

        await db.ExecAsync($"INSERT INTO {t} VALUES (10, 'while stopped')");
        await db.ExecAsync($"UPDATE {t} SET note = 'updated while stopped' WHERE id = 2");
        await using (var harness = new CdcHarness(props, offsets))
        {
            var resumed = await harness.TakeAsync(3);
            Assert.Equal(["c", "c", "u"], resumed.Select(Op));
            Assert.Equal([9, 10, 2], resumed.Select(r => After(r)!.GetInt32("id")));
            Assert.Empty(await harness.DrainAsync(TimeSpan.FromSeconds(1)));
        }
    }

    [Fact]
    public async Task Primary_key_change_is_a_delete_and_a_create_and_a_restart_between_them_loses_neither()
    {
        await using var db = await CdcDatabase.CreateAsync("cdc_pkchange");
        var t = db.Name + ".items";
        await db.ExecAsync($"CREATE TABLE {t} (id INT PRIMARY KEY, name TEXT)");
        var offsets = new FakeOffsets();
        var props = db.Props(("snapshot.mode", "no_data"));
        await using (var harness = new CdcHarness(props, offsets))
        {
            await WaitForSlotAsync(db);
            await db.ExecAsync($"INSERT INTO {t} VALUES (1, 'a')");
            await db.ExecAsync($"UPDATE {t} SET id = 2 WHERE id = 1");
            var records = await harness.TakeAsync(4);
            Assert.Equal(["c", "d", null, "c"], records.Select(r => r.Value is null ? null : Op(r)));
            Assert.Equal(1, ((Struct)records[1].Key!).GetInt32("id"));
            Assert.Equal(1, ((Struct)records[2].Key!).GetInt32("id"));
            Assert.Equal(2, After(records[3])!.GetInt32("id"));
            // The delete and the create share one LSN; the worker committed through the delete (and its tombstone) only.
            Assert.Equal(records[1].SourceOffset!["lsn"], records[3].SourceOffset!["lsn"]);
            Assert.Equal(1L, records[1].SourceOffset!["lsn_events_processed"]);
            Assert.Equal(2L, records[3].SourceOffset!["lsn_events_processed"]);
            harness.Commit(records.Take(3));
        }
        await using (var harness = new CdcHarness(props, offsets))
        {
            var resumed = Assert.Single(await harness.TakeAsync(1));
            Assert.Equal("c", Op(resumed));
            Assert.Equal(2, After(resumed)!.GetInt32("id"));
            Assert.Empty(await harness.DrainAsync(TimeSpan.FromSeconds(1)));
        }
    }

    [Fact]
    public async Task Added_and_dropped_columns_show_in_the_next_events_schema()
    {
        await using var db = await CdcDatabase.CreateAsync("cdc_ddl");
        var t = db.Name + ".people";
        await db.ExecAsync($"CREATE TABLE {t} (id INT PRIMARY KEY, name TEXT)");
        await using var harness = new CdcHarness(db.Props(("snapshot.mode", "no_data")), new FakeOffsets());
        await WaitForSlotAsync(db);
        await db.ExecAsync($"INSERT INTO {t} VALUES (1, 'a')");
        await db.ExecAsync($"ALTER TABLE {t} ADD COLUMN email TEXT NOT NULL DEFAULT 'none'");
        await db.ExecAsync($"INSERT INTO {t} VALUES (2, 'b', 'b@example.com')");
        await db.ExecAsync($"ALTER TABLE {t} DROP COLUMN name");
        await db.ExecAsync($"INSERT INTO {t} VALUES (3, 'c@example.com')");
        var records = await harness.TakeAsync(3);
        Assert.Equal(["id", "name"], After(records[0])!.Schema.Fields.Select(f => f.Name));
        Assert.Equal(["id", "name", "email"], After(records[1])!.Schema.Fields.Select(f => f.Name));
        Assert.False(After(records[1])!.Schema.GetField("email")!.Schema.IsOptional);
        Assert.Equal("b@example.com", After(records[1])!.GetString("email"));
        Assert.Equal(["id", "email"], After(records[2])!.Schema.Fields.Select(f => f.Name));
        Assert.Equal("c@example.com", After(records[2])!.GetString("email"));
    }

    [Fact]
    public async Task Interrupted_snapshot_is_taken_again_on_restart()
    {
        await using var db = await CdcDatabase.CreateAsync("cdc_resnap");
        var t = db.Name + ".rows";
        await db.ExecAsync($"CREATE TABLE {t} (id INT PRIMARY KEY)");
        await db.ExecAsync($"INSERT INTO {t} SELECT g FROM generate_series(1, 3) g");
        var offsets = new FakeOffsets();
        await using (var harness = new CdcHarness(db.Props(), offsets))
        {
            var part = await harness.TakeAsync(2);
            harness.Commit(part.Take(1)); // stopped before the snapshot's last record was committed
        }
        await db.ExecAsync($"INSERT INTO {t} VALUES (4)");
        await using (var harness = new CdcHarness(db.Props(), offsets))
        {
            var again = await harness.TakeAsync(4);
            Assert.All(again, r => Assert.Equal("r", Op(r)));
            Assert.Equal([1, 2, 3, 4], again.Select(r => After(r)!.GetInt32("id")).Order());
            harness.Commit(again);
            await db.ExecAsync($"INSERT INTO {t} VALUES (5)");
            Assert.Equal(5, After(Assert.Single(await harness.TakeAsync(1)))!.GetInt32("id"));
        }
    }

    [Fact]
    public async Task Table_without_primary_key_gives_keyless_records()
    {
        await using var db = await CdcDatabase.CreateAsync("cdc_nokey");
        var t = db.Name + ".log";
        await db.ExecAsync($"CREATE TABLE {t} (line TEXT, n INT)");
        await db.ExecAsync($"INSERT INTO {t} VALUES ('a', 1)");
        await using var harness = new CdcHarness(db.Props(), new FakeOffsets());
        var snapshot = Assert.Single(await harness.TakeAsync(1));
        Assert.Null(snapshot.Key);
        Assert.Null(snapshot.KeySchema);
        await db.ExecAsync($"INSERT INTO {t} VALUES ('b', 2)");
        var insert = Assert.Single(await harness.TakeAsync(1));
        Assert.Null(insert.KeySchema);
        Assert.Equal("b", After(insert)!.GetString("line"));
    }

    [Fact]
    public async Task Replica_identity_full_gives_before_images()
    {
        await using var db = await CdcDatabase.CreateAsync("cdc_full");
        var t = db.Name + ".accounts";
        await db.ExecAsync($"CREATE TABLE {t} (id INT PRIMARY KEY, balance INT NOT NULL)");
        await db.ExecAsync($"ALTER TABLE {t} REPLICA IDENTITY FULL");
        await using var harness = new CdcHarness(db.Props(("snapshot.mode", "no_data"), ("tombstones.on.delete", "false")), new FakeOffsets());
        await WaitForSlotAsync(db);
        await db.ExecAsync($"INSERT INTO {t} VALUES (1, 100)");
        await db.ExecAsync($"UPDATE {t} SET balance = 50 WHERE id = 1");
        await db.ExecAsync($"DELETE FROM {t} WHERE id = 1");
        var records = await harness.TakeAsync(3);
        Assert.Equal(["c", "u", "d"], records.Select(Op));
        Assert.Equal(100, Before(records[1])!.GetInt32("balance"));
        Assert.Equal(50, After(records[1])!.GetInt32("balance"));
        Assert.Equal(50, Before(records[2])!.GetInt32("balance"));
    }

    [Fact]
    public async Task Slot_drop_on_stop_drops_the_slot_when_the_task_stops()
    {
        await using var db = await CdcDatabase.CreateAsync("cdc_dropslot");
        await db.ExecAsync($"CREATE TABLE {db.Name}.t (id INT PRIMARY KEY)");
        await db.ExecAsync($"INSERT INTO {db.Name}.t VALUES (1)");
        await using (var harness = new CdcHarness(db.Props(("slot.drop.on.stop", "true")), new FakeOffsets()))
        {
            Assert.Single(await harness.TakeAsync(1));
            Assert.NotNull(await db.ScalarAsync($"SELECT 1 FROM pg_replication_slots WHERE slot_name = '{db.Name}'"));
        }
        Assert.Null(await db.ScalarAsync($"SELECT 1 FROM pg_replication_slots WHERE slot_name = '{db.Name}'"));
    }

    [Fact]
    public async Task Missing_publication_with_autocreate_disabled_fails_with_a_clear_error()
    {
        await using var db = await CdcDatabase.CreateAsync("cdc_nopub");
        await db.ExecAsync($"CREATE TABLE {db.Name}.t (id INT PRIMARY KEY)");
        await using var harness = new CdcHarness(db.Props(("publication.autocreate.mode", "disabled")), new FakeOffsets());
        var error = await Assert.ThrowsAsync<ConnectException>(() => harness.TakeAsync(1));
        Assert.Contains($"Publication '{db.Name}' does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains("publication.autocreate.mode=disabled", error.Message, StringComparison.Ordinal);
        Assert.Null(await db.ScalarAsync($"SELECT 1 FROM pg_replication_slots WHERE slot_name = '{db.Name}'"));
    }

    [Fact]
    public async Task Slot_held_by_another_client_fails_with_a_clear_error()
    {
        await using var db = await CdcDatabase.CreateAsync("cdc_busy");
        await db.ExecAsync($"CREATE TABLE {db.Name}.t (id INT PRIMARY KEY)");
        await using var first = new CdcHarness(db.Props(("snapshot.mode", "no_data")), new FakeOffsets());
        await WaitForAsync(async () => await db.ScalarAsync($"SELECT active FROM pg_replication_slots WHERE slot_name = '{db.Name}'") is true,
            "the first task to stream from the slot");
        await using var second = new CdcHarness(db.Props(("snapshot.mode", "no_data")), new FakeOffsets());
        var error = await Assert.ThrowsAnyAsync<ConnectException>(() => second.TakeAsync(1));
        Assert.Contains($"Replication slot '{db.Name}' is active for PID", error.Message, StringComparison.Ordinal);
    }

    // A slot being created is already active, but only captures what commits after its consistent point, which it
    // has found once confirmed_flush_lsn is set (finding it waits for running transactions, of other tests too).
    internal static async Task WaitForSlotAsync(CdcDatabase db) =>
        await WaitForAsync(async () => await db.ScalarAsync(
                $"SELECT active AND confirmed_flush_lsn IS NOT NULL FROM pg_replication_slots WHERE slot_name = '{db.Name}'") is true,
            "the task to stream from its slot");

    internal static async Task<long> ConfirmedFlushAsync(CdcDatabase db) =>
        (long)Convert.ToDecimal(await db.ScalarAsync(
            $"SELECT confirmed_flush_lsn - '0/0'::pg_lsn FROM pg_replication_slots WHERE slot_name = '{db.Name}'"), System.Globalization.CultureInfo.InvariantCulture);

    internal static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, "Timed out waiting for " + what);
            await Task.Delay(100);
        }
    }
}
