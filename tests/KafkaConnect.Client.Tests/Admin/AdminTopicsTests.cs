using KafkaConnect.Client.Admin;
using KafkaConnect.Client.Config;
using KafkaConnect.Protocol;
using static KafkaConnect.Client.Tests.Admin.AdminTestSupport;

namespace KafkaConnect.Client.Tests.Admin;

public sealed class AdminTopicsTests : IClassFixture<BrokerFixture>
{
    private readonly BrokerFixture _broker;

    public AdminTopicsTests(BrokerFixture broker) => _broker = broker;

    [Fact]
    public async Task Topics_are_created_described_listed_and_deleted()
    {
        await using var admin = NewAdmin(_broker);
        var name = Unique("admin-topic");
        var created = await admin.CreateTopicsAsync([new NewTopic(name, 3, 1) { Configs = new Dictionary<string, string> { ["retention.ms"] = "123456" } }]);
        var c = Assert.Single(created);
        Assert.Equal(3, c.NumPartitions);
        Assert.Equal(1, c.ReplicationFactor);
        Assert.False(c.TopicId.IsZero);
        Assert.Equal("123456", c.Configs["retention.ms"]);

        var listed = await admin.ListTopicsAsync();
        Assert.Contains(listed, t => t.Name == name && t.TopicId == c.TopicId);
        Assert.DoesNotContain(listed, t => t.IsInternal);

        var cluster = await admin.DescribeClusterAsync();
        var d = (await admin.DescribeTopicsAsync([name]))[name];
        Assert.Equal(c.TopicId, d.TopicId);
        Assert.Equal([0, 1, 2], d.Partitions.Select(p => p.Partition));
        Assert.All(d.Partitions, p =>
        {
            Assert.Equal(cluster.Nodes.Single().NodeId, p.Leader);
            Assert.Equal([p.Leader], p.Replicas);
            Assert.Equal([p.Leader], p.Isr);
        });

        await admin.DeleteTopicsAsync([name]);
        Assert.DoesNotContain(await admin.ListTopicsAsync(), t => t.Name == name);
        var ex = await Assert.ThrowsAsync<KafkaException>(() => admin.DescribeTopicsAsync([name]));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, ex.Error);
        Assert.Contains(name, ex.Message);
        ex = await Assert.ThrowsAsync<KafkaException>(() => admin.DeleteTopicsAsync([name]));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, ex.Error);
    }

    [Fact]
    public async Task Broker_defaults_apply_when_partitions_and_replication_are_not_given()
    {
        await using var admin = NewAdmin(_broker);
        var name = Unique("admin-defaults");
        var c = Assert.Single(await admin.CreateTopicsAsync([new NewTopic(name)]));
        Assert.Equal(1, c.NumPartitions);
        Assert.Equal(1, c.ReplicationFactor);
    }

    [Fact]
    public async Task Invalid_config_fails_naming_the_key()
    {
        await using var admin = NewAdmin(_broker);
        var name = Unique("admin-badcfg");
        var ex = await Assert.ThrowsAsync<KafkaException>(() => admin.CreateTopicsAsync(
            [new NewTopic(name, 1, 1) { Configs = new Dictionary<string, string> { ["no.such.setting"] = "1" } }]));
        Assert.Equal(ErrorCode.InvalidConfig, ex.Error);
        Assert.Contains("no.such.setting", ex.Message);
        Assert.Contains("INVALID_CONFIG", ex.Message);

        ex = await Assert.ThrowsAsync<KafkaException>(() => admin.CreateTopicsAsync(
            [new NewTopic(name, 1, 1) { Configs = new Dictionary<string, string> { ["retention.ms"] = "soon" } }]));
        Assert.Equal(ErrorCode.InvalidConfig, ex.Error);
        Assert.Contains("retention.ms", ex.Message);
        Assert.DoesNotContain(await admin.ListTopicsAsync(), t => t.Name == name);
    }

    [Fact]
    public async Task Creating_an_existing_topic_fails_with_topic_already_exists()
    {
        await using var admin = NewAdmin(_broker);
        var name = Unique("admin-dup");
        await admin.CreateTopicsAsync([new NewTopic(name, 1, 1)]);
        var ex = await Assert.ThrowsAsync<KafkaException>(() => admin.CreateTopicsAsync([new NewTopic(name, 1, 1)]));
        Assert.Equal(ErrorCode.TopicAlreadyExists, ex.Error);
        Assert.Contains("TOPIC_ALREADY_EXISTS", ex.Message);
        Assert.False(ex.IsRetriable);
    }

    [Fact]
    public async Task Invalid_replication_factor_is_reported()
    {
        await using var admin = NewAdmin(_broker);
        var ex = await Assert.ThrowsAsync<KafkaException>(() => admin.CreateTopicsAsync([new NewTopic(Unique("admin-rf"), 1, 3)]));
        Assert.Equal(ErrorCode.InvalidReplicationFactor, ex.Error);
    }

    [Fact]
    public async Task Validate_only_creates_nothing()
    {
        await using var admin = NewAdmin(_broker);
        var name = Unique("admin-validate");
        var c = Assert.Single(await admin.CreateTopicsAsync([new NewTopic(name, 2, 1)], validateOnly: true));
        Assert.Equal(2, c.NumPartitions);
        Assert.DoesNotContain(await admin.ListTopicsAsync(), t => t.Name == name);
        var ex = await Assert.ThrowsAsync<KafkaException>(() => admin.DescribeTopicsAsync([name]));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, ex.Error);
    }

    [Fact]
    public async Task Partitions_are_added()
    {
        await using var admin = NewAdmin(_broker);
        var name = Unique("admin-grow");
        await admin.CreateTopicsAsync([new NewTopic(name, 1, 1)]);
        await admin.CreatePartitionsAsync(new Dictionary<string, int> { [name] = 4 });
        Assert.Equal(4, (await admin.DescribeTopicsAsync([name]))[name].Partitions.Count);
        var ex = await Assert.ThrowsAsync<KafkaException>(() => admin.CreatePartitionsAsync(new Dictionary<string, int> { [name] = 2 }));
        Assert.Equal(ErrorCode.InvalidPartitions, ex.Error);
    }

    [Fact]
    public async Task Cluster_is_described()
    {
        await using var admin = NewAdmin(_broker);
        var cluster = await admin.DescribeClusterAsync();
        var node = Assert.Single(cluster.Nodes);
        Assert.Equal(_broker.Broker.EndPoint.Port, node.Port);
        Assert.Equal(node, cluster.Controller);
        Assert.False(string.IsNullOrEmpty(cluster.ClusterId));
    }

    [Fact]
    public async Task Topics_made_by_the_admin_client_are_seen_by_kcat()
    {
        await using var admin = NewAdmin(_broker);
        var name = Unique("admin-kcat");
        await admin.CreateTopicsAsync([new NewTopic(name, 5, 1)]);
        var json = await RunAsync("/usr/bin/kcat", ["-b", _broker.BootstrapServers, "-L", "-t", name, "-J"]);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var topic = doc.RootElement.GetProperty("topics").EnumerateArray().Single();
        Assert.Equal(name, topic.GetProperty("topic").GetString());
        Assert.Equal(5, topic.GetProperty("partitions").GetArrayLength());
    }

    [Fact]
    public async Task Unreachable_cluster_times_out_with_the_api_timeout()
    {
        await using var admin = new KafkaAdminClient(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = "127.0.0.1:1",
            ["default.api.timeout.ms"] = "600",
            ["request.timeout.ms"] = "200",
            ["socket.connection.setup.timeout.ms"] = "100",
        });
        var ex = await Assert.ThrowsAsync<KafkaException>(() => admin.ListTopicsAsync());
        Assert.Equal(ErrorCode.RequestTimedOut, ex.Error);
        Assert.Contains("default.api.timeout.ms", ex.Message);
        Assert.Contains("127.0.0.1:1", ex.Message);
    }

    [Fact]
    public async Task Calls_retry_until_a_late_broker_comes_up()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }
        var dir = Path.Combine(Path.GetTempPath(), "kc-admin-late-" + Guid.NewGuid().ToString("N"));
        await using var admin = new KafkaAdminClient(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = $"127.0.0.1:{port}",
            ["default.api.timeout.ms"] = "15000",
            ["request.timeout.ms"] = "2000",
            ["reconnect.backoff.max.ms"] = "100",
        });
        var call = admin.DescribeClusterAsync();
        await Task.Delay(700);
        Assert.False(call.IsCompleted);
        var late = await KafkaConnect.Broker.KafkaBroker.StartAsync(KafkaConnect.Broker.Configuration.BrokerConfig.Create(new Dictionary<string, string>
        {
            ["listeners"] = $"PLAINTEXT://127.0.0.1:{port}",
            ["log.dirs"] = dir,
        }));
        try
        {
            var cluster = await call.WaitAsync(TimeSpan.FromSeconds(15));
            Assert.Equal(port, cluster.Nodes.Single().Port);
        }
        finally
        {
            await late.DisposeAsync();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task Cancellation_is_honoured()
    {
        await using var admin = NewAdmin(_broker);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => admin.ListTopicsAsync(cancellationToken: cts.Token));
    }

    [Fact]
    public void Config_is_validated_by_the_spec()
    {
        var ex = Assert.Throws<ConfigException>(() => new KafkaAdminClient(new Dictionary<string, string> { ["bootstrap.servers"] = "h:1", ["default.api.timeout.ms"] = "0" }));
        Assert.Equal("default.api.timeout.ms", ex.Key);
        ex = Assert.Throws<ConfigException>(() => new KafkaAdminClient(new Dictionary<string, string> { ["bootstrap.servers"] = "h:1", ["acks"] = "all" }));
        Assert.Equal("acks", ex.Key);
        Assert.True(KafkaAdminClient.Spec.Contains("default.api.timeout.ms"));
        Assert.True(KafkaAdminClient.Spec.Contains("request.timeout.ms"));
    }

    [Fact]
    public void Error_names_use_kafka_spelling()
    {
        Assert.Equal("TOPIC_ALREADY_EXISTS", KafkaAdminClient.ErrorName(ErrorCode.TopicAlreadyExists));
        Assert.Equal("UNKNOWN_TOPIC_OR_PARTITION", KafkaAdminClient.ErrorName(ErrorCode.UnknownTopicOrPartition));
        Assert.Equal("error 32000", KafkaAdminClient.ErrorName((ErrorCode)32000));
    }
}
