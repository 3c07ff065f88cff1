namespace KafkaConnect.Connect.Sources;

/// <summary>Where Kafka stored a source record; passed to <see cref="SourceTask.CommitRecord"/>.</summary>
public sealed record RecordMetadata(string Topic, int Partition, long Offset, long Timestamp);
