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
    private readonly Dictionary<IReadOnlyDictionary<string, object?>, LinkedList<Submitted>> _records = new(SourcePartitionComparer.Instance);
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
        var key = partition ?? s_nullPartition;
        lock (_lock)
        {
            if (!_records.TryGetValue(key, out var deque))
            {
                _records[key] = deque = new LinkedList<Submitted>();
            }
            var record = new Submitted(this, key, partition is null ? null : offset);
            record.Node = deque.AddLast(record);
            _outstanding++;
            return record;
        }
    }

    /// <summary>
    /// Removes the acknowledged prefix of every partition and returns the latest committable offset per partition.
    /// </summary>
    public Dictionary<IReadOnlyDictionary<string, object?>, IReadOnlyDictionary<string, object?>> Committable()
    {
        var result = new Dictionary<IReadOnlyDictionary<string, object?>, IReadOnlyDictionary<string, object?>>(SourcePartitionComparer.Instance);
        lock (_lock)
        {
            List<IReadOnlyDictionary<string, object?>>? empty = null;
            foreach (var (partition, deque) in _records)
            {
                while (deque.First is { } head && head.Value.Acked)
                {
                    if (head.Value.Offset is { } offset)
                    {
                        result[partition] = offset;
                    }
                    deque.RemoveFirst();
                }
                if (deque.Count == 0)
                {
                    (empty ??= []).Add(partition);
                }
            }
            foreach (var p in empty ?? [])
            {
                _records.Remove(p);
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

    private void Acked(Submitted record)
    {
        lock (_lock)
        {
            if (record.Acked)
            {
                return;
            }
            record.Acked = true;
            _outstanding--;
            if (_outstanding == 0)
            {
                Monitor.PulseAll(_lock);
            }
        }
    }

    private void Drop(Submitted record)
    {
        lock (_lock)
        {
            if (record.Node?.List is { } list)
            {
                list.Remove(record.Node);
                if (!record.Acked)
                {
                    record.Acked = true;
                    _outstanding--;
                    if (_outstanding == 0)
                    {
                        Monitor.PulseAll(_lock);
                    }
                }
            }
        }
    }

    /// <summary>One in-flight record.</summary>
    public sealed class Submitted
    {
        private readonly SubmittedRecords _owner;

        internal Submitted(SubmittedRecords owner, IReadOnlyDictionary<string, object?> partition, IReadOnlyDictionary<string, object?>? offset)
        {
            _owner = owner;
            Partition = partition;
            Offset = offset;
        }

        public IReadOnlyDictionary<string, object?> Partition { get; }

        public IReadOnlyDictionary<string, object?>? Offset { get; }

        public bool Acked { get; internal set; }

        internal LinkedListNode<Submitted>? Node { get; set; }

        /// <summary>The producer stored the record (or it was filtered out): its offset may be committed.</summary>
        public void Ack() => _owner.Acked(this);

        /// <summary>The record will not be sent (failed before send); forget it without committing its offset.</summary>
        public void Drop() => _owner.Drop(this);
    }
}
