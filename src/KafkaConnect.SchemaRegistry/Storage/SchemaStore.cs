using System.Text.Json;
using KafkaConnect.Client;
using KafkaConnect.Client.Admin;
using KafkaConnect.Client.Log;
using KafkaConnect.Protocol;
using KafkaConnect.SchemaRegistry.Schemas;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.SchemaRegistry.Storage;

/// <summary>
/// The registry's state, rebuilt from the <c>_schemas</c> topic and changed only by writing to it. One writer at a time
/// (a semaphore): each write first reads the topic to its end, decides against that state, appends, and reads to the end
/// again so the answer reflects the write. With several instances on one topic only the elected leader writes
/// (<see cref="MayWrite"/>, checked under that lock; docs/schema-registry.md).
/// </summary>
internal sealed class SchemaStore : IAsyncDisposable
{
    private readonly SchemaRegistryOptions _options;
    private readonly ILogger _log;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly Dictionary<string, SortedDictionary<int, StoredSchema>> _subjects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _configs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _modes = new(StringComparer.Ordinal);
    private string? _globalConfig;
    private string? _globalMode;
    // Indexes over _subjects for the hot lookups (GET /schemas/ids/{id}, registering a known schema): every version by id,
    // and the id of each schema content (type, text, references) still present.
    private readonly Dictionary<int, List<StoredSchema>> _byId = [];
    private readonly Dictionary<string, int> _idByContent = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ParsedSchema> _parsed = new(StringComparer.Ordinal);
    private int _maxId;
    private KafkaAdminClient? _admin;
    private KafkaBasedLog? _logTopic;

    public SchemaStore(SchemaRegistryOptions options, ILoggerFactory loggers)
    {
        _options = options;
        _log = loggers.CreateLogger("KafkaConnect.SchemaRegistry.Store");
        Loggers = loggers;
    }

    private ILoggerFactory Loggers { get; }

    public string DefaultCompatibility => _options.CompatibilityLevel;

    /// <summary>Whether this instance leads and may append; a write finding it false throws <see cref="NotLeaderException"/>.</summary>
    public Func<bool> MayWrite { get; set; } = static () => true;

    public async Task StartAsync(CancellationToken ct)
    {
        var clientId = $"KafkaStore-reader-{_options.Topic}-{_options.GroupId}";
        var client = new Dictionary<string, string>(_options.ClientConfig, StringComparer.Ordinal) { ["client.id"] = clientId };
        _admin = new KafkaAdminClient(client, _options.TimeProvider);
        await EnsureTopicAsync(ct).ConfigureAwait(false);
        var producer = new Dictionary<string, string>(client, StringComparer.Ordinal) { ["client.id"] = $"producer-{_options.GroupId}" };
        _logTopic = new KafkaBasedLog(_options.Topic, producer, client, _admin, Apply, _log, _options.TimeProvider);
        await _logTopic.StartAsync(null, ct).ConfigureAwait(false);
        lock (_lock)
        {
            _log.LogInformation("Loaded {Subjects} subjects from {Topic}; next schema id {Id}", _subjects.Count, _options.Topic, _maxId + 1);
        }
    }

