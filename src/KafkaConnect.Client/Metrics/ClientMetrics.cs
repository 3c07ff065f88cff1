using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace KafkaConnect.Client.Metrics;

/// <summary>
/// The producer, consumer and admin client metrics of every live client in the process, under Apache's MBean names as
/// the Prometheus JMX exporter names them by default: domain, type and attribute joined, dots and dashes as underscores,
/// the MBean's keys as labels (<c>kafka_producer_producer_metrics_record_send_total{client_id="X"}</c>). One static set
/// of observable instruments reads the registered clients when collected; clients count into plain fields.
/// </summary>
public static class ClientMetrics
{
    /// <summary>The meter every client instrument belongs to (what a MeterListener or OpenTelemetry subscribes to).</summary>
    public const string MeterName = "KafkaConnect.Client";

    public const string ProducerDomain = "kafka.producer";
    public const string ConsumerDomain = "kafka.consumer";
    public const string AdminDomain = "kafka.admin.client";

    private static readonly ConcurrentDictionary<ClientMetricsBase, byte> s_clients = new(ReferenceEqualityComparer.Instance);
    private static readonly Meter s_meter = new(MeterName);
    private static int s_producerSequence;
    private static int s_consumerSequence;
    private static int s_adminSequence;

#pragma warning disable CA1810 // The instruments must exist once, before any client is counted.
    static ClientMetrics()
#pragma warning restore CA1810
    {
        DefineNetwork<ProducerMetrics>(ProducerDomain, "producer-metrics");
        DefineNetwork<ConsumerMetrics>(ConsumerDomain, "consumer-metrics");
        DefineNetwork<AdminMetrics>(AdminDomain, "admin-client-metrics");
        DefineProducer();
        DefineConsumer();
    }

    /// <summary>The Prometheus name of Apache metric <paramref name="name"/> of MBean type <paramref name="group"/> in <paramref name="domain"/>.</summary>
    public static string PrometheusName(string domain, string group, string name)
        => string.Concat(domain, "_", group, "_", name).Replace('.', '_').Replace('-', '_');

    /// <summary>Apache's name for a producer without client.id: producer-1, producer-2, ... per process.</summary>
    internal static string DefaultProducerId() => "producer-" + Interlocked.Increment(ref s_producerSequence);

    /// <summary>Apache's name for a consumer without client.id: consumer-&lt;group&gt;-1, or consumer-1 without a group.</summary>
    internal static string DefaultConsumerId(string groupId)
        => "consumer-" + (groupId.Length > 0 ? groupId + "-" : "") + Interlocked.Increment(ref s_consumerSequence);

    internal static string DefaultAdminId() => "adminclient-" + Interlocked.Increment(ref s_adminSequence);

    internal static void Add(ClientMetricsBase client) => s_clients.TryAdd(client, 0);

    internal static void Remove(ClientMetricsBase client) => s_clients.TryRemove(client, out _);

    private static void DefineNetwork<T>(string domain, string group)
        where T : ClientMetricsBase
    {
        Counter<T>(domain, group, "request-total", "The total number of requests sent.", c => Interlocked.Read(ref c.Network.Requests));
        Counter<T>(domain, group, "response-total", "The total number of responses received.", c => Interlocked.Read(ref c.Network.Responses));
        Counter<T>(domain, group, "outgoing-byte-total", "The total number of outgoing bytes sent to all servers.", c => Interlocked.Read(ref c.Network.OutgoingBytes));
        Counter<T>(domain, group, "incoming-byte-total", "The total number of bytes read off all sockets.", c => Interlocked.Read(ref c.Network.IncomingBytes));
        Gauge<T>(domain, group, "connection-count", "The current number of active connections.", c => Volatile.Read(ref c.Network.Connections));
    }

