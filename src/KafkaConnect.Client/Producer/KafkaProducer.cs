using System.Collections.Concurrent;
using System.Text;
using KafkaConnect.Client.Metrics;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Records;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaConnect.Client.Producer;

/// <summary>
/// Sends records to Kafka. Records are grouped per partition into batches (linger.ms, batch.size) and a
/// background sender drains them into produce requests, several partitions per request and up to
/// max.in.flight.requests.per.connection requests pipelined per broker. With enable.idempotence (the default)
/// every batch carries a producer id and per-partition sequence number, so retries after lost responses,
/// leader changes or broker restarts neither duplicate nor reorder records. Without idempotence and with more
/// than one request in flight, a retried batch may land after a later one (as in Kafka).
/// Thread-safe: any number of threads may produce at once.
/// </summary>
public sealed partial class KafkaProducer : IAsyncDisposable
{
    private readonly ProducerOptions _options;
    private readonly KafkaCluster _cluster;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly BufferMemory _memory;
    private readonly ProducerMetrics _metrics;
    private readonly ConcurrentDictionary<string, ProducerTopic> _topics = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<ProducerTopic>> _topicLookups = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ProducerBatch, byte> _incomplete = new();
    private readonly ConcurrentBag<RecordBatchBuilder> _builders = new();
    private readonly int _maxPooledBuilders;
    private readonly EntryPool _entryPool;
    private volatile ProducerTopic[] _topicList = [];
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _senderLoop;
    private int _wakePending;
    private int _flushing;
    private volatile bool _closing;
    private int _disposed;

    /// <summary>Creates a producer from Kafka producer properties (bootstrap.servers, acks, linger.ms, ...).</summary>
    /// <param name="config">Kafka producer properties.</param>
    /// <param name="logger">Where the background sender reports failures; none when null.</param>
    /// <exception cref="Config.ConfigException">A key is unknown, invalid or conflicts with another.</exception>
    public KafkaProducer(IReadOnlyDictionary<string, string> config, ILogger? logger = null)
        : this(ProducerOptions.Parse(config), TimeProvider.System, logger)
    {
    }

    internal KafkaProducer(ProducerOptions options, TimeProvider time, ILogger? logger = null)
    {
        if (options.Cluster.ClientId.Length == 0) options = options with { Cluster = options.Cluster with { ClientId = ClientMetrics.DefaultProducerId() } };
        _options = options;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        _memory = new BufferMemory(options.BufferMemory);
        _metrics = new ProducerMetrics(options.Cluster.ClientId) { Memory = _memory };
        _cluster = new KafkaCluster(options.Cluster, _metrics.Network);
        // Like Kafka's buffer pool: keep up to buffer.memory worth of batch buffers for reuse, so a steady backlog
        // does not allocate a fresh growing buffer per batch.
        _maxPooledBuilders = (int)Math.Clamp(options.BufferMemory / Math.Max(options.BatchSize, 1024), 16, 4096);
        // Room for a full batch of small records (~60 B encoded) so most batches never grow their slots.
        _entryPool = new EntryPool(_maxPooledBuilders, Math.Clamp(options.BatchSize / 64, 16, 4096));
        _senderLoop = Task.Run(SenderLoopAsync);
        _metrics.Register();
    }

    internal ProducerOptions Options => _options;

    /// <summary>The client id this producer sends and is measured under (client.id, else Apache's producer-N).</summary>
    public string ClientId => _options.Cluster.ClientId;

    private long NowMs => _time.GetTimestamp() / (_time.TimestampFrequency / 1000);

