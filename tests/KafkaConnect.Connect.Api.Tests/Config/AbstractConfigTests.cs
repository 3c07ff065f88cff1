using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Tests.Config;

public sealed class AbstractConfigTests
{
    private static readonly ConfigDef s_def = new ConfigDef()
        .Define("topic", ConfigType.String, Importance.High, "Topic.")
        .Define("batch", ConfigType.Int, 10, Importance.Low, "Batch.")
        .Define("big", ConfigType.Long, 1L, Importance.Low, "Big.")
        .Define("flag", ConfigType.Boolean, false, Importance.Low, "Flag.")
        .Define("list", ConfigType.List, "a,b", Importance.Low, "List.");

    [Fact]
    public void TypedGetters_ReadParsedValues()
    {
        var config = new AbstractConfig(s_def, new Dictionary<string, string> { ["topic"] = "t", ["batch"] = "5", ["producer.acks"] = "all" });
        Assert.Equal("t", config.GetString("topic"));
        Assert.Equal(5, config.GetInt("batch"));
        Assert.Equal(1L, config.GetLong("big"));
        Assert.False(config.GetBoolean("flag"));
        Assert.Equal(["a", "b"], config.GetList("list")!);
        Assert.Throws<ConfigException>(() => config.Get("nope"));
        Assert.Throws<ConfigException>(() => config.GetInt("topic"));
    }

    [Fact]
    public void OriginalsWithPrefix_StripsPrefix()
    {
        var config = new AbstractConfig(s_def, new Dictionary<string, string> { ["topic"] = "t", ["producer.acks"] = "all", ["producer."] = "x" });
        Assert.Equal("all", config.OriginalsWithPrefix("producer.")["acks"]);
        Assert.Single(config.OriginalsWithPrefix("producer."));
        Assert.Equal("all", config.OriginalsWithPrefix("producer.", strip: false)["producer.acks"]);
        Assert.Equal(3, config.Originals().Count);
    }

    [Fact]
    public void Unused_ListsKeysNeverRead()
    {
        var config = new AbstractConfig(s_def, new Dictionary<string, string> { ["topic"] = "t", ["typo"] = "x" });
        config.GetString("topic");
        Assert.Equal(["typo"], config.Unused());
    }

    [Fact]
    public void Constructor_InvalidConfig_Throws()
    {
        Assert.Throws<ConfigException>(() => new AbstractConfig(s_def, new Dictionary<string, string>()));
    }
}
