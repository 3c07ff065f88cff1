using System.Buffers;
using KafkaConnect.Protocol.Records;
using Microsoft.Win32.SafeHandles;

namespace KafkaConnect.Storage;

/// <summary>
/// One segment: a .log file of v2 batches stored exactly as appended, plus its sparse offset and time
/// indexes. Appends come from one thread at a time (the log's lock); reads are concurrent and see only
/// bytes up to the published size. Reference counted so a reader never races a deletion or a compaction swap.
/// </summary>
internal sealed class LogSegment
{
    private readonly LogDirectory _io;
    private readonly SafeFileHandle _log;
    private SparseIndex _offsetIndex;
    private SparseIndex _timeIndex;
    private long _size;
    private long _nextOffset;
    private long _maxTimestamp = -1;
    private long _offsetOfMaxTimestamp;
    private int _bytesSinceIndexEntry;
    private int _refs = 1;

    private LogSegment(LogDirectory io, string directory, long baseOffset, SafeFileHandle log, SparseIndex offsetIndex, SparseIndex timeIndex)
    {
        _io = io;
        Directory = directory;
        BaseOffset = baseOffset;
        _log = log;
        _offsetIndex = offsetIndex;
        _timeIndex = timeIndex;
        _nextOffset = baseOffset;
    }

    public string Directory { get; }
    public long BaseOffset { get; }
    public string LogPath => FileIO.SegmentPrefix(Directory, BaseOffset) + FileIO.LogSuffix;
    public string OffsetIndexPath => FileIO.SegmentPrefix(Directory, BaseOffset) + FileIO.IndexSuffix;
    public string TimeIndexPath => FileIO.SegmentPrefix(Directory, BaseOffset) + FileIO.TimeIndexSuffix;

    /// <summary>Published byte size: readers never look past it.</summary>
    public long Size => Volatile.Read(ref _size);
    /// <summary>One past the last offset stored here (BaseOffset when empty).</summary>
    public long NextOffset => Volatile.Read(ref _nextOffset);
    /// <summary>Largest batch max timestamp, -1 when empty or unknown.</summary>
    public long MaxTimestamp => Volatile.Read(ref _maxTimestamp);
    /// <summary>When segment.ms counts from: the first append's wall time (or first batch's timestamp after reopen).</summary>
    public long RollBaseTime { get; private set; } = -1;
    /// <summary>Wall time this segment was last cleaned (compaction), for delete.retention.ms of tombstones; -1 never.</summary>
    public long CleanedTime { get; set; } = -1;
    public bool HasUnflushedData { get; private set; }
    internal SafeFileHandle Handle => _log;
    internal LogDirectory IO => _io;
    internal SparseIndex OffsetIndex => _offsetIndex;
    internal SparseIndex TimeIndex => _timeIndex;

    public static LogSegment Create(LogDirectory io, string directory, long baseOffset, LogConfig config)
    {
        var prefix = FileIO.SegmentPrefix(directory, baseOffset);
        FileIO.DeleteIfExists(prefix + FileIO.IndexSuffix);
        FileIO.DeleteIfExists(prefix + FileIO.TimeIndexSuffix);
        var log = FileIO.OpenReadWrite(prefix + FileIO.LogSuffix, FileMode.Create);
        return new LogSegment(io, directory, baseOffset, log,
            SparseIndex.CreateEmpty(prefix + FileIO.IndexSuffix, false, MaxOffsetEntries(config)),
            SparseIndex.CreateEmpty(prefix + FileIO.TimeIndexSuffix, true, MaxTimeEntries(config)));
    }

    private static int MaxOffsetEntries(LogConfig c) => Math.Max(1, c.SegmentIndexBytes / 8);
    private static int MaxTimeEntries(LogConfig c) => Math.Max(1, c.SegmentIndexBytes / 12);

