using System.Globalization;
using System.Text;
using KafkaConnect.Client.Consumer;
using KafkaConnect.Client.Producer;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Runtime.Config;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Sources;
using KafkaConnect.Protocol.Records;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.Runtime.Errors;

/// <summary>Where in the pipeline an operation failed; the names are Apache's (the DLQ stage header carries them).</summary>
public enum Stage
{
    KEY_CONVERTER,
    VALUE_CONVERTER,
    HEADER_CONVERTER,
    TRANSFORMATION,
    TASK_PUT,
    TASK_POLL,
    KAFKA_PRODUCE,
    KAFKA_CONSUME,
}

/// <summary>The connector's errors.* settings (plus our source DLQ and task restart extensions).</summary>
public sealed record ErrorHandlingSettings(
    long RetryTimeoutMs,
    long RetryMaxDelayMs,
    bool ToleranceAll,
    bool LogEnable,
    bool LogIncludeMessages,
    string DlqTopic,
    short DlqReplicationFactor,
    bool DlqContextHeaders)
{
    public static ErrorHandlingSettings Default { get; } = new(0, 60000, false, false, false, "", 3, false);

    public bool HasDlq => DlqTopic.Length > 0;

    /// <summary>Reads the settings from a (resolved) connector configuration, falling back to the defaults.</summary>
    public static ErrorHandlingSettings From(IReadOnlyDictionary<string, string> config)
    {
        static string? Get(IReadOnlyDictionary<string, string> c, string key) => c.TryGetValue(key, out var v) && v.Trim().Length > 0 ? v.Trim() : null;
        static bool Bool(string? v, bool fallback) => v is null ? fallback : v.Equals("true", StringComparison.OrdinalIgnoreCase);
        static long Long(string? v, long fallback) => v is not null && long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l : fallback;
        return new ErrorHandlingSettings(
            Long(Get(config, ConnectorConfig.ErrorsRetryTimeout), 0),
            Long(Get(config, ConnectorConfig.ErrorsRetryMaxDelay), 60000),
            string.Equals(Get(config, ConnectorConfig.ErrorsTolerance), "all", StringComparison.OrdinalIgnoreCase),
            Bool(Get(config, ConnectorConfig.ErrorsLogEnable), false),
            Bool(Get(config, ConnectorConfig.ErrorsLogIncludeMessages), false),
            Get(config, ConnectorConfig.DlqTopicName) ?? "",
            (short)Long(Get(config, ConnectorConfig.DlqReplicationFactor), 3),
            Bool(Get(config, ConnectorConfig.DlqContextHeaders), false));
    }
}

/// <summary>One failed operation: the record it worked on (consumed bytes for sinks, the record for sources) and why.</summary>
public sealed class ProcessingContext
{
    public ProcessingContext(ConnectorTaskId task, Stage stage, string executingClass, Exception error, ConsumeResult? consumed, SourceRecord? source, int attempts)
    {
        Task = task;
        Stage = stage;
        ExecutingClass = executingClass;
        Error = error;
        Consumed = consumed;
        Source = source;
        Attempts = attempts;
    }

    public ConnectorTaskId Task { get; }

    public Stage Stage { get; }

    public string ExecutingClass { get; }

    public Exception Error { get; }

    public ConsumeResult? Consumed { get; }

    public SourceRecord? Source { get; }

    public int Attempts { get; }
}

/// <summary>Receives every record-level failure (Apache's ErrorReporter).</summary>
public interface IErrorReporter : IAsyncDisposable
{
    /// <summary>Completes when the report is durable (for the DLQ: acknowledged by Kafka).</summary>
    Task ReportAsync(ProcessingContext context);
}

/// <summary>
/// Runs converter and transformation steps with Apache's retry and tolerance rules: a <see cref="RetriableException"/>
/// is retried with exponential backoff (300 ms doubling, capped by errors.retry.delay.max.ms) until
/// errors.retry.timeout passes (-1: forever); any other failure, or a retriable one out of time, is reported to the
/// reporters and then either tolerated (errors.tolerance=all: the record is skipped) or rethrown as
/// "Tolerance exceeded in error handler", which fails the task.
/// </summary>
public sealed class RetryWithToleranceOperator : IAsyncDisposable
{
    private const long MinRetryDelayMs = 300;

