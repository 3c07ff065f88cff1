using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Records;

namespace KafkaConnect.Storage.Tests;

public sealed class PartitionLogTests : IDisposable
{
    private readonly TempDir _tmp = new();
    private readonly ManualTimeProvider _time = new();

    public void Dispose() => _tmp.Dispose();

    private PartitionLog Open(LogConfig? config = null) => PartitionLog.Open(_tmp.Partition(), config ?? LogConfig.Default, _time);

    [Fact]
    public void Append_assigns_offsets_and_reads_back_across_segment_rolls()
    {
        using var log = Open(new LogConfig { SegmentBytes = 600 });
        long expected = 0;
        for (var i = 0; i < 40; i++)
        {
            var info = log.Append(Batches.Simple(3, _time.NowMs, $"b{i}"));
            Assert.Equal(expected, info.FirstOffset);
            Assert.Equal(expected + 2, info.LastOffset);
            Assert.Equal(-1, info.LogAppendTime);
            expected += 3;
        }
        Assert.Equal(120, log.LogEndOffset);
        Assert.True(log.SegmentCount > 5);

        var all = log.ReadAll();
        Assert.Equal(Enumerable.Range(0, 120).Select(i => (long)i), all.Select(r => r.Offset));
        Assert.Equal("vb13-1", all[40].Value);

        // Every offset is found, in whichever segment it lives.
        for (long o = 0; o < 120; o++)
        {
            var headers = Batches.Headers(log.ReadBytes(o));
            Assert.InRange(o, headers[0].BaseOffset, headers[0].LastOffset);
        }
    }

    [Fact]
    public void Several_batches_in_one_append_get_consecutive_offsets()
    {
        using var log = Open();
        log.Append(Batches.Simple(2, 1));
        var info = log.Append(Batches.Concat(Batches.Simple(3, 1, "a"), Batches.Simple(4, 1, "b")));
        Assert.Equal(2, info.FirstOffset);
        Assert.Equal(8, info.LastOffset);
        var headers = Batches.Headers(log.ReadBytes(0));
        Assert.Equal([0L, 2L, 5L], headers.Select(h => h.BaseOffset));
    }

    [Fact]
    public void Read_from_middle_of_batch_returns_the_whole_batch()
    {
        using var log = Open();
        log.Append(Batches.Simple(5, 1, "a"));
        log.Append(Batches.Simple(5, 1, "b"));
        var records = Batches.Parse(log.ReadBytes(7));
        Assert.Equal(5, records[0].Offset);
        Assert.Equal(9, records[^1].Offset);
        Assert.Equal("vb-2", records.Single(r => r.Offset == 7).Value);
    }

    [Fact]
    public void Read_honours_max_bytes_but_returns_at_least_one_batch()
    {
        using var log = Open();
        var batch = Batches.Simple(3, 1);
        for (var i = 0; i < 10; i++) log.Append(batch.ToArray());

        Assert.Equal(batch.Length, log.ReadBytes(0, maxBytes: 1).Length);
        Assert.Empty(log.ReadBytes(0, maxBytes: 1, minOneBatch: false));
        Assert.Equal(3 * batch.Length, log.ReadBytes(0, maxBytes: 3 * batch.Length + 10).Length);
        Assert.Equal(10 * batch.Length, log.ReadBytes(0).Length);
        Assert.Empty(log.ReadBytes(30));
    }

    [Fact]
    public void Read_outside_the_log_throws_offset_out_of_range()
    {
        using var log = Open();
        log.Append(Batches.Simple(3, 1));
        var ex = Assert.Throws<StorageException>(() => log.ReadBytes(4));
        Assert.Equal(ErrorCode.OffsetOutOfRange, ex.ErrorCode);
        Assert.Throws<StorageException>(() => log.ReadBytes(-1));
    }

