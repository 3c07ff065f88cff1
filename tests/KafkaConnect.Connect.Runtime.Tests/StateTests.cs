using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Connectors;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Sinks;
using KafkaConnect.Connect.Sources;

namespace KafkaConnect.Connect.Runtime.Tests;

/// <summary>A source whose task throws in Poll while the static switch is on.</summary>
public sealed class FlakySourceConnector : SourceConnector
{
    public static volatile bool Fail = true;
    private IReadOnlyDictionary<string, string> _props = new Dictionary<string, string>();

    public override string Version() => "1";

    public override void Start(IReadOnlyDictionary<string, string> props) => _props = props;

    public override Type TaskClass => typeof(FlakySourceTask);

    public override IReadOnlyList<IReadOnlyDictionary<string, string>> TaskConfigs(int maxTasks) => [_props];

    public override void Stop()
    {
    }

    public override ConfigDef Config() => new ConfigDef().Define("topic", ConfigType.String, ConfigDef.NoDefaultValue, Importance.High, "Topic.");
}

public sealed class FlakySourceTask : SourceTask
{
    private string _topic = "";
    private long _n;

    public override string Version() => "1";

    public override void Start(IReadOnlyDictionary<string, string> props) => _topic = props["topic"];

    public override async ValueTask<IReadOnlyList<SourceRecord>?> PollAsync(CancellationToken cancellationToken)
    {
        if (FlakySourceConnector.Fail)
        {
            throw new InvalidOperationException("boom in poll");
        }
        await Task.Delay(100, cancellationToken);
        return [new SourceRecord(new Dictionary<string, object?> { ["p"] = "x" }, new Dictionary<string, object?> { ["n"] = ++_n }, _topic, Schema.StringSchema, "v" + _n)];
    }

    public override void Stop()
    {
    }
}

/// <summary>A sink whose task throws in Put.</summary>
public sealed class BrokenSinkConnector : SinkConnector
{
    public override string Version() => "1";

    public override void Start(IReadOnlyDictionary<string, string> props)
    {
    }

    public override Type TaskClass => typeof(BrokenSinkTask);

    public override IReadOnlyList<IReadOnlyDictionary<string, string>> TaskConfigs(int maxTasks) => [new Dictionary<string, string>()];

    public override void Stop()
    {
    }

    public override ConfigDef Config() => new();
}

public sealed class BrokenSinkTask : SinkTask
{
    public override string Version() => "1";

    public override void Start(IReadOnlyDictionary<string, string> props)
    {
    }

    public override void Put(IReadOnlyCollection<SinkRecord> records)
    {
        if (records.Count > 0)
        {
            throw new InvalidOperationException("boom in put");
        }
    }

    public override void Stop()
    {
    }
}

public sealed class StateTests : IClassFixture<BrokerFixture>
{
    private readonly BrokerFixture _broker;

    public StateTests(BrokerFixture broker) => _broker = broker;

