using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Jdbc.Dialects;

namespace KafkaConnect.Connect.Jdbc.Sink;

public enum InsertMode
{
    Insert,
    Upsert,
    Update,
}

public enum PrimaryKeyMode
{
    None,
    Kafka,
    RecordKey,
    RecordValue,
}

/// <summary>The JDBC sink's settings (Confluent's JdbcSinkConfig keys and defaults, plus OpenMLDB's extensions).</summary>
public sealed class JdbcSinkConfig
{
    public const string ConnectionUrl = "connection.url";
    public const string ConnectionUser = "connection.user";
    public const string ConnectionPassword = "connection.password";
    public const string ConnectionAttempts = "connection.attempts";
    public const string ConnectionBackoffMs = "connection.backoff.ms";
    public const string DialectName = "dialect.name";
    public const string InsertModeConfig = "insert.mode";
    public const string BatchSize = "batch.size";
    public const string DeleteEnabled = "delete.enabled";
    public const string TableNameFormat = "table.name.format";
    public const string TopicTableMapping = "topic.table.mapping";
    public const string PkMode = "pk.mode";
    public const string PkFields = "pk.fields";
    public const string FieldsWhitelist = "fields.whitelist";
    public const string DbTimezone = "db.timezone";
    public const string AutoCreate = "auto.create";
    public const string AutoEvolve = "auto.evolve";
    public const string QuoteSqlIdentifiers = "quote.sql.identifiers";
    public const string MaxRetries = "max.retries";
    public const string RetryBackoffMs = "retry.backoff.ms";
    public const string AutoSchema = "auto.schema";

    private const string ConnectionGroup = "Connection";
    private const string WritesGroup = "Writes";
    private const string DataMappingGroup = "Data Mapping";
    private const string DdlGroup = "DDL Support";
    private const string RetriesGroup = "Retries";

