using Npgsql;

namespace KafkaConnect.Connect.EndToEnd.Tests.Registry;

/// <summary>The PostgreSQL that scripts/db-up.sh starts, as the registry pipeline tests' JDBC connectors and checks see it.</summary>
internal static class PipelinePostgres
{
    public const string JdbcUrl = "jdbc:postgresql://127.0.0.1:55432/kctest";
    public const string User = "postgres";
    private const string Ado = "Host=127.0.0.1;Port=55432;Username=postgres;Database=kctest;Pooling=false";

    /// <summary>Opens a connection, failing the test with how to start the server when it is not running.</summary>
    public static async Task<NpgsqlConnection> OpenAsync()
    {
        var db = new NpgsqlConnection(Ado);
        try
        {
            await db.OpenAsync();
            return db;
        }
        catch (NpgsqlException e)
        {
            await db.DisposeAsync();
            throw new Xunit.Sdk.XunitException($"PostgreSQL on 127.0.0.1:55432 is not running (scripts/db-up.sh starts it): {e.Message}");
        }
    }

    /// <summary>The rows of <paramref name="table"/>, 0 while it does not exist.</summary>
    public static async Task<long> CountAsync(string table)
    {
        await using var db = await OpenAsync();
        await using var exists = new NpgsqlCommand("SELECT to_regclass(@t) IS NOT NULL", db);
        exists.Parameters.AddWithValue("t", table);
        if (!(bool)(await exists.ExecuteScalarAsync())!)
        {
            return 0;
        }
        await using var count = new NpgsqlCommand($"SELECT count(*) FROM \"{table}\"", db);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>Column name → "data_type is_nullable", as information_schema reports them.</summary>
    public static async Task<Dictionary<string, string>> ColumnsAsync(string table)
    {
        var columns = await QueryAsync(
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = @t",
            r => (Name: r.GetString(0), Type: $"{r.GetString(1)} {r.GetString(2)}"), ("t", table));
        return columns.ToDictionary(c => c.Name, c => c.Type);
    }

    public static async Task<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> row, params (string Name, object Value)[] parameters)
    {
        await using var db = await OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, db);
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }
        var rows = new List<T>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(row(reader));
        }
        return rows;
    }

    public static async Task DropTablesAsync(params string[] tables)
    {
        await using var db = await OpenAsync();
        foreach (var t in tables)
        {
            await using var cmd = new NpgsqlCommand($"DROP TABLE IF EXISTS \"{t}\"", db);
            await cmd.ExecuteNonQueryAsync();
        }
    }
}
