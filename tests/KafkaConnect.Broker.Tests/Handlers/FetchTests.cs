using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;
using KafkaConnect.Protocol.Records;

namespace KafkaConnect.Broker.Tests.Handlers;

public sealed class FetchTests : HandlerTestBase
{
    private const string Topic = "stream";

    private static FetchResponse.PartitionData Only(FetchResponse response)
        => Assert.Single(Assert.Single(response.Responses).Partitions);

    private static byte[] RecordsOf(FetchResponse.PartitionData p) => p.Records?.ToArray() ?? [];

    [Theory]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(11)]
    [InlineData(12)]
    public async Task Returns_the_stored_batches_byte_identical(short version)
    {
        Broker.CreateTopic(Topic);
        var a = BrokerHarness.Batch(3, timestamp: 100);
        var b = BrokerHarness.Batch(2, timestamp: 200, compression: CompressionType.Gzip);
        var c = BrokerHarness.Batch(1, timestamp: 300, producerId: 4, epoch: 0, sequence: 0);
        await Broker.ProduceAsync(Topic, 0, (byte[])a.Clone());
        await Broker.ProduceAsync(Topic, 0, (byte[])b.Clone());
        await Broker.ProduceAsync(Topic, 0, (byte[])c.Clone());

        var response = await Broker.SendAsync<FetchResponse>(ApiKey.Fetch, version, BrokerHarness.Fetch(Topic, 0, 0));

        var p = Only(response);
        Assert.Equal(ErrorCode.None, (ErrorCode)p.ErrorCode);
        Assert.Equal(6, p.HighWatermark);
        Assert.Equal(6, p.LastStableOffset);
        if (version >= 5) Assert.Equal(0, p.LogStartOffset);
        var expected = BrokerHarness.WithBaseOffset(a, 0).Concat(BrokerHarness.WithBaseOffset(b, 3)).Concat(BrokerHarness.WithBaseOffset(c, 5)).ToArray();
        Assert.Equal(expected, RecordsOf(p));
        if (version >= 7) Assert.Equal(0, response.SessionId);

        // The records decode back to what was sent.
        var records = RecordBatchCodec.ReadRecords(RecordsOf(p).AsSpan(a.Length, b.Length));
        Assert.Equal([3L, 4L], records.Select(r => r.Offset));
        Assert.Equal([200L, 201L], records.Select(r => r.Timestamp));
    }

    [Fact]
    public async Task Fetching_mid_batch_returns_the_whole_batch_holding_the_offset()
    {
        Broker.CreateTopic(Topic);
        var a = BrokerHarness.Batch(3);
        var b = BrokerHarness.Batch(3);
        await Broker.ProduceAsync(Topic, 0, (byte[])a.Clone());
        await Broker.ProduceAsync(Topic, 0, (byte[])b.Clone());
        var p = Only(await Broker.SendAsync<FetchResponse>(ApiKey.Fetch, 11, BrokerHarness.Fetch(Topic, 0, 4)));
        Assert.Equal(BrokerHarness.WithBaseOffset(b, 3), RecordsOf(p));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(12)]
    public async Task Offset_out_of_range_above_the_end_and_below_the_start(short version)
    {
        Broker.CreateTopic(Topic);
        await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(3));
        await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(3));

        var above = Only(await Broker.SendAsync<FetchResponse>(ApiKey.Fetch, version, BrokerHarness.Fetch(Topic, 0, 7)));
        Assert.Equal(ErrorCode.OffsetOutOfRange, (ErrorCode)above.ErrorCode);
        Assert.Equal(6, above.HighWatermark);
        Assert.Empty(RecordsOf(above));

        var deleted = await Broker.SendAsync<DeleteRecordsResponse>(ApiKey.DeleteRecords, 1, new DeleteRecordsRequest
        {
            Topics = [new() { Name = Topic, Partitions = [new() { PartitionIndex = 0, Offset = 3 }] }],
        });
        Assert.Equal(3, deleted.Topics[0].Partitions[0].LowWatermark);

        var below = Only(await Broker.SendAsync<FetchResponse>(ApiKey.Fetch, version, BrokerHarness.Fetch(Topic, 0, 2)));
        Assert.Equal(ErrorCode.OffsetOutOfRange, (ErrorCode)below.ErrorCode);
        if (version >= 5) Assert.Equal(3, below.LogStartOffset);

        var atStart = Only(await Broker.SendAsync<FetchResponse>(ApiKey.Fetch, version, BrokerHarness.Fetch(Topic, 0, 3)));
        Assert.Equal(ErrorCode.None, (ErrorCode)atStart.ErrorCode);
        Assert.NotEmpty(RecordsOf(atStart));
    }

    [Fact]
    public async Task At_the_end_with_no_wait_returns_empty_without_error()
    {
        Broker.CreateTopic(Topic);
        await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(2));
        var p = Only(await Broker.SendAsync<FetchResponse>(ApiKey.Fetch, 11, BrokerHarness.Fetch(Topic, 0, 2)));
        Assert.Equal(ErrorCode.None, (ErrorCode)p.ErrorCode);
        Assert.Empty(RecordsOf(p));
        Assert.Equal(2, p.HighWatermark);
    }

    [Fact]
    public async Task Unknown_topic_and_partition()
    {
        Broker.CreateTopic(Topic);
        var request = BrokerHarness.Fetch(Topic, 3, 0);
        request.Topics.Add(new FetchRequest.FetchTopic { Topic = "missing", Partitions = [new() { Partition = 0, PartitionMaxBytes = 100 }] });
        var response = await Broker.SendAsync<FetchResponse>(ApiKey.Fetch, 12, request);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (ErrorCode)response.Responses[0].Partitions[0].ErrorCode);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (ErrorCode)response.Responses[1].Partitions[0].ErrorCode);
        Assert.Null(Broker.State.Topics.Get("missing")); // fetch never creates topics
    }

    [Theory]
    [InlineData(4)]
    [InlineData(12)]
    public async Task Long_poll_completes_when_a_produce_arrives(short version)
    {
        Broker.CreateTopic(Topic);
        await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(1));
        var timersBefore = Broker.Time.ActiveTimers;

        var pending = Broker.StartAsync<FetchResponse>(ApiKey.Fetch, version, BrokerHarness.Fetch(Topic, 0, 1, maxWaitMs: 5000, minBytes: 1));
        Assert.False(pending.IsCompleted, "the fetch answered before any data or timeout");
        Assert.Equal(timersBefore + 1, Broker.Time.ActiveTimers); // its max-wait timer

        Broker.Time.AdvanceMs(4000);
        Assert.False(pending.IsCompleted, "the fetch gave up before max.wait.ms");

        var batch = BrokerHarness.Batch(2);
        await Broker.ProduceAsync(Topic, 0, (byte[])batch.Clone());

        var p = Only((await pending.WaitAsync(BrokerHarness.Wait))!);
        Assert.Equal(ErrorCode.None, (ErrorCode)p.ErrorCode);
        Assert.Equal(BrokerHarness.WithBaseOffset(batch, 1), RecordsOf(p));
        Assert.Equal(3, p.HighWatermark);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(12)]
    public async Task Long_poll_completes_empty_once_max_wait_passes(short version)
    {
        Broker.CreateTopic(Topic);
        var pending = Broker.StartAsync<FetchResponse>(ApiKey.Fetch, version, BrokerHarness.Fetch(Topic, 0, 0, maxWaitMs: 5000, minBytes: 1));
        Assert.False(pending.IsCompleted);

        Broker.Time.AdvanceMs(4999);
        Assert.False(pending.IsCompleted, "the fetch gave up before max.wait.ms");
        Broker.Time.AdvanceMs(2);

        var p = Only((await pending.WaitAsync(BrokerHarness.Wait))!);
        Assert.Equal(ErrorCode.None, (ErrorCode)p.ErrorCode);
        Assert.Empty(RecordsOf(p));
        Assert.Equal(0, p.HighWatermark);
    }

    [Fact]
    public async Task Long_poll_waits_for_min_bytes_across_several_appends()
    {
        Broker.CreateTopic(Topic);
        var small = BrokerHarness.Batch(1, valueSize: 10);
        var pending = Broker.StartAsync<FetchResponse>(ApiKey.Fetch, 12, BrokerHarness.Fetch(Topic, 0, 0, maxWaitMs: 5000, minBytes: small.Length * 2 + 1));

        await Broker.ProduceAsync(Topic, 0, (byte[])small.Clone());
        await Broker.ProduceAsync(Topic, 0, (byte[])small.Clone());
        Assert.False(pending.IsCompleted, "answered below min.bytes before max wait");
        await Broker.ProduceAsync(Topic, 0, (byte[])small.Clone());

        var p = Only((await pending.WaitAsync(BrokerHarness.Wait))!);
        Assert.Equal(small.Length * 3, RecordsOf(p).Length);
    }

    [Fact]
    public async Task Long_poll_wakes_for_an_append_to_any_partition_it_asks_for()
    {
        Broker.CreateTopic(Topic, 2);
        var request = BrokerHarness.Fetch(Topic, 0, 0, maxWaitMs: 5000);
        request.Topics[0].Partitions.Add(new FetchRequest.FetchPartition { Partition = 1, FetchOffset = 0, PartitionMaxBytes = 1 << 20 });
        var pending = Broker.StartAsync<FetchResponse>(ApiKey.Fetch, 12, request);
        Assert.False(pending.IsCompleted);

        await Broker.ProduceAsync(Topic, 1, BrokerHarness.Batch(2));

        var parts = Assert.Single((await pending.WaitAsync(BrokerHarness.Wait))!.Responses).Partitions;
        Assert.Empty(RecordsOf(parts[0]));
        Assert.NotEmpty(RecordsOf(parts[1]));
    }

    [Fact]
    public async Task Offset_out_of_range_is_answered_without_waiting()
    {
        Broker.CreateTopic(Topic);
        await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(2));
        var pending = Broker.StartAsync<FetchResponse>(ApiKey.Fetch, 12, BrokerHarness.Fetch(Topic, 0, 50, maxWaitMs: 5000, minBytes: 1));
        // No clock advance and no append: only an immediate answer completes this (the broker's clock is the test's,
        // so a generous real-time wait cannot let max.wait.ms answer it instead).
        var response = await pending.WaitAsync(BrokerHarness.Wait);
        Assert.Equal(ErrorCode.OffsetOutOfRange, (ErrorCode)Only(response!).ErrorCode);
    }

    [Fact]
    public async Task Early_wake_leaves_no_max_wait_timer_behind()
    {
        Broker.CreateTopic(Topic);
        var timersBefore = Broker.Time.ActiveTimers;
        var pending = Broker.StartAsync<FetchResponse>(ApiKey.Fetch, 12, BrokerHarness.Fetch(Topic, 0, 0, maxWaitMs: 5000));
        await Broker.ProduceAsync(Topic, 0, BrokerHarness.Batch(1));
        await pending.WaitAsync(BrokerHarness.Wait);
        Assert.Equal(timersBefore, Broker.Time.ActiveTimers);
    }

    [Fact]
    public async Task Long_poll_on_an_unknown_partition_answers_at_once()
    {
        var pending = Broker.StartAsync<FetchResponse>(ApiKey.Fetch, 12, BrokerHarness.Fetch("nowhere", 0, 0, maxWaitMs: 5000));
        var response = await pending.WaitAsync(BrokerHarness.Wait);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (ErrorCode)Only(response!).ErrorCode);
    }

    [Fact]
    public async Task Cancelled_long_poll_stops_waiting()
    {
        Broker.CreateTopic(Topic);
        using var cts = new CancellationTokenSource();
        var frame = Broker.Frame(ApiKey.Fetch, 12, BrokerHarness.Fetch(Topic, 0, 0, maxWaitMs: 5000));
        var pending = Broker.Dispatcher.HandleAsync(frame, Broker.Connection, cts.Token).AsTask();
        Assert.False(pending.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(BrokerHarness.Wait));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(12)]
    public async Task Max_bytes_limits_but_at_least_one_batch_is_returned(short version)
    {
        Broker.CreateTopic(Topic, 2);
        var batches = Enumerable.Range(0, 3).Select(_ => BrokerHarness.Batch(1, valueSize: 1000)).ToArray();
        foreach (var b in batches) await Broker.ProduceAsync(Topic, 0, (byte[])b.Clone());
        await Broker.ProduceAsync(Topic, 1, BrokerHarness.Batch(1, valueSize: 1000));
        var size = batches[0].Length;

        // Room for one and a half batches: one whole batch.
        var p = Only(await Broker.SendAsync<FetchResponse>(ApiKey.Fetch, version, BrokerHarness.Fetch(Topic, 0, 0, maxBytes: size + size / 2)));
        Assert.Equal(size, RecordsOf(p).Length);

        // Room for two.
        p = Only(await Broker.SendAsync<FetchResponse>(ApiKey.Fetch, version, BrokerHarness.Fetch(Topic, 0, 0, maxBytes: size * 2)));
        Assert.Equal(size * 2, RecordsOf(p).Length);

        // Far too little: still one batch, so the consumer makes progress.
        p = Only(await Broker.SendAsync<FetchResponse>(ApiKey.Fetch, version, BrokerHarness.Fetch(Topic, 0, 0, maxBytes: 1)));
        Assert.Equal(BrokerHarness.WithBaseOffset(batches[0], 0), RecordsOf(p));

        // The partition limit applies the same way.
        p = Only(await Broker.SendAsync<FetchResponse>(ApiKey.Fetch, version, BrokerHarness.Fetch(Topic, 0, 1, partitionMaxBytes: 10)));
        Assert.Equal(BrokerHarness.WithBaseOffset(batches[1], 1), RecordsOf(p));

        // Once the request budget is spent, later partitions get nothing.
        var two = BrokerHarness.Fetch(Topic, 0, 0, maxBytes: 10);
        two.Topics[0].Partitions.Add(new FetchRequest.FetchPartition { Partition = 1, FetchOffset = 0, PartitionMaxBytes = 1 << 20 });
        var response = await Broker.SendAsync<FetchResponse>(ApiKey.Fetch, version, two);
        var parts = Assert.Single(response.Responses).Partitions;
        Assert.Equal(size, RecordsOf(parts[0]).Length);
        Assert.Empty(RecordsOf(parts[1]));
        Assert.Equal(ErrorCode.None, (ErrorCode)parts[1].ErrorCode);
        Assert.Equal(1, parts[1].HighWatermark);
    }
}
