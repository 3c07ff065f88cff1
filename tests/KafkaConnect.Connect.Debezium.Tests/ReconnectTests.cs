using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Sources;

namespace KafkaConnect.Connect.Debezium.Tests;

/// <summary>A lost replication connection is retried from the last queued position, losing and repeating nothing.</summary>
public sealed class ReconnectTests
{
    private static int? Id(SourceRecord record) => ((Struct)record.Value!).GetStruct("after")!.GetInt32("id");

    private static async Task<int> TerminateStreamAsync(CdcDatabase db)
    {
        var pid = Convert.ToInt32(await db.ScalarAsync($"SELECT active_pid FROM pg_replication_slots WHERE slot_name = '{db.Name}'"),
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(true, await db.ScalarAsync($"SELECT pg_terminate_backend({pid})"));
        return pid;
    }

    [Fact]
    public async Task A_terminated_replication_backend_is_reconnected_and_every_change_arrives_once()
    {
        await using var db = await CdcDatabase.CreateAsync("cdc_reconnect");
        var t = db.Name + ".items";
        await db.ExecAsync($"CREATE TABLE {t} (id INT PRIMARY KEY)");
        var props = db.Props(("snapshot.mode", "no_data"), ("retriable.restart.connector.wait.ms", "100"));
        await using var harness = new CdcHarness(props, new FakeOffsets());
        await PostgresCdcTests.WaitForSlotAsync(db);
        for (var i = 1; i <= 3; i++)
        {
            await db.ExecAsync($"INSERT INTO {t} VALUES ({i})");
        }
        var first = await harness.TakeAsync(1);
        harness.Commit(first);

        // Records 2 and 3 may be queued already, or not yet read: either way they must come once.
        var pid = await TerminateStreamAsync(db);
        for (var i = 4; i <= 6; i++)
        {
            await db.ExecAsync($"INSERT INTO {t} VALUES ({i})");
        }
        await PostgresCdcTests.WaitForAsync(async () => await db.ScalarAsync(
            $"SELECT active_pid FROM pg_replication_slots WHERE slot_name = '{db.Name}'") is int newPid && newPid != pid, "the task to reconnect");
        await db.ExecAsync($"INSERT INTO {t} VALUES (7)");

        var rest = await harness.TakeAsync(6);
        Assert.Equal([2, 3, 4, 5, 6, 7], rest.Select(Id));
    }

    [Fact]
    public async Task With_errors_max_retries_0_a_lost_connection_fails_the_task()
    {
        await using var db = await CdcDatabase.CreateAsync("cdc_noretry");
        await db.ExecAsync($"CREATE TABLE {db.Name}.items (id INT PRIMARY KEY)");
        await using var harness = new CdcHarness(db.Props(("snapshot.mode", "no_data"), ("errors.max.retries", "0")), new FakeOffsets());
        await PostgresCdcTests.WaitForSlotAsync(db);
        await TerminateStreamAsync(db);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        ConnectException? failure = null;
        while (failure is null && DateTime.UtcNow < until)
        {
            try
            {
                await harness.PollOnceAsync();
            }
            catch (ConnectException e)
            {
                failure = e;
            }
        }
        Assert.NotNull(failure);
    }
}
