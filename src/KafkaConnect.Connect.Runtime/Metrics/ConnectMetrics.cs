using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using KafkaConnect.Connect.Runtime.Errors;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Worker;

namespace KafkaConnect.Connect.Runtime.Metrics;

/// <summary>
/// A worker's metrics: Apache's Connect groups and metric names (ConnectMetricsRegistry), published through
/// System.Diagnostics.Metrics as observable instruments named as the Prometheus JMX exporter names Connect's MBeans
/// (<c>kafka_connect_&lt;group&gt;_&lt;metric&gt;</c>, dashes as underscores, with connector and task labels), so any
/// MeterListener — the REST server's Prometheus endpoint, an OpenTelemetry exporter — collects them. Values are read
/// from the tasks' counters only when collected.
/// </summary>
public sealed class ConnectMetrics : IDisposable
{
    /// <summary>The meter every instrument belongs to (what an OpenTelemetry MeterProvider subscribes to).</summary>
    public const string MeterName = "KafkaConnect.Connect";

    /// <summary>Worker setting (kconnect extension, default true): false records nothing and serves no /metrics.</summary>
    public const string EnableConfig = "kconnect.metrics.enable";

    public const string WorkerGroup = "connect-worker-metrics";
    public const string ConnectorGroup = "connector-metrics";
    public const string TaskGroup = "connector-task-metrics";
    public const string SourceTaskGroup = "source-task-metrics";
    public const string SinkTaskGroup = "sink-task-metrics";
    public const string TaskErrorGroup = "task-error-metrics";

    private readonly Meter _meter;
    private readonly TimeProvider _time;
    private readonly StatusStore _status;
    private readonly ConcurrentDictionary<ConnectorTaskId, TaskMetrics> _tasks = new();
    private readonly ConcurrentDictionary<string, ConnectorEntry> _connectors = new(StringComparer.Ordinal);
    private long _connectorStartAttempts;
    private long _connectorStartFailures;
    private long _taskStartAttempts;
    private long _taskStartFailures;
    private RebalanceMetrics? _rebalance;

    private readonly TimeSpan _sampleWindow;
    private readonly int _samples;

    /// <param name="sampleWindow">metrics.sample.window.ms: the windows of the *-rate metrics (default 30 s).</param>
    /// <param name="samples">metrics.num.samples: how many windows a rate covers (default 2).</param>
    public ConnectMetrics(StatusStore status, TimeProvider? time = null, TimeSpan? sampleWindow = null, int samples = 2)
    {
        _status = status;
        _time = time ?? TimeProvider.System;
        _sampleWindow = sampleWindow ?? TimeSpan.FromSeconds(30);
        _samples = samples;
        _meter = new Meter(MeterName);
        DefineWorker();
        DefineConnector();
        DefineTask();
        DefineSource();
        DefineSink();
        DefineErrors();
    }

    /// <summary>The Prometheus name of Apache metric <paramref name="name"/> of <paramref name="group"/>.</summary>
    public static string PrometheusName(string group, string name) => ("kafka_connect_" + group + "_" + name).Replace('-', '_');

    /// <summary>The worker's own meter (several workers in one process share the name, never the instance).</summary>
    internal Meter Meter => _meter;

    /// <summary>connect-worker-rebalance-metrics, defined on first use: only a distributed worker has them.</summary>
    public RebalanceMetrics Rebalance
    {
        get
        {
            if (Volatile.Read(ref _rebalance) is { } existing)
            {
                return existing;
            }
            lock (_tasks)
            {
                return _rebalance ??= new RebalanceMetrics(_meter, _time);
            }
        }
    }

    public IReadOnlyCollection<TaskMetrics> Tasks => [.. _tasks.Values];

    public int ConnectorCount => _connectors.Count;

    public long ConnectorStartupAttempts => Interlocked.Read(ref _connectorStartAttempts);

    public long ConnectorStartupFailures => Interlocked.Read(ref _connectorStartFailures);

    public long TaskStartupAttempts => Interlocked.Read(ref _taskStartAttempts);

    public long TaskStartupFailures => Interlocked.Read(ref _taskStartFailures);

    public void RecordConnectorStartupAttempt() => Interlocked.Increment(ref _connectorStartAttempts);