    private readonly ErrorHandlingSettings _settings;
    private readonly IReadOnlyList<IErrorReporter> _reporters;
    private readonly TimeProvider _time;
    private readonly Func<Type, string> _className;
    private readonly Lock _pendingLock = new();
    private readonly List<Task> _pending = [];
    private long _failures;
    private long _skipped;
    private long _retries;
    private long _lastErrorMs;

    /// <param name="className">Names the executing class in reports (the worker passes its plugin registry's
    /// Java names); by default the [ConnectPlugin] name or the .NET full name.</param>
    public RetryWithToleranceOperator(ErrorHandlingSettings settings, IReadOnlyList<IErrorReporter> reporters, TimeProvider? time = null,
        Func<Type, string>? className = null)
    {
        _settings = settings;
        _reporters = reporters;
        _time = time ?? TimeProvider.System;
        _className = className ?? ClassName;
    }

    /// <summary>Tolerance none and no reporters: nothing to retry, log or park.</summary>
    public static RetryWithToleranceOperator None { get; } = new(ErrorHandlingSettings.Default, []);

    public ErrorHandlingSettings Settings => _settings;

    /// <summary>Failed operations (after retries), records skipped, and retry attempts (Apache's error metrics).</summary>
    public long TotalRecordFailures => Interlocked.Read(ref _failures);

    public long TotalRecordsSkipped => Interlocked.Read(ref _skipped);

    public long TotalRetries => Interlocked.Read(ref _retries);

    /// <summary>Records whose processing ended in an error (Apache's total-record-errors; the same count as TotalRecordFailures).</summary>
    public long TotalRecordErrors => TotalRecordFailures;

    /// <summary>Epoch milliseconds of the last failure; 0 when none (Apache's last-error-timestamp).</summary>
    public long LastErrorTimestamp => Interlocked.Read(ref _lastErrorMs);

    public long TotalErrorsLogged => _reporters.OfType<LogReporter>().Sum(r => r.Logged);

    public long DeadLetterQueueProduceRequests => _reporters.OfType<DeadLetterQueueReporter>().Sum(r => r.ProduceRequests);

    public long DeadLetterQueueProduceFailures => _reporters.OfType<DeadLetterQueueReporter>().Sum(r => r.ProduceFailures);

    /// <summary>
    /// Runs <paramref name="operation"/>. True with its result on success; false when it failed and the failure is
    /// tolerated (the caller skips the record). Throws <see cref="ConnectException"/> when it is not tolerated.
    /// </summary>
    public ValueTask<(bool Ok, T? Result)> ExecuteAsync<T>(Func<T> operation, Stage stage, Type executingClass, ConnectorTaskId task,
        ConsumeResult? consumed, SourceRecord? source, CancellationToken ct) =>
        ExecuteAsync(static op => op(), operation, stage, executingClass, task, consumed, source, ct);

    /// <summary>
    /// <see cref="ExecuteAsync{T}(Func{T}, Stage, Type, ConnectorTaskId, ConsumeResult?, SourceRecord?, CancellationToken)"/>
    /// with explicit state, so per-record callers can pass a static lambda instead of allocating a closure.
    /// </summary>
    public ValueTask<(bool Ok, T? Result)> ExecuteAsync<TState, T>(Func<TState, T> operation, TState state, Stage stage, Type executingClass,
        ConnectorTaskId task, ConsumeResult? consumed, SourceRecord? source, CancellationToken ct)
    {
        try
        {
            return ValueTask.FromResult<(bool, T?)>((true, operation(state)));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return RetryAfterFailureAsync(operation, state, ex, stage, executingClass, task, consumed, source, ct);
        }
    }