    // Confluent's KafkaStore.createOrVerifySchemaTopic: one partition, compacted, replication capped to the live brokers
    // with a warning; an existing topic must have one partition and cleanup.policy=compact.
    private async Task EnsureTopicAsync(CancellationToken ct)
    {
        var admin = _admin!;
        var brokers = (await admin.DescribeClusterAsync(ct).ConfigureAwait(false)).Nodes.Count;
        if (brokers <= 0)
        {
            throw new InvalidOperationException("No live Kafka brokers");
        }
        var replication = _options.ReplicationFactor;
        if (replication > brokers)
        {
            _log.LogWarning("Creating the schema topic {Topic} using a replication factor of {Brokers}, which is less than the desired one of "
                + "{Wanted} ({Key}={Wanted} but the cluster has {Brokers} broker(s)). If this is a production environment, it's crucial to "
                + "add more brokers and increase the replication factor of the topic.",
                _options.Topic, brokers, replication, SchemaRegistryOptions.ReplicationConfig, replication, brokers);
            replication = (short)brokers;
        }
        var configs = new Dictionary<string, string>(_options.TopicConfigs, StringComparer.Ordinal) { ["cleanup.policy"] = "compact" };
        try
        {
            await admin.CreateTopicsAsync([new NewTopic(_options.Topic, 1, replication) { Configs = configs }], cancellationToken: ct).ConfigureAwait(false);
            _log.LogInformation("Created schemas topic {Topic} (1 partition, replication factor {Replication}, compacted)", _options.Topic, replication);
            return;
        }
        catch (KafkaException ex) when (ex.Error == ErrorCode.TopicAlreadyExists)
        {
        }
        var partitions = await KafkaBasedLog.PartitionCountAsync(admin, _options.Topic, _options.TimeProvider, ct).ConfigureAwait(false);
        if (partitions != 1)
        {
            throw new InvalidOperationException($"The schema topic {_options.Topic} should have only 1 partition but has {partitions}");
        }
        var resource = ConfigResource.Topic(_options.Topic);
        var described = await admin.DescribeConfigsAsync([resource], cancellationToken: ct).ConfigureAwait(false);
        var policy = described.TryGetValue(resource, out var entries) ? entries.FirstOrDefault(e => e.Name == "cleanup.policy")?.Value : null;
        if (policy != "compact")
        {
            throw new InvalidOperationException($"The retention policy of the schema topic {_options.Topic} is incorrect. Expected cleanup.policy "
                + $"to be 'compact' but it is {policy}");
        }
    }

    private void Apply(LogRecord record)
    {
        if (record.Key is null)
        {
            return;
        }
        using var key = JsonDocument.Parse(record.Key);
        var k = key.RootElement;
        var keyType = k.TryGetProperty("keytype", out var kt) ? kt.GetString() : null;
        var subject = k.TryGetProperty("subject", out var ks) && ks.ValueKind == JsonValueKind.String ? ks.GetString() : null;
        using var value = record.Value is null ? null : JsonDocument.Parse(record.Value);
        var v = value?.RootElement;
        lock (_lock)
        {
            switch (keyType)
            {
                case "SCHEMA":
                    var version = k.GetProperty("version").GetInt32();
                    if (v is not { } sv)
                    {
                        Remove(subject!, version);
                        break;
                    }
                    var stored = new StoredSchema(
                        sv.GetProperty("subject").GetString()!,
                        sv.GetProperty("version").GetInt32(),
                        sv.GetProperty("id").GetInt32(),
                        sv.TryGetProperty("schemaType", out var st) && st.GetString() is { } type ? type : "AVRO",
                        sv.GetProperty("schema").GetString()!,
                        sv.TryGetProperty("references", out var refs) ? StoreRecords.ReadReferences(refs) : [],
                        sv.TryGetProperty("deleted", out var d) && d.ValueKind == JsonValueKind.True);
                    Put(stored);
                    break;
                case "CONFIG":
                    SetSetting(_configs, ref _globalConfig, subject, v is { } cv && cv.TryGetProperty("compatibilityLevel", out var cl) ? cl.GetString() : null);
                    break;
                case "MODE":
                    SetSetting(_modes, ref _globalMode, subject, v is { } mv && mv.TryGetProperty("mode", out var m) ? m.GetString() : null);
                    break;
                case "DELETE_SUBJECT":
                    if (v is { } dv && _subjects.TryGetValue(subject!, out var del))
                    {
                        var upTo = dv.GetProperty("version").GetInt32();
                        foreach (var (ver, s) in del.ToList())
                        {
                            if (ver <= upTo)
                            {
                                Put(s with { Deleted = true });
                            }
                        }
                    }
                    break;
                case "CLEAR_SUBJECT":
                    if (_subjects.TryGetValue(subject!, out var clear))
                    {
                        foreach (var (ver, s) in clear.ToList())
                        {
                            if (s.Deleted)
                            {
                                Remove(s.Subject, ver);
                            }
                        }
                    }
                    break;
                default:
                    // NOOP (Confluent's reader marks its position with these) and key types of newer releases.
                    break;
            }
        }
    }

    private static string ContentKey(string schemaType, string schema, IReadOnlyList<SchemaReference> references) =>
        schemaType + "\n" + string.Join(",", references.Select(r => $"{r.Name}={r.Subject}/{r.Version}")) + "\n" + schema;

