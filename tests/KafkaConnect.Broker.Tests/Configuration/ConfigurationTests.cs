using KafkaConnect.Broker.Configuration;

namespace KafkaConnect.Broker.Tests.Configuration;

public sealed class ConfigurationTests
{
    [Fact]
    public void Java_properties_follow_java_util_Properties_rules()
    {
        var p = JavaProperties.Parse("""
            # comment
            ! also a comment
            a=1
            b : two words
            c   spaced
            d=line\
               continued
            e=tab\there \u0041
            key\=with\:escapes=v
            empty=
            a=overridden
            """);
        Assert.Equal("overridden", p["a"]);
        Assert.Equal("two words", p["b"]);
        Assert.Equal("spaced", p["c"]);
        Assert.Equal("linecontinued", p["d"]);
        Assert.Equal("tab\there A", p["e"]);
        Assert.Equal("v", p["key=with:escapes"]);
        Assert.Equal("", p["empty"]);
        Assert.False(p.ContainsKey("# comment"));
    }

    [Fact]
    public void Server_properties_keys_are_read_with_kafka_defaults()
    {
        var c = BrokerConfig.Create(new Dictionary<string, string>
        {
            ["listeners"] = "PLAINTEXT://localhost:9093",
            ["log.dirs"] = "/tmp/x",
            ["log.retention.hours"] = "2",
            ["broker.id"] = "7",
            ["zookeeper.connect"] = "ignored:2181",
        });
        Assert.Equal(("localhost", 9093), (c.ListenHost, c.ListenPort));
        Assert.Equal(9093, c.ListenEndPoint().Port);
        Assert.Equal(2 * 3_600_000L, c.RetentionMs);
        Assert.Equal(7, c.NodeId);
        Assert.Equal(1, c.NumPartitions);
        Assert.True(c.AutoCreateTopics);
        Assert.Equal(3000, c.InitialRebalanceDelayMs);
        Assert.Equal(["zookeeper.connect"], c.UnknownKeys);
    }

    [Theory]
    [InlineData("num.partitions", "zero", "num.partitions")]
    [InlineData("num.partitions", "0", "num.partitions")]
    [InlineData("auto.create.topics.enable", "yes", "auto.create.topics.enable")]
    [InlineData("listeners", "FOO://127.0.0.1:9093", "listener.security.protocol.map")]
    [InlineData("listeners", "SSL://127.0.0.1:9093", "ssl.keystore.location")]
    [InlineData("listeners", "nohostport", "listeners")]
    [InlineData("log.dirs", "/a,/b", "log.dirs")]
    public void Invalid_settings_fail_with_the_key_named(string key, string value, string named)
    {
        var props = new Dictionary<string, string> { ["log.dirs"] = "/tmp/x", [key] = value };
        var ex = Assert.Throws<ArgumentException>(() => BrokerConfig.Create(props));
        Assert.Contains(named, ex.Message);
    }

    [Fact]
    public void Missing_data_directory_is_a_clear_error()
    {
        var ex = Assert.Throws<ArgumentException>(() => BrokerConfig.Create(new Dictionary<string, string>()));
        Assert.Contains("--data-dir", ex.Message);
    }

    [Fact]
    public void Configuration_reference_in_docs_is_current()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "KafkaConnect.slnx"))) dir = dir.Parent;
        Assert.NotNull(dir);
        var committed = File.ReadAllText(Path.Combine(dir!.FullName, "docs", "configuration.md"));
        Assert.True(committed == ConfigDocs.Markdown(), "docs/configuration.md is stale: regenerate it with `kconnect docs config > docs/configuration.md`.");
    }
}
