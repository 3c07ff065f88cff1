using KafkaConnect.Broker.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace KafkaConnect.Broker.IntegrationTests;

/// <summary>A cleanup.policy=compact topic converges to exactly the latest value per key.</summary>
public sealed class CompactionTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Category", "Long")]
    public async Task Compacted_topic_keeps_only_latest_value_per_key()
    {
        Clients.RequireKafkaPython();
        await using var broker = await BrokerProcess.StartAsync(output, "log.cleaner.backoff.ms=200");
        var timeout = TimeSpan.FromMinutes(3);
        const string Topic = "compacted";

        await Clients.RunScriptAsync("admin.py", timeout, "create-topic", broker.BootstrapServers, Topic, "1",
            "cleanup.policy=compact", "segment.ms=100", "segment.bytes=4096",
            "min.cleanable.dirty.ratio=0.01", "min.compaction.lag.ms=0", "delete.retention.ms=100");
        await Clients.RunScriptAsync("compaction.py", timeout, "produce", broker.BootstrapServers, Topic, "--keys", "50", "--rounds", "40");

        // The script polls (appending a tick record each time) until compaction converges or 90 s pass.
        var result = await Clients.RunScriptAsync("compaction.py", timeout,
            "wait", broker.BootstrapServers, Topic, "--keys", "50", "--rounds", "40", "--timeout", "90");
        output.WriteLine($"compaction: {result}");
        Assert.Equal(50, result.GetProperty("keyRecords").GetInt32());
        broker.AssertAlive("after compaction");
    }
}
