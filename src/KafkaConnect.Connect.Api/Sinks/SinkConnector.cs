using KafkaConnect.Connect.Connectors;

namespace KafkaConnect.Connect.Sinks;

/// <summary>The context given to sink connectors.</summary>
public interface ISinkConnectorContext : IConnectorContext
{
}

/// <summary>
/// Base class for connectors that export data from Kafka topics to an external system. The topics come from
/// the <see cref="SinkTask.TopicsConfig"/> or <see cref="SinkTask.TopicsRegexConfig"/> setting, which the
/// worker handles; tasks share the topic partitions through a consumer group.
/// </summary>
public abstract class SinkConnector : Connector
{
    /// <summary>Same as <see cref="SinkTask.TopicsConfig"/>, for connector code.</summary>
    public const string TopicsConfig = SinkTask.TopicsConfig;

    /// <summary>The sink-specific context; valid after initialization by the worker.</summary>
    protected new ISinkConnectorContext Context =>
        base.Context as ISinkConnectorContext
        ?? throw new InvalidOperationException("A sink connector needs an ISinkConnectorContext");

    /// <summary>
    /// Hook for the REST offsets API: accept (true) or refuse (false, the default) an offset change for
    /// connectors that also track offsets externally. A null offset means "reset this partition".
    /// </summary>
    public virtual bool AlterOffsets(IReadOnlyDictionary<string, string> connectorConfig, IReadOnlyDictionary<TopicPartition, long?> offsets) => false;
}