    public static readonly ConfigDef Definition = new ConfigDef()
        .Define(ConnectionUrl, ConfigType.String, ConfigDef.NoDefaultValue, ConfigDef.NonEmptyString.Instance, Importance.High,
            "JDBC connection URL, e.g. jdbc:postgresql://localhost:5432/db, jdbc:mysql://..., jdbc:mariadb://..., jdbc:sqlite:/path/file.db, jdbc:sqlserver://...", ConnectionGroup, 1)
        .Define(ConnectionUser, ConfigType.String, null, null, Importance.High, "JDBC connection user.", ConnectionGroup, 2)
        .Define(ConnectionPassword, ConfigType.Password, null, null, Importance.High, "JDBC connection password.", ConnectionGroup, 3)
        .Define(ConnectionAttempts, ConfigType.Int, 3, ConfigDef.Range.AtLeast(1), Importance.Low,
            "Maximum number of attempts to retrieve a valid JDBC connection.", ConnectionGroup, 4)
        .Define(ConnectionBackoffMs, ConfigType.Long, 10_000L, ConfigDef.Range.AtLeast(0), Importance.Low,
            "Backoff time in milliseconds between connection attempts.", ConnectionGroup, 5)
        .Define(DialectName, ConfigType.String, "", null, Importance.Low,
            "The dialect to use; empty picks it from the connection URL.", ConnectionGroup, 6)
        .Define(InsertModeConfig, ConfigType.String, "insert", ConfigDef.ValidString.InIgnoringCase("insert", "upsert", "update"), Importance.High,
            "The insertion mode: insert (standard INSERT), upsert (the database's upsert if supported), update (UPDATE only).", WritesGroup, 1)
        .Define(BatchSize, ConfigType.Int, 3000, ConfigDef.Range.AtLeast(0), Importance.Medium,
            "How many records to batch together per statement, when possible.", WritesGroup, 2)
        .Define(DeleteEnabled, ConfigType.Boolean, false, null, Importance.Medium,
            "Whether to treat null record values as deletes. Requires pk.mode to be record_key.", WritesGroup, 3)
        .Define(TableNameFormat, ConfigType.String, "${topic}", null, Importance.Medium,
            "A format string for the destination table name; ${topic} is replaced by the topic name.", DataMappingGroup, 1)
        .Define(TopicTableMapping, ConfigType.String, "", null, Importance.Medium,
            "Explicit topic-to-table mapping, topicA:tableA,topicB:tableB; takes precedence over table.name.format.", DataMappingGroup, 2)
        .Define(PkMode, ConfigType.String, "none", ConfigDef.ValidString.InIgnoringCase("none", "kafka", "record_key", "record_value"), Importance.High,
            "The primary key mode: none, kafka (topic, partition, offset), record_key, record_value.", DataMappingGroup, 3)
        .Define(PkFields, ConfigType.List, "", null, Importance.Medium,
            "Primary key field names; their meaning depends on pk.mode.", DataMappingGroup, 4)
        .Define(FieldsWhitelist, ConfigType.List, "", null, Importance.Medium,
            "Record value fields to write; empty means all.", DataMappingGroup, 5)
        .Define(DbTimezone, ConfigType.String, "UTC", null, Importance.Medium,
            "Time zone for writing temporal values to columns without a time zone.", DataMappingGroup, 6)
        .Define(AutoSchema, ConfigType.Boolean, false, null, Importance.Medium,
            "Read schemaless JSON records (maps) against the destination table's own columns.", DataMappingGroup, 7)
        .Define(AutoCreate, ConfigType.Boolean, false, null, Importance.Medium,
            "Whether to create the destination table (CREATE TABLE) from the record schema when missing.", DdlGroup, 1)
        .Define(AutoEvolve, ConfigType.Boolean, false, null, Importance.Medium,
            "Whether to add columns (ALTER TABLE) for new record schema fields.", DdlGroup, 2)
        .Define(QuoteSqlIdentifiers, ConfigType.String, "always", ConfigDef.ValidString.InIgnoringCase("always", "never"), Importance.Medium,
            "When to quote table names, column names and other identifiers in SQL statements.", DdlGroup, 3)
        .Define(MaxRetries, ConfigType.Int, 10, ConfigDef.Range.AtLeast(0), Importance.Medium,
            "The maximum number of times to retry on errors before failing the task.", RetriesGroup, 1)
        .Define(RetryBackoffMs, ConfigType.Int, 3000, ConfigDef.Range.AtLeast(0), Importance.Medium,
            "The time in milliseconds to wait following an error before a retry attempt is made.", RetriesGroup, 2);

    /// <exception cref="ConfigException">A setting is invalid, or settings contradict each other (<see cref="CrossCheck"/>).</exception>
    public JdbcSinkConfig(IReadOnlyDictionary<string, string> props)
        : this(props, crossCheck: true)
    {
    }

    private JdbcSinkConfig(IReadOnlyDictionary<string, string> props, bool crossCheck)
    {
        var c = new AbstractConfig(Definition, props);
        Url = c.GetString(ConnectionUrl)!;
        User = c.GetString(ConnectionUser);
        Password = c.GetPassword(ConnectionPassword)?.Value;
        Attempts = c.GetInt(ConnectionAttempts);
        BackoffMs = c.GetLong(ConnectionBackoffMs);
        InsertMode = Enum.Parse<InsertMode>(c.GetString(InsertModeConfig)!, ignoreCase: true);
        BatchSizeValue = Math.Max(1, c.GetInt(BatchSize));
        DeleteEnabledValue = c.GetBoolean(DeleteEnabled);
        TableFormat = c.GetString(TableNameFormat)!;
        PkModeValue = c.GetString(PkMode)!.ToLowerInvariant() switch
        {
            "kafka" => PrimaryKeyMode.Kafka,
            "record_key" => PrimaryKeyMode.RecordKey,
            "record_value" => PrimaryKeyMode.RecordValue,
            _ => PrimaryKeyMode.None,
        };
        PkFieldsValue = c.GetList(PkFields) ?? [];
        Whitelist = new HashSet<string>(c.GetList(FieldsWhitelist) ?? [], StringComparer.Ordinal);
        var zone = c.GetString(DbTimezone)!;
        try
        {
            TimeZone = zone is "UTC" or "Z" ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(zone);
        }
        catch (TimeZoneNotFoundException e)
        {
            throw new ConfigException(DbTimezone, zone, "unknown time zone: " + e.Message);
        }
        AutoCreateValue = c.GetBoolean(AutoCreate);
        AutoEvolveValue = c.GetBoolean(AutoEvolve);
        QuoteIdentifiers = !string.Equals(c.GetString(QuoteSqlIdentifiers), "never", StringComparison.OrdinalIgnoreCase);
        MaxRetriesValue = c.GetInt(MaxRetries);
        RetryBackoff = c.GetInt(RetryBackoffMs);
        AutoSchemaValue = c.GetBoolean(AutoSchema);
        TopicTables = ParseMapping(c.GetString(TopicTableMapping) ?? "");
        if (crossCheck && Problems().FirstOrDefault() is { Key: not null } problem)
        {
            throw new ConfigException(problem.Key, problem.Value, problem.Message);
        }
    }

