using System.Diagnostics;
using System.Globalization;
using System.Text;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Jdbc.Dialects;
using KafkaConnect.Connect.Jdbc.Sink;
using KafkaConnect.Connect.Sinks;

// One JdbcSinkTask writing N rows of 10 columns, insert and upsert mode, next to the database's own raw bulk
// loader fed the same rows as CSV (psql \copy, mariadb LOAD DATA LOCAL INFILE, sqlite3 .import).
// Needs scripts/db-up.sh. Usage: dotnet run -c Release --project bench/KafkaConnect.JdbcBench -- [--rows 100000]
//   [--put 3000] [--repeat 3] [--only pg,maria,sqlite]
// With `source` as the first argument it benchmarks JdbcSourceTask reading PostgreSQL instead (SourceBench.cs):
//   dotnet run -c Release --project bench/KafkaConnect.JdbcBench -- source [--rows 100000] [--repeat 3]
var inv = CultureInfo.InvariantCulture;
var rows = IntArg("--rows", 100_000);
if (args.Length > 0 && args[0] == "source")
{
    return await KafkaConnect.JdbcBench.SourceBench.RunAsync(rows, IntArg("--repeat", 3));
}
var putSize = IntArg("--put", 3000);
var repeat = IntArg("--repeat", 3);
var only = StrArg("--only", "pg,maria,sqlite").Split(',', StringSplitOptions.RemoveEmptyEntries);

var schema = SchemaBuilder.Struct().Name("bench")
    .Field("id", Schema.Int64Schema)
    .Field("customer", Schema.Int32Schema)
    .Field("qty", Schema.Int32Schema)
    .Field("seq", Schema.Int64Schema)
    .Field("sku", Schema.StringSchema)
    .Field("name", Schema.StringSchema)
    .Field("note", Schema.OptionalStringSchema)
    .Field("price", KafkaConnect.Connect.Data.Decimal.Schema(2))
    .Field("created", Timestamp.Schema)
    .Field("region", Schema.Int32Schema)
    .Build();
