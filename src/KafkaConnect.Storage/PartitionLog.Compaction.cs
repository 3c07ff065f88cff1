using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Records;

namespace KafkaConnect.Storage;

public sealed partial class PartitionLog
{
    private readonly object _cleanLock = new();

    /// <summary>
    /// For records of compacted topics the broker must reject keyless records at produce time. True when any
    /// record in the concatenated batches has a null key (control batches are ignored). Decodes the records.
    /// </summary>
    public static bool HasRecordWithoutKey(ReadOnlySpan<byte> batches)
    {
        while (RecordBatchHeader.TryRead(batches, out var h) && h.TotalSize <= batches.Length && h.BatchLength > 0)
        {
            if (RecordBatchCodec.HasRecordWithoutKey(batches[..h.TotalSize])) return true;
            batches = batches[h.TotalSize..];
        }
        return false;
    }

    /// <summary>
    /// cleanup.policy=compact: rewrites the closed segments (never the active one, nor segments younger than
    /// min.compaction.lag.ms) keeping only the latest record per key across the whole log. Tombstones stay
    /// until delete.retention.ms after their segment was first cleaned. Transactional and control batches
    /// are kept as they are; batches left empty are dropped; offsets never change. Runs when the dirty part
    /// reaches min.cleanable.dirty.ratio, or always with <paramref name="force"/>. Returns true when it ran.
    /// </summary>
    public bool Compact(bool force = false)
    {
        lock (_cleanLock)
        {
            LogSegment[] all;
            long[] ends;
            int cleanable;
            long firstDirty;
            LogConfig config;
            long now;
            lock (_lock)
            {
                ThrowIfClosed();
                config = _config;
                // An offline directory was reported when it failed; background cleaning just stops.
                if (!config.Compact || _logDir.IsOffline) return false;
                now = _time.GetUtcNow().ToUnixTimeMilliseconds();
                all = _segments;
                cleanable = 0;
                while (cleanable < all.Length - 1
                       && (config.MinCompactionLagMs == 0 || now - all[cleanable].MaxTimestamp >= config.MinCompactionLagMs))
                    cleanable++;
                if (cleanable == 0) return false;
                firstDirty = _firstDirtyOffset;
                ends = new long[all.Length];
                for (var i = 0; i < all.Length; i++)
                {
                    all[i].TryAcquire(); // under the lock: none of them can have been closed yet
                    ends[i] = all[i].Size;
                }
            }
            try
            {
                long total = 0, dirty = 0;
                for (var i = 0; i < cleanable; i++)
                {
                    total += ends[i];
                    if (all[i + 1].BaseOffset > firstDirty) dirty += ends[i];
                }
                if (!force && (dirty == 0 || (double)dirty / total < config.MinCleanableDirtyRatio)) return false;

                var latest = BuildOffsetMap(all, ends);
                var results = new CleanResult[cleanable];
                try
                {
                    for (var i = 0; i < cleanable; i++) results[i] = CleanSegment(all[i], ends[i], latest, now, config);
                    SwapIn(all, results, config, now);
                }
                catch
                {
                    foreach (var r in results) r.Discard();
                    throw;
                }
                return true;
            }
            finally
            {
                foreach (var s in all) s.Release();
            }
        }
    }

