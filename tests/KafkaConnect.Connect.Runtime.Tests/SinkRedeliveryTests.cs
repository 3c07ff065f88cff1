using System.Collections.Concurrent;
using KafkaConnect.Client.Admin;
using KafkaConnect.Client.Producer;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Sinks;
using ClientTopicPartition = KafkaConnect.Client.Consumer.TopicPartition;

namespace KafkaConnect.Connect.Runtime.Tests;

/// <summary>What one test's probe sink tasks saw, and how they should behave; shared by test and tasks by id.</summary>
public sealed class SinkProbe
{
    private static readonly ConcurrentDictionary<string, SinkProbe> s_probes = new(StringComparer.Ordinal);

    public string Id { get; } = Guid.NewGuid().ToString("N");

    /// <summary>(task, topic, partition, offset, time) of every record handed to Put, in order.</summary>
    public ConcurrentQueue<(int Task, TopicPartition Tp, long Offset, long AtMs)> Delivered { get; } = new();

    public ConcurrentQueue<(int Task, TopicPartition[] Partitions)> Opened { get; } = new();

    public ConcurrentQueue<(int Task, TopicPartition[] Partitions)> Closed { get; } = new();

    /// <summary>Put throws RetriableException this many times for non-empty batches, after asking for this timeout.</summary>
    public int RetriableFailures;

    public long RetryTimeoutMs;

    /// <summary>(first put time, failed offsets) of the failed deliveries.</summary>
    public ConcurrentQueue<(long AtMs, long[] Offsets)> Failures { get; } = new();

    /// <summary>When Put first sees this offset, it asks once to rewind to SeekTo.</summary>
    public long SeekWhenSeen = -1;

    public long SeekTo;

    /// <summary>Partitions to pause in Open; resumed by Put once ResumeRequested is set.</summary>
    public TopicPartition[] PauseOnOpen = [];

    public volatile bool ResumeRequested;

    public static SinkProbe New()
    {
        var probe = new SinkProbe();
        s_probes[probe.Id] = probe;
        return probe;
    }

    public static SinkProbe Get(string id) => s_probes[id];

    public List<long> OffsetsOf(TopicPartition tp) => Delivered.Where(d => d.Tp == tp).Select(d => d.Offset).ToList();
}

public sealed class ProbeSinkConnector : SinkConnector
{
    private IReadOnlyDictionary<string, string> _props = new Dictionary<string, string>();

    public override string Version() => "1";

    public override void Start(IReadOnlyDictionary<string, string> props) => _props = props;

    public override Type TaskClass => typeof(ProbeSinkTask);

