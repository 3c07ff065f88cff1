using KafkaConnect.Client.Admin;
using KafkaConnect.Client.Consumer;
using KafkaConnect.Client.Producer;
using KafkaConnect.Protocol;
using LogPartition = KafkaConnect.Client.Consumer.TopicPartition;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Client.Log;

/// <summary>A replicated log failed: stopped before it read to the end, or its topic's partitions could not be found.</summary>
public sealed class KafkaLogException : Exception
{
    public KafkaLogException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}

/// <summary>One record read from a <see cref="KafkaBasedLog"/>; a null <see cref="Value"/> is a tombstone.</summary>
public readonly record struct LogRecord(byte[]? Key, byte[]? Value, int Partition, long Offset);

/// <summary>
/// A topic used as a replicated log (Apache's KafkaBasedLog): a producer appends, and a consumer assigned to every
/// partition (no group, no commits, always from the beginning) replays all records into a callback on a background
/// reader. <see cref="ReadToEndAsync"/> waits until everything written before the call has been applied.
/// </summary>
public sealed class KafkaBasedLog : IAsyncDisposable
{
    private static readonly TimeSpan s_pollTimeout = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan s_errorBackoff = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan s_partitionLookupTimeout = TimeSpan.FromSeconds(30);

    private readonly string _topic;
    private readonly Dictionary<string, string>? _producerConfig;
    private readonly Dictionary<string, string> _consumerConfig;
    private readonly KafkaAdminClient _admin;
    private readonly Action<LogRecord> _onRecord;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<LogPartition, long> _positions = [];
    private readonly List<(IReadOnlyDictionary<LogPartition, long> End, TaskCompletionSource Done)> _waiters = [];
    private readonly CancellationTokenSource _stop = new();
    private KafkaProducer? _producer;
    private KafkaConsumer? _consumer;
    private List<LogPartition> _partitions = [];
    private Task? _reader;
    private int _stopped;

    /// <param name="producerConfig">Null for a read-only log.</param>
    /// <param name="admin">Used for end offsets; owned by the caller.</param>
    /// <param name="onRecord">Called on the reader for every record in offset order per partition; must not block.</param>
    public KafkaBasedLog(string topic, IReadOnlyDictionary<string, string>? producerConfig, IReadOnlyDictionary<string, string> consumerConfig,
        KafkaAdminClient admin, Action<LogRecord> onRecord, ILogger log, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(consumerConfig);
        _topic = topic;
        _admin = admin ?? throw new ArgumentNullException(nameof(admin));
        _onRecord = onRecord ?? throw new ArgumentNullException(nameof(onRecord));
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _time = time ?? TimeProvider.System;
        if (producerConfig is not null)
        {
            _producerConfig = new Dictionary<string, string>(producerConfig, StringComparer.Ordinal)
            {
                // Durable writes, and no reordering when a request is retried.
                ["acks"] = "all",
                ["max.in.flight.requests.per.connection"] = "1",
            };
            // Apache 3.9's producer default: a config or status write is awaited by the herder loop or a REST call, so
            // batching delay only adds latency (our client defaults to 5 ms, as Kafka 4). A worker-level setting wins.
            _producerConfig.TryAdd("linger.ms", "0");
        }
        _consumerConfig = new Dictionary<string, string>(consumerConfig, StringComparer.Ordinal)
        {
            ["auto.offset.reset"] = "earliest",
            ["enable.auto.commit"] = "false",
        };
        // The whole log is read by every worker: a group would only add committed offsets that must never be used.
        // Never create the topic by reading it: an auto-created internal topic would not be compacted (EnsureAsync creates it).
        _consumerConfig["allow.auto.create.topics"] = "false";
        _consumerConfig.Remove("group.id");
        _consumerConfig.Remove("group.instance.id");
    }

    public string Topic => _topic;

    /// <summary>Partitions of the topic (known once started).</summary>
    public int PartitionCount => _partitions.Count;

