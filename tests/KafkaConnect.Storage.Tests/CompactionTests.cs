using System.Buffers.Binary;
using System.Text;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Records;

namespace KafkaConnect.Storage.Tests;

public sealed class CompactionTests : IDisposable
{
    private readonly TempDir _tmp = new();
    private readonly ManualTimeProvider _time = new();
    private static readonly LogConfig Compacted = new() { Compact = true, Delete = false, SegmentBytes = 400, DeleteRetentionMs = 60_000 };

    public void Dispose() => _tmp.Dispose();

    private PartitionLog Open(LogConfig? config = null) => PartitionLog.Open(_tmp.Partition(), config ?? Compacted, _time);

    private static byte[] Kv(string key, string? value, long ts = 1) => Batches.Build(ts, (key, value, 0));

    [Fact]
    public void Keeps_only_the_latest_record_per_key_with_original_offsets()
    {
        using var log = Open();
        for (var round = 0; round < 6; round++)
        {
            for (var k = 0; k < 4; k++) log.Append(Kv($"k{k}", $"r{round}"));
        }
        Assert.True(log.SegmentCount > 3);
        var before = log.ReadAll();
        var activeBase = log.Segments[^1].BaseOffset;

        Assert.True(log.Compact());

        var after = log.ReadAll();
        Assert.Equal(24, log.LogEndOffset);
        // Closed segments hold at most the latest value of each key; nothing in the active segment changed.
        var closed = after.Where(r => r.Offset < activeBase).ToList();
        foreach (var r in closed)
            Assert.Equal(before.Last(b => b.Key == r.Key).Offset, r.Offset);
        Assert.Equal(before.Where(r => r.Offset >= activeBase), after.Where(r => r.Offset >= activeBase));
        // Every key still reads back its latest value.
        for (var k = 0; k < 4; k++) Assert.Equal("r5", after.Last(r => r.Key == $"k{k}").Value);
        Assert.True(after.Count < before.Count);
        // Offsets are preserved: each surviving record has the offset it had before.
        Assert.All(after, r => Assert.Contains(r, before));
    }

    [Fact]
    public void Multi_record_batches_are_rebuilt_and_empty_batches_dropped()
    {
        using var log = Open(Compacted with { SegmentBytes = 10_000 });
        log.Append(Batches.Build(1, ("a", "1", 0), ("b", "1", 0), ("c", "1", 0)));   // 0..2
        log.Append(Batches.Build(1, ("a", "2", 0), ("b", "2", 0)));                   // 3..4
        log.Append(Batches.Build(1, ("a", "3", 0)));                                  // 5
        log.RollNow();
        log.Append(Kv("z", "1"));
        Assert.True(log.Compact(force: true));

        var bytes = log.ReadBytes(0);
        var headers = Batches.Headers(bytes);
        // Batch 0 keeps c@2 with its original offset range; batch 3 keeps b@4; batch 5 kept whole.
        Assert.Equal([0L, 3L, 5L], headers.Select(h => h.BaseOffset));
        Assert.Equal([2L, 4L, 5L], headers.Select(h => h.LastOffset));
        var records = Batches.Parse(bytes);
        Assert.Equal([(2L, "c", "1"), (4L, "b", "2"), (5L, "a", "3")], records.Select(r => (r.Offset, r.Key!, r.Value!)));

        log.Append(Kv("a", "4")); // supersedes a@5 ...
        log.Append(Kv("b", "3"));
        log.Append(Kv("c", "2"));
        log.RollNow();
        log.Append(Kv("z", "2"));
        Assert.True(log.Compact(force: true));
        // ... so the first segment's batches are all empty now and dropped.
        Assert.Equal(["a", "b", "c", "z"], log.ReadAll().Select(r => r.Key!).Order());
        Assert.Equal([7L, 8L, 9L, 10L], log.ReadAll().Select(r => r.Offset));
        Assert.Equal(0, log.LogStartOffset);
        Assert.Equal(7, Batches.Headers(log.ReadBytes(0))[0].BaseOffset); // reads skip the emptied range
    }

    [Fact]
    public void Tombstones_are_kept_for_delete_retention_then_dropped()
    {
        using var log = Open(Compacted with { SegmentBytes = 10_000 });
        log.Append(Kv("a", "1"));
        log.Append(Kv("b", "1"));
        log.Append(Kv("a", null)); // tombstone
        log.RollNow();
        log.Append(Kv("c", "1"));

        Assert.True(log.Compact(force: true));
        Assert.Equal([(1L, "b", "1"), (2L, "a", (string?)null), (3L, "c", "1")], log.ReadAll().Select(r => (r.Offset, r.Key!, r.Value)));

        _time.Advance(TimeSpan.FromSeconds(59));
        log.Compact(force: true);
        Assert.Contains(log.ReadAll(), r => r.Key == "a");

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(log.Compact(force: true));
        Assert.Equal(["b", "c"], log.ReadAll().Select(r => r.Key!));
    }

    [Fact]
    public void Cleaned_time_survives_reopen()
    {
        var config = Compacted with { SegmentBytes = 10_000 };
        using (var log = Open(config))
        {
            log.Append(Kv("a", "1"));
            log.Append(Kv("a", null));
            log.RollNow();
            log.Append(Kv("c", "1"));
            log.Compact(force: true);
        }
        _time.Advance(TimeSpan.FromMinutes(2));
        using (var log = Open(config))
        {
            Assert.Equal(3, log.LogEndOffset);
            Assert.Equal(["a", "c"], log.ReadAll().Select(r => r.Key!));
            log.Compact(force: true);
            Assert.Equal(["c"], log.ReadAll().Select(r => r.Key!));
        }
    }

