namespace KafkaConnect.Broker.Metrics;

/// <summary>
/// Kafka's BrokerTopicMetrics counts (the Count of each *PerSec meter) for one topic, or for all topics together.
/// Updated once per partition of a request with Interlocked adds, read only when metrics are collected.
/// </summary>
internal sealed class TopicCounters
{
    private long _messagesIn;
    private long _bytesIn;
    private long _bytesOut;
    private long _totalProduceRequests;
    private long _totalFetchRequests;
    private long _failedProduceRequests;
    private long _failedFetchRequests;

    public long MessagesIn => Interlocked.Read(ref _messagesIn);
    public long BytesIn => Interlocked.Read(ref _bytesIn);
    public long BytesOut => Interlocked.Read(ref _bytesOut);
    public long TotalProduceRequests => Interlocked.Read(ref _totalProduceRequests);
    public long TotalFetchRequests => Interlocked.Read(ref _totalFetchRequests);
    public long FailedProduceRequests => Interlocked.Read(ref _failedProduceRequests);
    public long FailedFetchRequests => Interlocked.Read(ref _failedFetchRequests);

    /// <summary>One partition of a Produce request: <paramref name="messages"/> records in <paramref name="bytes"/> batch bytes appended (0 for a duplicate).</summary>
    public void Produced(bool failed, long messages, long bytes)
    {
        Interlocked.Increment(ref _totalProduceRequests);
        if (failed)
        {
            Interlocked.Increment(ref _failedProduceRequests);
        }
        else if (messages > 0)
        {
            Interlocked.Add(ref _messagesIn, messages);
            Interlocked.Add(ref _bytesIn, bytes);
        }
    }

    /// <summary>One partition of a Fetch response: <paramref name="bytes"/> record bytes returned.</summary>
    public void Fetched(bool failed, long bytes)
    {
        Interlocked.Increment(ref _totalFetchRequests);
        if (failed)
        {
            Interlocked.Increment(ref _failedFetchRequests);
        }
        else if (bytes > 0)
        {
            Interlocked.Add(ref _bytesOut, bytes);
        }
    }
}