    private static void DefineProducer()
    {
        const string D = ProducerDomain, G = "producer-metrics", T = "producer-topic-metrics";
        Counter<ProducerMetrics>(D, G, "record-send-total", "The total number of records sent.", p => Interlocked.Read(ref p.RecordsSent));
        Counter<ProducerMetrics>(D, G, "record-error-total", "The total number of record sends that resulted in errors.", p => Interlocked.Read(ref p.RecordErrors));
        Counter<ProducerMetrics>(D, G, "record-retry-total", "The total number of retried record sends.", p => Interlocked.Read(ref p.RecordRetries));
        Gauge<ProducerMetrics>(D, G, "batch-size-avg", "The average number of bytes sent per partition per-request.", p => p.BatchSize.Avg);
        Gauge<ProducerMetrics>(D, G, "batch-size-max", "The max number of bytes sent per partition per-request.", p => p.BatchSize.Max);
        Gauge<ProducerMetrics>(D, G, "record-size-max", "The maximum record size.", p => p.RecordSize.Max);
        Gauge<ProducerMetrics>(D, G, "records-per-request-avg", "The average number of records per request.", p => p.RecordsPerRequest.Avg);
        Gauge<ProducerMetrics>(D, G, "request-latency-avg", "The average request latency in ms.", p => p.RequestLatencyMs.Avg);
        Gauge<ProducerMetrics>(D, G, "request-latency-max", "The maximum request latency in ms.", p => p.RequestLatencyMs.Max);
        Gauge<ProducerMetrics>(D, G, "record-queue-time-avg", "The average time in ms record batches spent in the send buffer.", p => p.QueueTimeMs.Avg);
        Gauge<ProducerMetrics>(D, G, "record-queue-time-max", "The maximum time in ms record batches spent in the send buffer.", p => p.QueueTimeMs.Max);
        Gauge<ProducerMetrics>(D, G, "produce-throttle-time-avg", "The average time in ms a request was throttled by a broker.", p => p.ThrottleTimeMs.Avg);
        Gauge<ProducerMetrics>(D, G, "produce-throttle-time-max", "The maximum time in ms a request was throttled by a broker.", p => p.ThrottleTimeMs.Max);
        Gauge<ProducerMetrics>(D, G, "buffer-total-bytes", "The maximum amount of buffer memory the client can use (whether or not it is currently used).",
            p => p.Memory?.Total ?? 0);
        Gauge<ProducerMetrics>(D, G, "buffer-available-bytes", "The total amount of buffer memory that is not being used (either unallocated or in the free list).",
            p => p.Memory?.Available ?? 0);
        Gauge<ProducerMetrics>(D, G, "requests-in-flight", "The current number of in-flight requests awaiting a response.", p => Volatile.Read(ref p.RequestsInFlight));

        ProducerTopicCounter(PrometheusName(D, T, "record-send-total"), "The total number of records sent for a topic.", t => Interlocked.Read(ref t.RecordsSent));
        ProducerTopicCounter(PrometheusName(D, T, "byte-total"), "The total number of bytes sent for a topic.", t => Interlocked.Read(ref t.Bytes));
        ProducerTopicCounter(PrometheusName(D, T, "record-error-total"), "The total number of record sends that resulted in errors for a topic.",
            t => Interlocked.Read(ref t.RecordErrors));
        ProducerTopicCounter(PrometheusName(D, T, "record-retry-total"), "The total number of retried record sends for a topic.", t => Interlocked.Read(ref t.RecordRetries));
    }

    private static void ProducerTopicCounter(string name, string description, Func<ProducerTopicMetrics, long> read)
    {
        s_meter.CreateObservableCounter(name, () => ProducerTopics(read), description: description);
        var (rate, perSecond) = RateOf(name);
        s_meter.CreateObservableGauge(rate, () => ProducerTopics(t => t.Rates.Measure(rate, read(t)) * perSecond), description: RateDescription(description));
    }

    private static IEnumerable<Measurement<TValue>> ProducerTopics<TValue>(Func<ProducerTopicMetrics, TValue> read)
        where TValue : struct
    {
        foreach (var (client, _) in s_clients)
        {
            if (client is not ProducerMetrics p) continue;
            foreach (var t in p.Topics) yield return new Measurement<TValue>(read(t), t.Tags);
        }
    }

    private static void DefineConsumer()
    {
        const string D = ConsumerDomain, F = "consumer-fetch-manager-metrics", C = "consumer-coordinator-metrics";
        // The client-level series and the per-topic ones share a name, as the JMX exporter gives both MBeans.
        ConsumerCounterWithTopics(PrometheusName(D, F, "records-consumed-total"), "The total number of records consumed.",
            c => Interlocked.Read(ref c.RecordsConsumed), t => Interlocked.Read(ref t.RecordsConsumed));
        ConsumerCounterWithTopics(PrometheusName(D, F, "bytes-consumed-total"), "The total number of bytes consumed.",
            c => Interlocked.Read(ref c.BytesConsumed), t => Interlocked.Read(ref t.BytesConsumed));
        Counter<ConsumerMetrics>(D, F, "fetch-total", "The total number of fetch requests.", c => Interlocked.Read(ref c.Fetches));
        Gauge<ConsumerMetrics>(D, F, "fetch-latency-avg", "The average time taken for a fetch request.", c => c.FetchLatencyMs.Avg);
        Gauge<ConsumerMetrics>(D, F, "fetch-latency-max", "The max time taken for any fetch request.", c => c.FetchLatencyMs.Max);
        Gauge<ConsumerMetrics>(D, F, "records-per-request-avg", "The average number of records in each request.", c => c.RecordsPerRequest.Avg);
        s_meter.CreateObservableGauge(PrometheusName(D, F, "records-lag-max"), LagMax,
            description: "The maximum lag in terms of number of records for any partition in this window (here: of the assigned partitions now).");
        s_meter.CreateObservableGauge(PrometheusName(D, F, "records-lag"), () => PartitionLags(lead: false),
            description: "The latest lag of the partition.");
        s_meter.CreateObservableGauge(PrometheusName(D, F, "records-lead"), () => PartitionLags(lead: true),
            description: "The latest lead of the partition.");

        Counter<ConsumerMetrics>(D, C, "commit-total", "The total number of commit calls.", c => Interlocked.Read(ref c.Commits));
        Gauge<ConsumerMetrics>(D, C, "commit-latency-avg", "The average time taken for a commit request.", c => c.CommitLatencyMs.Avg);
        Gauge<ConsumerMetrics>(D, C, "commit-latency-max", "The max time taken for a commit request.", c => c.CommitLatencyMs.Max);
        Counter<ConsumerMetrics>(D, C, "join-total", "The total number of group joins.", c => Interlocked.Read(ref c.Joins));
        Counter<ConsumerMetrics>(D, C, "sync-total", "The total number of group syncs.", c => Interlocked.Read(ref c.Syncs));
        Counter<ConsumerMetrics>(D, C, "heartbeat-total", "The total number of heartbeats.", c => Interlocked.Read(ref c.Heartbeats));
        Counter<ConsumerMetrics>(D, C, "rebalance-total", "The total number of rebalance events.", c => Interlocked.Read(ref c.Rebalances));
        Counter<ConsumerMetrics>(D, C, "failed-rebalance-total", "The total number of failed rebalance events.", c => Interlocked.Read(ref c.FailedRebalances));
        Gauge<ConsumerMetrics>(D, C, "assigned-partitions", "The number of partitions currently assigned to this consumer.", c => c.AssignedPartitions);
        Gauge<ConsumerMetrics>(D, C, "last-rebalance-seconds-ago", "The number of seconds since the last rebalance event.", c => c.LastRebalanceSecondsAgo);
    }