    /// <summary>
    /// Opens an existing segment. With <paramref name="recover"/> every batch is checked (length, magic,
    /// CRC, offsets) and a torn or corrupt tail is cut off; otherwise the index files are trusted when they
    /// pass a sanity check and only the bytes after the last index entry are scanned.
    /// </summary>
    public static LogSegment Open(LogDirectory io, string directory, long baseOffset, LogConfig config, bool recover, out long truncatedBytes)
    {
        var prefix = FileIO.SegmentPrefix(directory, baseOffset);
        var log = FileIO.OpenReadWrite(prefix + FileIO.LogSuffix, FileMode.Open);
        try
        {
            var fileSize = RandomAccess.GetLength(log);
            truncatedBytes = 0;
            if (!recover
                && SparseIndex.TryLoad(prefix + FileIO.IndexSuffix, false, MaxOffsetEntries(config), fileSize, out var oi)
                && SparseIndex.TryLoad(prefix + FileIO.TimeIndexSuffix, true, MaxTimeEntries(config), fileSize, out var ti))
            {
                var seg = new LogSegment(io, directory, baseOffset, log, oi, ti);
                if (seg.TryLoadTail(fileSize)) return seg;
            }
            FileIO.DeleteIfExists(prefix + FileIO.IndexSuffix);
            FileIO.DeleteIfExists(prefix + FileIO.TimeIndexSuffix);
            var rebuilt = new LogSegment(io, directory, baseOffset, log,
                SparseIndex.CreateEmpty(prefix + FileIO.IndexSuffix, false, MaxOffsetEntries(config)),
                SparseIndex.CreateEmpty(prefix + FileIO.TimeIndexSuffix, true, MaxTimeEntries(config)));
            truncatedBytes = rebuilt.Recover(fileSize, config.IndexIntervalBytes);
            return rebuilt;
        }
        catch
        {
            log.Dispose();
            throw;
        }
    }

    /// <summary>Trusted indexes: derive the in-memory state from the last index entry onwards.</summary>
    private bool TryLoadTail(long fileSize)
    {
        var n = _offsetIndex.Count;
        long position = n == 0 ? 0 : _offsetIndex[n - 1].Value;
        if (_timeIndex.Count > 0)
        {
            var t = _timeIndex.Last;
            _maxTimestamp = t.Key;
            _offsetOfMaxTimestamp = BaseOffset + t.Value;
        }
        using var scanner = new BatchScanner(_log, position, fileSize);
        var first = true;
        while (!scanner.AtEnd)
        {
            if (!scanner.TryPeekHeader(out var h) || h.Magic != 2 || h.BaseOffset < BaseOffset) return false;
            if (first && n > 0 && h.BaseOffset != BaseOffset + _offsetIndex[n - 1].Key) return false;
            first = false;
            Track(h);
            scanner.Advance(h.TotalSize);
        }
        _size = fileSize;
        _bytesSinceIndexEntry = (int)Math.Min(int.MaxValue, fileSize - position);
        if (fileSize > 0) RollBaseTime = FirstBatchTimestamp();
        return true;
    }

    private long FirstBatchTimestamp()
    {
        Span<byte> buf = stackalloc byte[RecordBatchHeader.Size];
        if (FileIO.ReadFully(_log, buf, 0) == buf.Length && RecordBatchHeader.TryRead(buf, out var h) && h.MaxTimestamp >= 0)
            return h.MaxTimestamp;
        return new DateTimeOffset(File.GetLastWriteTimeUtc(LogPath)).ToUnixTimeMilliseconds();
    }

    /// <summary>Validates every batch and rebuilds the indexes; returns how many bytes were cut off.</summary>
    private long Recover(long fileSize, int indexIntervalBytes)
    {
        long expected = BaseOffset;
        using (var scanner = new BatchScanner(_log, 0, fileSize, 1 << 20))
        {
            while (!scanner.AtEnd)
            {
                if (!scanner.TryPeekHeader(out var h)
                    || h.Magic != 2
                    || h.LastOffsetDelta < 0
                    || h.BaseOffset < expected
                    || h.LastOffset - BaseOffset > int.MaxValue
                    || !RecordBatchHeader.IsCrcValid(scanner.ReadBatch(h.TotalSize).Span))
                {
                    break;
                }
                IndexBatch(h, scanner.Position, indexIntervalBytes);
                Track(h);
                expected = h.LastOffset + 1;
                scanner.Advance(h.TotalSize);
            }
            _size = scanner.Position;
        }
        var cut = fileSize - _size;
        if (cut > 0)
        {
            RandomAccess.SetLength(_log, _size);
            _io.Fsync(_log, LogPath);
        }
        if (_size > 0) RollBaseTime = FirstBatchTimestamp();
        return cut;
    }

    private void Track(in RecordBatchHeader h)
    {
        if (h.MaxTimestamp > _maxTimestamp)
        {
            _maxTimestamp = h.MaxTimestamp;
            _offsetOfMaxTimestamp = h.BaseOffset;
        }
        if (h.LastOffset + 1 > _nextOffset) _nextOffset = h.LastOffset + 1;
    }

