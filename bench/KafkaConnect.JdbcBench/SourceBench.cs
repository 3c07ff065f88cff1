using System.Diagnostics;
using System.Globalization;
using KafkaConnect.Connect.Jdbc.Dialects;
using KafkaConnect.Connect.Jdbc.Source;
using KafkaConnect.Connect.Sources;
using KafkaConnect.Connect.Storage;

namespace KafkaConnect.JdbcBench;

/// <summary>
/// `source` mode: one JdbcSourceTask (incrementing mode) reading N rows of 10 columns out of PostgreSQL, polled
/// like the worker does (poll, commit the returned offsets, poll again) until every row came back, next to
/// psql \copy (SELECT * FROM t) TO '/dev/null' CSV on the same table. Medians of --repeat runs.
/// Usage: dotnet run -c Release --project bench/KafkaConnect.JdbcBench -- source [--rows 100000] [--repeat 3]
/// </summary>
internal static class SourceBench
{
    private const string Url = "jdbc:postgresql://127.0.0.1:55432/kctest?user=postgres";

    public static async Task<int> RunAsync(int rows, int repeat)
    {
        var parsed = JdbcUrl.Parse(Url, null, null);
        var table = "bench_src_" + Guid.NewGuid().ToString("N")[..10];
        var quoted = parsed.Dialect.QuoteIdentifier(table);
        try
        {
            await ExecAsync(parsed, $"""
                CREATE TABLE {quoted} (
                  id bigserial PRIMARY KEY, customer int NOT NULL, qty int NOT NULL, seq bigint NOT NULL,
                  sku text NOT NULL, name text NOT NULL, note text, price numeric(10,2) NOT NULL,
                  created timestamp NOT NULL, region int NOT NULL)
                """);
            var load = Stopwatch.StartNew();
            await ExecAsync(parsed, $"""
                INSERT INTO {quoted} (customer, qty, seq, sku, name, note, price, created, region)
                SELECT i % 5000, i % 17, i * 31, 'SKU-' || lpad((i % 99991)::text, 6, '0'), 'customer name ' || (i % 5000),
                       'note for row ' || i || ' with some text', round((i % 10000) * 1.37, 2),
                       timestamp '2024-01-01' + i * interval '137 milliseconds', i % 12
                FROM generate_series(0, {rows - 1}) AS g(i)
                """);
            await ExecAsync(parsed, $"VACUUM ANALYZE {quoted}");
            load.Stop();
            Console.WriteLine($"{rows:N0} rows x 10 columns (bigserial id, 4 ints, 3 texts, numeric(10,2), timestamp) in public.{table}, "
                + $"loaded in {load.Elapsed.TotalSeconds:F2}s; median of {repeat}");

            // Warm-up (JIT tiering, connection setup), not measured.
            for (var i = 0; i < 3; i++)
            {
                await DrainAsync(table, rows, 1000);
                await DrainAsync(table, rows, 100);
            }

            var raw = await MedianAsync(repeat, () => Task.FromResult(Copy(table)));
            var big = await MedianAsync(repeat, () => DrainAsync(table, rows, 1000));
            var small = await MedianAsync(repeat, () => DrainAsync(table, rows, 100));

            Console.WriteLine($"{"reader",-50} {"seconds",8} {"rows/s",12} {"vs raw",8}");
            Report("JdbcSourceTask incrementing, batch.max.rows=1000", big, raw, rows);
            Report("JdbcSourceTask incrementing, batch.max.rows=100", small, raw, rows);
            Report("psql \\copy (SELECT * FROM t) TO /dev/null CSV", raw, raw, rows);
            return 0;
        }
        finally
        {
            await ExecAsync(parsed, $"DROP TABLE IF EXISTS {quoted}");
        }
    }

    private static void Report(string name, TimeSpan elapsed, TimeSpan raw, int rows) =>
        Console.WriteLine($"{name,-50} {elapsed.TotalSeconds,8:F3} {rows / elapsed.TotalSeconds,12:N0} {raw.TotalSeconds / elapsed.TotalSeconds,8:F2}");

