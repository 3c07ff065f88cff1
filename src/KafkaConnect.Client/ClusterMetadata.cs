using KafkaConnect.Protocol;

namespace KafkaConnect.Client;

public sealed record BrokerNode(int NodeId, string Host, int Port);

public sealed record PartitionMetadata(int Partition, int Leader, int LeaderEpoch, ErrorCode Error);

public sealed record TopicMetadata(string Name, Uuid TopicId, ErrorCode Error, bool IsInternal, IReadOnlyList<PartitionMetadata> Partitions);

/// <summary>An immutable view of the cluster from one Metadata response.</summary>
public sealed record ClusterMetadata(
    string? ClusterId,
    int ControllerId,
    IReadOnlyDictionary<int, BrokerNode> Brokers,
    IReadOnlyDictionary<string, TopicMetadata> Topics)
{
    public static readonly ClusterMetadata Empty = new(null, -1, new Dictionary<int, BrokerNode>(), new Dictionary<string, TopicMetadata>());
}