    private sealed class KeyComparer : IEqualityComparer<byte[]>
    {
        public static readonly KeyComparer Instance = new();
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);
        public int GetHashCode(byte[] obj)
        {
            var h = new HashCode();
            h.AddBytes(obj);
            return h.ToHashCode();
        }
    }

    /// <summary>Latest offset per key over every batch that compaction may look at.</summary>
    private static Dictionary<byte[], long> BuildOffsetMap(LogSegment[] segments, long[] ends)
    {
        var map = new Dictionary<byte[], long>(KeyComparer.Instance);
        for (var i = 0; i < segments.Length; i++)
        {
            using var scanner = new BatchScanner(segments[i].Handle, 0, ends[i], 1 << 20);
            while (scanner.TryPeekHeader(out var h))
            {
                if (!h.IsControl && !h.IsTransactional && TryDecode(scanner.ReadBatch(h.TotalSize).Span, out var records))
                {
                    foreach (var r in records)
                    {
                        if (r.Key is { } key) map[key.ToArray()] = r.Offset;
                    }
                }
                scanner.Advance(h.TotalSize);
            }
        }
        return map;
    }

    private static bool TryDecode(ReadOnlySpan<byte> batch, out List<Record> records)
    {
        try
        {
            records = RecordBatchCodec.ReadRecords(batch, verifyCrc: false);
            return true;
        }
        catch (Exception ex) when (ex is ProtocolException or UnsupportedCompressionException)
        {
            // Left as is: a batch we cannot decode is never shrunk, and its keys supersede nothing.
            records = [];
            return false;
        }
    }

    /// <summary>A cleaned copy of one segment, or null when nothing in it changed.</summary>
    private readonly record struct CleanResult(LogSegment Original, LogSegment? Cleaned, string? CleanedLogPath)
    {
        public void Discard()
        {
            if (Cleaned is null) return;
            Cleaned.Close(deleteFiles: false);
            FileIO.DeleteIfExists(CleanedLogPath!);
        }
    }

    private static CleanResult CleanSegment(LogSegment segment, long end, Dictionary<byte[], long> latest, long now, LogConfig config)
    {
        var dropTombstones = segment.CleanedTime >= 0 && now - segment.CleanedTime >= config.DeleteRetentionMs;
        var cleaned = LogSegment.CreateCleaned(segment.IO, segment.Directory, segment.BaseOffset, config, out var cleanedPath);
        var result = new CleanResult(segment, cleaned, cleanedPath);
        try
        {
            var changed = false;
            using var builder = new RecordBatchBuilder();
            using var output = new ProtocolWriter(16 * 1024);
            using var scanner = new BatchScanner(segment.Handle, 0, end, 1 << 20);
            var keep = new List<Record>();
            while (scanner.TryPeekHeader(out var h))
            {
                var batch = scanner.ReadBatch(h.TotalSize).Span;
                scanner.Advance(h.TotalSize);
                if (h.IsControl || h.IsTransactional || !TryDecode(batch, out var records))
                {
                    cleaned.AppendCleaned(batch, config.IndexIntervalBytes);
                    continue;
                }
                keep.Clear();
                foreach (var r in records)
                {
                    if (r.Key is not { } key)
                    {
                        keep.Add(r); // cannot be compared; the broker rejects these for compacted topics
                        continue;
                    }
                    var isLatest = latest.TryGetValue(key.ToArray(), out var newest) && newest == r.Offset;
                    if (isLatest && !(r.Value is null && dropTombstones)) keep.Add(r);
                }
                if (keep.Count == records.Count)
                {
                    cleaned.AppendCleaned(batch, config.IndexIntervalBytes);
                    continue;
                }
                changed = true;
                if (keep.Count == 0) continue;
                builder.Clear();
                builder.BaseOffset = h.BaseOffset;
                builder.Compression = h.Compression;
                builder.ProducerId = h.ProducerId;
                builder.ProducerEpoch = h.ProducerEpoch;
                builder.BaseSequence = h.BaseSequence;
                builder.PartitionLeaderEpoch = h.PartitionLeaderEpoch;
                builder.TimestampType = h.LogAppendTime ? TimestampType.LogAppendTime : TimestampType.CreateTime;
                builder.MaxTimestamp = h.LogAppendTime ? h.MaxTimestamp : null;
                // Keeping the last offset keeps the producer's sequence range intact.
                builder.LastOffsetDelta = h.LastOffsetDelta;
                foreach (var r in keep) builder.Add(r);
                output.Reset();
                builder.Build(output);
                cleaned.AppendCleaned(output.WrittenSpan, config.IndexIntervalBytes);
            }
            if (!changed)
            {
                result.Discard();
                return new CleanResult(segment, null, null);
            }
            cleaned.SetNextOffsetAtLeast(segment.NextOffset);
            cleaned.FlushData();
            return result;
        }
        catch
        {
            result.Discard();
            throw;
        }
    }

    /// <summary>Replaces cleaned segments in place: each .log.cleaned is renamed over its .log (atomic).</summary>
    private void SwapIn(LogSegment[] all, CleanResult[] results, LogConfig config, long now)
    {
        lock (_lock)
        {
            var segs = new List<LogSegment>(_segments);
            foreach (var r in results)
            {
                var idx = segs.IndexOf(r.Original);
                if (idx < 0)
                {
                    r.Discard(); // deleted by retention meanwhile
                    continue;
                }
                var cleanedTime = r.Original.CleanedTime >= 0 ? r.Original.CleanedTime : now;
                if (r.Cleaned is not { } cleaned)
                {
                    r.Original.CleanedTime = cleanedTime;
                    continue;
                }
                cleaned.CleanedTime = cleanedTime;
                if (cleaned.Size == 0 && idx > 0)
                {
                    r.Discard();
                    segs.RemoveAt(idx);
                    r.Original.Close(deleteFiles: true);
                    continue;
                }
                // Old indexes go first: a crash before the rename leaves the old log to be re-indexed, after it the new one.
                FileIO.DeleteIfExists(r.Original.OffsetIndexPath);
                FileIO.DeleteIfExists(r.Original.TimeIndexPath);
                File.Move(r.CleanedLogPath!, r.Original.LogPath, overwrite: true);
                cleaned.AdoptFinalIndexPaths(config);
                cleaned.Flush(fsync: true);
                segs[idx] = cleaned;
                r.Original.Close(deleteFiles: false);
            }
            Volatile.Write(ref _segments, [.. segs]);
            _firstDirtyOffset = Math.Max(_firstDirtyOffset, all[results.Length].BaseOffset);
            _logDir.FsyncDirectory(_directory);
            WriteCheckpoint();
        }
    }
}
