using System.Diagnostics;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests.Debezium;

/// <summary>
/// Debezium's PostgreSQL connector in a real kconnect worker against the logical-replication PostgreSQL of
/// scripts/db-up.sh (127.0.0.1:55433): kill -9 of the worker during a burst of 100,000 changes loses none.
/// </summary>
public sealed class PostgresCdcProcessTests(ITestOutputHelper output)
{
    private const string Db = "Host=127.0.0.1;Port=55433;Username=postgres;Database=kctest;Pooling=false";

    /// <summary>The worker is killed once this many records of the burst are in the topic (a fifth of it).</summary>
    private const int KillAfterRecords = ChangeBurst.Changes / 5;

    [Fact]
    public async Task KillMinus9_DuringABurstOf100000Changes_RestartLosesNone()
    {
        var clock = Stopwatch.StartNew();
        var name = $"e2e_{Guid.NewGuid():N}"[..20];
        await using var db = new NpgsqlConnection(Db);
        try
        {
            await db.OpenAsync();
        }
        catch (NpgsqlException e)
        {
            throw new InvalidOperationException("The CDC PostgreSQL is not reachable on 127.0.0.1:55433: run scripts/db-up.sh", e);
        }
        var table = $"{name}.burst";
        await ExecAsync(db, $"CREATE SCHEMA {name}; CREATE TABLE {table} (id INT PRIMARY KEY, v INT NOT NULL, note TEXT)");
        try
        {
            await using var worker = new WorkerProcess(output);
            // Schemaless JSON keeps 100,000 records small; offsets are committed every half second.
            var workerFile = worker.WriteFile("worker.properties", $"""
                key.converter=org.apache.kafka.connect.json.JsonConverter
                value.converter=org.apache.kafka.connect.json.JsonConverter
                key.converter.schemas.enable=false
                value.converter.schemas.enable=false
                offset.storage.file.filename={worker.PathOf("connect.offsets")}
                offset.flush.interval.ms=500
                {worker.PortLines()}
                """);
            var connector = worker.WriteFile("cdc.properties", $"""
                name=cdc
                connector.class=io.debezium.connector.postgresql.PostgresConnector
                database.hostname=127.0.0.1
                database.port=55433
                database.user=postgres
                database.dbname=kctest
                topic.prefix=e2e
                slot.name={name}
                publication.name={name}
                table.include.list={name}\\.burst
                status.update.interval.ms=200
                """);
            await worker.StartAsync(workerFile, connector);
            await worker.WaitForStateAsync("cdc", "RUNNING");

            // Before the burst, offsets of a finished snapshot must be committed (row 0 is read by the snapshot or
            // streamed): the restart then streams from them instead of snapshotting again, which would fold the burst's
            // updates and deletes into "r" rows. Row 0's own transaction is confirmed to the slot only once a later one is processed (an event's offset
            // holds the end of the transactions before it, as Debezium's), so the committed offsets file is what says
            // the snapshot is over: a streamed event's offset, or the snapshot's completed one.
            await ExecAsync(db, $"INSERT INTO {table} VALUES (0, 0, 'before the burst')");
            var offsetsFile = worker.PathOf("connect.offsets");
            await Eventually.WaitAsync(() => Task.FromResult(File.Exists(offsetsFile) && File.ReadAllText(offsetsFile) is var committed
                    && (committed.Contains("\"messageType\"", StringComparison.Ordinal) || committed.Contains("\"last_snapshot_record\":true", StringComparison.Ordinal) || committed.Contains("\"snapshot_completed\":true", StringComparison.Ordinal))),
                TimeSpan.FromSeconds(60), () => "no offsets of a finished snapshot were committed:" + Environment.NewLine + worker.Current.Tail(40));

            var topic = $"e2e.{table}";
            var burst = new ChangeBurst(Db, table, changesPerSecond: 10_000);
            using var stopWriter = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            var writer = Task.Run(() => burst.RunAsync(stopWriter.Token));
            long inTopic = 0;
            await Eventually.WaitAsync(() =>
            {
                Assert.False(writer.IsFaulted, writer.Exception?.ToString());
                inTopic = ChangeTopic.EndOffset(worker.BrokerServers, topic);
                return Task.FromResult(inTopic >= KillAfterRecords);
            }, TimeSpan.FromSeconds(90), () => $"{inTopic} records in {topic}:{Environment.NewLine}{worker.Current.Tail(40)}", pollMs: 250);
            var confirmed = await ScalarAsync(db, $"SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '{name}'");
            var written = burst.CommittedTransactions;
            await worker.KillAsync();
            output.WriteLine($"kill -9 at {clock.Elapsed.TotalSeconds:F1}s: {written} of {ChangeBurst.Batches + 1} transactions committed, "
                + $"{inTopic}+ records in the topic, slot confirmed up to {confirmed} (committed offsets)");
            // The premise: changes were in flight, committed in PostgreSQL but not yet in the topic.
            Assert.True(inTopic < ChangeBurst.Changes, $"the whole burst was in the topic before the kill ({inTopic} records)");

            await worker.StartAsync(workerFile, connector);
            await worker.WaitForStateAsync("cdc", "RUNNING");
            await writer;
            output.WriteLine($"writer done at {clock.Elapsed.TotalSeconds:F1}s");

            var expected = ChangeBurst.Expected();
            var contents = await Task.Run(() => ChangeTopic.ReadUntil(worker.BrokerServers, topic, expected, ignoredId: 0, TimeSpan.FromSeconds(120)));
            var distinct = contents.Changes.ToHashSet();
            var lost = expected.Except(distinct).OrderBy(c => c.Id).Take(10).ToList();
            Assert.True(lost.Count == 0, $"{expected.Count - distinct.Count} of {expected.Count} changes missing from {topic}, e.g. "
                + string.Join(", ", lost) + Environment.NewLine + worker.Current.Tail(40));
            Assert.True(contents.Unexpected.Count == 0, "records that are no change of the burst: " + string.Join(Environment.NewLine, contents.Unexpected));
            // Each delete is followed by its tombstone; a redelivered delete brings its tombstone again.
            var deletes = contents.Changes.Count(c => c.Op == 'd');
            Assert.Equal(deletes, contents.Tombstones);
            var duplicates = contents.Changes.Count - distinct.Count;
            output.WriteLine($"{ChangeBurst.Changes} changes in {ChangeBurst.Batches + 1} transactions: "
                + $"{contents.Changes.Count} change records and {contents.Tombstones} tombstones after kill -9 and restart, "
                + $"none lost, {duplicates} delivered twice; {clock.Elapsed.TotalSeconds:F1}s");
            await worker.StopAsync();
        }
        finally
        {
            await Eventually.WaitAsync(async () =>
            {
                try
                {
                    await ExecAsync(db, $"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '{name}'");
                    return true;
                }
                catch (PostgresException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(10), () => "the slot stayed in use");
            await ExecAsync(db, $"DROP PUBLICATION IF EXISTS {name}; DROP SCHEMA {name} CASCADE");
        }
    }

    private static async Task ExecAsync(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        return await command.ExecuteScalarAsync();
    }
}
