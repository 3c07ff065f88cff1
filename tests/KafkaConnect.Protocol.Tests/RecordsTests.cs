using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using KafkaConnect.Protocol.Records;
using Record = KafkaConnect.Protocol.Records.Record;

namespace KafkaConnect.Protocol.Tests;

public sealed class RecordsTests
{
    public static TheoryData<CompressionType> Codecs => new()
    {
        CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd,
    };

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static List<Record> SampleRecords(long baseOffset) =>
    [
        new() { Offset = baseOffset, Timestamp = 1_700_000_000_000, Key = B("k1"), Value = B("v1") },
        new() { Offset = baseOffset + 1, Timestamp = 1_700_000_000_005, Key = null, Value = B("value without key") },
        new() { Offset = baseOffset + 2, Timestamp = 1_699_999_999_990, Key = B("tombstone"), Value = null },
        new() { Offset = baseOffset + 3, Timestamp = 1_700_000_000_100, Key = ReadOnlyMemory<byte>.Empty, Value = ReadOnlyMemory<byte>.Empty },
        new()
        {
            Offset = baseOffset + 4, Timestamp = 1_700_000_000_050, Key = B("h"), Value = new byte[3000],
            Headers = [new("trace-id", B("abc")), new("empty", ReadOnlyMemory<byte>.Empty), new("nul", null), new("ünï", B("x"))],
        },
    ];

    private static byte[] BuildBatch(RecordBatchBuilder builder, IEnumerable<Record> records)
    {
        foreach (var r in records) builder.Add(r.Timestamp, r.Key, r.Value, r.Headers);
        return builder.Build();
    }

