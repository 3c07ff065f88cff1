using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Storage.Kafka;

namespace KafkaConnect.Connect.Runtime.Storage.Memory;

/// <summary>
/// A status store without Kafka for herder tests: the same PutSafe rules as the Kafka store, but every write is
/// visible at once (there is no topic to read it back from).
/// </summary>
public sealed class MemoryStatusBackingStore : IStatusBackingStore
{
    private readonly StatusView _view = new();

    public event Action? Changed;

    public Task StartAsync(CancellationToken ct = default) => Task.CompletedTask;

    public Task StopAsync() => Task.CompletedTask;

    public void Put(ConnectorStatusEntry status) => PutConnector(status, safe: false);

    public void PutSafe(ConnectorStatusEntry status) => PutConnector(status, safe: true);

    public void Put(TaskStatusEntry status) => PutTask(status, safe: false);

    public void PutSafe(TaskStatusEntry status) => PutTask(status, safe: true);

    public void Put(TopicStatusEntry status)
    {
        ArgumentNullException.ThrowIfNull(status);
        _view.ReadTopic(status.Connector, status.Topic, status);
        Changed?.Invoke();
    }

    public void RemoveConnector(string connector)
    {
        _view.ReadConnector(connector, null);
        Changed?.Invoke();
    }

    public void RemoveTask(ConnectorTaskId id)
    {
        _view.ReadTask(id, null);
        Changed?.Invoke();
    }

    public void DeleteTopic(string connector, string topic)
    {
        _view.ReadTopic(connector, topic, null);
        Changed?.Invoke();
    }

    public ConnectorStatusEntry? Get(string connector) => _view.Get(connector);

    public TaskStatusEntry? Get(ConnectorTaskId id) => _view.Get(id);

    public IReadOnlyList<TaskStatusEntry> GetAll(string connector) => _view.GetAll(connector);

    public IReadOnlyList<TopicStatusEntry> GetAllTopics(string connector) => _view.GetAllTopics(connector);

    public IReadOnlyCollection<string> Connectors() => _view.Connectors();

    public Task FlushAsync(CancellationToken ct = default) => Task.CompletedTask;

    public Task<bool> RefreshAsync(TimeSpan timeout, CancellationToken ct = default) => Task.FromResult(true);

    private void PutConnector(ConnectorStatusEntry status, bool safe)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (_view.BeginWrite(status, safe) is not null)
        {
            _view.ReadConnector(status.Connector, status);
            Changed?.Invoke();
        }
    }

    private void PutTask(TaskStatusEntry status, bool safe)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (_view.BeginWrite(status, safe) is not null)
        {
            _view.ReadTask(status.Id, status);
            Changed?.Invoke();
        }
    }
}
