using KafkaConnect.Client.Admin;
using KafkaConnect.Protocol;
using static KafkaConnect.Client.Tests.Admin.AdminTestSupport;

namespace KafkaConnect.Client.Tests.Admin;

public sealed class AdminConfigsTests : IClassFixture<BrokerFixture>
{
    private readonly BrokerFixture _broker;

    public AdminConfigsTests(BrokerFixture broker) => _broker = broker;

    private static async Task<IReadOnlyDictionary<string, ConfigEntry>> DescribeAsync(KafkaAdminClient admin, string topic)
    {
        var resource = ConfigResource.Topic(topic);
        var entries = (await admin.DescribeConfigsAsync([resource]))[resource];
        return entries.ToDictionary(e => e.Name);
    }

    [Fact]
    public async Task Topic_configs_show_defaults_then_overrides()
    {
        await using var admin = NewAdmin(_broker);
        var name = Unique("cfg-defaults");
        await admin.CreateTopicsAsync([new NewTopic(name, 1, 1)]);
        var configs = await DescribeAsync(admin, name);
        var policy = configs["cleanup.policy"];
        Assert.Equal("delete", policy.Value);
        Assert.True(policy.IsDefault);
        Assert.Equal(ConfigSource.DefaultConfig, policy.Source);
        Assert.True(configs.ContainsKey("retention.ms"));
        Assert.True(configs.ContainsKey("segment.bytes"));
    }

    [Fact]
    public async Task Incremental_alter_sets_appends_subtracts_and_deletes()
    {
        await using var admin = NewAdmin(_broker);
        var name = Unique("cfg-incr");
        await admin.CreateTopicsAsync([new NewTopic(name, 1, 1)]);
        var resource = ConfigResource.Topic(name);

        await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, IReadOnlyList<AlterConfigOp>>
        {
            [resource] = [AlterConfigOp.Append("cleanup.policy", "compact"), AlterConfigOp.Set("retention.ms", "7777")],
        });
        var configs = await DescribeAsync(admin, name);
        Assert.Equal(["compact", "delete"], configs["cleanup.policy"].Value!.Split(',').Order());
        Assert.Equal(ConfigSource.DynamicTopicConfig, configs["cleanup.policy"].Source);
        Assert.False(configs["cleanup.policy"].IsDefault);
        Assert.Equal("7777", configs["retention.ms"].Value);

        await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, IReadOnlyList<AlterConfigOp>>
        {
            [resource] = [AlterConfigOp.Subtract("cleanup.policy", "delete"), AlterConfigOp.Delete("retention.ms")],
        });
        configs = await DescribeAsync(admin, name);
        Assert.Equal("compact", configs["cleanup.policy"].Value);
        Assert.True(configs["retention.ms"].IsDefault);
    }

    [Fact]
    public async Task Validate_only_alter_changes_nothing_and_bad_values_name_the_key()
    {
        await using var admin = NewAdmin(_broker);
        var name = Unique("cfg-validate");
        await admin.CreateTopicsAsync([new NewTopic(name, 1, 1)]);
        var resource = ConfigResource.Topic(name);
        await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, IReadOnlyList<AlterConfigOp>>
        {
            [resource] = [AlterConfigOp.Set("retention.ms", "1000")],
        }, validateOnly: true);
        Assert.True((await DescribeAsync(admin, name))["retention.ms"].IsDefault);

        var ex = await Assert.ThrowsAsync<KafkaException>(() => admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, IReadOnlyList<AlterConfigOp>>
        {
            [resource] = [AlterConfigOp.Set("retention.ms", "later")],
        }));
        Assert.Equal(ErrorCode.InvalidConfig, ex.Error);
        Assert.Contains("retention.ms", ex.Message);
    }

    [Fact]
    public async Task Legacy_alter_replaces_the_whole_override_set()
    {
        await using var admin = NewAdmin(_broker);
        var name = Unique("cfg-legacy");
        await admin.CreateTopicsAsync([new NewTopic(name, 1, 1) { Configs = new Dictionary<string, string> { ["retention.ms"] = "5000" } }]);
        var resource = ConfigResource.Topic(name);
        await admin.AlterConfigsAsync(new Dictionary<ConfigResource, IReadOnlyDictionary<string, string?>>
        {
            [resource] = new Dictionary<string, string?> { ["segment.bytes"] = "1048576" },
        });
        var configs = await DescribeAsync(admin, name);
        Assert.Equal("1048576", configs["segment.bytes"].Value);
        Assert.False(configs["segment.bytes"].IsDefault);
        Assert.True(configs["retention.ms"].IsDefault);
    }

    [Fact]
    public async Task Broker_configs_are_described()
    {
        await using var admin = NewAdmin(_broker);
        var node = (await admin.DescribeClusterAsync()).Nodes.Single();
        var resource = ConfigResource.Broker(node.NodeId);
        var entries = (await admin.DescribeConfigsAsync([resource], includeDocumentation: true))[resource];
        Assert.NotEmpty(entries);
        Assert.Equal("1", entries.Single(e => e.Name == "num.partitions").Value);
        Assert.All(entries, e => Assert.True(e.IsReadOnly));
    }

    [Fact]
    public async Task Describing_configs_of_a_missing_topic_fails()
    {
        await using var admin = NewAdmin(_broker);
        var ex = await Assert.ThrowsAsync<KafkaException>(() => admin.DescribeConfigsAsync([ConfigResource.Topic("cfg-missing")]));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, ex.Error);
        Assert.Contains("cfg-missing", ex.Message);
    }
}
