namespace KafkaConnect.SchemaRegistry.Tests;

public sealed class OptionsTests
{
    private static string RepoFile(string relative)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "KafkaConnect.slnx")))
        {
            dir = dir.Parent;
        }
        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("repository root not found"), relative);
    }

    [Fact]
    public void Defaults_AreConfluentsButTheListenerStaysOnLoopback()
    {
        var o = SchemaRegistryOptions.FromProperties(new Dictionary<string, string> { ["kafkastore.bootstrap.servers"] = "127.0.0.1:9092" });
        Assert.Equal(["http://127.0.0.1:8081"], o.Listeners);
        Assert.Equal(("_schemas", (short)3, "BACKWARD", true), (o.Topic, o.ReplicationFactor, o.CompatibilityLevel, o.ModeMutability));
        Assert.Equal(TimeSpan.FromMilliseconds(500), o.StoreTimeout);
    }

    [Fact]
    public void ClientKeysPassWithoutThePrefix_OldLevelKeyIsRead_UnknownKeysListed()
    {
        var o = SchemaRegistryOptions.FromProperties(new Dictionary<string, string>
        {
            ["kafkastore.bootstrap.servers"] = "SASL_SSL://broker:9093",
            ["kafkastore.security.protocol"] = "SASL_SSL",
            ["kafkastore.sasl.mechanism"] = "SCRAM-SHA-512",
            ["kafkastore.ssl.truststore.location"] = "/tmp/t.jks",
            ["avro.compatibility.level"] = "full_transitive",
            ["no.such.key"] = "1",
        });
        Assert.Equal("SASL_SSL", o.ClientConfig["security.protocol"]);
        Assert.Equal("SCRAM-SHA-512", o.ClientConfig["sasl.mechanism"]);
        Assert.Equal("/tmp/t.jks", o.ClientConfig["ssl.truststore.location"]);
        Assert.Equal("SASL_SSL://broker:9093", o.ClientConfig["bootstrap.servers"]);
        Assert.Equal("FULL_TRANSITIVE", o.CompatibilityLevel);
        Assert.Equal(["no.such.key"], o.UnknownKeys);
    }

    [Theory]
    [InlineData("schema.compatibility.level", "sideways")]
    [InlineData("kafkastore.topic.replication.factor", "0")]
    [InlineData("kafkastore.timeout.ms", "soon")]
    [InlineData("mode.mutability", "maybe")]
    [InlineData("listeners", "https://127.0.0.1:8081")]
    [InlineData("kafkastore.bootstrap.servers", "no-port")]
    public void BadValues_NameTheKey(string key, string value)
    {
        var props = new Dictionary<string, string> { ["kafkastore.bootstrap.servers"] = "127.0.0.1:9092", [key] = value };
        var ex = Assert.Throws<ArgumentException>(() => SchemaRegistryOptions.FromProperties(props));
        Assert.Contains($"for configuration {key}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingBootstrap_IsAnError()
    {
        var ex = Assert.Throws<ArgumentException>(() => SchemaRegistryOptions.FromProperties(new Dictionary<string, string>()));
        Assert.StartsWith("kafkastore.bootstrap.servers is required", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SampleConfig_Parses_AndDocsCarryTheKeyTable()
    {
        var sample = KafkaConnect.Broker.Configuration.JavaProperties.Load(RepoFile("config/schema-registry.properties"));
        var o = SchemaRegistryOptions.FromProperties(sample);
        Assert.Empty(o.UnknownKeys);
        Assert.Equal(1, o.ReplicationFactor);
        // The table in docs/schema-registry.md is SchemaRegistryOptions.Keys, printed: edit the keys, then the docs.
        Assert.Contains(SchemaRegistryOptions.MarkdownTable(), File.ReadAllText(RepoFile("docs/schema-registry.md")), StringComparison.Ordinal);
    }
}
