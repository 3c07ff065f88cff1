using System.Buffers;
using System.Buffers.Binary;

namespace KafkaConnect.Storage;

/// <summary>
/// A sparse, append-only index kept in memory and mirrored to a file. The offset index maps a relative
/// offset (int32) to a file position (int32); the time index maps a timestamp (int64) to a relative offset
/// (int32). One appender, many concurrent readers: entries are written before the count is published, and
/// the array is only ever replaced by a larger copy.
/// </summary>
internal sealed class SparseIndex
{
    internal readonly record struct Entry(long Key, int Value);

    private readonly bool _timeIndex;
    private readonly object _persistLock = new();
    private Entry[] _entries;
    private int _count;
    private int _persisted;
    private bool _unsynced;
    private bool _fileExists;

    private SparseIndex(string path, bool timeIndex, int maxEntries, Entry[] entries, int count)
    {
        Path = path;
        _timeIndex = timeIndex;
        MaxEntries = maxEntries;
        _entries = entries;
        _count = count;
        _persisted = count;
        _fileExists = count > 0;
    }

    public string Path { get; }
    public int EntrySize => _timeIndex ? 12 : 8;
    public int MaxEntries { get; set; }
    public int Count => Volatile.Read(ref _count);
    public bool IsFull(int more) => Count + more > MaxEntries;

    public static SparseIndex CreateEmpty(string path, bool timeIndex, int maxEntries)
        => new(path, timeIndex, maxEntries, new Entry[16], 0);

    public Entry Last => Count == 0 ? default : Volatile.Read(ref _entries)[Count - 1];

    public void Add(long key, int value)
    {
        var n = _count;
        var arr = _entries;
        if (n == arr.Length)
        {
            var grown = new Entry[arr.Length * 2];
            Array.Copy(arr, grown, n);
            Volatile.Write(ref _entries, grown);
            arr = grown;
        }
        arr[n] = new Entry(key, value);
        Volatile.Write(ref _count, n + 1);
    }

    /// <summary>Index of the last entry whose key is &lt;= key (or &lt; key when strict); -1 if none.</summary>
    public int Floor(long key, bool strict)
    {
        var n = Volatile.Read(ref _count);
        var arr = Volatile.Read(ref _entries);
        int lo = 0, hi = n - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var k = arr[mid].Key;
            if (k < key || (!strict && k == key))
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found;
    }

    public Entry this[int i] => Volatile.Read(ref _entries)[i];

    /// <summary>Writes entries not yet in the file; optionally fsyncs.</summary>
    public void Persist(LogDirectory io, bool fsync)
    {
        lock (_persistLock)
        {
            var n = Count;
            // An empty index still gets its file, so a clean reopen does not mistake it for a lost one.
            if (n == _persisted && _fileExists && (!fsync || !_unsynced)) return;
            using var h = FileIO.OpenReadWrite(Path);
            if (n > _persisted)
            {
                var arr = Volatile.Read(ref _entries);
                var size = EntrySize;
                var bytes = ArrayPool<byte>.Shared.Rent((n - _persisted) * size);
                try
                {
                    var span = bytes.AsSpan(0, (n - _persisted) * size);
                    for (var i = _persisted; i < n; i++) Encode(arr[i], span[((i - _persisted) * size)..]);
                    io.Write(h, span, (long)_persisted * size, Path);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(bytes);
                }
            }
            if (RandomAccess.GetLength(h) > (long)n * EntrySize) RandomAccess.SetLength(h, (long)n * EntrySize);
            _persisted = n;
            _fileExists = true;
            if (fsync) io.Fsync(h, Path);
            _unsynced = !fsync;
        }
    }

    private void Encode(Entry e, Span<byte> dest)
    {
        if (_timeIndex)
        {
            BinaryPrimitives.WriteInt64BigEndian(dest, e.Key);
            BinaryPrimitives.WriteInt32BigEndian(dest[8..], e.Value);
        }
        else
        {
            BinaryPrimitives.WriteInt32BigEndian(dest, (int)e.Key);
            BinaryPrimitives.WriteInt32BigEndian(dest[4..], e.Value);
        }
    }

    /// <summary>
    /// Loads an index file, rejecting it (false) when it cannot be trusted: a partial entry, keys or values
    /// going backwards, or positions beyond the log. The caller then rebuilds it from the log.
    /// </summary>
    public static bool TryLoad(string path, bool timeIndex, int maxEntries, long logSize, out SparseIndex index)
    {
        index = null!;
        if (!File.Exists(path)) return false;
        var bytes = File.ReadAllBytes(path);
        var size = timeIndex ? 12 : 8;
        if (bytes.Length % size != 0) return false;
        var n = bytes.Length / size;
        var entries = new Entry[Math.Max(16, n)];
        for (var i = 0; i < n; i++)
        {
            var s = bytes.AsSpan(i * size, size);
            Entry e = timeIndex
                ? new(BinaryPrimitives.ReadInt64BigEndian(s), BinaryPrimitives.ReadInt32BigEndian(s[8..]))
                : new(BinaryPrimitives.ReadInt32BigEndian(s), BinaryPrimitives.ReadInt32BigEndian(s[4..]));
            if (e.Value < 0 || (!timeIndex && (e.Key < 0 || e.Value >= logSize))) return false;
            if (i > 0)
            {
                var p = entries[i - 1];
                if (e.Key <= p.Key || (timeIndex ? e.Value < p.Value : e.Value <= p.Value)) return false;
            }
            entries[i] = e;
        }
        index = new SparseIndex(path, timeIndex, Math.Max(maxEntries, n), entries, n);
        return true;
    }
}
