using System.Globalization;

namespace KafkaConnect.Storage;

/// <summary>Describes one topic-level setting for DescribeConfigs / CreateTopics validation.</summary>
/// <param name="Name">Kafka's key, e.g. "segment.bytes".</param>
/// <param name="Type">Kafka's config type name: BOOLEAN, STRING, INT, SHORT, LONG, DOUBLE, LIST, CLASS, PASSWORD.</param>
/// <param name="DefaultValue">Kafka's default rendered as DescribeConfigs shows it.</param>
/// <param name="Documentation">One line for DescribeConfigs' documentation field.</param>
/// <param name="Enforced">False for keys we accept and echo back but do not act on (single node, no replication).</param>
public sealed record LogConfigKey(string Name, string Type, string DefaultValue, string Documentation, bool Enforced);

/// <summary>Topic-level log settings, with Kafka's names and defaults.</summary>
public sealed record LogConfig
{
    public const long Unlimited = long.MaxValue;

    public int SegmentBytes { get; init; } = 1024 * 1024 * 1024;
    public long SegmentMs { get; init; } = 7L * 24 * 3600 * 1000;
    /// <summary>Upper bound on one index file; the segment rolls when its index is full.</summary>
    public int SegmentIndexBytes { get; init; } = 10 * 1024 * 1024;
    /// <summary>-1 keeps data forever.</summary>
    public long RetentionMs { get; init; } = 7L * 24 * 3600 * 1000;
    /// <summary>-1 means no size limit.</summary>
    public long RetentionBytes { get; init; } = -1;
    public bool Compact { get; init; }
    public bool Delete { get; init; } = true;
    public long DeleteRetentionMs { get; init; } = 24L * 3600 * 1000;
    public long MinCompactionLagMs { get; init; }
    public double MinCleanableDirtyRatio { get; init; } = 0.5;
    public int IndexIntervalBytes { get; init; } = 4096;
    public int MaxMessageBytes { get; init; } = 1048588;
    public bool LogAppendTime { get; init; }
    /// <summary>Flush after this many messages (record offsets) since the last flush; <see cref="Unlimited"/> disables.</summary>
    public long FlushMessages { get; init; } = Unlimited;
    /// <summary>Flush when the oldest unflushed append is this old; <see cref="Unlimited"/> disables.</summary>
    public long FlushMs { get; init; } = Unlimited;
    /// <summary>Kept only so DescribeConfigs can echo it; the broker stores batches as the producer compressed them.</summary>
    public string CompressionType { get; init; } = "producer";
    /// <summary>Accepted keys we do not act on, echoed back by DescribeConfigs.</summary>
    public IReadOnlyDictionary<string, string> Passthrough { get; init; } = new Dictionary<string, string>();

    public static LogConfig Default { get; } = new();

