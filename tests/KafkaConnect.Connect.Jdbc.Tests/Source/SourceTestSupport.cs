using System.Data.Common;
using KafkaConnect.Connect.Connectors;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Jdbc.Source;
using KafkaConnect.Connect.Sources;
using KafkaConnect.Connect.Storage;
using MySqlConnector;
using Npgsql;

namespace KafkaConnect.Connect.Jdbc.Tests.Source;

internal static class SourceDb
{
    public const string PostgresUrl = "jdbc:postgresql://127.0.0.1:55432/kctest?user=postgres";
    public const string MariaDbUrl = "jdbc:mariadb://127.0.0.1:53306/kctest";
    private const string PostgresAdo = "Host=127.0.0.1;Port=55432;Username=postgres;Database=kctest;Pooling=false";
    private const string MariaDbAdo = "Server=127.0.0.1;Port=53306;User Id=kc;Password=kc;Database=kctest;SslMode=None;AllowPublicKeyRetrieval=true;Pooling=false";

    public static string UniqueName(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)];

    public static async Task<DbConnection> OpenPostgresAsync()
    {
        var connection = new NpgsqlConnection(PostgresAdo);
        try
        {
            await connection.OpenAsync();
        }
        catch (Exception e)
        {
            await connection.DisposeAsync();
            throw new InvalidOperationException("PostgreSQL is not reachable on 127.0.0.1:55432: run scripts/db-up.sh", e);
        }
        return connection;
    }

    public static async Task<DbConnection> OpenMariaDbAsync()
    {
        var connection = new MySqlConnection(MariaDbAdo);
        try
        {
            await connection.OpenAsync();
        }
        catch (Exception e)
        {
            await connection.DisposeAsync();
            throw new InvalidOperationException("MariaDB is not reachable on 127.0.0.1:53306: run scripts/db-up.sh", e);
        }
        return connection;
    }

    public static async Task ExecAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}

internal sealed class FakeOffsets : IOffsetStorageReader
{
    private readonly Dictionary<IReadOnlyDictionary<string, object?>, IReadOnlyDictionary<string, object?>?> _offsets =
        new(SourcePartitionComparer.Instance);

    public void Set(IReadOnlyDictionary<string, object?> partition, IReadOnlyDictionary<string, object?>? offset) => _offsets[partition] = offset;

    /// <summary>Stores the offsets of records as the worker would after producing them.</summary>
    public void Commit(IEnumerable<SourceRecord> records)
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
        _offsets.TryGetValue(partition, out var offset) ? offset : null;

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

internal sealed class FakeTaskContext(IReadOnlyDictionary<string, string> configs, IOffsetStorageReader reader) : ISourceTaskContext
{
    public IReadOnlyDictionary<string, string> Configs { get; } = configs;

    public IOffsetStorageReader OffsetStorageReader { get; } = reader;

    public ITransactionContext? TransactionContext => null;
}

internal sealed class FakeConnectorContext : ISourceConnectorContext
{
    private int _reconfigurations;

    public int Reconfigurations => Volatile.Read(ref _reconfigurations);

    public List<Exception> Errors { get; } = [];

    public IOffsetStorageReader OffsetStorageReader { get; } = new FakeOffsets();

    public void RequestTaskReconfiguration() => Interlocked.Increment(ref _reconfigurations);

    public void RaiseError(Exception error)
    {
        lock (Errors)
        {
            Errors.Add(error);
        }
    }
}

/// <summary>Runs a source task like the worker: start, poll until quiet, commit offsets.</summary>
internal sealed class SourceHarness : IAsyncDisposable
{
    public SourceHarness(IReadOnlyDictionary<string, string> props, FakeOffsets? offsets = null)
    {
        Offsets = offsets ?? new FakeOffsets();
        Task = new JdbcSourceTask();
        Task.Initialize(new FakeTaskContext(props, Offsets));
        Task.Start(props);
    }

    public JdbcSourceTask Task { get; }

    public FakeOffsets Offsets { get; }

    /// <summary>Polls until a poll returns nothing after at least one full pass; commits what was returned.</summary>
    public async Task<List<SourceRecord>> DrainAsync(int maxPolls = 50)
    {
        var all = new List<SourceRecord>();
        var emptyPolls = 0;
        for (var i = 0; i < maxPolls && emptyPolls < 2; i++)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var batch = await Task.PollAsync(timeout.Token);
            if (batch is null || batch.Count == 0)
            {
                emptyPolls++;
                continue;
            }
            emptyPolls = 0;
            Offsets.Commit(batch);
            all.AddRange(batch);
        }
        return all;
    }

    public async Task<IReadOnlyList<SourceRecord>> PollOnceAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var batch = await Task.PollAsync(timeout.Token) ?? [];
        Offsets.Commit(batch);
        return batch;
    }

    public ValueTask DisposeAsync()
    {
        Task.Stop();
        return ValueTask.CompletedTask;
    }

    public static Dictionary<string, string> Props(string url, string mode, params (string Key, string Value)[] extra)
    {
        var props = new Dictionary<string, string>
        {
            ["connection.url"] = url,
            ["mode"] = mode,
            ["topic.prefix"] = "db-",
            ["poll.interval.ms"] = "1",
            ["connection.attempts"] = "1",
            ["connection.backoff.ms"] = "100",
        };
        if (url.Contains("mariadb", StringComparison.Ordinal))
        {
            props["connection.user"] = "kc";
            props["connection.password"] = "kc";
        }
        foreach (var (key, value) in extra)
        {
            props[key] = value;
        }
        return props;
    }

    public static object? Field(SourceRecord record, string name) => ((Struct)record.Value!).Get(name);
}
