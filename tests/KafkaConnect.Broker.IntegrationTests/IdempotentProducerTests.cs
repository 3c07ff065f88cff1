using KafkaConnect.Broker.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace KafkaConnect.Broker.IntegrationTests;

/// <summary>confluent-kafka with enable.idempotence=true: 100,000 sends store exactly 100,000 records.</summary>
public sealed class IdempotentProducerTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Category", "Long")]
    public async Task Idempotent_producer_stores_each_of_100k_messages_exactly_once()
    {
        Clients.RequireConfluentKafka();
        await using var broker = await BrokerProcess.StartAsync(output, "num.partitions=4", "auto.create.topics.enable=true");

        var result = await Clients.RunScriptAsync("idempotent_produce.py", TimeSpan.FromMinutes(4),
            broker.BootstrapServers, "idempotent", "100000", "--partitions", "4");
        output.WriteLine($"idempotent producer: {result}");

        Assert.Equal(100_000, result.GetProperty("delivered").GetInt32());
        Assert.Equal(0, result.GetProperty("failed").GetInt32());
        Assert.Equal(100_000, result.GetProperty("highWatermarkSum").GetInt64());
        Assert.Equal(100_000, result.GetProperty("distinct").GetInt32());
        Assert.Equal(0, result.GetProperty("duplicates").GetInt32());
    }
}