    private static void AssertSame(IReadOnlyList<Record> expected, IReadOnlyList<Record> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var e = expected[i];
            var a = actual[i];
            Assert.Equal(e.Offset, a.Offset);
            Assert.Equal(e.Timestamp, a.Timestamp);
            AssertBytes(e.Key, a.Key);
            AssertBytes(e.Value, a.Value);
            Assert.Equal(e.Headers.Count, a.Headers.Count);
            for (var h = 0; h < e.Headers.Count; h++)
            {
                Assert.Equal(e.Headers[h].Key, a.Headers[h].Key);
                AssertBytes(e.Headers[h].Value, a.Headers[h].Value);
            }
        }
    }

    private static void AssertBytes(ReadOnlyMemory<byte>? expected, ReadOnlyMemory<byte>? actual)
    {
        Assert.Equal(expected.HasValue, actual.HasValue);
        if (expected is { } e) Assert.Equal(e.ToArray(), actual!.Value.ToArray());
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void BatchRoundTripsWithEveryCodec(CompressionType type)
    {
        var records = SampleRecords(1000);
        using var builder = new RecordBatchBuilder(1000, type)
        {
            ProducerId = 77, ProducerEpoch = 3, BaseSequence = 12, PartitionLeaderEpoch = 5, IsTransactional = true,
        };
        var batch = BuildBatch(builder, records);

        Assert.True(RecordBatchHeader.TryRead(batch, out var h));
        Assert.Equal(1000, h.BaseOffset);
        Assert.Equal(batch.Length, h.TotalSize);
        Assert.Equal(2, h.Magic);
        Assert.Equal(type, h.Compression);
        Assert.True(h.IsTransactional);
        Assert.False(h.IsControl);
        Assert.False(h.LogAppendTime);
        Assert.Equal(4, h.LastOffsetDelta);
        Assert.Equal(1_700_000_000_000, h.BaseTimestamp);
        Assert.Equal(1_700_000_000_100, h.MaxTimestamp);
        Assert.Equal(77, h.ProducerId);
        Assert.Equal(3, h.ProducerEpoch);
        Assert.Equal(12, h.BaseSequence);
        Assert.Equal(5, h.PartitionLeaderEpoch);
        Assert.Equal(5, h.RecordCount);
        Assert.True(RecordBatchHeader.IsCrcValid(batch));

        AssertSame(records, RecordBatchCodec.ReadRecords(batch));
    }

    [Fact]
    public void UncompressedBatchHasTheDocumentedLayout()
    {
        using var builder = new RecordBatchBuilder(0);
        builder.Add(10, B("k"), B("vv"), [new RecordHeader("h", B("x"))]);
        var batch = builder.Build();
        // Record: length, attributes 0, timestampDelta 0, offsetDelta 0, key len 1 "k", value len 2 "vv", 1 header ("h" = "x").
        byte[] record = [13 * 2, 0, 0, 0, 2, (byte)'k', 4, (byte)'v', (byte)'v', 2, 2, (byte)'h', 2, (byte)'x'];
        Assert.Equal(record, batch[RecordBatchHeader.Size..]);
        Assert.Equal(RecordBatchHeader.Size - 12 + record.Length, BinaryPrimitives.ReadInt32BigEndian(batch.AsSpan(8)));
        Assert.Equal(Crc32C.Compute(batch.AsSpan(21)), BinaryPrimitives.ReadUInt32BigEndian(batch.AsSpan(17)));
    }

    [Fact]
    public void BuildIntoBufferWriterMatchesBuildToArray()
    {
        using var builder = new RecordBatchBuilder(5, CompressionType.Lz4);
        foreach (var r in SampleRecords(5)) builder.Add(r.Timestamp, r.Key, r.Value, r.Headers);
        var array = builder.Build();
        var writer = new ArrayBufferWriter<byte>();
        writer.Write(new byte[] { 1, 2, 3 });
        var n = builder.Build(writer);
        Assert.Equal(array.Length, n);
        Assert.Equal(array, writer.WrittenSpan[3..].ToArray());
    }

    [Fact]
    public void BuilderIsReusableAfterClear()
    {
        using var builder = new RecordBatchBuilder(0, CompressionType.Snappy);
        builder.Add(1, B("a"), B("b"));
        builder.Add(2, B("c"), B("d"));
        builder.Build();
        builder.Clear();
        builder.BaseOffset = 50;
        builder.Add(3, B("e"), B("f"));
        var records = RecordBatchCodec.ReadRecords(builder.Build());
        Assert.Single(records);
        Assert.Equal(50, records[0].Offset);
        Assert.Equal(3, records[0].Timestamp);
        Assert.Throws<InvalidOperationException>(() => builder.BaseOffset = 1);
    }

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Zstd)]
    public void CompactedBatchKeepsOriginalOffsets(CompressionType type)
    {
        // Records 100..109 where compaction kept 101, 104 and 107; the batch must still end at 109.
        using var builder = new RecordBatchBuilder(100, type) { LastOffsetDelta = 9, ProducerId = 9, BaseSequence = 0 };
        var kept = new List<Record>
        {
            new() { Offset = 101, Timestamp = 5, Key = B("a"), Value = B("1") },
            new() { Offset = 104, Timestamp = 7, Key = B("b"), Value = null },
            new() { Offset = 107, Timestamp = 6, Key = B("c"), Value = B("3"), Headers = [new("x", null)] },
        };
        foreach (var r in kept) builder.Add(r);
        var batch = builder.Build();

        RecordBatchHeader.TryRead(batch, out var h);
        Assert.Equal(109, h.LastOffset);
        Assert.Equal(3, h.RecordCount);
        Assert.Equal(5, h.BaseTimestamp);
        Assert.Equal(7, h.MaxTimestamp);
        Assert.Equal(9, h.LastSequence);
        AssertSame(kept, RecordBatchCodec.ReadRecords(batch));
        Assert.Equal(108, builder.NextOffset);
    }

    [Fact]
    public void DecodedRecordsRebuildToTheSameBatch()
    {
        using var builder = new RecordBatchBuilder(42, CompressionType.Gzip);
        var original = BuildBatch(builder, SampleRecords(42));
        using var rebuild = new RecordBatchBuilder(42, CompressionType.Gzip);
        foreach (var r in RecordBatchCodec.ReadRecords(original)) rebuild.Add(r);
        Assert.Equal(original, rebuild.Build());
    }

    [Fact]
    public void OffsetsMustIncrease()
    {
        using var builder = new RecordBatchBuilder(10);
        builder.AddAt(12, 0, null, B("x"));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddAt(12, 0, null, B("y")));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddAt(9, 0, null, B("y")));
        builder.LastOffsetDelta = 1;
        Assert.Throws<InvalidOperationException>(() => builder.Build());
    }

    [Fact]
    public void EmptyBatchNeedsExplicitLastOffset()
    {
        using var builder = new RecordBatchBuilder(7) { ProducerId = 3, ProducerEpoch = 1, BaseSequence = 20 };
        Assert.Throws<InvalidOperationException>(() => builder.Build());
        builder.LastOffsetDelta = 4;
        var batch = builder.Build();
        RecordBatchHeader.TryRead(batch, out var h);
        Assert.Equal(0, h.RecordCount);
        Assert.Equal(11, h.LastOffset);
        Assert.Equal(-1, h.BaseTimestamp);
        Assert.Equal(-1, h.MaxTimestamp);
        Assert.Empty(RecordBatchCodec.ReadRecords(batch));
    }

    [Fact]
    public void ControlAndLogAppendTimeFlags()
    {
        using var builder = new RecordBatchBuilder(0)
        {
            IsControl = true, IsTransactional = true, TimestampType = TimestampType.LogAppendTime, MaxTimestamp = 9999,
        };
        builder.Add(100, B("\0\0\0\0"), B("\0\0\0\0\0\0"));
        builder.Add(200, B("\0\0\0\0"), B("\0\0\0\0\0\0"));
        var batch = builder.Build();
        RecordBatchHeader.TryRead(batch, out var h);
        Assert.True(h.IsControl);
        Assert.True(h.IsTransactional);
        Assert.True(h.LogAppendTime);
        Assert.Equal(0x38, h.Attributes);
        Assert.All(RecordBatchCodec.ReadRecords(batch), r => Assert.Equal(9999, r.Timestamp));
    }

    [Fact]
    public void CrcMismatchIsRejected()
    {
        using var builder = new RecordBatchBuilder(0);
        var batch = BuildBatch(builder, SampleRecords(0));
        batch[^1] ^= 1;
        Assert.Throws<ProtocolException>(() => RecordBatchCodec.ReadRecords(batch));
        Assert.Equal(5, RecordBatchCodec.ReadRecords(batch, verifyCrc: false).Count);
        // Offsets and leader epoch sit outside the CRC, so rewriting them keeps the batch valid.
        batch[^1] ^= 1;
        RecordBatchHeader.SetBaseOffset(batch, 500);
        Assert.Equal(504, RecordBatchCodec.ReadRecords(batch)[^1].Offset);
    }

    [Fact]
    public void TruncatedOrLyingBatchesAreRejected()
    {
        using var builder = new RecordBatchBuilder(0, CompressionType.Snappy);
        var batch = BuildBatch(builder, SampleRecords(0));
        Assert.Throws<ProtocolException>(() => RecordBatchCodec.ReadRecords(batch.AsSpan(0, 40)));
        Assert.Throws<ProtocolException>(() => RecordBatchCodec.ReadRecords(batch.AsSpan(0, batch.Length - 1)));

        var lying = (byte[])batch.Clone();
        BinaryPrimitives.WriteInt32BigEndian(lying.AsSpan(57), 1_000_000); // record count
        RecordBatchHeader.UpdateCrc(lying);
        Assert.Throws<ProtocolException>(() => RecordBatchCodec.ReadRecords(lying));

        var fewer = (byte[])batch.Clone();
        BinaryPrimitives.WriteInt32BigEndian(fewer.AsSpan(57), 4); // leaves bytes after the last record
        RecordBatchHeader.UpdateCrc(fewer);
        Assert.Throws<ProtocolException>(() => RecordBatchCodec.ReadRecords(fewer));

        var magic = (byte[])batch.Clone();
        magic[16] = 1;
        Assert.Throws<ProtocolException>(() => RecordBatchCodec.ReadRecords(magic));
    }

    [Fact]
    public void UnknownCodecInAttributesThrowsUnsupported()
    {
        using var builder = new RecordBatchBuilder(0);
        builder.Add(1, null, B("x"));
        var batch = builder.Build();
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(21), 6);
        RecordBatchHeader.UpdateCrc(batch);
        var e = Assert.Throws<UnsupportedCompressionException>(() => RecordBatchCodec.ReadRecords(batch));
        Assert.Equal((CompressionType)6, e.Type);
    }

    [Fact]
    public void EnumeratesConcatenatedBatchesAndStopsAtAPartialOne()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var sizes = new List<int>();
        using var builder = new RecordBatchBuilder();
        for (var i = 0; i < 3; i++)
        {
            builder.Clear();
            builder.BaseOffset = i * 10;
            builder.Compression = (CompressionType)i;
            for (var r = 0; r <= i; r++) builder.Add(r, B($"k{r}"), B($"v{r}"));
            sizes.Add(builder.Build(buffer));
        }
        var complete = buffer.WrittenCount;
        builder.Clear();
        builder.BaseOffset = 30;
        builder.Add(0, null, B("partial"));
        var partial = builder.Build();
        buffer.Write(partial.AsSpan(0, partial.Length - 3));

        var seen = 0;
        var enumerator = RecordBatchCodec.EnumerateBatches(buffer.WrittenMemory);
        foreach (var (header, bytes) in enumerator)
        {
            Assert.Equal(seen * 10, header.BaseOffset);
            Assert.Equal(sizes[seen], bytes.Length);
            Assert.Equal(seen + 1, RecordBatchCodec.ReadRecords(bytes.Span).Count);
            seen++;
        }
        Assert.Equal(3, seen);

        var e = RecordBatchCodec.EnumerateBatches(buffer.WrittenMemory);
        while (e.MoveNext()) { }
        Assert.Equal(complete, e.Position);

        // A partial header alone yields nothing.
        Assert.False(RecordBatchCodec.EnumerateBatches(partial.AsMemory(0, 30)).MoveNext());
        Assert.False(RecordBatchCodec.EnumerateBatches(ReadOnlyMemory<byte>.Empty).MoveNext());
    }

    [Fact]
    public void EnumeratorRejectsImpossibleBatchLength()
    {
        using var builder = new RecordBatchBuilder();
        builder.Add(0, null, B("x"));
        var batch = builder.Build();
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(8), 10);
        Assert.Throws<ProtocolException>(() => RecordBatchCodec.EnumerateBatches(batch).MoveNext());
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(8), int.MaxValue);
        Assert.False(RecordBatchCodec.EnumerateBatches(batch).MoveNext());
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void CorruptBatchesOnlyThrowProtocolException(CompressionType type)
    {
        var random = new Random(555 + (int)type);
        using var builder = new RecordBatchBuilder(0, type);
        var batch = BuildBatch(builder, SampleRecords(0));
        for (var i = 0; i < 500; i++)
        {
            var input = (byte[])batch.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
                input[random.Next(RecordBatchHeader.Size - 4, input.Length)] = (byte)random.Next(256);
            try
            {
                RecordBatchCodec.ReadRecords(input, verifyCrc: false);
            }
            catch (ProtocolException)
            {
            }
        }
    }

    [Fact]
    public void ManyRecordsRoundTrip()
    {
        using var builder = new RecordBatchBuilder(0, CompressionType.Lz4);
        for (var i = 0; i < 20_000; i++) builder.Add(1000 + i, B($"key-{i % 100}"), B($"value-{i}"));
        var batch = builder.Build();
        var records = RecordBatchCodec.ReadRecords(batch);
        Assert.Equal(20_000, records.Count);
        Assert.Equal(19_999, records[^1].Offset);
        Assert.Equal(1000 + 19_999, records[^1].Timestamp);
        Assert.Equal("value-12345", Encoding.UTF8.GetString(records[12345].Value!.Value.Span));
    }

    [Theory]
    [InlineData(nameof(KcatBatches.None), CompressionType.None)]
    [InlineData(nameof(KcatBatches.Gzip), CompressionType.Gzip)]
    [InlineData(nameof(KcatBatches.Snappy), CompressionType.Snappy)]
    [InlineData(nameof(KcatBatches.Lz4), CompressionType.Lz4)]
    [InlineData(nameof(KcatBatches.Zstd), CompressionType.Zstd)]
    public void DecodesBatchesProducedByLibrdkafka(string name, CompressionType type)
    {
        var bytes = Convert.FromBase64String((string)typeof(KcatBatches).GetField(name)!.GetValue(null)!);
        var batches = new List<(RecordBatchHeader Header, ReadOnlyMemory<byte> Bytes)>();
        foreach (var batch in RecordBatchCodec.EnumerateBatches(bytes)) batches.Add(batch);
        var (header, batchBytes) = Assert.Single(batches);
        Assert.Equal(type, header.Compression);
        Assert.Equal(31, header.RecordCount);
        Assert.Equal(30, header.LastOffsetDelta);
        Assert.True(RecordBatchHeader.IsCrcValid(batchBytes.Span));

        var records = RecordBatchCodec.ReadRecords(batchBytes.Span);
        Assert.Equal(31, records.Count);
        for (var i = 0; i < 30; i++)
        {
            var r = records[i];
            Assert.Equal(i, r.Offset);
            Assert.InRange(r.Timestamp, header.BaseTimestamp, header.MaxTimestamp);
            Assert.Equal($"key-{i % 5}", Encoding.UTF8.GetString(r.Key!.Value.Span));
            Assert.Equal($"value number {i} of the kcat interop batch, repeated text repeated text", Encoding.UTF8.GetString(r.Value!.Value.Span));
            Assert.Equal(2, r.Headers.Count);
            Assert.Equal("trace", r.Headers[0].Key);
            Assert.Equal("abc"u8.ToArray(), r.Headers[0].Value!.Value.ToArray());
            Assert.Equal("empty", r.Headers[1].Key);
            Assert.Equal(0, r.Headers[1].Value!.Value.Length); // empty, not null
        }
        Assert.Null(records[30].Key);
        Assert.Null(records[30].Value);

        // Rebuilding with our builder gives a batch that decodes to the same records.
        using var builder = new RecordBatchBuilder(0, type);
        foreach (var r in records) builder.Add(r);
        AssertSame(records, RecordBatchCodec.ReadRecords(builder.Build()));
    }
}

