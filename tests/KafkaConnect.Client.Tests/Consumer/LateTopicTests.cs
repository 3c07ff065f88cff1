using System.Diagnostics;
using System.Text;
using KafkaConnect.Broker;
using KafkaConnect.Broker.Configuration;
using KafkaConnect.Client.Admin;
using KafkaConnect.Client.Consumer;
using KafkaConnect.Client.Producer;

namespace KafkaConnect.Client.Tests.Consumer;

/// <summary>
/// Subscriptions to topics that appear (or grow) after the group formed, against a broker that never creates topics
/// on its own, so only an explicit CreateTopics/CreatePartitions makes them exist.
/// </summary>
public sealed class LateTopicTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "kc-late-topic-" + Guid.NewGuid().ToString("N"));
    private KafkaBroker? _broker;

    private string Bootstrap => _broker!.BootstrapServers;

    public async Task InitializeAsync()
    {
        _broker = await KafkaBroker.StartAsync(BrokerConfig.Create(new Dictionary<string, string>
        {
            ["listeners"] = "PLAINTEXT://127.0.0.1:0",
            ["log.dirs"] = _dataDirectory,
            ["group.initial.rebalance.delay.ms"] = "0",
            ["num.partitions"] = "1",
            ["auto.create.topics.enable"] = "false",
        }));
    }

    public async Task DisposeAsync()
    {
        if (_broker is not null) await _broker.DisposeAsync();
        try { Directory.Delete(_dataDirectory, recursive: true); } catch (IOException) { }
    }

    private Dictionary<string, string> ConsumerConfig(string group) => new()
    {
        ["bootstrap.servers"] = Bootstrap,
        ["group.id"] = group,
        ["auto.offset.reset"] = "earliest",
        ["heartbeat.interval.ms"] = "200",
        ["session.timeout.ms"] = "6000",
        ["max.poll.interval.ms"] = "10000",
        ["fetch.max.wait.ms"] = "100",
    };

    private async Task ProduceAsync(string topic, int partition, int from, int count)
    {
        await using var producer = new KafkaProducer(new Dictionary<string, string> { ["bootstrap.servers"] = Bootstrap, ["linger.ms"] = "0" });
        for (var i = from; i < from + count; i++)
            await producer.ProduceAsync(new ProducerRecord(topic, null, Encoding.UTF8.GetBytes("v" + i), Partition: partition));
    }

    private static async Task<List<string>> ConsumeAsync(KafkaConsumer consumer, int count, TimeSpan within)
    {
        var values = new List<string>();
        var clock = Stopwatch.StartNew();
        while (values.Count < count && clock.Elapsed < within)
            foreach (var r in await consumer.PollAsync(TimeSpan.FromMilliseconds(100)))
                values.Add(Encoding.UTF8.GetString(r.Value!.Value.Span));
        return values;
    }

    [Fact]
    public async Task A_topic_created_after_subscribing_is_assigned_and_consumed_within_seconds()
    {
        await using var consumer = new KafkaConsumer(ConsumerConfig("late-group"));
        consumer.Subscribe(["late"]);
        // The group forms while the topic is missing: nothing to assign yet, and the consumer must not create it.
        Assert.Empty(await ConsumeAsync(consumer, 1, TimeSpan.FromSeconds(3)));
        Assert.True(consumer.Group!.IsStable);
        Assert.Empty(consumer.Assignment);

        await using (var admin = new KafkaAdminClient(new Dictionary<string, string> { ["bootstrap.servers"] = Bootstrap }))
            await admin.CreateTopicsAsync([new NewTopic("late", 2, 1)]);
        await ProduceAsync("late", 0, 0, 5);
        await ProduceAsync("late", 1, 5, 5);

        var got = await ConsumeAsync(consumer, 10, TimeSpan.FromSeconds(6));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => "v" + i).Order(), got.Order());
        Assert.Equal([new TopicPartition("late", 0), new TopicPartition("late", 1)], consumer.Assignment.Order());
    }

    [Fact]
    public async Task Partitions_added_to_a_subscribed_topic_are_assigned_after_a_metadata_refresh()
    {
        await using var admin = new KafkaAdminClient(new Dictionary<string, string> { ["bootstrap.servers"] = Bootstrap });
        await admin.CreateTopicsAsync([new NewTopic("growing", 1, 1)]);
        var config = ConsumerConfig("growing-group");
        // Existing topics are re-read every metadata.max.age.ms; keep it short so the test sees the change quickly.
        config["metadata.max.age.ms"] = "500";
        await using var consumer = new KafkaConsumer(config);
        consumer.Subscribe(["growing"]);
        await ProduceAsync("growing", 0, 0, 1);
        Assert.Equal(["v0"], await ConsumeAsync(consumer, 1, TimeSpan.FromSeconds(10)));

        await admin.CreatePartitionsAsync(new Dictionary<string, int> { ["growing"] = 2 });
        await ProduceAsync("growing", 1, 1, 3);
        Assert.Equal(["v1", "v2", "v3"], await ConsumeAsync(consumer, 3, TimeSpan.FromSeconds(6)));
        Assert.Contains(new TopicPartition("growing", 1), consumer.Assignment);
    }
}
