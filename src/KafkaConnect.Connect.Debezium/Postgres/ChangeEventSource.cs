using System.Globalization;
using System.Threading.Channels;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Sources;
using Microsoft.Extensions.Logging;
using Npgsql;
using Npgsql.Replication;
using Npgsql.Replication.PgOutput;
using Npgsql.Replication.PgOutput.Messages;
using NpgsqlTypes;

namespace KafkaConnect.Connect.Debezium.Postgres;

/// <summary>
/// Reads one database's changes into a queue of Debezium change events: a snapshot of the captured tables as of the
/// slot's creation (one REPEATABLE READ transaction on the snapshot the slot exported, so the snapshot and the stream
/// meet without a gap), then the slot's pgoutput stream. Resuming from a stored offset skips the transactions and
/// events it already covers.
/// </summary>
internal sealed class ChangeEventSource : IAsyncDisposable
{
    private const string OpRead = "r";
    private const string OpCreate = "c";
    private const string OpUpdate = "u";
    private const string OpDelete = "d";
    private const string OpTruncate = "t";

    private readonly PostgresSettings _settings;
    private readonly string _version;
    private readonly ChannelWriter<SourceRecord> _queue;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly IReadOnlyDictionary<string, object?> _partition;
    private readonly Dictionary<uint, TableSchema?> _relations = [];
    private NpgsqlConnection? _db;
    private TypeRegistry _types = TypeRegistry.Empty;
    private IReadOnlyDictionary<string, object?>? _lastQueuedOffset;
    private LogicalReplicationConnection? _replication;
    private long _flushed;

    // The stream's position: the end of the last transaction all of whose events were queued.
    private long? _lastCommitLsn;

    // Where a restart resumes: transactions that committed before _resumeCommit are done, and of transaction _resumeTxId
    // the events up to _resumeLsn are.
    private long? _resumeCommit;
    private long? _resumeTxId;
    private long? _resumeLsn;
    private long _resumeEventsAtLsn;

    // The LSN of the last change event and how many events it has had so far.
    private long _eventLsn = -1;
    private long _eventsAtLsn;

    // provide.transaction.metadata: the open transaction's event count per table (in the order the tables first
    // appeared) and in all; null outside a transaction. _storedTransaction continues the counts of a transaction a
    // restart resumes in the middle of.
    private OrderedDictionary<string, long>? _txCounts;
    private long _txTotal;
    private TransactionCounts? _storedTransaction;

    // When the next heartbeat is due (heartbeat.interval.ms after the last one).
    private DateTimeOffset _nextHeartbeat;

    public ChangeEventSource(PostgresSettings settings, string version, ChannelWriter<SourceRecord> queue, TimeProvider time, ILogger log)
    {
        _settings = settings;
        _version = version;
        _queue = queue;
        _time = time;
        _log = log;
        _partition = settings.SourcePartition;
    }

    /// <summary>
    /// Snapshot (when needed) then stream until cancelled; the queue is completed with the failure, if any. A lost
    /// connection is retried (errors.max.retries, retriable.restart.connector.wait.ms) from the offset of the last
    /// queued record: the queued ones reach the worker anyway, so nothing is lost and nothing repeated.
    /// </summary>
    public async Task RunAsync(PostgresOffset? stored, CancellationToken ct)
    {
        try
        {
            for (var failures = 0; ; failures++)
            {
                var progress = _lastQueuedOffset;
                try
                {
                    await RunCoreAsync(stored, ct).ConfigureAwait(false);
                    break;
                }
                catch (Exception e) when (!ct.IsCancellationRequested && IsRetriable(e, restarting: failures > 0))
                {
                    if (!ReferenceEquals(progress, _lastQueuedOffset))
                    {
                        failures = 0;
                    }
                    if (_settings.MaxRetries >= 0 && failures >= _settings.MaxRetries)
                    {
                        throw;
                    }
                    _log.LogWarning(e, "Lost the connection to PostgreSQL ({Message}); reconnecting in {Wait} ms (retry {Retry})",
                        e.Message, _settings.RetryWait.TotalMilliseconds, failures + 1);
                    await CloseConnectionsAsync().ConfigureAwait(false);
                    await Task.Delay(_settings.RetryWait, _time, ct).ConfigureAwait(false);
                    stored = PostgresOffset.From(_lastQueuedOffset) ?? stored;
                    ResetStreamState();
                }
            }
            _queue.TryComplete();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            _queue.TryComplete();
        }
        catch (Exception e)
        {
            _queue.TryComplete(e);
        }
    }

