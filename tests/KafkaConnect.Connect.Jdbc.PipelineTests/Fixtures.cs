using System.Data.Common;
using KafkaConnect.Broker;
using KafkaConnect.Broker.Configuration;
using KafkaConnect.Client.Producer;
using KafkaConnect.Connect.Jdbc.Sink;
using KafkaConnect.Connect.Runtime.Config;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Plugins;
using KafkaConnect.Connect.Runtime.Storage;
using KafkaConnect.Connect.Runtime.Worker;
using MySqlConnector;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace KafkaConnect.Connect.Jdbc.PipelineTests;

/// <summary>An in-process broker on a free loopback port with a temporary data directory.</summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    private KafkaBroker? _broker;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "kc-jdbc-pipeline-" + Guid.NewGuid().ToString("N"));

    public string BootstrapServers => _broker!.BootstrapServers;

    public async Task InitializeAsync()
    {
        _broker = await KafkaBroker.StartAsync(BrokerConfig.Create(new Dictionary<string, string>
        {
            ["listeners"] = "PLAINTEXT://127.0.0.1:0",
            ["log.dirs"] = DataDirectory,
            ["group.initial.rebalance.delay.ms"] = "0",
            ["num.partitions"] = "1",
        }));
    }

    public async Task DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Runs a worker with a StandaloneHerder in-process, configured like the tutorials' connect-standalone.properties.</summary>
internal static class Harness
{
    public static StandaloneHerder NewHerder(string bootstrap, string offsetsFile)
    {
        var props = new Dictionary<string, string>
        {
            ["bootstrap.servers"] = bootstrap,
            ["key.converter"] = "org.apache.kafka.connect.json.JsonConverter",
            ["value.converter"] = "org.apache.kafka.connect.json.JsonConverter",
            ["key.converter.schemas.enable"] = "true",
            ["value.converter.schemas.enable"] = "true",
            ["offset.storage.file.filename"] = offsetsFile,
            ["offset.flush.interval.ms"] = "500",
        };
        var config = new WorkerConfig(props);
        // The JDBC assembly is passed explicitly: PluginRegistry.BuiltInAssemblies does not list it (see PluginRegistrationTests).
        var plugins = PluginRegistry.Create(extra: [typeof(JdbcSinkConnector).Assembly]);
        var loggers = NullLoggerFactory.Instance;
        var worker = new Runtime.Worker.Worker(config, plugins, new FileOffsetBackingStore(offsetsFile), new StatusStore(config.WorkerId()), loggers);
        var herder = new StandaloneHerder(worker, "jdbc-pipeline-tests", loggers);
        herder.Start();
        return herder;
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, int timeoutMs = 60000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!await condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException("timed out waiting for: " + what);
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Fails with the task's trace when a connector task is FAILED, so a broken pipeline does not read as a timeout.</summary>
    public static async Task AssertRunningAsync(StandaloneHerder herder, string connector)
    {
        var status = await herder.ConnectorStatusAsync(connector);
        foreach (var t in status.Tasks)
        {
            Assert.True(t.State != ConnectorState.Failed, $"{connector} task {t.Id} failed: {t.Trace}");
        }
    }

    public static async Task ProduceAsync(string bootstrap, string topic, IEnumerable<(byte[]? Key, byte[]? Value)> records)
    {
        await using var producer = new KafkaProducer(new Dictionary<string, string> { ["bootstrap.servers"] = bootstrap });
        foreach (var (key, value) in records)
        {
            // A null array would convert to an empty (non-null) memory; tombstones need a real null.
            await producer.ProduceAsync(new ProducerRecord(topic,
                key is null ? null : (ReadOnlyMemory<byte>?)key, value is null ? null : (ReadOnlyMemory<byte>?)value));
        }
    }

    public static string Unique(string prefix) => prefix + "_" + Guid.NewGuid().ToString("N")[..12];
}

/// <summary>The test servers started by scripts/db-up.sh.</summary>
internal static class Db
{
    public const string PgUrl = "jdbc:postgresql://127.0.0.1:55432/kctest?user=postgres";
    public const string MariaUrl = "jdbc:mariadb://127.0.0.1:53306/kctest";
    public const string PgAdmin = "Host=127.0.0.1;Port=55432;Username=postgres;Database=kctest;Pooling=false;Application Name=kc-pipeline-tests";
    private const string MariaAdo = "Server=127.0.0.1;Port=53306;User Id=kc;Password=kc;Database=kctest;SslMode=None;AllowPublicKeyRetrieval=true;Pooling=false";

    public static string PgDatabase(string database) =>
        $"Host=127.0.0.1;Port=55432;Username=postgres;Database={database};Pooling=false;Application Name=kc-pipeline-tests";

    public static DbConnection OpenPg(string? ado = null) => Open(new NpgsqlConnection(ado ?? PgAdmin), "PostgreSQL on 127.0.0.1:55432");

    public static DbConnection OpenMaria() => Open(new MySqlConnection(MariaAdo), "MariaDB on 127.0.0.1:53306");

    private static DbConnection Open(DbConnection connection, string what)
    {
        try
        {
            connection.Open();
            return connection;
        }
        catch (Exception e)
        {
            connection.Dispose();
            throw new InvalidOperationException($"{what} is not reachable ({e.Message}): run scripts/db-up.sh", e);
        }
    }

    public static void Exec(DbConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public static void Exec(Func<DbConnection> open, string sql)
    {
        using var c = open();
        Exec(c, sql);
    }

    public static List<object?[]> Rows(Func<DbConnection> open, string sql)
    {
        using var c = open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        var rows = new List<object?[]>();
        while (r.Read())
        {
            var row = new object?[r.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = r.IsDBNull(i) ? null : r.GetValue(i);
            }
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>The row count, or -1 while the table does not exist yet (auto.create has not run).</summary>
    public static long PgCount(string table, string? ado = null)
    {
        using var c = OpenPg(ado);
        using var exists = c.CreateCommand();
        exists.CommandText = $"SELECT to_regclass('public.\"{table}\"') IS NOT NULL";
        if (!(bool)exists.ExecuteScalar()!)
        {
            return -1;
        }
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT COUNT(*) FROM \"{table}\"";
        return Convert.ToInt64(cmd.ExecuteScalar());
    }

    public static List<string> PgColumns(string table) =>
        Rows(() => OpenPg(), $"SELECT column_name FROM information_schema.columns WHERE table_name = '{table}' ORDER BY ordinal_position")
            .ConvertAll(r => (string)r[0]!);

    public static void DropPg(string table)
    {
        try
        {
            Exec(() => OpenPg(), $"DROP TABLE IF EXISTS \"{table}\"");
        }
        catch (DbException)
        {
        }
    }

    public static void DropMaria(string table)
    {
        try
        {
            Exec(OpenMaria, $"DROP TABLE IF EXISTS `{table}`");
        }
        catch (DbException)
        {
        }
    }
}
