using System.Data.Common;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Jdbc.Dialects;
using KafkaConnect.Connect.Sources;
using KafkaConnect.Connect.Util;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.Jdbc.Source;

/// <summary>
/// Polls its tables (or the query) in turn: each is queried at most every poll.interval.ms, and each poll
/// returns at most batch.max.rows records of one table. Offsets resume from what the worker stored, in
/// Confluent's format (see <see cref="SourceOffsets"/>).
/// </summary>
public sealed class JdbcSourceTask : SourceTask
{
    // Longest a poll waits for the next due table, so the worker can commit offsets and stop promptly.
    private static readonly TimeSpan s_maxIdleWait = TimeSpan.FromSeconds(1);

    private readonly ILogger _log = ConnectLogging.LoggerFactory.CreateLogger<JdbcSourceTask>();
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TableQuerier> _queriers = [];
    private JdbcSourceSettings? _settings;
    private JdbcConnectionInfo? _info;
    private DbConnection? _connection;
    private bool _initialized;
    private int _polling;
    private int _closed;

    public JdbcSourceTask()
        : this(TimeProvider.System)
    {
    }

    internal JdbcSourceTask(TimeProvider time) => _time = time;

    public override string Version() => JdbcSourceConnector.PluginVersion;

    internal IReadOnlyList<TableQuerier> Queriers => _queriers;

    public override void Start(IReadOnlyDictionary<string, string> props)
    {
        ArgumentNullException.ThrowIfNull(props);
        JdbcSourceSettings settings;
        try
        {
            settings = new JdbcSourceSettings(props, forTask: true);
        }
        catch (ConfigException e)
        {
            throw new ConfigException("Couldn't start JdbcSourceTask due to configuration error", e);
        }
        _settings = settings;
        if (settings.Tables.Count == 0 && !settings.IsQueryMode)
        {
            // Waiting for the table listing, or nothing matched: stay idle until reconfigured.
            return;
        }
        if (settings.Tables.Count > 0 && settings.IsQueryMode)
        {
            throw new ConfigException("Invalid configuration: a JdbcSourceTask cannot have both a table and a query assigned to it");
        }
        var mode = settings.Mode switch
        {
            JdbcSourceConfig.ModeBulk => QuerierMode.Bulk,
            JdbcSourceConfig.ModeIncrementing => QuerierMode.Incrementing,
            JdbcSourceConfig.ModeTimestamp => QuerierMode.Timestamp,
            JdbcSourceConfig.ModeTimestampIncrementing => QuerierMode.TimestampIncrementing,
            _ => throw new ConfigException(JdbcSourceConfig.Mode, settings.Mode, "Mode must be bulk, incrementing, timestamp or timestamp+incrementing"),
        };
        if (settings.UsesTimestamp && settings.TimestampColumns.Count == 0)
        {
            throw new ConfigException(JdbcSourceConfig.TimestampColumnName, "", $"Required in mode {settings.Mode}");
        }
        _info = settings.ConnectionInfo();
        var dialect = _info.Dialect;

        if (settings.IsQueryMode)
        {
            var stored = mode == QuerierMode.Bulk ? null : Context.OffsetStorageReader.Offset(SourceOffsets.QueryPartition);
            _queriers.Add(new TableQuerier(dialect, settings, mode, null, settings.Query, stored));
            return;
        }

        var tables = new List<TableId>(settings.Tables.Count);
        foreach (var name in settings.Tables)
        {
            tables.Add(dialect.ParseTableId(name));
        }
        IReadOnlyDictionary<IReadOnlyDictionary<string, object?>, IReadOnlyDictionary<string, object?>?>? offsets = null;
        if (mode != QuerierMode.Bulk)
        {
            // Newer protocol first; the legacy {"table": name} partition is read so old offsets still resume.
            var partitions = new List<IReadOnlyDictionary<string, object?>>(tables.Count * 2);
            foreach (var table in tables)
            {
                partitions.Add(SourceOffsets.TablePartitionV1(table));
                partitions.Add(SourceOffsets.TablePartitionV0(table));
            }
            offsets = Context.OffsetStorageReader.Offsets(partitions);
        }
        foreach (var table in tables)
        {
            IReadOnlyDictionary<string, object?>? stored = null;
            if (offsets is not null
                && !(offsets.TryGetValue(SourceOffsets.TablePartitionV1(table), out stored) && stored is not null))
            {
                offsets.TryGetValue(SourceOffsets.TablePartitionV0(table), out stored);
            }
            _queriers.Add(new TableQuerier(dialect, settings, mode, table, null, stored));
        }
    }

