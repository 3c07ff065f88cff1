using KafkaConnect.Connect.Debezium.Postgres;
using KafkaConnect.Connect.Sources;
using KafkaConnect.Connect.Storage;
using Npgsql;

namespace KafkaConnect.Connect.Debezium.Tests;

/// <summary>The logical-replication PostgreSQL of scripts/db-up.sh, and one schema, slot and publication per test.</summary>
internal sealed class CdcDatabase : IAsyncDisposable
{
    public const string Host = "127.0.0.1";
    public const int Port = 55433;
    private const string ConnectionString = "Host=127.0.0.1;Port=55433;Username=postgres;Database=kctest;Pooling=false";

    private CdcDatabase(NpgsqlConnection connection, string name)
    {
        Connection = connection;
        Name = name;
    }

    public NpgsqlConnection Connection { get; }

    /// <summary>The test's schema, slot and publication name (lower case, as slot names must be).</summary>
    public string Name { get; }

    public static async Task<CdcDatabase> CreateAsync(string prefix)
    {
        var connection = new NpgsqlConnection(ConnectionString);
        try
        {
            await connection.OpenAsync();
        }
        catch (Exception e)
        {
            await connection.DisposeAsync();
            throw new InvalidOperationException("The CDC PostgreSQL is not reachable on 127.0.0.1:55433: run scripts/db-up.sh", e);
        }
        var db = new CdcDatabase(connection, $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)]);
        await db.ExecAsync($"CREATE SCHEMA {db.Name}");
        return db;
    }

    public async Task ExecAsync(string sql)
    {
        await using var command = new NpgsqlCommand(sql, Connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<object?> ScalarAsync(string sql)
    {
        await using var command = new NpgsqlCommand(sql, Connection);
        return await command.ExecuteScalarAsync();
    }

    /// <summary>Connector settings capturing only this test's schema through its own slot and publication.</summary>
    public Dictionary<string, string> Props(params (string Key, string Value)[] extra)
    {
        var props = new Dictionary<string, string>
        {
            ["connector.class"] = "io.debezium.connector.postgresql.PostgresConnector",
            ["database.hostname"] = Host,
            ["database.port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["database.user"] = "postgres",
            ["database.dbname"] = "kctest",
            ["topic.prefix"] = "dbserver1",
            ["plugin.name"] = "pgoutput",
            ["slot.name"] = Name,
            ["publication.name"] = Name,
            ["table.include.list"] = Name + "\\..*",
            ["status.update.interval.ms"] = "200",
            ["poll.interval.ms"] = "100",
        };
        foreach (var (key, value) in extra)
        {
            props[key] = value;
        }
        return props;
    }

    public async ValueTask DisposeAsync()
    {
        // The slot may still be held for a moment by a task that is closing.
        for (var attempt = 0; attempt < 50; attempt++)
        {
            try
            {
                await ExecAsync($"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '{Name}'");
                break;
            }
            catch (PostgresException) when (attempt < 49)
            {
                await Task.Delay(100);
            }
        }
        await ExecAsync($"DROP PUBLICATION IF EXISTS {Name}");
        await ExecAsync($"DROP SCHEMA {Name} CASCADE");
        await Connection.DisposeAsync();
    }
}

/// <summary>Runs the task as the worker would: polls, stores the offsets of what it took, then calls Commit.</summary>
internal sealed class CdcHarness : IAsyncDisposable
{
    private readonly PostgresConnectorTask _task = new();
    private readonly List<SourceRecord> _ahead = [];

    public CdcHarness(IReadOnlyDictionary<string, string> props, FakeOffsets offsets)
    {
        Offsets = offsets;
        _task.Initialize(new FakeTaskContext(props, offsets));
        _task.Start(props);
    }

    public FakeOffsets Offsets { get; }

    /// <summary>Polls until <paramref name="count"/> records arrived (fails after the timeout); offsets are not committed.
    /// Records of the same batch beyond <paramref name="count"/> are kept for the next call.</summary>
    public async Task<List<SourceRecord>> TakeAsync(int count, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (_ahead.Count < count)
        {
            cts.Token.ThrowIfCancellationRequested();
            var batch = await _task.PollAsync(cts.Token);
            if (batch is not null)
            {
                _ahead.AddRange(batch);
            }
        }
        var records = _ahead.GetRange(0, count);
        _ahead.RemoveRange(0, count);
        return records;
    }

    /// <summary>Polls for a while and returns whatever arrived.</summary>
    public async Task<List<SourceRecord>> DrainAsync(TimeSpan quiet)
    {
        var records = new List<SourceRecord>(_ahead);
        _ahead.Clear();
        var until = DateTime.UtcNow + quiet;
        while (DateTime.UtcNow < until)
        {
            var batch = await _task.PollAsync(CancellationToken.None);
            if (batch is not null)
            {
                records.AddRange(batch);
            }
        }
        return records;
    }

    /// <summary>Stores the records' offsets as the worker does after Kafka acknowledged them, then tells the task.</summary>
    public void Commit(IEnumerable<SourceRecord> records)
    {
        Offsets.Commit(records);
        _task.Commit();
    }

    public Task<IReadOnlyList<SourceRecord>?> PollOnceAsync() => _task.PollAsync(CancellationToken.None).AsTask();

    public ValueTask DisposeAsync()
    {
        _task.Stop();
        return ValueTask.CompletedTask;
    }
}

internal sealed class FakeTaskContext(IReadOnlyDictionary<string, string> configs, IOffsetStorageReader reader) : ISourceTaskContext
{
    public IReadOnlyDictionary<string, string> Configs { get; } = configs;

    public IOffsetStorageReader OffsetStorageReader { get; } = reader;

    public ITransactionContext? TransactionContext => null;
}

internal sealed class FakeOffsets : IOffsetStorageReader
{
    private readonly Dictionary<IReadOnlyDictionary<string, object?>, IReadOnlyDictionary<string, object?>?> _offsets =
        new(SourcePartitionComparer.Instance);

    public void Commit(IEnumerable<SourceRecord> records)
    {
        lock (_offsets)
        {
            foreach (var record in records)
            {
                if (record.SourcePartition is not null)
                {
                    _offsets[record.SourcePartition] = record.SourceOffset;
                }
            }
        }
    }

    public IReadOnlyDictionary<string, object?>? Offset(IReadOnlyDictionary<string, object?> partition)
    {
        lock (_offsets)
        {
            return _offsets.TryGetValue(partition, out var offset) ? offset : null;
        }
    }

    public IReadOnlyDictionary<IReadOnlyDictionary<string, object?>, IReadOnlyDictionary<string, object?>?> Offsets(
        IEnumerable<IReadOnlyDictionary<string, object?>> partitions)
    {
        var result = new Dictionary<IReadOnlyDictionary<string, object?>, IReadOnlyDictionary<string, object?>?>(SourcePartitionComparer.Instance);
        foreach (var partition in partitions)
        {
            if (Offset(partition) is { } offset)
            {
                result[partition] = offset;
            }
        }
        return result;
    }
}
