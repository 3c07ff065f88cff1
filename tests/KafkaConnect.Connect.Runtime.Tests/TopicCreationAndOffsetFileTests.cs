using KafkaConnect.Client.Admin;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Storage;
using KafkaConnect.Connect.Sources;

namespace KafkaConnect.Connect.Runtime.Tests;

/// <summary>A source that writes one record to each topic of its comma separated "targets", then idles.</summary>
public sealed class MultiTopicSourceConnector : SourceConnector
{
    private IReadOnlyDictionary<string, string> _props = new Dictionary<string, string>();

    public override string Version() => "1";

    public override void Start(IReadOnlyDictionary<string, string> props) => _props = props;

    public override Type TaskClass => typeof(MultiTopicSourceTask);

    public override IReadOnlyList<IReadOnlyDictionary<string, string>> TaskConfigs(int maxTasks) => [_props];

    public override void Stop()
    {
    }

    public override ConfigDef Config() => new ConfigDef().Define("targets", ConfigType.List, ConfigDef.NoDefaultValue, Importance.High, "Topics.");
}

public sealed class MultiTopicSourceTask : SourceTask
{
    private string[] _targets = [];
    private bool _done;

    public override string Version() => "1";

    public override void Start(IReadOnlyDictionary<string, string> props) => _targets = props["targets"].Split(',');

    public override async ValueTask<IReadOnlyList<SourceRecord>?> PollAsync(CancellationToken cancellationToken)
    {
        if (_done)
        {
            await Task.Delay(100, cancellationToken);
            return null;
        }
        _done = true;
        return _targets.Select(t => new SourceRecord(new Dictionary<string, object?> { ["t"] = t }, new Dictionary<string, object?> { ["n"] = 1L }, t, Schema.StringSchema, "x")).ToList();
    }

    public override void Stop()
    {
    }
}

public sealed class TopicCreationAndOffsetFileTests : IClassFixture<BrokerFixture>
{
    private readonly BrokerFixture _broker;

    public TopicCreationAndOffsetFileTests(BrokerFixture broker) => _broker = broker;

    [Fact]
    public async Task TopicCreation_DefaultAndNamedGroupWithIncludeExclude_SetPartitionCounts()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var big = "big-" + run;
        var skipped = "big-skip-" + run;
        var plain = "plain-" + run;
        await using var herder = Harness.NewHerder(_broker.BootstrapServers, Path.Combine(Path.GetTempPath(), "kc-tc-" + run));
        await herder.PutConnectorConfigAsync("creator", new Dictionary<string, string>
        {
            ["connector.class"] = typeof(MultiTopicSourceConnector).FullName!,
            ["targets"] = string.Join(',', big, skipped, plain),
            ["topic.creation.default.partitions"] = "3",
            ["topic.creation.default.replication.factor"] = "1",
            ["topic.creation.groups"] = "wide",
            ["topic.creation.wide.include"] = "big-.*",
            ["topic.creation.wide.exclude"] = "big-skip-.*",
            ["topic.creation.wide.partitions"] = "5",
            ["topic.creation.wide.retention.ms"] = "1234567",
        }, allowReplace: false);

