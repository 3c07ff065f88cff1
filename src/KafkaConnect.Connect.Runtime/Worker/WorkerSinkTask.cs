using System.Text.RegularExpressions;
using KafkaConnect.Client.Consumer;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Headers;
using KafkaConnect.Connect.Runtime.Errors;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Metrics;
using KafkaConnect.Connect.Sinks;
using KafkaConnect.Connect.Storage;
using Microsoft.Extensions.Logging;
using ClientTopicPartition = KafkaConnect.Client.Consumer.TopicPartition;
using ConnectTopicPartition = KafkaConnect.Connect.TopicPartition;

namespace KafkaConnect.Connect.Runtime.Worker;

/// <summary>Settings a sink task loop needs from the worker and connector configuration.</summary>
public sealed record SinkTaskSettings(
    IReadOnlyDictionary<string, string> TaskConfig,
    IReadOnlyList<string>? Topics,
    string? TopicsRegex,
    TimeSpan OffsetFlushInterval,
    TimeSpan OffsetFlushTimeout,
    bool ToleranceAll);

/// <summary>
/// Drives a <see cref="SinkTask"/>: consumer poll → converters → transformation chain → Put, then PreCommit/Flush and a consumer offset
/// commit every offset.flush.interval.ms, on request, on rebalance and at stop. Open/Close follow the assignment.
/// A <see cref="RetriableException"/> from Put pauses consumption and redelivers the same batch (after
/// <see cref="ISinkTaskContext.Timeout"/> if set).
/// </summary>
public sealed class WorkerSinkTask : WorkerTask, IConsumerRebalanceListener
{
    private readonly SinkTask _task;
    private readonly SinkTaskSettings _settings;
    private readonly IConverter _keyConverter;
    private readonly IConverter _valueConverter;
    private readonly IHeaderConverter _headerConverter;
    private readonly Func<IConsumerRebalanceListener, KafkaConsumer> _consumerFactory;
    private readonly TimeProvider _time;
    private readonly Action<IReadOnlyCollection<string>>? _topicsUsed;
    private readonly SinkContext _context;
    private readonly Dictionary<ConnectTopicPartition, OffsetAndMetadata> _currentOffsets = new();
    private readonly Dictionary<ConnectTopicPartition, OffsetAndMetadata> _lastCommitted = new();
    // Partitions without a committed offset: the offset of the first record delivered (sink-record-active-count).
    private readonly Dictionary<ConnectTopicPartition, long> _activeFrom = new();
    private readonly HashSet<string> _seenTopics = new(StringComparer.Ordinal);
    private readonly TransformationChain<SinkRecord> _chain;
    private readonly RetryWithToleranceOperator _errors;
    private readonly Dictionary<(string Topic, int Partition, long Offset), ConsumeResult> _rawInFlight = new();
    private KafkaConsumer? _consumer;
    private List<SinkRecord>? _retryBatch;
    private DateTimeOffset _nextCommit;
    private bool _started;
    private bool _pausedForRedelivery;
    private bool _workerPaused;
    private bool _closed;

    public WorkerSinkTask(
        ConnectorTaskId id,
        SinkTask task,
        SinkTaskSettings settings,
        IConverter keyConverter,
        IConverter valueConverter,
        IHeaderConverter headerConverter,
        Func<IConsumerRebalanceListener, KafkaConsumer> consumerFactory,
        StatusStore status,
        TargetState initial,
        ILogger log,
        TimeProvider? time = null,
        Action<IReadOnlyCollection<string>>? topicsUsed = null,
        TransformationChain<SinkRecord>? chain = null,
        RetryWithToleranceOperator? errors = null,
        TaskMetrics? metrics = null)
        : base(id, status, initial, log, metrics)
    {
        _chain = chain ?? TransformationChain<SinkRecord>.Empty;
        _errors = errors ?? RetryWithToleranceOperator.None;
        _task = task;
        _settings = settings;
        _keyConverter = keyConverter;
        _valueConverter = valueConverter;
        _headerConverter = headerConverter;
        _consumerFactory = consumerFactory;
        _time = time ?? TimeProvider.System;
        _topicsUsed = topicsUsed;
        _context = new SinkContext(this);
        metrics?.Errors = _errors;
    }

