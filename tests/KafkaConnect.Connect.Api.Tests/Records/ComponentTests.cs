using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Connectors;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Sinks;
using KafkaConnect.Connect.Sources;
using KafkaConnect.Connect.Storage;

namespace KafkaConnect.Connect.Tests.Records;

public sealed class ComponentTests
{
    private sealed class CountingConnector : SourceConnector
    {
        private static readonly ConfigDef s_config = new ConfigDef()
            .Define("topic", ConfigType.String, ConfigDef.NoDefaultValue, ConfigDef.NonEmptyString.Instance, Importance.High, "Topic.")
            .Define("count", ConfigType.Int, 10, ConfigDef.Range.AtLeast(0), Importance.Low, "Records to emit.");

        private IReadOnlyDictionary<string, string> _props = new Dictionary<string, string>();

        public override string Version() => "1.0";

        public override void Start(IReadOnlyDictionary<string, string> props) => _props = props;

        public override Type TaskClass => typeof(CountingTask);

        public override IReadOnlyList<IReadOnlyDictionary<string, string>> TaskConfigs(int maxTasks) => [_props];

        public override void Stop()
        {
        }

        public override ConfigDef Config() => s_config;

        public void Reconfigure() => Context.RequestTaskReconfiguration();
    }

    private sealed class CountingTask : SourceTask
    {
        private long _next;

        public override string Version() => "1.0";

        public override void Start(IReadOnlyDictionary<string, string> props)
        {
            var offset = Context.OffsetStorageReader.Offset(new Dictionary<string, object?> { ["source"] = "counter" });
            _next = offset?["next"] is long n ? n : 0;
        }

        public override ValueTask<IReadOnlyList<SourceRecord>?> PollAsync(CancellationToken cancellationToken)
        {
            var record = new SourceRecord(
                new Dictionary<string, object?> { ["source"] = "counter" },
                new Dictionary<string, object?> { ["next"] = _next + 1 },
                Context.Configs["topic"], Schema.Int64Schema, _next++);
            return ValueTask.FromResult<IReadOnlyList<SourceRecord>?>([record]);
        }

        public override void Stop()
        {
        }
    }

    private sealed class FakeContext : ISourceConnectorContext, ISourceTaskContext, IOffsetStorageReader
    {
        public int Reconfigurations { get; private set; }

        public IReadOnlyDictionary<string, string> Configs { get; init; } = new Dictionary<string, string>();

        public IOffsetStorageReader OffsetStorageReader => this;

        public ITransactionContext? TransactionContext => null;

        public void RequestTaskReconfiguration() => Reconfigurations++;

        public void RaiseError(Exception error) => throw error;

        public IReadOnlyDictionary<string, object?>? Offset(IReadOnlyDictionary<string, object?> partition) =>
            SourcePartitionComparer.Instance.Equals(partition, new Dictionary<string, object?> { ["source"] = "counter" })
                ? new Dictionary<string, object?> { ["next"] = 41L }
                : null;

        public IReadOnlyDictionary<IReadOnlyDictionary<string, object?>, IReadOnlyDictionary<string, object?>?> Offsets(
            IEnumerable<IReadOnlyDictionary<string, object?>> partitions) =>
            partitions.ToDictionary(p => p, Offset, SourcePartitionComparer.Instance);
    }

    [Fact]
    public void Connector_Validate_UsesConfigDef()
    {
        var result = new CountingConnector().Validate(new Dictionary<string, string> { ["count"] = "-1" });
        Assert.Equal(2, result.ErrorCount);
        Assert.Equal(["topic", "count"], result.ConfigValues.Select(v => v.Name));
    }

    [Fact]
    public void Connector_ContextBeforeInitialize_Throws()
    {
        var connector = new CountingConnector();
        Assert.Throws<InvalidOperationException>(connector.Reconfigure);
        var context = new FakeContext();
        connector.Initialize(context);
        connector.Reconfigure();
        Assert.Equal(1, context.Reconfigurations);
    }

    [Fact]
    public async Task SourceTask_ResumesFromStoredOffset()
    {
        var task = new CountingTask();
        var props = new Dictionary<string, string> { ["topic"] = "numbers" };
        task.Initialize(new FakeContext { Configs = props });
        task.Start(props);
        var batch = await task.PollAsync(CancellationToken.None);
        var record = Assert.Single(batch!);
        Assert.Equal(41L, record.Value);
        Assert.Equal("numbers", record.Topic);
        Assert.Equal(42L, record.SourceOffset!["next"]);
    }

    private sealed class BufferingSinkTask : SinkTask
    {
        public List<SinkRecord> Buffer { get; } = [];

        public int Flushes { get; private set; }

        public override string Version() => "1.0";

        public override void Start(IReadOnlyDictionary<string, string> props)
        {
        }

        public override void Put(IReadOnlyCollection<SinkRecord> records) => Buffer.AddRange(records);

        public override void Flush(IReadOnlyDictionary<TopicPartition, OffsetAndMetadata> currentOffsets) => Flushes++;

        public override void Stop()
        {
        }
    }

    [Fact]
    public void SinkTask_DefaultPreCommit_FlushesAndReturnsOffsets()
    {
        var task = new BufferingSinkTask();
        task.Put([new SinkRecord("t", 0, null, null, null, "v", 5)]);
        var offsets = new Dictionary<TopicPartition, OffsetAndMetadata> { [new TopicPartition("t", 0)] = new(6) };
        Assert.Same(offsets, task.PreCommit(offsets));
        Assert.Equal(1, task.Flushes);
        Assert.Throws<ArgumentOutOfRangeException>(() => new OffsetAndMetadata(-1));
    }
}