internal static class KcatBatches
{
    // Produce-request record sets captured from kcat (librdkafka 2.0.2) talking to a stub broker:
    // 30 lines "key-{i % 5}<TAB>value number {i} of the kcat interop batch, repeated text repeated text" and one
    // empty line sent with -Z (null key and value), headers -H trace=abc -H empty=, one codec each (-z).
    public const string None =
        "AAAAAAAAAAAAAAwVAAAAAAKt+gf1AAAAAAAeAAABogDLDHQAAAGiAMsMdP//////////////////AAAAH8QBAAAACmtleS0wigF2YWx1ZSBudW" +
        "1iZXIgMCBvZiB0aGUga2NhdCBpbnRlcm9wIGJhdGNoLCByZXBlYXRlZCB0ZXh0IHJlcGVhdGVkIHRleHQECnRyYWNlBmFiYwplbXB0eQDEAQAA" +
        "AgprZXktMYoBdmFsdWUgbnVtYmVyIDEgb2YgdGhlIGtjYXQgaW50ZXJvcCBiYXRjaCwgcmVwZWF0ZWQgdGV4dCByZXBlYXRlZCB0ZXh0BAp0cm" +
        "FjZQZhYmMKZW1wdHkAxAEAAAQKa2V5LTKKAXZhbHVlIG51bWJlciAyIG9mIHRoZSBrY2F0IGludGVyb3AgYmF0Y2gsIHJlcGVhdGVkIHRleHQg" +
        "cmVwZWF0ZWQgdGV4dAQKdHJhY2UGYWJjCmVtcHR5AMQBAAAGCmtleS0zigF2YWx1ZSBudW1iZXIgMyBvZiB0aGUga2NhdCBpbnRlcm9wIGJhdG" +
        "NoLCByZXBlYXRlZCB0ZXh0IHJlcGVhdGVkIHRleHQECnRyYWNlBmFiYwplbXB0eQDEAQAACAprZXktNIoBdmFsdWUgbnVtYmVyIDQgb2YgdGhl" +
        "IGtjYXQgaW50ZXJvcCBiYXRjaCwgcmVwZWF0ZWQgdGV4dCByZXBlYXRlZCB0ZXh0BAp0cmFjZQZhYmMKZW1wdHkAxAEAAAoKa2V5LTCKAXZhbH" +
        "VlIG51bWJlciA1IG9mIHRoZSBrY2F0IGludGVyb3AgYmF0Y2gsIHJlcGVhdGVkIHRleHQgcmVwZWF0ZWQgdGV4dAQKdHJhY2UGYWJjCmVtcHR5" +
        "AMQBAAAMCmtleS0xigF2YWx1ZSBudW1iZXIgNiBvZiB0aGUga2NhdCBpbnRlcm9wIGJhdGNoLCByZXBlYXRlZCB0ZXh0IHJlcGVhdGVkIHRleH" +
        "QECnRyYWNlBmFiYwplbXB0eQDEAQAADgprZXktMooBdmFsdWUgbnVtYmVyIDcgb2YgdGhlIGtjYXQgaW50ZXJvcCBiYXRjaCwgcmVwZWF0ZWQg" +
        "dGV4dCByZXBlYXRlZCB0ZXh0BAp0cmFjZQZhYmMKZW1wdHkAxAEAABAKa2V5LTOKAXZhbHVlIG51bWJlciA4IG9mIHRoZSBrY2F0IGludGVyb3" +
        "AgYmF0Y2gsIHJlcGVhdGVkIHRleHQgcmVwZWF0ZWQgdGV4dAQKdHJhY2UGYWJjCmVtcHR5AMQBAAASCmtleS00igF2YWx1ZSBudW1iZXIgOSBv" +
        "ZiB0aGUga2NhdCBpbnRlcm9wIGJhdGNoLCByZXBlYXRlZCB0ZXh0IHJlcGVhdGVkIHRleHQECnRyYWNlBmFiYwplbXB0eQDGAQAAFAprZXktMI" +
        "wBdmFsdWUgbnVtYmVyIDEwIG9mIHRoZSBrY2F0IGludGVyb3AgYmF0Y2gsIHJlcGVhdGVkIHRleHQgcmVwZWF0ZWQgdGV4dAQKdHJhY2UGYWJj" +
        "CmVtcHR5AMYBAAAWCmtleS0xjAF2YWx1ZSBudW1iZXIgMTEgb2YgdGhlIGtjYXQgaW50ZXJvcCBiYXRjaCwgcmVwZWF0ZWQgdGV4dCByZXBlYX" +
        "RlZCB0ZXh0BAp0cmFjZQZhYmMKZW1wdHkAxgEAABgKa2V5LTKMAXZhbHVlIG51bWJlciAxMiBvZiB0aGUga2NhdCBpbnRlcm9wIGJhdGNoLCBy" +
        "ZXBlYXRlZCB0ZXh0IHJlcGVhdGVkIHRleHQECnRyYWNlBmFiYwplbXB0eQDGAQAAGgprZXktM4wBdmFsdWUgbnVtYmVyIDEzIG9mIHRoZSBrY2" +
        "F0IGludGVyb3AgYmF0Y2gsIHJlcGVhdGVkIHRleHQgcmVwZWF0ZWQgdGV4dAQKdHJhY2UGYWJjCmVtcHR5AMYBAAAcCmtleS00jAF2YWx1ZSBu" +
        "dW1iZXIgMTQgb2YgdGhlIGtjYXQgaW50ZXJvcCBiYXRjaCwgcmVwZWF0ZWQgdGV4dCByZXBlYXRlZCB0ZXh0BAp0cmFjZQZhYmMKZW1wdHkAxg" +
        "EAAB4Ka2V5LTCMAXZhbHVlIG51bWJlciAxNSBvZiB0aGUga2NhdCBpbnRlcm9wIGJhdGNoLCByZXBlYXRlZCB0ZXh0IHJlcGVhdGVkIHRleHQE" +
        "CnRyYWNlBmFiYwplbXB0eQDGAQAAIAprZXktMYwBdmFsdWUgbnVtYmVyIDE2IG9mIHRoZSBrY2F0IGludGVyb3AgYmF0Y2gsIHJlcGVhdGVkIH" +
        "RleHQgcmVwZWF0ZWQgdGV4dAQKdHJhY2UGYWJjCmVtcHR5AMYBAAAiCmtleS0yjAF2YWx1ZSBudW1iZXIgMTcgb2YgdGhlIGtjYXQgaW50ZXJv" +
        "cCBiYXRjaCwgcmVwZWF0ZWQgdGV4dCByZXBlYXRlZCB0ZXh0BAp0cmFjZQZhYmMKZW1wdHkAxgEAACQKa2V5LTOMAXZhbHVlIG51bWJlciAxOC" +
        "BvZiB0aGUga2NhdCBpbnRlcm9wIGJhdGNoLCByZXBlYXRlZCB0ZXh0IHJlcGVhdGVkIHRleHQECnRyYWNlBmFiYwplbXB0eQDGAQAAJgprZXkt" +
        "NIwBdmFsdWUgbnVtYmVyIDE5IG9mIHRoZSBrY2F0IGludGVyb3AgYmF0Y2gsIHJlcGVhdGVkIHRleHQgcmVwZWF0ZWQgdGV4dAQKdHJhY2UGYW" +
        "JjCmVtcHR5AMYBAAAoCmtleS0wjAF2YWx1ZSBudW1iZXIgMjAgb2YgdGhlIGtjYXQgaW50ZXJvcCBiYXRjaCwgcmVwZWF0ZWQgdGV4dCByZXBl" +
        "YXRlZCB0ZXh0BAp0cmFjZQZhYmMKZW1wdHkAxgEAACoKa2V5LTGMAXZhbHVlIG51bWJlciAyMSBvZiB0aGUga2NhdCBpbnRlcm9wIGJhdGNoLC" +
        "ByZXBlYXRlZCB0ZXh0IHJlcGVhdGVkIHRleHQECnRyYWNlBmFiYwplbXB0eQDGAQAALAprZXktMowBdmFsdWUgbnVtYmVyIDIyIG9mIHRoZSBr" +
        "Y2F0IGludGVyb3AgYmF0Y2gsIHJlcGVhdGVkIHRleHQgcmVwZWF0ZWQgdGV4dAQKdHJhY2UGYWJjCmVtcHR5AMYBAAAuCmtleS0zjAF2YWx1ZS" +
        "BudW1iZXIgMjMgb2YgdGhlIGtjYXQgaW50ZXJvcCBiYXRjaCwgcmVwZWF0ZWQgdGV4dCByZXBlYXRlZCB0ZXh0BAp0cmFjZQZhYmMKZW1wdHkA" +
        "xgEAADAKa2V5LTSMAXZhbHVlIG51bWJlciAyNCBvZiB0aGUga2NhdCBpbnRlcm9wIGJhdGNoLCByZXBlYXRlZCB0ZXh0IHJlcGVhdGVkIHRleH" +
        "QECnRyYWNlBmFiYwplbXB0eQDGAQAAMgprZXktMIwBdmFsdWUgbnVtYmVyIDI1IG9mIHRoZSBrY2F0IGludGVyb3AgYmF0Y2gsIHJlcGVhdGVk" +
        "IHRleHQgcmVwZWF0ZWQgdGV4dAQKdHJhY2UGYWJjCmVtcHR5AMYBAAA0CmtleS0xjAF2YWx1ZSBudW1iZXIgMjYgb2YgdGhlIGtjYXQgaW50ZX" +
        "JvcCBiYXRjaCwgcmVwZWF0ZWQgdGV4dCByZXBlYXRlZCB0ZXh0BAp0cmFjZQZhYmMKZW1wdHkAxgEAADYKa2V5LTKMAXZhbHVlIG51bWJlciAy" +
        "NyBvZiB0aGUga2NhdCBpbnRlcm9wIGJhdGNoLCByZXBlYXRlZCB0ZXh0IHJlcGVhdGVkIHRleHQECnRyYWNlBmFiYwplbXB0eQDGAQAAOAprZX" +
        "ktM4wBdmFsdWUgbnVtYmVyIDI4IG9mIHRoZSBrY2F0IGludGVyb3AgYmF0Y2gsIHJlcGVhdGVkIHRleHQgcmVwZWF0ZWQgdGV4dAQKdHJhY2UG" +
        "YWJjCmVtcHR5AMYBAAA6CmtleS00jAF2YWx1ZSBudW1iZXIgMjkgb2YgdGhlIGtjYXQgaW50ZXJvcCBiYXRjaCwgcmVwZWF0ZWQgdGV4dCByZX" +
        "BlYXRlZCB0ZXh0BAp0cmFjZQZhYmMKZW1wdHkALgAAPAEBBAp0cmFjZQZhYmMKZW1wdHkA";

