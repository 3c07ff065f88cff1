namespace KafkaConnect.Storage.Tests;

public sealed class LogConfigTests
{
    [Fact]
    public void Defaults_match_kafka()
    {
        var c = LogConfig.Default;
        Assert.Equal(1L << 30, c.SegmentBytes);
        Assert.Equal(604_800_000, c.SegmentMs);
        Assert.Equal(604_800_000, c.RetentionMs);
        Assert.Equal(-1, c.RetentionBytes);
        Assert.True(c.Delete);
        Assert.False(c.Compact);
        Assert.Equal(86_400_000, c.DeleteRetentionMs);
        Assert.Equal(1048588, c.MaxMessageBytes);
        Assert.Equal(4096, c.IndexIntervalBytes);
        Assert.Equal(0.5, c.MinCleanableDirtyRatio);
        Assert.False(c.LogAppendTime);
        Assert.Equal(long.MaxValue, c.FlushMessages);
    }

    [Fact]
    public void Parses_overrides_on_top_of_defaults()
    {
        var defaults = LogConfig.Default with { RetentionMs = 1000 };
        var c = LogConfig.FromProperties(new Dictionary<string, string>
        {
            ["cleanup.policy"] = "compact,delete",
            ["segment.bytes"] = "1048576",
            ["message.timestamp.type"] = "LogAppendTime",
            ["min.cleanable.dirty.ratio"] = "0.1",
            ["retention.bytes"] = "-1",
            ["flush.messages"] = "1",
            ["min.insync.replicas"] = "2",
        }, defaults);
        Assert.True(c.Compact);
        Assert.True(c.Delete);
        Assert.Equal(1048576, c.SegmentBytes);
        Assert.True(c.LogAppendTime);
        Assert.Equal(0.1, c.MinCleanableDirtyRatio);
        Assert.Equal(1000, c.RetentionMs);
        Assert.Equal(1, c.FlushMessages);
        var props = c.ToProperties();
        Assert.Equal("compact,delete", props["cleanup.policy"]);
        Assert.Equal("2", props["min.insync.replicas"]);
        Assert.Equal("LogAppendTime", props["message.timestamp.type"]);
        Assert.Equal(LogConfig.Keys.Count, props.Count);
    }

    [Theory]
    [InlineData("segment.bytes", "abc")]
    [InlineData("segment.bytes", "1")]
    [InlineData("retention.ms", "-2")]
    [InlineData("cleanup.policy", "compact,shred")]
    [InlineData("min.cleanable.dirty.ratio", "1.5")]
    [InlineData("message.timestamp.type", "Now")]
    [InlineData("min.insync.replicas", "x")]
    [InlineData("no.such.key", "1")]
    public void Invalid_values_name_the_key(string key, string value)
    {
        var ex = Assert.Throws<ArgumentException>(() => LogConfig.FromProperties(new Dictionary<string, string> { [key] = value }, LogConfig.Default));
        Assert.Equal(key, ex.ParamName);
        Assert.Contains(key, ex.Message);
    }

    [Fact]
    public void Every_key_has_docs_and_a_default()
    {
        Assert.All(LogConfig.Keys, k =>
        {
            Assert.False(string.IsNullOrWhiteSpace(k.Documentation));
            Assert.NotNull(k.DefaultValue);
            Assert.True(LogConfig.IsKnownKey(k.Name));
        });
        Assert.Equal(LogConfig.Keys.Count, LogConfig.Keys.Select(k => k.Name).Distinct().Count());
    }
}
