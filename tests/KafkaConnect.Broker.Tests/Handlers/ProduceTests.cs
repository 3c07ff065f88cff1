using System.Buffers.Binary;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;
using KafkaConnect.Protocol.Records;

namespace KafkaConnect.Broker.Tests.Handlers;

public sealed class ProduceTests : HandlerTestBase
{
    private const string Topic = "events";

    private static void AssertError(ErrorCode expected, ProduceResponse.PartitionProduceResponse r)
        => Assert.True((ErrorCode)r.ErrorCode == expected, $"expected {expected}, got {(ErrorCode)r.ErrorCode} ({r.ErrorMessage})");

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(11)]
    public async Task Offsets_are_assigned_in_order_across_requests(short version)
    {
        Broker.CreateTopic(Topic);
        var first = await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(3), version);
        var second = await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(2), version);
        var third = await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(1), version);

        AssertError(ErrorCode.None, first);
        Assert.Equal(0, first.BaseOffset);
        Assert.Equal(3, second.BaseOffset);
        Assert.Equal(5, third.BaseOffset);
        Assert.Equal(-1, third.LogAppendTimeMs);
        if (version >= 5) Assert.Equal(0, third.LogStartOffset);
        Assert.Equal(6, Broker.Log(Topic).LogEndOffset);
    }

    [Fact]
    public async Task Several_batches_in_one_request_are_stored_back_to_back()
    {
        Broker.CreateTopic(Topic);
        var records = BrokerHarness.Batch(2).Concat(BrokerHarness.Batch(3)).ToArray();
        var r = await Broker.ProduceAsync(Topic, 0, records);
        AssertError(ErrorCode.None, r);
        Assert.Equal(0, r.BaseOffset);
        Assert.Equal(5, Broker.Log(Topic).LogEndOffset);
        var headers = Broker.Log(Topic).ReadBatchHeaders(0).ToList();
        Assert.Equal([0L, 2L], headers.Select(h => h.BaseOffset));
    }

    [Fact]
    public async Task Several_partitions_and_topics_in_one_request()
    {
        Broker.CreateTopic("a", 2);
        Broker.CreateTopic("b");
        var request = new ProduceRequest
        {
            Acks = 1,
            TimeoutMs = 1000,
            TopicData =
            [
                new() { Name = "a", PartitionData = [new() { Index = 0, Records = BrokerHarness.Batch(2) }, new() { Index = 1, Records = BrokerHarness.Batch(1) }] },
                new() { Name = "b", PartitionData = [new() { Index = 0, Records = BrokerHarness.Batch(4) }, new() { Index = 7, Records = BrokerHarness.Batch(1) }] },
            ],
        };
        var response = await Broker.SendAsync<ProduceResponse>(ApiKey.Produce, 9, request);
        Assert.Equal(["a", "b"], response.Responses.Select(t => t.Name));
        Assert.All(response.Responses[0].PartitionResponses, p => AssertError(ErrorCode.None, p));
        Assert.Equal([0, 1], response.Responses[0].PartitionResponses.Select(p => p.Index));
        AssertError(ErrorCode.None, response.Responses[1].PartitionResponses[0]);
        AssertError(ErrorCode.UnknownTopicOrPartition, response.Responses[1].PartitionResponses[1]);
        Assert.Equal(7, response.Responses[1].PartitionResponses[1].Index);
        Assert.Equal(2, Broker.Log("a", 0).LogEndOffset);
        Assert.Equal(1, Broker.Log("a", 1).LogEndOffset);
        Assert.Equal(4, Broker.Log("b", 0).LogEndOffset);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(9)]
    public async Task Bad_crc_is_corrupt_message_and_nothing_is_stored(short version)
    {
        Broker.CreateTopic(Topic);
        var batch = BrokerHarness.Batch(2);
        batch[^1] ^= 0xff;
        var r = await Broker.ProduceAsync(Topic, 0, batch, version);
        AssertError(ErrorCode.CorruptMessage, r);
        Assert.Equal(-1, r.BaseOffset);
        Assert.Equal(0, Broker.Log(Topic).LogEndOffset);
    }

    [Fact]
    public async Task A_bad_second_batch_stores_neither()
    {
        Broker.CreateTopic(Topic);
        var bad = BrokerHarness.Batch(1);
        bad[^2] ^= 0x01;
        var r = await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(2).Concat(bad).ToArray());
        AssertError(ErrorCode.CorruptMessage, r);
        Assert.Equal(0, Broker.Log(Topic).LogEndOffset);
    }

    [Fact]
    public async Task Batch_length_beyond_the_data_is_corrupt_message()
    {
        Broker.CreateTopic(Topic);
        var batch = BrokerHarness.Batch(2);
        var r = await Broker.ProduceAsync(Topic, 0, batch.AsSpan(0, batch.Length - 3).ToArray());
        AssertError(ErrorCode.CorruptMessage, r);
        var tiny = await Broker.ProduceAsync(Topic, 0, new byte[20]);
        AssertError(ErrorCode.CorruptMessage, tiny);
        Assert.Equal(0, Broker.Log(Topic).LogEndOffset);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(11)]
    public async Task Magic_1_is_unsupported_for_message_format(short version)
    {
        Broker.CreateTopic(Topic);
        var batch = BrokerHarness.Batch(1);
        batch[RecordBatchHeader.MagicOffset] = 1;
        var r = await Broker.ProduceAsync(Topic, 0, batch, version);
        AssertError(ErrorCode.UnsupportedForMessageFormat, r);
        Assert.Equal(0, Broker.Log(Topic).LogEndOffset);
    }

    [Fact]
    public async Task Batch_over_max_message_bytes_is_message_too_large()
    {
        Broker.CreateTopic(Topic, configs: new Dictionary<string, string> { ["max.message.bytes"] = "200" });
        var small = await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(1, valueSize: 20));
        AssertError(ErrorCode.None, small);
        var big = await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(1, valueSize: 300));
        AssertError(ErrorCode.MessageTooLarge, big);
        Assert.Equal(1, Broker.Log(Topic).LogEndOffset);
    }

    [Fact]
    public async Task Broker_message_max_bytes_is_the_default_limit()
    {
        await using var broker = new BrokerHarness(new Dictionary<string, string> { ["message.max.bytes"] = "300" });
        broker.CreateTopic(Topic);
        var big = await broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(1, valueSize: 400));
        AssertError(ErrorCode.MessageTooLarge, big);
    }

    [Fact]
    public async Task Keyless_record_to_a_compacted_topic_is_invalid_record()
    {
        Broker.CreateTopic(Topic, configs: new Dictionary<string, string> { ["cleanup.policy"] = "compact" });
        var keyed = await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(2, keys: true));
        AssertError(ErrorCode.None, keyed);
        var keyless = await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(2, keys: false));
        AssertError(ErrorCode.InvalidRecord, keyless);
        Assert.Equal(2, Broker.Log(Topic).LogEndOffset);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(6)]
    public async Task Zstd_before_v7_is_unsupported_compression_type(short version)
    {
        Broker.CreateTopic(Topic);
        var batch = ZstdFlagged();
        var r = await Broker.ProduceAsync(Topic, 0, batch, version);
        AssertError(ErrorCode.UnsupportedCompressionType, r);
        Assert.Equal(0, Broker.Log(Topic).LogEndOffset);
    }

    [Fact]
    public async Task Zstd_at_v7_is_accepted_and_stored_as_sent()
    {
        Broker.CreateTopic(Topic);
        var batch = ZstdFlagged();
        var r = await Broker.ProduceAsync(Topic, 0, (byte[])batch.Clone(), 7);
        AssertError(ErrorCode.None, r);
        Assert.Equal(2, Broker.Log(Topic).LogEndOffset);
        var h = Assert.Single(Broker.Log(Topic).ReadBatchHeaders(0));
        Assert.Equal(CompressionType.Zstd, h.Compression);
    }

    [Fact]
    public async Task Compressed_batches_to_a_compacted_topic_have_their_keys_checked()
    {
        Broker.CreateTopic(Topic, configs: new Dictionary<string, string> { ["cleanup.policy"] = "compact" });
        AssertError(ErrorCode.None, await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(3, compression: CompressionType.Gzip), 9));
        AssertError(ErrorCode.InvalidRecord, await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(3, keys: false, compression: CompressionType.Gzip), 9));
        AssertError(ErrorCode.None, await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(3, compression: CompressionType.Zstd), 9));
        AssertError(ErrorCode.InvalidRecord, await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(3, keys: false, compression: CompressionType.Zstd), 9));
        Assert.Equal(6, Broker.Log(Topic).LogEndOffset);
    }

    [Fact]
    public async Task Unknown_codec_id_is_unsupported_compression_type()
    {
        Broker.CreateTopic(Topic);
        var batch = BrokerHarness.Batch(1);
        SetAttributes(batch, 5);
        var r = await Broker.ProduceAsync(Topic, 0, batch, 11);
        AssertError(ErrorCode.UnsupportedCompressionType, r);
    }

    private static byte[] ZstdFlagged() => BrokerHarness.Batch(2, compression: CompressionType.Zstd);

    private static void SetAttributes(byte[] batch, short attributes)
    {
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(RecordBatchHeader.AttributesOffset), attributes);
        RecordBatchHeader.UpdateCrc(batch);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(9)]
    public async Task Transactional_id_is_refused_and_nothing_is_stored(short version)
    {
        Broker.CreateTopic(Topic);
        var response = await Broker.SendAsync<ProduceResponse>(ApiKey.Produce, version, BrokerHarness.Produce(Topic, 0, BrokerHarness.Batch(), transactionalId: "tx-1"));
        var r = Assert.Single(Assert.Single(response.Responses).PartitionResponses);
        AssertError(ErrorCode.TransactionalIdAuthorizationFailed, r);
        Assert.Equal(0, Broker.Log(Topic).LogEndOffset);
    }

    [Fact]
    public async Task Transactional_batch_without_transactional_id_is_invalid_record()
    {
        Broker.CreateTopic(Topic);
        var batch = BrokerHarness.Batch(1, producerId: 5, epoch: 0, sequence: 0);
        SetAttributes(batch, RecordBatchHeader.TransactionalFlag);
        var r = await Broker.ProduceAsync(Topic, 0, batch);
        AssertError(ErrorCode.InvalidRecord, r);
        Assert.Equal(0, Broker.Log(Topic).LogEndOffset);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(10)]
    public async Task Unknown_partition_of_an_existing_topic(short version)
    {
        Broker.CreateTopic(Topic, 2);
        var r = await Broker.ProduceAsync(Topic, 2, BrokerHarness.Batch(), version);
        AssertError(ErrorCode.UnknownTopicOrPartition, r);
        var negative = await Broker.ProduceAsync(Topic, -1, BrokerHarness.Batch(), version);
        AssertError(ErrorCode.UnknownTopicOrPartition, negative);
    }

    [Fact]
    public async Task Invalid_topic_name_is_not_created()
    {
        var r = await Broker.ProduceAsync("bad/name", 0, BrokerHarness.Batch());
        AssertError(ErrorCode.UnknownTopicOrPartition, r);
        Assert.Null(Broker.State.Topics.Get("bad/name"));
    }

    [Fact]
    public async Task Missing_records_is_invalid_record()
    {
        Broker.CreateTopic(Topic);
        var request = BrokerHarness.Produce(Topic, 0, []);
        request.TopicData[0].PartitionData[0].Records = null;
        var response = await Broker.SendAsync<ProduceResponse>(ApiKey.Produce, 9, request);
        AssertError(ErrorCode.InvalidRecord, response.Responses[0].PartitionResponses[0]);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(9)]
    public async Task Acks_0_returns_no_response_but_stores(short version)
    {
        Broker.CreateTopic(Topic);
        var response = await Broker.StartAsync<ProduceResponse>(ApiKey.Produce, version, BrokerHarness.Produce(Topic, 0, BrokerHarness.Batch(4), acks: 0))
            .WaitAsync(BrokerHarness.Wait);
        Assert.Null(response);
        Assert.Equal(4, Broker.Log(Topic).LogEndOffset);
    }

    [Fact]
    public async Task Acks_0_with_an_error_closes_the_connection()
    {
        Broker.CreateTopic(Topic);
        var batch = BrokerHarness.Batch(2);
        batch[^1] ^= 0xff;
        var frame = Broker.Frame(ApiKey.Produce, 9, BrokerHarness.Produce(Topic, 0, batch, acks: 0));
        await Assert.ThrowsAsync<ProtocolException>(async () => await Broker.Dispatcher.HandleAsync(frame, Broker.Connection, CancellationToken.None));
        Assert.Equal(0, Broker.Log(Topic).LogEndOffset);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(11)]
    public async Task Acks_all_answers_once_flushed(short version)
    {
        Broker.CreateTopic(Topic);
        var r = await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(3), version, acks: -1);
        AssertError(ErrorCode.None, r);
        Assert.Equal(0, r.BaseOffset);
        Assert.True(Broker.Log(Topic).FlushedOffset >= 3, $"flushed to {Broker.Log(Topic).FlushedOffset}");
    }

    [Theory]
    [InlineData(3, 5)]
    [InlineData(9, 2)]
    [InlineData(11, -2)]
    public async Task Invalid_acks_is_invalid_required_acks(short version, short acks)
    {
        Broker.CreateTopic(Topic);
        var response = await Broker.SendAsync<ProduceResponse>(ApiKey.Produce, version, BrokerHarness.Produce(Topic, 0, BrokerHarness.Batch(), acks));
        AssertError(ErrorCode.InvalidRequiredAcks, response.Responses[0].PartitionResponses[0]);
        Assert.Equal(0, Broker.Log(Topic).LogEndOffset);
    }

    [Fact]
    public async Task Log_append_time_topic_reports_the_broker_clock()
    {
        Broker.CreateTopic(Topic, configs: new Dictionary<string, string> { ["message.timestamp.type"] = "LogAppendTime" });
        var r = await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(1), 9);
        AssertError(ErrorCode.None, r);
        Assert.Equal(Broker.Time.GetUtcNow().ToUnixTimeMilliseconds(), r.LogAppendTimeMs);
    }

    // ---- idempotent producers ----

    [Theory]
    [InlineData(3)]
    [InlineData(9)]
    [InlineData(11)]
    public async Task Same_idempotent_batch_twice_is_stored_once(short version)
    {
        Broker.CreateTopic(Topic);
        await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(2), version); // someone else's data first
        var batch = BrokerHarness.Batch(3, producerId: 1000, epoch: 0, sequence: 0);

        var first = await Broker.ProduceAsync(Topic, 0, (byte[])batch.Clone(), version);
        var retry = await Broker.ProduceAsync(Topic, 0, (byte[])batch.Clone(), version);

        AssertError(ErrorCode.None, first);
        AssertError(ErrorCode.None, retry);
        Assert.Equal(2, first.BaseOffset);
        Assert.Equal(first.BaseOffset, retry.BaseOffset);
        Assert.Equal(5, Broker.Log(Topic).LogEndOffset);

        var next = await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(1, producerId: 1000, epoch: 0, sequence: 3), version);
        AssertError(ErrorCode.None, next);
        Assert.Equal(5, next.BaseOffset);
    }

    [Fact]
    public async Task An_older_in_flight_batch_retried_gets_its_own_offset()
    {
        Broker.CreateTopic(Topic);
        var b0 = BrokerHarness.Batch(2, producerId: 7, epoch: 0, sequence: 0);
        var b1 = BrokerHarness.Batch(2, producerId: 7, epoch: 0, sequence: 2);
        Assert.Equal(0, (await Broker.ProduceAsync(Topic, 0, (byte[])b0.Clone())).BaseOffset);
        Assert.Equal(2, (await Broker.ProduceAsync(Topic, 0, (byte[])b1.Clone())).BaseOffset);
        var retried = await Broker.ProduceAsync(Topic, 0, (byte[])b0.Clone());
        AssertError(ErrorCode.None, retried);
        Assert.Equal(0, retried.BaseOffset);
        Assert.Equal(4, Broker.Log(Topic).LogEndOffset);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(9)]
    public async Task Sequence_gap_is_out_of_order_sequence_number(short version)
    {
        Broker.CreateTopic(Topic);
        AssertError(ErrorCode.None, await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(2, producerId: 9, epoch: 0, sequence: 0), version));
        var gap = await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(1, producerId: 9, epoch: 0, sequence: 5), version);
        AssertError(ErrorCode.OutOfOrderSequenceNumber, gap);
        Assert.Equal(2, Broker.Log(Topic).LogEndOffset);
    }

    [Fact]
    public async Task New_epoch_must_start_at_sequence_zero()
    {
        Broker.CreateTopic(Topic);
        AssertError(ErrorCode.None, await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(2, producerId: 9, epoch: 0, sequence: 0)));
        AssertError(ErrorCode.OutOfOrderSequenceNumber, await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(1, producerId: 9, epoch: 1, sequence: 2)));
        AssertError(ErrorCode.None, await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(1, producerId: 9, epoch: 1, sequence: 0)));
        Assert.Equal(3, Broker.Log(Topic).LogEndOffset);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(9)]
    public async Task Old_epoch_is_invalid_producer_epoch(short version)
    {
        Broker.CreateTopic(Topic);
        AssertError(ErrorCode.None, await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(1, producerId: 11, epoch: 3, sequence: 0), version));
        var stale = await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(1, producerId: 11, epoch: 2, sequence: 1), version);
        AssertError(ErrorCode.InvalidProducerEpoch, stale);
        Assert.Equal(1, Broker.Log(Topic).LogEndOffset);
    }

    [Fact]
    public async Task Producers_are_tracked_per_partition()
    {
        Broker.CreateTopic(Topic, 2);
        var batch = BrokerHarness.Batch(1, producerId: 12, epoch: 0, sequence: 0);
        AssertError(ErrorCode.None, await Broker.ProduceAsync(Topic, 0, (byte[])batch.Clone()));
        var other = await Broker.ProduceAsync(Topic, 1, (byte[])batch.Clone());
        AssertError(ErrorCode.None, other);
        Assert.Equal(1, Broker.Log(Topic, 1).LogEndOffset);
    }

    [Fact]
    public async Task Two_idempotent_batches_in_one_partition_entry_are_refused()
    {
        Broker.CreateTopic(Topic);
        var a = BrokerHarness.Batch(1, producerId: 13, epoch: 0, sequence: 0);
        var b = BrokerHarness.Batch(1, producerId: 13, epoch: 0, sequence: 1);
        var r = await Broker.ProduceAsync(Topic, 0, a.Concat(b).ToArray());
        AssertError(ErrorCode.InvalidRecord, r);
        Assert.Equal(0, Broker.Log(Topic).LogEndOffset);
    }

    [Fact]
    public async Task Producer_state_survives_a_restart()
    {
        Broker.CreateTopic(Topic);
        var batch = BrokerHarness.Batch(3, producerId: 77, epoch: 1, sequence: 0);
        await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(1));
        var first = await Broker.ProduceAsync(Topic, 0, (byte[])batch.Clone());
        AssertError(ErrorCode.None, first);
        Assert.Equal(1, first.BaseOffset);

        await Broker.RestartAsync();

        var retry = await Broker.ProduceAsync(Topic, 0, (byte[])batch.Clone());
        AssertError(ErrorCode.None, retry);
        Assert.Equal(1, retry.BaseOffset);
        Assert.Equal(4, Broker.Log(Topic).LogEndOffset);
        AssertError(ErrorCode.OutOfOrderSequenceNumber, await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(1, producerId: 77, epoch: 1, sequence: 9)));
        AssertError(ErrorCode.InvalidProducerEpoch, await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(1, producerId: 77, epoch: 0, sequence: 3)));
        var next = await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(1, producerId: 77, epoch: 1, sequence: 3));
        AssertError(ErrorCode.None, next);
        Assert.Equal(4, next.BaseOffset);
    }

    [Fact]
    public async Task Concurrent_producers_get_distinct_contiguous_offsets()
    {
        Broker.CreateTopic(Topic);
        var offsets = new System.Collections.Concurrent.ConcurrentBag<long>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                var r = await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(3));
                AssertError(ErrorCode.None, r);
                offsets.Add(r.BaseOffset);
            }
        })));
        Assert.Equal(Enumerable.Range(0, 160).Select(i => i * 3L), offsets.Order());
        Assert.Equal(480, Broker.Log(Topic).LogEndOffset);
    }

    [Fact]
    public async Task Concurrent_retries_of_one_idempotent_batch_are_stored_once()
    {
        Broker.CreateTopic(Topic);
        var batch = BrokerHarness.Batch(4, producerId: 55, epoch: 0, sequence: 0);
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => Broker.ProduceAsync(Topic, 0, (byte[])batch.Clone()))));
        Assert.All(results, r => AssertError(ErrorCode.None, r));
        Assert.All(results, r => Assert.Equal(0, r.BaseOffset));
        Assert.Equal(4, Broker.Log(Topic).LogEndOffset);
    }

    [Fact]
    public async Task Produced_topic_is_auto_created()
    {
        var r = await Broker.ProduceAsync("auto", 0, BrokerHarness.Batch(2));
        AssertError(ErrorCode.None, r);
        Assert.Equal(2, Broker.Log("auto").LogEndOffset);
    }
}