    // Under _lock.
    private void Put(StoredSchema stored)
    {
        Remove(stored.Subject, stored.Version);
        if (!_subjects.TryGetValue(stored.Subject, out var versions))
        {
            _subjects[stored.Subject] = versions = [];
        }
        versions[stored.Version] = stored;
        if (!_byId.TryGetValue(stored.Id, out var uses))
        {
            _byId[stored.Id] = uses = [];
        }
        uses.Add(stored);
        _idByContent.TryAdd(ContentKey(stored.SchemaType, stored.Schema, stored.References), stored.Id);
        _maxId = Math.Max(_maxId, stored.Id);
    }

    // Under _lock.
    private void Remove(string subject, int version)
    {
        if (!_subjects.TryGetValue(subject, out var versions) || !versions.Remove(version, out var old))
        {
            return;
        }
        if (_byId.TryGetValue(old.Id, out var uses))
        {
            uses.Remove(old);
            if (uses.Count == 0)
            {
                _byId.Remove(old.Id);
                _idByContent.Remove(ContentKey(old.SchemaType, old.Schema, old.References));
            }
        }
    }

    /// <summary>A config or mode record: a null subject is the global one, a null value (tombstone) removes it.</summary>
    private static void SetSetting(Dictionary<string, string> perSubject, ref string? global, string? subject, string? value)
    {
        if (subject is null)
        {
            global = value;
        }
        else if (value is null)
        {
            perSubject.Remove(subject);
        }
        else
        {
            perSubject[subject] = value;
        }
    }

    // ---- reads (the local state; callers that must see other writers' records call SyncAsync first) ----

    public Task SyncAsync(CancellationToken ct) => ReadToEndAsync(ct);

