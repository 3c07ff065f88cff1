namespace KafkaConnect.Connect.Storage;

/// <summary>
/// Reads committed source offsets so a <see cref="Sources.SourceTask"/> can resume where it left off after
/// a restart or rebalance. Partitions and offsets are the dictionaries the task put on its
/// <see cref="Sources.SourceRecord"/>s; they compare by content (see <see cref="SourcePartitionComparer"/>).
/// </summary>
public interface IOffsetStorageReader
{
    /// <summary>The last committed offset for one source partition, or null if none was committed.</summary>
    IReadOnlyDictionary<string, object?>? Offset(IReadOnlyDictionary<string, object?> partition);

    /// <summary>
    /// Batch form of <see cref="Offset"/>: cheaper when a task owns many partitions. Partitions without an
    /// offset are absent or map to null. The result uses <see cref="SourcePartitionComparer.Instance"/>.
    /// </summary>
    IReadOnlyDictionary<IReadOnlyDictionary<string, object?>, IReadOnlyDictionary<string, object?>?> Offsets(
        IEnumerable<IReadOnlyDictionary<string, object?>> partitions);
}