    /// <summary>
    /// Assigns every partition, replays the topic up to its current end, calls <paramref name="onLoaded"/> (before any later
    /// record is applied, so a store can tell its initial load apart from live updates) and then keeps reading in the background.
    /// </summary>
    public async Task StartAsync(Action? onLoaded = null, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_stopped != 0, this);
        if (_consumer is not null)
        {
            throw new InvalidOperationException($"The log of topic {_topic} is already started.");
        }
        _log.LogInformation("Starting KafkaBasedLog with topic {Topic}", _topic);
        var count = await PartitionCountAsync(_admin, _topic, _time, ct).ConfigureAwait(false);
        _partitions = [.. Enumerable.Range(0, count).Select(p => new LogPartition(_topic, p))];
        if (_producerConfig is not null)
        {
            _producer = new KafkaProducer(_producerConfig);
            // Known metadata lets later sends queue synchronously, in call order.
            await _producer.PartitionsForAsync(_topic, ct).ConfigureAwait(false);
        }
        _consumer = new KafkaConsumer(_consumerConfig);
        _consumer.Assign(_partitions);
        await _consumer.SeekToBeginningAsync(_partitions, ct).ConfigureAwait(false);

        var end = await EndOffsetsAsync(ct).ConfigureAwait(false);
        while (!Reached(end))
        {
            try
            {
                await PollOnceAsync(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsTransient(ex) && !ct.IsCancellationRequested)
            {
                _log.LogWarning("Reading topic {Topic} failed ({Reason}); retrying", _topic, ex.Message);
                await Task.Delay(s_errorBackoff, _time, ct).ConfigureAwait(false);
            }
        }
        onLoaded?.Invoke();
        _reader = Task.Run(ReadLoopAsync, CancellationToken.None);
        _log.LogInformation("Finished reading KafkaBasedLog for topic {Topic}", _topic);
    }

    /// <summary>Appends a record; completes when the broker acknowledged it (acks=all).</summary>
    public Task<RecordMetadata> SendAsync(byte[]? key, byte[]? value, CancellationToken ct = default)
    {
        var producer = _producer ?? throw new InvalidOperationException(_producerConfig is null
            ? $"The log of topic {_topic} is read-only."
            : $"The log of topic {_topic} is not started.");
        // byte[] → ReadOnlyMemory turns null into an empty value: a tombstone must be a null ReadOnlyMemory?.
        return producer.ProduceAsync(new ProducerRecord(_topic, Memory(key), Memory(value)), ct);
    }