    [Fact]
    public void Sparse_index_is_used_for_lookups()
    {
        using var log = Open(new LogConfig { IndexIntervalBytes = 200 });
        for (var i = 0; i < 200; i++) log.Append(Batches.Simple(2, _time.NowMs + i, $"i{i}"));
        var seg = Assert.Single(log.Segments);
        Assert.True(seg.OffsetIndex.Count > 20);
        for (var i = 1; i < seg.OffsetIndex.Count; i++)
            Assert.True(seg.OffsetIndex[i].Key > seg.OffsetIndex[i - 1].Key);
        for (long o = 0; o < 400; o += 7)
        {
            var h = Batches.Headers(log.ReadBytes(o, 1))[0];
            Assert.InRange(o, h.BaseOffset, h.LastOffset);
        }
    }

    [Fact]
    public void Rejects_malformed_and_oversized_batches()
    {
        using var log = Open(new LogConfig { MaxMessageBytes = 200 });
        var batch = Batches.Simple(2, 1);
        Assert.Equal(ErrorCode.CorruptMessage, Assert.Throws<StorageException>(() => log.Append(batch.AsSpan(0, batch.Length - 1).ToArray())).ErrorCode);
        Assert.Equal(ErrorCode.MessageTooLarge, Assert.Throws<StorageException>(() => log.Append(Batches.Simple(30, 1))).ErrorCode);
        Assert.Equal(0, log.LogEndOffset);
    }

    [Fact]
    public void Log_append_time_rewrites_timestamp_and_crc()
    {
        using var log = Open(new LogConfig { LogAppendTime = true });
        var info = log.Append(Batches.Simple(3, 42));
        Assert.Equal(_time.NowMs, info.LogAppendTime);
        var bytes = log.ReadBytes(0);
        var h = Batches.Headers(bytes)[0];
        Assert.True(h.LogAppendTime);
        Assert.Equal(_time.NowMs, h.MaxTimestamp);
        Assert.True(RecordBatchHeader.IsCrcValid(bytes));
        Assert.All(Batches.Parse(bytes), r => Assert.Equal(_time.NowMs, r.Timestamp));
    }

    [Fact]
    public void Offsets_and_content_survive_clean_reopen()
    {
        var config = new LogConfig { SegmentBytes = 500, IndexIntervalBytes = 100 };
        using (var log = Open(config))
        {
            for (var i = 0; i < 30; i++) log.Append(Batches.Simple(2, 1000 + i, $"r{i}"));
        }
        Assert.True(File.Exists(Path.Combine(_tmp.Partition(), ".clean_shutdown")));
        using (var log = Open(config))
        {
            Assert.Equal(60, log.LogEndOffset);
            Assert.Equal(0, log.RecoveredTruncatedBytes);
            Assert.False(File.Exists(Path.Combine(_tmp.Partition(), ".clean_shutdown")));
            Assert.Equal(log.LogEndOffset, log.FlushedOffset);
            Assert.Equal(60, log.ReadAll().Count);
            Assert.Equal(60, log.Append(Batches.Simple(1, 2000)).FirstOffset);
            Assert.Equal(new TimestampAndOffset(1010, 20), log.OffsetForTimestamp(1010));
        }
    }

    [Fact]
    public void Offsets_survive_unclean_reopen()
    {
        var config = new LogConfig { SegmentBytes = 500 };
        var log = Open(config);
        for (var i = 0; i < 30; i++) log.Append(Batches.Simple(2, 1000 + i, $"r{i}"));
        // No Dispose: as if killed. The OS still has the written bytes.
        using var reopened = Open(config);
        Assert.Equal(60, reopened.LogEndOffset);
        Assert.Equal(0, reopened.RecoveredTruncatedBytes);
        Assert.Equal(Enumerable.Range(0, 60).Select(i => (long)i), reopened.ReadAll().Select(r => r.Offset));
        GC.KeepAlive(log);
    }

    private string ActiveLogFile() => Directory.GetFiles(_tmp.Partition(), "*.log").Order(StringComparer.Ordinal).Last();

