using System.Buffers;
using KafkaConnect.Client.Metrics;
using KafkaConnect.Protocol.Records;

namespace KafkaConnect.Client.Producer;

/// <summary>
/// Records for one partition that travel together. While open, records are encoded straight into a
/// <see cref="RecordBatchBuilder"/>; when drained the first time it is built (compressed, producer id and
/// sequence stamped) into a pooled buffer that is resent unchanged on retries, so the broker can deduplicate.
/// </summary>
internal sealed class ProducerBatch
{
    private readonly EntryPool _pool;
    private Entry[] _entries;
    private TaskCompletionSource? _done;
    private int _released;
    private int _pendingHalves;

    internal struct Entry
    {
        public object? Callback;
        public long Timestamp;
    }

    public ProducerBatch(PartitionQueue owner, RecordBatchBuilder builder, EntryPool pool, long createdMs, long deadlineMs)
    {
        Owner = owner;
        Builder = builder;
        CreatedMs = createdMs;
        DeadlineMs = deadlineMs;
        EstimatedSize = RecordBatchHeader.Size;
        _pool = pool;
        _entries = pool.Rent();
    }

    public PartitionQueue Owner { get; }
    public RecordBatchBuilder? Builder { get; private set; }
    public int Count { get; private set; }
    public int EstimatedSize { get; private set; }

    /// <summary>The largest record's size estimate (for record-size-max).</summary>
    public int MaxRecordSize { get; private set; }
    public long ReservedBytes { get; set; }
    public long CreatedMs { get; }
    public long DeadlineMs { get; }

    /// <summary>No more appends (full, lingered out or drained). Read without the lock by the sticky partitioner.</summary>
    public volatile bool Closed;

    public int BaseSequence { get; set; } = -1;
    public byte[]? Payload { get; private set; }
    public int PayloadLength { get; private set; }
    public int Attempts { get; set; }
    public bool Completed { get; private set; }

    /// <summary>The batch this one is half of, after the broker refused that one as too large.</summary>
    public ProducerBatch? Parent { get; private set; }

    private int _finished;

    /// <summary>True for the one caller that gets to report the outcome.</summary>
    public bool TryFinish() => Interlocked.Exchange(ref _finished, 1) == 0;

    /// <summary>Order of first send, so retried batches go back in the order they first went out.</summary>
    public long SendOrder { get; set; } = -1;

    /// <summary>Completes after every record's outcome was reported (flush waits on it). Created only when asked.</summary>
    public Task WhenDone()
    {
        if (Volatile.Read(ref _released) != 0) return Task.CompletedTask;
        var done = Volatile.Read(ref _done);
        if (done is null)
        {
            var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            done = Interlocked.CompareExchange(ref _done, created, null) ?? created;
        }
        // Release may have run between the checks and not seen the source.
        if (Volatile.Read(ref _released) != 0) done.TrySetResult();
        return done.Task;
    }

    /// <summary>Upper bound of a record's encoded size (varint overheads at their maximum), for batch.size and buffer.memory.</summary>
    public static int EstimateSize(ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader>? headers)
    {
        var size = 36 + (key?.Length ?? 0) + (value?.Length ?? 0);
        if (headers is not null)
        {
            for (var i = 0; i < headers.Count; i++)
                size += 10 + System.Text.Encoding.UTF8.GetByteCount(headers[i].Key) + (headers[i].Value?.Length ?? 0);
        }
        return size;
    }

    /// <summary>
    /// Splits a sealed batch the broker refused as too large (MESSAGE_TOO_LARGE) into two sealed halves that carry its
    /// records, callbacks, memory and deadline, in order; this batch is done once both halves are (so a flush that
    /// waits on it waits for them). Halving again on a further refusal ends at single records, which then fail with
    /// the broker's error. The caller holds the partition lock; the halves are stamped with this batch's producer id
    /// and sequences, which a producer reset renumbers.
    /// </summary>
    public (ProducerBatch First, ProducerBatch Second) Split(Func<RecordBatchBuilder> rentBuilder, Action<RecordBatchBuilder> returnBuilder,
        long producerId, short epoch)
    {
        var records = RecordBatchCodec.ReadRecords(Records.Span, verifyCrc: false);
        if (records.Count != Count)
            throw new InvalidOperationException($"The batch holds {records.Count} records where {Count} were added.");
        var half = Count / 2;
        var first = Half(records, 0, half, rentBuilder);
        var second = Half(records, half, Count, rentBuilder);
        // What the halves hold adds up to what this batch reserved; the remainder keeps the release exact.
        second.ReservedBytes = Math.Max(0, ReservedBytes - first.ReservedBytes);
        first.Seal(producerId, epoch, BaseSequence, returnBuilder);
        second.Seal(producerId, epoch, BaseSequence < 0 ? -1 : BaseSequence + half, returnBuilder);

        // The records now belong to the halves: nothing of them is reported or released through this batch.
        _entries.AsSpan(0, Count).Clear();
        _pool.Return(_entries);
        _entries = [];
        Count = 0;
        ReservedBytes = 0;
        if (Payload is not null) ArrayPool<byte>.Shared.Return(Payload);
        Payload = null;
        PayloadLength = 0;
        Volatile.Write(ref _pendingHalves, 2);
        return (first, second);
    }

