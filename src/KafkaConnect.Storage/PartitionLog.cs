using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Records;

namespace KafkaConnect.Storage;

/// <summary>
/// The log of one partition: a directory of segments holding v2 record batches exactly as produced,
/// with offsets assigned on append. Appends and structural changes (roll, retention, compaction swap)
/// are serialized by one lock; reads and flushes run concurrently with appends.
/// </summary>
public sealed partial class PartitionLog : IDisposable
{
    private const string CheckpointFileName = "partition.checkpoint";
    private const string CleanShutdownFileName = ".clean_shutdown";

    private readonly string _directory;
    private readonly LogDirectory _logDir;
    private readonly TimeProvider _time;
    private readonly object _lock = new();
    private readonly object _flushLock = new();
    private LogConfig _config;
    private LogSegment[] _segments;
    private long _logStartOffset;
    private long _logEndOffset;
    private long _flushedOffset;
    private long _recoveryPoint;
    private long _firstDirtyOffset;
    private long _unflushedMessages;
    private long _firstUnflushedAppendTime = -1;
    private volatile bool _closed;

    private PartitionLog(string directory, LogDirectory logDir, LogConfig config, TimeProvider time, LogSegment[] segments)
    {
        _directory = directory;
        _logDir = logDir;
        _config = config;
        _time = time;
        _segments = segments;
    }

    public string Directory => _directory;
    /// <summary>The log directory this partition lives in; when it is offline the log refuses appends and reads.</summary>
    public LogDirectory LogDirectory => _logDir;
    public LogConfig Config => Volatile.Read(ref _config);
    public long LogStartOffset => Volatile.Read(ref _logStartOffset);
    /// <summary>The next offset to assign.</summary>
    public long LogEndOffset => Volatile.Read(ref _logEndOffset);
    /// <summary>Every offset below this one is fsynced.</summary>
    public long FlushedOffset => Volatile.Read(ref _flushedOffset);
    /// <summary>Bytes cut off torn or corrupt tails when this log was opened.</summary>
    public long RecoveredTruncatedBytes { get; private set; }
    /// <summary>Total bytes in all segments (DescribeLogDirs).</summary>
    public long Size
    {
        get
        {
            long total = 0;
            foreach (var s in Volatile.Read(ref _segments)) total += s.Size;
            return total;
        }
    }
    public int SegmentCount => Volatile.Read(ref _segments).Length;
    internal IReadOnlyList<LogSegment> Segments => Volatile.Read(ref _segments);

