using System.Collections.Concurrent;
using KafkaConnect.Client.Producer;

namespace KafkaConnect.Client.Metrics;

/// <summary>
/// One producer's producer-metrics and producer-topic-metrics. The sender counts per produce request and per batch,
/// never per record: records and bytes are added a batch at a time.
/// </summary>
internal sealed class ProducerMetrics(string clientId) : ClientMetricsBase(clientId)
{
    private readonly ConcurrentDictionary<string, ProducerTopicMetrics> _topics = new(StringComparer.Ordinal);

    public long RecordsSent;
    public long RecordErrors;
    public long RecordRetries;
    public int RequestsInFlight;

    /// <summary>The producer's buffer.memory, for buffer-total-bytes and buffer-available-bytes.</summary>
    public BufferMemory? Memory { get; set; }

    /// <summary>Encoded bytes per batch (compressed), at its first send.</summary>
    public WindowedStat BatchSize { get; } = new();

    /// <summary>Each batch's largest record (the encoded size upper bound used for batch.size, as in Apache).</summary>
    public WindowedStat RecordSize { get; } = new();

    public WindowedStat RecordsPerRequest { get; } = new();

    public WindowedStat RequestLatencyMs { get; } = new();

    /// <summary>Milliseconds from a batch's creation to its first send.</summary>
    public WindowedStat QueueTimeMs { get; } = new();

    public WindowedStat ThrottleTimeMs { get; } = new();

    public ICollection<ProducerTopicMetrics> Topics => _topics.Values;

    public ProducerTopicMetrics Topic(string topic) => _topics.GetOrAdd(topic, static (t, client) => new ProducerTopicMetrics(client, t), ClientId);

    /// <summary>A batch goes out for the first time (sealed): its size, largest record and time in the queue.</summary>
    public void BatchSealed(int bytes, int maxRecordSize, long queueMs)
    {
        BatchSize.Record(bytes);
        RecordSize.Record(maxRecordSize);
        QueueTimeMs.Record(queueMs);
    }

    /// <summary>Records of a batch that failed for good, or are sent again after a retriable error.</summary>
    public static void Add(ref long total, ref long topicTotal, int records)
    {
        Interlocked.Add(ref total, records);
        Interlocked.Add(ref topicTotal, records);
    }
}

/// <summary>A producer's producer-topic-metrics for one topic (topic label as is: Apache does not rewrite it here).</summary>
internal sealed class ProducerTopicMetrics(string clientId, string topic)
{
    public long RecordsSent;
    public long Bytes;
    public long RecordErrors;
    public long RecordRetries;

    public RateSet Rates { get; } = new();

    public KeyValuePair<string, object?>[] Tags { get; } = [new("client_id", clientId), new("topic", topic)];
}
