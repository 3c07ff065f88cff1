using System.Text;
using KafkaConnect.Client.Producer;

namespace KafkaConnect.Client.Tests.Producer;

/// <summary>Keys land where Java clients put them: librdkafka's murmur2_random partitioner is Java-compatible.</summary>
public sealed class PartitionerInteropTests : IClassFixture<BrokerFixture>
{
    private readonly BrokerFixture _broker;

    public PartitionerInteropTests(BrokerFixture broker) => _broker = broker;

    [Fact]
    public async Task Keyed_partitions_match_kcat_murmur2()
    {
        const int partitions = 7;
        const int keys = 1000;
        await ProducerTestSupport.CreateTopicAsync(_broker.BootstrapServers, "kcat-keys", partitions);
        await ProducerTestSupport.CreateTopicAsync(_broker.BootstrapServers, "our-keys", partitions);
        var input = new StringBuilder();
        for (var i = 0; i < keys; i++) input.Append("user-").Append(i * 7919).Append(":v").Append(i).Append('\n');
        await ProducerTestSupport.RunAsync("/usr/bin/kcat", ["-P", "-b", _broker.BootstrapServers, "-t", "kcat-keys", "-K", ":", "-X", "partitioner=murmur2_random"], input.ToString());

        var kcatOutput = await ProducerTestSupport.RunAsync("/usr/bin/kcat", ["-C", "-b", _broker.BootstrapServers, "-t", "kcat-keys", "-e", "-q", "-f", "%k\t%p\n"]);
        var kcatPartition = kcatOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToDictionary(f => f[0], f => int.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(keys, kcatPartition.Count);

        await using var producer = new KafkaProducer(ProducerTestSupport.Config(_broker.BootstrapServers));
        var ours = await Task.WhenAll(kcatPartition.Keys.Select(async k =>
            (Key: k, Meta: await producer.ProduceAsync(new ProducerRecord("our-keys", Encoding.UTF8.GetBytes(k), Encoding.UTF8.GetBytes("v"))))));
        foreach (var (key, meta) in ours)
        {
            Assert.Equal(kcatPartition[key], meta.Partition);
            Assert.Equal(kcatPartition[key], Murmur2Partitioner.Partition(Encoding.UTF8.GetBytes(key), partitions));
        }
        Assert.Equal(partitions, kcatPartition.Values.Distinct().Count());
    }
}