    [Fact]
    public void Transactional_and_control_batches_are_kept_as_is()
    {
        using var log = Open(Compacted with { SegmentBytes = 10_000 });
        var txn = Kv("a", "txn");
        BinaryPrimitives.WriteInt16BigEndian(txn.AsSpan(RecordBatchHeader.AttributesOffset), RecordBatchHeader.TransactionalFlag);
        BinaryPrimitives.WriteInt64BigEndian(txn.AsSpan(RecordBatchHeader.ProducerIdOffset), 7);
        RecordBatchHeader.UpdateCrc(txn);
        log.Append(txn);
        log.Append(Kv("a", "plain"));
        log.Append(Kv("a", "newest"));
        log.RollNow();
        log.Append(Kv("z", "1"));
        log.Compact(force: true);
        var records = log.ReadAll();
        Assert.Equal([(0L, "txn"), (2L, "newest"), (3L, "1")], records.Select(r => (r.Offset, r.Value!)));
        Assert.True(Batches.Headers(log.ReadBytes(0))[0].IsTransactional);
    }

    [Fact]
    public void Compressed_batches_are_recompressed_with_the_same_codec()
    {
        using var log = Open(Compacted with { SegmentBytes = 10_000 });
        using var builder = new RecordBatchBuilder(0, CompressionType.Gzip);
        builder.Add(1, Encoding.UTF8.GetBytes("a"), Encoding.UTF8.GetBytes("1"));
        builder.Add(2, Encoding.UTF8.GetBytes("b"), Encoding.UTF8.GetBytes("1"));
        log.Append(builder.Build());
        log.Append(Kv("a", "2", 3));
        log.RollNow();
        log.Append(Kv("z", "1", 4));
        log.Compact(force: true);
        var bytes = log.ReadBytes(0);
        var h = Batches.Headers(bytes)[0];
        Assert.Equal(CompressionType.Gzip, h.Compression);
        Assert.Equal(1, h.LastOffset);
        var kept = RecordBatchCodec.ReadRecords(bytes);
        var r = Assert.Single(kept);
        Assert.Equal(1, r.Offset);
        Assert.Equal(2, r.Timestamp);
        Assert.Equal("b", Encoding.UTF8.GetString(r.Key!.Value.Span));
    }

    [Fact]
    public void Dirty_ratio_and_policy_gate_compaction()
    {
        using var log = Open(Compacted with { MinCleanableDirtyRatio = 0.5 });
        Assert.False(log.Compact()); // only the active segment
        for (var i = 0; i < 20; i++) log.Append(Kv($"k{i % 3}", $"v{i}"));
        Assert.True(log.Compact());
        Assert.False(log.Compact()); // nothing new since

        log.UpdateConfig(Compacted with { Compact = false, Delete = true });
        Assert.False(log.Compact(force: true));
    }

    [Fact]
    public void Min_compaction_lag_protects_recent_segments()
    {
        using var log = Open(Compacted with { MinCompactionLagMs = 60_000, SegmentBytes = 10_000 });
        log.Append(Kv("a", "1", _time.NowMs));
        log.Append(Kv("a", "2", _time.NowMs));
        log.RollNow();
        log.Append(Kv("z", "1", _time.NowMs));
        Assert.False(log.Compact(force: true));
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.True(log.Compact(force: true));
        Assert.Equal(["2", "1"], log.ReadAll().Select(r => r.Value!));
    }

    [Fact]
    public void Compacted_log_survives_unclean_reopen_and_leftovers_are_removed()
    {
        var log = Open();
        for (var i = 0; i < 30; i++) log.Append(Kv($"k{i % 5}", $"v{i}"));
        log.Compact(force: true);
        var expected = log.ReadAll();
        var leftover = Path.Combine(_tmp.Partition(), "00000000000000000000.log.cleaned");
        File.WriteAllBytes(leftover, [1, 2, 3]);
        using var reopened = Open(); // no Dispose of the first: as if killed
        Assert.Equal(expected, reopened.ReadAll());
        Assert.Equal(30, reopened.LogEndOffset);
        Assert.False(File.Exists(leftover));
        GC.KeepAlive(log);
    }

    [Fact]
    public async Task Reads_during_compaction_see_consistent_batches()
    {
        using var log = Open(Compacted with { SegmentBytes = 2000 });
        for (var i = 0; i < 300; i++) log.Append(Kv($"k{i % 7}", $"v{i}"));
        var stop = 0;
        var reader = Task.Run(() =>
        {
            while (Volatile.Read(ref stop) == 0)
            {
                var all = log.ReadAll();
                for (var k = 0; k < 7; k++) Assert.Contains(all, r => r.Key == $"k{k}");
            }
        });
        for (var round = 0; round < 5; round++)
        {
            for (var i = 0; i < 50; i++) log.Append(Kv($"k{i % 7}", $"w{round}-{i}"));
            log.Compact(force: true);
        }
        Volatile.Write(ref stop, 1);
        await reader;
        Assert.Equal(550, log.LogEndOffset);
    }

    [Fact]
    public void Detects_records_without_keys()
    {
        Assert.False(PartitionLog.HasRecordWithoutKey(Batches.Concat(Kv("a", "1"), Kv("b", null))));
        Assert.True(PartitionLog.HasRecordWithoutKey(Batches.Concat(Kv("a", "1"), Batches.Simple(2, 1))));
    }
}
