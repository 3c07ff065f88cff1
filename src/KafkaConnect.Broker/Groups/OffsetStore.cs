using System.Buffers.Binary;
using System.Text;
using KafkaConnect.Protocol.Records;
using KafkaConnect.Storage;
using Microsoft.Win32.SafeHandles;

namespace KafkaConnect.Broker.Groups;

/// <summary>A committed offset as kept in memory and in the log.</summary>
internal readonly record struct StoredOffset(long Offset, int LeaderEpoch, string Metadata, long CommitTimestampMs);

/// <summary>
/// Durable committed offsets: an append-only log of CRC-checked entries, fsync'd before a commit is acknowledged.
/// Writers queue entries and one flusher writes everything queued so far with a single fsync (group commit).
/// The in-memory table is updated in log order once an entry is durable, so readers never see an offset that a
/// crash could take back.
/// </summary>
/// <remarks>
/// File layout: 8-byte magic, then entries of [int32 payload length][uint32 CRC-32C of payload][payload], big-endian.
/// Payload: byte kind (1 = commit, 2 = group tombstone, 3 = partition tombstone), string group; for commits: string
/// topic, int32 partition, int64 offset, int32 leader epoch, string metadata, int64 commit timestamp; for partition
/// tombstones: string topic, int32 partition. Strings are int32 length + UTF-8.
/// </remarks>
internal sealed class OffsetStore : IDisposable
{
    public const string DirectoryName = "__consumer_offsets";
    public const string FileName = "commits.log";
    private const byte KindCommit = 1;
    private const byte KindGroupTombstone = 2;
    private const byte KindPartitionTombstone = 3;
    private const int EntryHeaderSize = 8;
    private const int MaxPayloadSize = 16 << 20;
    private static ReadOnlySpan<byte> Magic => "KCOFFS01"u8;

    private readonly string _path;
    private readonly Lock _mapLock = new();
    private readonly Dictionary<string, Dictionary<(string Topic, int Partition), StoredOffset>> _offsets = new(StringComparer.Ordinal);
    private readonly Lock _queueLock = new();
    private List<PendingWrite> _queue = [];
    private bool _flushing;
    private bool _disposed;
    private Task _flusher = Task.CompletedTask;
    private SafeFileHandle _file = null!;
    private long _length;

    private OffsetStore(string path) => _path = path;

    public string FilePath => _path;

    /// <summary>Replays the log (ignoring a torn tail), compacts it when it is mostly dead entries, and opens it for appends.</summary>
    public static OffsetStore Open(string dataDirectory, long compactionMinBytes)
    {
        var dir = Path.Combine(dataDirectory, DirectoryName);
        Directory.CreateDirectory(dir);
        var store = new OffsetStore(Path.Combine(dir, FileName));
        store.Load(compactionMinBytes);
        return store;
    }

