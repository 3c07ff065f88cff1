using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using KafkaConnect.Protocol;
using KafkaConnect.Storage;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Broker.Topics;

/// <summary>
/// Owns the topics: creation (explicit and automatic), deletion, partition growth and config changes, each
/// persisted under <c>&lt;dataDir&gt;/__topics/&lt;name&gt;.json</c> before it is acknowledged. Partition logs live
/// in <c>&lt;dataDir&gt;/&lt;topic&gt;-&lt;partition&gt;</c>, as in Kafka.
/// </summary>
internal sealed class TopicManager : IDisposable
{
    public const int MaxTopicNameLength = 249;

    private readonly string _dataDir;
    private readonly string _metaDir;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly LogDirectory _logDirectory;
    private readonly ConcurrentDictionary<string, Topic> _topics = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Uuid, Topic> _topicsById = new();
    private readonly object _adminLock = new();

    /// <param name="io">File I/O for the logs and topic metadata; the real OS unless a test injects faults.</param>
    public TopicManager(string dataDir, LogConfig defaults, int defaultPartitions, TimeProvider time, ILogger logger, IStorageIO? io = null)
    {
        _dataDir = dataDir;
        _metaDir = Path.Combine(dataDir, "__topics");
        Defaults = defaults;
        DefaultPartitions = defaultPartitions;
        _time = time;
        _logger = logger;
        // One directory, as one entry of Kafka's log.dirs: a failed fsync in any partition takes all of them offline.
        _logDirectory = new LogDirectory(dataDir, io, logger);
        Directory.CreateDirectory(_metaDir);
    }

    public LogConfig Defaults { get; }
    public int DefaultPartitions { get; }
    public ICollection<Topic> Topics => _topics.Values;

    internal sealed record TopicMeta(string Name, string Id, int Partitions, Dictionary<string, string> Configs);

    /// <summary>Opens every topic found in the data directory (recovering each log).</summary>
    public void Load()
    {
        foreach (var file in Directory.EnumerateFiles(_metaDir, "*.json"))
        {
            var meta = JsonSerializer.Deserialize(File.ReadAllText(file), TopicMetaJson.Default.TopicMeta)
                ?? throw new InvalidDataException($"{file}: empty topic metadata.");
            if (!Uuid.TryParse(meta.Id, out var id)) throw new InvalidDataException($"{file}: bad topic id '{meta.Id}'.");
            var logConfig = LogConfig.FromProperties(meta.Configs, Defaults);
            var topic = new Topic(meta.Name, id, meta.Configs, logConfig, []);
            topic.Partitions = Enumerable.Range(0, meta.Partitions).Select(i => OpenPartition(topic, i)).ToArray();
            _topics[topic.Name] = topic;
            _topicsById[id] = topic;
        }
        foreach (var tmp in Directory.EnumerateFiles(_metaDir, "*.tmp")) File.Delete(tmp);
    }

    private Partition OpenPartition(Topic topic, int index)
        => new(topic, index, PartitionLog.Open(Path.Combine(_dataDir, $"{topic.Name}-{index}"), topic.LogConfig, _time, _logDirectory));

    public Topic? Get(string name) => _topics.TryGetValue(name, out var t) ? t : null;
    public Topic? Get(Uuid id) => _topicsById.TryGetValue(id, out var t) ? t : null;

