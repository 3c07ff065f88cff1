using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Storage;

namespace KafkaConnect.Connect.Runtime.Storage;

/// <summary>Reads a connector's committed source offsets from the backing store.</summary>
public sealed class OffsetStorageReader : IOffsetStorageReader
{
    private readonly IOffsetBackingStore _store;
    private readonly string _connector;

    public OffsetStorageReader(IOffsetBackingStore store, string connector)
    {
        _store = store;
        _connector = connector;
    }

    public IReadOnlyDictionary<string, object?>? Offset(IReadOnlyDictionary<string, object?> partition) =>
        Offsets([partition]).TryGetValue(partition, out var offset) ? offset : null;

    public IReadOnlyDictionary<IReadOnlyDictionary<string, object?>, IReadOnlyDictionary<string, object?>?> Offsets(
        IEnumerable<IReadOnlyDictionary<string, object?>> partitions)
    {
        var keys = new Dictionary<byte[], IReadOnlyDictionary<string, object?>>(ByteArrayComparer.Instance);
        foreach (var partition in partitions)
        {
            keys[OffsetJson.SerializeKey(_connector, partition)] = partition;
        }
        var stored = _store.Get(keys.Keys);
        var result = new Dictionary<IReadOnlyDictionary<string, object?>, IReadOnlyDictionary<string, object?>?>(SourcePartitionComparer.Instance);
        foreach (var (key, partition) in keys)
        {
            if (stored.TryGetValue(key, out var value))
            {
                try
                {
                    result[partition] = OffsetJson.DeserializeMap(value);
                }
                catch (System.Text.Json.JsonException ex)
                {
                    throw new DataException($"Failed to deserialize the offset of partition {partition} for connector {_connector}", ex);
                }
            }
        }
        return result;
    }

    /// <summary>Every partition of this connector that has a stored offset (for GET /connectors/{c}/offsets).</summary>
    public IReadOnlyList<(Dictionary<string, object?> Partition, Dictionary<string, object?>? Offset)> All()
    {
        var keys = new List<byte[]>();
        foreach (var key in _store.Keys())
        {
            if (OffsetJson.TryParseKey(key, out var connector, out _) && connector == _connector)
            {
                keys.Add(key);
            }
        }
        var result = new List<(Dictionary<string, object?>, Dictionary<string, object?>?)>();
        foreach (var (key, value) in _store.Get(keys))
        {
            OffsetJson.TryParseKey(key, out _, out var partition);
            result.Add((partition, OffsetJson.DeserializeMap(value)));
        }
        return result;
    }
}

/// <summary>
/// Collects a source task's offsets between flushes and writes them as one batch (Apache's OffsetStorageWriter):
/// <see cref="BeginFlush"/> snapshots, <see cref="DoFlushAsync"/> writes, <see cref="CancelFlush"/> puts a failed
/// snapshot back so newer offsets still win.
/// </summary>
public sealed class OffsetStorageWriter
{
    private readonly IOffsetBackingStore _store;
    private readonly string _connector;
    private readonly Lock _lock = new();
    private Dictionary<IReadOnlyDictionary<string, object?>, IReadOnlyDictionary<string, object?>?> _data = new(SourcePartitionComparer.Instance);
    private Dictionary<IReadOnlyDictionary<string, object?>, IReadOnlyDictionary<string, object?>?>? _toFlush;

    public OffsetStorageWriter(IOffsetBackingStore store, string connector)
    {
        _store = store;
        _connector = connector;
    }

    public void Offset(IReadOnlyDictionary<string, object?> partition, IReadOnlyDictionary<string, object?>? offset)
    {
        lock (_lock)
        {
            _data[partition] = offset;
        }
    }

    /// <summary>Snapshots pending offsets; false when there is nothing to write.</summary>
    /// <exception cref="ConnectException">A flush is already in progress.</exception>
    public bool BeginFlush()
    {
        lock (_lock)
        {
            if (_toFlush is not null)
            {
                throw new ConnectException("OffsetStorageWriter is already flushing");
            }
            if (_data.Count == 0)
            {
                return false;
            }
            _toFlush = _data;
            _data = new(SourcePartitionComparer.Instance);
            return true;
        }
    }

    public async Task DoFlushAsync(CancellationToken ct)
    {
        Dictionary<IReadOnlyDictionary<string, object?>, IReadOnlyDictionary<string, object?>?> snapshot;
        lock (_lock)
        {
            snapshot = _toFlush ?? throw new InvalidOperationException("BeginFlush was not called");
        }
        var serialized = new Dictionary<byte[], byte[]?>(ByteArrayComparer.Instance);
        foreach (var (partition, offset) in snapshot)
        {
            serialized[OffsetJson.SerializeKey(_connector, partition)] = OffsetJson.SerializeValue(offset);
        }
        await _store.SetAsync(serialized, ct).ConfigureAwait(false);
        lock (_lock)
        {
            _toFlush = null;
        }
    }

    public void CancelFlush()
    {
        lock (_lock)
        {
            if (_toFlush is null)
            {
                return;
            }
            foreach (var (partition, offset) in _toFlush)
            {
                _data.TryAdd(partition, offset); // newer offsets recorded meanwhile win
            }
            _toFlush = null;
        }
    }
}