    /// <summary>The supported keys with Kafka's defaults, in a stable order.</summary>
    public static IReadOnlyList<LogConfigKey> Keys { get; } =
    [
        new("cleanup.policy", "LIST", "delete", "A comma separated list of 'delete' (time/size retention) and 'compact' (keep the latest value per key).", true),
        new("compression.type", "STRING", "producer", "Final compression type; only 'producer' (keep the producer's codec) is applied.", false),
        new("delete.retention.ms", "LONG", "86400000", "How long tombstones are kept after their segment was compacted.", true),
        new("file.delete.delay.ms", "LONG", "60000", "Delay before deleting a file from the filesystem (files are deleted at once here).", false),
        new("flush.messages", "LONG", "9223372036854775807", "Force an fsync after this many messages.", true),
        new("flush.ms", "LONG", "9223372036854775807", "Force an fsync when unflushed data is this old.", true),
        new("index.interval.bytes", "INT", "4096", "How often an offset index entry is added, in log bytes.", true),
        new("max.compaction.lag.ms", "LONG", "9223372036854775807", "Maximum time a message stays ineligible for compaction.", false),
        new("max.message.bytes", "INT", "1048588", "Largest record batch size allowed.", true),
        new("message.downconversion.enable", "BOOLEAN", "true", "Down-conversion for old consumers (not supported: only magic v2).", false),
        new("message.timestamp.after.max.ms", "LONG", "9223372036854775807", "Allowed timestamp lead over the broker clock.", false),
        new("message.timestamp.before.max.ms", "LONG", "9223372036854775807", "Allowed timestamp lag behind the broker clock.", false),
        new("message.timestamp.difference.max.ms", "LONG", "9223372036854775807", "Deprecated: allowed timestamp difference.", false),
        new("message.timestamp.type", "STRING", "CreateTime", "CreateTime keeps the producer's timestamp; LogAppendTime uses the broker's clock.", true),
        new("min.cleanable.dirty.ratio", "DOUBLE", "0.5", "Dirty fraction of the log that triggers compaction.", true),
        new("min.compaction.lag.ms", "LONG", "0", "Minimum age of a message before it may be compacted.", true),
        new("min.insync.replicas", "INT", "1", "Minimum in-sync replicas for acks=all (single node: always 1).", false),
        new("preallocate", "BOOLEAN", "false", "Preallocate segment files.", false),
        new("retention.bytes", "LONG", "-1", "Maximum log size before old segments are deleted; -1 means unlimited.", true),
        new("retention.ms", "LONG", "604800000", "Maximum age of a segment's newest record before it is deleted; -1 means unlimited.", true),
        new("segment.bytes", "INT", "1073741824", "Segment file size at which the log rolls.", true),
        new("segment.index.bytes", "INT", "10485760", "Maximum index file size; the log rolls when an index is full.", true),
        new("segment.jitter.ms", "LONG", "0", "Random jitter on segment.ms.", false),
        new("segment.ms", "LONG", "604800000", "Age at which the active segment rolls even if not full.", true),
        new("unclean.leader.election.enable", "BOOLEAN", "false", "Allow out-of-sync leaders (single node: no effect).", false),
    ];

    private static readonly Dictionary<string, LogConfigKey> s_keysByName = Keys.ToDictionary(k => k.Name, StringComparer.Ordinal);

    public static bool IsKnownKey(string name) => s_keysByName.ContainsKey(name);