    private ProducerBatch Half(List<Record> records, int from, int to, Func<RecordBatchBuilder> rentBuilder)
    {
        var half = new ProducerBatch(Owner, rentBuilder(), _pool, CreatedMs, DeadlineMs)
        {
            Parent = this,
            SendOrder = SendOrder,
            Closed = true,
        };
        long reserved = 0;
        for (var i = from; i < to; i++)
        {
            var r = records[i];
            var headers = r.Headers.Count == 0 ? null : r.Headers;
            var size = EstimateSize(r.Key, r.Value, headers);
            half.Append(_entries[i].Timestamp, r.Key, r.Value, headers, _entries[i].Callback, size);
            reserved += size;
        }
        half.ReservedBytes = reserved;
        return half;
    }

    /// <summary>One half reported all its records; returns true when that finished this (split) batch too.</summary>
    public bool HalfReleased()
    {
        if (Interlocked.Decrement(ref _pendingHalves) != 0) return false;
        Completed = true;
        Interlocked.Exchange(ref _finished, 1);
        Interlocked.Exchange(ref _released, 1);
        Volatile.Read(ref _done)?.TrySetResult();
        return true;
    }

    /// <summary>Adds a record; the caller holds the partition lock and checked the size limit.</summary>
    public void Append(long timestamp, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader>? headers, object? callback, int size)
    {
        Builder!.Add(timestamp, key, value, headers);
        if (Count == _entries.Length)
        {
            var bigger = new Entry[Count * 2];
            _entries.AsSpan(0, Count).CopyTo(bigger);
            _entries = bigger;
        }
        _entries[Count++] = new Entry { Callback = callback, Timestamp = timestamp };
        EstimatedSize += size;
        if (size > MaxRecordSize) MaxRecordSize = size;
    }

    /// <summary>Encodes the batch once (compression included) and gives the builder back to the pool.</summary>
    public void Seal(long producerId, short epoch, int baseSequence, Action<RecordBatchBuilder> returnBuilder)
    {
        var builder = Builder!;
        builder.ProducerId = producerId;
        builder.ProducerEpoch = epoch;
        builder.BaseSequence = baseSequence;
        BaseSequence = baseSequence;
        var writer = new RentedArrayWriter();
        PayloadLength = builder.Build(writer);
        Payload = writer.Array;
        Builder = null;
        returnBuilder(builder);
    }

    public bool IsSealed => Payload is not null;

    public ReadOnlyMemory<byte> Records => Payload.AsMemory(0, PayloadLength);

