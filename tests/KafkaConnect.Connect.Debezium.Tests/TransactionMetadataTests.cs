using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Sources;

namespace KafkaConnect.Connect.Debezium.Tests;

/// <summary>provide.transaction.metadata: the transaction block and the BEGIN/END records, against a real PostgreSQL.</summary>
public sealed class TransactionMetadataTests
{
    private static Struct Value(SourceRecord record) => Assert.IsType<Struct>(record.Value);

    private static async Task WriteTransactionAsync(CdcDatabase db)
    {
        await db.ExecAsync($"""
            BEGIN;
            INSERT INTO {db.Name}.a VALUES (1);
            INSERT INTO {db.Name}.b VALUES (1);
            INSERT INTO {db.Name}.a VALUES (2);
            DELETE FROM {db.Name}.b WHERE id = 1;
            COMMIT;
            """);
    }

    private static async Task<CdcDatabase> CreateAsync(string prefix)
    {
        var db = await CdcDatabase.CreateAsync(prefix);
        await db.ExecAsync($"CREATE TABLE {db.Name}.a (id INT PRIMARY KEY)");
        await db.ExecAsync($"CREATE TABLE {db.Name}.b (id INT PRIMARY KEY)");
        return db;
    }

    private static void AssertBlock(SourceRecord record, long xid, long totalOrder, long collectionOrder)
    {
        var block = Value(record).GetStruct("transaction")!;
        Assert.Equal("event.block", block.Schema.Name);
        Assert.Equal($"{xid}:{record.SourceOffset!["lsn"]}", block.GetString("id"));
        Assert.Equal(totalOrder, block.GetInt64("total_order"));
        Assert.Equal(collectionOrder, block.GetInt64("data_collection_order"));
        Assert.Equal(xid.ToString(System.Globalization.CultureInfo.InvariantCulture), record.SourceOffset["transaction_id"]);
    }

    private static void AssertEnd(SourceRecord end, CdcDatabase db, long xid)
    {
        Assert.Equal("dbserver1.transaction", end.Topic);
        var value = Value(end);
        Assert.Equal("END", value.GetString("status"));
        Assert.Equal($"{xid}:{end.SourceOffset!["lsn"]}", value.GetString("id"));
        Assert.Equal(value.GetString("id"), Assert.IsType<Struct>(end.Key).GetString("id"));
        Assert.Equal(4L, value.GetInt64("event_count"));
        var collections = value.GetArray("data_collections")!.Cast<Struct>()
            .Select(c => (c.GetString("data_collection"), c.GetInt64("event_count"))).ToList();
        Assert.Equal<(string?, long?)>([($"{db.Name}.a", 2L), ($"{db.Name}.b", 2L)], collections);
        Assert.False(end.SourceOffset.ContainsKey("transaction_id"));
    }

    [Fact]
    public async Task Events_carry_the_transaction_block_between_begin_and_end_records()
    {
        await using var db = await CreateAsync("cdc_txmeta");
        await using var harness = new CdcHarness(db.Props(("snapshot.mode", "no_data"), ("provide.transaction.metadata", "true"), ("publication.autocreate.mode", "filtered")), new FakeOffsets());
        await PostgresCdcTests.WaitForSlotAsync(db);
        await WriteTransactionAsync(db);
        var records = await harness.TakeAsync(7);

        var begin = records[0];
        Assert.Equal("dbserver1.transaction", begin.Topic);
        Assert.Equal("io.debezium.connector.common.TransactionMetadataKey", begin.KeySchema!.Name);
        Assert.Equal("io.debezium.connector.common.TransactionMetadataValue", begin.ValueSchema!.Name);
        Assert.Equal(["status", "id", "event_count", "data_collections", "ts_ms"], begin.ValueSchema.Fields.Select(f => f.Name));
        var beginValue = Value(begin);
        Assert.Equal("BEGIN", beginValue.GetString("status"));
        Assert.Null(beginValue.GetInt64("event_count"));
        Assert.Null(beginValue.Get("data_collections"));
        Assert.Equal(beginValue.GetString("id"), Assert.IsType<Struct>(begin.Key).GetString("id"));
        var xid = (long)Value(records[1]).GetStruct("source")!.GetInt64("txId")!;
        Assert.StartsWith($"{xid}:", beginValue.GetString("id"), StringComparison.Ordinal);
        Assert.Equal(Value(records[1]).GetStruct("source")!.GetInt64("ts_ms"), beginValue.GetInt64("ts_ms"));

        AssertBlock(records[1], xid, 1, 1); // a
        AssertBlock(records[2], xid, 2, 1); // b
        AssertBlock(records[3], xid, 3, 2); // a
        AssertBlock(records[4], xid, 4, 2); // b, the delete
        Assert.Null(records[5].Value); // its tombstone
        AssertEnd(records[6], db, xid);
    }

    [Fact]
    public async Task A_restart_in_the_middle_of_a_transaction_continues_its_counts_without_a_second_begin()
    {
        await using var db = await CreateAsync("cdc_txrestart");
        var offsets = new FakeOffsets();
        var props = db.Props(("snapshot.mode", "no_data"), ("provide.transaction.metadata", "true"), ("publication.autocreate.mode", "filtered"));
        long xid;
        await using (var harness = new CdcHarness(props, offsets))
        {
            await PostgresCdcTests.WaitForSlotAsync(db);
            await WriteTransactionAsync(db);
            var head = await harness.TakeAsync(3); // BEGIN and the first two events
            harness.Commit(head);
            xid = (long)Value(head[1]).GetStruct("source")!.GetInt64("txId")!;
        }
        await using (var harness = new CdcHarness(props, offsets))
        {
            var rest = await harness.TakeAsync(4);
            AssertBlock(rest[0], xid, 3, 2);
            AssertBlock(rest[1], xid, 4, 2);
            Assert.Null(rest[2].Value);
            AssertEnd(rest[3], db, xid);
        }
    }

    [Fact]
    public async Task Without_the_setting_the_block_is_null_and_no_transaction_records_are_sent()
    {
        await using var db = await CreateAsync("cdc_txoff");
        await using var harness = new CdcHarness(db.Props(("snapshot.mode", "no_data")), new FakeOffsets());
        await PostgresCdcTests.WaitForSlotAsync(db);
        await WriteTransactionAsync(db);
        var records = await harness.TakeAsync(5);
        Assert.All(records, r => Assert.NotEqual("dbserver1.transaction", r.Topic));
        Assert.All(records.Where(r => r.Value is not null), r => Assert.Null(Value(r).Get("transaction")));
    }
}
