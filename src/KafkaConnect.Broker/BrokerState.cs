using KafkaConnect.Broker.Configuration;
using KafkaConnect.Broker.Groups;
using KafkaConnect.Broker.Metrics;
using KafkaConnect.Broker.Security;
using KafkaConnect.Broker.Topics;
using KafkaConnect.Storage;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Broker;

/// <summary>The services every handler reaches: configuration, topics, groups, the fsync group, producer ids, time.</summary>
internal sealed class BrokerState
{
    public BrokerState(BrokerConfig config, string clusterId, TopicManager topics, GroupCoordinator groups, LogFlusher flusher,
        ProducerIdAllocator producerIds, TimeProvider time, ILoggerFactory loggers)
    {
        Config = config;
        ClusterId = clusterId;
        Topics = topics;
        Groups = groups;
        Flusher = flusher;
        ProducerIds = producerIds;
        Time = time;
        Loggers = loggers;
        Scram = ScramCredentialStore.Open(config.DataDirectory);
    }

    /// <summary>BrokerTopicMetrics of all topics together (each topic keeps its own on <see cref="Topic.Counters"/>).</summary>
    public TopicCounters AllTopics { get; } = new();

    /// <summary>SCRAM users, loaded from the data directory.</summary>
    public ScramCredentialStore Scram { get; }

    public BrokerConfig Config { get; }
    public string ClusterId { get; }
    public int NodeId => Config.NodeId;
    public TopicManager Topics { get; }
    public GroupCoordinator Groups { get; }
    public LogFlusher Flusher { get; }
    public ProducerIdAllocator ProducerIds { get; }
    public TimeProvider Time { get; }
    public ILoggerFactory Loggers { get; }
    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();
}
