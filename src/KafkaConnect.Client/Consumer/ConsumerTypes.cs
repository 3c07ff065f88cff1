using KafkaConnect.Protocol.Records;

namespace KafkaConnect.Client.Consumer;

/// <summary>A partition of a topic.</summary>
public readonly record struct TopicPartition(string Topic, int Partition) : IComparable<TopicPartition>
{
    public int CompareTo(TopicPartition other)
    {
        var c = string.CompareOrdinal(Topic, other.Topic);
        return c != 0 ? c : Partition.CompareTo(other.Partition);
    }

    public override string ToString() => $"{Topic}-{Partition}";
}

/// <summary>One consumed record. Key, value and header values slice the fetched batch.</summary>
public sealed record ConsumeResult(string Topic, int Partition, long Offset, long Timestamp,
    ReadOnlyMemory<byte>? Key, ReadOnlyMemory<byte>? Value, IReadOnlyList<RecordHeader> Headers)
{
    public TopicPartition TopicPartition => new(Topic, Partition);
}

/// <summary>Told about partitions coming and going during group rebalances; runs inside PollAsync.</summary>
public interface IConsumerRebalanceListener
{
    /// <summary>Partitions newly assigned (with the cooperative protocol only the added ones).</summary>
    Task OnPartitionsAssigned(IReadOnlyCollection<TopicPartition> partitions);

    /// <summary>Partitions taken away while this member still owned them; commit what was processed here.</summary>
    Task OnPartitionsRevoked(IReadOnlyCollection<TopicPartition> partitions);

    /// <summary>Partitions lost without a clean handover (the generation expired); they may already be owned elsewhere.</summary>
    Task OnPartitionsLost(IReadOnlyCollection<TopicPartition> partitions);
}

/// <summary>auto.offset.reset found no offset to reset to (policy none), or the position is out of range.</summary>
public sealed class NoOffsetForPartitionException : Exception
{
    public NoOffsetForPartitionException(TopicPartition partition, string message) : base(message) => Partition = partition;

    public TopicPartition Partition { get; }
}