    /// <summary>Restamps producer epoch and sequence after the producer was reset (the bytes stay; the CRC is redone).</summary>
    public void Restamp(long producerId, short epoch, int baseSequence)
    {
        var span = Payload.AsSpan(0, PayloadLength);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchHeader.ProducerIdOffset..], producerId);
        System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(span[(RecordBatchHeader.ProducerIdOffset + 8)..], epoch);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(span[(RecordBatchHeader.ProducerIdOffset + 10)..], baseSequence);
        RecordBatchHeader.UpdateCrc(span);
        BaseSequence = baseSequence;
    }

    /// <summary>Reports success for every record; returns the pooled memory. Call outside partition locks.</summary>
    public void Complete(long baseOffset, long logAppendTime)
    {
        if (Completed) return;
        Completed = true;
        var topic = Owner.Topic.Name;
        var partition = Owner.Partition;
        for (var i = 0; i < Count; i++)
        {
            ref var e = ref _entries[i];
            if (e.Callback is null) continue;
            if (e.Callback is IDeliveryHandler handler)
            {
                NotifyHandler(handler, topic, partition, baseOffset < 0 ? -1 : baseOffset + i, logAppendTime >= 0 ? logAppendTime : e.Timestamp, null);
                continue;
            }
            var metadata = new RecordMetadata(topic, partition, baseOffset < 0 ? -1 : baseOffset + i, logAppendTime >= 0 ? logAppendTime : e.Timestamp);
            Notify(e.Callback, metadata, null);
        }
        Release();
    }

    public void Fail(Exception error)
    {
        if (Completed) return;
        Completed = true;
        for (var i = 0; i < Count; i++)
        {
            if (_entries[i].Callback is IDeliveryHandler handler) NotifyHandler(handler, Owner.Topic.Name, Owner.Partition, -1, -1, error);
            else if (_entries[i].Callback is { } cb) Notify(cb, null, error);
        }
        Release();
    }

    private static void NotifyHandler(IDeliveryHandler handler, string topic, int partition, long offset, long timestamp, Exception? error)
    {
        try
        {
            handler.OnDelivery(topic, partition, offset, timestamp, error);
        }
#pragma warning disable CA1031 // A throwing handler must not break delivery of the other records.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private static void Notify(object callback, RecordMetadata? metadata, Exception? error)
    {
        if (callback is TaskCompletionSource<RecordMetadata> tcs)
        {
            if (error is null) tcs.TrySetResult(metadata!);
            else tcs.TrySetException(error);
            return;
        }
        try
        {
            ((Action<RecordMetadata?, Exception?>)callback)(metadata, error);
        }
#pragma warning disable CA1031 // A throwing user callback must not break delivery of the other records.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private void Release()
    {
        _entries.AsSpan(0, Count).Clear();
        _pool.Return(_entries);
        _entries = [];
        if (Payload is not null) ArrayPool<byte>.Shared.Return(Payload);
        Payload = null;
        Interlocked.Exchange(ref _released, 1);
        Volatile.Read(ref _done)?.TrySetResult();
    }

    /// <summary>Hands the builder back when a batch fails before it was sealed.</summary>
    public RecordBatchBuilder? TakeBuilder()
    {
        var b = Builder;
        Builder = null;
        return b;
    }
}

/// <summary>
/// Per-record callback slots, reused across batches. Not ArrayPool.Shared: the producing thread rents and the
/// network threads return, with thousands outstanding, so the shared pool's per-thread caches would mostly miss.
/// Arrays keep the size they grew to, so a steady stream of same-sized batches allocates nothing.
/// </summary>
internal sealed class EntryPool
{
    private readonly System.Collections.Concurrent.ConcurrentBag<ProducerBatch.Entry[]> _arrays = new();
    private readonly int _max;
    private readonly int _initialLength;

    public EntryPool(int max, int initialLength)
    {
        _max = max;
        _initialLength = Math.Max(initialLength, 4);
    }

    public ProducerBatch.Entry[] Rent() => _arrays.TryTake(out var a) ? a : new ProducerBatch.Entry[_initialLength];

    public void Return(ProducerBatch.Entry[] array)
    {
        if (array.Length > 0 && _arrays.Count < _max) _arrays.Add(array);
    }
}

/// <summary>Lets RecordBatchBuilder write straight into a pooled array (it asks for the whole batch at once).</summary>
internal sealed class RentedArrayWriter : IBufferWriter<byte>
{
    private int _length;

    public byte[] Array { get; private set; } = [];

    public void Advance(int count) => _length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return Array.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return Array.AsSpan(_length);
    }

    private void Ensure(int sizeHint)
    {
        if (Array.Length - _length >= Math.Max(sizeHint, 1)) return;
        var bigger = ArrayPool<byte>.Shared.Rent(_length + Math.Max(sizeHint, 256));
        Array.AsSpan(0, _length).CopyTo(bigger);
        if (Array.Length > 0) ArrayPool<byte>.Shared.Return(Array);
        Array = bigger;
    }
}

/// <summary>One partition's queue: the open batch, closed batches waiting to go, and idempotence state.</summary>
internal sealed class PartitionQueue
{
    public PartitionQueue(ProducerTopic topic, int partition)
    {
        Topic = topic;
        Partition = partition;
    }

    public ProducerTopic Topic { get; }
    public int Partition { get; }
    public object Lock { get; } = new();

    public ProducerBatch? Open;
    public readonly LinkedList<ProducerBatch> Ready = new();
    public int InFlight;

    /// <summary>A batch failed retriably: hold new sends until every in-flight batch is back, then resend in order.</summary>
    public bool Retrying;

    public long RetryAtMs;
    public int NextSequence;

    /// <summary>The sequence the broker expects next (the first sequence not yet acknowledged).</summary>
    public int AckedSequence;

    public long AckedSendOrder = -1;

    public ClusterMetadata? LeaderFrom;
    public int Leader = -1;
}

/// <summary>A topic's partitions and its partitioner state.</summary>
internal sealed class ProducerTopic
{
    public ProducerTopic(string name, int partitions, ProducerTopicMetrics metrics)
    {
        Metrics = metrics;
        Name = name;
        Partitions = new PartitionQueue[partitions];
        for (var i = 0; i < partitions; i++) Partitions[i] = new PartitionQueue(this, i);
    }

    public string Name { get; }
    public ProducerTopicMetrics Metrics { get; }
    public volatile PartitionQueue[] Partitions;
    public readonly object StickyLock = new();
    public int StickyPartition = -1;
    public ProducerBatch? StickyBatch;
    public int RoundRobin = -1;

    /// <summary>Partitions were added (CreatePartitions): grow, keeping the existing queues.</summary>
    public void Grow(int count)
    {
        lock (StickyLock)
        {
            var old = Partitions;
            if (count <= old.Length) return;
            var grown = new PartitionQueue[count];
            old.CopyTo(grown, 0);
            for (var i = old.Length; i < count; i++) grown[i] = new PartitionQueue(this, i);
            Partitions = grown;
        }
    }
}
