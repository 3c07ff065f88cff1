using System.Globalization;

namespace KafkaConnect.Connect.Debezium.Postgres;

/// <summary>
/// A source offset in Debezium's PostgreSQL layout: <c>lsn</c> (of the event), <c>txId</c>, <c>ts_usec</c>,
/// <c>lsn_commit</c>/<c>lsn_proc</c> (end of the last transaction whose events were all emitted before this one),
/// <c>messageType</c>, <c>lsn_events_processed</c> and,
/// while snapshotting, <c>snapshot</c>, <c>last_snapshot_record</c> and <c>snapshot_completed</c>.
/// </summary>
/// <param name="EventsAtLsn">How many events of <paramref name="Lsn"/> this one is: several share an LSN (a primary-key
/// change, a TRUNCATE of several tables), so a restart can tell which of them were delivered. 0 when unknown.</param>
/// <param name="Transaction">With provide.transaction.metadata, the open transaction's id and per-table event counts
/// (Debezium's <c>transaction_id</c> and <c>transaction_data_collection_order_&lt;table&gt;</c>), so a restart in the
/// middle of a transaction continues its counts.</param>
internal sealed record PostgresOffset(long? Lsn, long? TxId, long? TsUsec, long? LastCommitLsn, bool Snapshot, bool SnapshotDone, string? MessageType,
    long EventsAtLsn = 0, TransactionCounts? Transaction = null)
{
    public const string TransactionIdKey = "transaction_id";
    public const string TransactionOrderPrefix = "transaction_data_collection_order_";
    public const string LsnKey = "lsn";
    public const string TxIdKey = "txId";
    public const string TsUsecKey = "ts_usec";
    public const string LsnProcKey = "lsn_proc";
    public const string LsnCommitKey = "lsn_commit";
    public const string MessageTypeKey = "messageType";
    public const string LsnEventsProcessedKey = "lsn_events_processed";
    public const string SnapshotKey = "snapshot";
    public const string LastSnapshotRecordKey = "last_snapshot_record";
    public const string SnapshotCompletedKey = "snapshot_completed";

    /// <summary>Whether a snapshot was started and not finished: it must be taken again.</summary>
    public bool SnapshotIncomplete => Snapshot && !SnapshotDone;

    /// <summary>
    /// The position up to which every change is in committed offsets: the slot may confirm it. Null during a snapshot.
    /// After a snapshot it is the slot's consistent point, which the snapshot covers.
    /// </summary>
    public long? FlushLsn => SnapshotIncomplete ? null : LastCommitLsn ?? (Snapshot ? Lsn : null);

    public Dictionary<string, object?> ToMap()
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (TsUsec is { } ts)
        {
            map[TsUsecKey] = ts;
        }
        if (TxId is { } tx)
        {
            map[TxIdKey] = tx;
        }
        if (Lsn is { } lsn)
        {
            map[LsnKey] = lsn;
        }
        if (Snapshot)
        {
            map[SnapshotKey] = "INITIAL";
            map[LastSnapshotRecordKey] = SnapshotDone;
            map[SnapshotCompletedKey] = false;
        }
        if (LastCommitLsn is { } commit)
        {
            map[LsnProcKey] = commit;
            map[LsnCommitKey] = commit;
        }
        if (MessageType is not null)
        {
            map[MessageTypeKey] = MessageType;
        }
        if (EventsAtLsn > 0)
        {
            map[LsnEventsProcessedKey] = EventsAtLsn;
        }
        if (Transaction is not null)
        {
            map[TransactionIdKey] = Transaction.Id;
            foreach (var (table, count) in Transaction.PerTable)
            {
                map[TransactionOrderPrefix + table] = count;
            }
        }
        return map;
    }

    /// <summary>Reads a stored offset; Debezium's older <c>"snapshot": true</c> form is accepted too.</summary>
    public static PostgresOffset? From(IReadOnlyDictionary<string, object?>? map)
    {
        if (map is null || map.Count == 0)
        {
            return null;
        }
        var snapshot = map.TryGetValue(SnapshotKey, out var s) && s is not null && !(s is bool b && !b) && !"false".Equals(s as string, StringComparison.OrdinalIgnoreCase);
        var done = ReadBool(map, LastSnapshotRecordKey) || ReadBool(map, SnapshotCompletedKey);
        return new PostgresOffset(ReadLong(map, LsnKey), ReadLong(map, TxIdKey), ReadLong(map, TsUsecKey),
            ReadLong(map, LsnCommitKey) ?? ReadLong(map, LsnProcKey), snapshot, done,
            map.TryGetValue(MessageTypeKey, out var m) ? m as string : null, ReadLong(map, LsnEventsProcessedKey) ?? 0,
            map.TryGetValue(TransactionIdKey, out var t) && t is string id
                ? new TransactionCounts(id, [.. map.Where(kv => kv.Key.StartsWith(TransactionOrderPrefix, StringComparison.Ordinal))
                    .Select(kv => KeyValuePair.Create(kv.Key[TransactionOrderPrefix.Length..], ReadLong(map, kv.Key) ?? 0))])
                : null);
    }

    private static bool ReadBool(IReadOnlyDictionary<string, object?> map, string key) =>
        map.TryGetValue(key, out var v) && v switch
        {
            bool b => b,
            string text => bool.TryParse(text, out var parsed) && parsed,
            _ => false,
        };

    internal static long? ReadLong(IReadOnlyDictionary<string, object?> map, string key) =>
        map.TryGetValue(key, out var v) ? v switch
        {
            long l => l,
            int i => i,
            short s => s,
            double d => (long)d,
            decimal m => (long)m,
            string text when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => null,
        } : null;
}

/// <summary>A transaction's id (the PostgreSQL transaction number) and how many events of each table it had so far.</summary>
internal sealed record TransactionCounts(string Id, IReadOnlyList<KeyValuePair<string, long>> PerTable);
