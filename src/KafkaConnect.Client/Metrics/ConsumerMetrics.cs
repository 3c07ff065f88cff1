using System.Collections.Concurrent;
using KafkaConnect.Client.Consumer;

namespace KafkaConnect.Client.Metrics;

/// <summary>
/// One consumer's consumer-metrics (network), consumer-fetch-manager-metrics and consumer-coordinator-metrics.
/// Fetches are counted per request, consumed records per partition per poll; lags are read from the partitions'
/// positions and last fetched high watermarks only when collected.
/// </summary>
internal sealed class ConsumerMetrics(string clientId) : ClientMetricsBase(clientId)
{
    private readonly ConcurrentDictionary<string, ConsumerTopicMetrics> _topics = new(StringComparer.Ordinal);
    private object? _gate;
    private Dictionary<TopicPartition, PartitionState>? _assigned;
    private bool _readCommitted;

    public long RecordsConsumed;
    public long BytesConsumed;
    public long Fetches;
    public long Commits;
    public long Joins;
    public long Syncs;
    public long Heartbeats;
    public long Rebalances;
    public long FailedRebalances;

    /// <summary>Environment.TickCount64 when the last rebalance completed; 0 before the first.</summary>
    public long LastRebalanceTicks;

    public WindowedStat FetchLatencyMs { get; } = new();

    public WindowedStat RecordsPerRequest { get; } = new();

    public WindowedStat CommitLatencyMs { get; } = new();

    public ICollection<ConsumerTopicMetrics> Topics => _topics.Values;

    public ConsumerTopicMetrics Topic(string topic) => _topics.GetOrAdd(topic, static (t, client) => new ConsumerTopicMetrics(client, t), ClientId);

    /// <summary>The consumer's partitions and the lock that guards them, read when lags are collected.</summary>
    public void Attach(object gate, Dictionary<TopicPartition, PartitionState> assigned, bool readCommitted)
    {
        _gate = gate;
        _assigned = assigned;
        _readCommitted = readCommitted;
    }

    public void RebalanceCompleted()
    {
        Interlocked.Increment(ref Rebalances);
        Interlocked.Exchange(ref LastRebalanceTicks, Math.Max(1, Environment.TickCount64));
    }

    /// <summary>Seconds since the last completed rebalance; -1 before the first (as Apache).</summary>
    public double LastRebalanceSecondsAgo
    {
        get
        {
            var at = Interlocked.Read(ref LastRebalanceTicks);
            return at == 0 ? -1 : (Environment.TickCount64 - at) / 1000;
        }
    }

    public int AssignedPartitions
    {
        get
        {
            if (_gate is null) return 0;
            lock (_gate) return _assigned!.Count;
        }
    }

    /// <summary>
    /// Lag (records between the position and the high watermark, or the last stable offset when read_committed) and
    /// lead (records between the log start offset and the position) of every partition with a position and a fetch
    /// answer so far.
    /// </summary>
    public List<(long Lag, long Lead, KeyValuePair<string, object?>[] Tags)> Lags()
    {
        var result = new List<(long, long, KeyValuePair<string, object?>[])>();
        if (_gate is null) return result;
        lock (_gate)
        {
            foreach (var s in _assigned!.Values)
            {
                var end = _readCommitted ? s.LastStableOffset : s.HighWatermark;
                if (s.Position is not { } position || end < 0) continue;
                s.MetricTags ??= [new("client_id", ClientId), new("partition", s.Partition.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    new("topic", ConsumerTopicMetrics.TopicLabel(s.Partition.Topic))];
                var lead = s.LogStartOffset >= 0 ? position - s.LogStartOffset : position;
                result.Add((Math.Max(0, end - position), lead, s.MetricTags));
            }
        }
        return result;
    }
}

/// <summary>A consumer's per-topic consumer-fetch-manager-metrics.</summary>
internal sealed class ConsumerTopicMetrics(string clientId, string topic)
{
    public long RecordsConsumed;
    public long BytesConsumed;

    public RateSet Rates { get; } = new();

    public KeyValuePair<string, object?>[] Tags { get; } = [new("client_id", clientId), new("topic", TopicLabel(topic))];

    /// <summary>Apache's consumer writes the topic tag with dots as underscores (FetchMetricsManager).</summary>
    public static string TopicLabel(string topic) => topic.Replace('.', '_');
}