    /// <summary>
    /// Opens the partition directory, creating it if needed and recovering after an unclean shutdown. Its file I/O goes
    /// through <paramref name="logDirectory"/> (by default a private one for the parent directory, on the real OS).
    /// </summary>
    public static PartitionLog Open(string directory, LogConfig config, TimeProvider time, LogDirectory? logDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(time);
        var parent = Path.GetDirectoryName(Path.GetFullPath(directory))!;
        logDirectory ??= new LogDirectory(parent);
        logDirectory.ThrowIfOffline();
        if (!System.IO.Directory.Exists(directory))
        {
            System.IO.Directory.CreateDirectory(directory);
            // The new directory's entry in its parent must be durable too, or a crash could lose the whole partition.
            logDirectory.FsyncDirectory(parent);
        }
        var logBases = new List<long>();
        foreach (var path in System.IO.Directory.EnumerateFiles(directory))
        {
            if (path.EndsWith(FileIO.CleanedSuffix, StringComparison.Ordinal) || path.EndsWith(FileIO.TempSuffix, StringComparison.Ordinal))
                File.Delete(path); // an interrupted compaction or checkpoint write: the originals are intact
            else if (path.EndsWith(FileIO.LogSuffix, StringComparison.Ordinal) && FileIO.TryParseBaseOffset(path, out var b))
                logBases.Add(b);
        }
        logBases.Sort();
        foreach (var path in System.IO.Directory.EnumerateFiles(directory))
        {
            // Index files without their log (e.g. a crash in the middle of deleting a segment).
            if ((path.EndsWith(FileIO.IndexSuffix, StringComparison.Ordinal) || path.EndsWith(FileIO.TimeIndexSuffix, StringComparison.Ordinal))
                && FileIO.TryParseBaseOffset(path, out var b) && logBases.BinarySearch(b) < 0)
                File.Delete(path);
        }

        var checkpoint = ReadCheckpoint(directory);
        var (checkpointStart, recoveryPoint) = (checkpoint.LogStart, checkpoint.RecoveryPoint);
        var markerPath = Path.Combine(directory, CleanShutdownFileName);
        var clean = File.Exists(markerPath);
        var segments = new List<LogSegment>(logBases.Count + 1);
        long truncated = 0;
        try
        {
            for (var i = 0; i < logBases.Count; i++)
            {
                var nextBase = i + 1 < logBases.Count ? logBases[i + 1] : long.MaxValue;
                var recover = !clean && nextBase > recoveryPoint;
                var seg = LogSegment.Open(logDirectory, directory, logBases[i], config, recover, out var cut);
                seg.CleanedTime = checkpoint.CleanedTimes.GetValueOrDefault(logBases[i], -1);
                segments.Add(seg);
                truncated += cut;
                if (recover) seg.Flush(fsync: true);
                if (cut > 0 && i + 1 < logBases.Count)
                {
                    // Data after a corrupt batch cannot be trusted to follow on from it.
                    for (var j = i + 1; j < logBases.Count; j++)
                    {
                        var prefix = FileIO.SegmentPrefix(directory, logBases[j]);
                        FileIO.DeleteIfExists(prefix + FileIO.LogSuffix);
                        FileIO.DeleteIfExists(prefix + FileIO.IndexSuffix);
                        FileIO.DeleteIfExists(prefix + FileIO.TimeIndexSuffix);
                    }
                    break;
                }
            }
            if (segments.Count == 0) segments.Add(LogSegment.Create(logDirectory, directory, Math.Max(0, checkpointStart), config));
        }
        catch
        {
            foreach (var s in segments) s.Close(deleteFiles: false);
            throw;
        }

        var log = new PartitionLog(directory, logDirectory, config, time, [.. segments]);
        var leo = segments[^1].Size == 0 ? Math.Max(segments[^1].BaseOffset, segments[^1].NextOffset) : segments[^1].NextOffset;
        log._logEndOffset = leo;
        log._logStartOffset = Math.Min(Math.Max(checkpointStart, segments[0].BaseOffset), leo);
        log._flushedOffset = leo;
        log._recoveryPoint = leo;
        log._firstDirtyOffset = Math.Min(checkpoint.FirstDirty, leo);
        log.RecoveredTruncatedBytes = truncated;
        log.WriteCheckpoint();
        if (clean) File.Delete(markerPath);
        logDirectory.FsyncDirectory(directory);
        return log;
    }

