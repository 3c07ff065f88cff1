using KafkaConnect.Client.Admin;
using KafkaConnect.Client.Log;
using KafkaConnect.Connect.Errors;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.Runtime.Storage.Kafka;

/// <summary>
/// Source offsets in the offsets topic (<c>offset.storage.topic</c>), shared with Apache workers: keys and values are
/// the serialized JSON handed in (<see cref="OffsetJson"/>), produced without an explicit partition so the producer's
/// murmur2 choice matches Apache's; a null value is a tombstone that deletes the key. Reads come from the local view
/// of the topic, which also takes in this worker's own writes as soon as they are acknowledged.
/// </summary>
public sealed class KafkaOffsetBackingStore : IOffsetBackingStore, IRefreshableOffsetStore, IAsyncDisposable
{
    public const string TopicConfigName = "offset.storage.topic";
    private const string Purpose = "source connector offsets";

    private readonly KafkaStoreOptions _options;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();

    // Tombstones are kept (as null values) with their position so a late acknowledgement of an older write cannot resurrect a key.
    private readonly Dictionary<byte[], Entry> _data = new(ByteArrayComparer.Instance);
    private KafkaAdminClient? _admin;
    private KafkaBasedLog? _offsetLog;

    public KafkaOffsetBackingStore(KafkaStoreOptions options, ILoggerFactory loggers, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        if (string.IsNullOrWhiteSpace(options.Topic))
        {
            throw new ConfigException("Offset storage topic must be specified");
        }
        _options = options;
        _log = loggers.CreateLogger<KafkaOffsetBackingStore>();
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Creates or checks the topic and reads it to the end (blocking; see <see cref="StartAsync"/>).</summary>
    public void Start() => StartAsync().GetAwaiter().GetResult();

    public async Task StartAsync(CancellationToken ct = default)
    {
        _log.LogInformation("Starting KafkaOffsetBackingStore");
        var clientId = _options.ClientId("offsets");
        _admin = new KafkaAdminClient(WithClientId(_options.AdminConfig, clientId), _time);
        var definition = new NewTopic(_options.Topic, _options.Partitions, _options.ReplicationFactor)
        {
            Configs = InternalTopics.TopicConfigs(_options.TopicSettings, "offset.storage.", _log),
        };
        await InternalTopics.EnsureAsync(_admin, definition, TopicConfigName, Purpose, _log, _time, ct).ConfigureAwait(false);
        var producer = WithClientId(_options.ProducerConfig, clientId);
        producer.TryAdd("enable.idempotence", "true");
        _offsetLog = new KafkaBasedLog(_options.Topic, producer, WithClientId(_options.ConsumerConfig, clientId), _admin, Apply, _log, _time);
        await _offsetLog.StartAsync(ct: ct).ConfigureAwait(false);
        _log.LogInformation("Finished reading offsets topic and starting KafkaOffsetBackingStore");
    }

    public void Stop() => StopAsync().GetAwaiter().GetResult();

    public async Task StopAsync()
    {
        _log.LogInformation("Stopping KafkaOffsetBackingStore");
        if (_offsetLog is not null)
        {
            await _offsetLog.StopAsync().ConfigureAwait(false);
        }
        if (_admin is not null)
        {
            await _admin.DisposeAsync().ConfigureAwait(false);
        }
        _log.LogInformation("Stopped KafkaOffsetBackingStore");
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    public IReadOnlyDictionary<byte[], byte[]> Get(IEnumerable<byte[]> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var result = new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance);
        lock (_lock)
        {
            foreach (var key in keys)
            {
                if (_data.TryGetValue(key, out var e) && e.Value is { } value)
                {
                    result[key] = value;
                }
            }
        }
        return result;
    }

    public IReadOnlyCollection<byte[]> Keys()
    {
        lock (_lock)
        {
            return [.. _data.Where(e => e.Value.Value is not null).Select(e => e.Key)];
        }
    }

    /// <summary>Sends every entry (null = tombstone) and completes once all are acknowledged; the first failure fails the batch.</summary>
    public async Task SetAsync(IReadOnlyDictionary<byte[], byte[]?> values, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var log = _offsetLog ?? throw new InvalidOperationException("The offset store is not started.");
        var sends = new List<Task>(values.Count);
        foreach (var (key, value) in values)
        {
            sends.Add(SendAsync(log, key, value, ct));
        }
        await Task.WhenAll(sends).ConfigureAwait(false);
    }

    /// <summary>Reads the topic up to its current end (e.g. before listing a connector's offsets); false on timeout.</summary>
    public Task<bool> RefreshAsync(TimeSpan timeout, CancellationToken ct = default) =>
        (_offsetLog ?? throw new InvalidOperationException("The offset store is not started.")).TryReadToEndAsync(timeout, ct);

    private async Task SendAsync(KafkaBasedLog log, byte[] key, byte[]? value, CancellationToken ct)
    {
        var written = await log.SendAsync(key, value, ct).ConfigureAwait(false);
        Put(key, value, written.Partition, written.Offset);
    }

    private void Apply(LogRecord record)
    {
        if (record.Key is null)
        {
            // Apache keeps a null key too, but no offset reader can ever ask for it.
            _log.LogWarning("Ignoring offsets record without a key at {Partition}@{Offset}", record.Partition, record.Offset);
            return;
        }
        Put(record.Key, record.Value, record.Partition, record.Offset);
    }

    private void Put(byte[] key, byte[]? value, int partition, long offset)
    {
        lock (_lock)
        {
            if (_data.TryGetValue(key, out var existing) && existing.Partition == partition && existing.Offset >= offset)
            {
                return; // already have this record or a newer one of the same key
            }
            _data[key] = new Entry(value, partition, offset);
        }
    }

    private static Dictionary<string, string> WithClientId(IReadOnlyDictionary<string, string> config, string clientId) =>
        new(config, StringComparer.Ordinal) { ["client.id"] = clientId };

    private readonly record struct Entry(byte[]? Value, int Partition, long Offset);
}
