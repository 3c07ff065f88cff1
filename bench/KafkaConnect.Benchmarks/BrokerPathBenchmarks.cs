using BenchmarkDotNet.Attributes;
using KafkaConnect.Broker;
using KafkaConnect.Broker.Configuration;
using KafkaConnect.Broker.Groups;
using KafkaConnect.Broker.Handlers;
using KafkaConnect.Broker.Topics;
using KafkaConnect.Network;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;
using KafkaConnect.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaConnect.Benchmarks;

/// <summary>
/// The broker's request path without sockets: a frame goes through <see cref="RequestDispatcher"/> (header,
/// generated codec, handler, log on a temp dir, response encoding) exactly as the network layer would pass it.
/// BrokerState is assembled as KafkaBroker.StartAsync does, minus the listener and background timers.
/// </summary>
[MemoryDiagnoser]
public class BrokerPathBenchmarks
{
    public const int FetchBatches = 10;
    public const int FetchRecords = FetchBatches * TestData.RecordsPerBatch;
    // Enough invocations per iteration to amortise timer noise; the produce log is emptied between iterations.
    private const int ProduceInvocations = 2048;
    private const string ProduceTopic = "bench-produce";
    private const string CompactedTopic = "bench-compacted";
    private const string FetchTopic = "bench-fetch";
    private const short ProduceVersion = 9;
    private const short FetchVersion = 12;

    private string _dir = "";
    private BrokerState? _state;
    private RequestDispatcher? _dispatcher;
    private readonly ConnectionContext _connection = new(1, "127.0.0.1", 50_000);
    private byte[] _produceFrame = [];
    private byte[] _fetchFrame = [];
    private byte[] _compactedFrame = [];
    private PartitionLog? _produceLog;
    private PartitionLog? _compactedLog;
    private int _fetchResponseBytes;

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("kconnect-bench-").FullName;
        var config = BrokerConfig.Create(new Dictionary<string, string>
        {
            ["log.dirs"] = _dir,
            ["listeners"] = "PLAINTEXT://127.0.0.1:0",
        });
        var time = TimeProvider.System;
        var logger = NullLogger.Instance;
        var topics = new TopicManager(config.DataDirectory, LogConfig.Default, config.NumPartitions, time, logger);
        topics.Load();
        var groups = GroupCoordinator.Open(new GroupCoordinatorOptions { DataDirectory = config.DataDirectory }, time);
        _state = new BrokerState(config, "kconnect-bench", topics, groups, new LogFlusher(), new ProducerIdAllocator(config.DataDirectory), time, NullLoggerFactory.Instance);
        _dispatcher = new RequestDispatcher(_state, HandlerRegistry.Create(), logger);
        CreateTopic(ProduceTopic);
        CreateTopic(FetchTopic);
        CreateTopic(CompactedTopic, new Dictionary<string, string> { ["cleanup.policy"] = "compact" });
        _produceLog = topics.Get(ProduceTopic)!.Partitions[0].Log;
        _compactedLog = topics.Get(CompactedTopic)!.Partitions[0].Log;

        var values = TestData.Values(TestData.RecordsPerBatch, 100);
        var batch = TestData.Batch(values);
        _produceFrame = TestData.RequestFrame(ApiKey.Produce, ProduceVersion, 1, TestData.ProduceRequest(ProduceTopic, 1, [batch]));
        var keyed = TestData.Batch(values, keys: TestData.Keys(TestData.RecordsPerBatch));
        _compactedFrame = TestData.RequestFrame(ApiKey.Produce, ProduceVersion, 4, TestData.ProduceRequest(CompactedTopic, 1, [keyed]));
        CheckProduceResponse(Dispatch(_compactedFrame, dispose: false));

        // Fill the fetch topic through the same path, one batch per request.
        var fill = TestData.RequestFrame(ApiKey.Produce, ProduceVersion, 2, TestData.ProduceRequest(FetchTopic, 1, [batch]));
        for (var i = 0; i < FetchBatches; i++) CheckProduceResponse(Dispatch(fill, dispose: false));

