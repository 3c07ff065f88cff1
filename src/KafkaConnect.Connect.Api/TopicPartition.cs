namespace KafkaConnect.Connect;

/// <summary>A Kafka topic partition as seen by sink tasks; Connect's own type so plugins need no client library.</summary>
public readonly record struct TopicPartition(string Topic, int Partition)
{
    public override string ToString() => $"{Topic}-{Partition}";
}

/// <summary>A consumer offset to commit: the offset of the next record to read, plus optional metadata.</summary>
public sealed record OffsetAndMetadata(long Offset, string? Metadata = null, int? LeaderEpoch = null)
{
    public long Offset { get; } = Offset >= 0 ? Offset : throw new ArgumentOutOfRangeException(nameof(Offset), Offset, "Offsets cannot be negative");
}

/// <summary>Plugins that report a version; shown by the REST API's connector-plugins listing.</summary>
public interface IVersioned
{
    string Version();
}
