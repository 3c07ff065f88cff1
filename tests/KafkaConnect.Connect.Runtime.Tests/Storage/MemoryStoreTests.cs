using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Storage;
using KafkaConnect.Connect.Runtime.Storage.Memory;
using KafkaConnect.Connect.Runtime.Worker;

namespace KafkaConnect.Connect.Runtime.Tests.Storage;

public sealed class MemoryStoreTests
{
    [Fact]
    public async Task Memory_config_store_applies_records_like_the_topic()
    {
        var store = new MemoryConfigBackingStore();
        var calls = new List<string>();
        store.Listener = new Listener(calls);
        await store.PutConnectorConfigAsync("early", new Dictionary<string, string> { ["a"] = "1" });
        Assert.Empty(calls); // not started yet
        await store.StartAsync();

        await store.PutConnectorConfigAsync("c", new Dictionary<string, string> { ["a"] = "1" }, TargetState.Paused);
        await store.PutTaskConfigsAsync("c", [new Dictionary<string, string> { ["t"] = "0" }]);
        await store.PutTargetStateAsync("c", TargetState.Stopped);
        await store.PutRestartRequestAsync(new RestartRequest("c", OnlyFailed: false, IncludeTasks: true));
        var snapshot = store.Snapshot();
        Assert.Equal(7, snapshot.Offset); // early, target state + c, task + commit, target state, restart
        Assert.Equal(TargetState.Stopped, snapshot.TargetState("c"));
        Assert.Equal("0", snapshot.TaskConfigsOf("c")[0]["t"]);
        Assert.Equal(["update c", "tasks c-0", "target-state c", "restart c"], calls);

        await store.PutCommitOnlyAsync("c", 2);
        Assert.Contains("c", store.Snapshot().Inconsistent);
        Assert.Empty(store.Snapshot().TaskConfigsOf("c"));

        await store.RemoveConnectorConfigAsync("c");
        Assert.False(store.Snapshot().Contains("c"));
        Assert.Equal(TargetState.Started, store.Snapshot().TargetState("c"));
        Assert.Equal("remove c", calls[^1]);
    }

    [Fact]
    public void Memory_status_store_follows_PutSafe()
    {
        var store = new MemoryStatusBackingStore();
        store.Put(new ConnectorStatusEntry("c", ConnectorState.Running, null, "A", 5));
        store.PutSafe(new ConnectorStatusEntry("c", ConnectorState.Failed, "x", "B", 4));
        Assert.Equal("A", store.Get("c")!.WorkerId);
        store.PutSafe(new ConnectorStatusEntry("c", ConnectorState.Failed, "x", "B", 5));
        Assert.Equal("B", store.Get("c")!.WorkerId);
        store.Put(new TaskStatusEntry(new ConnectorTaskId("c", 0), ConnectorState.Running, null, "B", 5));
        store.RemoveConnector("c");
        Assert.Null(store.Get("c"));
        Assert.Empty(store.GetAll("c"));
    }

    private sealed class Listener(List<string> calls) : IConfigUpdateListener
    {
        public void OnConnectorConfigUpdate(string connector) => calls.Add($"update {connector}");

        public void OnConnectorConfigRemove(string connector) => calls.Add($"remove {connector}");

        public void OnTaskConfigUpdate(IReadOnlyCollection<ConnectorTaskId> tasks) => calls.Add("tasks " + string.Join(",", tasks));

        public void OnConnectorTargetStateChange(string connector) => calls.Add($"target-state {connector}");

        public void OnSessionKeyUpdate(SessionKey key) => calls.Add("session-key");

        public void OnRestartRequest(RestartRequest request) => calls.Add($"restart {request.Connector}");

        public void OnLoggingLevelUpdate(string loggerNamespace, string level) => calls.Add($"logger {loggerNamespace} {level}");
    }
}
