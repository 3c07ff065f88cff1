namespace KafkaConnect.Connect.Runtime.Storage;

/// <summary>
/// Key/value storage for source offsets (Apache's OffsetBackingStore): opaque serialized keys and values,
/// written in batches. A null value deletes the key.
/// </summary>
public interface IOffsetBackingStore
{
    void Start();

    void Stop();

    /// <summary>The stored values of the given keys (absent keys are left out).</summary>
    IReadOnlyDictionary<byte[], byte[]> Get(IEnumerable<byte[]> keys);

    /// <summary>Writes all entries as one batch; durable when the task completes.</summary>
    Task SetAsync(IReadOnlyDictionary<byte[], byte[]?> values, CancellationToken ct = default);

    /// <summary>Every key that currently has a value (used to list a connector's partitions).</summary>
    IReadOnlyCollection<byte[]> Keys();
}

/// <summary>Compares byte arrays by content so serialized keys can index dictionaries.</summary>
public sealed class ByteArrayComparer : IEqualityComparer<byte[]>
{
    public static readonly ByteArrayComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

    public int GetHashCode(byte[] obj)
    {
        var hash = new HashCode();
        hash.AddBytes(obj);
        return hash.ToHashCode();
    }
}

/// <summary>An offset store that lives only in memory (tests, and the base of the file store).</summary>
public class MemoryOffsetBackingStore : IOffsetBackingStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<byte[], byte[]> _data = new(ByteArrayComparer.Instance);
    private long _version;

    public virtual void Start()
    {
    }

    public virtual void Stop()
    {
    }

    public IReadOnlyDictionary<byte[], byte[]> Get(IEnumerable<byte[]> keys)
    {
        var result = new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance);
        lock (_lock)
        {
            foreach (var key in keys)
            {
                if (_data.TryGetValue(key, out var value))
                {
                    result[key] = value;
                }
            }
        }
        return result;
    }

    public IReadOnlyCollection<byte[]> Keys()
    {
        lock (_lock)
        {
            return [.. _data.Keys];
        }
    }

    public async Task SetAsync(IReadOnlyDictionary<byte[], byte[]?> values, CancellationToken ct = default)
    {
        List<KeyValuePair<byte[], byte[]>> snapshot;
        long version;
        lock (_lock)
        {
            version = ++_version;
            foreach (var (key, value) in values)
            {
                if (value is null)
                {
                    _data.Remove(key);
                }
                else
                {
                    _data[key] = value;
                }
            }
            snapshot = [.. _data];
        }
        await SaveAsync(snapshot, version, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Persists the full content after a change; nothing to do in memory. Concurrent saves may arrive out of
    /// order: <paramref name="version"/> grows with every change so a store can skip a snapshot older than one it
    /// already persisted (the newer snapshot contains this change too).
    /// </summary>
    protected virtual Task SaveAsync(IReadOnlyList<KeyValuePair<byte[], byte[]>> snapshot, long version, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Replaces the content (used when loading from disk).</summary>
    protected void Load(IEnumerable<KeyValuePair<byte[], byte[]>> entries)
    {
        lock (_lock)
        {
            _data.Clear();
            foreach (var (k, v) in entries)
            {
                _data[k] = v;
            }
        }
    }
}

/// <summary>An offset store shared with other processes (the offsets topic): reads their writes up to now on request.</summary>
public interface IRefreshableOffsetStore
{
    /// <summary>Reads up to the current end; false when that took longer than <paramref name="timeout"/>.</summary>
    Task<bool> RefreshAsync(TimeSpan timeout, CancellationToken ct = default);
}
