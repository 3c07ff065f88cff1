using KafkaConnect.Client.Admin;
using KafkaConnect.Client.Consumer;
using KafkaConnect.Protocol;
using static KafkaConnect.Client.Tests.Admin.AdminTestSupport;

namespace KafkaConnect.Client.Tests.Admin;

public sealed class AdminOffsetsTests : IClassFixture<BrokerFixture>
{
    private readonly BrokerFixture _broker;

    public AdminOffsetsTests(BrokerFixture broker) => _broker = broker;

    [Fact]
    public async Task Offsets_after_kcat_produces_earliest_latest_and_by_timestamp()
    {
        await using var admin = NewAdmin(_broker);
        var topic = Unique("offs-kcat");
        await admin.CreateTopicsAsync([new NewTopic(topic, 1, 1)]);
        var tp = new TopicPartition(topic, 0);

        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await ProduceWithKcatAsync(_broker, topic, 0, Enumerable.Range(0, 6).Select(i => $"first-{i}"));
        await Task.Delay(20);
        var middle = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await Task.Delay(20);
        await ProduceWithKcatAsync(_broker, topic, 0, Enumerable.Range(0, 4).Select(i => $"second-{i}"));

        Assert.Equal(0, (await admin.ListOffsetsAsync([tp], OffsetSpec.Earliest))[tp].Offset);
        Assert.Equal(10, (await admin.ListOffsetsAsync([tp], OffsetSpec.Latest))[tp].Offset);
        Assert.Equal(0, (await admin.ListOffsetsAsync([tp], OffsetSpec.ForTimestamp(before - 1)))[tp].Offset);
        var atMiddle = (await admin.ListOffsetsAsync([tp], OffsetSpec.ForTimestamp(middle)))[tp];
        Assert.Equal(6, atMiddle.Offset);
        Assert.True(atMiddle.Timestamp >= middle);
        Assert.Equal(-1, (await admin.ListOffsetsAsync([tp], OffsetSpec.ForTimestamp(DateTimeOffset.UtcNow.AddHours(1))))[tp].Offset);
        var max = (await admin.ListOffsetsAsync([tp], OffsetSpec.MaxTimestamp))[tp];
        Assert.InRange(max.Offset, 6, 9);
        Assert.True(max.Timestamp >= middle);
    }

    [Fact]
    public async Task Many_partitions_and_specs_are_answered_in_one_call()
    {
        await using var admin = NewAdmin(_broker);
        var topic = Unique("offs-many");
        await admin.CreateTopicsAsync([new NewTopic(topic, 3, 1)]);
        for (var p = 0; p < 3; p++)
            await ProduceWithKcatAsync(_broker, topic, p, Enumerable.Range(0, p + 2).Select(i => $"v{i}"));
        var specs = new Dictionary<TopicPartition, OffsetSpec>();
        for (var p = 0; p < 3; p++) specs[new TopicPartition(topic, p)] = OffsetSpec.Latest;
        var latest = await admin.ListOffsetsAsync(specs);
        for (var p = 0; p < 3; p++) Assert.Equal(p + 2, latest[new TopicPartition(topic, p)].Offset);

        var mixed = await admin.ListOffsetsAsync(new Dictionary<TopicPartition, OffsetSpec>
        {
            [new TopicPartition(topic, 0)] = OffsetSpec.Earliest,
            [new TopicPartition(topic, 2)] = OffsetSpec.Latest,
        }, readCommitted: true);
        Assert.Equal(0, mixed[new TopicPartition(topic, 0)].Offset);
        Assert.Equal(4, mixed[new TopicPartition(topic, 2)].Offset);
    }

    [Fact]
    public async Task Missing_topics_and_partitions_fail_without_waiting_for_the_timeout()
    {
        await using var admin = NewAdmin(_broker);
        var topic = Unique("offs-missing");
        await admin.CreateTopicsAsync([new NewTopic(topic, 1, 1)]);
        var started = Environment.TickCount64;
        var ex = await Assert.ThrowsAsync<KafkaException>(() => admin.ListOffsetsAsync([new TopicPartition(topic, 7)], OffsetSpec.Latest));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, ex.Error);
        Assert.Contains($"{topic}-7", ex.Message);
        ex = await Assert.ThrowsAsync<KafkaException>(() => admin.ListOffsetsAsync([new TopicPartition("offs-no-such-topic", 0)], OffsetSpec.Latest));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, ex.Error);
        Assert.True(Environment.TickCount64 - started < 5000);
        Assert.DoesNotContain(await admin.ListTopicsAsync(), t => t.Name == "offs-no-such-topic");
    }

    [Fact]
    public async Task Delete_records_moves_the_earliest_offset()
    {
        await using var admin = NewAdmin(_broker);
        var topic = Unique("offs-delete");
        await admin.CreateTopicsAsync([new NewTopic(topic, 2, 1)]);
        var p0 = new TopicPartition(topic, 0);
        var p1 = new TopicPartition(topic, 1);
        await ProduceWithKcatAsync(_broker, topic, 0, Enumerable.Range(0, 10).Select(i => $"r{i}"));
        await ProduceWithKcatAsync(_broker, topic, 1, Enumerable.Range(0, 3).Select(i => $"r{i}"));

        var low = await admin.DeleteRecordsAsync(new Dictionary<TopicPartition, long> { [p0] = 4, [p1] = -1 });
        Assert.Equal(4, low[p0]);
        Assert.Equal(3, low[p1]);
        var earliest = await admin.ListOffsetsAsync([p0, p1], OffsetSpec.Earliest);
        Assert.Equal(4, earliest[p0].Offset);
        Assert.Equal(3, earliest[p1].Offset);
        Assert.Equal(10, (await admin.ListOffsetsAsync([p0], OffsetSpec.Latest))[p0].Offset);

        var consumed = await RunAsync("/usr/bin/kcat", ["-b", _broker.BootstrapServers, "-C", "-t", topic, "-p", "0", "-o", "beginning", "-e", "-q"]);
        Assert.Equal(Enumerable.Range(4, 6).Select(i => $"r{i}"), consumed.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var ex = await Assert.ThrowsAsync<KafkaException>(() => admin.DeleteRecordsAsync(new Dictionary<TopicPartition, long> { [p0] = 11 }));
        Assert.Equal(ErrorCode.OffsetOutOfRange, ex.Error);
    }
}