    // As Debezium's PostgresErrorHandler: communication and SQL errors are retried, authentication failures (28xxx) are
    // not. A slot still in use is retried only when reconnecting: the server may not have released our lost session yet.
    private static bool IsRetriable(Exception e, bool restarting) => e switch
    {
        PostgresException pe => !pe.SqlState.StartsWith("28", StringComparison.Ordinal),
        NpgsqlException or IOException or TimeoutException => true,
        SlotInUseException => restarting,
        _ => false,
    };

    private void ResetStreamState()
    {
        _relations.Clear();
        _lastCommitLsn = null;
        _resumeCommit = null;
        _resumeTxId = null;
        _resumeLsn = null;
        _resumeEventsAtLsn = 0;
        _eventLsn = -1;
        _eventsAtLsn = 0;
        _txCounts = null;
        _storedTransaction = null;
    }

    private async Task CloseConnectionsAsync()
    {
        var replication = Interlocked.Exchange(ref _replication, null);
        if (replication is not null)
        {
            await replication.DisposeAsync().ConfigureAwait(false);
        }
        if (_db is not null)
        {
            await _db.DisposeAsync().ConfigureAwait(false);
            _db = null;
        }
    }

    /// <summary>Queues a record, remembering its offset as where a reconnection resumes.</summary>
    private async ValueTask EnqueueAsync(SourceRecord record, CancellationToken ct)
    {
        await _queue.WriteAsync(record, ct).ConfigureAwait(false);
        _lastQueuedOffset = record.SourceOffset;
    }

    /// <summary>
    /// Lets the slot confirm <paramref name="lsn"/>: called once offsets covering it are committed, so the server keeps
    /// every change a restart could still need. Sent with the next status update.
    /// </summary>
    public void Confirm(long lsn)
    {
        var replication = _replication;
        if (replication is null || lsn <= Interlocked.Read(ref _flushed))
        {
            return;
        }
        Interlocked.Exchange(ref _flushed, lsn);
        try
        {
            replication.SetReplicationStatus(new NpgsqlLogSequenceNumber((ulong)lsn));
        }
        catch (ObjectDisposedException)
        {
            // Stopped meanwhile: the next start resumes from the stored offset and skips what it covers.
            return;
        }
        _log.LogDebug("Confirming LSN {Lsn} to replication slot {Slot}", new NpgsqlLogSequenceNumber((ulong)lsn), _settings.SlotName);
        // Sent by the replication connection's own status timer (status.update.interval.ms), which runs whether or not
        // changes arrive. Not forced from here: a status update sent from this thread while the stream is being read
        // could wedge the connection under load (the stream's keep-alive reply then waits for ever), stalling capture.
    }