    /// <summary>
    /// Queues a record; the task completes when the broker acknowledged it (per acks) or delivery failed.
    /// The token cancels only the wait for metadata or buffer space, not a record already queued.
    /// </summary>
    public Task<RecordMetadata> ProduceAsync(ProducerRecord record, CancellationToken ct = default)
    {
        Validate(record);
        var completion = new TaskCompletionSource<RecordMetadata>(TaskCreationOptions.RunContinuationsAsynchronously);
        ValueTask append;
        try
        {
            append = AppendAsync(record, completion, blocking: false, ct);
        }
        catch (Exception ex) when (ex is not ObjectDisposedException)
        {
            return Task.FromException<RecordMetadata>(ex);
        }
        if (append.IsCompletedSuccessfully) return completion.Task;
        return WaitAppendedAsync(append, completion);

        static async Task<RecordMetadata> WaitAppendedAsync(ValueTask append, TaskCompletionSource<RecordMetadata> completion)
        {
            await append.ConfigureAwait(false);
            return await completion.Task.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Queues a record and reports its outcome to <paramref name="onDelivery"/> (on the sender's thread; keep it
    /// short). Blocks, as Kafka's send does, up to max.block.ms while metadata or buffer space is missing.
    /// Failures (also metadata or buffer timeouts) are reported through the callback.
    /// </summary>
    public void Produce(ProducerRecord record, Action<RecordMetadata?, Exception?>? onDelivery)
    {
        Validate(record);
        try
        {
            var append = AppendAsync(record, onDelivery, blocking: true, CancellationToken.None);
            if (!append.IsCompletedSuccessfully) append.AsTask().GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is not ObjectDisposedException)
        {
            onDelivery?.Invoke(null, ex);
        }
    }

    /// <summary>
    /// <see cref="Produce(ProducerRecord, Action{RecordMetadata?, Exception?}?)"/> reporting to an <see cref="IDeliveryHandler"/>,
    /// which allocates nothing per record for the outcome.
    /// </summary>
    public void Produce(ProducerRecord record, IDeliveryHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Validate(record);
        try
        {
            var append = AppendAsync(record, handler, blocking: true, CancellationToken.None);
            if (!append.IsCompletedSuccessfully) append.AsTask().GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is not ObjectDisposedException)
        {
            handler.OnDelivery(record.Topic, record.Partition ?? -1, -1, -1, ex);
        }
    }

    /// <summary>Sends everything queued so far without waiting for linger.ms and waits for all outcomes.</summary>
    public async Task FlushAsync(CancellationToken ct = default)
    {
        Interlocked.Increment(ref _flushing);
        WakeSender();
        try
        {
            foreach (var batch in _incomplete.Keys)
                await batch.WhenDone().WaitAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _flushing);
        }
    }

    /// <summary>The topic's partition ids (waiting up to max.block.ms for its metadata).</summary>
    public async Task<IReadOnlyList<int>> PartitionsForAsync(string topic, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var state = _topics.TryGetValue(topic, out var known) ? known : await LookupTopicAsync(topic, ct).ConfigureAwait(false);
        var ids = new int[state.Partitions.Length];
        for (var i = 0; i < ids.Length; i++) ids[i] = i;
        return ids;
    }

    private void Validate(ProducerRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentException.ThrowIfNullOrEmpty(record.Topic, nameof(record));
        if (record.Partition is < 0) throw new ArgumentOutOfRangeException(nameof(record), $"Partition {record.Partition} is negative.");
        ObjectDisposedException.ThrowIf(_disposed != 0 || _closing, this);
    }

    private static int EstimateSize(ProducerRecord record) => ProducerBatch.EstimateSize(record.Key, record.Value, record.Headers);

    private async ValueTask AppendAsync(ProducerRecord record, object? callback, bool blocking, CancellationToken ct)
    {
        var size = EstimateSize(record);
        if (size + RecordBatchHeader.Size > _options.MaxRequestSize)
            throw new KafkaException(ErrorCode.MessageTooLarge, $"The record is {size + RecordBatchHeader.Size} bytes when encoded, more than max.request.size ({_options.MaxRequestSize}).");
        if (size > _memory.Total)
            throw new KafkaException(ErrorCode.MessageTooLarge, $"The record is {size} bytes when encoded, more than buffer.memory ({_memory.Total}).");

        var started = NowMs;
        if (!_topics.TryGetValue(record.Topic, out var topic))
            topic = await LookupTopicAsync(record.Topic, ct).ConfigureAwait(false);
        var partitions = topic.Partitions;
        if (record.Partition is { } explicitPartition && explicitPartition >= partitions.Length)
            throw new KafkaException(ErrorCode.UnknownTopicOrPartition, $"Partition {explicitPartition} is not in topic '{record.Topic}', which has {partitions.Length} partitions.");

        if (!_memory.TryReserve(size))
        {
            var remaining = Math.Max(0, _options.MaxBlockMs - (NowMs - started));
            var granted = blocking ? _memory.Reserve(size, remaining) : await _memory.ReserveAsync(size, remaining, ct).ConfigureAwait(false);
            if (!granted)
                throw new TimeoutException($"Failed to allocate {size} bytes within max.block.ms ({_options.MaxBlockMs} ms): buffer.memory ({_memory.Total} bytes) is full.");
        }

        var partition = ChoosePartition(topic, partitions, record, size);
        var timestamp = record.Timestamp ?? _time.GetUtcNow().ToUnixTimeMilliseconds();
        var batch = Append(partitions[partition], timestamp, record, callback, size);
        if (batch is not null && record.Partition is null && !UsesKey(record))
        {
            lock (topic.StickyLock)
            {
                if (topic.StickyPartition == partition && topic.StickyBatch is null) topic.StickyBatch = batch;
            }
        }
    }

    private bool UsesKey(ProducerRecord record)
        => record.Key is not null && !_options.IgnoreKeys && _options.Partitioner == PartitionerKind.Default;

    private int ChoosePartition(ProducerTopic topic, PartitionQueue[] partitions, ProducerRecord record, int size)
    {
        if (record.Partition is { } p) return p;
        var n = partitions.Length;
        if (UsesKey(record)) return Murmur2Partitioner.Partition(record.Key!.Value.Span, n);
        if (_options.Partitioner == PartitionerKind.RoundRobin) return (int)((uint)Interlocked.Increment(ref topic.RoundRobin) % (uint)n);
        // Sticky (KIP-480): keep filling one partition's batch; move on once that batch is closed or would overflow.
        lock (topic.StickyLock)
        {
            var sticky = topic.StickyPartition;
            if (sticky < 0 || sticky >= n || topic.StickyBatch is { } b && (b.Closed || b.EstimatedSize + size > _options.BatchSize))
            {
                var next = Random.Shared.Next(n);
                if (n > 1 && next == sticky) next = (next + 1 + Random.Shared.Next(n - 1)) % n;
                topic.StickyPartition = sticky = next;
                topic.StickyBatch = null;
            }
            return sticky;
        }
    }

    /// <summary>Adds the record to the partition's open batch (closing it when full); returns the batch used.</summary>
    private ProducerBatch? Append(PartitionQueue p, long timestamp, ProducerRecord record, object? callback, int size)
    {
        var wake = false;
        ProducerBatch batch;
        lock (p.Lock)
        {
            if (_disposed != 0 && _stop.IsCancellationRequested)
            {
                _memory.Release(size);
                throw new ObjectDisposedException(nameof(KafkaProducer));
            }
            var open = p.Open;
            if (open is not null && open.Count > 0 && open.EstimatedSize + size > _options.BatchSize)
            {
                CloseOpen(p);
                open = null;
                wake = true;
            }
            if (open is null)
            {
                var now = NowMs;
                open = new ProducerBatch(p, RentBuilder(), _entryPool, now, now + _options.DeliveryTimeoutMs);
                p.Open = open;
                _incomplete.TryAdd(open, 0);
                wake = true;
            }
            open.Append(timestamp, record.Key, record.Value, record.Headers, callback, size);
            open.ReservedBytes += size;
            batch = open;
            if (open.EstimatedSize >= _options.BatchSize)
            {
                CloseOpen(p);
                wake = true;
            }
        }
        if (wake) WakeSender();
        return batch;
    }

    private static void CloseOpen(PartitionQueue p)
    {
        var open = p.Open!;
        open.Closed = true;
        p.Ready.AddLast(open);
        p.Open = null;
    }

    private RecordBatchBuilder RentBuilder()
    {
        if (_builders.TryTake(out var builder))
        {
            builder.Clear();
        }
        else
        {
            // batch.size up front (as Kafka's buffer pool does) so a batch does not regrow; capped so that large
            // batch.size settings do not pin that much per sparsely written partition (bigger batches still grow).
            builder = new RecordBatchBuilder(0, _options.Compression, Math.Clamp(_options.BatchSize, 1024, 64 * 1024));
        }
        return builder;
    }

    private void ReturnBuilder(RecordBatchBuilder builder)
    {
        // Bounded so a burst does not pin its buffers for ever.
        if (_builders.Count < _maxPooledBuilders) _builders.Add(builder);
        else builder.Dispose();
    }

    /// <summary>Fetches the topic's metadata once for all concurrent senders, waiting up to max.block.ms.</summary>
    private Task<ProducerTopic> LookupTopicAsync(string name, CancellationToken ct)
    {
        var lookup = _topicLookups.GetOrAdd(name, n => FetchTopicAsync(n));
        return lookup.IsCompleted ? lookup : lookup.WaitAsync(ct);
    }

    private async Task<ProducerTopic> FetchTopicAsync(string name)
    {
        try
        {
            var deadline = DeadlineAfter(NowMs, _options.MaxBlockMs);
            _cluster.AddTopics([name]);
            var attempt = 0;
            while (true)
            {
                ErrorCode error = ErrorCode.UnknownTopicOrPartition;
                try
                {
                    var md = await _cluster.RefreshMetadataAsync([name], cancellationToken: _stop.Token).ConfigureAwait(false);
                    if (md.Topics.TryGetValue(name, out var tm))
                    {
                        error = tm.Error;
                        if (error == ErrorCode.None && tm.Partitions.Count > 0)
                        {
                            var state = _topics.GetOrAdd(name, static (n, a) => new ProducerTopic(n, a.Count, a.Metrics.Topic(n)), (Count: tm.Partitions.Count, Metrics: _metrics));
                            lock (_topicLookups)
                            {
                                if (Array.IndexOf(_topicList, state) < 0) _topicList = [.. _topicList, state];
                            }
                            return state;
                        }
                    }
                }
                catch (KafkaConnectionException) when (NowMs < deadline)
                {
                    error = ErrorCode.NetworkException;
                }
                if (error != ErrorCode.None && !KafkaException.IsRetriableError(error) && error != ErrorCode.NetworkException)
                    throw new KafkaException(error, $"Metadata for topic '{name}' failed: {error}.");
                if (NowMs >= deadline)
                    throw new TimeoutException($"Topic '{name}' not present in metadata after max.block.ms ({_options.MaxBlockMs} ms); last error {error}.");
                await Task.Delay(_cluster.Backoff(attempt++), _stop.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            _topicLookups.TryRemove(name, out _);
        }
    }

    /// <summary>
    /// now + timeout, saturating: Connect gives its producers max.block.ms = Long.MAX_VALUE (wait as long as it
    /// takes), which must not wrap around into a deadline in the past.
    /// </summary>
    internal static long DeadlineAfter(long nowMs, long timeoutMs)
        => timeoutMs > long.MaxValue - nowMs ? long.MaxValue : nowMs + timeoutMs;

    private void WakeSender()
    {
        if (Interlocked.Exchange(ref _wakePending, 1) == 0) _wake.Release();
    }

    /// <summary>Sends what is queued (bounded by delivery.timeout.ms), then closes connections.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try
        {
            await CloseAsync().ConfigureAwait(false);
        }
        finally
        {
            _metrics.Unregister();
        }
    }

    private async Task CloseAsync()
    {
        _closing = true;
        try
        {
            await FlushAsync().WaitAsync(TimeSpan.FromMilliseconds(_options.DeliveryTimeoutMs + 5000)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Whatever is left fails below.
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _senderLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        var closed = new ObjectDisposedException(nameof(KafkaProducer), "The producer was closed before the record was delivered.");
        foreach (var topic in _topicList)
        {
            foreach (var p in topic.Partitions)
            {
                lock (p.Lock)
                {
                    if (p.Open is not null) CloseOpen(p);
                }
            }
        }
        foreach (var batch in _incomplete.Keys) FinishBatch(batch, closed, 0, 0);
        await _cluster.DisposeAsync().ConfigureAwait(false);
        while (_builders.TryTake(out var b)) b.Dispose();
        // _wake and _stop stay undisposed: late responses and connects may still signal them, and they hold no handles.
    }
}
