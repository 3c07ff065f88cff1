using System.Globalization;
using KafkaConnect.Connect.Debezium.Transforms;
using KafkaConnect.Connect.Jdbc.Sink;
using KafkaConnect.Connect.Json;
using KafkaConnect.Connect.Sinks;
using KafkaConnect.Connect.Sources;

namespace KafkaConnect.Connect.Debezium.Tests;

/// <summary>
/// The classic replication pipeline on the real CDC database: our PostgreSQL connector's records, through a
/// JsonConverter with schemas (as a topic would carry them), ExtractNewRecordState and our JDBC sink (upsert by record
/// key, deletes enabled) into a second table, which must then equal the source row by row.
/// </summary>
public sealed class UnwrapPipelineTests
{
    [Theory]
    [InlineData("tombstone")]
    [InlineData("rewrite-with-tombstone")]
    public async Task A_mixed_workload_leaves_the_replica_equal_to_the_source(string mode)
    {
        await using var db = await CdcDatabase.CreateAsync("cdc_unwrap");
        var source = db.Name + ".items";
        var replica = db.Name + ".replica";
        await db.ExecAsync($"CREATE TABLE {source} (id INT PRIMARY KEY, name TEXT NOT NULL, qty INT, note VARCHAR(50))");
        await db.ExecAsync($"INSERT INTO {source} VALUES (1, 'one', 10, 'snap'), (2, 'two', NULL, NULL), (3, 'three', 30, 'x')");

        await using var harness = new CdcHarness(db.Props(), new FakeOffsets());
        var events = await harness.TakeAsync(3);
        string[] workload =
        [
            $"INSERT INTO {source} SELECT g, 'n' || g, g * 2, NULL FROM generate_series(4, 40) g",
            $"UPDATE {source} SET qty = qty + 1 WHERE id % 3 = 0",
            $"UPDATE {source} SET note = 'later', qty = NULL WHERE id = 2",
            $"DELETE FROM {source} WHERE id % 5 = 0",
            $"DELETE FROM {source} WHERE id = 1",
            $"INSERT INTO {source} VALUES (1, 'one again', 11, 'back')",
            $"UPDATE {source} SET name = 'renamed' WHERE id = 7",
            $"BEGIN; UPDATE {source} SET qty = 0 WHERE id = 8; DELETE FROM {source} WHERE id = 9; INSERT INTO {source} VALUES (41, 'x', 1, 'tx'); COMMIT;",
        ];
        foreach (var sql in workload)
        {
            await db.ExecAsync(sql);
        }
        // 37 inserts, 13 + 1 updates, 8 + 1 deletes (each with its tombstone), 1 insert, 1 update, then 1 + 1 (+ tombstone) + 1.
        events.AddRange(await harness.TakeAsync(37 + 14 + 18 + 1 + 1 + 4));
        Assert.Empty(await harness.DrainAsync(TimeSpan.FromMilliseconds(500)));

        var sink = new JdbcSinkTask();
        sink.Start(new Dictionary<string, string>
        {
            ["connection.url"] = $"jdbc:postgresql://{CdcDatabase.Host}:{CdcDatabase.Port}/kctest?user=postgres",
            ["topics"] = events[0].Topic,
            ["table.name.format"] = replica,
            ["insert.mode"] = "upsert",
            ["pk.mode"] = "record_key",
            ["delete.enabled"] = "true",
            ["auto.create"] = "true",
            ["auto.evolve"] = "true",
        });
        try
        {
            var unwrap = new ExtractNewRecordState();
            unwrap.Configure(new Dictionary<string, string> { ["delete.tombstone.handling.mode"] = mode });
            var batch = Through(events).Select(unwrap.Apply).OfType<SinkRecord>().ToList();
            // Several batches, so the sink's per-batch handling of a key's upsert, delete and re-insert counts too.
            foreach (var chunk in batch.Chunk(17))
            {
                sink.Put(chunk);
            }
        }
        finally
        {
            sink.Stop();
        }

        var expected = await RowsAsync(db, source);
        Assert.Equal(32, expected.Count);
        Assert.Equal(expected, await RowsAsync(db, replica));
    }

    /// <summary>Source records as a sink task gets them from a topic: JSON with schemas, key and value.</summary>
    private static IEnumerable<SinkRecord> Through(IEnumerable<SourceRecord> records)
    {
        var keys = new JsonConverter();
        keys.Configure(new Dictionary<string, string> { ["schemas.enable"] = "true" }, isKey: true);
        var values = new JsonConverter();
        values.Configure(new Dictionary<string, string> { ["schemas.enable"] = "true" }, isKey: false);
        var offset = 0L;
        foreach (var record in records)
        {
            var key = keys.ToConnectData(record.Topic, null, keys.FromConnectData(record.Topic, null, record.KeySchema, record.Key));
            var value = values.ToConnectData(record.Topic, null, values.FromConnectData(record.Topic, null, record.ValueSchema, record.Value));
            yield return new SinkRecord(record.Topic, 0, key.Schema, key.Value, value.Schema, value.Value, offset++);
        }
    }

    private static async Task<List<string>> RowsAsync(CdcDatabase db, string table)
    {
        var rows = new List<string>();
        await using var command = db.Connection.CreateCommand();
        command.CommandText = $"SELECT id, name, qty, note FROM {table} ORDER BY id";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(string.Join("|", Enumerable.Range(0, 4).Select(i =>
                reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
        }
        return rows;
    }
}