    public override IReadOnlyList<IReadOnlyDictionary<string, string>> TaskConfigs(int maxTasks)
    {
        var configs = new List<IReadOnlyDictionary<string, string>>();
        for (var i = 0; i < maxTasks; i++)
        {
            configs.Add(new Dictionary<string, string>(_props) { ["probe.task"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }
        return configs;
    }

    public override void Stop()
    {
    }

    public override ConfigDef Config() => new ConfigDef().Define("probe", ConfigType.String, ConfigDef.NoDefaultValue, Importance.High, "Probe id.");
}

public sealed class ProbeSinkTask : SinkTask
{
    private SinkProbe _probe = null!;
    private int _task;
    private bool _sought;
    private bool _resumed;

    public override string Version() => "1";

    public override void Start(IReadOnlyDictionary<string, string> props)
    {
        _probe = SinkProbe.Get(props["probe"]);
        _task = int.Parse(props["probe.task"], System.Globalization.CultureInfo.InvariantCulture);
    }

    public override void Open(IReadOnlyCollection<TopicPartition> partitions)
    {
        _probe.Opened.Enqueue((_task, partitions.ToArray()));
        var pause = _probe.PauseOnOpen.Where(partitions.Contains).ToArray();
        if (pause.Length > 0)
        {
            Context.Pause(pause);
        }
    }

    public override void Close(IReadOnlyCollection<TopicPartition> partitions) => _probe.Closed.Enqueue((_task, partitions.ToArray()));

    public override void Put(IReadOnlyCollection<SinkRecord> records)
    {
        if (_probe.ResumeRequested && !_resumed && _probe.PauseOnOpen.Length > 0)
        {
            _resumed = true;
            Context.Resume(_probe.PauseOnOpen);
        }
        if (records.Count == 0)
        {
            return;
        }
        if (Interlocked.Decrement(ref _probe.RetriableFailures) >= 0)
        {
            _probe.Failures.Enqueue((Environment.TickCount64, records.Select(r => r.KafkaOffset).ToArray()));
            if (_probe.RetryTimeoutMs > 0)
            {
                Context.Timeout(_probe.RetryTimeoutMs);
            }
            throw new RetriableException("not now");
        }
        foreach (var r in records)
        {
            _probe.Delivered.Enqueue((_task, new TopicPartition(r.Topic, r.KafkaPartition ?? -1), r.KafkaOffset, Environment.TickCount64));
            if (!_sought && r.KafkaOffset == _probe.SeekWhenSeen)
            {
                _sought = true;
                Context.Offset(new TopicPartition(r.Topic, r.KafkaPartition ?? -1), _probe.SeekTo);
            }
        }
    }

    public override void Stop()
    {
    }
}

public sealed class SinkRedeliveryTests : IClassFixture<BrokerFixture>
{
    private readonly BrokerFixture _broker;

    public SinkRedeliveryTests(BrokerFixture broker) => _broker = broker;

    private static string TempFile() => Path.Combine(Path.GetTempPath(), "kc-sink-" + Guid.NewGuid().ToString("N"));

    private static string NewTopic(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private async Task CreateTopicAsync(string topic, int partitions)
    {
        await using var admin = new KafkaAdminClient(new Dictionary<string, string> { ["bootstrap.servers"] = _broker.BootstrapServers });
        await admin.CreateTopicsAsync([new NewTopic(topic, partitions, 1)]);
    }

    private async Task ProduceAsync(string topic, int partition, int count)
    {
        await using var producer = new KafkaProducer(new Dictionary<string, string> { ["bootstrap.servers"] = _broker.BootstrapServers });
        for (var i = 0; i < count; i++)
        {
            await producer.ProduceAsync(new ProducerRecord(topic, null, System.Text.Encoding.UTF8.GetBytes($"{{\"schema\":null,\"payload\":{i}}}"), Partition: partition));
        }
    }

    private static Dictionary<string, string> SinkConfig(SinkProbe probe, string topic, int tasks = 1) => new()
    {
        ["connector.class"] = typeof(ProbeSinkConnector).FullName!,
        ["topics"] = topic,
        ["probe"] = probe.Id,
        ["tasks.max"] = tasks.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task RetriableExceptionFromPut_RedeliversTheSameRecords_AfterTheRequestedTimeout()
    {
        var topic = NewTopic("retry");
        await CreateTopicAsync(topic, 1);
        await ProduceAsync(topic, 0, 3);
        var probe = SinkProbe.New();
        probe.RetriableFailures = 2;
        probe.RetryTimeoutMs = 400;
        // As in Apache, the retry wait is capped by the next offset commit: keep commits out of the way.
        await using var herder = Harness.NewHerder(_broker.BootstrapServers, TempFile(), new Dictionary<string, string> { ["offset.flush.interval.ms"] = "60000" });
        await herder.PutConnectorConfigAsync("retry", SinkConfig(probe, topic), allowReplace: false);
        var tp = new TopicPartition(topic, 0);

        await Harness.WaitUntilAsync(() => probe.OffsetsOf(tp).Contains(2));
        var failures = probe.Failures.ToArray();
        Assert.Equal(2, failures.Length);
        Assert.Equal(failures[0].Offsets, failures[1].Offsets); // the very same batch again
        Assert.True(failures[1].AtMs - failures[0].AtMs >= 300, $"redelivered after {failures[1].AtMs - failures[0].AtMs} ms");
        var delivered = probe.OffsetsOf(tp);
        Assert.Equal([0L, 1L, 2L], delivered);
        Assert.True(probe.Delivered.First().AtMs - failures[1].AtMs >= 300);
        Assert.Equal(ConnectorState.Running, (await herder.TaskStatusAsync(new ConnectorTaskId("retry", 0))).State);
    }

    [Fact]
    public async Task SinkTaskContextOffset_RewindsThePartition()
    {
        var topic = NewTopic("seek");
        await CreateTopicAsync(topic, 1);
        await ProduceAsync(topic, 0, 4);
        var probe = SinkProbe.New();
        probe.SeekWhenSeen = 3;
        probe.SeekTo = 1;
        await using var herder = Harness.NewHerder(_broker.BootstrapServers, TempFile());
        await herder.PutConnectorConfigAsync("seek", SinkConfig(probe, topic), allowReplace: false);
        var tp = new TopicPartition(topic, 0);

        await Harness.WaitUntilAsync(() => probe.OffsetsOf(tp).Count >= 7);
        await Task.Delay(300);
        Assert.Equal([0L, 1L, 2L, 3L, 1L, 2L, 3L], probe.OffsetsOf(tp));
    }

    [Fact]
    public async Task PausedPartition_IsNotDelivered_UntilResumed()
    {
        var topic = NewTopic("pause");
        await CreateTopicAsync(topic, 2);
        await ProduceAsync(topic, 0, 2);
        await ProduceAsync(topic, 1, 2);
        var probe = SinkProbe.New();
        var p1 = new TopicPartition(topic, 1);
        probe.PauseOnOpen = [p1];
        await using var herder = Harness.NewHerder(_broker.BootstrapServers, TempFile());
        await herder.PutConnectorConfigAsync("pause", SinkConfig(probe, topic), allowReplace: false);

        await Harness.WaitUntilAsync(() => probe.OffsetsOf(new TopicPartition(topic, 0)).Count == 2);
        await Task.Delay(1000);
        Assert.Empty(probe.OffsetsOf(p1));

        probe.ResumeRequested = true;
        await Harness.WaitUntilAsync(() => probe.OffsetsOf(p1).Count == 2);
        Assert.Equal([0L, 1L], probe.OffsetsOf(p1));
    }

    [Fact]
    public async Task TwoTasksOnFourPartitions_EachOpensTwo_AndClosesThemOnStop()
    {
        var topic = NewTopic("open");
        await CreateTopicAsync(topic, 4);
        var probe = SinkProbe.New();
        await using var herder = Harness.NewHerder(_broker.BootstrapServers, TempFile());
        await herder.PutConnectorConfigAsync("open", SinkConfig(probe, topic, tasks: 2), allowReplace: false);

        // Assignment settles once both members joined; the open set per task is what remains open.
        await Harness.WaitUntilAsync(() => OpenNow(probe, 0).Count == 2 && OpenNow(probe, 1).Count == 2);
        var all = OpenNow(probe, 0).Concat(OpenNow(probe, 1)).Select(tp => tp.Partition).Order().ToList();
        Assert.Equal([0, 1, 2, 3], all);
        Assert.All(probe.Opened.SelectMany(o => o.Partitions), tp => Assert.Equal(topic, tp.Topic));

        await herder.StopConnectorAsync("open");
        Assert.Empty(OpenNow(probe, 0));
        Assert.Empty(OpenNow(probe, 1));
    }

    /// <summary>Partitions a task opened and has not closed since.</summary>
    private static HashSet<TopicPartition> OpenNow(SinkProbe probe, int task)
    {
        var open = new HashSet<TopicPartition>();
        // A partition is open when the task opened it more often than it closed it.
        var counts = new Dictionary<TopicPartition, int>();
        foreach (var (t, ps) in probe.Opened)
        {
            if (t == task)
            {
                foreach (var tp in ps)
                {
                    counts[tp] = counts.GetValueOrDefault(tp) + 1;
                }
            }
        }
        foreach (var (t, ps) in probe.Closed)
        {
            if (t == task)
            {
                foreach (var tp in ps)
                {
                    counts[tp] = counts.GetValueOrDefault(tp) - 1;
                }
            }
        }
        foreach (var (tp, n) in counts)
        {
            if (n > 0)
            {
                open.Add(tp);
            }
        }
        return open;
    }

    [Fact]
    public async Task SinkOffsets_AlterAndResetOnAStoppedConnector_ChangeTheConsumerGroup()
    {
        var topic = NewTopic("sinkoff");
        await CreateTopicAsync(topic, 2);
        await ProduceAsync(topic, 0, 3);
        await ProduceAsync(topic, 1, 2);
        var probe = SinkProbe.New();
        await using var herder = Harness.NewHerder(_broker.BootstrapServers, TempFile());
        await herder.PutConnectorConfigAsync("sinkoff", SinkConfig(probe, topic), allowReplace: false);
        await using var admin = new KafkaAdminClient(new Dictionary<string, string> { ["bootstrap.servers"] = _broker.BootstrapServers });
        var c0 = new ClientTopicPartition(topic, 0);
        var c1 = new ClientTopicPartition(topic, 1);

        async Task<IReadOnlyDictionary<ClientTopicPartition, KafkaConnect.Client.Admin.OffsetAndMetadata>> Committed() =>
            await admin.ListConsumerGroupOffsetsAsync("connect-sinkoff");

        await Harness.WaitUntilAsync(async () =>
        {
            var c = await Committed();
            return c.TryGetValue(c0, out var a) && a.Offset == 3 && c.TryGetValue(c1, out var b) && b.Offset == 2;
        });

        await herder.StopConnectorAsync("sinkoff");
        var shown = await herder.ConnectorOffsetsAsync("sinkoff");
        Assert.Equal(2, shown.Count);

        var message = await herder.AlterConnectorOffsetsAsync("sinkoff",
        [
            new ConnectorOffset(new Dictionary<string, object?> { ["kafka_topic"] = topic, ["kafka_partition"] = 0L },
                new Dictionary<string, object?> { ["kafka_offset"] = 1L }),
            new ConnectorOffset(new Dictionary<string, object?> { ["kafka_topic"] = topic, ["kafka_partition"] = 1L },
                new Dictionary<string, object?> { ["kafka_offset"] = 0L }),
        ]);
        Assert.Contains("altered successfully", message, StringComparison.Ordinal);
        var altered = await Committed();
        Assert.Equal(1L, altered[c0].Offset);
        Assert.Equal(0L, altered[c1].Offset);

        message = await herder.AlterConnectorOffsetsAsync("sinkoff", null);
        Assert.Contains("reset successfully", message, StringComparison.Ordinal);
        var reset = await Committed();
        Assert.DoesNotContain(reset, kv => kv.Key.Topic == topic && kv.Value.Offset >= 0);
        Assert.Empty(await herder.ConnectorOffsetsAsync("sinkoff"));

        // Resumed, the sink starts over from the beginning (auto.offset.reset=earliest) of both partitions.
        var before = probe.Delivered.Count;
        await herder.ResumeConnectorAsync("sinkoff");
        await Harness.WaitUntilAsync(() => probe.Delivered.Count >= before + 5);
    }

    [Fact]
    public async Task SinkOffsets_NullOffsetForOnePartition_ResetsOnlyThatPartition()
    {
        var topic = NewTopic("sinknull");
        await CreateTopicAsync(topic, 2);
        await ProduceAsync(topic, 0, 2);
        await ProduceAsync(topic, 1, 2);
        var probe = SinkProbe.New();
        await using var herder = Harness.NewHerder(_broker.BootstrapServers, TempFile());
        await herder.PutConnectorConfigAsync("sinknull", SinkConfig(probe, topic), allowReplace: false);
        await using var admin = new KafkaAdminClient(new Dictionary<string, string> { ["bootstrap.servers"] = _broker.BootstrapServers });
        await Harness.WaitUntilAsync(async () => (await admin.ListConsumerGroupOffsetsAsync("connect-sinknull")).Count(kv => kv.Value.Offset == 2) == 2);
        await herder.StopConnectorAsync("sinknull");

        await herder.AlterConnectorOffsetsAsync("sinknull",
            [new ConnectorOffset(new Dictionary<string, object?> { ["kafka_topic"] = topic, ["kafka_partition"] = 1L }, null)]);
        var committed = await admin.ListConsumerGroupOffsetsAsync("connect-sinknull");
        Assert.Equal(2L, committed[new ClientTopicPartition(topic, 0)].Offset);
        Assert.False(committed.TryGetValue(new ClientTopicPartition(topic, 1), out var p1) && p1.Offset >= 0);
    }

    [Fact]
    public async Task SinkOffsets_AlterAndNullInOnePatch_AltersOneAndResetsTheOther()
    {
        var topic = NewTopic("sinkmix");
        await CreateTopicAsync(topic, 2);
        await ProduceAsync(topic, 0, 3);
        await ProduceAsync(topic, 1, 3);
        var probe = SinkProbe.New();
        await using var herder = Harness.NewHerder(_broker.BootstrapServers, TempFile());
        await herder.PutConnectorConfigAsync("sinkmix", SinkConfig(probe, topic), allowReplace: false);
        await using var admin = new KafkaAdminClient(new Dictionary<string, string> { ["bootstrap.servers"] = _broker.BootstrapServers });
        await Harness.WaitUntilAsync(async () => (await admin.ListConsumerGroupOffsetsAsync("connect-sinkmix")).Count(kv => kv.Value.Offset == 3) == 2);
        await herder.StopConnectorAsync("sinkmix");

        var bad = await Assert.ThrowsAsync<BadRequestException>(() => herder.AlterConnectorOffsetsAsync("sinkmix",
            [new ConnectorOffset(new Dictionary<string, object?> { ["kafka_topic"] = topic, ["kafka_partition"] = 0L },
                new Dictionary<string, object?> { ["offset"] = 1L })]));
        Assert.Contains("kafka_offset", bad.Message, StringComparison.Ordinal);

        var message = await herder.AlterConnectorOffsetsAsync("sinkmix",
        [
            new ConnectorOffset(new Dictionary<string, object?> { ["kafka_topic"] = topic, ["kafka_partition"] = 0L },
                new Dictionary<string, object?> { ["kafka_offset"] = 1L }),
            new ConnectorOffset(new Dictionary<string, object?> { ["kafka_topic"] = topic, ["kafka_partition"] = 1L }, null),
        ]);
        Assert.Contains("altered successfully", message, StringComparison.Ordinal);
        var committed = await admin.ListConsumerGroupOffsetsAsync("connect-sinkmix");
        Assert.Equal(1L, Assert.Single(committed).Value.Offset);
        Assert.Equal(new ClientTopicPartition(topic, 0), Assert.Single(committed).Key);

        // Resumed: partition 0 redelivers from offset 1 (2 records), partition 1 from the beginning (3 records).
        var before = probe.Delivered.Count;
        await herder.ResumeConnectorAsync("sinkmix");
        await Harness.WaitUntilAsync(() => probe.Delivered.Count >= before + 5);
    }
}
