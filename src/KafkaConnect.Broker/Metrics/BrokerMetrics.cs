using System.Diagnostics.Metrics;
using KafkaConnect.Broker.Topics;

namespace KafkaConnect.Broker.Metrics;

/// <summary>
/// A broker's metrics through System.Diagnostics.Metrics, named as the Strimzi/Confluent Prometheus JMX exporter rules
/// name Apache Kafka's broker MBeans (lower case, <c>kafka_&lt;domain&gt;_&lt;type&gt;_&lt;name&gt;</c>, per-second meters
/// as <c>_total</c> counters of their Count), plus danielqsj/kafka_exporter's consumer group lag, so existing Kafka
/// dashboards work. Every instrument is observable: the request path only bumps Interlocked counters, and the values
/// are read here when a listener collects. Each broker has its own meter (several may share a process) whose callbacks
/// see that broker only. docs/metrics-broker.md lists the series.
/// </summary>
public sealed class BrokerMetrics : IDisposable
{
    /// <summary>The meter every instrument belongs to (what an OpenTelemetry MeterProvider subscribes to).</summary>
    public const string MeterName = "KafkaConnect.Broker";

    // Kafka's BrokerState value for a broker serving requests (RUNNING); the meter exists only while it does.
    private const int RunningAsBroker = 3;

    private readonly Meter _meter;
    private readonly BrokerState _state;
    private readonly RequestCounters _requests;
    private readonly Func<string, int> _connections;
    private readonly KeyValuePair<string, object?>[][] _listenerTags;

    /// <param name="connections">Open connections of a listener, by listener name.</param>
    internal BrokerMetrics(BrokerState state, RequestCounters requests, Func<string, int> connections)
    {
        _state = state;
        _requests = requests;
        _connections = connections;
        _listenerTags = [.. state.Config.Listeners.Select(l => new KeyValuePair<string, object?>[] { new("listener", l.Name) })];
        _meter = new Meter(MeterName);
        DefineTopicMetrics();
        DefineRequestMetrics();
        DefineLogMetrics();
        DefineLagMetrics();
        _meter.CreateObservableGauge("kafka_server_kafkaserver_brokerstate", () => RunningAsBroker,
            description: "The broker's state (KafkaServer BrokerState): 3 = running.");
        _meter.CreateObservableGauge("kafka_server_socket_server_metrics_connection_count", Connections,
            description: "Open connections on the listener (socket-server-metrics connection-count).");
    }

    /// <summary>This broker's own meter (several brokers in one process share the name, never the instance).</summary>
    internal Meter Meter => _meter;

    public void Dispose() => _meter.Dispose();

    private void DefineTopicMetrics()
    {
        TopicCounter("messagesin", "Records appended (BrokerTopicMetrics MessagesInPerSec Count).", c => c.MessagesIn);
        TopicCounter("bytesin", "Record batch bytes appended by Produce (BrokerTopicMetrics BytesInPerSec Count).", c => c.BytesIn);
        TopicCounter("bytesout", "Record bytes returned by Fetch (BrokerTopicMetrics BytesOutPerSec Count).", c => c.BytesOut);
        TopicCounter("totalproducerequests", "Partitions of Produce requests (BrokerTopicMetrics TotalProduceRequestsPerSec Count).",
            c => c.TotalProduceRequests);
        TopicCounter("totalfetchrequests", "Partitions of Fetch requests (BrokerTopicMetrics TotalFetchRequestsPerSec Count).",
            c => c.TotalFetchRequests);
        TopicCounter("failedproducerequests", "Partitions of Produce requests answered with an error (BrokerTopicMetrics FailedProduceRequestsPerSec Count).",
            c => c.FailedProduceRequests);
        TopicCounter("failedfetchrequests", "Partitions of Fetch requests answered with an error (BrokerTopicMetrics FailedFetchRequestsPerSec Count).",
            c => c.FailedFetchRequests);
    }

    // As Kafka has both MBeans: the all-topics series without a topic label, then one per topic.
    private void TopicCounter(string name, string description, Func<TopicCounters, long> read) =>
        _meter.CreateObservableCounter($"kafka_server_brokertopicmetrics_{name}_total", () => PerTopic(read), description: description);

    private IEnumerable<Measurement<long>> PerTopic(Func<TopicCounters, long> read)
    {
        yield return new Measurement<long>(read(_state.AllTopics));
        foreach (var topic in _state.Topics.Topics)
            yield return new Measurement<long>(read(topic.Counters), topic.MetricTags);
    }

