using KafkaConnect.Broker.Configuration;
using KafkaConnect.Broker.Groups;
using KafkaConnect.Broker.Handlers;
using KafkaConnect.Broker.Tests.Groups;
using KafkaConnect.Broker.Topics;
using KafkaConnect.Network;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;
using KafkaConnect.Protocol.Records;
using KafkaConnect.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaConnect.Broker.Tests.Handlers;

/// <summary>
/// A broker without sockets: the same state and dispatcher KafkaBroker.StartAsync builds, over a temp data dir,
/// with a manual clock. Requests are encoded to frames and responses decoded exactly as a client would.
/// </summary>
internal sealed class BrokerHarness : IAsyncDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly Dictionary<string, string> _settings;
    private readonly IStorageIO? _io;
    private readonly ILogger _logger;
    private int _correlationId;
    private bool _disposed;

    /// <param name="io">File I/O under the logs, for tests that inject storage faults.</param>
    /// <param name="logger">Receives what the broker logs (discarded by default).</param>
    public BrokerHarness(IReadOnlyDictionary<string, string>? settings = null, string? dataDir = null, ManualTimeProvider? time = null,
        IStorageIO? io = null, ILogger? logger = null)
    {
        _io = io;
        _logger = logger ?? NullLogger.Instance;
        DataDir = dataDir ?? Path.Combine(Path.GetTempPath(), "kc-handlers-" + Guid.NewGuid().ToString("N"));
        Time = time ?? new ManualTimeProvider();
        _settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["log.dirs"] = DataDir,
            ["listeners"] = "PLAINTEXT://127.0.0.1:19092",
            ["group.initial.rebalance.delay.ms"] = "0",
        };
        if (settings is not null)
            foreach (var (k, v) in settings) _settings[k] = v;
        (State, Dispatcher) = Build();
    }

    public string DataDir { get; }
    public ManualTimeProvider Time { get; }
    public BrokerState State { get; private set; }
    public RequestDispatcher Dispatcher { get; private set; }
    public ConnectionContext Connection { get; } = new(1, "127.0.0.1", 50000);

    private (BrokerState, RequestDispatcher) Build()
    {
        var config = BrokerConfig.Create(_settings);
        var logger = _logger;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var defaults = LogConfig.FromProperties(new Dictionary<string, string>
        {
            ["segment.bytes"] = Math.Min(config.SegmentBytes, int.MaxValue).ToString(inv),
            ["segment.ms"] = config.SegmentMs.ToString(inv),
            ["retention.ms"] = config.RetentionMs.ToString(inv),
            ["retention.bytes"] = config.RetentionBytes.ToString(inv),
            ["cleanup.policy"] = config.CleanupPolicy,
            ["delete.retention.ms"] = config.DeleteRetentionMs.ToString(inv),
            ["max.message.bytes"] = config.MessageMaxBytes.ToString(inv),
        }, LogConfig.Default);
        var topics = new TopicManager(config.DataDirectory, defaults, config.NumPartitions, Time, logger, _io);
        topics.Load();
        var groups = GroupCoordinator.Open(new GroupCoordinatorOptions
        {
            DataDirectory = config.DataDirectory,
            InitialRebalanceDelayMs = config.InitialRebalanceDelayMs,
            MinSessionTimeoutMs = config.MinSessionTimeoutMs,
            MaxSessionTimeoutMs = config.MaxSessionTimeoutMs,
        }, Time);
        var state = new BrokerState(config, "test-cluster", topics, groups, new LogFlusher(), new ProducerIdAllocator(config.DataDirectory),
            Time, NullLoggerFactory.Instance);
        foreach (var t in topics.Topics)
            foreach (var p in t.Partitions)
                ProduceHandler.RebuildProducerState(p);
        return (state, new RequestDispatcher(state, HandlerRegistry.Create(), logger));
    }

    /// <summary>Closes everything (as KafkaBroker.DisposeAsync does) and opens the same data dir again.</summary>
    public async Task RestartAsync()
    {
        await CloseStateAsync();
        (State, Dispatcher) = Build();
    }

    private async Task CloseStateAsync()
    {
        await State.Flusher.DisposeAsync();
        await State.Groups.DisposeAsync();
        foreach (var t in State.Topics.Topics)
            foreach (var p in t.Partitions)
                p.Log.Flush();
        State.Topics.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await CloseStateAsync();
        try { Directory.Delete(DataDir, recursive: true); }
        catch (IOException) { }
    }

    // ---- framing ----

    /// <summary>A request frame (header + body, no length prefix) as a client would send it.</summary>
    public byte[] Frame(ApiKey key, short version, IKafkaMessage body, string? clientId = "test-client")
    {
        using var w = new ProtocolWriter();
        var header = new RequestHeader
        {
            RequestApiKey = (short)key,
            RequestApiVersion = version,
            CorrelationId = Interlocked.Increment(ref _correlationId),
            ClientId = clientId,
        };
        header.Write(w, ApiMessages.RequestHeaderVersion(key, version));
        body.Write(w, version);
        return w.WrittenSpan.ToArray();
    }

    /// <summary>Starts a request; the task is still running when the handler waits (long poll, join).</summary>
    public Task<TResponse?> StartAsync<TResponse>(ApiKey key, short version, IKafkaMessage request, ConnectionContext? connection = null)
        where TResponse : class, IKafkaMessage, new()
    {
        var frame = Frame(key, version, request);
        var correlationId = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(4));
        var pending = Dispatcher.HandleAsync(frame, connection ?? Connection, CancellationToken.None);
        return Finish(pending);

        async Task<TResponse?> Finish(ValueTask<ProtocolWriter?> p)
        {
            var bytes = await Raw(p);
            return bytes is null ? null : Decode<TResponse>(bytes, key, version, correlationId);
        }
    }

    public async Task<TResponse> SendAsync<TResponse>(ApiKey key, short version, IKafkaMessage request, ConnectionContext? connection = null)
        where TResponse : class, IKafkaMessage, new()
    {
        var response = await StartAsync<TResponse>(key, version, request, connection).WaitAsync(Wait);
        return response ?? throw new Xunit.Sdk.XunitException($"{key} v{version} returned no response.");
    }

    /// <summary>The response body bytes (copied out of the pooled writer), or null when none is due.</summary>
    public static async Task<byte[]?> Raw(ValueTask<ProtocolWriter?> pending)
    {
        using var writer = await pending;
        return writer?.WrittenSpan.ToArray();
    }

    public static TResponse Decode<TResponse>(byte[] bytes, ApiKey key, short version, int expectedCorrelationId)
        where TResponse : class, IKafkaMessage, new()
    {
        var reader = new ProtocolReader(bytes);
        var header = new ResponseHeader();
        header.Read(ref reader, ApiMessages.ResponseHeaderVersion(key, version));
        Assert.Equal(expectedCorrelationId, header.CorrelationId);
        var response = new TResponse();
        response.Read(ref reader, version);
        Assert.True(reader.End, $"{key} v{version} response has {reader.Remaining} trailing bytes.");
        return response;
    }

    // ---- shortcuts ----

    public Topic CreateTopic(string name, int partitions = 1, IReadOnlyDictionary<string, string>? configs = null)
    {
        var error = State.Topics.TryCreate(name, partitions, configs ?? new Dictionary<string, string>(), false, out var message, out var topic);
        Assert.True(error == ErrorCode.None, $"create {name}: {error} {message}");
        return topic!;
    }

    public PartitionLog Log(string topic, int partition = 0) => State.Topics.Get(topic)!.GetPartition(partition)!.Log;

    public static byte[] Batch(int records = 1, long timestamp = 1000, bool keys = true, int valueSize = 8,
        long producerId = -1, short epoch = -1, int sequence = -1, CompressionType compression = CompressionType.None)
    {
        using var b = new RecordBatchBuilder(0, compression)
        {
            ProducerId = producerId,
            ProducerEpoch = epoch,
            BaseSequence = sequence,
        };
        for (var i = 0; i < records; i++)
        {
            var value = new byte[valueSize];
            value.AsSpan().Fill((byte)('a' + i % 26));
            // Typed as nullable memory: a null byte[] would convert to an empty (not null) key.
            var key = keys ? (ReadOnlyMemory<byte>?)System.Text.Encoding.UTF8.GetBytes("k" + i) : null;
            b.Add(timestamp + i, key, value);
        }
        return b.Build();
    }

    public static ProduceRequest Produce(string topic, int partition, byte[] records, short acks = 1, string? transactionalId = null) => new()
    {
        Acks = acks,
        TimeoutMs = 30_000,
        TransactionalId = transactionalId,
        TopicData =
        [
            new ProduceRequest.TopicProduceData
            {
                Name = topic,
                PartitionData = [new ProduceRequest.PartitionProduceData { Index = partition, Records = records }],
            },
        ],
    };

    public async Task<ProduceResponse.PartitionProduceResponse> ProduceAsync(string topic, int partition, byte[] records, short version = 9, short acks = 1)
    {
        var response = await SendAsync<ProduceResponse>(ApiKey.Produce, version, Produce(topic, partition, records, acks));
        return Assert.Single(Assert.Single(response.Responses).PartitionResponses);
    }

    public static FetchRequest Fetch(string topic, int partition, long offset, int maxWaitMs = 0, int minBytes = 1,
        int maxBytes = int.MaxValue, int partitionMaxBytes = 1 << 20) => new()
    {
        MaxWaitMs = maxWaitMs,
        MinBytes = minBytes,
        MaxBytes = maxBytes,
        Topics =
        [
            new FetchRequest.FetchTopic
            {
                Topic = topic,
                Partitions = [new FetchRequest.FetchPartition { Partition = partition, FetchOffset = offset, PartitionMaxBytes = partitionMaxBytes }],
            },
        ],
    };

    public static byte[] WithBaseOffset(byte[] batch, long baseOffset)
    {
        var copy = (byte[])batch.Clone();
        RecordBatchHeader.SetBaseOffset(copy, baseOffset);
        return copy;
    }
}

/// <summary>Gives every test class a fresh harness and tears it down.</summary>
public abstract class HandlerTestBase : IAsyncLifetime
{
    internal BrokerHarness Broker { get; private set; } = null!;

    protected virtual IReadOnlyDictionary<string, string>? Settings => null;

    public Task InitializeAsync()
    {
        Broker = new BrokerHarness(Settings);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Broker.DisposeAsync();
}