    /// <summary>
    /// Applies topic-level overrides on top of <paramref name="defaults"/> (the broker's log.* settings).
    /// Throws <see cref="ArgumentException"/> naming the key for unknown keys and invalid values.
    /// </summary>
    public static LogConfig FromProperties(IReadOnlyDictionary<string, string> topicConfigs, LogConfig defaults)
    {
        ArgumentNullException.ThrowIfNull(topicConfigs);
        ArgumentNullException.ThrowIfNull(defaults);
        var c = defaults;
        Dictionary<string, string>? passthrough = null;
        foreach (var (key, raw) in topicConfigs)
        {
            var value = raw?.Trim() ?? throw Invalid(key, raw, "a value is required");
            switch (key)
            {
                case "segment.bytes": c = c with { SegmentBytes = ParseInt(key, value, 14) }; break;
                case "segment.ms": c = c with { SegmentMs = ParseLong(key, value, 1) }; break;
                case "segment.index.bytes": c = c with { SegmentIndexBytes = ParseInt(key, value, 12) }; break;
                case "retention.ms": c = c with { RetentionMs = ParseLong(key, value, -1) }; break;
                case "retention.bytes": c = c with { RetentionBytes = ParseLong(key, value, -1) }; break;
                case "delete.retention.ms": c = c with { DeleteRetentionMs = ParseLong(key, value, 0) }; break;
                case "min.compaction.lag.ms": c = c with { MinCompactionLagMs = ParseLong(key, value, 0) }; break;
                case "index.interval.bytes": c = c with { IndexIntervalBytes = ParseInt(key, value, 0) }; break;
                case "max.message.bytes": c = c with { MaxMessageBytes = ParseInt(key, value, 0) }; break;
                case "flush.messages": c = c with { FlushMessages = ParseLong(key, value, 1) }; break;
                case "flush.ms": c = c with { FlushMs = ParseLong(key, value, 0) }; break;
                case "min.cleanable.dirty.ratio":
                    if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var ratio) || ratio is < 0 or > 1 || double.IsNaN(ratio))
                        throw Invalid(key, value, "expected a number between 0 and 1");
                    c = c with { MinCleanableDirtyRatio = ratio };
                    break;
                case "cleanup.policy":
                    var (compact, delete) = ParsePolicy(key, value);
                    c = c with { Compact = compact, Delete = delete };
                    break;
                case "message.timestamp.type":
                    c = value switch
                    {
                        "CreateTime" => c with { LogAppendTime = false },
                        "LogAppendTime" => c with { LogAppendTime = true },
                        _ => throw Invalid(key, value, "expected CreateTime or LogAppendTime"),
                    };
                    break;
                case "compression.type":
                    if (value is not ("producer" or "uncompressed" or "gzip" or "snappy" or "lz4" or "zstd"))
                        throw Invalid(key, value, "expected producer, uncompressed, gzip, snappy, lz4 or zstd");
                    c = c with { CompressionType = value };
                    break;
                default:
                    if (!s_keysByName.TryGetValue(key, out var known)) throw new ArgumentException($"Unknown topic config '{key}'.", key);
                    ValidateLoosely(known, value);
                    passthrough ??= new Dictionary<string, string>(c.Passthrough, StringComparer.Ordinal);
                    passthrough[key] = value;
                    break;
            }
        }
        return passthrough is null ? c : c with { Passthrough = passthrough };
    }

    /// <summary>Current values by key, for DescribeConfigs.</summary>
    public IReadOnlyDictionary<string, string> ToProperties()
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var k in Keys) d[k.Name] = k.DefaultValue;
        foreach (var (k, v) in Passthrough) d[k] = v;
        var inv = CultureInfo.InvariantCulture;
        d["segment.bytes"] = SegmentBytes.ToString(inv);
        d["segment.ms"] = SegmentMs.ToString(inv);
        d["segment.index.bytes"] = SegmentIndexBytes.ToString(inv);
        d["retention.ms"] = RetentionMs.ToString(inv);
        d["retention.bytes"] = RetentionBytes.ToString(inv);
        d["cleanup.policy"] = (Compact, Delete) switch
        {
            (true, true) => "compact,delete",
            (true, false) => "compact",
            (false, true) => "delete",
            _ => "",
        };
        d["delete.retention.ms"] = DeleteRetentionMs.ToString(inv);
        d["min.compaction.lag.ms"] = MinCompactionLagMs.ToString(inv);
        d["min.cleanable.dirty.ratio"] = MinCleanableDirtyRatio.ToString(inv);
        d["index.interval.bytes"] = IndexIntervalBytes.ToString(inv);
        d["max.message.bytes"] = MaxMessageBytes.ToString(inv);
        d["message.timestamp.type"] = LogAppendTime ? "LogAppendTime" : "CreateTime";
        d["flush.messages"] = FlushMessages.ToString(inv);
        d["flush.ms"] = FlushMs.ToString(inv);
        d["compression.type"] = CompressionType;
        return d;
    }

    private static (bool Compact, bool Delete) ParsePolicy(string key, string value)
    {
        bool compact = false, delete = false;
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            switch (part)
            {
                case "compact": compact = true; break;
                case "delete": delete = true; break;
                default: throw Invalid(key, value, "expected a list of 'compact' and/or 'delete'");
            }
        }
        return (compact, delete);
    }

    private static void ValidateLoosely(LogConfigKey key, string value)
    {
        var ok = key.Type switch
        {
            "LONG" => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
            "INT" => int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
            "BOOLEAN" => bool.TryParse(value, out _),
            _ => true,
        };
        if (!ok) throw Invalid(key.Name, value, $"expected a {key.Type.ToLowerInvariant()}");
    }

    private static int ParseInt(string key, string value, int min)
    {
        if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)) throw Invalid(key, value, "expected an int");
        if (v < min) throw Invalid(key, value, $"must be at least {min}");
        return v;
    }

    private static long ParseLong(string key, string value, long min)
    {
        if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)) throw Invalid(key, value, "expected a long");
        if (v < min) throw Invalid(key, value, $"must be at least {min}");
        return v;
    }

    private static ArgumentException Invalid(string key, string? value, string why)
        => new($"Invalid value '{value}' for topic config '{key}': {why}.", key);
}
