using KafkaConnect.Client.Config;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Client.Tests;

public sealed class KafkaClusterTests : IClassFixture<BrokerFixture>
{
    private readonly BrokerFixture _broker;

    public KafkaClusterTests(BrokerFixture broker) => _broker = broker;

    private KafkaCluster NewCluster() => new(new ClusterOptions
    {
        BootstrapServers = CommonClientConfig.ParseBootstrap([_broker.BootstrapServers]),
        ClientId = "tests",
    });

    [Fact]
    public async Task Metadata_lists_the_broker_and_auto_creates_the_topic()
    {
        await using var cluster = NewCluster();
        var md = await cluster.RefreshMetadataAsync(["auto-created"]);
        Assert.Single(md.Brokers);
        Assert.Equal(_broker.Broker.EndPoint.Port, md.Brokers.Values.Single().Port);
        var topic = md.Topics["auto-created"];
        Assert.Equal(ErrorCode.None, topic.Error);
        Assert.Single(topic.Partitions);
        Assert.Equal(md.Brokers.Keys.Single(), topic.Partitions[0].Leader);
        Assert.False(topic.TopicId.IsZero);
    }

    [Fact]
    public async Task Requests_are_pipelined_and_answered_in_order()
    {
        await using var cluster = NewCluster();
        var connection = await cluster.GetAnyConnectionAsync(CancellationToken.None);
        var version = connection.NegotiateVersion(ApiKey.Metadata, 1, 12);
        var tasks = Enumerable.Range(0, 200).Select(i => connection.SendAsync<MetadataResponse>(ApiKey.Metadata, version,
            new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = $"pipelined-{i % 7}" }] }, CancellationToken.None)).ToList();
        var responses = await Task.WhenAll(tasks);
        for (var i = 0; i < responses.Length; i++) Assert.Equal($"pipelined-{i % 7}", responses[i].Topics.Single().Name);
    }

    [Fact]
    public async Task Coordinator_is_found()
    {
        await using var cluster = NewCluster();
        var node = await cluster.FindCoordinatorAsync("some-group", CancellationToken.None);
        Assert.Equal(_broker.Broker.EndPoint.Port, node.Port);
    }

    [Fact]
    public async Task Unreachable_bootstrap_fails_with_a_message_naming_the_servers()
    {
        await using var cluster = new KafkaCluster(new ClusterOptions
        {
            BootstrapServers = [("127.0.0.1", 1)],
            RequestTimeout = TimeSpan.FromMilliseconds(300),
            ConnectTimeout = TimeSpan.FromMilliseconds(200),
        });
        var ex = await Assert.ThrowsAsync<KafkaConnectionException>(() => cluster.RefreshMetadataAsync(["x"]));
        Assert.Contains("127.0.0.1:1", ex.Message);
    }

    [Fact]
    public void Config_errors_name_the_key()
    {
        var spec = new ConfigSpec(CommonClientConfig.Keys);
        var ex = Assert.Throws<ConfigException>(() => spec.Parse(new Dictionary<string, string> { ["bootstrap.servers"] = "h:1", ["request.timeout.ms"] = "soon" }));
        Assert.Equal("request.timeout.ms", ex.Key);
        ex = Assert.Throws<ConfigException>(() => spec.Parse(new Dictionary<string, string> { ["bootstrap.servers"] = "h:1", ["no.such.key"] = "1" }));
        Assert.Equal("no.such.key", ex.Key);
        ex = Assert.Throws<ConfigException>(() => spec.Parse(new Dictionary<string, string>()));
        Assert.Equal("bootstrap.servers", ex.Key);
        ex = Assert.Throws<ConfigException>(() => spec.Parse(new Dictionary<string, string> { ["bootstrap.servers"] = "h:1", ["security.protocol"] = "TLS" }));
        Assert.Equal("security.protocol", ex.Key);
        Assert.Contains("PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL", ex.Message);
    }
}
