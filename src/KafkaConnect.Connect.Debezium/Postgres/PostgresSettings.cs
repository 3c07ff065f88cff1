using System.Text.RegularExpressions;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;
using Npgsql;

namespace KafkaConnect.Connect.Debezium.Postgres;

internal enum DecimalHandling
{
    Precise,
    Double,
    String,
}

internal enum TimePrecision
{
    Adaptive,
    AdaptiveTimeMicroseconds,
    Connect,
}

internal enum IntervalHandling
{
    Numeric,
    String,
}

internal enum SnapshotMode
{
    Initial,
    InitialOnly,
    Always,
    WhenNeeded,
    NoData,
}

internal enum PublicationAutocreate
{
    AllTables,
    Disabled,
    Filtered,
}

/// <summary>The parsed settings of one connector or task.</summary>
internal sealed class PostgresSettings
{
    private readonly Regex[] _include;
    private readonly Regex[] _exclude;
    private readonly Regex[] _columnInclude;
    private readonly Regex[] _columnExclude;
    private readonly string? _password;

    public PostgresSettings(IReadOnlyDictionary<string, string> props)
    {
        var config = new AbstractConfig(PostgresConnectorConfig.ConfigDef, props);
        Hostname = config.GetString(PostgresConnectorConfig.Hostname)!;
        Port = config.GetInt(PostgresConnectorConfig.Port);
        User = config.GetString(PostgresConnectorConfig.User)!;
        _password = config.GetPassword(PostgresConnectorConfig.Password)?.Value;
        DbName = config.GetString(PostgresConnectorConfig.DbName)!;
        TopicPrefix = config.GetString(PostgresConnectorConfig.TopicPrefix)!;
        SlotName = config.GetString(PostgresConnectorConfig.SlotName)!;
        SlotDropOnStop = config.GetBoolean(PostgresConnectorConfig.SlotDropOnStop);
        PublicationName = config.GetString(PostgresConnectorConfig.PublicationName)!;
        Autocreate = config.GetString(PostgresConnectorConfig.PublicationAutocreateMode) switch
        {
            "disabled" => PublicationAutocreate.Disabled,
            "filtered" => PublicationAutocreate.Filtered,
            _ => PublicationAutocreate.AllTables,
        };
        StatusUpdateInterval = TimeSpan.FromMilliseconds(config.GetInt(PostgresConnectorConfig.StatusUpdateIntervalMs));
        Snapshot = config.GetString(PostgresConnectorConfig.SnapshotMode) switch
        {
            "initial_only" => SnapshotMode.InitialOnly,
            "always" => SnapshotMode.Always,
            "when_needed" => SnapshotMode.WhenNeeded,
            "no_data" or "never" => SnapshotMode.NoData,
            _ => SnapshotMode.Initial,
        };
        (_include, _exclude) = Filters(config, PostgresConnectorConfig.TableIncludeList, PostgresConnectorConfig.TableExcludeList);
        (_columnInclude, _columnExclude) = Filters(config, PostgresConnectorConfig.ColumnIncludeList, PostgresConnectorConfig.ColumnExcludeList);
        KeyColumnPatterns = KeyColumns(config.GetString(PostgresConnectorConfig.MessageKeyColumns));
        TombstonesOnDelete = config.GetBoolean(PostgresConnectorConfig.TombstonesOnDelete);
        var skipped = config.GetList(PostgresConnectorConfig.SkippedOperations) ?? [];
        SkippedOperations = skipped.Contains("none") ? "" : string.Concat(skipped);
        Decimals = config.GetString(PostgresConnectorConfig.DecimalHandlingMode) switch
        {
            "double" => DecimalHandling.Double,
            "string" => DecimalHandling.String,
            _ => DecimalHandling.Precise,
        };
        Times = config.GetString(PostgresConnectorConfig.TimePrecisionMode) switch
        {
            "adaptive_time_microseconds" => TimePrecision.AdaptiveTimeMicroseconds,
            "connect" => TimePrecision.Connect,
            _ => TimePrecision.Adaptive,
        };
        ProvideTransactionMetadata = config.GetBoolean(PostgresConnectorConfig.ProvideTransactionMetadata);
        HeartbeatInterval = TimeSpan.FromMilliseconds(config.GetInt(PostgresConnectorConfig.HeartbeatIntervalMs));
        HeartbeatTopic = config.GetString(PostgresConnectorConfig.TopicHeartbeatPrefix) + "." + TopicPrefix;
        Intervals = config.GetString(PostgresConnectorConfig.IntervalHandlingMode) == "string" ? IntervalHandling.String : IntervalHandling.Numeric;
        MaxRetries = config.GetInt(PostgresConnectorConfig.ErrorsMaxRetries);
        RetryWait = TimeSpan.FromMilliseconds(config.GetLong(PostgresConnectorConfig.RetriableRestartWaitMs));
        PollInterval = TimeSpan.FromMilliseconds(config.GetLong(PostgresConnectorConfig.PollIntervalMs));
        MaxBatchSize = config.GetInt(PostgresConnectorConfig.MaxBatchSize);
        MaxQueueSize = config.GetInt(PostgresConnectorConfig.MaxQueueSize);
    }

