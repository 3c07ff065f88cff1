using System.Diagnostics.CodeAnalysis;
using KafkaConnect.Client.Producer;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Runtime.Errors;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Metrics;
using KafkaConnect.Connect.Runtime.Storage;
using KafkaConnect.Connect.Sources;
using KafkaConnect.Connect.Storage;
using KafkaConnect.Protocol.Records;
using Microsoft.Extensions.Logging;
using ConnectRecordMetadata = KafkaConnect.Connect.Sources.RecordMetadata;

namespace KafkaConnect.Connect.Runtime.Worker;

/// <summary>Settings a source task loop needs from the worker and connector configuration.</summary>
public sealed record SourceTaskSettings(
    IReadOnlyDictionary<string, string> TaskConfig,
    TimeSpan OffsetFlushInterval,
    TimeSpan OffsetFlushTimeout,
    bool ToleranceAll);

/// <summary>
/// Drives a <see cref="SourceTask"/>: poll → transformation chain → converters → producer, tracking every record until Kafka acknowledges
/// it and committing a source offset only once all earlier records of its source partition are acknowledged
/// (<see cref="SubmittedRecords"/>). Offsets are written every offset.flush.interval.ms and when the task stops.
/// </summary>
public sealed class WorkerSourceTask : WorkerTask
{
    private readonly SourceTask _task;
    private readonly SourceTaskSettings _settings;
    private readonly IConverter _keyConverter;
    private readonly IConverter _valueConverter;
    private readonly IHeaderConverter _headerConverter;
    private readonly KafkaProducer _producer;
    private readonly TopicCreator? _topicCreator;
    private readonly OffsetStorageReader _offsetReader;
    private readonly OffsetStorageWriter _offsetWriter;
    private readonly TimeProvider _time;
    private readonly SubmittedRecords _submitted = new();
    private readonly SemaphoreSlim _commitLock = new(1, 1);
    private readonly Action<IReadOnlyCollection<string>>? _topicsUsed;
    private readonly HashSet<string> _knownTopics = new(StringComparer.Ordinal);
    private readonly TransformationChain<SourceRecord> _chain;
    private readonly RetryWithToleranceOperator _errors;
    private readonly bool _commitsRecords;
    private volatile Exception? _producerError;
    private bool _started;

    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = Plugins.PluginRegistry.RootedPlugins)]
    public WorkerSourceTask(
        ConnectorTaskId id,
        SourceTask task,
        SourceTaskSettings settings,
        IConverter keyConverter,
        IConverter valueConverter,
        IHeaderConverter headerConverter,
        KafkaProducer producer,
        TopicCreator? topicCreator,
        IOffsetBackingStore offsetStore,
        StatusStore status,
        TargetState initial,
        ILogger log,
        TimeProvider? time = null,
        Action<IReadOnlyCollection<string>>? topicsUsed = null,
        TransformationChain<SourceRecord>? chain = null,
        RetryWithToleranceOperator? errors = null,
        TaskMetrics? metrics = null)
        : base(id, status, initial, log, metrics)
    {
        _chain = chain ?? TransformationChain<SourceRecord>.Empty;
        _errors = errors ?? RetryWithToleranceOperator.None;
        _task = task;
        _settings = settings;
        _keyConverter = keyConverter;
        _valueConverter = valueConverter;
        _headerConverter = headerConverter;
        _producer = producer;
        _topicCreator = topicCreator;
        _offsetReader = new OffsetStorageReader(offsetStore, id.Connector);
        _offsetWriter = new OffsetStorageWriter(offsetStore, id.Connector);
        _time = time ?? TimeProvider.System;
        _topicsUsed = topicsUsed;
        // Most tasks keep SourceTask's empty CommitRecord: then no metadata object is built per acknowledged record.
        _commitsRecords = task.GetType().GetMethod(nameof(SourceTask.CommitRecord), [typeof(SourceRecord), typeof(ConnectRecordMetadata)])?.DeclaringType
            != typeof(SourceTask);
        if (metrics is not null)
        {
            metrics.Errors = _errors;
            metrics.ActiveCount = () => _submitted.Outstanding;
        }
    }

    /// <summary>Records sent and not yet acknowledged (for tests and metrics).</summary>
    public int Outstanding => _submitted.Outstanding;

    protected override async Task ExecuteAsync()
    {
        _task.Initialize(new Context(_settings.TaskConfig, _offsetReader));
        _task.Start(_settings.TaskConfig);
        _started = true;
        ReportStarted();
        Log.LogInformation("{Task} Source task finished initialization and start", Id);

        var nextCommit = _time.GetUtcNow() + _settings.OffsetFlushInterval;
        var idle = 0;
        while (!IsStopping)
        {
            if (IsPaused)
            {
                await CommitOffsetsAsync().ConfigureAwait(false);
                if (!await AwaitUnpausedAsync().ConfigureAwait(false))
                {
                    break;
                }
                continue;
            }
            ThrowIfProducerFailed();
            IReadOnlyList<SourceRecord>? records;
            var pollStart = Metrics?.StartTimestamp() ?? 0;
            try
            {
                records = await _task.PollAsync(Stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (IsStopping)
            {
                break;
            }
            catch (RetriableException ex)
            {
                Log.LogWarning(ex, "{Task} failed to poll records from SourceTask. Will retry operation.", Id);
                records = null;
            }
            if (records is { Count: > 0 })
            {
                idle = 0;
                Metrics?.RecordPoll(records.Count, Metrics.ElapsedMs(pollStart));
                await SendRecordsAsync(records).ConfigureAwait(false);
            }
            else if (!IsStopping)
            {
                // A task that returns nothing at once must not spin: back off briefly, up to 100 ms.
                idle = Math.Min(idle + 1, 10);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(idle * 10), _time, Stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            if (_time.GetUtcNow() >= nextCommit)
            {
                await CommitOffsetsAsync().ConfigureAwait(false);
                nextCommit = _time.GetUtcNow() + _settings.OffsetFlushInterval;
            }
        }
        ThrowIfProducerFailed();
    }

    protected override void OnStopRequested() => _task.Stop();

    protected override async Task CloseAsync()
    {
        if (_started)
        {
            // Give in-flight records a chance to be acknowledged so their offsets are committed.
            using (var cts = new CancellationTokenSource(_settings.OffsetFlushTimeout))
            {
                try
                {
                    await _producer.FlushAsync(cts.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or KafkaConnect.Client.KafkaException)
                {
                    Log.LogWarning("{Task} could not flush the producer while stopping: {Message}", Id, ex.Message);
                }
            }
            await CommitOffsetsAsync().ConfigureAwait(false);
        }
        if (!IsStopping)
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
        await _producer.DisposeAsync().ConfigureAwait(false);
        _headerConverter.Dispose();
        _chain.Dispose();
        if (!ReferenceEquals(_errors, RetryWithToleranceOperator.None))
        {
            await _errors.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Writes the offsets of every acknowledged prefix; keeps them for the next attempt on failure.</summary>
    public async Task<bool> CommitOffsetsAsync()
    {
        await _commitLock.WaitAsync().ConfigureAwait(false);
        var start = Metrics?.StartTimestamp() ?? 0;
        try
        {
            foreach (var (partition, offset) in _submitted.Committable())
            {
                _offsetWriter.Offset(partition, offset);
            }
            if (!_offsetWriter.BeginFlush())
            {
                CallCommit();
                return true;
            }
            using var cts = new CancellationTokenSource(_settings.OffsetFlushTimeout);
            try
            {
                await _offsetWriter.DoFlushAsync(cts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or UnauthorizedAccessException or ConnectException)
            {
                Log.LogError(ex, "{Task} Failed to commit offsets", Id);
                _offsetWriter.CancelFlush();
                Metrics?.RecordOffsetCommit(false, Metrics.ElapsedMs(start));
                return false;
            }
            Log.LogDebug("{Task} Finished committing offsets", Id);
            Metrics?.RecordOffsetCommit(true, Metrics.ElapsedMs(start));
            CallCommit();
            return true;
        }
        finally
        {
            _commitLock.Release();
        }
    }

    private void CallCommit()
    {
        try
        {
            _task.Commit();
        }
        catch (Exception ex)
        {
            Log.LogError(ex, "{Task} Exception thrown while calling task.commit()", Id);
        }
    }

    private async Task SendRecordsAsync(IReadOnlyList<SourceRecord> records)
    {
        foreach (var record in records)
        {
            if (IsStopping && _producerError is not null)
            {
                return;
            }
            var (transformedOk, transformed) = await _chain.ApplyAsync(record, _errors, Id, null, Stopping).ConfigureAwait(false);
            if (!transformedOk || transformed is null)
            {
                RecordDropped(record);
                continue;
            }
            var producerRecord = await ConvertAsync(transformed).ConfigureAwait(false);
            if (producerRecord is null)
            {
                RecordDropped(record);
                continue;
            }
            if (_knownTopics.Add(producerRecord.Topic))
            {
                if (_topicCreator is not null)
                {
                    await _topicCreator.EnsureTopicAsync(producerRecord.Topic, Stopping).ConfigureAwait(false);
                }
                _topicsUsed?.Invoke([producerRecord.Topic]);
            }
            var inFlight = new InFlight(this, record);
            _submitted.Submit(inFlight);
            _producer.Produce(producerRecord, inFlight);
            ThrowIfProducerFailed();
        }
    }

    /// <summary>A record a transformation dropped or whose failure was tolerated: its offset still counts as done.</summary>
    private void RecordDropped(SourceRecord record)
    {
        _submitted.Submit(record.SourcePartition, record.SourceOffset).Ack();
        Metrics?.RecordSkip();
        CommitRecord(record, null);
    }

    /// <summary>
    /// Headers, key, value and the final headers (Apache's stages); null when a tolerated step failed. First attempts
    /// run synchronously; a failure continues through the error handler from the failed step.
    /// </summary>
    private ValueTask<ProducerRecord?> ConvertAsync(SourceRecord record)
    {
        var step = 0;
        byte[]? key = null;
        byte[]? value = null;
        try
        {
            var headers = ConvertHeaders(record);
            step = 1;
            key = _keyConverter.FromConnectData(record.Topic, record.Headers, record.KeySchema, record.Key);
            step = 2;
            value = _valueConverter.FromConnectData(record.Topic, record.Headers, record.ValueSchema, record.Value);
            step = 3;
            // Headers the converters added (e.g. schema ids) are included.
            if (record.Headers.Count > (headers?.Count ?? 0))
            {
                headers = ConvertHeaders(record);
            }
            return ValueTask.FromResult<ProducerRecord?>(NewProducerRecord(record, key, value, headers));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return ConvertAfterFailureAsync(record, step, ex, key, value);
        }
    }

    private async ValueTask<ProducerRecord?> ConvertAfterFailureAsync(SourceRecord record, int failedStep, Exception error, byte[]? key, byte[]? value)
    {
        var state = (Self: this, Record: record);
        Exception? ErrorAt(int step) => step == failedStep ? error : null;
        bool ok;
        if (failedStep == 0)
        {
            (ok, _) = await _errors.ResumeAsync(static s => s.Self.ConvertHeaders(s.Record), state, error, Stage.HEADER_CONVERTER,
                _headerConverter.GetType(), Id, null, record, Stopping).ConfigureAwait(false);
            if (!ok)
            {
                return null;
            }
        }
        if (failedStep <= 1)
        {
            (ok, key) = await _errors.ResumeAsync(static s => s.Self._keyConverter.FromConnectData(s.Record.Topic, s.Record.Headers, s.Record.KeySchema, s.Record.Key),
                state, ErrorAt(1), Stage.KEY_CONVERTER, _keyConverter.GetType(), Id, null, record, Stopping).ConfigureAwait(false);
            if (!ok)
            {
                return null;
            }
        }
        if (failedStep <= 2)
        {
            (ok, value) = await _errors.ResumeAsync(static s => s.Self._valueConverter.FromConnectData(s.Record.Topic, s.Record.Headers, s.Record.ValueSchema, s.Record.Value),
                state, ErrorAt(2), Stage.VALUE_CONVERTER, _valueConverter.GetType(), Id, null, record, Stopping).ConfigureAwait(false);
            if (!ok)
            {
                return null;
            }
        }
        // After the converters, which may add headers (e.g. schema ids).
        var (finalOk, headers) = await _errors.ResumeAsync(static s => s.Self.ConvertHeaders(s.Record), state, ErrorAt(3), Stage.HEADER_CONVERTER,
            _headerConverter.GetType(), Id, null, record, Stopping).ConfigureAwait(false);
        return finalOk ? NewProducerRecord(record, key, value, headers) : null;
    }

    private static ProducerRecord NewProducerRecord(SourceRecord record, byte[]? key, byte[]? value, List<RecordHeader>? headers) =>
        new(record.Topic, key is null ? (ReadOnlyMemory<byte>?)null : key, value is null ? (ReadOnlyMemory<byte>?)null : value, headers, record.KafkaPartition,
            record.Timestamp is { } ts && ts >= 0 ? ts : null);

    private List<RecordHeader>? ConvertHeaders(SourceRecord record)
    {
        if (record.Headers.Count == 0)
        {
            return null;
        }
        var headers = new List<RecordHeader>(record.Headers.Count);
        foreach (var header in record.Headers)
        {
            var bytes = _headerConverter.FromConnectHeader(record.Topic, header.Key, header.Schema, header.Value);
            headers.Add(new RecordHeader(header.Key, bytes is null ? (ReadOnlyMemory<byte>?)null : bytes));
        }
        return headers;
    }

    private void CommitRecord(SourceRecord record, ConnectRecordMetadata? metadata)
    {
        try
        {
            _task.CommitRecord(record, metadata);
        }
        catch (Exception ex)
        {
            Log.LogError(ex, "{Task} Exception thrown while calling task.commitRecord()", Id);
        }
    }

    private void OnSendFailed(InFlight inFlight, SourceRecord record, Exception error)
    {
        Log.LogError(error, "{Task} failed to send record to {Topic}", Id, record.Topic);
        if (!_errors.Settings.ToleranceAll)
        {
            _producerError ??= error;
            return;
        }
        // errors.tolerance=all also covers a record the producer could not write (Apache's KIP-779): it is reported
        // (errors.log.enable; our source dead letter queue) and skipped. Its offset counts as done only once the report
        // is written, so a crash before then sends it again rather than losing it.
        Task report;
        try
        {
            report = _errors.FailAsync(new ProcessingContext(Id, Stage.KAFKA_PRODUCE, "org.apache.kafka.connect.runtime.WorkerSourceTask", error, null, record, 1));
        }
        catch (ConnectException ex)
        {
            _producerError ??= ex;
            return;
        }
        report.ContinueWith(static (_, state) =>
        {
            var (owner, inFlight, record) = ((WorkerSourceTask, InFlight, SourceRecord))state!;
            inFlight.Ack();
            owner.Metrics?.RecordSkip();
            owner.CommitRecord(record, null);
        }, (this, inFlight, record), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void ThrowIfProducerFailed()
    {
        if (_producerError is { } error)
        {
            throw new ConnectException("Unrecoverable exception from producer send callback", error);
        }
    }

    /// <summary>
    /// One sent record: its place in <see cref="SubmittedRecords"/> and the producer's delivery handler in one object,
    /// so a record costs one allocation from send to acknowledgement.
    /// </summary>
    private sealed class InFlight(WorkerSourceTask owner, SourceRecord record)
        : SubmittedRecords.Submitted(record.SourcePartition, record.SourceOffset), IDeliveryHandler
    {
        public void OnDelivery(string topic, int partition, long offset, long timestamp, Exception? error)
        {
            if (error is not null)
            {
                owner.OnSendFailed(this, record, error);
                return;
            }
            Ack();
            owner.Metrics?.RecordWrite();
            if (owner._commitsRecords)
            {
                owner.CommitRecord(record, new ConnectRecordMetadata(topic, partition, offset, timestamp));
            }
        }
    }

    private sealed class Context(IReadOnlyDictionary<string, string> configs, IOffsetStorageReader reader) : ISourceTaskContext
    {
        public IReadOnlyDictionary<string, string> Configs => configs;

        public IOffsetStorageReader OffsetStorageReader => reader;

        public ITransactionContext? TransactionContext => null;
    }
}