    /// <summary>Sends what is queued, then waits until the reader has applied every record up to the topic's current end.</summary>
    public async Task ReadToEndAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_stopped != 0, this);
        if (_consumer is null)
        {
            throw new InvalidOperationException($"The log of topic {_topic} is not started.");
        }
        if (_producer is not null)
        {
            await _producer.FlushAsync(ct).ConfigureAwait(false);
        }
        var end = await EndOffsetsAsync(ct).ConfigureAwait(false);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (Reached(end))
            {
                return;
            }
            _waiters.Add((end, done));
        }
        await done.Task.WaitAsync(ct).ConfigureAwait(false);
    }

    /// <summary><see cref="ReadToEndAsync"/> bounded by <paramref name="timeout"/>: false when the end was not reached in time.</summary>
    public async Task<bool> TryReadToEndAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        try
        {
            await ReadToEndAsync(linked.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Waits for every record sent so far to be acknowledged.</summary>
    public Task FlushAsync(CancellationToken ct = default) => _producer?.FlushAsync(ct) ?? Task.CompletedTask;

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }
        _log.LogInformation("Stopping KafkaBasedLog for topic {Topic}", _topic);
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_reader is not null)
        {
            try
            {
                await _reader.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        List<TaskCompletionSource> pending;
        lock (_lock)
        {
            pending = [.. _waiters.Select(w => w.Done)];
            _waiters.Clear();
        }
        foreach (var p in pending)
        {
            p.TrySetException(new KafkaLogException($"The log of topic {_topic} was stopped before it read to the end."));
        }
        if (_producer is not null)
        {
            await _producer.DisposeAsync().ConfigureAwait(false);
        }
        if (_consumer is not null)
        {
            await _consumer.DisposeAsync().ConfigureAwait(false);
        }
        _log.LogInformation("Stopped KafkaBasedLog for topic {Topic}", _topic);
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task<IReadOnlyDictionary<LogPartition, long>> EndOffsetsAsync(CancellationToken ct)
    {
        var listed = await _admin.ListOffsetsAsync(_partitions, OffsetSpec.Latest, cancellationToken: ct).ConfigureAwait(false);
        return listed.ToDictionary(e => e.Key, e => e.Value.Offset);
    }

    private bool Reached(IReadOnlyDictionary<LogPartition, long> end)
    {
        lock (_lock)
        {
            foreach (var (tp, offset) in end)
            {
                if (offset > 0 && (!_positions.TryGetValue(tp, out var position) || position < offset))
                {
                    return false;
                }
            }
            return true;
        }
    }

    private async Task PollOnceAsync(CancellationToken ct)
    {
        var consumer = _consumer!;
        var records = await consumer.PollAsync(s_pollTimeout, ct).ConfigureAwait(false);
        foreach (var r in records)
        {
            try
            {
                _onRecord(new LogRecord(r.Key?.ToArray(), r.Value?.ToArray(), r.Partition, r.Offset));
            }
            catch (Exception ex)
            {
                _log.LogError(ex, "Failed to apply record {Partition}@{Offset} of topic {Topic}", r.Partition, r.Offset, _topic);
            }
        }
        List<TaskCompletionSource>? done = null;
        lock (_lock)
        {
            foreach (var tp in _partitions)
            {
                if (consumer.Position(tp) is { } position)
                {
                    _positions[tp] = position;
                }
            }
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (Reached(_waiters[i].End))
                {
                    (done ??= []).Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }
        foreach (var d in done ?? [])
        {
            d.TrySetResult();
        }
    }

    private async Task ReadLoopAsync()
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await PollOnceAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The log must keep being read for the worker to stay in sync: log and carry on.
                _log.LogWarning(ex, "Reading topic {Topic} failed; retrying", _topic);
                try
                {
                    await Task.Delay(s_errorBackoff, _time, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>The topic's partition count, waiting up to 30 s for a just-created topic's metadata to appear.</summary>
    /// <exception cref="KafkaLogException">The topic's partitions were not found in time.</exception>
    public static async Task<int> PartitionCountAsync(KafkaAdminClient admin, string topic, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(admin);
        ArgumentNullException.ThrowIfNull(time);
        var started = time.GetTimestamp();
        var backoff = TimeSpan.FromMilliseconds(100);
        KafkaException? last = null;
        while (true)
        {
            try
            {
                var described = await admin.DescribeTopicsAsync([topic], ct).ConfigureAwait(false);
                if (described.TryGetValue(topic, out var d) && d.Partitions.Count > 0)
                {
                    return d.Partitions.Count;
                }
            }
            catch (KafkaException ex) when (ex.Error == ErrorCode.UnknownTopicOrPartition || ex.IsRetriable)
            {
                last = ex;
            }
            if (time.GetElapsedTime(started) >= s_partitionLookupTimeout)
            {
                throw new KafkaLogException($"Could not look up partition metadata for topic '{topic}' in the allotted period. This could "
                    + "indicate a connectivity issue, unavailable topic partitions, or if this is your first use of the topic it may "
                    + "have taken too long to create.", last);
            }
            await Task.Delay(backoff, time, ct).ConfigureAwait(false);
            backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 1000));
        }
    }

    private static ReadOnlyMemory<byte>? Memory(byte[]? bytes)
    {
        // Not a "?:" with null: the null literal would convert to byte[] and then to an empty ReadOnlyMemory.
        if (bytes is null)
        {
            return default(ReadOnlyMemory<byte>?);
        }
        return new ReadOnlyMemory<byte>(bytes);
    }

    public static bool IsTransient(Exception ex) =>
        ex is KafkaException { IsRetriable: true } or KafkaConnectionException or TimeoutException;
}