    [Theory]
    [InlineData("garbage")]
    [InlineData("partial")]
    [InlineData("zeros")]
    [InlineData("badcrc")]
    public void Torn_or_corrupt_tail_is_truncated_on_unclean_reopen(string damage)
    {
        var config = new LogConfig { SegmentBytes = 400 };
        long goodLength;
        using (var log = Open(config))
        {
            for (var i = 0; i < 10; i++) log.Append(Batches.Simple(2, 1000 + i, $"r{i}"));
            goodLength = new FileInfo(ActiveLogFile()).Length;
        }
        File.Delete(Path.Combine(_tmp.Partition(), ".clean_shutdown"));
        var path = ActiveLogFile();
        var tail = Batches.Simple(3, 5000, "torn");
        RecordBatchHeader.SetBaseOffset(tail, 20);
        var lostOffsets = 0;
        using (var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            switch (damage)
            {
                case "garbage":
                    f.Seek(0, SeekOrigin.End);
                    f.Write("this is not a record batch at all"u8);
                    break;
                case "partial":
                    f.Seek(0, SeekOrigin.End);
                    f.Write(tail, 0, tail.Length - 5);
                    break;
                case "zeros":
                    f.Seek(0, SeekOrigin.End);
                    f.Write(new byte[100]);
                    break;
                case "badcrc":
                    // Flip a byte inside the last (complete) batch's records.
                    f.Seek(-3, SeekOrigin.End);
                    var b = f.ReadByte();
                    f.Seek(-3, SeekOrigin.End);
                    f.WriteByte((byte)(b ^ 0xFF));
                    lostOffsets = 2;
                    break;
            }
        }

        using (var log = Open(config))
        {
            Assert.Equal(20 - lostOffsets, log.LogEndOffset);
            Assert.True(log.RecoveredTruncatedBytes > 0);
            var records = log.ReadAll();
            Assert.Equal(20 - lostOffsets, records.Count);
            Assert.Equal(Enumerable.Range(0, 20 - lostOffsets).Select(i => (long)i), records.Select(r => r.Offset));
            if (damage != "badcrc") Assert.Equal(goodLength, new FileInfo(path).Length);
            var info = log.Append(Batches.Simple(1, 6000, "after"));
            Assert.Equal(20 - lostOffsets, info.FirstOffset);
            Assert.Equal("vafter-0", log.ReadAll()[^1].Value);
        }
    }

    [Fact]
    public void Garbage_after_clean_shutdown_is_also_detected()
    {
        using (var log = Open())
        {
            for (var i = 0; i < 5; i++) log.Append(Batches.Simple(2, 1000 + i));
        }
        using (var f = new FileStream(ActiveLogFile(), FileMode.Append)) f.Write(new byte[70]);
        using var reopened = Open();
        Assert.Equal(10, reopened.LogEndOffset);
        Assert.Equal(70, reopened.RecoveredTruncatedBytes);
    }

    [Fact]
    public void Damaged_index_is_rebuilt()
    {
        var config = new LogConfig { IndexIntervalBytes = 100 };
        using (var log = Open(config))
        {
            for (var i = 0; i < 50; i++) log.Append(Batches.Simple(2, 1000 + i));
        }
        var index = Path.ChangeExtension(ActiveLogFile(), ".index");
        Assert.True(new FileInfo(index).Length > 0);
        File.WriteAllBytes(index, [0, 0, 0, 9, 0, 0, 0]); // partial entry
        using var reopened = Open(config);
        Assert.Equal(100, reopened.LogEndOffset);
        Assert.Equal(100, reopened.ReadAll().Count);
        Assert.True(reopened.Segments[0].OffsetIndex.Count > 10);
    }