    private static async Task<TimeSpan> MedianAsync(int repeat, Func<Task<TimeSpan>> run)
    {
        var times = new List<TimeSpan>(repeat);
        for (var i = 0; i < repeat; i++)
        {
            times.Add(await run());
        }
        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>A fresh task with no stored offset; time from Start to the poll that returned the last row.</summary>
    private static async Task<TimeSpan> DrainAsync(string table, int rows, int batchMaxRows)
    {
        var props = new Dictionary<string, string>
        {
            ["connection.url"] = Url,
            ["mode"] = "incrementing",
            ["incrementing.column.name"] = "id",
            ["tables"] = "public." + table,
            ["topic.prefix"] = "bench-",
            ["poll.interval.ms"] = "1",
            ["batch.max.rows"] = batchMaxRows.ToString(CultureInfo.InvariantCulture),
        };
        var offsets = new BenchOffsets();
        var task = new JdbcSourceTask();
        task.Initialize(new BenchTaskContext(props, offsets));
        var sw = Stopwatch.StartNew();
        task.Start(props);
        var seen = 0;
        long lastId = 0;
        try
        {
            while (seen < rows)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                var batch = await task.PollAsync(timeout.Token);
                if (batch is null || batch.Count == 0)
                {
                    continue;
                }
                offsets.Commit(batch);
                seen += batch.Count;
                lastId = (long)batch[^1].SourceOffset!["incrementing"]!;
            }
            sw.Stop();
        }
        finally
        {
            task.Stop();
        }
        if (seen != rows || lastId != rows)
        {
            throw new InvalidOperationException($"expected {rows} rows ending at id {rows}, got {seen} ending at id {lastId}");
        }
        return sw.Elapsed;
    }

    private static TimeSpan Copy(string table)
    {
        var psi = new ProcessStartInfo("psql") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-h", "127.0.0.1", "-p", "55432", "-U", "postgres", "-d", "kctest", "-v", "ON_ERROR_STOP=1", "-c",
                     $"\\copy (SELECT * FROM {table}) TO '/dev/null' CSV" })
        {
            psi.ArgumentList.Add(a);
        }
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        sw.Stop();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"psql failed ({p.ExitCode}): {stderr} {stdout.Result}");
        }
        return sw.Elapsed;
    }

    private static async Task ExecAsync(JdbcUrl parsed, string sql)
    {
        await using var c = parsed.Dialect.CreateConnection(parsed.ConnectionString);
        await c.OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.CommandTimeout = 300;
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Offsets as the worker would store them after producing each batch.</summary>
    private sealed class BenchOffsets : IOffsetStorageReader
    {
        private readonly Dictionary<IReadOnlyDictionary<string, object?>, IReadOnlyDictionary<string, object?>?> _offsets =
            new(SourcePartitionComparer.Instance);

        public void Commit(IReadOnlyList<SourceRecord> records)
        {
            foreach (var record in records)
            {
                if (record.SourcePartition is not null)
                {
                    _offsets[record.SourcePartition] = record.SourceOffset;
                }
            }
        }

        public IReadOnlyDictionary<string, object?>? Offset(IReadOnlyDictionary<string, object?> partition) =>
            _offsets.GetValueOrDefault(partition);

        public IReadOnlyDictionary<IReadOnlyDictionary<string, object?>, IReadOnlyDictionary<string, object?>?> Offsets(
            IEnumerable<IReadOnlyDictionary<string, object?>> partitions)
        {
            var result = new Dictionary<IReadOnlyDictionary<string, object?>, IReadOnlyDictionary<string, object?>?>(SourcePartitionComparer.Instance);
            foreach (var partition in partitions)
            {
                if (_offsets.TryGetValue(partition, out var offset))
                {
                    result[partition] = offset;
                }
            }
            return result;
        }
    }

    private sealed class BenchTaskContext(IReadOnlyDictionary<string, string> configs, IOffsetStorageReader reader) : ISourceTaskContext
    {
        public IReadOnlyDictionary<string, string> Configs { get; } = configs;

        public IOffsetStorageReader OffsetStorageReader { get; } = reader;

        public ITransactionContext? TransactionContext => null;
    }
}