    public string Hostname { get; }

    public int Port { get; }

    public string User { get; }

    public string DbName { get; }

    public string TopicPrefix { get; }

    public string SlotName { get; }

    public bool SlotDropOnStop { get; }

    public string PublicationName { get; }

    public PublicationAutocreate Autocreate { get; }

    public TimeSpan StatusUpdateInterval { get; }

    public SnapshotMode Snapshot { get; }

    public bool TombstonesOnDelete { get; }

    /// <summary>message.key.columns as regexes over whole <c>schema.table.column</c> names, in the order given; empty when unset.</summary>
    public IReadOnlyList<Regex> KeyColumnPatterns { get; }

    /// <summary>The op codes (c, u, d, t) not to emit, concatenated.</summary>
    public string SkippedOperations { get; }

    public DecimalHandling Decimals { get; }

    public TimePrecision Times { get; }

    public IntervalHandling Intervals { get; }

    public bool ProvideTransactionMetadata { get; }

    /// <summary>Where BEGIN and END records go: <c>&lt;topic.prefix&gt;.transaction</c>, as Debezium's default topic naming.</summary>
    public string TransactionTopic => TopicPrefix + ".transaction";

    /// <summary>Zero when heartbeats are off.</summary>
    public TimeSpan HeartbeatInterval { get; }

    /// <summary><c>&lt;topic.heartbeat.prefix&gt;.&lt;topic.prefix&gt;</c>.</summary>
    public string HeartbeatTopic { get; }

    /// <summary>errors.max.retries: -1 without limit.</summary>
    public int MaxRetries { get; }

    public TimeSpan RetryWait { get; }

    public TimeSpan PollInterval { get; }

    public int MaxBatchSize { get; }

    public int MaxQueueSize { get; }

    /// <summary>The source partition of every record and offset: Debezium's <c>{"server": topic.prefix}</c>.</summary>
    public IReadOnlyDictionary<string, object?> SourcePartition => new Dictionary<string, object?> { ["server"] = TopicPrefix };

    public bool Skips(char op) => SkippedOperations.Contains(op, StringComparison.Ordinal);

    /// <summary>Whether the table <paramref name="schema"/>.<paramref name="table"/> is captured.</summary>
    public bool Captures(string schema, string table)
    {
        if (schema is "pg_catalog" or "information_schema")
        {
            return false;
        }
        var name = schema + "." + table;
        if (_include.Length > 0)
        {
            return _include.Any(r => r.IsMatch(name));
        }
        return !_exclude.Any(r => r.IsMatch(name));
    }

    /// <summary>Whether column <paramref name="column"/> of <paramref name="schema"/>.<paramref name="table"/> is in events' before and after.</summary>
    public bool IncludesColumn(string schema, string table, string column)
    {
        var name = schema + "." + table + "." + column;
        if (_columnInclude.Length > 0)
        {
            return _columnInclude.Any(r => r.IsMatch(name));
        }
        return !_columnExclude.Any(r => r.IsMatch(name));
    }

    /// <summary>A regular connection's settings; dates and times come back in UTC and ISO format, as the value parsers expect.</summary>
    public string ConnectionString(bool replication = false)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = Hostname,
            Port = Port,
            Username = User,
            Password = _password,
            Database = DbName,
            Timezone = "UTC",
            Options = "-c DateStyle=ISO -c IntervalStyle=postgres -c extra_float_digits=3",
            ApplicationName = replication ? "kconnect-cdc-" + SlotName : "kconnect-cdc",
            Pooling = false,
        };
        return builder.ConnectionString;
    }

    /// <summary>An include/exclude pair of regex lists; they are mutually exclusive, as in Debezium.</summary>
    private static (Regex[] Include, Regex[] Exclude) Filters(AbstractConfig config, string includeKey, string excludeKey)
    {
        var include = config.GetList(includeKey) ?? [];
        var exclude = config.GetList(excludeKey) ?? [];
        if (include.Count > 0 && exclude.Count > 0)
        {
            throw new ConfigException(excludeKey, string.Join(",", exclude), $"{includeKey} and {excludeKey} cannot both be set");
        }
        return ([.. include.Select(Anchored)], [.. exclude.Select(Anchored)]);
    }

    // Debezium turns "t1:a,b;t2:c" into the column regexes t1.a, t1.b, t2.c (the dot unescaped, as there).
    private static Regex[] KeyColumns(string? text) =>
        string.IsNullOrWhiteSpace(text) ? [] : [.. text.Split(';')
            .Select(entry => entry.Split(':', 2))
            .SelectMany(parts => parts[1].Split(',').Select(column => Anchored(parts[0].Trim() + "." + column.Trim())))];

    // Debezium matches a filter against the whole name, ignoring case.
    private static Regex Anchored(string pattern) =>
        new("^(?:" + pattern + ")$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
}
