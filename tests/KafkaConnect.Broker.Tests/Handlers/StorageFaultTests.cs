using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;
using KafkaConnect.Storage.Testing;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Broker.Tests.Handlers;

/// <summary>
/// Produce and Fetch when storage fails. The faults (a failing fsync, a full disk) are injected through the storage
/// I/O seam because they cannot be produced for real on this machine.
/// </summary>
public sealed class StorageFaultTests : IAsyncLifetime
{
    private readonly FaultyStorageIO _io = new();
    private readonly CapturingLogger _logger = new();
    private BrokerHarness _broker = null!;

    public Task InitializeAsync()
    {
        _broker = new BrokerHarness(io: _io, logger: _logger);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _io.ReleaseFsyncs();
        await _broker.DisposeAsync();
    }

    private static bool IsSegment(string path) => path.EndsWith(".log", StringComparison.Ordinal);

    private static void AssertError(ErrorCode expected, ProduceResponse.PartitionProduceResponse r)
        => Assert.True((ErrorCode)r.ErrorCode == expected, $"expected {expected}, got {(ErrorCode)r.ErrorCode} ({r.ErrorMessage})");

    private static ProduceRequest ProduceTo(short acks, params (string Topic, byte[] Records)[] parts) => new()
    {
        Acks = acks,
        TimeoutMs = 30_000,
        TopicData = [.. parts.Select(p => new ProduceRequest.TopicProduceData
        {
            Name = p.Topic,
            PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = p.Records }],
        })],
    };

    private static FetchRequest FetchFrom(params string[] topics) => new()
    {
        MaxWaitMs = 0,
        MinBytes = 1,
        MaxBytes = int.MaxValue,
        Topics = [.. topics.Select(t => new FetchRequest.FetchTopic
        {
            Topic = t,
            Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = 0, PartitionMaxBytes = 1 << 20 }],
        })],
    };

    [Fact]
    public async Task After_a_failed_fsync_producers_get_storage_errors_until_a_restart_recovers_from_disk()
    {
        _broker.CreateTopic("a");
        _broker.CreateTopic("b");
        AssertError(ErrorCode.None, await _broker.ProduceAsync("a", 0, BrokerHarness.Batch(1), acks: -1));

        _io.FailFsync = IsSegment;
        var failed = await _broker.ProduceAsync("a", 0, BrokerHarness.Batch(1), acks: -1);
        AssertError(ErrorCode.KafkaStorageError, failed);
        Assert.Equal(-1, failed.BaseOffset);

        // The disk answers again, yet nothing more is accepted or acknowledged in that directory.
        _io.FailFsync = null;
        AssertError(ErrorCode.KafkaStorageError, await _broker.ProduceAsync("a", 0, BrokerHarness.Batch(1), acks: -1));
        AssertError(ErrorCode.KafkaStorageError, await _broker.ProduceAsync("b", 0, BrokerHarness.Batch(1), acks: 1));
        var fetch = await _broker.SendAsync<FetchResponse>(ApiKey.Fetch, 12, BrokerHarness.Fetch("a", 0, 0));
        Assert.Equal((short)ErrorCode.KafkaStorageError, Assert.Single(Assert.Single(fetch.Responses).Partitions).ErrorCode);
        Assert.Equal(1, _broker.Log("a").FlushedOffset);

        var error = Assert.Single(_logger.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains(_broker.DataDir, error.Message, StringComparison.Ordinal);
        Assert.Contains("Input/output error", error.Message, StringComparison.Ordinal);

        await _broker.RestartAsync();
        var after = await _broker.ProduceAsync("a", 0, BrokerHarness.Batch(1), acks: -1);
        AssertError(ErrorCode.None, after);
        // The unacknowledged batch reached the file before the fsync failed, so recovery keeps it.
        Assert.Equal(2, after.BaseOffset);
        AssertError(ErrorCode.None, await _broker.ProduceAsync("b", 0, BrokerHarness.Batch(1), acks: -1));
    }

    [Fact]
    public async Task Auto_creating_a_topic_in_an_offline_directory_is_a_storage_error_not_a_closed_connection()
    {
        _broker.CreateTopic("a");
        _io.FailFsync = IsSegment;
        AssertError(ErrorCode.KafkaStorageError, await _broker.ProduceAsync("a", 0, BrokerHarness.Batch(1), acks: -1));

        var response = await _broker.SendAsync<ProduceResponse>(ApiKey.Produce, 9,
            ProduceTo(1, ("brand-new", BrokerHarness.Batch(1)), ("a", BrokerHarness.Batch(1))));
        var created = Assert.Single(response.Responses[0].PartitionResponses);
        AssertError(ErrorCode.KafkaStorageError, created);
        Assert.Contains("offline", created.ErrorMessage, StringComparison.Ordinal);
        AssertError(ErrorCode.KafkaStorageError, Assert.Single(response.Responses[1].PartitionResponses));
    }

    [Fact]
    public async Task A_retried_idempotent_batch_with_acks_all_waits_for_the_fsync_of_the_original()
    {
        _broker.CreateTopic("idem");
        var batch = BrokerHarness.Batch(2, producerId: 1000, epoch: 0, sequence: 0);
        _io.HoldFsyncs(IsSegment);
        var original = _broker.StartAsync<ProduceResponse>(ApiKey.Produce, 9, BrokerHarness.Produce("idem", 0, batch, acks: -1));
        Assert.True(await _io.HeldFsyncs.WaitAsync(BrokerHarness.Wait), "the original's fsync never started");

        var retry = _broker.StartAsync<ProduceResponse>(ApiKey.Produce, 9, BrokerHarness.Produce("idem", 0, batch, acks: -1));
        // The handler runs synchronously up to the flush wait: a retry answered without waiting is complete here.
        Assert.False(retry.IsCompleted, "the duplicate was acknowledged before its records were on disk");
        Assert.Equal(0, _broker.Log("idem").FlushedOffset);

        _io.ReleaseFsyncs();
        foreach (var response in new[] { await original.WaitAsync(BrokerHarness.Wait), await retry.WaitAsync(BrokerHarness.Wait) })
        {
            var p = Assert.Single(Assert.Single(response!.Responses).PartitionResponses);
            AssertError(ErrorCode.None, p);
            Assert.Equal(0, p.BaseOffset);
        }
        Assert.Equal(2, _broker.Log("idem").LogEndOffset);
        Assert.Equal(2, _broker.Log("idem").FlushedOffset);
    }

    [Fact]
    public async Task A_full_disk_fails_only_its_partition_and_the_others_are_answered()
    {
        _broker.CreateTopic("full");
        _broker.CreateTopic("ok");
        _io.FailWrite = path => path.Contains("full-0", StringComparison.Ordinal);
        var response = await _broker.SendAsync<ProduceResponse>(ApiKey.Produce, 9,
            ProduceTo(-1, ("full", BrokerHarness.Batch(2)), ("ok", BrokerHarness.Batch(3))));

        var full = Assert.Single(response.Responses[0].PartitionResponses);
        AssertError(ErrorCode.KafkaStorageError, full);
        Assert.Contains("No space left on device", full.ErrorMessage, StringComparison.Ordinal);
        var ok = Assert.Single(response.Responses[1].PartitionResponses);
        AssertError(ErrorCode.None, ok);
        Assert.Equal(0, ok.BaseOffset);
        Assert.Equal(3, _broker.Log("ok").FlushedOffset);
        Assert.Equal(0, _broker.Log("full").LogEndOffset);

        // Space freed: the partition takes writes again (a failed write publishes nothing, so it is not fatal).
        _io.FailWrite = null;
        AssertError(ErrorCode.None, await _broker.ProduceAsync("full", 0, BrokerHarness.Batch(1), acks: -1));
    }

    [Fact]
    public async Task A_partition_whose_log_is_deleted_mid_request_gets_an_error_and_the_others_are_answered()
    {
        _broker.CreateTopic("gone");
        _broker.CreateTopic("kept");
        AssertError(ErrorCode.None, await _broker.ProduceAsync("gone", 0, BrokerHarness.Batch(2)));
        AssertError(ErrorCode.None, await _broker.ProduceAsync("kept", 0, BrokerHarness.Batch(3)));
        // As when a deletion lands after the handler looked the partition up: it holds a log that is now deleted.
        _broker.Log("gone").Delete();

        var fetch = await _broker.SendAsync<FetchResponse>(ApiKey.Fetch, 12, FetchFrom("gone", "kept"));
        Assert.Equal((short)ErrorCode.KafkaStorageError, Assert.Single(fetch.Responses[0].Partitions).ErrorCode);
        var kept = Assert.Single(fetch.Responses[1].Partitions);
        Assert.Equal((short)ErrorCode.None, kept.ErrorCode);
        Assert.False(kept.Records is not { Length: > 0 }, "the healthy partition's records were not returned");

        var produce = await _broker.SendAsync<ProduceResponse>(ApiKey.Produce, 9,
            ProduceTo(1, ("gone", BrokerHarness.Batch(1)), ("kept", BrokerHarness.Batch(1))));
        AssertError(ErrorCode.KafkaStorageError, Assert.Single(produce.Responses[0].PartitionResponses));
        var keptProduce = Assert.Single(produce.Responses[1].PartitionResponses);
        AssertError(ErrorCode.None, keptProduce);
        Assert.Equal(3, keptProduce.BaseOffset);
    }

    [Fact]
    public void Topic_metadata_is_renamed_into_place_durably()
    {
        _broker.CreateTopic("meta");
        // Before, the rename of __topics/meta.json.tmp was never followed by a directory fsync.
        Assert.Contains(Path.GetFullPath(Path.Combine(_broker.DataDir, "__topics")), _io.SyncedDirectories);
        Assert.True(File.Exists(Path.Combine(_broker.DataDir, "__topics", "meta.json")));
        Assert.False(File.Exists(Path.Combine(_broker.DataDir, "__topics", "meta.json.tmp")));
    }
}
