using KafkaConnect.Connect.Connectors;
using KafkaConnect.Connect.Storage;

namespace KafkaConnect.Connect.Sources;

/// <summary>Where a source task's transactions end when exactly-once support is enabled.</summary>
public enum TransactionBoundary
{
    /// <summary>Each batch returned by a poll is its own transaction (the default).</summary>
    Poll,
    /// <summary>Transactions are committed on a fixed interval.</summary>
    Interval,
    /// <summary>The connector decides via <see cref="ITransactionContext"/>.</summary>
    Connector,
}

/// <summary>Lets a task commit or abort transactions itself when it owns the boundaries.</summary>
public interface ITransactionContext
{
    /// <summary>Commit after the current batch is sent.</summary>
    void CommitTransaction();

    /// <summary>Commit once <paramref name="record"/> has been sent.</summary>
    void CommitTransaction(SourceRecord record);

    void AbortTransaction();

    void AbortTransaction(SourceRecord record);
}

/// <summary>The context given to source tasks.</summary>
public interface ISourceTaskContext
{
    /// <summary>The task configuration as passed to Start.</summary>
    IReadOnlyDictionary<string, string> Configs { get; }

    /// <summary>Read committed offsets, typically in Start, to resume.</summary>
    IOffsetStorageReader OffsetStorageReader { get; }

    /// <summary>Non-null only when exactly-once is enabled and the connector defines transaction boundaries.</summary>
    ITransactionContext? TransactionContext { get; }
}

/// <summary>
/// Pulls records from an external system. The worker calls <see cref="PollAsync"/> in a loop on a dedicated
/// task loop and produces what it returns to Kafka.
/// </summary>
/// <remarks>
/// Poll is asynchronous because sources mostly wait on I/O; the worker cancels the token when the task
/// stops, so an implementation can simply await its data source with it. Return null or an empty list when
/// nothing arrived within a short wait (around a second) rather than waiting indefinitely, so the worker can
/// commit offsets and react to reconfiguration.
/// </remarks>
public abstract class SourceTask : ITask
{
    /// <summary>The per-connector setting that selects the <see cref="TransactionBoundary"/>.</summary>
    public const string TransactionBoundaryConfig = "transaction.boundary";

    private ISourceTaskContext? _context;

    /// <summary>The worker-provided context; available from <see cref="Initialize"/> on.</summary>
    protected ISourceTaskContext Context => _context ?? throw new InvalidOperationException("The task has not been initialized");

    /// <summary>Called once by the worker before <see cref="Start"/>.</summary>
    public virtual void Initialize(ISourceTaskContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
    }

    public abstract string Version();

    public abstract void Start(IReadOnlyDictionary<string, string> props);

    /// <summary>Returns the next batch of records, or null/empty when none are available yet.</summary>
    /// <exception cref="Errors.RetriableException">A transient failure; the worker polls again.</exception>
    public abstract ValueTask<IReadOnlyList<SourceRecord>?> PollAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Called after the worker committed offsets for records returned so far, for sources that must
    /// acknowledge upstream (e.g. a message queue). Offsets are stored by the worker; do not store them here.
    /// </summary>
    public virtual void Commit()
    {
    }

    /// <summary>
    /// Called once per record after Kafka acknowledged it (<paramref name="metadata"/> set) or a transformation
    /// dropped it / it was skipped by error tolerance (<paramref name="metadata"/> null). Must be quick.
    /// </summary>
    public virtual void CommitRecord(SourceRecord record, RecordMetadata? metadata)
    {
    }

    public abstract void Stop();

    /// <summary>Parses a <see cref="TransactionBoundaryConfig"/> value ("poll", "interval", "connector"), case-insensitively.</summary>
    public static bool TryParseTransactionBoundary(string? text, out TransactionBoundary boundary)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case "POLL": boundary = TransactionBoundary.Poll; return true;
            case "INTERVAL": boundary = TransactionBoundary.Interval; return true;
            case "CONNECTOR": boundary = TransactionBoundary.Connector; return true;
            default: boundary = TransactionBoundary.Poll; return false;
        }
    }
}
