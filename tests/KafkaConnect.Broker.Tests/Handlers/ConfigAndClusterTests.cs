using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Tests.Handlers;

public sealed class ConfigAndClusterTests : HandlerTestBase
{
    private const sbyte TopicResource = 2;
    private const sbyte BrokerResource = 4;

    private async Task<DescribeConfigsResponse.DescribeConfigsResult> Describe(short version, sbyte type, string name, List<string>? keys = null)
    {
        var response = await Broker.SendAsync<DescribeConfigsResponse>(ApiKey.DescribeConfigs, version, new DescribeConfigsRequest
        {
            Resources = [new() { ResourceType = type, ResourceName = name, ConfigurationKeys = keys }],
            IncludeDocumentation = version >= 3,
        });
        var r = Assert.Single(response.Results);
        Assert.Equal(type, r.ResourceType);
        Assert.Equal(name, r.ResourceName);
        return r;
    }

    private static DescribeConfigsResponse.DescribeConfigsResourceResult Entry(DescribeConfigsResponse.DescribeConfigsResult r, string name)
        => Assert.Single(r.Configs, c => c.Name == name);

    // ---- DescribeConfigs ----

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Describes_a_topic_with_overrides_and_defaults(short version)
    {
        Broker.CreateTopic("described", configs: new Dictionary<string, string> { ["retention.ms"] = "1234", ["cleanup.policy"] = "compact" });
        var r = await Describe(version, TopicResource, "described");

        Assert.Equal(ErrorCode.None, (ErrorCode)r.ErrorCode);
        var retention = Entry(r, "retention.ms");
        Assert.Equal("1234", retention.Value);
        var segment = Entry(r, "segment.bytes");
        Assert.Equal("1073741824", segment.Value);
        Assert.Equal("compact", Entry(r, "cleanup.policy").Value);
        // v0 says IsDefault; v1+ say where the value comes from (1 topic override, 5 default).
        if (version == 0)
        {
            Assert.False(retention.IsDefaultValue);
            Assert.True(segment.IsDefaultValue);
        }
        else
        {
            Assert.Equal(1, retention.ConfigSource);
            Assert.Equal(5, segment.ConfigSource);
        }
        if (version >= 3)
        {
            Assert.Equal(5, retention.ConfigType); // LONG
            Assert.False(string.IsNullOrEmpty(retention.Documentation));
        }
        Assert.True(r.Configs.Count >= 20, $"only {r.Configs.Count} topic configs listed");
    }

    [Fact]
    public async Task Describes_only_the_keys_asked_for()
    {
        Broker.CreateTopic("described");
        var r = await Describe(4, TopicResource, "described", ["retention.ms", "max.message.bytes"]);
        Assert.Equal(["max.message.bytes", "retention.ms"], r.Configs.Select(c => c.Name).Order());
    }

    [Fact]
    public async Task Broker_defaults_show_in_topic_configs()
    {
        await using var broker = new BrokerHarness(new Dictionary<string, string> { ["log.retention.ms"] = "999000", ["message.max.bytes"] = "5000" });
        broker.CreateTopic("t");
        var response = await broker.SendAsync<DescribeConfigsResponse>(ApiKey.DescribeConfigs, 4, new DescribeConfigsRequest
        {
            Resources = [new() { ResourceType = TopicResource, ResourceName = "t", ConfigurationKeys = null }],
        });
        var configs = response.Results[0].Configs;
        Assert.Equal("999000", Assert.Single(configs, c => c.Name == "retention.ms").Value);
        Assert.Equal("5000", Assert.Single(configs, c => c.Name == "max.message.bytes").Value);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public async Task Unknown_topic(short version)
    {
        var r = await Describe(version, TopicResource, "ghost");
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (ErrorCode)r.ErrorCode);
        Assert.Empty(r.Configs);
    }

    [Theory]
    [InlineData(0, "1")]
    [InlineData(2, "")]
    [InlineData(4, "1")]
    public async Task Describes_the_broker(short version, string name)
    {
        var r = await Describe(version, BrokerResource, name);
        Assert.Equal(ErrorCode.None, (ErrorCode)r.ErrorCode);
        var partitions = Entry(r, "num.partitions");
        Assert.Equal("1", partitions.Value);
        Assert.True(partitions.ReadOnly);
        var delay = Entry(r, "group.initial.rebalance.delay.ms");
        Assert.Equal("0", delay.Value);
        if (version == 0)
        {
            Assert.True(partitions.IsDefaultValue);
            Assert.False(delay.IsDefaultValue);
        }
        else
        {
            Assert.Equal(5, partitions.ConfigSource); // default
            Assert.Equal(4, delay.ConfigSource);      // static broker config
        }
        Assert.Equal("PLAINTEXT://127.0.0.1:19092", Entry(r, "listeners").Value);
    }