    public override async ValueTask<IReadOnlyList<SourceRecord>?> PollAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _polling, 1) == 1)
        {
            throw new InvalidOperationException("PollAsync is not reentrant");
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        var token = linked.Token;
        try
        {
            if (_queriers.Count == 0)
            {
                await Task.Delay(s_maxIdleWait, _time, token).ConfigureAwait(false);
                return null;
            }
            if (!_initialized)
            {
                try
                {
                    await InitializeAsync(token).ConfigureAwait(false);
                }
                catch (DbException e) when (!token.IsCancellationRequested)
                {
                    _log.LogWarning(e, "Reading table metadata failed; will retry");
                    await DisposeConnectionAsync().ConfigureAwait(false);
                    throw new RetriableException("Failed to read table metadata; will retry: " + e.Message, e);
                }
            }
            return await PollQueriersAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            ResetAll(rollBack: true);
            return null;
        }
        finally
        {
            Volatile.Write(ref _polling, 0);
            if (_stop.IsCancellationRequested)
            {
                await CloseAsync().ConfigureAwait(false);
            }
        }
    }

    public override void Stop()
    {
        _stop.Cancel();
        if (Volatile.Read(ref _polling) == 0)
        {
            CloseAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var settings = _settings!;
        var connection = await ConnectionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var querier in _queriers)
        {
            await querier.ValidateAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        if (settings.UsesTimestamp && settings.TimestampInitial is { } initial)
        {
            var start = initial == JdbcSourceConfig.TimestampInitialCurrent
                ? await TableQuerier.CurrentDbTimeAsync(_info!.Dialect, connection, settings.DbTimeZone, cancellationToken).ConfigureAwait(false)
                : DateTimeOffset.FromUnixTimeMilliseconds(initial);
            foreach (var querier in _queriers)
            {
                querier.SetInitialTimestamp(start);
            }
        }
        _initialized = true;
    }

    private async Task<IReadOnlyList<SourceRecord>?> PollQueriersAsync(CancellationToken cancellationToken)
    {
        var settings = _settings!;
        // Return empty after every table came back empty once, so the worker regains control.
        var emptyQueries = 0;
        while (!cancellationToken.IsCancellationRequested && emptyQueries < _queriers.Count)
        {
            var querier = Next();
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            if (!querier.Querying)
            {
                var wait = querier.LastUpdate + settings.PollIntervalMs - now;
                if (wait > 0)
                {
                    var delay = TimeSpan.FromMilliseconds(wait);
                    if (delay > s_maxIdleWait)
                    {
                        await Task.Delay(s_maxIdleWait, _time, cancellationToken).ConfigureAwait(false);
                        return null;
                    }
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                    continue;
                }
            }

            querier.Checkpoint();
            List<SourceRecord>? batch = null;
            try
            {
                var connection = await ConnectionAsync(cancellationToken).ConfigureAwait(false);
                await querier.StartQueryAsync(connection, cancellationToken).ConfigureAwait(false);
                batch = new List<SourceRecord>(Math.Min(settings.BatchMaxRows, 1024));
                while (batch.Count < settings.BatchMaxRows)
                {
                    var record = await querier.ReadNextAsync(cancellationToken).ConfigureAwait(false);
                    if (record is null)
                    {
                        querier.Reset(_time.GetUtcNow().ToUnixTimeMilliseconds());
                        break;
                    }
                    batch.Add(record);
                }
                querier.FailedAttempts = 0;
            }
            catch (DbException e) when (!cancellationToken.IsCancellationRequested)
            {
                _log.LogWarning(e, "Query of {Querier} failed (attempt {Attempt})", Describe(querier), querier.FailedAttempts + 1);
                // The rows read in this batch are dropped, so the offset goes back to the batch start.
                querier.RollBack();
                querier.Reset(_time.GetUtcNow().ToUnixTimeMilliseconds());
                await DisposeConnectionAsync().ConfigureAwait(false);
                querier.FailedAttempts++;
                if (settings.QueryRetryAttempts >= 0 && querier.FailedAttempts > settings.QueryRetryAttempts)
                {
                    throw new ConnectException($"Failed to query {Describe(querier)} after {querier.FailedAttempts} attempts", e);
                }
                throw new RetriableException($"Failed to query {Describe(querier)}; will retry: {e.Message}", e);
            }
            catch (OperationCanceledException)
            {
                querier.RollBack();
                throw;
            }
            if (batch.Count > 0)
            {
                return batch;
            }
            emptyQueries++;
        }
        return null;
    }

    // The querier in the middle of a result set goes first; otherwise the one queried longest ago.
    private TableQuerier Next()
    {
        TableQuerier? best = null;
        foreach (var querier in _queriers)
        {
            if (querier.Querying)
            {
                return querier;
            }
            if (best is null || querier.LastUpdate < best.LastUpdate)
            {
                best = querier;
            }
        }
        return best!;
    }

    private async Task<DbConnection> ConnectionAsync(CancellationToken cancellationToken)
    {
        if (_connection is { State: System.Data.ConnectionState.Open } open)
        {
            return open;
        }
        await DisposeConnectionAsync().ConfigureAwait(false);
        _connection = await _info!.Dialect.OpenAsync(_info, cancellationToken).ConfigureAwait(false);
        return _connection;
    }

    private void ResetAll(bool rollBack)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var querier in _queriers)
        {
            if (querier.Querying)
            {
                if (rollBack)
                {
                    querier.RollBack();
                }
                querier.Reset(now);
            }
        }
    }

    private async ValueTask CloseAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1)
        {
            return;
        }
        ResetAll(rollBack: true);
        await DisposeConnectionAsync().ConfigureAwait(false);
    }

    private async ValueTask DisposeConnectionAsync()
    {
        var connection = _connection;
        _connection = null;
        if (connection is null)
        {
            return;
        }
        foreach (var querier in _queriers)
        {
            if (querier.Querying)
            {
                querier.Reset(querier.LastUpdate);
            }
        }
        try
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (DbException)
        {
            // Closing a broken connection can fail; it is gone either way.
        }
    }

    private static string Describe(TableQuerier querier) =>
        querier.Table is { } table ? "table " + SourceOffsets.FullName(table) : "the configured query";
}