    protected override async Task ExecuteAsync()
    {
        _consumer = _consumerFactory(this);
        if (_settings.Topics is { } topics)
        {
            _consumer.Subscribe(topics);
        }
        else
        {
            _consumer.Subscribe(new Regex(_settings.TopicsRegex ?? ".*"));
        }
        _task.Initialize(_context);
        _task.Start(_settings.TaskConfig);
        _started = true;
        ReportStarted();
        Log.LogInformation("{Task} Sink task finished initialization and start", Id);
        _nextCommit = _time.GetUtcNow() + _settings.OffsetFlushInterval;

        while (!IsStopping)
        {
            await IterationAsync().ConfigureAwait(false);
        }
    }

    private async Task IterationAsync()
    {
        var consumer = _consumer!;
        var paused = IsPaused;
        if (paused != _workerPaused)
        {
            _workerPaused = paused;
            if (paused)
            {
                consumer.Pause(consumer.Assignment);
            }
            else if (!_pausedForRedelivery)
            {
                ResumeAll();
            }
        }
        var now = _time.GetUtcNow();
        if (_context.CommitRequested || now >= _nextCommit)
        {
            _context.CommitRequested = false;
            await CommitOffsetsAsync(closing: false).ConfigureAwait(false);
            _nextCommit = _time.GetUtcNow() + _settings.OffsetFlushInterval;
        }

        var timeout = _nextCommit - _time.GetUtcNow();
        if (_context.TimeoutMs > 0)
        {
            timeout = TimeSpan.FromMilliseconds(Math.Min(_context.TimeoutMs, Math.Max(timeout.TotalMilliseconds, 0)));
            _context.TimeoutMs = 0;
        }
        timeout = TimeSpan.FromMilliseconds(Math.Clamp(timeout.TotalMilliseconds, 0, 1000));
        IReadOnlyList<ConsumeResult> polled;
        try
        {
            polled = await consumer.PollAsync(timeout, Stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (IsStopping)
        {
            return;
        }
        ApplyRequestedOffsets();
        if (paused || IsPaused)
        {
            // Paused before or during the poll: nothing is delivered once PAUSED was reported; what the poll returned
            // is read again after the resume.
            Rewind(consumer, polled);
            return;
        }

        List<SinkRecord> batch;
        if (_retryBatch is not null)
        {
            batch = _retryBatch;
            // Paused consumers should not return data; if they did, the records are re-read after the retry.
            Rewind(consumer, polled);
        }
        else
        {
            batch = new List<SinkRecord>(polled.Count);
            _rawInFlight.Clear();
            if (polled.Count > 0)
            {
                Metrics?.RecordRead(polled.Count);
            }
            foreach (var r in polled)
            {
                if (await ConvertAndTransformAsync(r).ConfigureAwait(false) is { } record)
                {
                    batch.Add(record);
                    if (_context.ReporterEnabled)
                    {
                        _rawInFlight[(r.Topic, r.Partition, r.Offset)] = r;
                    }
                }
                else
                {
                    _currentOffsets[new ConnectTopicPartition(r.Topic, r.Partition)] = new OffsetAndMetadata(r.Offset + 1);
                }
            }
        }
        await DeliverAsync(batch).ConfigureAwait(false);
    }

    private static void Rewind(KafkaConsumer consumer, IReadOnlyList<ConsumeResult> polled)
    {
        foreach (var r in polled)
        {
            var tp = new ClientTopicPartition(r.Topic, r.Partition);
            consumer.Seek(tp, Math.Min(r.Offset, consumer.Position(tp) ?? r.Offset));
        }
    }

    private Task DeliverAsync(List<SinkRecord> batch)
    {
        var putStart = Metrics?.StartTimestamp() ?? 0;
        try
        {
            _task.Put(batch);
            Metrics?.RecordPut(batch.Count, Metrics.ElapsedMs(putStart));
        }
        catch (RetriableException ex)
        {
            Log.LogError("{Task} RetriableException from SinkTask: {Message}", Id, ex.Message);
            _retryBatch = batch;
            if (!_pausedForRedelivery)
            {
                _pausedForRedelivery = true;
                _consumer!.Pause(_consumer.Assignment);
            }
            return Task.CompletedTask;
        }
        _retryBatch = null;
        // Only the last record of each run of one partition moves its offset (a batch is mostly a few long runs).
        var runFirst = -1L;
        for (var i = 0; i < batch.Count; i++)
        {
            var record = batch[i];
            if (runFirst < 0)
            {
                runFirst = record.OriginalKafkaOffset;
            }
            if (i + 1 < batch.Count && batch[i + 1].OriginalKafkaPartition == record.OriginalKafkaPartition
                && ReferenceEquals(batch[i + 1].OriginalTopic, record.OriginalTopic))
            {
                continue;
            }
            var tp = record.OriginalTopicPartition;
            _currentOffsets[tp] = new OffsetAndMetadata(record.OriginalKafkaOffset + 1);
            if (Metrics is not null && !_lastCommitted.ContainsKey(tp))
            {
                // No committed offset yet: active records count from the first one delivered.
                _activeFrom.TryAdd(tp, runFirst);
            }
            runFirst = -1;
        }
        RecordActiveCount();
        if (_pausedForRedelivery)
        {
            _pausedForRedelivery = false;
            if (!_workerPaused)
            {
                ResumeAll();
            }
        }
        return Task.CompletedTask;
    }

    private void ResumeAll()
    {
        var resume = new List<ClientTopicPartition>();
        foreach (var tp in _consumer!.Assignment)
        {
            if (!_context.TaskPaused.Contains(new ConnectTopicPartition(tp.Topic, tp.Partition)))
            {
                resume.Add(tp);
            }
        }
        _consumer.Resume(resume);
    }

    /// <summary>
    /// Converts headers, key and value and applies the chain, each step through the error handler. Null when a
    /// transformation dropped the record or a tolerated step failed (its offset still counts as processed).
    /// </summary>
    private ValueTask<SinkRecord?> ConvertAndTransformAsync(ConsumeResult r)
    {
        if (_seenTopics.Add(r.Topic))
        {
            _topicsUsed?.Invoke([r.Topic]);
        }
        // First attempts run here synchronously; a failure continues through the error handler from the failed step.
        ConnectHeaders? headers = null;
        var key = default(SchemaAndValue);
        var stage = Stage.HEADER_CONVERTER;
        SchemaAndValue value;
        try
        {
            headers = ConvertHeaders(r);
            stage = Stage.KEY_CONVERTER;
            key = _keyConverter.ToConnectDataBorrowed(r.Topic, headers, r.Key);
            stage = Stage.VALUE_CONVERTER;
            value = _valueConverter.ToConnectDataBorrowed(r.Topic, headers, r.Value);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return ConvertAfterFailureAsync(r, stage, ex, headers, key);
        }
        var record = NewSinkRecord(r, key, value, headers);
        return _chain.IsEmpty ? ValueTask.FromResult<SinkRecord?>(record) : TransformAsync(record, r);
    }

    private async ValueTask<SinkRecord?> TransformAsync(SinkRecord record, ConsumeResult r)
    {
        var (ok, transformed) = await _chain.ApplyAsync(record, _errors, Id, r, Stopping).ConfigureAwait(false);
        return ok ? transformed : null;
    }

    private async ValueTask<SinkRecord?> ConvertAfterFailureAsync(ConsumeResult r, Stage failed, Exception error, ConnectHeaders? headers, SchemaAndValue key)
    {
        Exception? ErrorAt(Stage stage) => stage == failed ? error : null;
        bool ok;
        if (failed == Stage.HEADER_CONVERTER)
        {
            (ok, headers) = await _errors.ResumeAsync(static s => s.Self.ConvertHeaders(s.R), (Self: this, R: r), error, Stage.HEADER_CONVERTER,
                _headerConverter.GetType(), Id, r, null, Stopping).ConfigureAwait(false);
            if (!ok)
            {
                return null;
            }
        }
        var state = (Self: this, R: r, Headers: headers!);
        if (failed is Stage.HEADER_CONVERTER or Stage.KEY_CONVERTER)
        {
            (ok, key) = await _errors.ResumeAsync(static s => s.Self._keyConverter.ToConnectDataBorrowed(s.R.Topic, s.Headers, s.R.Key), state,
                ErrorAt(Stage.KEY_CONVERTER), Stage.KEY_CONVERTER, _keyConverter.GetType(), Id, r, null, Stopping).ConfigureAwait(false);
            if (!ok)
            {
                return null;
            }
        }
        var (valueOk, value) = await _errors.ResumeAsync(static s => s.Self._valueConverter.ToConnectDataBorrowed(s.R.Topic, s.Headers, s.R.Value), state,
            ErrorAt(Stage.VALUE_CONVERTER), Stage.VALUE_CONVERTER, _valueConverter.GetType(), Id, r, null, Stopping).ConfigureAwait(false);
        if (!valueOk)
        {
            return null;
        }
        var record = NewSinkRecord(r, key, value, headers!);
        return _chain.IsEmpty ? record : await TransformAsync(record, r).ConfigureAwait(false);
    }

    private static SinkRecord NewSinkRecord(ConsumeResult r, SchemaAndValue key, SchemaAndValue value, ConnectHeaders headers) =>
        new(r.Topic, r.Partition, key.Schema, key.Value, value.Schema, value.Value, r.Offset,
            r.Timestamp >= 0 ? r.Timestamp : null, r.Timestamp >= 0 ? TimestampType.CreateTime : TimestampType.NoTimestampType,
            headers.IsEmpty ? null : headers);

    private ConnectHeaders ConvertHeaders(ConsumeResult r)
    {
        var headers = new ConnectHeaders();
        if (r.Headers.Count > 0)
        {
            foreach (var h in r.Headers)
            {
                headers.Add(h.Key, _headerConverter.ToConnectHeader(r.Topic, h.Key, h.Value?.ToArray()));
            }
        }
        return headers;
    }

    /// <summary>Serves the ErrantRecordReporter: the consumed bytes of a record the task reports as failed.</summary>
    private ConsumeResult RawOf(SinkRecord record)
    {
        if (_rawInFlight.TryGetValue((record.OriginalTopic, record.OriginalKafkaPartition, record.OriginalKafkaOffset), out var raw))
        {
            return raw;
        }
        // Not from the current batch (the task kept it): serialize it again, as Apache's reporter always does.
        var key = _keyConverter.FromConnectData(record.Topic, record.Headers, record.KeySchema, record.Key);
        var value = _valueConverter.FromConnectData(record.Topic, record.Headers, record.ValueSchema, record.Value);
        var headers = new List<KafkaConnect.Protocol.Records.RecordHeader>();
        foreach (var h in record.Headers)
        {
            var bytes = _headerConverter.FromConnectHeader(record.Topic, h.Key, h.Schema, h.Value);
            headers.Add(new KafkaConnect.Protocol.Records.RecordHeader(h.Key, bytes is null ? (ReadOnlyMemory<byte>?)null : bytes));
        }
        return new ConsumeResult(record.OriginalTopic, record.OriginalKafkaPartition, record.OriginalKafkaOffset, record.Timestamp ?? -1,
            key is null ? null : key, value is null ? null : value, headers);
    }

    private void ApplyRequestedOffsets()
    {
        var requested = _context.TakeRequestedOffsets();
        if (requested is null)
        {
            return;
        }
        var assigned = new HashSet<ClientTopicPartition>(_consumer!.Assignment);
        foreach (var (tp, offset) in requested)
        {
            var ctp = new ClientTopicPartition(tp.Topic, tp.Partition);
            if (assigned.Contains(ctp))
            {
                Log.LogTrace("{Task} Rewind {Partition} to offset {Offset}", Id, tp, offset);
                _consumer.Seek(ctp, offset);
                _currentOffsets[tp] = new OffsetAndMetadata(offset);
                _lastCommitted[tp] = new OffsetAndMetadata(offset);
            }
        }
    }

    /// <summary>PreCommit (flush) then commit to the consumer group what the task says is safe.</summary>
    private async Task CommitOffsetsAsync(bool closing, IReadOnlyCollection<ConnectTopicPartition>? only = null)
    {
        if (_consumer is null || !_started)
        {
            return;
        }
        // Records parked in the DLQ must be durable before their offsets are committed (as Apache waits).
        try
        {
            using var wait = new CancellationTokenSource(_settings.OffsetFlushTimeout);
            await _errors.AwaitReportsAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Log.LogWarning("{Task} dead letter queue reports did not complete in time; offsets are committed at the next attempt", Id);
            return;
        }
        var current = new Dictionary<ConnectTopicPartition, OffsetAndMetadata>(_currentOffsets);
        if (only is not null)
        {
            foreach (var tp in current.Keys.ToList())
            {
                if (!only.Contains(tp))
                {
                    current.Remove(tp);
                }
            }
        }
        IReadOnlyDictionary<ConnectTopicPartition, OffsetAndMetadata> toCommit;
        try
        {
            toCommit = _task.PreCommit(current);
        }
        catch (Exception ex)
        {
            if (closing)
            {
                Log.LogWarning(ex, "{Task} Offset commit failed during close", Id);
                return;
            }
            Log.LogError(ex, "{Task} Offset commit failed, rewinding to last committed offsets", Id);
            foreach (var (tp, offset) in _lastCommitted)
            {
                _consumer.Seek(new ClientTopicPartition(tp.Topic, tp.Partition), offset.Offset);
            }
            foreach (var tp in _currentOffsets.Keys.ToList())
            {
                if (_lastCommitted.TryGetValue(tp, out var last))
                {
                    _currentOffsets[tp] = last;
                }
            }
            return;
        }
        var assigned = new HashSet<ClientTopicPartition>(_consumer.Assignment);
        var commit = new Dictionary<ClientTopicPartition, long>();
        foreach (var (tp, offset) in toCommit)
        {
            var ctp = new ClientTopicPartition(tp.Topic, tp.Partition);
            if (assigned.Contains(ctp) && (!_lastCommitted.TryGetValue(tp, out var last) || last.Offset != offset.Offset))
            {
                commit[ctp] = offset.Offset;
            }
        }
        var start = Metrics?.StartTimestamp() ?? 0;
        if (commit.Count == 0)
        {
            // Apache completes a commit with nothing new as a successful one.
            Metrics?.RecordOffsetCommit(true, Metrics.ElapsedMs(start));
            return;
        }
        using var cts = new CancellationTokenSource(_settings.OffsetFlushTimeout);
        try
        {
            await _consumer.CommitAsync(commit, cts.Token).ConfigureAwait(false);
            Metrics?.RecordOffsetCommit(true, Metrics.ElapsedMs(start));
            foreach (var (tp, offset) in commit)
            {
                _lastCommitted[new ConnectTopicPartition(tp.Topic, tp.Partition)] = new OffsetAndMetadata(offset);
            }
            RecordActiveCount();
            Log.LogDebug("{Task} Committed offsets for {Count} partitions", Id, commit.Count);
        }
        catch (Exception ex) when (ex is KafkaConnect.Client.KafkaException or KafkaConnect.Client.KafkaConnectionException or OperationCanceledException or InvalidOperationException)
        {
            Metrics?.RecordOffsetCommit(false, Metrics.ElapsedMs(start));
            Log.LogWarning("{Task} Commit of offsets failed: {Message}", Id, ex.Message);
        }
    }

    protected override async Task CloseAsync()
    {
        if (_started && _consumer is not null)
        {
            try
            {
                var assigned = _consumer.Assignment.Select(tp => new ConnectTopicPartition(tp.Topic, tp.Partition)).ToList();
                await CommitOffsetsAsync(closing: true).ConfigureAwait(false);
                _closed = true; // leaving the group below must not close the partitions again
                _task.Close(assigned);
            }
            catch (Exception ex)
            {
                Log.LogWarning(ex, "{Task} failed to commit or close partitions while stopping", Id);
            }
        }
        if (_started)
        {
            try
            {
                _task.Stop();
            }
            catch (Exception ex)
            {
                Log.LogWarning(ex, "{Task} threw in Stop", Id);
            }
        }
        if (_consumer is not null)
        {
            await _consumer.DisposeAsync().ConfigureAwait(false);
        }
        _headerConverter.Dispose();
        _chain.Dispose();
        if (!ReferenceEquals(_errors, RetryWithToleranceOperator.None))
        {
            await _errors.DisposeAsync().ConfigureAwait(false);
        }
    }

    async Task IConsumerRebalanceListener.OnPartitionsAssigned(IReadOnlyCollection<ClientTopicPartition> partitions)
    {
        var list = new List<ConnectTopicPartition>(partitions.Count);
        var committed = partitions.Count == 0 ? new Dictionary<ClientTopicPartition, long?>() : await _consumer!.CommittedAsync(partitions).ConfigureAwait(false);
        foreach (var tp in partitions)
        {
            var ctp = new ConnectTopicPartition(tp.Topic, tp.Partition);
            list.Add(ctp);
            _currentOffsets.Remove(ctp);
            if (committed.TryGetValue(tp, out var c) && c is { } offset)
            {
                _lastCommitted[ctp] = new OffsetAndMetadata(offset);
                _currentOffsets[ctp] = new OffsetAndMetadata(offset);
            }
        }
        if (_workerPaused || _pausedForRedelivery)
        {
            _consumer!.Pause(partitions);
        }
        else
        {
            var paused = partitions.Where(tp => _context.TaskPaused.Contains(new ConnectTopicPartition(tp.Topic, tp.Partition))).ToList();
            if (paused.Count > 0)
            {
                _consumer!.Pause(paused);
            }
        }
        Metrics?.RecordPartitionCount(_consumer!.Assignment.Count);
        RecordActiveCount();
        if (_started && !_closed)
        {
            _task.Open(list);
        }
    }

    async Task IConsumerRebalanceListener.OnPartitionsRevoked(IReadOnlyCollection<ClientTopicPartition> partitions)
    {
        var list = partitions.Select(tp => new ConnectTopicPartition(tp.Topic, tp.Partition)).ToList();
        if (_started && !_closed && list.Count > 0)
        {
            await CommitOffsetsAsync(closing: false, list).ConfigureAwait(false);
            _task.Close(list);
        }
        Forget(list);
    }

    Task IConsumerRebalanceListener.OnPartitionsLost(IReadOnlyCollection<ClientTopicPartition> partitions)
    {
        var list = partitions.Select(tp => new ConnectTopicPartition(tp.Topic, tp.Partition)).ToList();
        if (_started && !_closed && list.Count > 0)
        {
            _task.Close(list);
        }
        Forget(list);
        return Task.CompletedTask;
    }

    private void Forget(List<ConnectTopicPartition> partitions)
    {
        if (_consumer is { } consumer)
        {
            Metrics?.RecordPartitionCount(Math.Max(0, consumer.Assignment.Count - partitions.Count));
        }
        foreach (var tp in partitions)
        {
            _currentOffsets.Remove(tp);
            _lastCommitted.Remove(tp);
            _activeFrom.Remove(tp);
        }
        _retryBatch?.RemoveAll(r => partitions.Contains(r.OriginalTopicPartition));
        RecordActiveCount();
    }

    /// <summary>
    /// sink-record-active-count: records delivered to the task and not yet committed (the distance from the committed
    /// offset, or from the first record delivered, to the next offset to deliver), as Apache counts them; recorded when
    /// either side moves.
    /// </summary>
    private void RecordActiveCount()
    {
        if (Metrics is not { } metrics) return;
        long active = 0;
        foreach (var (tp, consumed) in _currentOffsets)
        {
            var from = _lastCommitted.TryGetValue(tp, out var committed) ? committed.Offset : _activeFrom.GetValueOrDefault(tp, consumed.Offset);
            active += Math.Max(consumed.Offset - from, 0);
        }
        metrics.RecordSinkActiveCount(active);
    }

    /// <summary>Records the task reports from Put go through the same tolerance, log and DLQ as converter failures.</summary>
    private sealed class ErrantReporter(WorkerSinkTask owner) : IErrantRecordReporter
    {
        public Task ReportAsync(SinkRecord record, Exception error)
        {
            ArgumentNullException.ThrowIfNull(record);
            ArgumentNullException.ThrowIfNull(error);
            ConsumeResult raw;
            try
            {
                raw = owner.RawOf(record);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                raw = new ConsumeResult(record.OriginalTopic, record.OriginalKafkaPartition, record.OriginalKafkaOffset, record.Timestamp ?? -1, null, null, []);
            }
            return owner._errors.FailAsync(new ProcessingContext(owner.Id, Stage.TASK_PUT, "org.apache.kafka.connect.sink.SinkTask", error, raw, null, 1));
        }
    }

    private sealed class SinkContext(WorkerSinkTask owner) : ISinkTaskContext
    {
        private readonly Lock _lock = new();
        private Dictionary<ConnectTopicPartition, long>? _offsets;

        public HashSet<ConnectTopicPartition> TaskPaused { get; } = [];

        public volatile bool CommitRequestedFlag;

        public bool CommitRequested
        {
            get => CommitRequestedFlag;
            set => CommitRequestedFlag = value;
        }

        public long TimeoutMs { get; set; }

        public IReadOnlyDictionary<string, string> Configs => owner._settings.TaskConfig;

        private ErrantReporter? _reporter;

        /// <summary>Apache offers the reporter when a DLQ topic or error logging is configured.</summary>
        public bool ReporterEnabled => owner._errors.Settings.HasDlq || owner._errors.Settings.LogEnable;

        public IErrantRecordReporter? ErrantRecordReporter => ReporterEnabled ? _reporter ??= new ErrantReporter(owner) : null;

        public void Offset(IReadOnlyDictionary<ConnectTopicPartition, long> offsets)
        {
            lock (_lock)
            {
                _offsets ??= new();
                foreach (var (tp, o) in offsets)
                {
                    _offsets[tp] = o;
                }
            }
        }

        public void Offset(ConnectTopicPartition partition, long offset) => Offset(new Dictionary<ConnectTopicPartition, long> { [partition] = offset });

        public Dictionary<ConnectTopicPartition, long>? TakeRequestedOffsets()
        {
            lock (_lock)
            {
                var o = _offsets;
                _offsets = null;
                return o;
            }
        }

        public void Timeout(long timeoutMs) => TimeoutMs = timeoutMs;

        public IReadOnlySet<ConnectTopicPartition> Assignment()
        {
            var consumer = owner._consumer ?? throw new IllegalWorkerStateException("SinkTaskContext may not be used to look up partition assignment until the task is initialized");
            return consumer.Assignment.Select(tp => new ConnectTopicPartition(tp.Topic, tp.Partition)).ToHashSet();
        }

        public void Pause(params ConnectTopicPartition[] partitions)
        {
            var consumer = owner._consumer ?? throw new IllegalWorkerStateException("SinkTaskContext may not be used to pause consumption until the task is initialized");
            foreach (var tp in partitions)
            {
                TaskPaused.Add(tp);
            }
            consumer.Pause(partitions.Select(tp => new ClientTopicPartition(tp.Topic, tp.Partition)).ToList());
        }

        public void Resume(params ConnectTopicPartition[] partitions)
        {
            var consumer = owner._consumer ?? throw new IllegalWorkerStateException("SinkTaskContext may not be used to resume consumption until the task is initialized");
            foreach (var tp in partitions)
            {
                TaskPaused.Remove(tp);
            }
            if (!owner._workerPaused && !owner._pausedForRedelivery)
            {
                consumer.Resume(partitions.Select(tp => new ClientTopicPartition(tp.Topic, tp.Partition)).ToList());
            }
        }

        public void RequestCommit() => CommitRequested = true;
    }
}
