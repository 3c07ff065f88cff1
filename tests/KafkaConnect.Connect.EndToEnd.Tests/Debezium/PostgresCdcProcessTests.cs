using System.Text;
using System.Text.Json;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests.Debezium;

/// <summary>
/// Debezium's PostgreSQL connector in a real kconnect worker against the logical-replication PostgreSQL of
/// scripts/db-up.sh (127.0.0.1:55433): kill -9 during a burst of changes loses none.
/// </summary>
public sealed class PostgresCdcProcessTests(ITestOutputHelper output)
{
    private const string Db = "Host=127.0.0.1;Port=55433;Username=postgres;Database=kctest;Pooling=false";

    [Fact]
    public async Task KillMinus9_DuringABurstOfChanges_RestartLosesNone()
    {
        const int Rows = 5_000;
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
        await ExecAsync(db, $"CREATE SCHEMA {name}; CREATE TABLE {name}.burst (id INT PRIMARY KEY, note TEXT)");
        try
        {
            await using var worker = new WorkerProcess(output);
            var workerFile = worker.ClassicWorkerFile(offsetFlushMs: 500);
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
            await Eventually.WaitAsync(async () => await ScalarAsync(db, $"SELECT active FROM pg_replication_slots WHERE slot_name = '{name}'") is true,
                TimeSpan.FromSeconds(30), () => "the task did not start streaming:" + Environment.NewLine + worker.Current.Tail(40));

            // One row per transaction; the worker is killed a fifth of the way in and the writer goes on meanwhile.
            var writer = Task.Run(async () =>
            {
                await using var conn = new NpgsqlConnection(Db);
                await conn.OpenAsync();
                for (var i = 1; i <= Rows; i++)
                {
                    await ExecAsync(conn, $"INSERT INTO {name}.burst VALUES ({i}, 'row {i}')");
                }
            });
            await Eventually.WaitAsync(async () => (long)(await ScalarAsync(db, $"SELECT count(*) FROM {name}.burst"))! >= Rows / 5,
                TimeSpan.FromSeconds(60), () => "the writer stalled");
            await worker.KillAsync();
            await writer;
            await worker.StartAsync(workerFile, connector);
            await worker.WaitForStateAsync("cdc", "RUNNING");

            var topic = $"e2e.{name}.burst";
            var seen = new HashSet<int>();
            var records = 0;
            await Eventually.WaitAsync(async () =>
            {
                var bytes = await Kcat.ConsumeValuesAsync(worker.BrokerServers, topic);
                if (bytes is null)
                {
                    return false;
                }
                seen.Clear();
                records = 0;
                foreach (var line in Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    using var doc = JsonDocument.Parse(line);
                    var payload = doc.RootElement.GetProperty("payload");
                    // "r" when the kill came before the first offset commit: the restart then snapshots again.
                    Assert.Contains(payload.GetProperty("op").GetString(), new[] { "c", "r" });
                    seen.Add(payload.GetProperty("after").GetProperty("id").GetInt32());
                    records++;
                }
                return seen.Count == Rows;
            }, TimeSpan.FromSeconds(120), () => $"{seen.Count} of {Rows} rows in {topic}:{Environment.NewLine}{worker.Current.Tail(40)}");
            output.WriteLine($"{Rows} changes, {records} records after kill -9 and restart ({records - Rows} delivered twice)");
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