    /// <summary>
    /// Appends one or more concatenated v2 batches (CRC and magic already checked by the caller). Rewrites,
    /// in the given buffer, each batch's base offset (and for LogAppendTime its timestamp type, max timestamp
    /// and CRC), then writes the buffer as is. One appender at a time. A failed write (e.g. a full disk) fails this
    /// append only and publishes nothing of it; an offline log directory refuses appends (both KAFKA_STORAGE_ERROR).
    /// </summary>
    public AppendInfo Append(Memory<byte> batches)
    {
        var span = batches.Span;
        if (span.IsEmpty) throw new StorageException(ErrorCode.CorruptMessage, "No record batches to append.");
        AppendInfo info;
        bool flushNow;
        lock (_lock)
        {
            ThrowIfClosed();
            _logDir.ThrowIfOffline();
            var config = _config;
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var appendTime = config.LogAppendTime ? now : -1;
            var first = _logEndOffset;
            var next = first;
            var position = 0;
            var batchCount = 0;
            while (position < span.Length)
            {
                if (!RecordBatchHeader.TryRead(span[position..], out var h))
                    throw new StorageException(ErrorCode.CorruptMessage, "Truncated record batch header.");
                var total = (long)h.BatchLength + RecordBatchHeader.LogOverhead;
                if (total < RecordBatchHeader.Size || position + total > span.Length)
                    throw new StorageException(ErrorCode.CorruptMessage, $"Record batch length {h.BatchLength} does not match the data.");
                if (h.Magic != 2)
                    throw new StorageException(ErrorCode.UnsupportedForMessageFormat, $"Record batch magic {h.Magic} is not supported; only v2.");
                if (h.LastOffsetDelta < 0)
                    throw new StorageException(ErrorCode.CorruptMessage, "Record batch has no records.");
                if (total > config.MaxMessageBytes)
                    throw new StorageException(ErrorCode.MessageTooLarge, $"Record batch of {total} bytes exceeds max.message.bytes ({config.MaxMessageBytes}).");
                var batch = span.Slice(position, (int)total);
                RecordBatchHeader.SetBaseOffset(batch, next);
                if (appendTime >= 0)
                {
                    BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchHeader.AttributesOffset..], (short)(h.Attributes | RecordBatchHeader.TimestampTypeMask));
                    BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchHeader.MaxTimestampOffset..], appendTime);
                    RecordBatchHeader.UpdateCrc(batch);
                }
                next += h.LastOffsetDelta + 1L;
                position += (int)total;
                batchCount++;
            }
            MaybeRoll(span.Length, next - 1, batchCount, now);
            _segments[^1].Append(span, now, config.IndexIntervalBytes);
            Volatile.Write(ref _logEndOffset, next);
            info = new AppendInfo(first, next - 1, appendTime, _logStartOffset);

            _unflushedMessages += next - first;
            if (_firstUnflushedAppendTime < 0) _firstUnflushedAppendTime = now;
            flushNow = _unflushedMessages >= config.FlushMessages
                || (config.FlushMs != LogConfig.Unlimited && now - _firstUnflushedAppendTime >= config.FlushMs);
        }
        // Outside the append lock: Flush takes the flush lock first, then the append lock.
        if (flushNow) Flush();
        return info;
    }

    private void MaybeRoll(int bytes, long lastOffset, int batchCount, long now)
    {
        var active = _segments[^1];
        if (active.Size == 0) return;
        var c = _config;
        var elapsed = active.RollBaseTime < 0 ? 0 : now - active.RollBaseTime;
        if (active.Size + bytes > c.SegmentBytes
            || elapsed >= c.SegmentMs
            || active.IsIndexFull(batchCount)
            || lastOffset - active.BaseOffset > int.MaxValue)
        {
            Roll();
        }
    }

    /// <summary>Makes the active segment durable and starts a new one at the log end offset. Caller holds the lock.</summary>
    private void Roll()
    {
        var old = _segments[^1];
        old.Seal();
        LogSegment seg;
        try
        {
            seg = LogSegment.Create(_logDir, _directory, _logEndOffset, _config);
        }
        catch (IOException ex)
        {
            // E.g. a full disk: the old segment stays active, so the log is as it was before this append.
            throw new StorageException(ErrorCode.KafkaStorageError, $"Cannot create a segment in '{_directory}': {ex.Message}", ex);
        }
        Volatile.Write(ref _segments, [.. _segments, seg]);
        _logDir.FsyncDirectory(_directory);
        _recoveryPoint = _logEndOffset;
        if (_logEndOffset > Volatile.Read(ref _flushedOffset)) Volatile.Write(ref _flushedOffset, _logEndOffset);
        WriteCheckpoint();
    }

    /// <summary>Forces a new segment (tests, admin tools). No-op when the active segment is empty.</summary>
    public void RollNow()
    {
        lock (_lock)
        {
            ThrowIfClosed();
            if (_segments[^1].Size > 0) Roll();
        }
    }

    /// <summary>
    /// Copies whole batches, starting with the one that holds <paramref name="offset"/>, into
    /// <paramref name="dest"/>: at most <paramref name="maxBytes"/>, but always at least one batch when one
    /// exists and <paramref name="minOneBatch"/> is set (Kafka's rule for the first partition of a fetch).
    /// Reads stop at a segment boundary. Returns the bytes written; 0 at the log end.
    /// Throws <see cref="StorageException"/>: OffsetOutOfRange outside [LogStartOffset, LogEndOffset], KafkaStorageError
    /// when the log is closed (deleted) or its directory is offline.
    /// </summary>
    public int Read(long offset, int maxBytes, IBufferWriter<byte> dest, bool minOneBatch = true)
    {
        ArgumentNullException.ThrowIfNull(dest);
        while (true)
        {
            // Checked on every pass: a deleted log's segments can no longer be acquired, so the retry below would spin.
            ThrowIfClosed();
            _logDir.ThrowIfOffline();
            // Offsets before segments: everything below a published end offset is in the segments read next.
            var lso = LogStartOffset;
            var leo = LogEndOffset;
            var segs = Volatile.Read(ref _segments);
            if (offset < lso || offset > leo) throw StorageException.OffsetOutOfRange(offset, lso, leo);
            if (offset == leo) return 0;
            var retry = false;
            for (var i = FloorSegment(segs, offset); i < segs.Length; i++)
            {
                var seg = segs[i];
                if (!seg.TryAcquire())
                {
                    retry = true; // removed meanwhile (retention, compaction): look again
                    break;
                }
                try
                {
                    var end = seg.Size;
                    if (seg.TryFindBatch(offset, end, out var position, out var header))
                        return seg.ReadBatches(position, end, header.TotalSize, maxBytes, minOneBatch, dest);
                }
                finally
                {
                    seg.Release();
                }
            }
            if (!retry) return 0;
        }
    }

    private static int FloorSegment(LogSegment[] segs, long offset)
    {
        int lo = 0, hi = segs.Length - 1, found = 0;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (segs[mid].BaseOffset <= offset)
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

    /// <summary>
    /// The first record whose timestamp is &gt;= <paramref name="timestampMs"/> (ListOffsets), or null when
    /// none is. Exact for uncompressed batches; for compressed ones the batch's first offset is returned.
    /// </summary>
    public TimestampAndOffset? OffsetForTimestamp(long timestampMs)
    {
        while (true)
        {
            var lso = LogStartOffset;
            var segs = Volatile.Read(ref _segments);
            var retry = false;
            for (var i = FloorSegment(segs, lso); i < segs.Length; i++)
            {
                var seg = segs[i];
                if (seg.MaxTimestamp < timestampMs) continue;
                if (!seg.TryAcquire())
                {
                    retry = true;
                    break;
                }
                try
                {
                    var end = seg.Size;
                    using var scanner = new BatchScanner(seg.Handle, seg.TimestampLookupPosition(timestampMs), end);
                    while (scanner.TryPeekHeader(out var h))
                    {
                        if (h.MaxTimestamp >= timestampMs && h.LastOffset >= lso)
                            return FindInBatch(scanner.ReadBatch(h.TotalSize).Span, h, timestampMs, lso);
                        scanner.Advance(h.TotalSize);
                    }
                }
                finally
                {
                    seg.Release();
                }
            }
            if (!retry) return null;
        }
    }

    private static TimestampAndOffset FindInBatch(ReadOnlySpan<byte> batch, in RecordBatchHeader h, long timestamp, long minOffset)
    {
        var fallback = new TimestampAndOffset(h.MaxTimestamp, Math.Max(h.BaseOffset, minOffset));
        if (h.LogAppendTime || h.Compression != CompressionType.None) return fallback;
        var pos = RecordBatchHeader.Size;
        for (var i = 0; i < h.RecordCount; i++)
        {
            if (!TryReadVarLong(batch, ref pos, out var length) || length < 0) return fallback;
            var start = pos;
            pos++; // attributes
            if (!TryReadVarLong(batch, ref pos, out var tsDelta) || !TryReadVarLong(batch, ref pos, out var offsetDelta)) return fallback;
            var ts = h.BaseTimestamp + tsDelta;
            var offset = h.BaseOffset + offsetDelta;
            if (ts >= timestamp && offset >= minOffset) return new TimestampAndOffset(ts, offset);
            pos = start + (int)length;
        }
        return fallback;
    }

    private static bool TryReadVarLong(ReadOnlySpan<byte> s, ref int pos, out long value)
    {
        ulong raw = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if ((uint)pos >= (uint)s.Length)
            {
                value = 0;
                return false;
            }
            var b = s[pos++];
            raw |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                value = (long)(raw >> 1) ^ -(long)(raw & 1);
                return true;
            }
        }
        value = 0;
        return false;
    }

    /// <summary>
    /// Headers of the batches from the one holding <paramref name="fromOffset"/> to the end, e.g. to rebuild
    /// idempotent-producer state after a restart. Segments removed during the walk end it early.
    /// </summary>
    public IEnumerable<RecordBatchHeader> ReadBatchHeaders(long fromOffset)
    {
        var segs = Volatile.Read(ref _segments);
        for (var i = FloorSegment(segs, fromOffset); i < segs.Length; i++)
        {
            var seg = segs[i];
            if (!seg.TryAcquire()) yield break;
            try
            {
                var end = seg.Size;
                if (!seg.TryFindBatch(fromOffset, end, out var position, out _)) continue;
                using var scanner = new BatchScanner(seg.Handle, position, end);
                while (scanner.TryPeekHeader(out var h))
                {
                    yield return h;
                    scanner.Advance(h.TotalSize);
                }
            }
            finally
            {
                seg.Release();
            }
        }
    }

    /// <summary>Advances the log start offset (DeleteRecords) and drops segments wholly below it.</summary>
    public void DeleteRecordsBefore(long offset)
    {
        lock (_lock)
        {
            ThrowIfClosed();
            if (offset > _logEndOffset || offset < 0) throw StorageException.OffsetOutOfRange(offset, _logStartOffset, _logEndOffset);
            if (offset <= _logStartOffset) return;
            Volatile.Write(ref _logStartOffset, offset);
            var doomed = new List<LogSegment>();
            CollectBelowStart(doomed);
            RemoveSegments(doomed);
            WriteCheckpoint();
        }
    }

    /// <summary>
    /// Deletes closed segments that are wholly below the log start offset and, when cleanup.policy has
    /// delete, those past retention.ms (by their newest timestamp) or beyond retention.bytes, oldest first.
    /// The active segment is never deleted. Returns how many segments were removed.
    /// </summary>
    public int EnforceRetention()
    {
        lock (_lock)
        {
            ThrowIfClosed();
            if (_logDir.IsOffline) return 0; // reported when it failed; background retention just stops
            var c = _config;
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var segs = _segments;
            var doomed = new List<LogSegment>();
            CollectBelowStart(doomed);
            if (c.Delete)
            {
                var i = doomed.Count;
                if (c.RetentionMs >= 0)
                {
                    for (; i < segs.Length - 1; i++)
                    {
                        var newest = segs[i].MaxTimestamp >= 0 ? segs[i].MaxTimestamp : segs[i].LastModifiedMs();
                        if (now - newest <= c.RetentionMs) break;
                        doomed.Add(segs[i]);
                    }
                }
                if (c.RetentionBytes >= 0)
                {
                    long total = 0;
                    foreach (var s in segs) total += s.Size;
                    foreach (var s in doomed) total -= s.Size;
                    var excess = total - c.RetentionBytes;
                    for (; i < segs.Length - 1 && excess >= segs[i].Size; i++)
                    {
                        excess -= segs[i].Size;
                        doomed.Add(segs[i]);
                    }
                }
            }
            if (doomed.Count == 0) return 0;
            RemoveSegments(doomed);
            WriteCheckpoint();
            return doomed.Count;
        }
    }

    private void CollectBelowStart(List<LogSegment> doomed)
    {
        var segs = _segments;
        for (var i = 0; i < segs.Length - 1 && segs[i + 1].BaseOffset <= _logStartOffset; i++) doomed.Add(segs[i]);
    }

    /// <summary>Removes a prefix of the segments; the caller holds the lock and writes the checkpoint.</summary>
    private void RemoveSegments(List<LogSegment> doomed)
    {
        if (doomed.Count == 0) return;
        var remaining = _segments[doomed.Count..];
        Volatile.Write(ref _segments, remaining);
        if (remaining[0].BaseOffset > _logStartOffset) Volatile.Write(ref _logStartOffset, Math.Min(remaining[0].BaseOffset, _logEndOffset));
        foreach (var s in doomed) s.Close(deleteFiles: true);
    }

    /// <summary>
    /// Fsyncs the log data up to the current log end offset (indexes are rebuilt by recovery if lost). A failed fsync
    /// takes the log directory offline and throws <see cref="StorageException"/> (KafkaStorageError); the flushed offset
    /// then never moves again, and later calls do nothing: no fsync can vouch for data a failed one may have dropped.
    /// </summary>
    public void Flush()
    {
        lock (_flushLock)
        {
            LogSegment active;
            long target;
            lock (_lock)
            {
                if (_closed || _logDir.IsOffline) return;
                target = _logEndOffset;
                if (target <= Volatile.Read(ref _flushedOffset)) return;
                active = _segments[^1];
                active.TryAcquire();
                _unflushedMessages = 0;
                _firstUnflushedAppendTime = -1;
            }
            try
            {
                // Earlier segments were made durable when they rolled.
                active.FlushData();
            }
            finally
            {
                active.Release();
            }
            lock (_lock)
            {
                if (target > _flushedOffset) Volatile.Write(ref _flushedOffset, target);
            }
        }
    }

    /// <summary>
    /// flush.ms without further appends: the broker calls this periodically; flushes when the oldest
    /// unflushed append is at least flush.ms old. Returns true when it flushed.
    /// </summary>
    public bool FlushIfDue()
    {
        lock (_lock)
        {
            if (_closed || _logDir.IsOffline || _firstUnflushedAppendTime < 0 || _config.FlushMs == LogConfig.Unlimited) return false;
            if (_time.GetUtcNow().ToUnixTimeMilliseconds() - _firstUnflushedAppendTime < _config.FlushMs) return false;
        }
        Flush();
        return true;
    }

    public void UpdateConfig(LogConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        lock (_lock)
        {
            Volatile.Write(ref _config, config);
            foreach (var s in _segments) s.UpdateIndexLimits(config);
        }
    }

    /// <summary>Closes the log and removes its directory (DeleteTopics).</summary>
    public void Delete()
    {
        lock (_flushLock)
        {
            lock (_lock)
            {
                if (!_closed)
                {
                    _closed = true;
                    foreach (var s in _segments) s.Close(deleteFiles: false);
                }
            }
            if (System.IO.Directory.Exists(_directory)) System.IO.Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>
    /// Flushes everything and leaves a clean-shutdown marker so the next open skips recovery. With the log directory
    /// offline it only closes the files: the next open then recovers from whatever is on disk.
    /// </summary>
    public void Dispose()
    {
        lock (_flushLock)
        {
            lock (_lock)
            {
                if (_closed) return;
                _closed = true;
                try
                {
                    if (_logDir.IsOffline) return;
                    _segments[^1].Seal();
                    _recoveryPoint = _logEndOffset;
                    _flushedOffset = _logEndOffset;
                    WriteCheckpoint();
                    _logDir.ReplaceAtomically(Path.Combine(_directory, CleanShutdownFileName), []);
                }
                finally
                {
                    foreach (var s in _segments) s.Close(deleteFiles: false);
                }
            }
        }
    }

    private void ThrowIfClosed()
    {
        if (_closed) throw new StorageException(ErrorCode.KafkaStorageError, $"The log in '{_directory}' is closed.");
    }

    private void WriteCheckpoint()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"1\n{_logStartOffset}\n{_recoveryPoint}\n{_firstDirtyOffset}\n");
        foreach (var seg in _segments)
        {
            if (seg.CleanedTime >= 0) sb.Append(CultureInfo.InvariantCulture, $"cleaned {seg.BaseOffset} {seg.CleanedTime}\n");
        }
        _logDir.ReplaceAtomically(Path.Combine(_directory, CheckpointFileName), Encoding.ASCII.GetBytes(sb.ToString()));
    }

    private sealed record Checkpoint(long LogStart, long RecoveryPoint, long FirstDirty, Dictionary<long, long> CleanedTimes);

    /// <summary>A missing or damaged file means "recover everything, nothing cleaned yet".</summary>
    private static Checkpoint ReadCheckpoint(string directory)
    {
        var cleaned = new Dictionary<long, long>();
        try
        {
            var lines = File.ReadAllLines(Path.Combine(directory, CheckpointFileName));
            if (lines.Length >= 4 && lines[0] == "1"
                && long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
                && long.TryParse(lines[2], NumberStyles.None, CultureInfo.InvariantCulture, out var recovery)
                && long.TryParse(lines[3], NumberStyles.None, CultureInfo.InvariantCulture, out var dirty))
            {
                foreach (var line in lines.AsSpan(4))
                {
                    var parts = line.Split(' ');
                    if (parts.Length == 3 && parts[0] == "cleaned"
                        && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var b)
                        && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var t))
                        cleaned[b] = t;
                }
                return new Checkpoint(start, recovery, dirty, cleaned);
            }
        }
        catch (FileNotFoundException)
        {
        }
        return new Checkpoint(0, 0, 0, cleaned);
    }
}