    [Fact]
    public void Segment_rolls_by_time()
    {
        using var log = Open(new LogConfig { SegmentMs = 60_000 });
        log.Append(Batches.Simple(1, _time.NowMs));
        _time.Advance(TimeSpan.FromSeconds(30));
        log.Append(Batches.Simple(1, _time.NowMs));
        Assert.Equal(1, log.SegmentCount);
        _time.Advance(TimeSpan.FromSeconds(31));
        log.Append(Batches.Simple(1, _time.NowMs));
        Assert.Equal(2, log.SegmentCount);
        Assert.Equal(2, log.Segments[1].BaseOffset);
    }

    [Fact]
    public void Segment_rolls_when_index_is_full()
    {
        using var log = Open(new LogConfig { IndexIntervalBytes = 0, SegmentIndexBytes = 8 * 4 });
        for (var i = 0; i < 20; i++) log.Append(Batches.Simple(1, 1));
        Assert.True(log.SegmentCount >= 4);
        Assert.Equal(20, log.ReadAll().Count);
    }

    [Fact]
    public void Segment_files_use_kafka_names()
    {
        using var log = Open(new LogConfig { SegmentBytes = 200 });
        for (var i = 0; i < 5; i++) log.Append(Batches.Simple(2, 1));
        log.Flush();
        var names = Directory.GetFiles(_tmp.Partition()).Select(Path.GetFileName).ToHashSet();
        Assert.Contains("00000000000000000000.log", names);
        Assert.Contains("00000000000000000000.index", names);
        Assert.Contains("00000000000000000000.timeindex", names);
        Assert.Contains($"{log.Segments[^1].BaseOffset:D20}.log", names);
    }

    [Fact]
    public void Retention_by_time_deletes_old_closed_segments_only()
    {
        using var log = Open(new LogConfig { SegmentBytes = 300, RetentionMs = 3_600_000 });
        var old = _time.NowMs;
        for (var i = 0; i < 10; i++) log.Append(Batches.Simple(2, old));
        var segmentsBefore = log.SegmentCount;
        Assert.True(segmentsBefore > 2);
        _time.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(0, log.EnforceRetention());

        _time.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(segmentsBefore - 1, log.EnforceRetention());
        Assert.Equal(1, log.SegmentCount);
        Assert.Equal(log.Segments[0].BaseOffset, log.LogStartOffset);
        Assert.Equal(20, log.LogEndOffset);
        Assert.Equal(ErrorCode.OffsetOutOfRange, Assert.Throws<StorageException>(() => log.ReadBytes(0)).ErrorCode);
        Assert.Single(Directory.GetFiles(_tmp.Partition(), "*.log"));

        // A newer segment keeps an older one... only segments whose newest record is old go.
        log.Append(Batches.Simple(2, _time.NowMs));
        Assert.Equal(0, log.EnforceRetention());
    }

    [Fact]
    public void Retention_by_bytes_keeps_the_newest_data()
    {
        var batch = Batches.Simple(2, 1);
        using var log = Open(new LogConfig { SegmentBytes = batch.Length * 2, RetentionBytes = batch.Length * 5, RetentionMs = -1 });
        for (var i = 0; i < 10; i++) log.Append(batch.ToArray());
        Assert.Equal(5, log.SegmentCount);
        Assert.Equal(2, log.EnforceRetention());
        Assert.Equal(3, log.SegmentCount);
        Assert.True(log.Size <= batch.Length * 6);
        Assert.Equal(8, log.LogStartOffset);
        Assert.Equal(12, log.ReadAll().Count);
    }

    [Fact]
    public void Retention_ignored_when_policy_is_compact_only()
    {
        using var log = Open(new LogConfig { SegmentBytes = 200, RetentionMs = 1, Delete = false, Compact = true });
        for (var i = 0; i < 5; i++) log.Append(Batches.Simple(2, 1, keyed: true));
        _time.Advance(TimeSpan.FromDays(30));
        Assert.Equal(0, log.EnforceRetention());
    }

