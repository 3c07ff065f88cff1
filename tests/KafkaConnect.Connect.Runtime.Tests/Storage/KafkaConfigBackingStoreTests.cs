using System.Collections.Concurrent;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Storage;
using KafkaConnect.Connect.Runtime.Storage.Kafka;
using KafkaConnect.Connect.Runtime.Worker;
using Microsoft.Extensions.Logging.Abstractions;
using static KafkaConnect.Connect.Runtime.Tests.Storage.StorageTestKit;

namespace KafkaConnect.Connect.Runtime.Tests.Storage;

public sealed class KafkaConfigBackingStoreTests : IClassFixture<BrokerFixture>
{
    private readonly BrokerFixture _broker;

    public KafkaConfigBackingStoreTests(BrokerFixture broker) => _broker = broker;

    private KafkaConfigBackingStore NewStore(string topic, int partitions = 1) =>
        new(Options(_broker.BootstrapServers, topic, partitions), NullLoggerFactory.Instance);

    [Fact]
    public async Task Writes_every_record_kind_byte_for_byte_as_Apache()
    {
        var topic = NewTopic("connect-configs");
        await using (var store = NewStore(topic))
        {
            await store.StartAsync();
            await store.PutConnectorConfigAsync("c1", new Dictionary<string, string>
            {
                ["connector.class"] = "FileStreamSource",
                ["file"] = "/tmp/a \"b\"\\c\tü",
            }, TargetState.Stopped);
            await store.PutTaskConfigsAsync("c1", [new Dictionary<string, string> { ["t"] = "0" }, new Dictionary<string, string> { ["t"] = "1" }]);
            await store.PutTargetStateAsync("c1", TargetState.Paused);
            await store.PutTargetStateAsync("c1", TargetState.Started);
            await store.PutSessionKeyAsync(new SessionKey([1, 2, 3, 250], "HmacSHA256", 1700000000123));
            await store.PutRestartRequestAsync(new RestartRequest("c1", OnlyFailed: true, IncludeTasks: false));
            await store.PutLoggerLevelAsync("org.apache.kafka.connect", "DEBUG");

            var snapshot = store.Snapshot();
            Assert.Equal(10, snapshot.Offset);
            Assert.Equal("FileStreamSource", snapshot.ConnectorConfig("c1")!["connector.class"]);
            Assert.Equal(2, snapshot.TaskCount("c1"));
            Assert.Equal("1", snapshot.TaskConfig(new ConnectorTaskId("c1", 1))!["t"]);
            Assert.Equal(TargetState.Started, snapshot.TargetState("c1"));
            Assert.Equal([1, 2, 3, 250], snapshot.SessionKey!.Key);

            await store.RemoveConnectorConfigAsync("c1");
            Assert.False(store.Snapshot().Contains("c1"));
            Assert.Equal(0, store.Snapshot().TaskCount("c1"));
        }

        var records = await ReadAllAsync(_broker.BootstrapServers, topic);
        Assert.Equal(
        [
            new("target-state-c1", """{"state":"PAUSED","state.v2":"STOPPED"}""", 0, 0),
            new("connector-c1", """{"properties":{"connector.class":"FileStreamSource","file":"/tmp/a \"b\"\\c\tü"}}""", 0, 1),
            new("task-c1-0", """{"properties":{"t":"0"}}""", 0, 2),
            new("task-c1-1", """{"properties":{"t":"1"}}""", 0, 3),
            new("commit-c1", """{"tasks":2}""", 0, 4),
            new("target-state-c1", """{"state":"PAUSED","state.v2":"PAUSED"}""", 0, 5),
            new("target-state-c1", """{"state":"STARTED","state.v2":"STARTED"}""", 0, 6),
            new("session-key", """{"key":"AQID+g==","algorithm":"HmacSHA256","creation-timestamp":1700000000123}""", 0, 7),
            new("restart-connector-c1", """{"include-tasks":false,"only-failed":true}""", 0, 8),
            new("logger-cluster-org.apache.kafka.connect", """{"level":"DEBUG"}""", 0, 9),
            new("connector-c1", null, 0, 10),
            new("target-state-c1", null, 0, 11),
        ], records);
        Assert.Equal("compact", await CleanupPolicyAsync(_broker.BootstrapServers, topic));
    }