    /// <summary>The connector started: it counts as run by this worker until <see cref="RemoveConnector"/>.</summary>
    /// <param name="connectorClass">The class name configurations use for it (its Java name when it has one).</param>
    /// <param name="type">source, sink or unknown, as Apache's connector-type.</param>
    /// <param name="version">What the connector's Version() says.</param>
    public void AddConnector(string connector, string connectorClass = "unknown", string type = "unknown", string version = "unknown") =>
        _connectors[connector] = new ConnectorEntry([new("connector", connector)], connectorClass, type, version);

    /// <summary>A connector start failed; one that was created stays listed (status failed) until it is stopped.</summary>
    public void RecordConnectorStartupFailure() => Interlocked.Increment(ref _connectorStartFailures);

    public void RemoveConnector(string connector) => _connectors.TryRemove(connector, out _);

    public void RecordTaskStartupAttempt() => Interlocked.Increment(ref _taskStartAttempts);

    /// <summary>The metrics a starting task records into; the task counts as run by this worker until <see cref="RemoveTask"/>.</summary>
    public TaskMetrics AddTask(ConnectorTaskId id, bool isSource)
    {
        var metrics = new TaskMetrics(id, isSource, _time, _sampleWindow, _samples);
        _tasks[id] = metrics;
        return metrics;
    }

    public void RecordTaskStartupFailure(ConnectorTaskId id)
    {
        Interlocked.Increment(ref _taskStartFailures);
        RemoveTask(id);
    }

    public void RemoveTask(ConnectorTaskId id) => _tasks.TryRemove(id, out _);

    public void Dispose() => _meter.Dispose();

    private static double Percentage(long part, long total) => total == 0 ? 0 : (double)part / total;

    private void DefineWorker()
    {
        Gauge(WorkerGroup, "connector-count", "The number of connectors run in this worker.", () => _connectors.Count);
        Gauge(WorkerGroup, "task-count", "The number of tasks run in this worker.", () => _tasks.Count);
        DefineStartup("connector", () => (ConnectorStartupAttempts, ConnectorStartupFailures));
        DefineStartup("task", () => (TaskStartupAttempts, TaskStartupFailures));
        PerConnectorTaskCount("connector-total-task-count", "The number of tasks of the connector on the worker.", null);
        PerConnectorTaskCount("connector-running-task-count", "The number of running tasks of the connector on the worker.", ConnectorState.Running);
        PerConnectorTaskCount("connector-paused-task-count", "The number of paused tasks of the connector on the worker.", ConnectorState.Paused);
        PerConnectorTaskCount("connector-failed-task-count", "The number of failed tasks of the connector on the worker.", ConnectorState.Failed);
        PerConnectorTaskCount("connector-unassigned-task-count", "The number of unassigned tasks of the connector on the worker.", ConnectorState.Unassigned);
        PerConnectorTaskCount("connector-restarting-task-count", "The number of restarting tasks of the connector on the worker.", ConnectorState.Restarting);
    }

    private void DefineStartup(string what, Func<(long Attempts, long Failures)> read)
    {
        Counter(WorkerGroup, $"{what}-startup-attempts-total", $"The total number of {what} starts that this worker has attempted.", () => read().Attempts);
        Counter(WorkerGroup, $"{what}-startup-success-total", $"The total number of {what} starts that succeeded.", () => read() is var r ? r.Attempts - r.Failures : 0);
        Counter(WorkerGroup, $"{what}-startup-failure-total", $"The total number of {what} starts that failed.", () => read().Failures);
        Gauge(WorkerGroup, $"{what}-startup-success-percentage", $"The fraction of {what} starts that succeeded.",
            () => read() is var r ? Percentage(r.Attempts - r.Failures, r.Attempts) : 0);
        Gauge(WorkerGroup, $"{what}-startup-failure-percentage", $"The fraction of {what} starts that failed.",
            () => read() is var r ? Percentage(r.Failures, r.Attempts) : 0);
    }

    private void PerConnectorTaskCount(string name, string description, ConnectorState? state) =>
        _meter.CreateObservableGauge(PrometheusName(WorkerGroup, name), () => PerConnector(connector =>
        {
            var count = 0;
            foreach (var task in _tasks.Values)
            {
                if (task.Id.Connector == connector && (state is null || task.State == state))
                {
                    count++;
                }
            }
            return count;
        }), description: description);