    [Fact]
    public void Delete_records_advances_start_offset_and_drops_whole_segments()
    {
        var batch = Batches.Simple(4, 1);
        var config = new LogConfig { SegmentBytes = batch.Length * 2 };
        using (var log = Open(config))
        {
            for (var i = 0; i < 6; i++) log.Append(batch.ToArray()); // segments at 0, 8, 16
            Assert.Equal(3, log.SegmentCount);
            log.DeleteRecordsBefore(10);
            Assert.Equal(10, log.LogStartOffset);
            Assert.Equal(2, log.SegmentCount);
            Assert.Throws<StorageException>(() => log.ReadBytes(9));
            Assert.Equal(8, Batches.Headers(log.ReadBytes(10))[0].BaseOffset); // batch holding the start offset
            Assert.Equal(14, log.ReadAll().Count);
            Assert.Throws<StorageException>(() => log.DeleteRecordsBefore(25));
            log.DeleteRecordsBefore(5); // going backwards is a no-op
            Assert.Equal(10, log.LogStartOffset);
        }
        using (var log = Open(config))
        {
            Assert.Equal(10, log.LogStartOffset);
            Assert.Equal(24, log.LogEndOffset);
            log.DeleteRecordsBefore(24);
            Assert.Equal(24, log.LogStartOffset);
            Assert.Equal(1, log.SegmentCount);
            Assert.Empty(log.ReadBytes(24));
        }
    }

