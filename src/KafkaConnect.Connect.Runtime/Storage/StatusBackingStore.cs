using KafkaConnect.Connect.Runtime.Herder;

namespace KafkaConnect.Connect.Runtime.Storage;

/// <summary>A connector's state as one worker last reported it (status topic <c>status-connector-&lt;name&gt;</c>).</summary>
public sealed record ConnectorStatusEntry(string Connector, ConnectorState State, string? Trace, string WorkerId, int Generation);

/// <summary>A task's state as one worker last reported it (status topic <c>status-task-&lt;name&gt;-&lt;n&gt;</c>).</summary>
public sealed record TaskStatusEntry(ConnectorTaskId Id, ConnectorState State, string? Trace, string WorkerId, int Generation);

/// <summary>A topic a connector used (status topic <c>status-topic-&lt;topic&gt;:connector-&lt;name&gt;</c>).</summary>
public sealed record TopicStatusEntry(string Topic, string Connector, int Task, long DiscoverTimestamp);

/// <summary>
/// Statuses of every connector and task in the cluster (Apache's StatusBackingStore). Writes are asynchronous and
/// retried; <see cref="FlushAsync"/> waits for them. Reads come from the local view of the topic.
/// </summary>
public interface IStatusBackingStore
{
    Task StartAsync(CancellationToken ct = default);

    Task StopAsync();

    void Put(ConnectorStatusEntry status);

    /// <summary>Writes only if no other worker has written a newer generation for this connector.</summary>
    void PutSafe(ConnectorStatusEntry status);

    void Put(TaskStatusEntry status);

    void PutSafe(TaskStatusEntry status);

    void Put(TopicStatusEntry status);

    /// <summary>Tombstones the connector's status and those of all its tasks (connector deleted).</summary>
    void RemoveConnector(string connector);

    void RemoveTask(ConnectorTaskId id);

    void DeleteTopic(string connector, string topic);

    ConnectorStatusEntry? Get(string connector);

    TaskStatusEntry? Get(ConnectorTaskId id);

    IReadOnlyList<TaskStatusEntry> GetAll(string connector);

    IReadOnlyList<TopicStatusEntry> GetAllTopics(string connector);

    IReadOnlyCollection<string> Connectors();

    /// <summary>Waits until every write made so far is acknowledged.</summary>
    Task FlushAsync(CancellationToken ct = default);

    /// <summary>Reads up to the current end of the topic; false on timeout.</summary>
    Task<bool> RefreshAsync(TimeSpan timeout, CancellationToken ct = default);

    /// <summary>Raised after the local view changed (tests wait on it instead of sleeping).</summary>
    event Action? Changed;
}