        await using var admin = new KafkaAdminClient(new Dictionary<string, string> { ["bootstrap.servers"] = _broker.BootstrapServers });
        try
        {
            await Harness.WaitUntilAsync(async () => (await herder.ConnectorActiveTopicsAsync("creator")).Count == 3);
        }
        catch (TimeoutException)
        {
            var task = await herder.TaskStatusAsync(new ConnectorTaskId("creator", 0));
            Assert.Fail($"task {task.State}: {task.Trace}; active topics: {string.Join(",", await herder.ConnectorActiveTopicsAsync("creator"))}");
        }
        var described = await admin.DescribeTopicsAsync([big, skipped, plain]);
        Assert.Equal(5, described[big].Partitions.Count);
        Assert.Equal(3, described[skipped].Partitions.Count); // excluded from "wide": the default group applies
        Assert.Equal(3, described[plain].Partitions.Count); // the broker's num.partitions is 1
        var configs = await admin.DescribeConfigsAsync([new ConfigResource(ConfigResourceType.Topic, big), new ConfigResource(ConfigResourceType.Topic, plain)]);
        Assert.Equal("1234567", configs[new ConfigResource(ConfigResourceType.Topic, big)].Single(c => c.Name == "retention.ms").Value);
        Assert.NotEqual("1234567", configs[new ConfigResource(ConfigResourceType.Topic, plain)].Single(c => c.Name == "retention.ms").Value);
        var status = await herder.TaskStatusAsync(new ConnectorTaskId("creator", 0));
        Assert.True(status.State == ConnectorState.Running, status.Trace);
    }

    private static async Task<(string Dir, string Path)> SavedStoreAsync(long position)
    {
        var dir = Directory.CreateTempSubdirectory("kc-offsets-").FullName;
        var path = Path.Combine(dir, "connect.offsets");
        var store = new FileOffsetBackingStore(path);
        store.Start();
        var writer = new OffsetStorageWriter(store, "conn");
        writer.Offset(new Dictionary<string, object?> { ["f"] = "a" }, new Dictionary<string, object?> { ["position"] = position });
        Assert.True(writer.BeginFlush());
        await writer.DoFlushAsync(CancellationToken.None);
        return (dir, path);
    }

    [Fact]
    public async Task KilledBetweenTempWriteAndRename_ThePreviousContentIsLoaded_AndTheNextSaveSucceeds()
    {
        var (dir, path) = await SavedStoreAsync(7);
        // The crash happened after the complete new content was written to the temp file but before the rename.
        var complete = File.ReadAllText(path).Replace("7", "8", StringComparison.Ordinal);
        File.WriteAllText(path + ".tmp", complete);

        var reopened = new FileOffsetBackingStore(path);
        reopened.Start();
        var reader = new OffsetStorageReader(reopened, "conn");
        Assert.Equal(7L, reader.Offset(new Dictionary<string, object?> { ["f"] = "a" })!["position"]);

        var writer = new OffsetStorageWriter(reopened, "conn");
        writer.Offset(new Dictionary<string, object?> { ["f"] = "a" }, new Dictionary<string, object?> { ["position"] = 9L });
        Assert.True(writer.BeginFlush());
        await writer.DoFlushAsync(CancellationToken.None);
        Assert.False(File.Exists(path + ".tmp"));
        var again = new FileOffsetBackingStore(path);
        again.Start();
        Assert.Equal(9L, new OffsetStorageReader(again, "conn").Offset(new Dictionary<string, object?> { ["f"] = "a" })!["position"]);
        Directory.Delete(dir, true);
    }

    [Theory]
    [InlineData("{\"version\":1,\"offsets\":[{\"key\":[\"conn\",{\"f\":\"a\"}],\"value\":{\"position\":")] // torn main file
    [InlineData("\u00ac\u00ed\u0000\u0005sr\u0000\u0011java.util.HashMap")] // Apache's Java-serialized file
    [InlineData("[1,2,3]")]
    [InlineData("{\"version\":1,\"offsets\":[1]}")]
    [InlineData("{\"version\":1,\"offsets\":[{\"key\":[\"conn\",{\"f\":\"a\"}]}]}")]
    [InlineData("{\"version\":1,\"offsets\":{}}")]
    public async Task CorruptMainFile_FailsStartWithAMessageNamingTheFile(string content)
    {
        var (dir, path) = await SavedStoreAsync(7);
        File.WriteAllText(path, content);
        var store = new FileOffsetBackingStore(path);
        var ex = Assert.Throws<ConnectException>(store.Start);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);

        // Through the herder: start-up fails with the same clear error, once, instead of retrying.
        var herderEx = Assert.Throws<ConnectException>(() => Harness.NewHerder(_broker.BootstrapServers, path));
        Assert.Contains(path, herderEx.Message, StringComparison.Ordinal);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task ConcurrentSaves_LeaveTheNewestContentOnDisk()
    {
        var dir = Directory.CreateTempSubdirectory("kc-offsets-").FullName;
        var path = Path.Combine(dir, "connect.offsets");
        var store = new FileOffsetBackingStore(path);
        store.Start();
        var key = OffsetJson.SerializeKey("conn", new Dictionary<string, object?> { ["f"] = "a" });
        var saves = new List<Task>();
        for (var i = 1; i <= 200; i++)
        {
            var value = OffsetJson.Serialize(new Dictionary<string, object?> { ["position"] = (long)i });
            saves.Add(Task.Run(() => store.SetAsync(new Dictionary<byte[], byte[]?>(ByteArrayComparer.Instance) { [key] = value })));
        }
        await Task.WhenAll(saves);
        var inMemory = OffsetJson.DeserializeMap(store.Get([key])[key])!["position"];
        var reopened = new FileOffsetBackingStore(path);
        reopened.Start();
        Assert.Equal(inMemory, OffsetJson.DeserializeMap(reopened.Get([key])[key])!["position"]);
        Directory.Delete(dir, true);
    }
}