    [Fact]
    public async Task Reads_racing_the_log_start_get_batches_or_offset_out_of_range_and_nothing_else()
    {
        // The log start moves under two readers (DeleteRecords dropping whole segments, 49 times) while they read from just above it:
        // each read returns batches at or after its offset, or fails with OFFSET_OUT_OF_RANGE because the start passed
        // it; never another error, never a batch that ends before the offset, never a hang on a removed segment.
        var batch = Batches.Simple(4, 1);
        using var log = Open(new LogConfig { SegmentBytes = batch.Length * 2 });
        for (var i = 0; i < 400; i++) log.Append(batch.ToArray()); // 1,600 records in 200 segments
        var outOfRange = 0L;
        var served = 0L;
        using var done = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            while (!done.IsCancellationRequested)
            {
                var offset = Math.Min(log.LogStartOffset + 3, log.LogEndOffset - 1);
                try
                {
                    var bytes = log.ReadBytes(offset, maxBytes: batch.Length * 3);
                    var headers = Batches.Headers(bytes);
                    Assert.NotEmpty(headers);
                    Assert.True(headers[0].BaseOffset + 4 > offset, $"first batch {headers[0].BaseOffset} ends before {offset}");
                    Interlocked.Increment(ref served);
                }
                catch (StorageException ex) when (ex.ErrorCode == ErrorCode.OffsetOutOfRange)
                {
                    Interlocked.Increment(ref outOfRange);
                }
            }
        })).ToList();
        var last = 0L;
        for (var start = 32L; start < 1_580; start += 32)
        {
            log.DeleteRecordsBefore(start); // four segments at a time
            last = start;
            if (start % 320 == 0) await Task.Yield();
        }
        await done.CancelAsync();
        await Task.WhenAll(readers); // rethrows any other exception or a failed assertion
        Assert.True(Interlocked.Read(ref served) > 0, "no read was served");
        Assert.Equal(last, log.LogStartOffset);
    }

    [Fact]
    public void Offset_for_timestamp_finds_first_record_at_or_after()
    {
        using var log = Open(new LogConfig { SegmentBytes = 400, IndexIntervalBytes = 50 });
        // Records at 1000, 1010, 1020, ... one batch of 3 per 30 ms.
        for (var i = 0; i < 20; i++)
            log.Append(Batches.Build(1000 + i * 30, (null, "a", 0), (null, "b", 10), (null, "c", 20)));
        Assert.Equal(new TimestampAndOffset(1000, 0), log.OffsetForTimestamp(0));
        Assert.Equal(new TimestampAndOffset(1000, 0), log.OffsetForTimestamp(1000));
        Assert.Equal(new TimestampAndOffset(1010, 1), log.OffsetForTimestamp(1001));
        Assert.Equal(new TimestampAndOffset(1300, 30), log.OffsetForTimestamp(1295));
        Assert.Equal(new TimestampAndOffset(1590, 59), log.OffsetForTimestamp(1590));
        Assert.Null(log.OffsetForTimestamp(1591));
        log.DeleteRecordsBefore(31);
        Assert.Equal(new TimestampAndOffset(1310, 31), log.OffsetForTimestamp(0));
    }

    [Fact]
    public void Flush_policy_by_message_count()
    {
        using var log = Open(new LogConfig { FlushMessages = 5 });
        log.Append(Batches.Simple(3, 1));
        Assert.Equal(0, log.FlushedOffset);
        log.Append(Batches.Simple(3, 1));
        Assert.Equal(6, log.FlushedOffset);
    }

    [Fact]
    public void Flush_advances_flushed_offset()
    {
        using var log = Open();
        log.Append(Batches.Simple(3, 1));
        Assert.Equal(0, log.FlushedOffset);
        log.Flush();
        Assert.Equal(3, log.FlushedOffset);
    }

    [Fact]
    public void Delete_removes_the_directory()
    {
        var log = Open();
        log.Append(Batches.Simple(3, 1));
        log.Delete();
        Assert.False(Directory.Exists(_tmp.Partition()));
        Assert.Throws<StorageException>(() => log.Append(Batches.Simple(1, 1)));
        log.Dispose();
    }

    [Fact]
    public async Task Concurrent_reads_only_see_whole_published_batches()
    {
        using var log = Open(new LogConfig { SegmentBytes = 4000, IndexIntervalBytes = 300 });
        const int batches = 1500;
        var done = 0;
        var writer = Task.Run(() =>
        {
            for (var i = 0; i < batches; i++) log.Append(Batches.Simple(1 + i % 4, i, $"c{i}"));
            Volatile.Write(ref done, 1);
        });
        var reader = Task.Run(() =>
        {
            using var w = new ProtocolWriter();
            var reads = 0;
            while (Volatile.Read(ref done) == 0 || reads < 10)
            {
                var leo = log.LogEndOffset;
                long offset = 0;
                while (offset < leo)
                {
                    w.Reset();
                    if (log.Read(offset, 2000, w) == 0) break;
                    var headers = Batches.Headers(w.WrittenSpan);
                    Assert.InRange(offset, headers[0].BaseOffset, headers[0].LastOffset);
                    Batches.Parse(w.WrittenSpan); // CRCs hold: no torn batch is ever visible
                    offset = headers[^1].LastOffset + 1;
                }
                Assert.True(offset >= leo);
                reads++;
            }
        });
        await Task.WhenAll(writer, reader);
        Assert.Equal(log.ReadAll().Count, (int)log.LogEndOffset);
    }

    [Fact]
    public void Read_batch_headers_for_state_rebuild()
    {
        using var log = Open(new LogConfig { SegmentBytes = 300 });
        for (var i = 0; i < 10; i++) log.Append(Batches.Simple(2, 1));
        Assert.Equal(Enumerable.Range(3, 7).Select(i => i * 2L), log.ReadBatchHeaders(7).Select(h => h.BaseOffset));
    }
}

public sealed class FlushPolicyTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public void Flush_ms_is_honoured_by_periodic_check()
    {
        var time = new ManualTimeProvider();
        using var log = PartitionLog.Open(_tmp.Partition(), new LogConfig { FlushMs = 1000 }, time);
        Assert.False(log.FlushIfDue());
        log.Append(Batches.Simple(2, 1));
        Assert.False(log.FlushIfDue());
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(log.FlushIfDue());
        Assert.Equal(2, log.FlushedOffset);
        Assert.False(log.FlushIfDue());
    }
}