    private static string TempFile() => Path.Combine(Path.GetTempPath(), "kc-state-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task SourceTaskThrowingInPoll_IsFailedWithTrace_RestartRecovers_PauseResumeStop()
    {
        FlakySourceConnector.Fail = true;
        var topic = "flaky-" + Guid.NewGuid().ToString("N")[..8];
        await using var herder = Harness.NewHerder(_broker.BootstrapServers, TempFile());
        var id = new ConnectorTaskId("flaky", 0);
        await herder.PutConnectorConfigAsync("flaky", new Dictionary<string, string>
        {
            ["connector.class"] = typeof(FlakySourceConnector).FullName!, ["topic"] = topic,
        }, allowReplace: false);

        await Harness.WaitUntilAsync(async () => (await herder.TaskStatusAsync(id)).State == ConnectorState.Failed);
        var failed = await herder.TaskStatusAsync(id);
        Assert.Contains("boom in poll", failed.Trace, StringComparison.Ordinal);
        Assert.Contains("FlakySourceTask.PollAsync", failed.Trace, StringComparison.Ordinal);
        Assert.Equal(ConnectorState.Running, (await herder.ConnectorStatusAsync("flaky")).Connector.State);

        FlakySourceConnector.Fail = false;
        await herder.RestartTaskAsync(id);
        await Harness.WaitUntilAsync(async () => (await herder.TaskStatusAsync(id)).State == ConnectorState.Running);

        await herder.PauseConnectorAsync("flaky");
        var paused = await herder.ConnectorStatusAsync("flaky");
        Assert.Equal(ConnectorState.Paused, paused.Connector.State);
        Assert.Equal(ConnectorState.Paused, Assert.Single(paused.Tasks).State);

        await herder.ResumeConnectorAsync("flaky");
        await Harness.WaitUntilAsync(async () => (await herder.TaskStatusAsync(id)).State == ConnectorState.Running);

        var notStopped = await Assert.ThrowsAsync<BadRequestException>(() => herder.AlterConnectorOffsetsAsync("flaky", null));
        Assert.Contains("STOPPED state", notStopped.Message, StringComparison.Ordinal);

        await Harness.WaitUntilAsync(async () => (await herder.ConnectorActiveTopicsAsync("flaky")).Count > 0);
        await Task.Delay(300);
        await herder.StopConnectorAsync("flaky");
        var stopped = await herder.ConnectorStatusAsync("flaky");
        Assert.Equal(ConnectorState.Stopped, stopped.Connector.State);
        Assert.Empty(stopped.Tasks);
        Assert.NotEmpty(await herder.ConnectorOffsetsAsync("flaky"));
        var message = await herder.AlterConnectorOffsetsAsync("flaky", null);
        Assert.Contains("have been reset successfully", message, StringComparison.Ordinal);
        Assert.Empty(await herder.ConnectorOffsetsAsync("flaky"));

        await herder.ResumeConnectorAsync("flaky");
        await Harness.WaitUntilAsync(async () => (await herder.ConnectorStatusAsync("flaky")).Tasks.Count == 1);
        await herder.DeleteConnectorAsync("flaky");
        await Assert.ThrowsAsync<NotFoundException>(() => herder.ConnectorStatusAsync("flaky"));
    }

    [Fact]
    public async Task SinkTaskThrowingInPut_IsFailed_WorkerKeepsRunning()
    {
        var herder = Harness.NewHerder(_broker.BootstrapServers, TempFile());
        await using var _ = herder;
        var topic = "broken-" + Guid.NewGuid().ToString("N")[..8];
        await using (var producer = new KafkaConnect.Client.Producer.KafkaProducer(new Dictionary<string, string> { ["bootstrap.servers"] = _broker.BootstrapServers }))
        {
            await producer.ProduceAsync(new KafkaConnect.Client.Producer.ProducerRecord(topic, null, "{\"schema\":null,\"payload\":1}"u8.ToArray()));
        }
        await herder.PutConnectorConfigAsync("broken", new Dictionary<string, string>
        {
            ["connector.class"] = typeof(BrokenSinkConnector).FullName!, ["topics"] = topic,
        }, allowReplace: false);
        var id = new ConnectorTaskId("broken", 0);
        await Harness.WaitUntilAsync(async () => (await herder.TaskStatusAsync(id)).State == ConnectorState.Failed);
        Assert.Contains("boom in put", (await herder.TaskStatusAsync(id)).Trace, StringComparison.Ordinal);
        Assert.Contains("broken", await herder.ConnectorsAsync());
    }

    [Fact]
    public async Task InvalidConfigs_AreRejectedWithClearMessages()
    {
        await using var herder = Harness.NewHerder(_broker.BootstrapServers, TempFile());
        var unknown = await Assert.ThrowsAsync<BadRequestException>(() => herder.PutConnectorConfigAsync("x",
            new Dictionary<string, string> { ["connector.class"] = "NoSuchConnector" }, false));
        Assert.Contains("NoSuchConnector", unknown.Message, StringComparison.Ordinal);

        var noTopics = await Assert.ThrowsAsync<ConfigException>(() => herder.PutConnectorConfigAsync("y",
            new Dictionary<string, string> { ["connector.class"] = "FileStreamSink" }, false));
        Assert.Contains("Must configure one of topics or topics.regex", noTopics.Message, StringComparison.Ordinal);

        var transforms = await herder.ValidateConnectorConfigAsync("FileStreamSource",
            new Dictionary<string, string> { ["name"] = "z", ["topic"] = "t", ["transforms"] = "a" });
        // Transforms are supported: an alias without its type is reported on transforms.<alias>.type.
        Assert.Equal(1, transforms.ErrorCount);
        Assert.Contains(transforms.Configs, c => c.Value.Name == "transforms.a.type" && c.Value.Errors.Count == 1);
    }
}