    /// <summary>
    /// The cross-setting rules, for REST validate: each problem names the setting to report it on. Settings that are
    /// invalid on their own are left to the per-setting validation (nothing is reported here for them).
    /// </summary>
    public static IReadOnlyList<(string Key, string Message)> CrossCheck(IReadOnlyDictionary<string, string> props)
    {
        try
        {
            return [.. new JdbcSinkConfig(props, crossCheck: false).Problems().Select(p => (p.Key, p.Message))];
        }
        catch (ConfigException)
        {
            return [];
        }
    }

    private List<(string Key, string Value, string Message)> Problems()
    {
        var problems = new List<(string, string, string)>();
        if (DeleteEnabledValue && PkModeValue != PrimaryKeyMode.RecordKey)
        {
            problems.Add((DeleteEnabled, "true", "delete.enabled requires pk.mode=record_key"));
        }
        if (InsertMode != InsertMode.Insert && PkModeValue == PrimaryKeyMode.None && !AutoSchemaValue)
        {
            problems.Add((PkMode, "none", $"insert.mode={InsertMode.ToString().ToLowerInvariant()} needs a primary key (pk.mode other than none)"));
        }
        return problems;
    }

    public string Url { get; }
    public string? User { get; }
    public string? Password { get; }
    public int Attempts { get; }
    public long BackoffMs { get; }
    public InsertMode InsertMode { get; }
    public int BatchSizeValue { get; }
    public bool DeleteEnabledValue { get; }
    public string TableFormat { get; }
    public IReadOnlyDictionary<string, string> TopicTables { get; }
    public PrimaryKeyMode PkModeValue { get; }
    public IReadOnlyList<string> PkFieldsValue { get; }
    public IReadOnlySet<string> Whitelist { get; }
    public TimeZoneInfo TimeZone { get; }
    public bool AutoCreateValue { get; }
    public bool AutoEvolveValue { get; }
    public bool QuoteIdentifiers { get; }
    public int MaxRetriesValue { get; }
    public int RetryBackoff { get; }
    public bool AutoSchemaValue { get; }

    /// <summary>The destination table name for a topic: the explicit mapping first, then table.name.format.</summary>
    public string TableNameFor(string topic) =>
        TopicTables.TryGetValue(topic, out var table) ? table : TableFormat.Replace("${topic}", topic, StringComparison.Ordinal);

    internal JdbcConnectionInfo ConnectionInfo()
    {
        var url = JdbcUrl.Parse(Url, User, Password);
        url.Dialect.QuoteIdentifiers = QuoteIdentifiers;
        return new JdbcConnectionInfo(url.Dialect, url.ConnectionString, Attempts, TimeSpan.FromMilliseconds(BackoffMs));
    }

    private static Dictionary<string, string> ParseMapping(string text)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = entry.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || colon == entry.Length - 1)
            {
                throw new ConfigException(TopicTableMapping, text, $"entry '{entry}' is not topic:table");
            }
            map[entry[..colon].Trim()] = entry[(colon + 1)..].Trim();
        }
        return map;
    }
}