/// <summary>
/// Tracks a source task's records from send to acknowledgement (Apache's SubmittedRecords): per source partition
/// in submission order, a record's offset becomes committable only once it and every earlier record of the same
/// source partition were acknowledged by the producer (or dropped). Thread-safe: acks arrive on the producer's thread.
/// </summary>
public sealed class SubmittedRecords
{
    private static readonly IReadOnlyDictionary<string, object?> s_nullPartition = new Dictionary<string, object?>();
    private readonly object _lock = new();
    private readonly Dictionary<IReadOnlyDictionary<string, object?>, PartitionQueue> _partitions = new(SourcePartitionComparer.Instance);
    private IReadOnlyDictionary<string, object?>? _lastKey;
    private PartitionQueue? _lastQueue;
    private int _outstanding;

    /// <summary>Records sent but not yet acknowledged.</summary>
    public int Outstanding
    {
        get
        {
            lock (_lock)
            {
                return _outstanding;
            }
        }
    }

    public Submitted Submit(IReadOnlyDictionary<string, object?>? partition, IReadOnlyDictionary<string, object?>? offset)
    {
        var record = new Submitted(partition, offset);
        Submit(record);
        return record;
    }

    /// <summary>Tracks <paramref name="record"/> (a subclass may carry the caller's per-record state).</summary>
    public void Submit(Submitted record)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_lock)
        {
            // Tasks usually reuse one partition map object for all their records: skip hashing its content then.
            var key = record.Partition;
            if (!ReferenceEquals(key, _lastKey) || _lastQueue is null)
            {
                if (!_partitions.TryGetValue(key, out var found))
                {
                    _partitions[key] = found = new PartitionQueue();
                }
                (_lastKey, _lastQueue) = (key, found);
            }
            record.Attach(this, _lastQueue);
            _outstanding++;
        }
    }

    /// <summary>
    /// Returns the latest committable offset per partition (acknowledged prefixes are collapsed as acks arrive, so
    /// acknowledged records are not held until the next flush).
    /// </summary>
    public Dictionary<IReadOnlyDictionary<string, object?>, IReadOnlyDictionary<string, object?>> Committable()
    {
        var result = new Dictionary<IReadOnlyDictionary<string, object?>, IReadOnlyDictionary<string, object?>>(SourcePartitionComparer.Instance);
        lock (_lock)
        {
            List<IReadOnlyDictionary<string, object?>>? empty = null;
            foreach (var (partition, queue) in _partitions)
            {
                if (queue.CommittableOffset is { } offset)
                {
                    result[partition] = offset;
                    queue.CommittableOffset = null;
                }
                if (queue.Head is null)
                {
                    (empty ??= []).Add(partition);
                }
            }
            foreach (var p in empty ?? [])
            {
                _partitions.Remove(p);
            }
            if (empty is not null)
            {
                (_lastKey, _lastQueue) = (null, null);
            }
        }
        return result;
    }

    /// <summary>Waits until every submitted record was acknowledged; false on timeout.</summary>
    public bool AwaitAll(TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_lock)
        {
            while (_outstanding > 0)
            {
                var left = deadline - Environment.TickCount64;
                if (left <= 0 || !Monitor.Wait(_lock, (int)Math.Min(left, int.MaxValue)))
                {
                    return _outstanding == 0;
                }
            }
            return true;
        }
    }

    private void Complete(Submitted record, bool commitOffset)
    {
        lock (_lock)
        {
            if (record.Done)
            {
                return;
            }
            record.Done = true;
            record.CommitOffset = commitOffset;
            _outstanding--;
            record.Queue!.CollapseDonePrefix();
            if (_outstanding == 0)
            {
                Monitor.PulseAll(_lock);
            }
        }
    }

    /// <summary>The in-flight records of one source partition, oldest first, and the offset its done prefix reached.</summary>
    internal sealed class PartitionQueue
    {
        public Submitted? Head;
        public Submitted? Tail;
        public IReadOnlyDictionary<string, object?>? CommittableOffset;

        public void Append(Submitted record)
        {
            if (Tail is null)
            {
                Head = Tail = record;
            }
            else
            {
                Tail.Next = record;
                Tail = record;
            }
        }

        /// <summary>Drops the finished records at the head; the last acknowledged one's offset becomes committable.</summary>
        public void CollapseDonePrefix()
        {
            while (Head is { Done: true } head)
            {
                if (head.CommitOffset && head.Offset is { } offset)
                {
                    CommittableOffset = offset;
                }
                Head = head.Next;
                head.Next = null;
                if (Head is null)
                {
                    Tail = null;
                }
            }
        }
    }

    /// <summary>One in-flight record.</summary>
    public class Submitted
    {
        private SubmittedRecords? _owner;

        public Submitted(IReadOnlyDictionary<string, object?>? partition, IReadOnlyDictionary<string, object?>? offset)
        {
            Partition = partition ?? s_nullPartition;
            Offset = partition is null ? null : offset;
        }

        public IReadOnlyDictionary<string, object?> Partition { get; }

        public IReadOnlyDictionary<string, object?>? Offset { get; }

        /// <summary>Acknowledged or dropped.</summary>
        public bool Acked => Done;

        internal bool Done { get; set; }

        internal bool CommitOffset { get; set; }

        internal Submitted? Next { get; set; }

        internal PartitionQueue? Queue { get; private set; }

        internal void Attach(SubmittedRecords owner, PartitionQueue queue)
        {
            _owner = owner;
            Queue = queue;
            queue.Append(this);
        }

        /// <summary>The producer stored the record (or it was filtered out): its offset may be committed.</summary>
        public void Ack() => _owner?.Complete(this, commitOffset: true);

        /// <summary>The record will not be sent (failed before send); forget it without committing its offset.</summary>
        public void Drop() => _owner?.Complete(this, commitOffset: false);
    }
}
