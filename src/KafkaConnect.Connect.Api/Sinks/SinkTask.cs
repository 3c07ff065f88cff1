using KafkaConnect.Connect.Connectors;

namespace KafkaConnect.Connect.Sinks;

/// <summary>
/// Reports a record that failed processing to the connector's dead letter queue / error log without
/// failing the task (subject to <c>errors.tolerance</c>).
/// </summary>
public interface IErrantRecordReporter
{
    /// <summary>
    /// Reports asynchronously; the worker waits for outstanding reports before committing offsets, so awaiting
    /// the task is only needed to observe failures.
    /// </summary>
    Task ReportAsync(SinkRecord record, Exception error);
}

/// <summary>The context given to sink tasks: controls the underlying consumer.</summary>
public interface ISinkTaskContext
{
    /// <summary>The task configuration as passed to Start.</summary>
    IReadOnlyDictionary<string, string> Configs { get; }

    /// <summary>Rewind or skip: consumption of each partition resumes at the given offset.</summary>
    void Offset(IReadOnlyDictionary<TopicPartition, long> offsets);

    /// <inheritdoc cref="Offset(IReadOnlyDictionary{TopicPartition, long})"/>
    void Offset(TopicPartition partition, long offset);

    /// <summary>
    /// After a <see cref="Errors.RetriableException"/> from <see cref="SinkTask.Put"/>, redeliver the same
    /// batch after this many milliseconds instead of immediately.
    /// </summary>
    void Timeout(long timeoutMs);

    /// <summary>The partitions currently assigned to this task.</summary>
    IReadOnlySet<TopicPartition> Assignment();

    /// <summary>Stops fetching from partitions (e.g. to apply back-pressure) without losing the assignment.</summary>
    void Pause(params TopicPartition[] partitions);

    void Resume(params TopicPartition[] partitions);

    /// <summary>Asks for an offset commit as soon as possible, e.g. after the task wrote a large batch.</summary>
    void RequestCommit();

    /// <summary>Null when the worker runs without error reporting.</summary>
    IErrantRecordReporter? ErrantRecordReporter { get; }
}

/// <summary>
/// Writes records from Kafka to an external system. Each task runs on its own thread, so blocking calls
/// are expected; Put may buffer and Flush/PreCommit must make buffered data durable before offsets commit.
/// </summary>
/// <remarks>
/// Lifecycle: Initialize → Start → Open(partitions) → (Put | PreCommit)* with Open/Close on rebalances →
/// Close → Stop.
/// </remarks>
public abstract class SinkTask : ITask
{
    /// <summary>Comma separated topics to consume.</summary>
    public const string TopicsConfig = "topics";

    /// <summary>A regular expression selecting topics to consume; exclusive with <see cref="TopicsConfig"/>.</summary>
    public const string TopicsRegexConfig = "topics.regex";

    private ISinkTaskContext? _context;

    /// <summary>The worker-provided context; available from <see cref="Initialize"/> on.</summary>
    protected ISinkTaskContext Context => _context ?? throw new InvalidOperationException("The task has not been initialized");

    /// <summary>Called once by the worker before <see cref="Start"/>.</summary>
    public virtual void Initialize(ISinkTaskContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
    }

    public abstract string Version();

    public abstract void Start(IReadOnlyDictionary<string, string> props);

    /// <summary>Delivers a batch (possibly empty). Throw <see cref="Errors.RetriableException"/> to have it redelivered.</summary>
    public abstract void Put(IReadOnlyCollection<SinkRecord> records);

    /// <summary>Makes everything passed to Put so far durable; the offsets are those about to be committed.</summary>
    public virtual void Flush(IReadOnlyDictionary<TopicPartition, OffsetAndMetadata> currentOffsets)
    {
    }

    /// <summary>
    /// Called before offsets are committed; returns the offsets that are safe to commit. The default flushes
    /// and returns <paramref name="currentOffsets"/>. Tasks that write asynchronously return less (or empty)
    /// to commit only what is durable.
    /// </summary>
    public virtual IReadOnlyDictionary<TopicPartition, OffsetAndMetadata> PreCommit(IReadOnlyDictionary<TopicPartition, OffsetAndMetadata> currentOffsets)
    {
        Flush(currentOffsets);
        return currentOffsets;
    }

    /// <summary>Partitions newly assigned after a rebalance; open writers here.</summary>
    public virtual void Open(IReadOnlyCollection<TopicPartition> partitions)
    {
    }

    /// <summary>Partitions being revoked; flush and close their writers. Records for them stop arriving.</summary>
    public virtual void Close(IReadOnlyCollection<TopicPartition> partitions)
    {
    }

    public abstract void Stop();
}