    private static void ConsumerCounterWithTopics(string name, string description, Func<ConsumerMetrics, long> client, Func<ConsumerTopicMetrics, long> topic)
    {
        s_meter.CreateObservableCounter(name, () => ConsumerAndTopics(client, topic), description: description);
        var (rate, perSecond) = RateOf(name);
        s_meter.CreateObservableGauge(rate, () => ConsumerAndTopics(c => c.Rates.Measure(rate, client(c)) * perSecond, t => t.Rates.Measure(rate, topic(t)) * perSecond),
            description: RateDescription(description));
    }

    private static IEnumerable<Measurement<TValue>> ConsumerAndTopics<TValue>(Func<ConsumerMetrics, TValue> client, Func<ConsumerTopicMetrics, TValue> topic)
        where TValue : struct
    {
        foreach (var (c, _) in s_clients)
        {
            if (c is not ConsumerMetrics consumer) continue;
            yield return new Measurement<TValue>(client(consumer), consumer.Tags);
            foreach (var t in consumer.Topics) yield return new Measurement<TValue>(topic(t), t.Tags);
        }
    }

    private static IEnumerable<Measurement<double>> LagMax()
    {
        foreach (var (c, _) in s_clients)
        {
            if (c is not ConsumerMetrics consumer) continue;
            var lags = consumer.Lags();
            // Apache's -max of nothing is NaN.
            var max = double.NaN;
            foreach (var (lag, _, _) in lags) max = double.IsNaN(max) ? lag : Math.Max(max, lag);
            yield return new Measurement<double>(max, consumer.Tags);
        }
    }

    private static IEnumerable<Measurement<long>> PartitionLags(bool lead)
    {
        foreach (var (c, _) in s_clients)
        {
            if (c is not ConsumerMetrics consumer) continue;
            foreach (var (lag, leadValue, tags) in consumer.Lags()) yield return new Measurement<long>(lead ? leadValue : lag, tags);
        }
    }

    // Every Apache X-total here has its windowed X-rate sibling (rebalances: X-rate-per-hour), served beside it.
    private static void Counter<T>(string domain, string group, string name, string description, Func<T, long> read)
        where T : ClientMetricsBase
    {
        var total = PrometheusName(domain, group, name);
        s_meter.CreateObservableCounter(total, () => Each(read), description: description);
        var (rate, perSecond) = RateOf(total);
        s_meter.CreateObservableGauge(rate, () => Each<T, double>(c => c.Rates.Measure(rate, read(c)) * perSecond), description: RateDescription(description));
    }

    /// <summary>The rate's Prometheus name for a *_total one, and its unit in seconds (Apache's rebalance rates are per hour).</summary>
    private static (string Name, double PerSecond) RateOf(string totalName)
    {
        var stem = totalName[..^"_total".Length];
        return stem.EndsWith("_rebalance", StringComparison.Ordinal) ? (stem + "_rate_per_hour", 3600) : (stem + "_rate", 1);
    }

    private static string RateDescription(string totalDescription) =>
        "Per second (rebalances: per hour) over the last 30 to 60 s: " + totalDescription;

    private static void Gauge<T>(string domain, string group, string name, string description, Func<T, double> read)
        where T : ClientMetricsBase =>
        s_meter.CreateObservableGauge(PrometheusName(domain, group, name), () => Each(read), description: description);

    private static IEnumerable<Measurement<TValue>> Each<T, TValue>(Func<T, TValue> read)
        where T : ClientMetricsBase
        where TValue : struct
    {
        foreach (var (client, _) in s_clients)
        {
            if (client is T c) yield return new Measurement<TValue>(read(c), c.Tags);
        }
    }
}