    public const string Gzip =
        "AAAAAAAAAAAAAAF4AAAAAAJukFzCAAEAAAAeAAABogDLEykAAAGiAMsTKf//////////////////AAAAHx+LCAAAAAAAAAOt08FKw0AUheGJlC" +
        "KhiIiIiMhFRERqSadpbcWXmcQrldo2hKnYVxAfq/hcdpKV41me5b2bb/FzdokxJl3o9iH7Sj7c+0ZltVkWWksm61fxc5VF6by8rbzW60oK58t5" +
        "X2qt1Hl9Ea+f/u/VSX3tSu26okx1Wfmt2e2Ng8YYRsaQanQaw0aGpRrdxhhFxohqHDZGHhk51Uhh8zHV6MHmE6pxBJs/Uo1j2HxKNU5g8xnN+N" +
        "kbp23z72iDvKEH5KyNHiO8pQfkvK0eI7ypB+SizR4jvK0H5LLtHiO8sQfkCofnrT0ggsPz5h6Qaxyet/eA3ODwvMEH5BaH5y7+Doa33MXfw/CW" +
        "u/g+DG+5ix/A8Ja7+AyGt9zFWxyeu/gch+cufoLDcxc/xeG5i3/C4XmLHxjznCT//7+I44mi5AsAAA==";