    [Fact]
    public async Task Reads_records_written_by_Apache_and_notifies_only_after_start()
    {
        var topic = NewTopic("connect-configs");
        await CreateTopicAsync(_broker.BootstrapServers, topic, 1);
        await ProduceAsync(_broker.BootstrapServers, topic,
            ("connector-src", """{"properties":{"connector.class":"org.apache.kafka.connect.file.FileStreamSourceConnector","tasks.max":"2","name":"src"}}""", null),
            ("task-src-0", """{"properties":{"task.class":"T","file":"a"}}""", null),
            ("task-src-1", """{"properties":{"task.class":"T","file":"b"}}""", null),
            ("commit-src", """{"tasks":2}""", null),
            ("target-state-src", """{"state":"PAUSED","state.v2":"STOPPED"}""", null),
            ("connector-old", """{"properties":{"connector.class":"X"}}""", null),
            ("target-state-old", """{"state":"PAUSED"}""", null),
            ("session-key", """{"key":"c2VjcmV0LWtleQ==","algorithm":"HmacSHA256","creation-timestamp":1718000000000}""", null),
            ("tasks-fencing-src", """{"task-count":2}""", null),
            ("logger-cluster-org.apache.kafka.connect", """{"level":"DEBUG"}""", null),
            ("something-unknown", "not json", null),
            ("restart-connector-src", """{"include-tasks":true,"only-failed":true}""", null));

        var listener = new RecordingListener();
        await using var store = NewStore(topic);
        store.Listener = listener;
        await store.StartAsync();

        var snapshot = store.Snapshot();
        Assert.Equal(12, snapshot.Offset);
        Assert.Equal(["old", "src"], snapshot.Connectors.Order());
        Assert.Equal("2", snapshot.ConnectorConfig("src")!["tasks.max"]);
        Assert.Equal(["a", "b"], snapshot.TaskConfigsOf("src").Select(t => t["file"]));
        Assert.Equal(TargetState.Stopped, snapshot.TargetState("src"));
        Assert.Equal(TargetState.Paused, snapshot.TargetState("old"));
        Assert.Equal("secret-key"u8.ToArray(), snapshot.SessionKey!.Key);
        Assert.Equal("HmacSHA256", snapshot.SessionKey.Algorithm);
        Assert.Equal(1718000000000, snapshot.SessionKey.CreationTimestamp);
        Assert.Empty(snapshot.Inconsistent);
        Assert.Empty(listener.Calls); // the initial load is state, not updates

        await ProduceAsync(_broker.BootstrapServers, topic,
            ("restart-connector-src", """{"include-tasks":true,"only-failed":false}""", null),
            ("target-state-src", """{"state":"STARTED","state.v2":"STARTED"}""", null),
            ("session-key", """{"key":"AAE=","algorithm":"HmacSHA256","creation-timestamp":5}""", null),
            ("logger-cluster-org.apache.kafka.connect", """{"level":"TRACE"}""", null),
            ("connector-src", null, null));
        Assert.True(await store.RefreshAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(
        [
            "restart src onlyFailed=False includeTasks=True",
            "target-state src",
            "session-key 5",
            "logger org.apache.kafka.connect TRACE",
            "remove src",
        ], listener.Calls);
        Assert.False(store.Snapshot().Contains("src"));
        Assert.Empty(store.Snapshot().TaskConfigsOf("src"));
    }

    [Fact]
    public async Task Task_configs_wait_for_their_commit_and_a_short_commit_makes_the_connector_inconsistent()
    {
        var topic = NewTopic("connect-configs");
        await CreateTopicAsync(_broker.BootstrapServers, topic, 1);
        await ProduceAsync(_broker.BootstrapServers, topic,
            ("connector-c", """{"properties":{"connector.class":"X"}}""", null),
            ("task-c-0", """{"properties":{"n":"0"}}""", null),
            ("task-c-1", """{"properties":{"n":"1"}}""", null));
        var listener = new RecordingListener();
        await using var store = NewStore(topic);
        store.Listener = listener;
        await store.StartAsync();
        Assert.Equal(0, store.Snapshot().TaskCount("c"));

        // A commit for three tasks when only two were written (as after compaction of an older task record).
        await ProduceAsync(_broker.BootstrapServers, topic, ("commit-c", """{"tasks":3}""", null));
        Assert.True(await store.RefreshAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("c", store.Snapshot().Inconsistent);
        Assert.Empty(store.Snapshot().TaskConfigsOf("c"));
        Assert.Equal(["tasks "], listener.Calls);

        await store.PutTaskConfigsAsync("c", [new Dictionary<string, string> { ["n"] = "a" }, new Dictionary<string, string> { ["n"] = "b" }]);
        var snapshot = store.Snapshot();
        Assert.DoesNotContain("c", snapshot.Inconsistent);
        Assert.Equal(["a", "b"], snapshot.TaskConfigsOf("c").Select(t => t["n"]));
        Assert.Equal("tasks c-0,c-1", listener.Calls[^1]);

        // Fewer tasks later: the old task-c-1 record stays in the topic but does not count.
        await store.PutTaskConfigsAsync("c", [new Dictionary<string, string> { ["n"] = "only" }]);
        Assert.Equal(["only"], store.Snapshot().TaskConfigsOf("c").Select(t => t["n"]));
    }

    [Fact]
    public async Task Refuses_an_existing_topic_that_is_not_compacted_without_writing_to_it()
    {
        var topic = NewTopic("connect-configs");
        await CreateTopicAsync(_broker.BootstrapServers, topic, 1, cleanupPolicy: "delete");
        await using var store = NewStore(topic);
        var ex = await Assert.ThrowsAsync<ConfigException>(() => store.StartAsync());
        Assert.Equal($"Topic '{topic}' supplied via the 'config.storage.topic' property is required to have 'cleanup.policy=compact' to "
            + "guarantee consistency and durability of connector configurations, but found the topic currently has 'cleanup.policy=delete'. "
            + "Continuing would likely result in eventually losing connector configurations and problems restarting this Connect cluster "
            + "in the future. Change the 'config.storage.topic' property in the Connect worker configurations to use a topic with "
            + "'cleanup.policy=compact'.", ex.Message);
        Assert.Equal(0, await EndOffsetAsync(_broker.BootstrapServers, topic));
        Assert.Equal("delete", await CleanupPolicyAsync(_broker.BootstrapServers, topic));
    }

    [Fact]
    public async Task Refuses_a_config_topic_with_more_than_one_partition()
    {
        var topic = NewTopic("connect-configs");
        await CreateTopicAsync(_broker.BootstrapServers, topic, 2);
        await using var store = NewStore(topic);
        var ex = await Assert.ThrowsAsync<ConfigException>(() => store.StartAsync());
        Assert.Equal($"Topic '{topic}' supplied via the 'config.storage.topic' property is required to have a single partition in order to "
            + "guarantee consistency of connector configurations, but found 2 partitions.", ex.Message);
        Assert.Equal(0, await EndOffsetAsync(_broker.BootstrapServers, topic));
    }

    [Fact]
    public async Task Creates_the_config_topic_with_one_partition_whatever_is_asked()
    {
        var topic = NewTopic("connect-configs");
        await using var store = NewStore(topic, partitions: 5);
        await store.StartAsync();
        Assert.Equal(1, await PartitionCountAsync(_broker.BootstrapServers, topic));
        Assert.Equal(-1, store.Snapshot().Offset);
    }

    private sealed class RecordingListener : IConfigUpdateListener
    {
        private readonly ConcurrentQueue<string> _calls = new();

        public List<string> Calls => [.. _calls];

        public void OnConnectorConfigUpdate(string connector) => _calls.Enqueue($"update {connector}");

        public void OnConnectorConfigRemove(string connector) => _calls.Enqueue($"remove {connector}");

        public void OnTaskConfigUpdate(IReadOnlyCollection<ConnectorTaskId> tasks) =>
            _calls.Enqueue("tasks " + string.Join(",", tasks.OrderBy(t => t.Task).Select(t => t.ToString())));

        public void OnConnectorTargetStateChange(string connector) => _calls.Enqueue($"target-state {connector}");

        public void OnSessionKeyUpdate(SessionKey key) => _calls.Enqueue($"session-key {key.CreationTimestamp}");

        public void OnRestartRequest(RestartRequest request) =>
            _calls.Enqueue($"restart {request.Connector} onlyFailed={request.OnlyFailed} includeTasks={request.IncludeTasks}");

        public void OnLoggingLevelUpdate(string loggerNamespace, string level) => _calls.Enqueue($"logger {loggerNamespace} {level}");
    }
}
