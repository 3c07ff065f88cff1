using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Storage;
using KafkaConnect.Connect.Runtime.Storage.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using static KafkaConnect.Connect.Runtime.Tests.Storage.StorageTestKit;

namespace KafkaConnect.Connect.Runtime.Tests.Storage;

public sealed class KafkaStatusBackingStoreTests : IClassFixture<BrokerFixture>
{
    private readonly BrokerFixture _broker;

    public KafkaStatusBackingStoreTests(BrokerFixture broker) => _broker = broker;

    private KafkaStatusBackingStore NewStore(string topic) =>
        new(Options(_broker.BootstrapServers, topic, partitions: 3), NullLoggerFactory.Instance);

    private static async Task SyncAsync(KafkaStatusBackingStore store)
    {
        await store.FlushAsync();
        Assert.True(await store.RefreshAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Writes_statuses_byte_for_byte_as_Apache()
    {
        var topic = NewTopic("connect-status");
        await using (var store = NewStore(topic))
        {
            await store.StartAsync();
            store.Put(new ConnectorStatusEntry("c1", ConnectorState.Running, null, "10.0.0.1:8083", 3));
            store.Put(new TaskStatusEntry(new ConnectorTaskId("c1", 0), ConnectorState.Failed, "boom\n\tat \"X\"", "10.0.0.1:8083", 3));
            store.Put(new TopicStatusEntry("orders", "c1", 0, 1718000000123));
            await SyncAsync(store);
            Assert.Equal(ConnectorState.Running, store.Get("c1")!.State);
            Assert.Equal("boom\n\tat \"X\"", store.Get(new ConnectorTaskId("c1", 0))!.Trace);
            Assert.Equal([new TopicStatusEntry("orders", "c1", 0, 1718000000123)], store.GetAllTopics("c1"));

            store.DeleteTopic("c1", "orders");
            await SyncAsync(store);
            Assert.Empty(store.GetAllTopics("c1"));
        }
        var records = (await ReadAllAsync(_broker.BootstrapServers, topic)).ToDictionary(r => (r.Key, r.Value is null), r => r.Value);
        Assert.Equal(4, records.Count);
        Assert.Equal("""{"state":"RUNNING","trace":null,"worker_id":"10.0.0.1:8083","generation":3}""", records[("status-connector-c1", false)]);
        Assert.Equal("""{"state":"FAILED","trace":"boom\n\tat \"X\"","worker_id":"10.0.0.1:8083","generation":3}""", records[("status-task-c1-0", false)]);
        Assert.Equal("""{"topic":{"name":"orders","connector":"c1","task":0,"discoverTimestamp":1718000000123}}""", records[("status-topic-orders:connector-c1", false)]);
        Assert.True(records.ContainsKey(("status-topic-orders:connector-c1", true)));
    }

    [Fact]
    public async Task Reads_statuses_written_by_Apache()
    {
        var topic = NewTopic("connect-status");
        await CreateTopicAsync(_broker.BootstrapServers, topic, 5);
        await ProduceAsync(_broker.BootstrapServers, topic,
            ("status-connector-my-conn", """{"state":"PAUSED","trace":null,"worker_id":"w1:8083","generation":7}""", null),
            ("status-task-my-conn-0", """{"state":"RUNNING","trace":null,"worker_id":"w1:8083","generation":7}""", null),
            ("status-task-my-conn-1", """{"state":"UNASSIGNED","trace":null,"worker_id":"w2:8083","generation":6}""", null),
            ("status-topic-t1:connector-my-conn", """{"topic":{"name":"t1","connector":"my-conn","task":1,"discoverTimestamp":99}}""", null),
            ("status-bogus", """{}""", null));
        await using var store = NewStore(topic);
        await store.StartAsync();
        Assert.Equal(new ConnectorStatusEntry("my-conn", ConnectorState.Paused, null, "w1:8083", 7), store.Get("my-conn"));
        Assert.Equal(
        [
            new TaskStatusEntry(new ConnectorTaskId("my-conn", 0), ConnectorState.Running, null, "w1:8083", 7),
            new TaskStatusEntry(new ConnectorTaskId("my-conn", 1), ConnectorState.Unassigned, null, "w2:8083", 6),
        ], store.GetAll("my-conn"));
        Assert.Equal([new TopicStatusEntry("t1", "my-conn", 1, 99)], store.GetAllTopics("my-conn"));
        Assert.Equal(["my-conn"], store.Connectors());
    }

    [Fact]
    public async Task PutSafe_does_not_overwrite_a_newer_generation_of_another_worker()
    {
        var topic = NewTopic("connect-status");
        await using var store = NewStore(topic);
        await store.StartAsync();
        store.Put(new ConnectorStatusEntry("c", ConnectorState.Running, null, "A", 5));
        await SyncAsync(store);

        store.PutSafe(new ConnectorStatusEntry("c", ConnectorState.Unassigned, null, "B", 4)); // older generation, other worker: dropped
        await SyncAsync(store);
        Assert.Equal(new ConnectorStatusEntry("c", ConnectorState.Running, null, "A", 5), store.Get("c"));

        store.PutSafe(new ConnectorStatusEntry("c", ConnectorState.Paused, null, "A", 2)); // same worker: always allowed
        await SyncAsync(store);
        Assert.Equal(ConnectorState.Paused, store.Get("c")!.State);

        store.PutSafe(new ConnectorStatusEntry("c", ConnectorState.Running, null, "B", 6)); // newer generation: allowed
        await SyncAsync(store);
        Assert.Equal(new ConnectorStatusEntry("c", ConnectorState.Running, null, "B", 6), store.Get("c"));
        // A worker that was out of the group and had not read B's RUNNING reports UNASSIGNED for its old generation: ignored.
        store.Put(new ConnectorStatusEntry("c", ConnectorState.Unassigned, null, "A", 5));
        await SyncAsync(store);
        Assert.Equal(new ConnectorStatusEntry("c", ConnectorState.Running, null, "B", 6), store.Get("c"));

        var task = new ConnectorTaskId("c", 0);
        store.Put(new TaskStatusEntry(task, ConnectorState.Running, null, "A", 8));
        await SyncAsync(store);
        store.PutSafe(new TaskStatusEntry(task, ConnectorState.Failed, "x", "B", 7));
        // A late UNASSIGNED of the same generation from a worker that missed the RUNNING status is ignored when read.
        store.Put(new TaskStatusEntry(task, ConnectorState.Unassigned, null, "B", 8));
        await SyncAsync(store);
        Assert.Equal(new TaskStatusEntry(task, ConnectorState.Running, null, "A", 8), store.Get(task));
        // The same worker's UNASSIGNED is a real stop (a graceful leave): kept, unlike Apache.
        store.Put(new TaskStatusEntry(task, ConnectorState.Unassigned, null, "A", 8));
        await SyncAsync(store);
        Assert.Equal(new TaskStatusEntry(task, ConnectorState.Unassigned, null, "A", 8), store.Get(task));

        var written = await ReadAllAsync(_broker.BootstrapServers, topic);
        Assert.Equal(4, written.Count(r => r.Key == "status-connector-c"));
        Assert.Equal(3, written.Count(r => r.Key == "status-task-c-0"));
    }

    [Fact]
    public async Task RemoveConnector_writes_tombstones_for_its_tasks_and_itself()
    {
        var topic = NewTopic("connect-status");
        await using var store = NewStore(topic);
        await store.StartAsync();
        store.Put(new ConnectorStatusEntry("gone", ConnectorState.Running, null, "A", 1));
        store.Put(new TaskStatusEntry(new ConnectorTaskId("gone", 0), ConnectorState.Running, null, "A", 1));
        store.Put(new TaskStatusEntry(new ConnectorTaskId("gone", 1), ConnectorState.Running, null, "A", 1));
        store.Put(new ConnectorStatusEntry("kept", ConnectorState.Running, null, "A", 1));
        await SyncAsync(store);
        Assert.Equal(2, store.GetAll("gone").Count);

        var changed = 0;
        store.Changed += () => Interlocked.Increment(ref changed);
        store.RemoveConnector("gone");
        await SyncAsync(store);
        Assert.Null(store.Get("gone"));
        Assert.Empty(store.GetAll("gone"));
        Assert.Equal(["kept"], store.Connectors());
        Assert.Equal(3, changed);

        var tombstones = (await ReadAllAsync(_broker.BootstrapServers, topic)).Where(r => r.Value is null).Select(r => r.Key).Order();
        Assert.Equal(["status-connector-gone", "status-task-gone-0", "status-task-gone-1"], tombstones);

        await using var fresh = NewStore(topic);
        await fresh.StartAsync();
        Assert.Null(fresh.Get("gone"));
        Assert.NotNull(fresh.Get("kept"));
    }
}