    public const string Snappy =
        "AAAAAAAAAAAAAAJTAAAAAAIMq97YAAIAAAAeAAABogDLGeMAAAGiAMsZ4///////////////////AAAAH+QX8ETEAQAAAAprZXktMIoBdmFsdW" +
        "UgbnVtYmVyIDAgb2YgdGhlIGtjYXQgaW50ZXJvcCBiYXRjaCwgcmVwZWF0ZWQgdGV4dCAyDgBEBAp0cmFjZQZhYmMKZW1wdHkAAWQAAgVkADE6" +
        "ZAAIMSBv/mQAHWQABAVkADI6ZAAAMv5kADJkAAAGBWQAMzpkAAAz/mQAMmQAAAgFZAA0OmQAADT+ZAAyZAAACgVkPvQBADX+ZAAyZAAADAVkPv" +
        "QBADb+ZAAyZAAADgVkPvQBADf+ZAAyZAAAEAVkPvQBADj+ZAAyZAAAEgVkPvQBADn+ZAAVZBDGAQAAFAVkBDCMNugDADH+6QN56QFlABYFZQAx" +
        "PmUA/uoDeeoBZQAYBWUAMj5lAP7rA3nrAWUAGgVlADM+ZQD+7AN57AFlABwFZQA0PmUA/u0Dee0BZQAeBWVC+QH+7gN57gFlACAFZUL5Af7vA3" +
        "nvAWUAIgVlQvkB/vADefABZQAkBWVC+QH+8QN58QFlACYFZUL5Af7yAzbyAwAoBWU++QEAMv7yAzbyAwAqBWU++QEAMv7yAzbyAwAsBWU++QEE" +
        "MjL+IQUyIQUALgVlPvkBADL+8gM28gMAMAVlPvkBADL+8gM28gMAMgVlQvkB/vIDNvIDADQFZUL5Af7yAzbyAwA2BWVC+QH+8gM28gMAOAVlQv" +
        "kB/vIDNvIDADoFZUL5Af7yA3nyFC4AADwBAUaACw==";