    public async ValueTask DisposeAsync()
    {
        var replication = Interlocked.Exchange(ref _replication, null);
        if (replication is not null)
        {
            try
            {
                if (Interlocked.Read(ref _flushed) > 0)
                {
                    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    await replication.SendStatusUpdate(cts.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is NpgsqlException or OperationCanceledException or InvalidOperationException or ObjectDisposedException)
            {
                _log.LogDebug(e, "Sending the last status update failed");
            }
            await replication.DisposeAsync().ConfigureAwait(false);
        }
        if (_settings.SlotDropOnStop && _db is not null)
        {
            await DropSlotAsync(_db).ConfigureAwait(false);
        }
        if (_db is not null)
        {
            await _db.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task DropSlotAsync(NpgsqlConnection db)
    {
        // The server releases the slot a moment after the replication connection closed.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var drop = new NpgsqlCommand("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1", db)
                {
                    Parameters = { new() { Value = _settings.SlotName } },
                };
                await drop.ExecuteNonQueryAsync().ConfigureAwait(false);
                _log.LogInformation("Dropped replication slot {Slot} (slot.drop.on.stop=true)", _settings.SlotName);
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse && attempt < 50)
            {
                await Task.Delay(100).ConfigureAwait(false);
            }
            catch (NpgsqlException e)
            {
                _log.LogWarning(e, "Dropping replication slot {Slot} failed", _settings.SlotName);
                return;
            }
        }
    }

    private async Task RunCoreAsync(PostgresOffset? stored, CancellationToken ct)
    {
        _db = new NpgsqlConnection(_settings.ConnectionString());
        await _db.OpenAsync(ct).ConfigureAwait(false);
        await Catalog.EnsurePublicationAsync(_db, _settings, ct).ConfigureAwait(false);

        var existing = await Catalog.SlotAsync(_db, _settings.SlotName, ct).ConfigureAwait(false);
        if (existing is not null)
        {
            Catalog.CheckSlotUsable(existing, _settings);
        }
        var snapshot = NeedsSnapshot(stored, existing);
        if (!snapshot && _settings.Snapshot == SnapshotMode.InitialOnly)
        {
            _log.LogInformation("The snapshot was taken before; snapshot.mode=initial_only, so no changes are streamed");
            return;
        }
        _replication = new LogicalReplicationConnection(_settings.ConnectionString(replication: true))
        {
            WalReceiverStatusInterval = _settings.StatusUpdateInterval,
        };
        await _replication.Open(ct).ConfigureAwait(false);
        PgOutputReplicationSlot slot;
        if (snapshot)
        {
            if (existing is not null)
            {
                // The snapshot supersedes whatever the slot holds (no finished snapshot was delivered, or snapshot.mode
                // always/when_needed asks for a new one, which Debezium too streams after from the snapshot's start): a
                // new slot exports the snapshot, so the stream starts exactly where the snapshot ends.
                _log.LogInformation("Recreating replication slot {Slot} to take a consistent snapshot", _settings.SlotName);
                await _replication.DropReplicationSlot(_settings.SlotName, cancellationToken: ct).ConfigureAwait(false);
            }
            slot = await _replication.CreatePgOutputReplicationSlot(_settings.SlotName, slotSnapshotInitMode: LogicalSlotSnapshotInitMode.Export,
                cancellationToken: ct).ConfigureAwait(false);
            var consistentPoint = (long)(ulong)slot.ConsistentPoint;
            _log.LogInformation("Created replication slot {Slot} at {Lsn}; snapshotting", _settings.SlotName, slot.ConsistentPoint);
            await SnapshotAsync(slot.SnapshotName!, consistentPoint, ct).ConfigureAwait(false);
            _resumeCommit = consistentPoint;
            _lastCommitLsn = consistentPoint;
            if (_settings.Snapshot == SnapshotMode.InitialOnly)
            {
                _log.LogInformation("Snapshot finished; snapshot.mode=initial_only, so no changes are streamed");
                return;
            }
        }
        else
        {
            if (existing is null)
            {
                if (stored is not null)
                {
                    _log.LogWarning("Replication slot {Slot} does not exist although offsets do: changes made since are lost; creating it",
                        _settings.SlotName);
                }
                await _replication.CreatePgOutputReplicationSlot(_settings.SlotName, slotSnapshotInitMode: LogicalSlotSnapshotInitMode.NoExport,
                    cancellationToken: ct).ConfigureAwait(false);
            }
            slot = new PgOutputReplicationSlot(_settings.SlotName);
            if (stored is not null)
            {
                _resumeCommit = stored.LastCommitLsn ?? (stored.Snapshot ? stored.Lsn : null);
                _lastCommitLsn = _resumeCommit;
                if (!stored.Snapshot)
                {
                    _storedTransaction = stored.Transaction;
                    _resumeTxId = stored.TxId;
                    _resumeLsn = stored.Lsn;
                    _resumeEventsAtLsn = stored.EventsAtLsn;
                }
            }
        }
        await StreamAsync(slot, ct).ConfigureAwait(false);
    }

    /// <summary>Whether to take a snapshot on this start, by snapshot.mode, the stored offset and the slot.</summary>
    private bool NeedsSnapshot(PostgresOffset? stored, SlotState? slot)
    {
        var noFinishedSnapshot = stored is null || stored.SnapshotIncomplete;
        switch (_settings.Snapshot)
        {
            case SnapshotMode.NoData:
                return false;
            case SnapshotMode.Always:
                return true;
            case SnapshotMode.WhenNeeded:
                if (noFinishedSnapshot)
                {
                    return true;
                }
                // Debezium's check: the slot must still hold WAL from the last completely processed position on.
                var position = stored!.FlushLsn;
                if (slot is null || (position is { } p && slot.RestartLsn > p))
                {
                    _log.LogWarning("Replication slot {Slot} {State}: the stored offset's position {Lsn} is no longer available; "
                        + "taking a snapshot (snapshot.mode=when_needed)", _settings.SlotName,
                        slot is null ? "does not exist" : "restarts at " + new NpgsqlLogSequenceNumber((ulong)slot.RestartLsn!.Value),
                        position is { } lsn ? new NpgsqlLogSequenceNumber((ulong)lsn).ToString() : "unknown");
                    return true;
                }
                return false;
            default:
                return noFinishedSnapshot;
        }
    }

    private async Task SnapshotAsync(string snapshotName, long consistentPoint, CancellationToken ct)
    {
        var db = _db!;
        await using var tx = await db.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct).ConfigureAwait(false);
        await using (var set = new NpgsqlCommand($"SET TRANSACTION SNAPSHOT '{snapshotName.Replace("'", "''", StringComparison.Ordinal)}'", db, tx))
        {
            await set.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        long txId;
        await using (var current = new NpgsqlCommand("SELECT txid_current()", db, tx))
        {
            txId = Convert.ToInt64(await current.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }
        var tables = await Catalog.CapturedTablesAsync(db, _settings, ct).ConfigureAwait(false);
        _log.LogInformation("Snapshot of {Count} table(s) at LSN {Lsn}", tables.Count, new NpgsqlLogSequenceNumber((ulong)consistentPoint));

        // One record is held back so the last one of each table and of the whole snapshot can be marked as Debezium does.
        (TableSchema Table, object?[] Row, long TsUs, bool FirstInTable)? pending = null;
        var first = true;
        var total = 0L;
        foreach (var (schemaName, tableName) in tables)
        {
            var columns = await Catalog.ColumnsAsync(db, schemaName, tableName, ct).ConfigureAwait(false);
            var table = new TableSchema(_settings.TopicPrefix, schemaName, tableName, columns, _settings, await TypesAsync(columns, ct).ConfigureAwait(false));
            if (table.SelectedColumnCount == 0)
            {
                continue;
            }
            var tsUs = UnixMicros(_time.GetUtcNow());
            var sql = $"SELECT {table.SelectList} FROM {TableSchema.Quote(schemaName)}.{TableSchema.Quote(tableName)}";
            await using var select = new NpgsqlCommand(sql, db, tx);
            await using var reader = await select.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var firstInTable = true;
            var values = new string?[table.SelectedColumnCount];
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = reader.IsDBNull(i) ? null : reader.GetString(i);
                }
                if (pending is { } p)
                {
                    var lastInTable = !ReferenceEquals(p.Table, table);
                    await EmitSnapshotAsync(p.Table, p.Row, p.TsUs, Marker(first, false, p.FirstInTable, lastInTable), false, txId, consistentPoint, ct).ConfigureAwait(false);
                    first = false;
                }
                pending = (table, table.FromSelected(values), tsUs, firstInTable);
                firstInTable = false;
                total++;
            }
        }
        if (pending is { } last)
        {
            await EmitSnapshotAsync(last.Table, last.Row, last.TsUs, Marker(first, true, last.FirstInTable, true), true, txId, consistentPoint, ct).ConfigureAwait(false);
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        _log.LogInformation("Snapshot finished: {Rows} row(s)", total);
    }

    // Debezium's precedence: last of the snapshot, first of it, last of a table, first of a table, otherwise "true".
    private static string Marker(bool firstInSnapshot, bool lastInSnapshot, bool firstInTable, bool lastInTable) =>
        lastInSnapshot ? "last" : firstInSnapshot ? "first" : lastInTable ? "last_in_data_collection" : firstInTable ? "first_in_data_collection" : "true";

    private ValueTask EmitSnapshotAsync(TableSchema table, object?[] row, long tsUs, string marker, bool last, long txId, long lsn, CancellationToken ct)
    {
        var offset = new PostgresOffset(lsn, txId, tsUs, null, Snapshot: true, SnapshotDone: last, MessageType: null);
        var source = Source(table, marker, tsUs, txId, lsn, null);
        return EnqueueAsync(Event(table, table.Key(row), OpRead, null, table.Value(row), source, offset), ct);
    }

    private async Task StreamAsync(PgOutputReplicationSlot slot, CancellationToken ct)
    {
        var options = new PgOutputReplicationOptions(_settings.PublicationName, PgOutputProtocolVersion.V1);
        NpgsqlLogSequenceNumber? start = _resumeCommit is { } commit ? new NpgsqlLogSequenceNumber((ulong)commit) : null;
        if (Interlocked.Read(ref _flushed) is > 0 and var flushed)
        {
            // After a reconnection: what was confirmed on the lost connection may not have reached the server.
            _replication!.SetReplicationStatus(new NpgsqlLogSequenceNumber((ulong)flushed));
        }
        _log.LogInformation("Streaming from replication slot {Slot} (publication {Publication}) from {Lsn}",
            _settings.SlotName, _settings.PublicationName, start?.ToString() ?? "its confirmed position");
        long? xid = null;
        long commitUs = 0;
        var skipTransaction = false;
        _nextHeartbeat = _time.GetUtcNow() + _settings.HeartbeatInterval;
        await foreach (var message in _replication!.StartReplication(slot, options, ct, start).ConfigureAwait(false))
        {
            var lsn = (long)(ulong)message.WalStart;
            switch (message)
            {
                case BeginMessage begin:
                    xid = begin.TransactionXid;
                    commitUs = UnixMicros(new DateTimeOffset(DateTime.SpecifyKind(begin.TransactionCommitTimestamp, DateTimeKind.Utc)));
                    skipTransaction = _resumeCommit is { } done && (long)(ulong)begin.TransactionFinalLsn < done;
                    if (!skipTransaction && _settings.ProvideTransactionMetadata)
                    {
                        await BeginTransactionAsync(xid.Value, lsn, commitUs, ct).ConfigureAwait(false);
                    }
                    break;
                case CommitMessage commitMessage:
                    if (!skipTransaction)
                    {
                        _lastCommitLsn = (long)(ulong)commitMessage.TransactionEndLsn;
                        if (_txCounts is not null)
                        {
                            await EndTransactionAsync(xid!.Value, lsn, commitUs, ct).ConfigureAwait(false);
                        }
                        await HeartbeatAsync(xid, commitUs, ct).ConfigureAwait(false);
                    }
                    if (xid == _resumeTxId)
                    {
                        _resumeTxId = null;
                    }
                    xid = null;
                    break;
                case RelationMessage relation:
                    await RelationAsync(relation, ct).ConfigureAwait(false);
                    break;
                case InsertMessage insert when Wanted(insert.Relation.RelationId, skipTransaction, OpCreate) is { } table:
                    var row = await ReadAsync(insert.NewRow, table, ct).ConfigureAwait(false);
                    await EmitAsync(table, table.Key(row), OpCreate, null, table.Value(row), commitUs, xid, lsn, "INSERT", ct).ConfigureAwait(false);
                    break;
                case UpdateMessage update when Wanted(update.Relation.RelationId, skipTransaction, OpUpdate) is { } table:
                    await UpdateAsync(update, table, commitUs, xid, lsn, ct).ConfigureAwait(false);
                    break;
                case DeleteMessage delete when Wanted(delete.Relation.RelationId, skipTransaction, OpDelete) is { } table:
                    var old = delete switch
                    {
                        KeyDeleteMessage keyDelete => await ReadAsync(keyDelete.Key, table, ct).ConfigureAwait(false),
                        FullDeleteMessage fullDelete => await ReadAsync(fullDelete.OldRow, table, ct).ConfigureAwait(false),
                        _ => new object?[table.Columns.Count],
                    };
                    await DeleteAsync(table, old, commitUs, xid, lsn, ct).ConfigureAwait(false);
                    break;
                case TruncateMessage truncate:
                    foreach (var truncated in truncate.Relations)
                    {
                        if (Wanted(truncated.RelationId, skipTransaction, OpTruncate) is { } table)
                        {
                            await EmitAsync(table, null, OpTruncate, null, null, commitUs, xid, lsn, "TRUNCATE", ct).ConfigureAwait(false);
                        }
                    }
                    break;
            }
        }
    }

    /// <summary>
    /// When due, queues a heartbeat whose offset is the end of the transaction just committed: committing it lets the slot
    /// confirm that position even when the transaction changed no captured table (Debezium's heartbeat.interval.ms).
    /// </summary>
    private ValueTask HeartbeatAsync(long? xid, long commitUs, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        if (_settings.HeartbeatInterval <= TimeSpan.Zero || now < _nextHeartbeat)
        {
            return ValueTask.CompletedTask;
        }
        _nextHeartbeat = now + _settings.HeartbeatInterval;
        var offset = CommitOffset(xid, commitUs);
        var key = new Struct(ChangeEventSchemas.HeartbeatKey).Put("serverName", _settings.TopicPrefix);
        var value = new Struct(ChangeEventSchemas.HeartbeatValue).Put("ts_ms", now.ToUnixTimeMilliseconds());
        // Debezium writes heartbeats to partition 0.
        return EnqueueAsync(new SourceRecord(_partition, offset.ToMap(), _settings.HeartbeatTopic, 0,
            ChangeEventSchemas.HeartbeatKey, key, ChangeEventSchemas.HeartbeatValue, value), ct);
    }

    // The position after a transaction's commit: the offset of its END record and of a heartbeat sent then.
    private PostgresOffset CommitOffset(long? xid, long commitUs) =>
        new(_lastCommitLsn, xid, commitUs, _lastCommitLsn, Snapshot: false, SnapshotDone: false, "COMMIT");

    /// <summary>
    /// Opens a transaction's metadata and queues its BEGIN record, unless a restart resumes in the middle of it: then
    /// its counts continue from the offset and its BEGIN, delivered before, is not repeated (as in Debezium).
    /// </summary>
    private ValueTask BeginTransactionAsync(long xid, long lsn, long commitUs, CancellationToken ct)
    {
        _txCounts = [];
        _txTotal = 0;
        var id = xid.ToString(CultureInfo.InvariantCulture);
        if (_storedTransaction is { } stored && stored.Id == id)
        {
            foreach (var (table, count) in stored.PerTable)
            {
                _txCounts[table] = count;
                _txTotal += count;
            }
            _storedTransaction = null;
            return ValueTask.CompletedTask;
        }
        // No txId: a restart from this offset must not take the first event, which shares the BEGIN's LSN, as delivered.
        var offset = new PostgresOffset(lsn, null, commitUs, _lastCommitLsn, Snapshot: false, SnapshotDone: false, "BEGIN",
            Transaction: new TransactionCounts(id, []));
        var value = new Struct(ChangeEventSchemas.TransactionValue)
            .Put("status", "BEGIN")
            .Put("id", TransactionId(xid, lsn))
            .Put("ts_ms", commitUs / 1000);
        return EnqueueAsync(TransactionRecord(value, offset), ct);
    }

    private ValueTask EndTransactionAsync(long xid, long lsn, long commitUs, CancellationToken ct)
    {
        var collections = _txCounts!.Select(kv => new Struct(ChangeEventSchemas.EventCollection)
            .Put("data_collection", kv.Key)
            .Put("event_count", kv.Value)).ToList<object?>();
        var value = new Struct(ChangeEventSchemas.TransactionValue)
            .Put("status", "END")
            .Put("id", TransactionId(xid, lsn))
            .Put("event_count", _txTotal)
            .Put("data_collections", collections)
            .Put("ts_ms", commitUs / 1000);
        _txCounts = null;
        return EnqueueAsync(TransactionRecord(value, CommitOffset(xid, commitUs)), ct);
    }

    private SourceRecord TransactionRecord(Struct value, PostgresOffset offset)
    {
        var key = new Struct(ChangeEventSchemas.TransactionKey).Put("id", value.GetString("id"));
        return new SourceRecord(_partition, offset.ToMap(), _settings.TransactionTopic, null,
            ChangeEventSchemas.TransactionKey, key, ChangeEventSchemas.TransactionValue, value);
    }

    /// <summary>Counts a streamed event in its transaction and returns its <c>transaction</c> block; null without metadata.</summary>
    private Struct? TransactionBlock(TableSchema table, long? xid, long lsn)
    {
        if (_txCounts is null || xid is not { } tx)
        {
            return null;
        }
        var collection = table.SchemaName + "." + table.TableName;
        var order = _txCounts.GetValueOrDefault(collection) + 1;
        _txCounts[collection] = order;
        _txTotal++;
        return new Struct(ChangeEventSchemas.TransactionBlock)
            .Put("id", TransactionId(tx, lsn))
            .Put("total_order", _txTotal)
            .Put("data_collection_order", order);
    }

    // Debezium's PostgreSQL transaction id: the transaction number and the LSN of the message at hand, so the part after
    // the colon differs between a transaction's BEGIN, events and END.
    private static string TransactionId(long xid, long lsn) =>
        xid.ToString(CultureInfo.InvariantCulture) + ":" + lsn.ToString(CultureInfo.InvariantCulture);

    /// <summary>The table of a change to emit, or null when the change is filtered or skipped.</summary>
    private TableSchema? Wanted(uint relationId, bool skipTransaction, string op) =>
        skipTransaction || _settings.Skips(op[0]) || !_relations.TryGetValue(relationId, out var table) ? null : table;

    /// <summary>Counts the event against its LSN and tells whether the stored offset says it was delivered already.</summary>
    private bool Delivered(long? xid, long lsn)
    {
        _eventsAtLsn = lsn == _eventLsn ? _eventsAtLsn + 1 : 1;
        _eventLsn = lsn;
        if (_resumeTxId is not { } resumeTx || xid != resumeTx || _resumeLsn is not { } resumeLsn)
        {
            return false;
        }
        // Offsets without the count (older ones) cover every event of their LSN.
        return lsn < resumeLsn || (lsn == resumeLsn && (_resumeEventsAtLsn == 0 || _eventsAtLsn <= _resumeEventsAtLsn));
    }

    private async Task RelationAsync(RelationMessage relation, CancellationToken ct)
    {
        if (!_settings.Captures(relation.Namespace, relation.RelationName))
        {
            _relations[relation.RelationId] = null;
            return;
        }
        // Nullability, the primary key and defaults come from the catalog; the columns themselves from the message, which
        // describes the rows that follow even when the table changed again since.
        var catalog = await Catalog.ColumnsAsync(_db!, relation.Namespace, relation.RelationName, ct).ConfigureAwait(false);
        var columns = new List<ColumnInfo>(relation.Columns.Count);
        foreach (var column in relation.Columns)
        {
            var known = catalog.Find(c => c.Name == column.ColumnName);
            columns.Add(new ColumnInfo(column.ColumnName, column.DataTypeId, column.TypeModifier, known?.NotNull ?? false, known?.KeyPosition ?? -1,
                known?.DefaultExpression));
        }
        _relations[relation.RelationId] = new TableSchema(_settings.TopicPrefix, relation.Namespace, relation.RelationName, columns, _settings,
            await TypesAsync(columns, ct).ConfigureAwait(false));
    }

    /// <summary>The type registry, read (again) when it does not know a column's type: a type created since, or the first use.</summary>
    private async Task<TypeRegistry> TypesAsync(IEnumerable<ColumnInfo> columns, CancellationToken ct)
    {
        if (!_types.Knows(columns.Select(c => c.TypeOid)))
        {
            _types = await TypeRegistry.LoadAsync(_db!, ct).ConfigureAwait(false);
        }
        return _types;
    }

    private async Task UpdateAsync(UpdateMessage update, TableSchema table, long commitUs, long? xid, long lsn, CancellationToken ct)
    {
        object?[]? before = update switch
        {
            FullUpdateMessage full => await ReadAsync(full.OldRow, table, ct).ConfigureAwait(false),
            IndexUpdateMessage index => await ReadAsync(index.Key, table, ct).ConfigureAwait(false),
            _ => null,
        };
        var after = await ReadAsync(update.NewRow, table, ct).ConfigureAwait(false);
        if (before is not null && table.KeySchema is not null && !table.SameKey(before, after))
        {
            // A changed primary key is a delete of the old key and a create of the new one, as Debezium emits it.
            await DeleteAsync(table, before, commitUs, xid, lsn, ct).ConfigureAwait(false);
            await EmitAsync(table, table.Key(after), OpCreate, null, table.Value(after), commitUs, xid, lsn, "UPDATE", ct).ConfigureAwait(false);
            return;
        }
        var beforeValue = update is FullUpdateMessage ? table.Value(before!) : null;
        await EmitAsync(table, table.Key(after), OpUpdate, beforeValue, table.Value(after), commitUs, xid, lsn, "UPDATE", ct).ConfigureAwait(false);
    }

    private async Task DeleteAsync(TableSchema table, object?[] before, long commitUs, long? xid, long lsn, CancellationToken ct)
    {
        var key = table.Key(before);
        var offset = await EmitAsync(table, key, OpDelete, table.Value(before), null, commitUs, xid, lsn, "DELETE", ct).ConfigureAwait(false);
        if (offset is not null && _settings.TombstonesOnDelete)
        {
            await EnqueueAsync(new SourceRecord(_partition, offset, table.Topic, null, table.KeySchema, key, null, null), ct).ConfigureAwait(false);
        }
    }

    /// <summary>Queues one change event; returns its offset, or null when a restart found it delivered already.</summary>
    private async Task<IReadOnlyDictionary<string, object?>?> EmitAsync(TableSchema table, Struct? key, string op, Struct? before, Struct? after,
        long commitUs, long? xid, long lsn, string messageType, CancellationToken ct)
    {
        if (Delivered(xid, lsn))
        {
            return null;
        }
        var transaction = TransactionBlock(table, xid, lsn);
        var counts = transaction is null ? null
            : new TransactionCounts(xid!.Value.ToString(CultureInfo.InvariantCulture), [.. _txCounts!]);
        var offset = new PostgresOffset(lsn, xid, commitUs, _lastCommitLsn, Snapshot: false, SnapshotDone: false, messageType, _eventsAtLsn, counts);
        var record = Event(table, key, op, before, after, Source(table, null, commitUs, xid, lsn, _lastCommitLsn), offset, transaction);
        await EnqueueAsync(record, ct).ConfigureAwait(false);
        return record.SourceOffset!;
    }

    private static async Task<object?[]> ReadAsync(ReplicationTuple tuple, TableSchema table, CancellationToken ct)
    {
        var row = new object?[table.Columns.Count];
        var i = 0;
        await foreach (var value in tuple.ConfigureAwait(false))
        {
            if (i < row.Length)
            {
                row[i] = value.IsDBNull ? null
                    : value.IsUnchangedToastedValue ? TableSchema.Unavailable
                    : await value.Get<string>(ct).ConfigureAwait(false);
            }
            i++;
        }
        return row;
    }

    private SourceRecord Event(TableSchema table, Struct? key, string op, Struct? before, Struct? after, Struct source, PostgresOffset offset,
        Struct? transaction = null)
    {
        var nowUs = UnixMicros(_time.GetUtcNow());
        var envelope = new Struct(table.EnvelopeSchema)
            .Put("before", before)
            .Put("after", after)
            .Put("source", source)
            .Put("transaction", transaction)
            .Put("op", op)
            .Put("ts_ms", nowUs / 1000)
            .Put("ts_us", nowUs)
            .Put("ts_ns", nowUs * 1000);
        return new SourceRecord(_partition, offset.ToMap(), table.Topic, null, table.KeySchema, key, table.EnvelopeSchema, envelope);
    }

    private Struct Source(TableSchema table, string? snapshot, long tsUs, long? txId, long lsn, long? lastCommitLsn)
    {
        var source = new Struct(ChangeEventSchemas.Source)
            .Put("version", _version)
            .Put("connector", ChangeEventSchemas.Connector)
            .Put("name", _settings.TopicPrefix)
            .Put("ts_ms", tsUs / 1000)
            .Put("db", _settings.DbName)
            .Put("sequence", Sequence(lastCommitLsn, lsn))
            .Put("ts_us", tsUs)
            .Put("ts_ns", tsUs * 1000)
            .Put("schema", table.SchemaName)
            .Put("table", table.TableName)
            .Put("txId", txId)
            .Put("lsn", lsn);
        if (snapshot is not null)
        {
            // Streaming events leave it unset: the schema's default, "false", stands.
            source.Put("snapshot", snapshot);
        }
        return source;
    }

    // A JSON array of the last commit LSN and this event's LSN, as decimal strings.
    private static string Sequence(long? lastCommitLsn, long lsn) =>
        "[" + (lastCommitLsn is { } c ? "\"" + c.ToString(CultureInfo.InvariantCulture) + "\"" : "null") + ",\""
        + lsn.ToString(CultureInfo.InvariantCulture) + "\"]";

    private static long UnixMicros(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
}
