using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Headers;
using KafkaConnect.Connect.Sinks;
using KafkaConnect.Connect.Sources;
using KafkaConnect.Connect.Util;

namespace KafkaConnect.Connect.Tests.Records;

public sealed class RecordTests
{
    private static readonly Dictionary<string, object?> s_partition = new() { ["file"] = "a.log" };
    private static readonly Dictionary<string, object?> s_offset = new() { ["position"] = 10L };

    [Fact]
    public void SourceRecord_NewRecord_KeepsSourceFieldsAndCopiesHeaders()
    {
        var record = new SourceRecord(s_partition, s_offset, "topic", 1, Schema.StringSchema, "k", Schema.Int32Schema, 5, 1000L,
            new ConnectHeaders().AddString("h", "v"));
        var copy = record.NewRecord("other", null, record.KeySchema, record.Key, Schema.StringSchema, "five", record.Timestamp);

        Assert.Equal("other", copy.Topic);
        Assert.Null(copy.KafkaPartition);
        Assert.Equal("five", copy.Value);
        Assert.Equal(1000L, copy.Timestamp);
        Assert.Same(s_partition, copy.SourcePartition);
        Assert.Same(s_offset, copy.SourceOffset);
        Assert.Equal("v", copy.Headers.LastWithName("h")!.Value);

        copy.Headers.AddString("extra", "x");
        Assert.Null(record.Headers.LastWithName("extra"));
    }

    [Fact]
    public void SourceRecord_Equality_ComparesOffsetsByContent()
    {
        var a = new SourceRecord(new Dictionary<string, object?> { ["file"] = "a.log" }, new Dictionary<string, object?> { ["position"] = 10L }, "t", null, 1);
        var b = new SourceRecord(new Dictionary<string, object?> { ["file"] = "a.log" }, new Dictionary<string, object?> { ["position"] = 10L }, "t", null, 1);
        var c = new SourceRecord(new Dictionary<string, object?> { ["file"] = "a.log" }, new Dictionary<string, object?> { ["position"] = 11L }, "t", null, 1);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void SinkRecord_NewRecord_PreservesOffsetsAndOriginals()
    {
        var record = new SinkRecord("t", 3, null, "k", null, "v", 42, 7L, TimestampType.CreateTime);
        Assert.Equal("t", record.OriginalTopic);
        Assert.Equal(3, record.OriginalKafkaPartition);
        Assert.Equal(42, record.OriginalKafkaOffset);

        var renamed = record.NewRecord("t-renamed", 0, null, "k", null, "v2", 8L);
        Assert.Equal("t-renamed", renamed.Topic);
        Assert.Equal(0, renamed.KafkaPartition);
        Assert.Equal(42, renamed.KafkaOffset);
        Assert.Equal(TimestampType.CreateTime, renamed.TimestampType);
        Assert.Equal(new TopicPartition("t", 3), renamed.OriginalTopicPartition);
        Assert.Equal(42, renamed.OriginalKafkaOffset);

        var withHeaders = record.NewRecord("t", 3, null, "k", null, "v", 7L, new ConnectHeaders().AddInt("n", 1));
        Assert.Equal(1, withHeaders.Headers.Count);
        Assert.Equal(0, record.Headers.Count);
    }

    [Fact]
    public void Records_WithSameFields_AreEqual()
    {
        var a = new SinkRecord("t", 0, null, new byte[] { 1 }, null, "v", 1);
        var b = new SinkRecord("t", 0, null, new byte[] { 1 }, null, "v", 1);
        Assert.Equal(a, b);
        Assert.NotEqual(a, new SinkRecord("t", 0, null, new byte[] { 1 }, null, "v", 2));
    }

    [Fact]
    public void GroupPartitions_SpreadsEvenly()
    {
        var groups = ConnectorUtils.GroupPartitions([1, 2, 3, 4, 5], 3);
        Assert.Equal([[1, 2], [3, 4], [5]], groups.Select(g => g.ToArray()));
        Assert.Equal(3, ConnectorUtils.GroupPartitions([1], 3).Count);
    }
}