    private void IndexBatch(in RecordBatchHeader h, long position, int indexIntervalBytes)
    {
        if (_bytesSinceIndexEntry > indexIntervalBytes)
        {
            _offsetIndex.Add(h.BaseOffset - BaseOffset, (int)position);
            var maxSoFar = Math.Max(_maxTimestamp, h.MaxTimestamp);
            if (maxSoFar > _timeIndex.Last.Key || _timeIndex.Count == 0)
                _timeIndex.Add(maxSoFar, (int)(h.BaseOffset - BaseOffset));
            _bytesSinceIndexEntry = 0;
        }
        _bytesSinceIndexEntry += h.TotalSize;
    }

    public bool IsIndexFull(int moreEntries) => _offsetIndex.IsFull(moreEntries) || _timeIndex.IsFull(moreEntries);

    /// <summary>
    /// Writes batches whose offsets were already assigned, then indexes and publishes them.
    /// The caller holds the log's lock.
    /// </summary>
    public void Append(ReadOnlySpan<byte> batches, long now, int indexIntervalBytes)
    {
        var position = _size;
        _io.Write(_log, batches, position, LogPath);
        if (position == 0) RollBaseTime = now;
        var offset = 0;
        long next = _nextOffset;
        while (offset < batches.Length)
        {
            RecordBatchHeader.TryRead(batches[offset..], out var h);
            IndexBatch(h, position + offset, indexIntervalBytes);
            if (h.MaxTimestamp > _maxTimestamp)
            {
                Volatile.Write(ref _maxTimestamp, h.MaxTimestamp);
                _offsetOfMaxTimestamp = h.BaseOffset;
            }
            next = h.LastOffset + 1;
            offset += h.TotalSize;
        }
        HasUnflushedData = true;
        Volatile.Write(ref _size, position + batches.Length);
        Volatile.Write(ref _nextOffset, next);
    }

    /// <summary>
    /// Finds the batch holding <paramref name="offset"/> (or the first one after it). False when no batch
    /// in this segment ends at or after the offset.
    /// </summary>
    public bool TryFindBatch(long offset, long end, out long position, out RecordBatchHeader header)
    {
        var i = _offsetIndex.Floor(offset - BaseOffset, strict: false);
        position = i < 0 ? 0 : _offsetIndex[i].Value;
        using var scanner = new BatchScanner(_log, position, end, 16 * 1024);
        while (scanner.TryPeekHeader(out header))
        {
            if (header.LastOffset >= offset)
            {
                position = scanner.Position;
                return true;
            }
            scanner.Advance(header.TotalSize);
        }
        header = default;
        return false;
    }

    /// <summary>
    /// Copies whole batches from <paramref name="position"/> with one positional read: as many as fit in
    /// <paramref name="maxBytes"/>, but the first one even when it alone is larger (if <paramref name="minOneBatch"/>).
    /// </summary>
    public int ReadBatches(long position, long end, int firstBatchSize, int maxBytes, bool minOneBatch, IBufferWriter<byte> dest)
    {
        var available = end - position;
        var want = (int)Math.Min(available, Math.Max(maxBytes, 0));
        if (want < firstBatchSize)
        {
            if (!minOneBatch) return 0;
            want = firstBatchSize;
        }
        var span = dest.GetSpan(want)[..want];
        var read = FileIO.ReadFully(_log, span, position);
        // Keep only whole batches: walk the headers just read.
        var whole = 0;
        while (whole + RecordBatchHeader.LogOverhead <= read)
        {
            var total = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(span[(whole + 8)..]) + RecordBatchHeader.LogOverhead;
            if (total < RecordBatchHeader.Size || whole + total > read) break;
            whole += total;
        }
        dest.Advance(whole);
        return whole;
    }

    /// <summary>Position to start scanning for the first batch with max timestamp &gt;= ts.</summary>
    public long TimestampLookupPosition(long timestamp)
    {
        var i = _timeIndex.Floor(timestamp, strict: true);
        if (i < 0) return 0;
        var rel = _timeIndex[i].Value;
        var j = _offsetIndex.Floor(rel, strict: false);
        return j < 0 ? 0 : _offsetIndex[j].Value;
    }

    /// <summary>
    /// Fsyncs the log data only. Enough for durability: after an unclean stop the active segment is rescanned and its
    /// indexes rebuilt, so they are written at roll and close rather than on every acks=all flush.
    /// </summary>
    public void FlushData()
    {
        _io.Fsync(_log, LogPath);
        HasUnflushedData = false;
    }

