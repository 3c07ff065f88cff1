using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Tests.Handlers;

public sealed class TopicAdminTests : HandlerTestBase
{
    private static CreateTopicsRequest.CreatableTopic NewTopic(string name, int partitions = 1, short replication = 1, params (string Key, string? Value)[] configs) => new()
    {
        Name = name,
        NumPartitions = partitions,
        ReplicationFactor = replication,
        Configs = configs.Select(c => new CreateTopicsRequest.CreatableTopicConfig { Name = c.Key, Value = c.Value }).ToList(),
    };

    private Task<CreateTopicsResponse> Create(short version, bool validateOnly, params CreateTopicsRequest.CreatableTopic[] topics)
        => Broker.SendAsync<CreateTopicsResponse>(ApiKey.CreateTopics, version, new CreateTopicsRequest { Topics = topics.ToList(), timeoutMs = 1000, validateOnly = validateOnly });

    // ---- CreateTopics ----

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(7)]
    public async Task Creates_topics_with_partitions_and_configs(short version)
    {
        var response = await Create(version, false, NewTopic("orders", 3, 1, ("retention.ms", "1000")), NewTopic("defaults", -1, -1));

        Assert.Equal(2, response.Topics.Count);
        Assert.All(response.Topics, t => Assert.Equal(ErrorCode.None, (ErrorCode)t.ErrorCode));
        var orders = Broker.State.Topics.Get("orders");
        Assert.NotNull(orders);
        Assert.Equal(3, orders.Partitions.Length);
        Assert.Equal(1000, orders.LogConfig.RetentionMs);
        Assert.Single(Broker.State.Topics.Get("defaults")!.Partitions);
        if (version >= 5)
        {
            var r = response.Topics[0];
            Assert.Equal(3, r.NumPartitions);
            Assert.Equal(1, r.ReplicationFactor);
            var retention = Assert.Single(r.Configs!, c => c.Name == "retention.ms");
            Assert.Equal("1000", retention.Value);
            Assert.Equal(1, retention.ConfigSource);
            var policy = Assert.Single(r.Configs!, c => c.Name == "cleanup.policy");
            Assert.Equal("delete", policy.Value);
            Assert.Equal(5, policy.ConfigSource);
        }
        if (version >= 7) Assert.Equal(orders.Id, response.Topics[0].TopicId);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(7)]
    public async Task Validate_only_checks_without_creating(short version)
    {
        var ok = await Create(version, true, NewTopic("dry", 2));
        Assert.Equal(ErrorCode.None, (ErrorCode)ok.Topics[0].ErrorCode);
        Assert.Null(Broker.State.Topics.Get("dry"));
        Assert.False(Directory.Exists(Path.Combine(Broker.DataDir, "dry-0")));

        var bad = await Create(version, true, NewTopic("dry", 2, 1, ("retention.ms", "soon")));
        Assert.Equal(ErrorCode.InvalidConfig, (ErrorCode)bad.Topics[0].ErrorCode);
    }

    [Fact]
    public async Task A_topic_that_cannot_be_created_whole_leaves_nothing_behind()
    {
        // A plain file where partition 2's directory must go: partitions 0 and 1 open, then 2 fails.
        var blocker = Path.Combine(Broker.DataDir, "half-2");
        await File.WriteAllTextAsync(blocker, "in the way");

        var failed = await Create(5, false, NewTopic("half", 3));

        Assert.Equal(ErrorCode.KafkaStorageError, (ErrorCode)failed.Topics[0].ErrorCode);
        Assert.Contains("half", failed.Topics[0].ErrorMessage, StringComparison.Ordinal);
        Assert.Null(Broker.State.Topics.Get("half"));
        Assert.False(Directory.Exists(Path.Combine(Broker.DataDir, "half-0")));
        Assert.False(Directory.Exists(Path.Combine(Broker.DataDir, "half-1")));

        File.Delete(blocker);
        var retried = await Create(5, false, NewTopic("half", 3));
        Assert.Equal(ErrorCode.None, (ErrorCode)retried.Topics[0].ErrorCode);
        Assert.Equal(3, Broker.State.Topics.Get("half")!.Partitions.Length);
        await Broker.RestartAsync();
        Assert.Equal(3, Broker.State.Topics.Get("half")!.Partitions.Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(6)]
    public async Task Duplicate_topic_already_exists(short version)
    {
        await Create(version, false, NewTopic("dup"));
        var again = await Create(version, false, NewTopic("dup", 4));
        Assert.Equal(ErrorCode.TopicAlreadyExists, (ErrorCode)again.Topics[0].ErrorCode);
        Assert.Single(Broker.State.Topics.Get("dup")!.Partitions);

        var twiceInOne = await Create(version, false, NewTopic("pair"), NewTopic("pair"));
        Assert.Equal(ErrorCode.InvalidRequest, (ErrorCode)twiceInOne.Topics[1].ErrorCode);
    }

    [Fact]
    public async Task Names_colliding_on_dot_and_underscore_are_refused()
    {
        await Create(7, false, NewTopic("a.b"));
        var response = await Create(7, false, NewTopic("a_b"));
        Assert.Equal(ErrorCode.InvalidTopicException, (ErrorCode)response.Topics[0].ErrorCode);
    }

    [Theory]
    [InlineData(1, "retention.ms", "soon")]
    [InlineData(5, "cleanup.policy", "sometimes")]
    [InlineData(7, "no.such.setting", "1")]
    [InlineData(7, "max.message.bytes", "-5")]
    public async Task Bad_config_is_invalid_config_naming_the_key(short version, string key, string value)
    {
        var response = await Create(version, false, NewTopic("configured", 1, 1, (key, value)));
        var r = response.Topics[0];
        Assert.Equal(ErrorCode.InvalidConfig, (ErrorCode)r.ErrorCode);
        Assert.Contains(key, r.ErrorMessage);
        Assert.Null(Broker.State.Topics.Get("configured"));
    }

    [Theory]
    [InlineData(0, 3)]
    [InlineData(5, 2)]
    [InlineData(7, 0)]
    public async Task Replication_factor_above_one_is_invalid(short version, short replication)
    {
        var response = await Create(version, false, NewTopic("replicated", 1, replication));
        Assert.Equal(ErrorCode.InvalidReplicationFactor, (ErrorCode)response.Topics[0].ErrorCode);
        Assert.Null(Broker.State.Topics.Get("replicated"));
    }

    [Fact]
    public async Task Invalid_partition_counts_and_names()
    {
        var response = await Create(7, false, NewTopic("zero", 0), NewTopic("bad name"), NewTopic("big", 20_000));
        Assert.Equal(ErrorCode.InvalidPartitions, (ErrorCode)response.Topics[0].ErrorCode);
        Assert.Equal(ErrorCode.InvalidTopicException, (ErrorCode)response.Topics[1].ErrorCode);
        Assert.Equal(ErrorCode.InvalidPartitions, (ErrorCode)response.Topics[2].ErrorCode);
    }

    [Fact]
    public async Task Manual_assignment_may_only_name_this_broker()
    {
        var mine = new CreateTopicsRequest.CreatableTopic
        {
            Name = "assigned", NumPartitions = -1, ReplicationFactor = -1,
            Assignments = [new() { PartitionIndex = 0, BrokerIds = [1] }, new() { PartitionIndex = 1, BrokerIds = [1] }],
        };
        var other = new CreateTopicsRequest.CreatableTopic
        {
            Name = "elsewhere", NumPartitions = -1, ReplicationFactor = -1,
            Assignments = [new() { PartitionIndex = 0, BrokerIds = [2] }],
        };
        var response = await Create(5, false, mine, other);
        Assert.Equal(ErrorCode.None, (ErrorCode)response.Topics[0].ErrorCode);
        Assert.Equal(2, Broker.State.Topics.Get("assigned")!.Partitions.Length);
        Assert.Equal(ErrorCode.InvalidReplicaAssignment, (ErrorCode)response.Topics[1].ErrorCode);
    }

    [Fact]
    public async Task Created_topics_survive_a_restart()
    {
        await Create(7, false, NewTopic("kept", 2, 1, ("cleanup.policy", "compact")));
        await Broker.ProduceAsync("kept", 1, BrokerHarness.Batch(2));
        await Broker.RestartAsync();
        var topic = Broker.State.Topics.Get("kept");
        Assert.NotNull(topic);
        Assert.Equal(2, topic.Partitions.Length);
        Assert.True(topic.LogConfig.Compact);
        Assert.Equal(2, Broker.Log("kept", 1).LogEndOffset);
    }

    // ---- DeleteTopics ----

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task Deletes_topics_by_name(short version)
    {
        Broker.CreateTopic("doomed", 2);
        await Broker.ProduceAsync("doomed", 0, BrokerHarness.Batch());
        var response = await Broker.SendAsync<DeleteTopicsResponse>(ApiKey.DeleteTopics, version, new DeleteTopicsRequest { TopicNames = ["doomed", "never"], TimeoutMs = 1000 });

        Assert.Equal(["doomed", "never"], response.Responses.Select(r => r.Name));
        Assert.Equal(ErrorCode.None, (ErrorCode)response.Responses[0].ErrorCode);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (ErrorCode)response.Responses[1].ErrorCode);
        Assert.Null(Broker.State.Topics.Get("doomed"));
        Assert.False(Directory.Exists(Path.Combine(Broker.DataDir, "doomed-0")));

        var metadata = await Broker.SendAsync<MetadataResponse>(ApiKey.Metadata, 9, new MetadataRequest { Topics = null });
        Assert.DoesNotContain(metadata.Topics, t => t.Name == "doomed");

        // Gone for good: not back after a restart, and the name can be reused.
        await Broker.RestartAsync();
        Assert.Null(Broker.State.Topics.Get("doomed"));
        Broker.CreateTopic("doomed");
        Assert.Equal(0, Broker.Log("doomed").LogEndOffset);
    }

    [Fact]
    public async Task V6_deletes_by_id_or_name()
    {
        var byId = Broker.CreateTopic("by-id");
        Broker.CreateTopic("by-name");
        var response = await Broker.SendAsync<DeleteTopicsResponse>(ApiKey.DeleteTopics, 6, new DeleteTopicsRequest
        {
            Topics =
            [
                new() { Name = null, TopicId = byId.Id },
                new() { Name = "by-name" },
                new() { Name = null, TopicId = Uuid.NewRandom() },
            ],
        });
        Assert.Equal(ErrorCode.None, (ErrorCode)response.Responses[0].ErrorCode);
        Assert.Equal("by-id", response.Responses[0].Name);
        Assert.Equal(ErrorCode.None, (ErrorCode)response.Responses[1].ErrorCode);
        Assert.Equal(ErrorCode.UnknownTopicId, (ErrorCode)response.Responses[2].ErrorCode);
        Assert.Empty(Broker.State.Topics.Topics);
    }

    [Fact]
    public async Task Deleting_a_topic_wakes_its_long_polling_fetches()
    {
        Broker.CreateTopic("vanishing");
        var pending = Broker.StartAsync<FetchResponse>(ApiKey.Fetch, 12, BrokerHarness.Fetch("vanishing", 0, 0, maxWaitMs: 5000));
        Assert.False(pending.IsCompleted);
        await Broker.SendAsync<DeleteTopicsResponse>(ApiKey.DeleteTopics, 5, new DeleteTopicsRequest { TopicNames = ["vanishing"] });
        var response = await pending.WaitAsync(BrokerHarness.Wait);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (ErrorCode)response!.Responses[0].Partitions[0].ErrorCode);
    }

    // ---- CreatePartitions ----

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Grows_a_topic(short version)
    {
        Broker.CreateTopic("growing", 1);
        await Broker.ProduceAsync("growing", 0, BrokerHarness.Batch(2));
        var response = await Broker.SendAsync<CreatePartitionsResponse>(ApiKey.CreatePartitions, version, new CreatePartitionsRequest
        {
            Topics = [new() { Name = "growing", Count = 3, Assignments = null }, new() { Name = "unknown", Count = 2, Assignments = null }],
            TimeoutMs = 1000,
        });
        Assert.Equal(ErrorCode.None, (ErrorCode)response.Results[0].ErrorCode);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (ErrorCode)response.Results[1].ErrorCode);

        var metadata = await Broker.SendAsync<MetadataResponse>(ApiKey.Metadata, 9, new MetadataRequest { Topics = [new() { Name = "growing" }] });
        Assert.Equal([0, 1, 2], metadata.Topics[0].Partitions.Select(p => p.PartitionIndex));
        Assert.Equal(2, Broker.Log("growing", 0).LogEndOffset);
        Assert.Equal(ErrorCode.None, (ErrorCode)(await Broker.ProduceAsync("growing", 2, BrokerHarness.Batch())).ErrorCode);

        await Broker.RestartAsync();
        Assert.Equal(3, Broker.State.Topics.Get("growing")!.Partitions.Length);
    }

    [Fact]
    public async Task Shrinking_or_validate_only_leaves_the_topic_alone()
    {
        Broker.CreateTopic("fixed", 3);
        var response = await Broker.SendAsync<CreatePartitionsResponse>(ApiKey.CreatePartitions, 3, new CreatePartitionsRequest
        {
            Topics = [new() { Name = "fixed", Count = 2, Assignments = null }],
        });
        Assert.Equal(ErrorCode.InvalidPartitions, (ErrorCode)response.Results[0].ErrorCode);
        Assert.NotNull(response.Results[0].ErrorMessage);

        response = await Broker.SendAsync<CreatePartitionsResponse>(ApiKey.CreatePartitions, 3, new CreatePartitionsRequest
        {
            Topics = [new() { Name = "fixed", Count = 5, Assignments = null }],
            ValidateOnly = true,
        });
        Assert.Equal(ErrorCode.None, (ErrorCode)response.Results[0].ErrorCode);
        Assert.Equal(3, Broker.State.Topics.Get("fixed")!.Partitions.Length);

        response = await Broker.SendAsync<CreatePartitionsResponse>(ApiKey.CreatePartitions, 1, new CreatePartitionsRequest
        {
            Topics = [new() { Name = "fixed", Count = 4, Assignments = [new() { BrokerIds = [3] }] }],
        });
        Assert.Equal(ErrorCode.InvalidReplicaAssignment, (ErrorCode)response.Results[0].ErrorCode);
        Assert.Equal(3, Broker.State.Topics.Get("fixed")!.Partitions.Length);
    }
}