    public static string? ValidateName(string name)
    {
        if (name.Length == 0) return "Topic name is empty.";
        if (name is "." or "..") return "Topic name cannot be '.' or '..'.";
        if (name.Length > MaxTopicNameLength) return $"Topic name is longer than {MaxTopicNameLength} characters.";
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
                return $"Topic name '{name}' is illegal: it may contain only ASCII letters, digits, '.', '_' and '-'.";
        }
        return null;
    }

    public Topic? GetOrAutoCreate(string name, bool autoCreate)
    {
        var t = Get(name);
        if (t is not null || !autoCreate || ValidateName(name) is not null) return t;
        // A storage failure must reach the client as such, not as an unknown topic.
        if (TryCreate(name, DefaultPartitions, new Dictionary<string, string>(), validateOnly: false, out var message, out _) == ErrorCode.KafkaStorageError)
            throw new StorageException(ErrorCode.KafkaStorageError, message!);
        return Get(name);
    }

    public ErrorCode TryCreate(string name, int partitions, IReadOnlyDictionary<string, string> configs, bool validateOnly, out string? message, out Topic? created)
    {
        created = null;
        message = ValidateName(name);
        if (message is not null) return ErrorCode.InvalidTopicException;
        if (partitions < 1) { message = $"Number of partitions must be at least 1, got {partitions}."; return ErrorCode.InvalidPartitions; }
        if (partitions > 10_000) { message = $"Number of partitions {partitions} is over this broker's limit of 10000."; return ErrorCode.InvalidPartitions; }
        LogConfig logConfig;
        try
        {
            logConfig = LogConfig.FromProperties(configs, Defaults);
        }
        catch (ArgumentException ex)
        {
            message = ex.Message;
            return ErrorCode.InvalidConfig;
        }
        lock (_adminLock)
        {
            if (_topics.ContainsKey(name)) { message = $"Topic '{name}' already exists."; return ErrorCode.TopicAlreadyExists; }
            if (CollidesWith(name) is { } other)
            {
                message = $"Topic '{name}' collides with existing topic '{other}' ('.' and '_' are interchangeable in metric names).";
                return ErrorCode.InvalidTopicException;
            }
            if (validateOnly) return ErrorCode.None;
            var topic = new Topic(name, Uuid.NewRandom(), new Dictionary<string, string>(configs, StringComparer.Ordinal), logConfig, []);
            var opened = new List<Partition>(partitions);
            try
            {
                for (var i = 0; i < partitions; i++) opened.Add(OpenPartition(topic, i));
                topic.Partitions = [.. opened];
                Persist(topic);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or StorageException)
            {
                // A half-created topic (some partitions opened, or no metadata file) would hold file handles now and
                // come back at the next start without its metadata; remove what was made and say why.
                foreach (var p in opened)
                {
                    try { p.Log.Delete(); } catch (Exception e) when (e is IOException or StorageException) { }
                }
                try { File.Delete(MetaPath(name)); } catch (IOException) { }
                _logger.LogError(ex, "creating topic {Topic} failed; the partitions made so far were removed", name);
                message = ex is StorageException ? ex.Message : $"Creating topic '{name}' failed on the log directory: {ex.Message}";
                return ErrorCode.KafkaStorageError;
            }
            _topics[name] = topic;
            _topicsById[topic.Id] = topic;
            created = topic;
            _logger.LogInformation("created topic {Topic} with {Partitions} partition(s)", name, partitions);
            return ErrorCode.None;
        }
    }

    private string? CollidesWith(string name)
    {
        var norm = name.Replace('.', '_');
        foreach (var t in _topics.Keys)
            if (t != name && t.Replace('.', '_') == norm) return t;
        return null;
    }

    public ErrorCode Delete(string name, out string? message)
    {
        message = null;
        lock (_adminLock)
        {
            if (!_topics.TryRemove(name, out var topic)) { message = $"Topic '{name}' does not exist."; return ErrorCode.UnknownTopicOrPartition; }
            _topicsById.TryRemove(topic.Id, out _);
            File.Delete(MetaPath(name));
            foreach (var p in topic.Partitions)
            {
                p.Log.Delete();
                p.Appended.Pulse();
            }
            _logger.LogInformation("deleted topic {Topic}", name);
            return ErrorCode.None;
        }
    }

    public ErrorCode AddPartitions(string name, int newTotal, bool validateOnly, out string? message)
    {
        message = null;
        lock (_adminLock)
        {
            if (!_topics.TryGetValue(name, out var topic)) { message = $"Topic '{name}' does not exist."; return ErrorCode.UnknownTopicOrPartition; }
            var current = topic.Partitions.Length;
            if (newTotal <= current)
            {
                message = $"Topic '{name}' has {current} partitions; the new count must be larger, got {newTotal}.";
                return ErrorCode.InvalidPartitions;
            }
            if (newTotal > 10_000) { message = $"Number of partitions {newTotal} is over this broker's limit of 10000."; return ErrorCode.InvalidPartitions; }
            if (validateOnly) return ErrorCode.None;
            var grown = new Partition[newTotal];
            Array.Copy(topic.Partitions, grown, current);
            for (var i = current; i < newTotal; i++) grown[i] = OpenPartition(topic, i);
            topic.Partitions = grown;
            Persist(topic);
            return ErrorCode.None;
        }
    }

    /// <summary>
    /// Topic settings CreateTopics and AlterConfigs accept and drop: clients still set message.format.version
    /// (librdkafka's admin tests do), but the broker stores v2 batches only, so there is nothing for it to select.
    /// </summary>
    public static readonly IReadOnlySet<string> IgnoredConfigs = new HashSet<string>(StringComparer.Ordinal) { "message.format.version" };

    /// <summary>Replaces (full) or merges (incremental) a topic's configs after validating them.</summary>
    public ErrorCode AlterConfigs(string name, Func<IReadOnlyDictionary<string, string>, Dictionary<string, string>> change, bool validateOnly, out string? message)
    {
        message = null;
        lock (_adminLock)
        {
            if (!_topics.TryGetValue(name, out var topic)) { message = $"Topic '{name}' does not exist."; return ErrorCode.UnknownTopicOrPartition; }
            Dictionary<string, string> next;
            LogConfig logConfig;
            try
            {
                next = change(topic.Configs);
                foreach (var key in IgnoredConfigs) next.Remove(key);
                logConfig = LogConfig.FromProperties(next, Defaults);
            }
            catch (ArgumentException ex)
            {
                message = ex.Message;
                return ErrorCode.InvalidConfig;
            }
            if (validateOnly) return ErrorCode.None;
            topic.Configs = next;
            topic.LogConfig = logConfig;
            foreach (var p in topic.Partitions) p.Log.UpdateConfig(logConfig);
            Persist(topic);
            return ErrorCode.None;
        }
    }

    private string MetaPath(string name) => Path.Combine(_metaDir, name + ".json");

    private void Persist(Topic topic)
    {
        var meta = new TopicMeta(topic.Name, topic.Id.ToString(), topic.Partitions.Length, new Dictionary<string, string>(topic.Configs));
        DurableFile.ReplaceAtomically(MetaPath(topic.Name), JsonSerializer.SerializeToUtf8Bytes(meta, TopicMetaJson.Default.TopicMeta), _logDirectory.IO);
    }

    public void Dispose()
    {
        foreach (var t in _topics.Values)
            foreach (var p in t.Partitions)
                p.Log.Dispose();
    }
}

/// <summary>Generated JSON code for the topic metadata files (no reflection, so the native build can write them).</summary>
[JsonSerializable(typeof(TopicManager.TopicMeta))]
internal sealed partial class TopicMetaJson : JsonSerializerContext;
