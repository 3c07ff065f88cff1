using System.Data.Common;
using KafkaConnect.Connect.Jdbc.Dialects;

namespace KafkaConnect.Connect.Jdbc.Tests.Sink;

/// <summary>One of the test databases with a unique table name; drops the table on dispose.</summary>
public sealed class SinkTestDb : IDisposable
{
    public const string PgUrl = "jdbc:postgresql://127.0.0.1:55432/kctest?user=postgres";
    public const string MariaUrl = "jdbc:mariadb://127.0.0.1:53306/kctest";

    private readonly string? _dir;
    private readonly List<string> _tables = [];

    /// <param name="ownDatabase">
    /// A database of its own (pg and maria), for tests that end server sessions: they can then end only the sessions
    /// of that database and never another test's, which runs against the same server at the same time.
    /// </param>
    public SinkTestDb(string kind, bool ownDatabase = false)
    {
        Kind = kind;
        switch (kind)
        {
            case "pg":
                Url = PgUrl;
                break;
            case "maria":
                Url = MariaUrl;
                User = "kc";
                Password = "kc";
                break;
            default:
                _dir = Directory.CreateTempSubdirectory("kc-jdbc-sink").FullName;
                Url = "jdbc:sqlite:" + Path.Combine(_dir, "sink.db");
                break;
        }
        Table = NewTable();
        Parsed = JdbcUrl.Parse(Url, User, Password);
        if (ownDatabase && kind != "sqlite")
        {
            Database = "kcown_" + Guid.NewGuid().ToString("N")[..10];
            Exec($"CREATE DATABASE {Database}");
            Url = Url.Replace("/kctest", "/" + Database, StringComparison.Ordinal);
            Parsed = JdbcUrl.Parse(Url, User, Password);
        }
        try
        {
            using var c = Open();
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"{kind} test database not reachable ({e.Message}); run scripts/db-up.sh", e);
        }
    }

    public string Kind { get; }

    /// <summary>The database created for this instance, or null when it uses the shared kctest database.</summary>
    public string? Database { get; }
    public string Url { get; }
    public string? User { get; }
    public string? Password { get; }
    public string Table { get; }
    public JdbcUrl Parsed { get; }

    public string NewTable()
    {
        var name = "sink_" + Guid.NewGuid().ToString("N")[..12];
        _tables.Add(name);
        return name;
    }

    public Dictionary<string, string> Props(params (string Key, string Value)[] extra)
    {
        var props = new Dictionary<string, string>
        {
            ["connection.url"] = Url,
            ["connection.attempts"] = "1",
            ["connection.backoff.ms"] = "10",
        };
        if (User is not null)
        {
            props["connection.user"] = User;
            props["connection.password"] = Password!;
        }
        foreach (var (k, v) in extra)
        {
            props[k] = v;
        }
        return props;
    }

    public DbConnection Open()
    {
        var c = Parsed.Dialect.CreateConnection(Parsed.ConnectionString);
        c.Open();
        return c;
    }

    public void Exec(string sql)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public List<object?[]> Rows(string sql)
    {
        using var c = Open();
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

    public long Count(string table) => Convert.ToInt64(Rows($"SELECT COUNT(*) FROM {Q(table)}")[0][0]);

    public string Q(string id) => Parsed.Dialect.QuoteIdentifier(id);

    public void Dispose()
    {
        foreach (var t in _tables)
        {
            Exec($"DROP TABLE IF EXISTS {Q(t)}");
        }
        if (Database is not null)
        {
            var shared = JdbcUrl.Parse(Url.Replace("/" + Database, "/kctest", StringComparison.Ordinal), User, Password);
            if (Kind == "pg") Npgsql.NpgsqlConnection.ClearAllPools();
            else MySqlConnector.MySqlConnection.ClearAllPools();
            try
            {
                using var c = shared.Dialect.CreateConnection(shared.ConnectionString);
                c.Open();
                using var cmd = c.CreateCommand();
                cmd.CommandText = Kind == "pg" ? $"DROP DATABASE IF EXISTS {Database} WITH (FORCE)" : $"DROP DATABASE IF EXISTS {Database}";
                cmd.ExecuteNonQuery();
            }
            catch (Exception e) when (e is DbException or KeyNotFoundException)
            {
                // Best effort: a leftover test database does not disturb other tests.
            }
        }
        if (_dir is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_dir, true);
            }
            catch (IOException)
            {
            }
        }
    }
}
