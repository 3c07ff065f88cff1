using KafkaConnect.Broker.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace KafkaConnect.Broker.IntegrationTests;

/// <summary>A few messages through each client library, and kcat's view of the cluster.</summary>
public sealed class ClientSmokeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Kafka_python_negotiates_versions_and_round_trips_messages()
    {
        Clients.RequireKafkaPython();
        await using var broker = await BrokerProcess.StartAsync(output, "num.partitions=2", "group.initial.rebalance.delay.ms=0");
        var result = await Clients.RunScriptAsync("smoke.py", s_timeout, "kafka-python", broker.BootstrapServers, "smoke-kp", "20");
        output.WriteLine($"kafka-python: {result}");
        Assert.Equal(20, result.GetProperty("received").GetInt32());
        Assert.True(result.GetProperty("headersOk").GetBoolean());
        // kafka-python infers a broker version from ApiVersions; headers need at least 0.11.
        var version = result.GetProperty("apiVersion").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        Assert.True(version[0] > 0 || version[1] >= 11, $"Negotiated api_version {string.Join('.', version)} is older than 0.11");
    }

    [Fact]
    public async Task Confluent_kafka_round_trips_messages()
    {
        Clients.RequireConfluentKafka();
        await using var broker = await BrokerProcess.StartAsync(output, "num.partitions=2", "group.initial.rebalance.delay.ms=0");
        var result = await Clients.RunScriptAsync("smoke.py", s_timeout, "confluent", broker.BootstrapServers, "smoke-ck", "20");
        output.WriteLine($"confluent-kafka: {result}");
        Assert.Equal(20, result.GetProperty("received").GetInt32());
        Assert.True(result.GetProperty("headersOk").GetBoolean());
    }

    [Fact]
    public async Task Kcat_metadata_lists_topics_and_a_single_broker()
    {
        var kcat = Clients.RequireKcat();
        using var work = new TempDirectory();
        await using var broker = await BrokerProcess.StartAsync(output, "num.partitions=3", "auto.create.topics.enable=true");
        var input = work.File("one.txt");
        await File.WriteAllTextAsync(input, "hello\n");
        foreach (var topic in new[] { "alpha", "beta" })
        {
            var produce = await ProcessRunner.RunAsync(kcat, ["-P", "-b", broker.BootstrapServers, "-t", topic, "-l", input], s_timeout);
            Assert.True(produce.Succeeded, produce.Describe());
        }

        var metadata = await KcatMetadata.QueryAsync(broker);
        var only = Assert.Single(metadata.Brokers);
        Assert.Equal(broker.BootstrapServers, only.Name);
        foreach (var topic in new[] { "alpha", "beta" })
        {
            Assert.True(metadata.Topics.TryGetValue(topic, out var t), $"Topic {topic} missing from metadata:{Environment.NewLine}{metadata.Raw}");
            Assert.Null(t.Error);
            Assert.Equal(3, t.PartitionLeaders.Count);
            Assert.All(t.PartitionLeaders.Values, leader => Assert.Equal(only.Id, leader));
        }
    }
}