var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
var records = new SinkRecord[rows];
var csv = new StringBuilder(rows * 120);
for (var i = 0; i < rows; i++)
{
    var created = start.AddMilliseconds(i * 137L);
    var price = decimal.Round((i % 10_000) * 1.37m, 2);
    var value = new Struct(schema)
        .Put("id", (long)i).Put("customer", i % 5000).Put("qty", i % 17).Put("seq", i * 31L)
        .Put("sku", "SKU-" + (i % 99_991).ToString("D6", inv)).Put("name", "customer name " + (i % 5000).ToString(inv))
        .Put("note", "note for row " + i.ToString(inv) + " with some text").Put("price", price).Put("created", created)
        .Put("region", i % 12);
    records[i] = new SinkRecord("bench", 0, null, null, schema, value, i);
    csv.Append(i).Append(',').Append(i % 5000).Append(',').Append(i % 17).Append(',').Append(i * 31L).Append(',')
        .Append("SKU-").Append((i % 99_991).ToString("D6", inv)).Append(',').Append("customer name ").Append(i % 5000).Append(',')
        .Append("note for row ").Append(i).Append(" with some text").Append(',').Append(price.ToString("0.00", inv)).Append(',')
        .Append(created.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", inv)).Append(',').Append(i % 12).Append('\n');
}
var csvPath = Path.Combine(Path.GetTempPath(), $"kc-jdbc-bench-{Environment.ProcessId}.csv");
File.WriteAllText(csvPath, csv.ToString());
var sqliteDir = Directory.CreateTempSubdirectory("kc-jdbc-bench").FullName;

Console.WriteLine($"{rows:N0} rows x 10 columns (4 ints, 3 strings, decimal, timestamp, int), Put batches of {putSize}, best of {repeat}");
Console.WriteLine($"{"target",-34} {"seconds",8} {"rows/s",12} {"vs raw",8}");
try
{
    foreach (var kind in only)
    {
        var (url, user, password) = kind switch
        {
            "pg" => ("jdbc:postgresql://127.0.0.1:55432/kctest?user=postgres", (string?)null, (string?)null),
            "maria" => ("jdbc:mariadb://127.0.0.1:53306/kctest", "kc", "kc"),
            "sqlite" => ("jdbc:sqlite:" + Path.Combine(sqliteDir, "bench.db"), null, null),
            _ => throw new ArgumentException("unknown target " + kind),
        };
        var parsed = JdbcUrl.Parse(url, user, password);
        var tables = new List<string>();
        try
        {
            // Warm-up (JIT, connection pool) on a small table.
            Sink(url, user, password, NewTable(tables), "upsert", records.AsSpan(0, Math.Min(rows, 2 * putSize)).ToArray(), putSize);
            var insert = Best(() => Sink(url, user, password, NewTable(tables), "insert", records, putSize));
            var upsert = Best(() => Sink(url, user, password, NewTable(tables), "upsert", records, putSize));
            // The raw loader gets a table of the same shape the sink created.
            var raw = Best(() => RawLoad(kind, parsed, sqliteDir, NewTable(tables), tables[1], csvPath));
            Report($"{kind}: sink insert (1 task)", insert, raw);
            Report($"{kind}: sink upsert (1 task)", upsert, raw);
            Report($"{kind}: {RawName(kind)}", raw, raw);
        }
        finally
        {
            foreach (var t in tables)
            {
                Exec(parsed, $"DROP TABLE IF EXISTS {parsed.Dialect.QuoteIdentifier(t)}");
            }
        }
    }
}
finally
{
    File.Delete(csvPath);
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    Directory.Delete(sqliteDir, true);
}
return 0;

TimeSpan Best(Func<TimeSpan> run)
{
    var best = TimeSpan.MaxValue;
    for (var i = 0; i < repeat; i++)
    {
        var t = run();
        best = t < best ? t : best;
    }
    return best;
}

void Report(string name, TimeSpan elapsed, TimeSpan raw) =>
    Console.WriteLine($"{name,-34} {elapsed.TotalSeconds,8:F3} {rows / elapsed.TotalSeconds,12:N0} {raw.TotalSeconds / elapsed.TotalSeconds,8:F2}");

static string RawName(string kind) => kind switch
{
    "pg" => "psql \\copy (raw bulk load)",
    "maria" => "LOAD DATA LOCAL INFILE (raw)",
    _ => "sqlite3 .import (raw)",
};

static string NewTable(List<string> tables)
{
    var name = "bench_" + Guid.NewGuid().ToString("N")[..10];
    tables.Add(name);
    return name;
}

static TimeSpan Sink(string url, string? user, string? password, string table, string mode, SinkRecord[] records, int putSize)
{
    var props = new Dictionary<string, string>
    {
        ["connection.url"] = url,
        ["table.name.format"] = table,
        ["auto.create"] = "true",
        ["insert.mode"] = mode,
        ["pk.mode"] = "record_value",
        ["pk.fields"] = "id",
    };
    if (user is not null)
    {
        props["connection.user"] = user;
        props["connection.password"] = password!;
    }
    var task = new JdbcSinkTask();
    task.Start(props);
    // The first Put creates the table; creation is not part of the measured write.
    task.Put([records[0]]);
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var sw = Stopwatch.StartNew();
    for (var i = 1; i < records.Length; i += putSize)
    {
        task.Put(new ArraySegment<SinkRecord>(records, i, Math.Min(putSize, records.Length - i)));
    }
    sw.Stop();
    if (Environment.GetEnvironmentVariable("JDBCBENCH_CPU") == "1")
    {
        Console.Error.WriteLine($"  {mode}: wall {sw.Elapsed.TotalSeconds:F3}s, bench process CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:F3}s");
    }
    task.Stop();
    return sw.Elapsed * records.Length / Math.Max(1, records.Length - 1);
}

static TimeSpan RawLoad(string kind, JdbcUrl parsed, string sqliteDir, string table, string like, string csvPath)
{
    var d = parsed.Dialect;
    switch (kind)
    {
        case "pg":
            Exec(parsed, $"CREATE TABLE {d.QuoteIdentifier(table)} (LIKE {d.QuoteIdentifier(like)} INCLUDING ALL)");
            return Run("psql", "-h", "127.0.0.1", "-p", "55432", "-U", "postgres", "-d", "kctest", "-v", "ON_ERROR_STOP=1", "-c",
                $"\\copy {table} FROM '{csvPath}' CSV");
        case "maria":
            Exec(parsed, $"CREATE TABLE {d.QuoteIdentifier(table)} LIKE {d.QuoteIdentifier(like)}");
            return Run("mariadb", "--protocol=tcp", "-h", "127.0.0.1", "-P", "53306", "-ukc", "-pkc", "--local-infile=1", "kctest", "-e",
                $"LOAD DATA LOCAL INFILE '{csvPath}' INTO TABLE {table} FIELDS TERMINATED BY ','");
        default:
            // The same DDL as the sink's table (CREATE TABLE ... AS would drop the primary key).
            string ddl;
            using (var c = parsed.Dialect.CreateConnection(parsed.ConnectionString))
            {
                c.Open();
                using var cmd = c.CreateCommand();
                cmd.CommandText = $"SELECT sql FROM sqlite_master WHERE name = '{like}'";
                ddl = (string)cmd.ExecuteScalar()!;
            }
            Exec(parsed, ddl.Replace(like, table, StringComparison.Ordinal));
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            return Run("sqlite3", Path.Combine(sqliteDir, "bench.db"), $".import --csv {csvPath} {table}");
    }
}

static TimeSpan Run(string file, params string[] args)
{
    var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
    foreach (var a in args)
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
        throw new InvalidOperationException($"{file} failed ({p.ExitCode}): {stderr} {stdout.Result}");
    }
    return sw.Elapsed;
}

static void Exec(JdbcUrl parsed, string sql)
{
    using var c = parsed.Dialect.CreateConnection(parsed.ConnectionString);
    c.Open();
    using var cmd = c.CreateCommand();
    cmd.CommandText = sql;
    cmd.ExecuteNonQuery();
}

int IntArg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], inv) : fallback;
}

string StrArg(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
