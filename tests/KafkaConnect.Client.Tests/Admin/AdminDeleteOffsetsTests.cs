using KafkaConnect.Client.Admin;
using KafkaConnect.Client.Consumer;
using KafkaConnect.Protocol;
using static KafkaConnect.Client.Tests.Admin.AdminTestSupport;

namespace KafkaConnect.Client.Tests.Admin;

public sealed class AdminDeleteOffsetsTests : IClassFixture<BrokerFixture>
{
    private readonly BrokerFixture _broker;

    public AdminDeleteOffsetsTests(BrokerFixture broker) => _broker = broker;

    [Fact]
    public async Task Deletes_one_partition_of_an_empty_group()
    {
        await using var admin = NewAdmin(_broker);
        var topic = Unique("del-off");
        var group = Unique("del-off-g");
        await admin.CreateTopicsAsync([new NewTopic(topic, 2, 1)]);
        var p0 = new TopicPartition(topic, 0);
        var p1 = new TopicPartition(topic, 1);
        await admin.AlterConsumerGroupOffsetsAsync(group, new Dictionary<TopicPartition, OffsetAndMetadata> { [p0] = new(3), [p1] = new(4) });

        await admin.DeleteConsumerGroupOffsetsAsync(group, [p1]);
        var left = await admin.ListConsumerGroupOffsetsAsync(group);
        Assert.Equal(3, Assert.Single(left).Value.Offset);
        Assert.True(left.ContainsKey(p0));

        // Deleting again (nothing committed any more) is not an error; an empty list sends nothing.
        await admin.DeleteConsumerGroupOffsetsAsync(group, [p1]);
        await admin.DeleteConsumerGroupOffsetsAsync(group, []);
    }

    [Fact]
    public async Task Unknown_group_throws_group_id_not_found()
    {
        await using var admin = NewAdmin(_broker);
        var ex = await Assert.ThrowsAsync<KafkaException>(() => admin.DeleteConsumerGroupOffsetsAsync(Unique("no-such-group"), [new TopicPartition("t", 0)]));
        Assert.Equal(ErrorCode.GroupIdNotFound, ex.Error);
    }

    [Fact]
    public async Task Topic_of_an_active_consumer_throws_group_subscribed_to_topic()
    {
        await using var admin = NewAdmin(_broker);
        var topic = Unique("del-sub");
        var other = Unique("del-other");
        var group = Unique("del-sub-g");
        await admin.CreateTopicsAsync([new NewTopic(topic, 1, 1), new NewTopic(other, 1, 1)]);
        await admin.AlterConsumerGroupOffsetsAsync(group, new Dictionary<TopicPartition, OffsetAndMetadata>
        {
            [new TopicPartition(topic, 0)] = new(0),
            [new TopicPartition(other, 0)] = new(0),
        });

        await using var consumer = new KafkaConsumer(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = _broker.BootstrapServers,
            ["group.id"] = group,
            ["enable.auto.commit"] = "false",
        });
        consumer.Subscribe([topic]);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (consumer.Assignment.Count == 0 && DateTime.UtcNow < deadline) await consumer.PollAsync(TimeSpan.FromMilliseconds(200));
        Assert.NotEmpty(consumer.Assignment);

        var ex = await Assert.ThrowsAsync<KafkaException>(() => admin.DeleteConsumerGroupOffsetsAsync(group, [new TopicPartition(topic, 0)]));
        Assert.Equal(ErrorCode.GroupSubscribedToTopic, ex.Error);
        Assert.Contains("GROUP_SUBSCRIBED_TO_TOPIC", ex.Message);
        // A topic the member does not subscribe to can go while it runs.
        await admin.DeleteConsumerGroupOffsetsAsync(group, [new TopicPartition(other, 0)]);
        var left = await admin.ListConsumerGroupOffsetsAsync(group);
        Assert.Equal(topic, Assert.Single(left).Key.Topic);
    }
}
