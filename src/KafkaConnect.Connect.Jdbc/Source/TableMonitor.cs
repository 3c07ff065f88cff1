using System.Data.Common;
using System.Text;
using System.Text.RegularExpressions;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Jdbc.Dialects;

namespace KafkaConnect.Connect.Jdbc.Source;

/// <summary>
/// Lists the database's tables every table.poll.interval.ms, applies the whitelist/blacklist and schema/catalog
/// patterns, and reports changes so the connector can ask for new task configurations.
/// </summary>
internal sealed class TableMonitor : IAsyncDisposable
{
    private readonly JdbcConnectionInfo _info;
    private readonly JdbcSourceSettings _settings;
    private readonly Action _onChange;
    private readonly Action<Exception> _onError;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstListing = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IReadOnlyList<TableId>? _tables;
    private DbConnection? _connection;
    private readonly string? _database;
    private Task? _loop;

    public TableMonitor(JdbcConnectionInfo info, JdbcSourceSettings settings, Action onChange, Action<Exception> onError, TimeProvider time)
    {
        _info = info;
        _settings = settings;
        _onChange = onChange;
        _onError = onError;
        _time = time;
        _database = JdbcUrl.Parse(settings.Url, settings.User, settings.Password).Database;
    }

    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>
    /// The current tables, waiting up to <paramref name="timeout"/> for the first listing; null if none
    /// succeeded yet. Fails when two tables share an unqualified name (they would share a topic).
    /// </summary>
    public IReadOnlyList<TableId>? Tables(TimeSpan timeout)
    {
        try
        {
            _firstListing.Task.Wait(timeout);
        }
        catch (AggregateException)
        {
            // The listing loop reports its own errors through the connector context.
        }
        var tables = Volatile.Read(ref _tables);
        if (tables is null)
        {
            return null;
        }
        var byName = new Dictionary<string, List<TableId>>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            if (!byName.TryGetValue(table.Name, out var list))
            {
                byName[table.Name] = list = [];
            }
            list.Add(table);
        }
        var duplicates = new StringBuilder();
        foreach (var (_, list) in byName)
        {
            if (list.Count > 1)
            {
                duplicates.Append(" [").Append(string.Join(", ", list.Select(SourceOffsets.FullName))).Append(']');
            }
        }
        if (duplicates.Length > 0)
        {
            var error = new ConnectException("The connector uses the unqualified table name as the topic name and has detected "
                + "duplicate unqualified table names; set table.whitelist (or table.blacklist, schema.pattern) so that each "
                + "name is included once:" + duplicates);
            _onError(error);
            throw error;
        }
        return tables;
    }

    /// <summary>Lists the tables once; true when the set changed. Internal for tests.</summary>
    internal async Task<bool> UpdateAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<TableId> all;
        try
        {
            if (_connection is null || _connection.State != System.Data.ConnectionState.Open)
            {
                await DisposeConnectionAsync().ConfigureAwait(false);
                _connection = await _info.Dialect.OpenAsync(_info, cancellationToken).ConfigureAwait(false);
            }
            all = await _info.Dialect.ListTablesAsync(_connection, _settings.TableTypes, cancellationToken).ConfigureAwait(false);
        }
        catch (DbException)
        {
            // Keep the previous list and try again next interval, as Confluent does.
            await DisposeConnectionAsync().ConfigureAwait(false);
            return false;
        }
        var filtered = Filter(Qualify(all, _info.Dialect, _database), _settings, _info.Dialect);
        var previous = Volatile.Read(ref _tables);
        Volatile.Write(ref _tables, filtered);
        _firstListing.TrySetResult();
        return previous is null || !previous.SequenceEqual(filtered);
    }

    /// <summary>
    /// MySQL tables are named database.table in Confluent's partitions (the database is the JDBC catalog), so
    /// the connection's database is filled in as the catalog.
    /// </summary>
    internal static IReadOnlyList<TableId> Qualify(IReadOnlyList<TableId> all, IDatabaseDialect dialect, string? database)
    {
        if (string.IsNullOrEmpty(database) || !dialect.Name.StartsWith("MySql", StringComparison.Ordinal))
        {
            return all;
        }
        var result = new List<TableId>(all.Count);
        foreach (var table in all)
        {
            result.Add(table.Catalog is null && table.Schema is null ? new TableId(database, null, table.Name) : table);
        }
        return result;
    }

    internal static IReadOnlyList<TableId> Filter(IReadOnlyList<TableId> all, JdbcSourceSettings settings, IDatabaseDialect dialect)
    {
        var catalogPattern = settings.CatalogPattern is { Length: > 0 } c ? LikePattern(c) : null;
        var schemaPattern = settings.SchemaPattern is { Length: > 0 } s ? LikePattern(s) : null;
        var whitelist = settings.Whitelist.Count > 0 ? new HashSet<string>(settings.Whitelist, StringComparer.Ordinal) : null;
        var blacklist = settings.Blacklist.Count > 0 ? new HashSet<string>(settings.Blacklist, StringComparer.Ordinal) : null;
        var result = new List<TableId>(all.Count);
        foreach (var table in all)
        {
            if (catalogPattern is not null && !catalogPattern.IsMatch(table.Catalog ?? ""))
            {
                continue;
            }
            if (schemaPattern is not null && !schemaPattern.IsMatch(table.Schema ?? ""))
            {
                continue;
            }
            if (whitelist is not null && !Matches(whitelist, table, dialect))
            {
                continue;
            }
            if (whitelist is null && blacklist is not null && Matches(blacklist, table, dialect))
            {
                continue;
            }
            result.Add(table);
        }
        // A stable order keeps task assignments stable between listings.
        result.Sort((a, b) => string.CompareOrdinal(SourceOffsets.FullName(a), SourceOffsets.FullName(b)));
        return result;
    }

    /// <summary>
    /// A list entry names a table by its bare name, its dotted full name, its quoted full name, or (for
    /// databases where the database is the catalog, like MySQL) "database.table".
    /// </summary>
    private static bool Matches(HashSet<string> names, TableId table, IDatabaseDialect dialect)
    {
        if (names.Contains(table.Name) || names.Contains(SourceOffsets.FullName(table)) || names.Contains(dialect.QualifiedTableName(table)))
        {
            return true;
        }
        return (table.Schema is { Length: > 0 } schema && names.Contains(schema + "." + table.Name))
            || (table.Catalog is { Length: > 0 } catalog && names.Contains(catalog + "." + table.Name));
    }

    private static Regex LikePattern(string like)
    {
        var regex = new StringBuilder("^");
        foreach (var ch in like)
        {
            regex.Append(ch switch
            {
                '%' => ".*",
                '_' => ".",
                _ => Regex.Escape(ch.ToString()),
            });
        }
        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }

    private async Task RunAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                if (await UpdateAsync(token).ConfigureAwait(false))
                {
                    _onChange();
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _onError(new ConnectException("Encountered an unrecoverable error while reading tables from the database", e));
                _firstListing.TrySetResult();
                return;
            }
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(_settings.TablePollIntervalMs), _time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task DisposeConnectionAsync()
    {
        var connection = _connection;
        _connection = null;
        if (connection is not null)
        {
            try
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            catch (DbException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }
        await DisposeConnectionAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