    public List<string> Subjects(bool deleted, string? prefix)
    {
        lock (_lock)
        {
            return [.. _subjects.Where(s => (prefix is null || s.Key.StartsWith(prefix, StringComparison.Ordinal)) && s.Value.Values.Any(v => deleted || !v.Deleted))
                .Select(s => s.Key).Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>The subject's versions, oldest first; empty when it has none (even soft-deleted ones).</summary>
    public List<StoredSchema> Versions(string subject, bool includeDeleted)
    {
        lock (_lock)
        {
            return _subjects.TryGetValue(subject, out var versions) ? [.. versions.Values.Where(v => includeDeleted || !v.Deleted)] : [];
        }
    }

    public StoredSchema? ById(int id)
    {
        lock (_lock)
        {
            // A live use before a soft-deleted one; any serves, as every use of an id holds the same schema.
            return _byId.TryGetValue(id, out var uses) ? uses.FirstOrDefault(u => !u.Deleted) ?? uses[0] : null;
        }
    }

    public List<StoredSchema> UsesOfId(int id, bool includeDeleted)
    {
        lock (_lock)
        {
            return _byId.TryGetValue(id, out var uses)
                ? [.. uses.Where(s => includeDeleted || !s.Deleted).OrderBy(s => s.Subject, StringComparer.Ordinal).ThenBy(s => s.Version)]
                : [];
        }
    }

    public List<int> ReferencedBy(string subject, int version)
    {
        lock (_lock)
        {
            return [.. _subjects.Values.SelectMany(v => v.Values)
                .Where(s => !s.Deleted && s.References.Any(r => r.Subject == subject && r.Version == version)).Select(s => s.Id).Distinct().Order()];
        }
    }

    public string? Config(string? subject)
    {
        lock (_lock)
        {
            return subject is null ? _globalConfig : _configs.GetValueOrDefault(subject);
        }
    }

    public string EffectiveCompatibility(string subject) => Config(subject) ?? Config(null) ?? _options.CompatibilityLevel;

    public string? Mode(string? subject)
    {
        lock (_lock)
        {
            return subject is null ? _globalMode : _modes.GetValueOrDefault(subject);
        }
    }

    public string EffectiveMode(string subject) => Mode(subject) ?? Mode(null) ?? "READWRITE";

    /// <summary>Resolves references to their schemas (recursively); a missing one is an invalid schema as in Confluent.</summary>
    public List<ResolvedReference> Resolve(IReadOnlyList<SchemaReference> references, int depth = 0)
    {
        var result = new List<ResolvedReference>();
        foreach (var r in references)
        {
            StoredSchema? target;
            lock (_lock)
            {
                target = _subjects.TryGetValue(r.Subject, out var versions)
                    ? r.Version == -1 ? versions.Values.LastOrDefault(v => !v.Deleted) : versions.GetValueOrDefault(r.Version)
                    : null;
            }
            if (target is null || depth > 32)
            {
                throw RegistryException.InvalidSchema($"Invalid schema, details: Could not find reference {r.Name} to subject {r.Subject} version {r.Version}");
            }
            result.Add(new ResolvedReference(r.Name, target.SchemaType, target.Schema, Resolve(target.References, depth + 1)));
        }
        return result;
    }

    /// <summary>A stored version parsed, for compatibility checks; parsed once per content (versions never change content).</summary>
    public ParsedSchema Parsed(StoredSchema stored) =>
        _parsed.GetOrAdd(ContentKey(stored.SchemaType, stored.Schema, stored.References),
            _ => ParsedSchema.Parse(stored.SchemaType, stored.Schema, Resolve(stored.References)));

    /// <summary>The id already given to this exact schema (type, text, references), under any subject.</summary>
    public int? IdOf(string schemaType, string canonical, IReadOnlyList<SchemaReference> references)
    {
        lock (_lock)
        {
            return _idByContent.TryGetValue(ContentKey(schemaType, canonical, references), out var id) ? id : null;
        }
    }

    // ---- writes ----

    /// <summary>Runs <paramref name="decide"/> on the state read to the end, under the single-writer lock, and appends its records.</summary>
    public async Task<T> WriteAsync<T>(Func<(T Result, List<(byte[] Key, byte[]? Value)> Records)> decide, CancellationToken ct)
    {
        if (!await _writer.WaitAsync(StoreWait * 3, ct).ConfigureAwait(false))
        {
            throw RegistryException.Timeout("Write to the Kafka store timed out while waiting for other writes");
        }
        try
        {
            if (!MayWrite())
            {
                throw new NotLeaderException();
            }
            await ReadToEndAsync(ct).ConfigureAwait(false);
            var (result, records) = decide();
            if (records.Count > 0)
            {
                try
                {
                    foreach (var (key, value) in records)
                    {
                        await _logTopic!.SendAsync(key, value, ct).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    throw RegistryException.Store("Error while writing to the Kafka store: " + ex.Message, ex);
                }
                await ReadToEndAsync(ct).ConfigureAwait(false);
            }
            return result;
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>Waits for the write under way, if any (leadership is given up only after it is appended).</summary>
    public async Task DrainWritesAsync()
    {
        await _writer.WaitAsync().ConfigureAwait(false);
        _writer.Release();
    }

    public int NextId()
    {
        lock (_lock)
        {
            return _maxId + 1;
        }
    }

    // Confluent waits kafkastore.timeout.ms for its reader; a freshly started local broker can be slower, so at least 10 s.
    public TimeSpan Timeout => StoreWait;

    private TimeSpan StoreWait => TimeSpan.FromMilliseconds(Math.Max(_options.StoreTimeout.TotalMilliseconds, 10_000));

    private async Task ReadToEndAsync(CancellationToken ct)
    {
        var timeout = StoreWait;
        try
        {
            if (!await _logTopic!.TryReadToEndAsync(timeout, ct).ConfigureAwait(false))
            {
                throw RegistryException.Timeout($"Timed out after {timeout.TotalMilliseconds:0} ms reading the Kafka store to its end");
            }
        }
        catch (Exception ex) when (ex is KafkaException or KafkaConnectionException or KafkaLogException)
        {
            throw RegistryException.Store("Error while reading the Kafka store: " + ex.Message, ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_logTopic is not null)
        {
            await _logTopic.DisposeAsync().ConfigureAwait(false);
        }
        if (_admin is not null)
        {
            await _admin.DisposeAsync().ConfigureAwait(false);
        }
        _writer.Dispose();
    }
}

/// <summary>A write reached the store of an instance that is not (or no longer) the leader; the request goes to the leader instead.</summary>
internal sealed class NotLeaderException : Exception
{
    public NotLeaderException() : base("This registry instance is not the leader")
    {
    }
}