    /// <summary>
    /// <see cref="ExecuteAsync{TState, T}"/> for callers that may have made the first attempt themselves: with
    /// <paramref name="firstAttemptError"/> null it is ExecuteAsync; otherwise that attempt threw it, and this retries,
    /// reports and tolerates exactly as if the whole call had gone through here. Lets per-record loops run the happy
    /// path synchronously without an async frame per step.
    /// </summary>
    public ValueTask<(bool Ok, T? Result)> ResumeAsync<TState, T>(Func<TState, T> operation, TState state, Exception? firstAttemptError, Stage stage,
        Type executingClass, ConnectorTaskId task, ConsumeResult? consumed, SourceRecord? source, CancellationToken ct) =>
        firstAttemptError is null
            ? ExecuteAsync(operation, state, stage, executingClass, task, consumed, source, ct)
            : RetryAfterFailureAsync(operation, state, firstAttemptError, stage, executingClass, task, consumed, source, ct);

    private async ValueTask<(bool Ok, T? Result)> RetryAfterFailureAsync<TState, T>(Func<TState, T> operation, TState state, Exception first, Stage stage,
        Type executingClass, ConnectorTaskId task, ConsumeResult? consumed, SourceRecord? source, CancellationToken ct)
    {
        var error = first;
        var attempts = 1;
        var start = _time.GetUtcNow();
        var deadline = _settings.RetryTimeoutMs < 0 ? DateTimeOffset.MaxValue : start.AddMilliseconds(_settings.RetryTimeoutMs);
        while (error is RetriableException && _time.GetUtcNow() < deadline && !ct.IsCancellationRequested)
        {
            var delay = Backoff(attempts, deadline);
            if (delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(delay, _time, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            attempts++;
            Interlocked.Increment(ref _retries);
            try
            {
                return (true, operation(state));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                error = ex;
            }
        }
        await FailAsync(new ProcessingContext(task, stage, _className(executingClass), error, consumed, source, attempts)).ConfigureAwait(false);
        return (false, default);
    }

    /// <summary>
    /// Reports a failure that happened outside <see cref="ExecuteAsync{T}"/> (a sink's ErrantRecordReporter, a source
    /// send): same reporting and tolerance decision.
    /// </summary>
    public Task FailAsync(ProcessingContext context)
    {
        Interlocked.Increment(ref _failures);
        Interlocked.Exchange(ref _lastErrorMs, _time.GetUtcNow().ToUnixTimeMilliseconds());
        var report = ReportAllAsync(context);
        if (!_settings.ToleranceAll)
        {
            // Apache reports before failing the task; wait briefly so the DLQ/log entry exists, then fail.
            try
            {
                report.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
            }
            throw new ConnectException("Tolerance exceeded in error handler", context.Error);
        }
        Interlocked.Increment(ref _skipped);
        lock (_pendingLock)
        {
            _pending.RemoveAll(t => t.IsCompleted);
            _pending.Add(report);
        }
        return report;
    }

    /// <summary>Waits for outstanding reports (before offsets are committed, as Apache does for the DLQ).</summary>
    public async Task AwaitReportsAsync(CancellationToken ct)
    {
        Task[] pending;
        lock (_pendingLock)
        {
            pending = [.. _pending];
            _pending.Clear();
        }
        if (pending.Length > 0)
        {
            await Task.WhenAll(pending).WaitAsync(ct).ConfigureAwait(false);
        }
    }

    private async Task ReportAllAsync(ProcessingContext context)
    {
        foreach (var reporter in _reporters)
        {
            await reporter.ReportAsync(context).ConfigureAwait(false);
        }
    }

    private TimeSpan Backoff(int attempt, DateTimeOffset deadline)
    {
        var delay = attempt >= 20 ? long.MaxValue : MinRetryDelayMs << (attempt - 1);
        if (delay > _settings.RetryMaxDelayMs)
        {
            delay = _settings.RetryMaxDelayMs <= 0 ? 0 : Random.Shared.NextInt64(_settings.RetryMaxDelayMs);
        }
        // Rounded up: truncating a last fraction of a millisecond to 0 made the loop retry without waiting until the clock
        // passed the deadline (hundreds of calls in that last millisecond).
        var left = deadline == DateTimeOffset.MaxValue ? long.MaxValue : (long)Math.Ceiling((deadline - _time.GetUtcNow()).TotalMilliseconds);
        return TimeSpan.FromMilliseconds(Math.Max(0, Math.Min(delay, left)));
    }

    private static string ClassName(Type type) =>
        type.GetCustomAttributes(typeof(KafkaConnect.Connect.Plugins.ConnectPluginAttribute), false) is [KafkaConnect.Connect.Plugins.ConnectPluginAttribute a, ..] ? a.JavaClassName : type.FullName ?? type.Name;

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await AwaitReportsAsync(cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException or ConnectException or KafkaConnect.Client.KafkaException)
        {
        }
        foreach (var reporter in _reporters)
        {
            await reporter.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>Writes failures to the application log when errors.log.enable=true (Apache's LogReporter).</summary>
public sealed class LogReporter(ErrorHandlingSettings settings, ILogger log) : IErrorReporter
{
    private long _logged;

    /// <summary>Errors written to the log (Apache's total-errors-logged).</summary>
    public long Logged => Interlocked.Read(ref _logged);

    public Task ReportAsync(ProcessingContext context)
    {
        if (settings.LogEnable)
        {
            Interlocked.Increment(ref _logged);
            log.LogError(context.Error, "Error encountered in task {Task}. {Message}", context.Task, Describe(context, settings.LogIncludeMessages));
        }
        return Task.CompletedTask;
    }

    /// <summary>"Executing stage 'X' with class 'Y'[, where consumed record is {...}]."; the record only when asked for.</summary>
    public static string Describe(ProcessingContext context, bool includeRecord)
    {
        var sb = new StringBuilder().Append("Executing stage '").Append(context.Stage).Append("' with class '").Append(context.ExecutingClass).Append('\'');
        if (includeRecord && context.Consumed is { } c)
        {
            sb.Append(", where consumed record is {topic='").Append(c.Topic).Append("', partition=").Append(c.Partition)
                .Append(", offset=").Append(c.Offset);
            if (c.Timestamp >= 0)
            {
                sb.Append(", timestamp=").Append(c.Timestamp).Append(", timestampType=CreateTime");
            }
            sb.Append('}');
        }
        else if (includeRecord && context.Source is { } s)
        {
            sb.Append(", where source record is = ").Append(s);
        }
        return sb.Append('.').ToString();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>
/// Parks failed records in errors.deadletterqueue.topic.name (Apache's DeadLetterQueueReporter): sink records as
/// consumed (original key, value, headers and timestamp), source records (our extension) serialized with the task's
/// converters when possible. With errors.deadletterqueue.context.headers.enable the __connect.errors.* headers say
/// where and why it failed.
/// </summary>
public sealed class DeadLetterQueueReporter : IErrorReporter
{
    public const string HeaderPrefix = "__connect.errors.";
    public const string ErrorHeaderOrigTopic = HeaderPrefix + "topic";
    public const string ErrorHeaderOrigPartition = HeaderPrefix + "partition";
    public const string ErrorHeaderOrigOffset = HeaderPrefix + "offset";
    public const string ErrorHeaderConnectorName = HeaderPrefix + "connector.name";
    public const string ErrorHeaderTaskId = HeaderPrefix + "task.id";
    public const string ErrorHeaderStage = HeaderPrefix + "stage";
    public const string ErrorHeaderExecutingClass = HeaderPrefix + "class.name";
    public const string ErrorHeaderExceptionClass = HeaderPrefix + "exception.class.name";
    public const string ErrorHeaderExceptionMessage = HeaderPrefix + "exception.message";
    public const string ErrorHeaderExceptionStackTrace = HeaderPrefix + "exception.stacktrace";

    private readonly ErrorHandlingSettings _settings;
    private readonly KafkaProducer _producer;
    private readonly Func<SourceRecord, (byte[]? Key, byte[]? Value)>? _serializeSource;
    private readonly ILogger _log;
    private long _produceRequests;
    private long _produceFailures;

    public DeadLetterQueueReporter(ErrorHandlingSettings settings, KafkaProducer producer, ILogger log, Func<SourceRecord, (byte[]? Key, byte[]? Value)>? serializeSource = null)
    {
        _settings = settings;
        _producer = producer;
        _log = log;
        _serializeSource = serializeSource;
    }

    public async Task ReportAsync(ProcessingContext context)
    {
        var record = Build(context);
        if (record is null)
        {
            return;
        }
        Interlocked.Increment(ref _produceRequests);
        try
        {
            await _producer.ProduceAsync(record).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Interlocked.Increment(ref _produceFailures);
            _log.LogError(ex, "{Task} Could not produce message to dead letter queue. topic={Topic}", context.Task, _settings.DlqTopic);
        }
    }

    /// <summary>Writes attempted and failed (Apache's deadletterqueue-produce-requests and -failures).</summary>
    public long ProduceRequests => Interlocked.Read(ref _produceRequests);

    public long ProduceFailures => Interlocked.Read(ref _produceFailures);

    /// <summary>The record written to the DLQ, or null when there is nothing to write.</summary>
    public ProducerRecord? Build(ProcessingContext context)
    {
        var headers = new List<RecordHeader>();
        ReadOnlyMemory<byte>? key = null;
        ReadOnlyMemory<byte>? value = null;
        long? timestamp = null;
        if (context.Consumed is { } c)
        {
            key = c.Key;
            value = c.Value;
            timestamp = c.Timestamp >= 0 ? c.Timestamp : null;
            headers.AddRange(c.Headers);
        }
        else if (context.Source is { } s)
        {
            (byte[]? k, byte[]? v) = (null, null);
            try
            {
                (k, v) = _serializeSource?.Invoke(s) ?? (null, null);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Best effort: the converter may be what failed; fall back to raw bytes or text.
                k = Raw(s.Key);
                v = Raw(s.Value);
            }
            key = k;
            value = v;
            timestamp = s.Timestamp is { } ts && ts >= 0 ? ts : null;
        }
        else
        {
            return null;
        }
        if (_settings.DlqContextHeaders)
        {
            AddContextHeaders(headers, context);
        }
        return new ProducerRecord(_settings.DlqTopic, key, value, headers, null, timestamp);
    }

    private static byte[]? Raw(object? o) => o switch
    {
        null => null,
        byte[] b => b,
        string str => Encoding.UTF8.GetBytes(str),
        _ => Encoding.UTF8.GetBytes(o.ToString() ?? ""),
    };

    /// <summary>Adds the __connect.errors.* headers (UTF-8 strings, as Apache writes them).</summary>
    public static void AddContextHeaders(List<RecordHeader> headers, ProcessingContext context)
    {
        void Add(string key, string? value)
        {
            if (value is not null)
            {
                headers.Add(new RecordHeader(key, Encoding.UTF8.GetBytes(value)));
            }
        }
        if (context.Consumed is { } c)
        {
            Add(ErrorHeaderOrigTopic, c.Topic);
            Add(ErrorHeaderOrigPartition, c.Partition.ToString(CultureInfo.InvariantCulture));
            Add(ErrorHeaderOrigOffset, c.Offset.ToString(CultureInfo.InvariantCulture));
        }
        else if (context.Source is { } s)
        {
            Add(ErrorHeaderOrigTopic, s.Topic);
            if (s.KafkaPartition is { } p)
            {
                Add(ErrorHeaderOrigPartition, p.ToString(CultureInfo.InvariantCulture));
            }
        }
        Add(ErrorHeaderConnectorName, context.Task.Connector);
        Add(ErrorHeaderTaskId, context.Task.Task.ToString(CultureInfo.InvariantCulture));
        Add(ErrorHeaderStage, context.Stage.ToString());
        Add(ErrorHeaderExecutingClass, context.ExecutingClass);
        Add(ErrorHeaderExceptionClass, context.Error.GetType().FullName);
        Add(ErrorHeaderExceptionMessage, context.Error.Message);
        Add(ErrorHeaderExceptionStackTrace, context.Error.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _producer.FlushAsync(cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or KafkaConnect.Client.KafkaException)
        {
        }
        await _producer.DisposeAsync().ConfigureAwait(false);
    }
}