    private void Load(long compactionMinBytes)
    {
        File.Delete(_path + ".tmp");
        if (!File.Exists(_path))
        {
            RewriteFile();
            return;
        }

        _file = File.OpenHandle(_path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        var fileLength = RandomAccess.GetLength(_file);
        var validLength = Replay(fileLength);
        var liveBytes = MeasureLive();

        if (validLength > compactionMinBytes && validLength > 2 * liveBytes)
        {
            _file.Dispose();
            RewriteFile();
            return;
        }
        if (validLength < fileLength)
        {
            // Cut the torn tail so later appends are not hidden behind it at the next replay.
            RandomAccess.SetLength(_file, validLength);
            RandomAccess.FlushToDisk(_file);
        }
        _length = validLength;
    }

    private long Replay(long fileLength)
    {
        Span<byte> magic = stackalloc byte[8];
        if (fileLength < Magic.Length || ReadFully(_file, magic, 0) < Magic.Length || !magic.SequenceEqual(Magic))
            throw new InvalidDataException($"{_path} is not a committed offsets log");

        long position = Magic.Length;
        Span<byte> header = stackalloc byte[EntryHeaderSize];
        var buffer = new byte[4096];
        while (position + EntryHeaderSize <= fileLength)
        {
            if (ReadFully(_file, header, position) < EntryHeaderSize) break;
            var size = BinaryPrimitives.ReadInt32BigEndian(header);
            var crc = BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
            if (size <= 0 || size > MaxPayloadSize || position + EntryHeaderSize + size > fileLength) break;
            if (buffer.Length < size) buffer = new byte[Math.Max(size, buffer.Length * 2)];
            var payload = buffer.AsSpan(0, size);
            if (ReadFully(_file, payload, position + EntryHeaderSize) < size) break;
            if (Crc32C.Compute(payload) != crc || !TryApply(payload)) break;
            position += EntryHeaderSize + size;
        }
        return position;
    }

    private bool TryApply(ReadOnlySpan<byte> payload)
    {
        var kind = payload[0];
        var rest = payload[1..];
        if (!TryReadString(ref rest, out var group)) return false;
        if (kind == KindGroupTombstone)
        {
            _offsets.Remove(group);
            return rest.IsEmpty;
        }
        if (kind == KindPartitionTombstone)
        {
            if (!TryReadString(ref rest, out var deletedTopic) || rest.Length != 4) return false;
            RemoveOffset(group, deletedTopic, BinaryPrimitives.ReadInt32BigEndian(rest));
            return true;
        }
        if (kind != KindCommit || !TryReadString(ref rest, out var topic) || rest.Length < 16) return false;
        var partition = BinaryPrimitives.ReadInt32BigEndian(rest);
        var offset = BinaryPrimitives.ReadInt64BigEndian(rest[4..]);
        var epoch = BinaryPrimitives.ReadInt32BigEndian(rest[12..]);
        rest = rest[16..];
        if (!TryReadString(ref rest, out var metadata) || rest.Length != 8) return false;
        var timestamp = BinaryPrimitives.ReadInt64BigEndian(rest);
        ApplyCommit(group, topic, partition, new StoredOffset(offset, epoch, metadata, timestamp));
        return true;
    }

    private static bool TryReadString(ref ReadOnlySpan<byte> span, out string value)
    {
        value = "";
        if (span.Length < 4) return false;
        var n = BinaryPrimitives.ReadInt32BigEndian(span);
        if (n < 0 || n > span.Length - 4) return false;
        value = Encoding.UTF8.GetString(span.Slice(4, n));
        span = span[(4 + n)..];
        return true;
    }

    private long MeasureLive()
    {
        long total = Magic.Length;
        foreach (var (group, partitions) in _offsets)
            foreach (var (key, value) in partitions)
                total += EntryHeaderSize + CommitPayloadSize(group, key.Topic, value.Metadata);
        return total;
    }

    /// <summary>Writes the live entries to a temporary file and renames it over the log, so a crash leaves one or the other.</summary>
    private void RewriteFile()
    {
        var tmp = _path + ".tmp";
        using (var h = File.OpenHandle(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            long position = 0;
            RandomAccess.Write(h, Magic, position);
            position += Magic.Length;
            foreach (var (group, partitions) in _offsets)
            {
                foreach (var (key, value) in partitions)
                {
                    var entry = EncodeCommit(group, key.Topic, key.Partition, value);
                    RandomAccess.Write(h, entry, position);
                    position += entry.Length;
                }
            }
            RandomAccess.FlushToDisk(h);
        }
        File.Move(tmp, _path, overwrite: true);
        // Throws when the directory cannot be synced: the broker does not start on a log it cannot make durable.
        OsStorageIO.Instance.FsyncDirectory(Path.GetDirectoryName(_path)!);
        _file = File.OpenHandle(_path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        _length = RandomAccess.GetLength(_file);
    }

    /// <summary>Group ids that have committed offsets.</summary>
    public List<string> GroupIds()
    {
        lock (_mapLock) return [.. _offsets.Keys];
    }

    public bool TryGet(string group, string topic, int partition, out StoredOffset offset)
    {
        lock (_mapLock)
        {
            offset = default;
            return _offsets.TryGetValue(group, out var partitions) && partitions.TryGetValue((topic, partition), out offset);
        }
    }

    /// <summary>Every group's committed offsets, in no particular order (for the lag metrics).</summary>
    public List<(string Group, string Topic, int Partition, long Offset)> Snapshot()
    {
        var result = new List<(string Group, string Topic, int Partition, long Offset)>();
        lock (_mapLock)
        {
            foreach (var (group, partitions) in _offsets)
                foreach (var (key, value) in partitions) result.Add((group, key.Topic, key.Partition, value.Offset));
        }
        return result;
    }

    /// <summary>Every committed offset of the group, ordered by topic then partition.</summary>
    public List<(string Topic, int Partition, StoredOffset Offset)> GetAll(string group)
    {
        var result = new List<(string Topic, int Partition, StoredOffset Offset)>();
        lock (_mapLock)
        {
            if (!_offsets.TryGetValue(group, out var partitions)) return result;
            foreach (var (key, value) in partitions) result.Add((key.Topic, key.Partition, value));
        }
        result.Sort(static (a, b) =>
        {
            var c = string.CompareOrdinal(a.Topic, b.Topic);
            return c != 0 ? c : a.Partition.CompareTo(b.Partition);
        });
        return result;
    }

    /// <summary>Queues commits; the task is true once they are on disk and visible, false if the write failed.</summary>
    public Task<bool> AppendCommitsAsync(string group, IReadOnlyList<(string Topic, int Partition, StoredOffset Offset)> commits)
    {
        var size = 0;
        foreach (var c in commits) size += EntryHeaderSize + CommitPayloadSize(group, c.Topic, c.Offset.Metadata);
        var data = new byte[size];
        var position = 0;
        foreach (var c in commits) position += WriteCommit(data.AsSpan(position), group, c.Topic, c.Partition, c.Offset);
        return Enqueue(new PendingWrite(data, group, commits, null));
    }

    /// <summary>Queues tombstones for single partitions of a group (OffsetDelete); a partition without an offset is a no-op.</summary>
    public Task<bool> AppendOffsetTombstonesAsync(string group, IReadOnlyList<(string Topic, int Partition)> partitions)
    {
        var size = 0;
        foreach (var (topic, _) in partitions) size += EntryHeaderSize + PartitionTombstonePayloadSize(group, topic);
        var data = new byte[size];
        var position = 0;
        foreach (var (topic, partition) in partitions)
        {
            var payloadSize = PartitionTombstonePayloadSize(group, topic);
            var entry = data.AsSpan(position, EntryHeaderSize + payloadSize);
            var p = entry[EntryHeaderSize..];
            p[0] = KindPartitionTombstone;
            var n = 1 + WriteString(p[1..], group);
            n += WriteString(p[n..], topic);
            BinaryPrimitives.WriteInt32BigEndian(p[n..], partition);
            SealEntry(entry, payloadSize);
            position += entry.Length;
        }
        return Enqueue(new PendingWrite(data, group, null, partitions));
    }

    /// <summary>Queues a tombstone that drops every offset of the group.</summary>
    public Task<bool> AppendGroupTombstoneAsync(string group)
    {
        var payloadSize = 1 + StringSize(group);
        var data = new byte[EntryHeaderSize + payloadSize];
        var payload = data.AsSpan(EntryHeaderSize);
        payload[0] = KindGroupTombstone;
        WriteString(payload[1..], group);
        SealEntry(data, payloadSize);
        return Enqueue(new PendingWrite(data, group, null, null));
    }

    private Task<bool> Enqueue(PendingWrite write)
    {
        lock (_queueLock)
        {
            if (_disposed) return Task.FromResult(false);
            _queue.Add(write);
            if (!_flushing)
            {
                _flushing = true;
                _flusher = Task.Run(FlushLoop);
            }
        }
        return write.Done.Task;
    }

    private void FlushLoop()
    {
        while (true)
        {
            List<PendingWrite> batch;
            lock (_queueLock)
            {
                if (_queue.Count == 0)
                {
                    _flushing = false;
                    return;
                }
                batch = _queue;
                _queue = [];
            }

            var ok = false;
            try
            {
                ok = WriteDurably(batch);
                if (ok)
                {
                    lock (_mapLock)
                    {
                        foreach (var w in batch)
                        {
                            if (w.Commits is not null) foreach (var c in w.Commits) ApplyCommit(w.Group, c.Topic, c.Partition, c.Offset);
                            else if (w.Deletes is not null) foreach (var d in w.Deletes) RemoveOffset(w.Group, d.Topic, d.Partition);
                            else _offsets.Remove(w.Group);
                        }
                    }
                }
            }
            catch (Exception)
            {
                // Never let the flusher die with waiters queued: report the batch as failed and keep serving.
                ok = false;
            }
            foreach (var w in batch) w.Done.TrySetResult(ok);
        }
    }

    private bool WriteDurably(List<PendingWrite> batch)
    {
        var position = _length;
        try
        {
            foreach (var w in batch)
            {
                RandomAccess.Write(_file, w.Data, position);
                position += w.Data.Length;
            }
            RandomAccess.FlushToDisk(_file);
            _length = position;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // Drop whatever part of the batch reached the file so the next append starts at a clean entry boundary.
            try { RandomAccess.SetLength(_file, _length); }
            catch (Exception inner) when (inner is IOException or UnauthorizedAccessException or ObjectDisposedException) { }
            return false;
        }
    }

    private void ApplyCommit(string group, string topic, int partition, StoredOffset offset)
    {
        if (!_offsets.TryGetValue(group, out var partitions))
        {
            partitions = [];
            _offsets[group] = partitions;
        }
        partitions[(topic, partition)] = offset;
    }

    private void RemoveOffset(string group, string topic, int partition)
    {
        if (!_offsets.TryGetValue(group, out var partitions)) return;
        partitions.Remove((topic, partition));
        // A group left without offsets is gone after a restart too; keep GroupIds() telling the same story.
        if (partitions.Count == 0) _offsets.Remove(group);
    }

    private static int StringSize(string s) => 4 + Encoding.UTF8.GetByteCount(s);

    private static int PartitionTombstonePayloadSize(string group, string topic) => 1 + StringSize(group) + StringSize(topic) + 4;

    private static int CommitPayloadSize(string group, string topic, string metadata) =>
        1 + StringSize(group) + StringSize(topic) + 16 + StringSize(metadata) + 8;

    private static byte[] EncodeCommit(string group, string topic, int partition, StoredOffset offset)
    {
        var data = new byte[EntryHeaderSize + CommitPayloadSize(group, topic, offset.Metadata)];
        WriteCommit(data, group, topic, partition, offset);
        return data;
    }

    private static int WriteCommit(Span<byte> destination, string group, string topic, int partition, StoredOffset offset)
    {
        var payloadSize = CommitPayloadSize(group, topic, offset.Metadata);
        var p = destination.Slice(EntryHeaderSize, payloadSize);
        p[0] = KindCommit;
        var n = 1;
        n += WriteString(p[n..], group);
        n += WriteString(p[n..], topic);
        BinaryPrimitives.WriteInt32BigEndian(p[n..], partition);
        BinaryPrimitives.WriteInt64BigEndian(p[(n + 4)..], offset.Offset);
        BinaryPrimitives.WriteInt32BigEndian(p[(n + 12)..], offset.LeaderEpoch);
        n += 16;
        n += WriteString(p[n..], offset.Metadata);
        BinaryPrimitives.WriteInt64BigEndian(p[n..], offset.CommitTimestampMs);
        SealEntry(destination, payloadSize);
        return EntryHeaderSize + payloadSize;
    }

    private static int WriteString(Span<byte> destination, string value)
    {
        var n = Encoding.UTF8.GetBytes(value, destination[4..]);
        BinaryPrimitives.WriteInt32BigEndian(destination, n);
        return 4 + n;
    }

    private static void SealEntry(Span<byte> entry, int payloadSize)
    {
        BinaryPrimitives.WriteInt32BigEndian(entry, payloadSize);
        BinaryPrimitives.WriteUInt32BigEndian(entry[4..], Crc32C.Compute(entry.Slice(EntryHeaderSize, payloadSize)));
    }

    private static int ReadFully(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = RandomAccess.Read(handle, buffer[total..], offset + total);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    /// <summary>Waits for queued writes, then closes the file; later appends report failure.</summary>
    public void Dispose()
    {
        Task flusher;
        lock (_queueLock)
        {
            if (_disposed) return;
            _disposed = true;
            flusher = _flusher;
        }
        flusher.GetAwaiter().GetResult();
        _file.Dispose();
    }

    private sealed class PendingWrite(byte[] data, string group, IReadOnlyList<(string Topic, int Partition, StoredOffset Offset)>? commits,
        IReadOnlyList<(string Topic, int Partition)>? deletes)
    {
        public byte[] Data { get; } = data;
        public string Group { get; } = group;
        /// <summary>Commits, or partition tombstones (<see cref="Deletes"/>); both null for a group tombstone.</summary>
        public IReadOnlyList<(string Topic, int Partition, StoredOffset Offset)>? Commits { get; } = commits;
        public IReadOnlyList<(string Topic, int Partition)>? Deletes { get; } = deletes;
        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
