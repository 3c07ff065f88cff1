using KafkaConnect.Connect.Sinks;
using KafkaConnect.Connect.Sources;
using KafkaConnect.Connect.Storage;

namespace KafkaConnect.Connect.Files.Tests;

internal sealed class FakeOffsetStorageReader : IOffsetStorageReader
{
    private readonly Dictionary<IReadOnlyDictionary<string, object?>, IReadOnlyDictionary<string, object?>?> _offsets =
        new(SourcePartitionComparer.Instance);

    public int Reads { get; private set; }

    public void Set(IReadOnlyDictionary<string, object?> partition, IReadOnlyDictionary<string, object?>? offset) =>
        _offsets[partition] = offset;

    public IReadOnlyDictionary<string, object?>? Offset(IReadOnlyDictionary<string, object?> partition)
    {
        Reads++;
        return _offsets.TryGetValue(partition, out var offset) ? offset : null;
    }

    public IReadOnlyDictionary<IReadOnlyDictionary<string, object?>, IReadOnlyDictionary<string, object?>?> Offsets(
        IEnumerable<IReadOnlyDictionary<string, object?>> partitions)
    {
        var result = new Dictionary<IReadOnlyDictionary<string, object?>, IReadOnlyDictionary<string, object?>?>(SourcePartitionComparer.Instance);
        foreach (var partition in partitions)
        {
            result[partition] = Offset(partition);
        }
        return result;
    }
}

internal sealed class FakeSourceTaskContext(IReadOnlyDictionary<string, string> configs, IOffsetStorageReader reader) : ISourceTaskContext
{
    public IReadOnlyDictionary<string, string> Configs { get; } = configs;

    public IOffsetStorageReader OffsetStorageReader { get; } = reader;

    public ITransactionContext? TransactionContext => null;
}

internal sealed class FakeSinkTaskContext(IReadOnlyDictionary<string, string> configs) : ISinkTaskContext
{
    public IReadOnlyDictionary<string, string> Configs { get; } = configs;

    public IErrantRecordReporter? ErrantRecordReporter => null;

    public void Offset(IReadOnlyDictionary<TopicPartition, long> offsets)
    {
    }

    public void Offset(TopicPartition partition, long offset)
    {
    }

    public void Timeout(long timeoutMs)
    {
    }

    public IReadOnlySet<TopicPartition> Assignment() => new HashSet<TopicPartition>();

    public void Pause(params TopicPartition[] partitions)
    {
    }

    public void Resume(params TopicPartition[] partitions)
    {
    }

    public void RequestCommit()
    {
    }
}

/// <summary>A fresh temporary directory per test class instance, deleted afterwards.</summary>
public abstract class TempDirectoryTest : IDisposable
{
    protected TempDirectoryTest()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("kc-file-tests-").FullName;
    }

    protected string Directory { get; }

    protected string PathOf(string name) => Path.Combine(Directory, name);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
        GC.SuppressFinalize(this);
    }
}