    private IEnumerable<Measurement<int>> PerConnector(Func<string, int> read)
    {
        foreach (var (connector, entry) in _connectors)
        {
            yield return new Measurement<int>(read(connector), entry.Tags);
        }
    }

    // Strings cannot be sampled: the status is a 1-valued series labelled with it, as the Strimzi/Confluent JMX
    // exporter rules publish Connect's status attributes (kafka_connect_connector_status{connector,status}).
    // connector-class, -type and -version the same way, labelled with their own (sanitized) names as those rules do.
    private void DefineConnector()
    {
        _meter.CreateObservableGauge("kafka_connect_connector_status", ConnectorStatuses,
            description: "The status of the connector (connector-metrics status): one series per connector, labelled with it.");
        ConnectorInfo("connector_class", "The name of the connector class.", e => e.Class);
        ConnectorInfo("connector_type", "The type of the connector. One of 'source' or 'sink'.", e => e.Type);
        ConnectorInfo("connector_version", "The version of the connector class, as reported by the connector.", e => e.Version);
    }

    private void ConnectorInfo(string label, string description, Func<ConnectorEntry, string> read) =>
        _meter.CreateObservableGauge("kafka_connect_connector_" + label, () => ConnectorInfos(label, read), description: description);

    private IEnumerable<Measurement<int>> ConnectorInfos(string label, Func<ConnectorEntry, string> read)
    {
        foreach (var (_, entry) in _connectors)
        {
            yield return new Measurement<int>(1, entry.Tags[0], new(label, read(entry)));
        }
    }

    private IEnumerable<Measurement<int>> ConnectorStatuses()
    {
        foreach (var (connector, entry) in _connectors)
        {
            var state = _status.Connector(connector)?.State ?? ConnectorState.Unassigned;
            yield return new Measurement<int>(1, entry.Tags[0], new("status", StatusName(state)));
        }
    }

    private sealed record ConnectorEntry(KeyValuePair<string, object?>[] Tags, string Class, string Type, string Version);

    private static string StatusName(ConnectorState state) => state.ToString().ToLowerInvariant();

    private void DefineTask()
    {
        _meter.CreateObservableGauge("kafka_connect_connector_task_status", TaskStatuses,
            description: "The status of the connector task (connector-task-metrics status): one series per task, labelled with it.");
        TaskGauge(TaskGroup, "running-ratio", "The fraction of time this task has spent in the running state.", _ => true, t => t.Ratios().Running);
        TaskGauge(TaskGroup, "pause-ratio", "The fraction of time this task has spent in the pause state.", _ => true, t => t.Ratios().Paused);
        TaskGauge(TaskGroup, "offset-commit-max-time-ms", "The maximum time in milliseconds taken by this task to commit offsets.", _ => true,
            t => t.OffsetCommitTimeMs.Max);
        TaskGauge(TaskGroup, "offset-commit-avg-time-ms", "The average time in milliseconds taken by this task to commit offsets.", _ => true,
            t => t.OffsetCommitTimeMs.Avg);
        TaskGauge(TaskGroup, "offset-commit-success-percentage", "The average percentage of this task's offset commit attempts that succeeded.", _ => true,
            t => Percentage(t.OffsetCommitSuccesses, t.OffsetCommitTimeMs.Count));
        TaskGauge(TaskGroup, "offset-commit-failure-percentage", "The average percentage of this task's offset commit attempts that failed.", _ => true,
            t => Percentage(t.OffsetCommitFailures, t.OffsetCommitTimeMs.Count));
        TaskGauge(TaskGroup, "batch-size-max", "The number of records in the largest batch the task has processed so far.", _ => true, t => t.BatchSize.Max);
        TaskGauge(TaskGroup, "batch-size-avg", "The average number of records in the batches the task has processed so far.", _ => true, t => t.BatchSize.Avg);
    }

    private IEnumerable<Measurement<int>> TaskStatuses()
    {
        foreach (var task in _tasks.Values)
        {
            var state = _status.Task(task.Id)?.State ?? task.State;
            yield return new Measurement<int>(1, task.Tags[0], task.Tags[1], new("status", StatusName(state)));
        }
    }

