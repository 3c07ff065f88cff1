using System.Buffers.Binary;
using System.Text;
using KafkaConnect.Protocol.Records;

namespace KafkaConnect.Storage.Tests;

/// <summary>Settable clock for retention and roll tests.</summary>
internal sealed class ManualTimeProvider(long startMs = 1_700_000_000_000) : TimeProvider
{
    private long _nowMs = startMs;

    public long NowMs => Interlocked.Read(ref _nowMs);
    public void Advance(TimeSpan by) => Interlocked.Add(ref _nowMs, (long)by.TotalMilliseconds);
    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(NowMs);
}

internal sealed class TempDir : IDisposable
{
    public TempDir() => Path = Directory.CreateTempSubdirectory("kc-storage-").FullName;

    public string Path { get; }
    public string Partition(string name = "topic-0") => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}

internal readonly record struct TestRecord(long Offset, long Timestamp, string? Key, string? Value);

/// <summary>Builds and parses uncompressed v2 batches by hand, independent of the codec under test elsewhere.</summary>
internal static class Batches
{
    public static byte[] Build(long baseTimestamp, params (string? Key, string? Value, long TimestampDelta)[] records)
    {
        var body = new List<byte>();
        for (var i = 0; i < records.Length; i++)
        {
            var rec = new List<byte> { 0 };
            WriteVarLong(rec, records[i].TimestampDelta);
            WriteVarLong(rec, i);
            WriteBytes(rec, records[i].Key);
            WriteBytes(rec, records[i].Value);
            WriteVarLong(rec, 0);
            WriteVarLong(body, rec.Count);
            body.AddRange(rec);
        }
        long maxTs = baseTimestamp;
        foreach (var r in records) maxTs = Math.Max(maxTs, baseTimestamp + r.TimestampDelta);
        var batch = new byte[RecordBatchHeader.Size + body.Count];
        new RecordBatchHeader(0, batch.Length - RecordBatchHeader.LogOverhead, -1, 2, 0, 0, records.Length - 1,
            baseTimestamp, maxTs, -1, -1, -1, records.Length).Write(batch);
        body.CopyTo(batch, RecordBatchHeader.Size);
        RecordBatchHeader.UpdateCrc(batch);
        return batch;
    }

    /// <summary>A batch of <paramref name="count"/> records valued "v{tag}-{i}", keyed "k{i}" when keyed.</summary>
    public static byte[] Simple(int count, long timestamp, string tag = "x", bool keyed = false)
    {
        var recs = new (string?, string?, long)[count];
        for (var i = 0; i < count; i++) recs[i] = (keyed ? $"k{i}" : null, $"v{tag}-{i}", 0);
        return Build(timestamp, recs);
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>Parses concatenated batches, checking each CRC.</summary>
    public static List<TestRecord> Parse(ReadOnlySpan<byte> data)
    {
        var result = new List<TestRecord>();
        while (data.Length > 0)
        {
            Assert.True(RecordBatchHeader.TryRead(data, out var h));
            var batch = data[..h.TotalSize];
            Assert.True(RecordBatchHeader.IsCrcValid(batch), "CRC");
            var pos = RecordBatchHeader.Size;
            for (var i = 0; i < h.RecordCount; i++)
            {
                var len = (int)ReadVarLong(batch, ref pos);
                var end = pos + len;
                pos++;
                var tsDelta = ReadVarLong(batch, ref pos);
                var offDelta = ReadVarLong(batch, ref pos);
                var key = ReadBytes(batch, ref pos);
                var value = ReadBytes(batch, ref pos);
                var ts = h.LogAppendTime ? h.MaxTimestamp : h.BaseTimestamp + tsDelta;
                result.Add(new TestRecord(h.BaseOffset + offDelta, ts, key, value));
                pos = end;
            }
            data = data[h.TotalSize..];
        }
        return result;
    }

    public static List<RecordBatchHeader> Headers(ReadOnlySpan<byte> data)
    {
        var result = new List<RecordBatchHeader>();
        while (data.Length > 0)
        {
            Assert.True(RecordBatchHeader.TryRead(data, out var h));
            result.Add(h);
            data = data[h.TotalSize..];
        }
        return result;
    }

    private static void WriteBytes(List<byte> o, string? s)
    {
        if (s is null)
        {
            WriteVarLong(o, -1);
            return;
        }
        var b = Encoding.UTF8.GetBytes(s);
        WriteVarLong(o, b.Length);
        o.AddRange(b);
    }

    private static void WriteVarLong(List<byte> o, long v)
    {
        var u = (ulong)((v << 1) ^ (v >> 63));
        while (u >= 0x80)
        {
            o.Add((byte)(u | 0x80));
            u >>= 7;
        }
        o.Add((byte)u);
    }

    private static long ReadVarLong(ReadOnlySpan<byte> s, ref int pos)
    {
        ulong u = 0;
        var shift = 0;
        while (true)
        {
            var b = s[pos++];
            u |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) break;
            shift += 7;
        }
        return (long)(u >> 1) ^ -(long)(u & 1);
    }

    private static string? ReadBytes(ReadOnlySpan<byte> s, ref int pos)
    {
        var len = (int)ReadVarLong(s, ref pos);
        if (len < 0) return null;
        var str = Encoding.UTF8.GetString(s.Slice(pos, len));
        pos += len;
        return str;
    }
}

internal static class LogTestExtensions
{
    public static List<TestRecord> ReadAll(this PartitionLog log, long from = -1)
    {
        var offset = from < 0 ? log.LogStartOffset : from;
        var all = new List<TestRecord>();
        using var w = new KafkaConnect.Protocol.ProtocolWriter();
        while (offset < log.LogEndOffset)
        {
            w.Reset();
            var n = log.Read(offset, 1 << 20, w);
            if (n == 0) break;
            foreach (var r in Batches.Parse(w.WrittenSpan))
            {
                if (r.Offset >= offset) all.Add(r);
            }
            offset = Batches.Headers(w.WrittenSpan)[^1].LastOffset + 1;
        }
        return all;
    }

    public static byte[] ReadBytes(this PartitionLog log, long offset, int maxBytes = 1 << 20, bool minOneBatch = true)
    {
        using var w = new KafkaConnect.Protocol.ProtocolWriter();
        log.Read(offset, maxBytes, w, minOneBatch);
        return w.WrittenSpan.ToArray();
    }
}
