using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Tests.Handlers;

public sealed class MetadataTests : HandlerTestBase
{
    private static MetadataRequest Named(params string[] names) => new()
    {
        Topics = names.Select(n => new MetadataRequest.MetadataRequestTopic { Name = n }).ToList(),
    };

    private static MetadataRequest All(short version) => new() { Topics = version == 0 ? [] : null };

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(9)]
    [InlineData(12)]
    public async Task All_topics_with_broker_leader_and_isr(short version)
    {
        Broker.CreateTopic("zeta", 2);
        var alpha = Broker.CreateTopic("alpha", 3);

        var response = await Broker.SendAsync<MetadataResponse>(ApiKey.Metadata, version, All(version));

        var broker = Assert.Single(response.Brokers);
        Assert.Equal(1, broker.NodeId);
        Assert.Equal("127.0.0.1", broker.Host);
        Assert.Equal(19092, broker.Port);
        if (version >= 1) Assert.Equal(1, response.ControllerId);
        if (version >= 2) Assert.Equal("test-cluster", response.ClusterId);
        Assert.Equal(["alpha", "zeta"], response.Topics.Select(t => t.Name));
        var a = response.Topics[0];
        Assert.Equal(ErrorCode.None, (ErrorCode)a.ErrorCode);
        Assert.Equal([0, 1, 2], a.Partitions.Select(p => p.PartitionIndex));
        foreach (var p in a.Partitions)
        {
            Assert.Equal(ErrorCode.None, (ErrorCode)p.ErrorCode);
            Assert.Equal(1, p.LeaderId);
            Assert.Equal([1], p.ReplicaNodes);
            Assert.Equal([1], p.IsrNodes);
            if (version >= 7) Assert.Equal(0, p.LeaderEpoch);
        }
        if (version >= 10) Assert.Equal(alpha.Id, a.TopicId);
        if (version >= 1) Assert.False(a.IsInternal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(9)]
    [InlineData(12)]
    public async Task Empty_list_means_no_topics_from_v1(short version)
    {
        Broker.CreateTopic("t1");
        var response = await Broker.SendAsync<MetadataResponse>(ApiKey.Metadata, version, new MetadataRequest { Topics = [] });
        Assert.Empty(response.Topics);
        Assert.Single(response.Brokers);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(9)]
    [InlineData(12)]
    public async Task Unknown_topic_is_auto_created_on_lookup(short version)
    {
        var response = await Broker.SendAsync<MetadataResponse>(ApiKey.Metadata, version, Named("fresh"));
        var t = Assert.Single(response.Topics);
        Assert.Equal("fresh", t.Name);
        Assert.Equal(ErrorCode.None, (ErrorCode)t.ErrorCode);
        Assert.Single(t.Partitions);
        Assert.NotNull(Broker.State.Topics.Get("fresh"));
    }

    [Fact]
    public async Task Auto_create_uses_num_partitions()
    {
        await using var broker = new BrokerHarness(new Dictionary<string, string> { ["num.partitions"] = "4" });
        var response = await broker.SendAsync<MetadataResponse>(ApiKey.Metadata, 9, Named("four"));
        Assert.Equal(4, Assert.Single(response.Topics).Partitions.Count);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(12)]
    public async Task Not_auto_created_when_the_request_disallows_it(short version)
    {
        var request = Named("nope");
        request.AllowAutoTopicCreation = false;
        var response = await Broker.SendAsync<MetadataResponse>(ApiKey.Metadata, version, request);
        var t = Assert.Single(response.Topics);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (ErrorCode)t.ErrorCode);
        Assert.Empty(t.Partitions);
        Assert.Null(Broker.State.Topics.Get("nope"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(12)]
    public async Task Not_auto_created_when_the_broker_disallows_it(short version)
    {
        await using var broker = new BrokerHarness(new Dictionary<string, string> { ["auto.create.topics.enable"] = "false" });
        var response = await broker.SendAsync<MetadataResponse>(ApiKey.Metadata, version, Named("nope"));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (ErrorCode)Assert.Single(response.Topics).ErrorCode);
        Assert.Null(broker.State.Topics.Get("nope"));

        // Produce must not create it either.
        var produced = await broker.ProduceAsync("nope", 0, BrokerHarness.Batch());
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (ErrorCode)produced.ErrorCode);
        Assert.Null(broker.State.Topics.Get("nope"));
    }

    [Theory]
    [InlineData(1, "bad name")]
    [InlineData(4, "a/b")]
    [InlineData(9, "..")]
    [InlineData(12, "ünïcode")]
    public async Task Invalid_topic_name_is_invalid_topic_exception(short version, string name)
    {
        var response = await Broker.SendAsync<MetadataResponse>(ApiKey.Metadata, version, Named(name, "ok-topic"));
        Assert.Equal(2, response.Topics.Count);
        Assert.Equal(name, response.Topics[0].Name);
        Assert.Equal(ErrorCode.InvalidTopicException, (ErrorCode)response.Topics[0].ErrorCode);
        Assert.Equal(ErrorCode.None, (ErrorCode)response.Topics[1].ErrorCode);
        Assert.Null(Broker.State.Topics.Get(name));
    }

    [Fact]
    public async Task Too_long_topic_name_is_invalid()
    {
        var name = new string('x', 250);
        var response = await Broker.SendAsync<MetadataResponse>(ApiKey.Metadata, 9, Named(name));
        Assert.Equal(ErrorCode.InvalidTopicException, (ErrorCode)Assert.Single(response.Topics).ErrorCode);
    }

    [Fact]
    public async Task V12_looks_topics_up_by_id()
    {
        var topic = Broker.CreateTopic("by-id", 2);
        var request = new MetadataRequest
        {
            Topics =
            [
                new MetadataRequest.MetadataRequestTopic { Name = null, TopicId = topic.Id },
                new MetadataRequest.MetadataRequestTopic { Name = null, TopicId = Uuid.NewRandom() },
            ],
        };
        var response = await Broker.SendAsync<MetadataResponse>(ApiKey.Metadata, 12, request);
        Assert.Equal(2, response.Topics.Count);
        Assert.Equal("by-id", response.Topics[0].Name);
        Assert.Equal(2, response.Topics[0].Partitions.Count);
        Assert.Equal(ErrorCode.UnknownTopicId, (ErrorCode)response.Topics[1].ErrorCode);
    }
}