    /// <summary>Writes pending index entries and, when asked, fsyncs the log and the indexes.</summary>
    public void Flush(bool fsync)
    {
        if (fsync) FlushData();
        _offsetIndex.Persist(_io, fsync);
        _timeIndex.Persist(_io, fsync);
    }

    /// <summary>Called when the segment stops being active: records the final max timestamp and makes it durable.</summary>
    public void Seal()
    {
        if (_maxTimestamp >= 0 && (_timeIndex.Count == 0 || _maxTimestamp > _timeIndex.Last.Key) && !_timeIndex.IsFull(1))
            _timeIndex.Add(_maxTimestamp, (int)(_offsetOfMaxTimestamp - BaseOffset));
        Flush(fsync: true);
    }

    public void UpdateIndexLimits(LogConfig config)
    {
        _offsetIndex.MaxEntries = Math.Max(_offsetIndex.Count, MaxOffsetEntries(config));
        _timeIndex.MaxEntries = Math.Max(_timeIndex.Count, MaxTimeEntries(config));
    }

    public long LastModifiedMs() => new DateTimeOffset(File.GetLastWriteTimeUtc(LogPath)).ToUnixTimeMilliseconds();

    public bool TryAcquire()
    {
        while (true)
        {
            var r = Volatile.Read(ref _refs);
            if (r == 0) return false;
            if (Interlocked.CompareExchange(ref _refs, r + 1, r) == r) return true;
        }
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _refs) != 0) return;
        _log.Dispose();
    }

    /// <summary>Drops the log's own reference; files go when the last reader is done (if <paramref name="deleteFiles"/>).</summary>
    public void Close(bool deleteFiles)
    {
        if (deleteFiles)
        {
            // Unlink now (open handles keep working on Unix); the final release closes the handle.
            DeleteFiles();
        }
        Release();
    }

    private void DeleteFiles()
    {
        FileIO.DeleteIfExists(LogPath);
        FileIO.DeleteIfExists(OffsetIndexPath);
        FileIO.DeleteIfExists(TimeIndexPath);
    }

    /// <summary>For compaction: a segment built from a .cleaned file that will be renamed into place.</summary>
    internal static LogSegment CreateCleaned(LogDirectory io, string directory, long baseOffset, LogConfig config, out string cleanedLogPath)
    {
        var prefix = FileIO.SegmentPrefix(directory, baseOffset);
        cleanedLogPath = prefix + FileIO.LogSuffix + FileIO.CleanedSuffix;
        var log = FileIO.OpenReadWrite(cleanedLogPath, FileMode.Create);
        return new LogSegment(io, directory, baseOffset, log,
            SparseIndex.CreateEmpty(prefix + FileIO.IndexSuffix + FileIO.CleanedSuffix, false, int.MaxValue),
            SparseIndex.CreateEmpty(prefix + FileIO.TimeIndexSuffix + FileIO.CleanedSuffix, true, int.MaxValue));
    }

    /// <summary>Appends a batch during cleaning (offsets are kept, not assigned).</summary>
    internal void AppendCleaned(ReadOnlySpan<byte> batch, int indexIntervalBytes)
    {
        RecordBatchHeader.TryRead(batch, out var h);
        _io.Write(_log, batch, _size, LogPath);
        IndexBatch(h, _size, indexIntervalBytes);
        Track(h);
        _size += batch.Length;
    }

    /// <summary>Points this cleaned segment's indexes at their final names (after the .log rename).</summary>
    internal void AdoptFinalIndexPaths(LogConfig config)
    {
        var prefix = FileIO.SegmentPrefix(Directory, BaseOffset);
        _offsetIndex = Rehome(_offsetIndex, prefix + FileIO.IndexSuffix, false, MaxOffsetEntries(config));
        _timeIndex = Rehome(_timeIndex, prefix + FileIO.TimeIndexSuffix, true, MaxTimeEntries(config));
    }

    private static SparseIndex Rehome(SparseIndex from, string path, bool time, int max)
    {
        var to = SparseIndex.CreateEmpty(path, time, Math.Max(max, from.Count));
        for (var i = 0; i < from.Count; i++) to.Add(from[i].Key, from[i].Value);
        return to;
    }

    /// <summary>Ensures the next offset covers offsets removed by cleaning (keeps the log end stable).</summary>
    internal void SetNextOffsetAtLeast(long next)
    {
        if (next > _nextOffset) _nextOffset = next;
    }
}