    [Fact]
    public async Task Another_broker_id_or_resource_type_is_refused()
    {
        Assert.Equal(ErrorCode.InvalidRequest, (ErrorCode)(await Describe(4, BrokerResource, "7")).ErrorCode);
        Assert.Equal(ErrorCode.InvalidRequest, (ErrorCode)(await Describe(4, 3, "anything")).ErrorCode);
    }

    // ---- AlterConfigs ----

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Alter_configs_replaces_all_overrides(short version)
    {
        var topic = Broker.CreateTopic("altered", configs: new Dictionary<string, string> { ["retention.ms"] = "1000" });
        var response = await Broker.SendAsync<AlterConfigsResponse>(ApiKey.AlterConfigs, version, new AlterConfigsRequest
        {
            Resources = [new() { ResourceType = TopicResource, ResourceName = "altered", Configs = [new() { Name = "segment.ms", Value = "60000" }] }],
        });
        Assert.Equal(ErrorCode.None, (ErrorCode)Assert.Single(response.Responses).ErrorCode);

        Assert.Equal(60000, topic.LogConfig.SegmentMs);
        Assert.Equal(604800000, topic.LogConfig.RetentionMs); // back to the default
        Assert.Equal(60000, Broker.Log("altered").Config.SegmentMs);
        var r = await Describe(0, TopicResource, "altered");
        Assert.True(Entry(r, "retention.ms").IsDefaultValue);
        Assert.False(Entry(r, "segment.ms").IsDefaultValue);
        r = await Describe(4, TopicResource, "altered");
        Assert.Equal(5, Entry(r, "retention.ms").ConfigSource);
        Assert.Equal(1, Entry(r, "segment.ms").ConfigSource);

        await Broker.RestartAsync();
        Assert.Equal(60000, Broker.State.Topics.Get("altered")!.LogConfig.SegmentMs);
    }

    [Fact]
    public async Task Alter_configs_validates_and_refuses_the_broker()
    {
        var topic = Broker.CreateTopic("altered", configs: new Dictionary<string, string> { ["retention.ms"] = "1000" });
        var response = await Broker.SendAsync<AlterConfigsResponse>(ApiKey.AlterConfigs, 2, new AlterConfigsRequest
        {
            Resources =
            [
                new() { ResourceType = TopicResource, ResourceName = "altered", Configs = [new() { Name = "retention.ms", Value = "x" }] },
                new() { ResourceType = BrokerResource, ResourceName = "1", Configs = [new() { Name = "num.partitions", Value = "3" }] },
                new() { ResourceType = TopicResource, ResourceName = "ghost", Configs = [] },
            ],
        });
        Assert.Equal(ErrorCode.InvalidConfig, (ErrorCode)response.Responses[0].ErrorCode);
        Assert.Contains("retention.ms", response.Responses[0].ErrorMessage);
        Assert.Equal(ErrorCode.InvalidRequest, (ErrorCode)response.Responses[1].ErrorCode);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (ErrorCode)response.Responses[2].ErrorCode);
        Assert.Equal(1000, topic.LogConfig.RetentionMs);