    private void DefineSource()
    {
        static bool Source(TaskMetrics t) => t.IsSource;
        TaskCounter(SourceTaskGroup, "source-record-poll-total",
            "The total number of records produced/polled (before transformation) by this task belonging to the named source connector in this worker.",
            Source, t => t.SourceRecordPollTotal);
        TaskGauge(SourceTaskGroup, "source-record-poll-rate",
            "The average per-second number of records produced/polled (before transformation) by this task belonging to the named source connector in this worker.",
            Source, t => t.PrimaryRate.Measure(t.SourceRecordPollTotal));
        TaskCounter(SourceTaskGroup, "source-record-write-total",
            "The number of records output from the transformations and written to Kafka for this task belonging to the named source connector in this worker, since the task was last restarted.",
            Source, t => t.SourceRecordWriteTotal);
        TaskGauge(SourceTaskGroup, "source-record-write-rate",
            "The average per-second number of records written to Kafka for this task belonging to the named source connector in this worker, since the task was last restarted.",
            Source, t => t.SecondaryRate.Measure(t.SourceRecordWriteTotal));
        TaskGauge(SourceTaskGroup, "poll-batch-max-time-ms", "The maximum time in milliseconds taken by this task to poll for a batch of source records.", Source,
            t => t.PollBatchTimeMs.Max);
        TaskGauge(SourceTaskGroup, "poll-batch-avg-time-ms", "The average time in milliseconds taken by this task to poll for a batch of source records.", Source,
            t => t.PollBatchTimeMs.Avg);
        TaskGauge(SourceTaskGroup, "source-record-active-count",
            "The number of records that have been produced by this task but not yet completely written to Kafka.", Source,
            t => (double)(t.ActiveCount?.Invoke() ?? 0));
        TaskGauge(SourceTaskGroup, "source-record-active-count-max",
            "The maximum number of records that have been produced by this task but not yet completely written to Kafka.", Source, t => t.ActiveCountMax);
        TaskGauge(SourceTaskGroup, "source-record-active-count-avg",
            "The average number of records that have been produced by this task but not yet completely written to Kafka.", Source, t => t.ActiveCountAvg);
    }

    private void DefineSink()
    {
        static bool Sink(TaskMetrics t) => !t.IsSource;
        TaskCounter(SinkTaskGroup, "sink-record-read-total",
            "The total number of records read from Kafka by this task belonging to the named sink connector in this worker, since the task was last restarted.",
            Sink, t => t.SinkRecordReadTotal);
        TaskGauge(SinkTaskGroup, "sink-record-read-rate",
            "The average per-second number of records read from Kafka for this task belonging to the named sink connector in this worker.",
            Sink, t => t.PrimaryRate.Measure(t.SinkRecordReadTotal));
        TaskCounter(SinkTaskGroup, "sink-record-send-total",
            "The total number of records output from the transformations and sent/put to this task belonging to the named sink connector in this worker, since the task was last restarted.",
            Sink, t => t.SinkRecordSendTotal);
        TaskGauge(SinkTaskGroup, "sink-record-send-rate",
            "The average per-second number of records output from the transformations and sent/put to this task belonging to the named sink connector in this worker.",
            Sink, t => t.SecondaryRate.Measure(t.SinkRecordSendTotal));
        TaskGauge(SinkTaskGroup, "partition-count", "The number of topic partitions assigned to this task belonging to the named sink connector in this worker.", Sink,
            t => t.PartitionCount);
        TaskGauge(SinkTaskGroup, "offset-commit-seq-no", "The current sequence number for offset commits.", Sink, t => t.OffsetCommitSeqNo);
        TaskCounter(SinkTaskGroup, "offset-commit-completion-total", "The total number of offset commit completions that were completed successfully.", Sink,
            t => t.OffsetCommitCompletionTotal);
        TaskGauge(SinkTaskGroup, "offset-commit-completion-rate", "The average per-second number of offset commit completions that were completed successfully.", Sink,
            t => t.CommitCompletionRate.Measure(t.OffsetCommitCompletionTotal));
        TaskGauge(SinkTaskGroup, "offset-commit-skip-rate", "The average per-second number of offset commit completions that were received too late and skipped/ignored.", Sink,
            _ => 0);
        // Commits are awaited in order here, so no completion ever arrives too late: always 0, kept for dashboards.
        TaskCounter(SinkTaskGroup, "offset-commit-skip-total", "The total number of offset commit completions that were received too late and skipped/ignored.", Sink,
            _ => 0L);
        TaskGauge(SinkTaskGroup, "put-batch-max-time-ms", "The maximum time taken by this task to put a batch of sinks records.", Sink, t => t.PutBatchTimeMs.Max);
        TaskGauge(SinkTaskGroup, "put-batch-avg-time-ms", "The average time taken by this task to put a batch of sinks records.", Sink, t => t.PutBatchTimeMs.Avg);
        TaskGauge(SinkTaskGroup, "sink-record-active-count",
            "Records read from Kafka and delivered to this sink task whose offsets are not committed yet.", Sink, t => (double)t.SinkActiveCount);
        TaskGauge(SinkTaskGroup, "sink-record-active-count-max",
            "The most records delivered to this sink task and not yet committed at any one time.", Sink, t => t.ActiveCountMax);
        TaskGauge(SinkTaskGroup, "sink-record-active-count-avg",
            "The average number of records delivered to this sink task and not yet committed.", Sink, t => t.ActiveCountAvg);
    }