        var fetch = new FetchRequest
        {
            ReplicaId = -1,
            MaxWaitMs = 500,
            MinBytes = 1,
            MaxBytes = 52_428_800,
            Topics =
            {
                new FetchRequest.FetchTopic
                {
                    Topic = FetchTopic,
                    Partitions = { new FetchRequest.FetchPartition { Partition = 0, FetchOffset = 0, PartitionMaxBytes = 2 * 1024 * 1024 } },
                },
            },
        };
        _fetchFrame = TestData.RequestFrame(ApiKey.Fetch, FetchVersion, 3, fetch);
        CheckFetchResponse(Dispatch(_fetchFrame, dispose: false));
        Console.WriteLine($"// produce frame {_produceFrame.Length:N0} bytes; fetch response {_fetchResponseBytes:N0} bytes, {FetchRecords:N0} records");
    }

    private void CreateTopic(string name, Dictionary<string, string>? configs = null)
    {
        var error = _state!.Topics.TryCreate(name, 1, configs ?? new Dictionary<string, string>(), validateOnly: false, out var message, out _);
        if (error != ErrorCode.None) throw new InvalidOperationException($"Creating {name}: {error} {message}");
    }

    /// <summary>Empties the produce logs (a fresh segment, the old ones deleted) so the data dir stays small.</summary>
    [IterationSetup(Targets = [nameof(Produce), nameof(ProduceCompacted)])]
    public void ResetProduceLogs()
    {
        foreach (var log in new[] { _produceLog!, _compactedLog! })
        {
            log.RollNow();
            log.DeleteRecordsBefore(log.LogEndOffset);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_state is { } s)
        {
            s.Groups.DisposeAsync().AsTask().GetAwaiter().GetResult();
            s.Flusher.DisposeAsync().AsTask().GetAwaiter().GetResult();
            s.Topics.Dispose();
        }
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the temp dir is only clutter.
        }
    }

    /// <summary>One produce request, acks=1, one batch of 1,000 x 100-byte records, appended to the log.</summary>
    [Benchmark]
    [InvocationCount(ProduceInvocations)]
    [Work(TestData.RecordsPerBatch, TestData.RecordsPerBatch * 100L)]
    public void Produce() => Dispatch(_produceFrame, dispose: true);

    /// <summary>
    /// The same to a cleanup.policy=compact topic (Kafka Connect's offsets, configs and status topics): the
    /// handler must see every key, so each batch is decoded on the produce path.
    /// </summary>
    [Benchmark]
    [InvocationCount(ProduceInvocations)]
    [Work(TestData.RecordsPerBatch, TestData.RecordsPerBatch * 100L)]
    public void ProduceCompacted() => Dispatch(_compactedFrame, dispose: true);

    /// <summary>One fetch request from offset 0 returning 10 batches (~1 MiB) of 1,000 x 100-byte records.</summary>
    [Benchmark]
    [Work(FetchRecords, FetchRecords * 100L)]
    public void Fetch() => Dispatch(_fetchFrame, dispose: true);

    private ProtocolWriter? Dispatch(byte[] frame, bool dispose)
    {
        var pending = _dispatcher!.HandleAsync(frame, _connection, CancellationToken.None);
        var response = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        if (dispose) response?.Dispose();
        return response;
    }

    private static void CheckProduceResponse(ProtocolWriter? writer)
    {
        using var w = writer ?? throw new InvalidOperationException("Produce with acks=1 returned no response.");
        var reader = new ProtocolReader(w.WrittenMemory);
        reader.ReadInt32(); // correlation id
        if (ApiMessages.ResponseHeaderVersion(ApiKey.Produce, ProduceVersion) >= 1) reader.SkipTaggedFields();
        var response = new ProduceResponse();
        response.Read(ref reader, ProduceVersion);
        var p = response.Responses[0].PartitionResponses[0];
        if (p.ErrorCode != 0) throw new InvalidOperationException($"Produce failed: error {p.ErrorCode} {p.ErrorMessage}");
    }

    private void CheckFetchResponse(ProtocolWriter? writer)
    {
        using var w = writer ?? throw new InvalidOperationException("Fetch returned no response.");
        _fetchResponseBytes = w.Position;
        var reader = new ProtocolReader(w.WrittenMemory);
        reader.ReadInt32();
        if (ApiMessages.ResponseHeaderVersion(ApiKey.Fetch, FetchVersion) >= 1) reader.SkipTaggedFields();
        var response = new FetchResponse();
        response.Read(ref reader, FetchVersion);
        var p = response.Responses[0].Partitions[0];
        if (p.ErrorCode != 0) throw new InvalidOperationException($"Fetch failed: error {p.ErrorCode}");
        var records = 0;
        foreach (var (header, _) in Protocol.Records.RecordBatchCodec.EnumerateBatches(p.Records ?? default)) records += header.RecordCount;
        if (records != FetchRecords) throw new InvalidOperationException($"Fetch returned {records} records, expected {FetchRecords}.");
    }
}