        var dry = await Broker.SendAsync<AlterConfigsResponse>(ApiKey.AlterConfigs, 1, new AlterConfigsRequest
        {
            Resources = [new() { ResourceType = TopicResource, ResourceName = "altered", Configs = [new() { Name = "retention.ms", Value = "5" }] }],
            ValidateOnly = true,
        });
        Assert.Equal(ErrorCode.None, (ErrorCode)dry.Responses[0].ErrorCode);
        Assert.Equal(1000, topic.LogConfig.RetentionMs);
    }

    // ---- IncrementalAlterConfigs ----

    private async Task<IncrementalAlterConfigsResponse.AlterConfigsResourceResponse> Incremental(short version, string topic, bool validateOnly,
        params (string Name, sbyte Op, string? Value)[] changes)
    {
        var response = await Broker.SendAsync<IncrementalAlterConfigsResponse>(ApiKey.IncrementalAlterConfigs, version, new IncrementalAlterConfigsRequest
        {
            Resources =
            [
                new()
                {
                    ResourceType = TopicResource,
                    ResourceName = topic,
                    Configs = changes.Select(c => new IncrementalAlterConfigsRequest.AlterableConfig { Name = c.Name, ConfigOperation = c.Op, Value = c.Value }).ToList(),
                },
            ],
            ValidateOnly = validateOnly,
        });
        return Assert.Single(response.Responses);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Incremental_set_delete_append_subtract(short version)
    {
        var topic = Broker.CreateTopic("inc", configs: new Dictionary<string, string> { ["segment.ms"] = "70000" });

        var set = await Incremental(version, "inc", false, ("retention.ms", 0, "2000"));
        Assert.Equal(ErrorCode.None, (ErrorCode)set.ErrorCode);
        Assert.Equal(2000, topic.LogConfig.RetentionMs);
        Assert.Equal(70000, topic.LogConfig.SegmentMs); // untouched, unlike AlterConfigs

        var delete = await Incremental(version, "inc", false, ("segment.ms", 1, null));
        Assert.Equal(ErrorCode.None, (ErrorCode)delete.ErrorCode);
        Assert.Equal(604800000, topic.LogConfig.SegmentMs);
        Assert.False(topic.Configs.ContainsKey("segment.ms"));

        var append = await Incremental(version, "inc", false, ("cleanup.policy", 2, "compact"));
        Assert.Equal(ErrorCode.None, (ErrorCode)append.ErrorCode);
        Assert.True(topic.LogConfig.Compact);
        Assert.True(topic.LogConfig.Delete);
        Assert.Equal("delete,compact", topic.Configs["cleanup.policy"]);

        var subtract = await Incremental(version, "inc", false, ("cleanup.policy", 3, "delete"));
        Assert.Equal(ErrorCode.None, (ErrorCode)subtract.ErrorCode);
        Assert.True(topic.LogConfig.Compact);
        Assert.False(topic.LogConfig.Delete);
    }

    [Fact]
    public async Task Incremental_errors_leave_the_topic_unchanged()
    {
        var topic = Broker.CreateTopic("inc", configs: new Dictionary<string, string> { ["retention.ms"] = "1000" });
        var bad = await Incremental(1, "inc", false, ("retention.ms", 0, "2000"), ("segment.ms", 0, "never"));
        Assert.Equal(ErrorCode.InvalidConfig, (ErrorCode)bad.ErrorCode);
        Assert.Contains("segment.ms", bad.ErrorMessage);
        Assert.Equal(1000, topic.LogConfig.RetentionMs);

        var badOp = await Incremental(1, "inc", false, ("retention.ms", 9, "1"));
        Assert.NotEqual(ErrorCode.None, (ErrorCode)badOp.ErrorCode);

        var dry = await Incremental(1, "inc", true, ("retention.ms", 0, "5"));
        Assert.Equal(ErrorCode.None, (ErrorCode)dry.ErrorCode);
        Assert.Equal(1000, topic.LogConfig.RetentionMs);

        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (ErrorCode)(await Incremental(1, "ghost", false, ("retention.ms", 0, "5"))).ErrorCode);
    }

    [Fact]
    public async Task Lowering_max_message_bytes_applies_to_the_next_produce()
    {
        Broker.CreateTopic("limits");
        Assert.Equal(ErrorCode.None, (ErrorCode)(await Broker.ProduceAsync("limits", 0, BrokerHarness.Batch(1, valueSize: 500))).ErrorCode);
        await Incremental(1, "limits", false, ("max.message.bytes", 0, "300"));
        Assert.Equal(ErrorCode.MessageTooLarge, (ErrorCode)(await Broker.ProduceAsync("limits", 0, BrokerHarness.Batch(1, valueSize: 500))).ErrorCode);
    }

    // ---- InitProducerId ----

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public async Task Init_producer_id_hands_out_fresh_ids(short version)
    {
        var a = await Broker.SendAsync<InitProducerIdResponse>(ApiKey.InitProducerId, version, new InitProducerIdRequest { TransactionalId = null, TransactionTimeoutMs = 60000 });
        var b = await Broker.SendAsync<InitProducerIdResponse>(ApiKey.InitProducerId, version, new InitProducerIdRequest { TransactionalId = null, TransactionTimeoutMs = 60000 });
        Assert.Equal(ErrorCode.None, (ErrorCode)a.ErrorCode);
        Assert.True(a.ProducerId >= 0);
        Assert.Equal(0, a.ProducerEpoch);
        Assert.NotEqual(a.ProducerId, b.ProducerId);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public async Task Init_producer_id_bumps_the_epoch_of_a_known_producer(short version)
    {
        var a = await Broker.SendAsync<InitProducerIdResponse>(ApiKey.InitProducerId, version, new InitProducerIdRequest { TransactionalId = null });
        var bumped = await Broker.SendAsync<InitProducerIdResponse>(ApiKey.InitProducerId, version, new InitProducerIdRequest
        {
            TransactionalId = null, ProducerId = a.ProducerId, ProducerEpoch = a.ProducerEpoch,
        });
        Assert.Equal(ErrorCode.None, (ErrorCode)bumped.ErrorCode);
        Assert.Equal(a.ProducerId, bumped.ProducerId);
        Assert.Equal(a.ProducerEpoch + 1, bumped.ProducerEpoch);
    }

    [Fact]
    public async Task Producer_ids_are_not_reused_after_a_restart()
    {
        var before = await Broker.SendAsync<InitProducerIdResponse>(ApiKey.InitProducerId, 4, new InitProducerIdRequest { TransactionalId = null });
        await Broker.RestartAsync();
        var after = await Broker.SendAsync<InitProducerIdResponse>(ApiKey.InitProducerId, 4, new InitProducerIdRequest { TransactionalId = null });
        Assert.True(after.ProducerId > before.ProducerId, $"{after.ProducerId} after {before.ProducerId}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public async Task Init_producer_id_refuses_transactions(short version)
    {
        var r = await Broker.SendAsync<InitProducerIdResponse>(ApiKey.InitProducerId, version, new InitProducerIdRequest { TransactionalId = "tx", TransactionTimeoutMs = 1000 });
        Assert.Equal(ErrorCode.TransactionalIdAuthorizationFailed, (ErrorCode)r.ErrorCode);
        Assert.Equal(-1, r.ProducerId);
    }

    // ---- FindCoordinator / DescribeCluster ----

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Find_coordinator_single_key(short version)
    {
        var r = await Broker.SendAsync<FindCoordinatorResponse>(ApiKey.FindCoordinator, version, new FindCoordinatorRequest { KeyValue = "my-group", KeyType = 0 });
        Assert.Equal(ErrorCode.None, (ErrorCode)r.ErrorCode);
        Assert.Equal(1, r.NodeId);
        Assert.Equal("127.0.0.1", r.Host);
        Assert.Equal(19092, r.Port);

        if (version >= 1)
        {
            var tx = await Broker.SendAsync<FindCoordinatorResponse>(ApiKey.FindCoordinator, version, new FindCoordinatorRequest { KeyValue = "tx", KeyType = 1 });
            Assert.Equal(ErrorCode.CoordinatorNotAvailable, (ErrorCode)tx.ErrorCode);
            Assert.Equal(-1, tx.NodeId);
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(6)]
    public async Task Find_coordinator_batched_keys(short version)
    {
        var r = await Broker.SendAsync<FindCoordinatorResponse>(ApiKey.FindCoordinator, version, new FindCoordinatorRequest { KeyType = 0, CoordinatorKeys = ["g1", "g2"] });
        Assert.Equal(["g1", "g2"], r.Coordinators.Select(c => c.Key));
        Assert.All(r.Coordinators, c =>
        {
            Assert.Equal(ErrorCode.None, (ErrorCode)c.ErrorCode);
            Assert.Equal(1, c.NodeId);
            Assert.Equal("127.0.0.1", c.Host);
            Assert.Equal(19092, c.Port);
        });

        var tx = await Broker.SendAsync<FindCoordinatorResponse>(ApiKey.FindCoordinator, version, new FindCoordinatorRequest { KeyType = 1, CoordinatorKeys = ["t"] });
        Assert.Equal(ErrorCode.CoordinatorNotAvailable, (ErrorCode)Assert.Single(tx.Coordinators).ErrorCode);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Describe_cluster(short version)
    {
        var r = await Broker.SendAsync<DescribeClusterResponse>(ApiKey.DescribeCluster, version, new DescribeClusterRequest());
        Assert.Equal(ErrorCode.None, (ErrorCode)r.ErrorCode);
        Assert.Equal("test-cluster", r.ClusterId);
        Assert.Equal(1, r.ControllerId);
        var b = Assert.Single(r.Brokers);
        Assert.Equal(1, b.BrokerId);
        Assert.Equal("127.0.0.1", b.Host);
        Assert.Equal(19092, b.Port);
    }

    [Fact]
    public async Task Describe_cluster_refuses_controller_endpoints()
    {
        var r = await Broker.SendAsync<DescribeClusterResponse>(ApiKey.DescribeCluster, 1, new DescribeClusterRequest { EndpointType = 2 });
        Assert.Equal(ErrorCode.MismatchedEndpointType, (ErrorCode)r.ErrorCode);
        Assert.Empty(r.Brokers);
    }

    [Fact]
    public async Task Advertised_listener_is_what_clients_are_told()
    {
        await using var broker = new BrokerHarness(new Dictionary<string, string> { ["advertised.listeners"] = "PLAINTEXT://kafka.example:29092", ["node.id"] = "5" });
        var metadata = await broker.SendAsync<MetadataResponse>(ApiKey.Metadata, 12, new MetadataRequest { Topics = null });
        var b = Assert.Single(metadata.Brokers);
        Assert.Equal((5, "kafka.example", 29092), (b.NodeId, b.Host, b.Port));
        var coordinator = await broker.SendAsync<FindCoordinatorResponse>(ApiKey.FindCoordinator, 2, new FindCoordinatorRequest { KeyValue = "g" });
        Assert.Equal((5, "kafka.example", 29092), (coordinator.NodeId, coordinator.Host, coordinator.Port));
    }
}
