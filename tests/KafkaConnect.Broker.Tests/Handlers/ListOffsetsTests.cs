using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Tests.Handlers;

public sealed class ListOffsetsTests : HandlerTestBase
{
    private const string Topic = "clock";

    private async Task<ListOffsetsResponse.ListOffsetsPartitionResponse> Query(short version, long timestamp, int partition = 0, string topic = Topic)
    {
        var response = await Broker.SendAsync<ListOffsetsResponse>(ApiKey.ListOffsets, version, new ListOffsetsRequest
        {
            ReplicaId = -1,
            Topics = [new() { Name = topic, Partitions = [new() { PartitionIndex = partition, Timestamp = timestamp }] }],
        });
        var t = Assert.Single(response.Topics);
        Assert.Equal(topic, t.Name);
        return Assert.Single(t.Partitions);
    }

    /// <summary>Three batches: offsets 0-1 at ts 1000-1001, 2-4 at ts 5000-5002, 5 at ts 3000.</summary>
    private async Task Fill()
    {
        Broker.CreateTopic(Topic);
        await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(2, timestamp: 1000));
        await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(3, timestamp: 5000));
        await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(1, timestamp: 3000));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(10)]
    public async Task Earliest_and_latest(short version)
    {
        await Fill();
        var earliest = await Query(version, -2);
        Assert.Equal(ErrorCode.None, (ErrorCode)earliest.ErrorCode);
        Assert.Equal(0, earliest.Offset);
        var latest = await Query(version, -1);
        Assert.Equal(6, latest.Offset);
        if (version >= 4) Assert.Equal(0, latest.LeaderEpoch);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(10)]
    public async Task By_timestamp_finds_the_first_offset_at_or_after_it(short version)
    {
        await Fill();
        var exact = await Query(version, 1001);
        Assert.Equal(1, exact.Offset);
        Assert.Equal(1001, exact.Timestamp);

        var between = await Query(version, 1500);
        Assert.Equal(2, between.Offset);
        Assert.Equal(5000, between.Timestamp);

        var first = await Query(version, 0);
        Assert.Equal(0, first.Offset);
        Assert.Equal(1000, first.Timestamp);

        var none = await Query(version, 9999);
        Assert.Equal(ErrorCode.None, (ErrorCode)none.ErrorCode);
        Assert.Equal(-1, none.Offset);
        Assert.Equal(-1, none.Timestamp);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(10)]
    public async Task Max_timestamp_is_the_batch_with_the_largest_timestamp(short version)
    {
        await Fill();
        var max = await Query(version, -3);
        Assert.Equal(ErrorCode.None, (ErrorCode)max.ErrorCode);
        Assert.Equal(5002, max.Timestamp);
        Assert.Equal(4, max.Offset);
    }

    [Fact]
    public async Task Max_timestamp_of_an_empty_partition_is_minus_one()
    {
        Broker.CreateTopic(Topic);
        var max = await Query(10, -3);
        Assert.Equal(-1, max.Offset);
        Assert.Equal(-1, max.Timestamp);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    public async Task After_delete_records_the_earliest_moves(short version)
    {
        await Fill();
        var deleted = await Broker.SendAsync<DeleteRecordsResponse>(ApiKey.DeleteRecords, 2, new DeleteRecordsRequest
        {
            Topics = [new() { Name = Topic, Partitions = [new() { PartitionIndex = 0, Offset = 3 }] }],
        });
        var d = deleted.Topics[0].Partitions[0];
        Assert.Equal(ErrorCode.None, (ErrorCode)d.ErrorCode);
        Assert.Equal(3, d.LowWatermark);

        Assert.Equal(3, (await Query(version, -2)).Offset);
        Assert.Equal(6, (await Query(version, -1)).Offset);
        // A timestamp before the new start answers with the first offset that still exists.
        var byTime = await Query(version, 1000);
        Assert.Equal((3L, 5001L), (byTime.Offset, byTime.Timestamp));
    }

    [Fact]
    public async Task Delete_records_to_the_high_watermark_and_out_of_range()
    {
        await Fill();
        var response = await Broker.SendAsync<DeleteRecordsResponse>(ApiKey.DeleteRecords, 0, new DeleteRecordsRequest
        {
            Topics =
            [
                new() { Name = Topic, Partitions = [new() { PartitionIndex = 0, Offset = 99 }, new() { PartitionIndex = 5, Offset = 1 }] },
            ],
        });
        Assert.Equal(ErrorCode.OffsetOutOfRange, (ErrorCode)response.Topics[0].Partitions[0].ErrorCode);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (ErrorCode)response.Topics[0].Partitions[1].ErrorCode);

        response = await Broker.SendAsync<DeleteRecordsResponse>(ApiKey.DeleteRecords, 2, new DeleteRecordsRequest
        {
            Topics = [new() { Name = Topic, Partitions = [new() { PartitionIndex = 0, Offset = -1 }] }],
        });
        Assert.Equal(6, response.Topics[0].Partitions[0].LowWatermark);
        Assert.Equal(6, (await Query(10, -2)).Offset);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    public async Task Unknown_topic_or_partition(short version)
    {
        Broker.CreateTopic(Topic);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (ErrorCode)(await Query(version, -1, partition: 1)).ErrorCode);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (ErrorCode)(await Query(version, -1, topic: "other")).ErrorCode);
        Assert.Null(Broker.State.Topics.Get("other"));
    }

    [Fact]
    public async Task Unknown_negative_timestamp_is_invalid_request()
    {
        Broker.CreateTopic(Topic);
        Assert.Equal(ErrorCode.InvalidRequest, (ErrorCode)(await Query(10, -9)).ErrorCode);
    }

    [Fact]
    public async Task Offset_for_leader_epoch_is_the_log_end()
    {
        await Fill();
        var response = await Broker.SendAsync<OffsetForLeaderEpochResponse>(ApiKey.OffsetForLeaderEpoch, 4, new OffsetForLeaderEpochRequest
        {
            ReplicaId = -1,
            Topics = [new() { Topic = Topic, Partitions = [new() { Partition = 0, CurrentLeaderEpoch = 0, LeaderEpoch = 0 }] }],
        });
        var p = response.Topics[0].Partitions[0];
        Assert.Equal(ErrorCode.None, (ErrorCode)p.ErrorCode);
        Assert.Equal(6, p.EndOffset);
        Assert.Equal(0, p.LeaderEpoch);
    }
}