    public const string Lz4 =
        "AAAAAAAAAAAAAAIkAAAAAAJHTiaaAAMAAAAeAAABogDLIJQAAAGiAMsglP//////////////////AAAAHwQiTRhgQILkAQAA+jXEAQAAAAprZX" +
        "ktMIoBdmFsdWUgbnVtYmVyIDAgb2YgdGhlIGtjYXQgaW50ZXJvcCBiYXRjaCwgcmVwZWF0ZWQgdGV4dA4A8AMECnRyYWNlBmFiYwplbXB0eQBk" +
        "ABECZAAbMWQAHzFkADoRBGQAGzJkAB8yZAA6EQZkABszZAAfM2QAOhEIZAAbNGQAHzRkADoRCmQADPQBHzVkADoRDGQADPQBHzZkADoRDmQADP" +
        "QBHzdkADoREGQADPQBHzhkADoREmQADPQBHzlkADZRxgEAABRkACowjOgDHzHpAzcAZQARFmUAHDFlAA/qAzcAZQARGGUAHDJlAA/rAzcAZQAR" +
        "GmUAHDNlAA/sAzcAZQARHGUAHDRlAA/tAzcAZQARHmUADfkBD+4DNwBlABEgZQAN+QEP7wM3AGUAESJlAA35AQ/wAzcAZQARJGUADfkBD/EDNw" +
        "BlABEmZQAN+QEP8gM7EShlAAz5AR8y8gM7ESplAAz5AR8y8gM7ESxlAAz5AR8y8gM7ES5lAAz5AR8y8gM7ETBlAAz5AR8y8gM7ETJlAA35AQ/y" +
        "AzsRNGUADfkBD/IDOxE2ZQAN+QEP8gM7EThlAA35AQ/yAzsROmUADfkBD/IDN2kuAAA8AQGAC1BtcHR5AAAAAAA=";

    public const string Zstd =
        "AAAAAAAAAAAAAAFXAAAAAAIQ+uWWAAQAAAAeAAABogDLJ0QAAAGiAMsnRP//////////////////AAAAHyi1L/0AWO0IAFKNLStgbdIBdRRFUZ" +
        "CGKCviTYas5nKHHGRqGIaKWywiRFqtYwpEsASmgIG3cF+mdxZ/RCt0ohKNVHVpRCEKoQ/JDv91csN/nczwXyfjf5288F8nK/zXyQn/dTLCf80H" +
        "/3XyMvivKaKCCUQwoQOSFJBYTxQFQNBD1ckE+G9zTaMs+0wSe+zEqvY4jWMbXmxjS22FEMrUmIQUptp2ycDGpgoupSEGBhdWK1kyF9yMBtu4jh" +
        "Wh2crz/zYBT6gh0JLYfu0GoKOCkmMSKPIInigKGoKi8P/+g/PU/TdsuvaKOzdaaju3vpD66Pf1bn7C98k3Ly7+e+/g9z7fe/py7id2/rXfex97" +
        "l6fspXajR9RcFaZvtBs9ooa0nrYqEdlfBQ==";
}