    private void DefineErrors()
    {
        static bool Any(TaskMetrics t) => true;
        ErrorCounter("total-record-failures", "The number of record processing failures in this task.", e => e.TotalRecordErrors + e.TotalRetries);
        ErrorCounter("total-record-errors", "The number of record processing errors in this task.", e => e.TotalRecordErrors);
        ErrorCounter("total-records-skipped", "The number of records skipped due to errors.", e => e.TotalRecordsSkipped);
        ErrorCounter("total-retries", "The number of operations retried.", e => e.TotalRetries);
        ErrorCounter("total-errors-logged", "The number of errors that were logged.", e => e.TotalErrorsLogged);
        ErrorCounter("deadletterqueue-produce-requests", "The number of attempted writes to the dead letter queue.", e => e.DeadLetterQueueProduceRequests);
        ErrorCounter("deadletterqueue-produce-failures", "The number of failed writes to the dead letter queue.", e => e.DeadLetterQueueProduceFailures);
        TaskGauge(TaskErrorGroup, "last-error-timestamp", "The epoch timestamp when this task last encountered an error.", Any,
            t => (double)(t.Errors?.LastErrorTimestamp ?? 0));
    }

    private void ErrorCounter(string name, string description, Func<RetryWithToleranceOperator, long> read) =>
        TaskCounter(TaskErrorGroup, name, description, static _ => true, t => t.Errors is { } e ? read(e) : 0);

    private void Gauge<T>(string group, string name, string description, Func<T> read)
        where T : struct =>
        _meter.CreateObservableGauge(PrometheusName(group, name), read, description: description);

    private void Counter(string group, string name, string description, Func<long> read) =>
        _meter.CreateObservableCounter(PrometheusName(group, name), read, description: description);

    private void TaskGauge(string group, string name, string description, Func<TaskMetrics, bool> applies, Func<TaskMetrics, double> read) =>
        _meter.CreateObservableGauge(PrometheusName(group, name), () => PerTask(applies, read), description: description);

    // Only Apache's "-total" metrics are counters: an exporter appends _total to any other counter's name, which would
    // no longer be the JMX exporter's name (total-record-errors, deadletterqueue-produce-requests stay gauges).
    private void TaskCounter(string group, string name, string description, Func<TaskMetrics, bool> applies, Func<TaskMetrics, long> read)
    {
        if (name.EndsWith("-total", StringComparison.Ordinal))
        {
            _meter.CreateObservableCounter(PrometheusName(group, name), () => PerTask(applies, read), description: description);
        }
        else
        {
            _meter.CreateObservableGauge(PrometheusName(group, name), () => PerTask(applies, read), description: description);
        }
    }

    private IEnumerable<Measurement<T>> PerTask<T>(Func<TaskMetrics, bool> applies, Func<TaskMetrics, T> read)
        where T : struct
    {
        foreach (var task in _tasks.Values)
        {
            if (applies(task))
            {
                yield return new Measurement<T>(read(task), task.Tags);
            }
        }
    }
}
