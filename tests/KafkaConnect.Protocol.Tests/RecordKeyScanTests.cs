using KafkaConnect.Protocol.Records;

namespace KafkaConnect.Protocol.Tests;

public sealed class RecordKeyScanTests
{
    private static byte[] Batch(CompressionType compression, params string?[] keys)
    {
        using var builder = new RecordBatchBuilder(0, compression);
        var ts = 1_700_000_000_000L;
        foreach (var k in keys)
        {
            // Large timestamp gaps make multi-byte varlong deltas, which the scan must skip correctly.
            builder.Add(ts, k is null ? (ReadOnlyMemory<byte>?)null : System.Text.Encoding.UTF8.GetBytes(k), new byte[] { 1, 2, 3 });
            ts += 10_000_000_000L;
        }
        return builder.Build();
    }

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void Finds_a_null_key_anywhere_in_the_batch(CompressionType compression)
    {
        Assert.False(RecordBatchCodec.HasRecordWithoutKey(Batch(compression, "a", "b", "c")));
        Assert.True(RecordBatchCodec.HasRecordWithoutKey(Batch(compression, "a", "b", null)));
        Assert.True(RecordBatchCodec.HasRecordWithoutKey(Batch(compression, null, "b")));
        Assert.False(RecordBatchCodec.HasRecordWithoutKey(Batch(compression, "")));
    }

    [Fact]
    public void Truncated_batch_is_a_protocol_error()
    {
        var batch = Batch(CompressionType.None, "a", "b");
        Assert.Throws<ProtocolException>(() => RecordBatchCodec.HasRecordWithoutKey(batch.AsSpan(0, batch.Length - 5)));
    }
}
