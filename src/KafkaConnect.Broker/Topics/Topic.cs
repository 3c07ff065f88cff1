using System.Globalization;
using KafkaConnect.Broker.Metrics;
using KafkaConnect.Protocol;
using KafkaConnect.Storage;

namespace KafkaConnect.Broker.Topics;

/// <summary>A topic: its id, its explicitly set configs and its partitions (replaced whole when partitions are added).</summary>
internal sealed class Topic
{
    private volatile Partition[] _partitions;

    public Topic(string name, Uuid id, IReadOnlyDictionary<string, string> configs, LogConfig logConfig, Partition[] partitions)
    {
        Name = name;
        Id = id;
        Configs = configs;
        LogConfig = logConfig;
        _partitions = partitions;
        MetricTags = [new("topic", name)];
    }

    public string Name { get; }
    public Uuid Id { get; }

    /// <summary>The configs set on this topic (not the broker defaults).</summary>
    public IReadOnlyDictionary<string, string> Configs { get; set; }
    public LogConfig LogConfig { get; set; }
    public bool IsInternal => Name.StartsWith("__", StringComparison.Ordinal);

    /// <summary>This topic's BrokerTopicMetrics; the object outlives partition changes, so the counts do too.</summary>
    public TopicCounters Counters { get; } = new();

    /// <summary>The topic label of its metrics, made once rather than at every collection.</summary>
    public KeyValuePair<string, object?>[] MetricTags { get; }

    public Partition[] Partitions
    {
        get => _partitions;
        set => _partitions = value;
    }

    public Partition? GetPartition(int index)
    {
        var p = _partitions;
        return (uint)index < (uint)p.Length ? p[index] : null;
    }
}

/// <summary>One partition: the log plus the idempotent producers' sequence state.</summary>
internal sealed class Partition
{
    public Partition(Topic topic, int index, PartitionLog log)
    {
        Topic = topic;
        Index = index;
        Log = log;
        MetricTags = [new("partition", index.ToString(CultureInfo.InvariantCulture)), new("topic", topic.Name)];
    }

    public Topic Topic { get; }
    public int Index { get; }
    public PartitionLog Log { get; }
    public ProducerStateTable Producers { get; } = new();

    /// <summary>The partition and topic labels of its metrics (sorted by name).</summary>
    public KeyValuePair<string, object?>[] MetricTags { get; }

    /// <summary>Serializes the sequence check with the append so a retried batch cannot be stored twice.</summary>
    public object AppendLock { get; } = new();

    /// <summary>Completed each time the log grows, so long-polling fetches wake up.</summary>
    public LogSignal Appended { get; } = new();
}

/// <summary>A resettable broadcast: waiters get a task that completes on the next <see cref="Pulse"/>.</summary>
internal sealed class LogSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task WaitAsync() => Volatile.Read(ref _next).Task;

    public void Pulse()
    {
        var done = Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        done.TrySetResult();
    }
}
