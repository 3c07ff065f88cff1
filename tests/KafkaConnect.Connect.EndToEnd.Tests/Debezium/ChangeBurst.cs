using System.Diagnostics;
using Npgsql;

namespace KafkaConnect.Connect.EndToEnd.Tests.Debezium;

/// <summary>
/// A burst of exactly <see cref="Changes"/> row changes on <c>table (id INT PRIMARY KEY, v INT NOT NULL, note TEXT)</c>
/// in <see cref="Batches"/> + 1 transactions: transaction k inserts the <see cref="InsertsPerBatch"/> rows of batch k
/// (v = 0) and, from k = 1 on, updates the rows of batch k - 1 whose id is a multiple of 5 (v = 1) and deletes those
/// whose id is 1 modulo 20. Every id 1..80,000 is thus one insert, every fifth also an update and every twentieth
/// also a delete: 80,000 + 16,000 + 4,000 changes, each named by (id, op, v) with v = -1 for deletes.
/// </summary>
internal sealed class ChangeBurst(string connectionString, string table, int changesPerSecond)
{
    public const int Batches = 1_000;
    public const int InsertsPerBatch = 80;
    public const int Changes = Batches * (InsertsPerBatch + InsertsPerBatch / 5 + InsertsPerBatch / 20);

    private int _committedTransactions;

    /// <summary>Transactions committed so far (of <see cref="Batches"/> + 1).</summary>
    public int CommittedTransactions => Volatile.Read(ref _committedTransactions);

    /// <summary>Every change of the burst as (id, op, v).</summary>
    public static HashSet<(int Id, char Op, int V)> Expected()
    {
        var all = new HashSet<(int, char, int)>();
        for (var id = 1; id <= Batches * InsertsPerBatch; id++)
        {
            all.Add((id, 'c', 0));
            if (id % 5 == 0)
            {
                all.Add((id, 'u', 1));
            }
            if (id % 20 == 1)
            {
                all.Add((id, 'd', -1));
            }
        }
        return all;
    }

    /// <summary>
    /// Commits the transactions one by one on one connection, paced to about <c>changesPerSecond</c> (a load shape,
    /// not a synchronisation: nothing waits for the worker) so that the burst is still being written when the worker dies.
    /// </summary>
    public async Task RunAsync(CancellationToken cancel)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(cancel);
        var clock = Stopwatch.StartNew();
        var perTransaction = TimeSpan.FromSeconds((double)Changes / Batches / changesPerSecond);
        for (var k = 0; k <= Batches; k++)
        {
            var ahead = perTransaction * k - clock.Elapsed;
            if (ahead > TimeSpan.Zero)
            {
                await Task.Delay(ahead, cancel);
            }
            var sql = "BEGIN;";
            if (k < Batches)
            {
                var first = k * InsertsPerBatch + 1;
                sql += $"INSERT INTO {table} SELECT i, 0, 'row ' || i FROM generate_series({first}, {first + InsertsPerBatch - 1}) i;";
            }
            if (k > 0)
            {
                var (from, to) = ((k - 1) * InsertsPerBatch + 1, k * InsertsPerBatch);
                sql += $"UPDATE {table} SET v = 1 WHERE id BETWEEN {from} AND {to} AND id % 5 = 0;";
                sql += $"DELETE FROM {table} WHERE id BETWEEN {from} AND {to} AND id % 20 = 1;";
            }
            await using (var command = new NpgsqlCommand(sql + "COMMIT", conn))
            {
                await command.ExecuteNonQueryAsync(cancel);
            }
            Interlocked.Increment(ref _committedTransactions);
        }
    }
}