    private void DefineRequestMetrics()
    {
        _meter.CreateObservableCounter("kafka_network_requestmetrics_requests_total", RequestsByVersion,
            description: "Requests received, by request name and version (RequestMetrics RequestsPerSec Count).");
        // Kafka's TotalTimeMs is a histogram; the JMX exporter's _count of it, plus the _sum it lacks, so
        // rate(_sum) / rate(_count) is the mean over any window. Gauges: an exporter would append _total to a counter.
        _meter.CreateObservableGauge("kafka_network_requestmetrics_totaltimems_count", () => PerApi(a => a.Completed),
            description: "Requests answered (RequestMetrics TotalTimeMs Count); grows like a counter.");
        _meter.CreateObservableGauge("kafka_network_requestmetrics_totaltimems_sum", () => PerApi(a => a.TotalTimeMs),
            description: "Milliseconds spent on answered requests, from arrival to the encoded response; grows like a counter.");
    }

    // Only the versions clients used, as Kafka creates a version's meter on its first request.
    private IEnumerable<Measurement<long>> RequestsByVersion()
    {
        foreach (var api in _requests.Apis)
        {
            for (var v = api.MinVersion; v < api.Requests.Length; v++)
            {
                var count = Interlocked.Read(ref api.Requests[v]);
                if (count > 0) yield return new Measurement<long>(count, api.VersionTags[v]);
            }
        }
    }

    private IEnumerable<Measurement<T>> PerApi<T>(Func<RequestCounters.ApiCounters, T> read)
        where T : struct
    {
        foreach (var api in _requests.Apis)
            if (api.Completed > 0) yield return new Measurement<T>(read(api), api.RequestTags);
    }

    private void DefineLogMetrics()
    {
        PartitionGauge("kafka_log_log_size", "Bytes of the partition's log segments (Log Size).", p => p.Log.Size);
        PartitionGauge("kafka_log_log_logendoffset", "The partition's log end offset (Log LogEndOffset).", p => p.Log.LogEndOffset);
        PartitionGauge("kafka_log_log_logstartoffset", "The partition's log start offset (Log LogStartOffset).", p => p.Log.LogStartOffset);
        PartitionGauge("kafka_log_log_numlogsegments", "The partition's log segments (Log NumLogSegments).", p => p.Log.SegmentCount);
        // kafka_exporter's names; on a single node the high watermark is the log end offset.
        PartitionGauge("kafka_topic_partition_current_offset", "The partition's high watermark (kafka_exporter).", p => p.Log.LogEndOffset);
        PartitionGauge("kafka_topic_partition_oldest_offset", "The partition's oldest offset (kafka_exporter).", p => p.Log.LogStartOffset);
        _meter.CreateObservableGauge("kafka_topic_partitions", TopicPartitions, description: "The topic's partitions (kafka_exporter).");
    }

    private void PartitionGauge(string name, string description, Func<Partition, long> read) =>
        _meter.CreateObservableGauge(name, () => PerPartition(read), description: description);

    private IEnumerable<Measurement<long>> PerPartition(Func<Partition, long> read)
    {
        foreach (var topic in _state.Topics.Topics)
            foreach (var p in topic.Partitions)
                yield return new Measurement<long>(read(p), p.MetricTags);
    }

    private IEnumerable<Measurement<int>> TopicPartitions()
    {
        foreach (var topic in _state.Topics.Topics)
            yield return new Measurement<int>(topic.Partitions.Length, topic.MetricTags);
    }

    private void DefineLagMetrics()
    {
        _meter.CreateObservableGauge("kafka_consumergroup_current_offset", () => PerCommit(static (_, offset) => offset),
            description: "The group's committed offset of the partition (kafka_exporter).");
        _meter.CreateObservableGauge("kafka_consumergroup_lag", () => PerCommit(static (p, offset) => p.Log.LogEndOffset - offset),
            description: "The partition's high watermark minus the group's committed offset (kafka_exporter).");
    }

    // Groups with committed offsets, on partitions that still exist (a deleted topic has no high watermark).
    private IEnumerable<Measurement<long>> PerCommit(Func<Partition, long, long> read)
    {
        foreach (var (group, topic, partition, offset) in _state.Groups.CommittedOffsets())
        {
            if (_state.Topics.Get(topic)?.GetPartition(partition) is not { } p) continue;
            yield return new Measurement<long>(read(p, offset), new("consumergroup", group), p.MetricTags[0], p.MetricTags[1]);
        }
    }

    private IEnumerable<Measurement<int>> Connections()
    {
        foreach (var tags in _listenerTags)
            yield return new Measurement<int>(_connections((string)tags[0].Value!), tags);
    }
}
