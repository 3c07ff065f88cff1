using System.Text;
using KafkaConnect.Client.Consumer;

namespace KafkaConnect.Client.Tests.Consumer;

public sealed class KcatInteropTests : IClassFixture<BrokerFixture>
{
    private readonly BrokerFixture _broker;

    public KcatInteropTests(BrokerFixture broker) => _broker = broker;

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task Records_produced_by_kcat_are_read_identically(string codec)
    {
        var topic = "kcat-" + codec;
        await ConsumerTestKit.CreateTopicAsync(_broker, topic, 1);
        var lines = new StringBuilder();
        for (var i = 0; i < 500; i++) lines.Append("key-").Append(i).Append(':').Append("value-").Append(i).Append(new string('x', i % 50)).Append('\n');
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, lines.ToString());
        try
        {
            var (code, _, err) = await ConsumerTestKit.RunAsync("kcat",
                $"-b {_broker.BootstrapServers} -P -t {topic} -z {codec} -K : -H h1=v1 -H h2= -X linger.ms=5 -l {file}");
            Assert.True(code == 0, err);
        }
        finally
        {
            File.Delete(file);
        }

        await using var consumer = new KafkaConsumer(ConsumerTestKit.Config(_broker));
        consumer.Assign([new TopicPartition(topic, 0)]);
        var records = await ConsumerTestKit.ConsumeAsync(consumer, 500);
        Assert.Equal(500, records.Count);
        for (var i = 0; i < 500; i++)
        {
            var r = records[i];
            Assert.Equal(i, r.Offset);
            Assert.Equal($"key-{i}", Encoding.UTF8.GetString(r.Key!.Value.Span));
            Assert.Equal($"value-{i}{new string('x', i % 50)}", Encoding.UTF8.GetString(r.Value!.Value.Span));
            Assert.Equal(2, r.Headers.Count);
            Assert.Equal("h1", r.Headers[0].Key);
            Assert.Equal("v1", Encoding.UTF8.GetString(r.Headers[0].Value!.Value.Span));
            Assert.Equal("h2", r.Headers[1].Key);
        }
        Assert.Equal(500, consumer.Position(new TopicPartition(topic, 0)));
    }
}
