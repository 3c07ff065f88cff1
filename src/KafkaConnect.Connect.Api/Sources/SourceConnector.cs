using KafkaConnect.Connect.Connectors;
using KafkaConnect.Connect.Storage;

namespace KafkaConnect.Connect.Sources;

/// <summary>Whether a source connector can deliver exactly once with a given configuration.</summary>
public enum ExactlyOnceSupport
{
    Supported,
    Unsupported,
}

/// <summary>Whether a source connector can decide where transactions begin and end.</summary>
public enum ConnectorTransactionBoundaries
{
    Supported,
    Unsupported,
}

/// <summary>The context given to source connectors; adds access to committed offsets.</summary>
public interface ISourceConnectorContext : IConnectorContext
{
    /// <summary>Lets the connector inspect progress, e.g. to split remaining work among tasks.</summary>
    IOffsetStorageReader OffsetStorageReader { get; }
}

/// <summary>Base class for connectors that import data from an external system into Kafka.</summary>
public abstract class SourceConnector : Connector
{
    /// <summary>The source-specific context; valid after initialization by the worker.</summary>
    protected new ISourceConnectorContext Context =>
        base.Context as ISourceConnectorContext
        ?? throw new InvalidOperationException("A source connector needs an ISourceConnectorContext");

    /// <summary>
    /// Whether this configuration can support exactly-once delivery; null when unknown (the worker then
    /// refuses <c>exactly.once.support=required</c>).
    /// </summary>
    public virtual ExactlyOnceSupport? ExactlyOnceSupport(IReadOnlyDictionary<string, string> connectorConfig) => null;

    /// <summary>Whether the connector can define transaction boundaries with this configuration.</summary>
    public virtual ConnectorTransactionBoundaries CanDefineTransactionBoundaries(IReadOnlyDictionary<string, string> connectorConfig) =>
        ConnectorTransactionBoundaries.Unsupported;

    /// <summary>
    /// Hook for the REST offsets API: validate (and optionally apply externally) an offset change. Return true
    /// if the change is acceptable; the default refuses. A null offset means "reset this partition".
    /// </summary>
    public virtual bool AlterOffsets(
        IReadOnlyDictionary<string, string> connectorConfig,
        IReadOnlyDictionary<IReadOnlyDictionary<string, object?>, IReadOnlyDictionary<string, object?>?> offsets) => false;
}
