using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Jdbc.Dialects;

namespace KafkaConnect.Connect.Jdbc.Source;

/// <summary>
/// The JDBC source's settings, with Confluent's names and defaults so existing connector configs run unchanged.
/// </summary>
public static class JdbcSourceConfig
{
    public const string ConnectionUrl = "connection.url";
    public const string ConnectionUser = "connection.user";
    public const string ConnectionPassword = "connection.password";
    public const string ConnectionAttempts = "connection.attempts";
    public const string ConnectionBackoffMs = "connection.backoff.ms";
    public const string DialectName = "dialect.name";
    public const string Mode = "mode";
    public const string IncrementingColumnName = "incrementing.column.name";
    public const string TimestampColumnName = "timestamp.column.name";
    public const string TimestampInitial = "timestamp.initial";
    public const string TimestampDelayIntervalMs = "timestamp.delay.interval.ms";
    public const string ValidateNonNull = "validate.non.null";
    public const string DbTimezone = "db.timezone";
    public const string Query = "query";
    public const string QuerySuffix = "query.suffix";
    public const string QueryRetryAttempts = "query.retry.attempts";
    public const string TableWhitelist = "table.whitelist";
    public const string TableBlacklist = "table.blacklist";
    public const string TableTypes = "table.types";
    public const string SchemaPattern = "schema.pattern";
    public const string CatalogPattern = "catalog.pattern";
    public const string NumericMappingKey = "numeric.mapping";
    public const string NumericPrecisionMapping = "numeric.precision.mapping";
    public const string QuoteSqlIdentifiers = "quote.sql.identifiers";
    public const string TopicPrefix = "topic.prefix";
    public const string PollIntervalMs = "poll.interval.ms";
    public const string BatchMaxRows = "batch.max.rows";
    public const string TablePollIntervalMs = "table.poll.interval.ms";
    public const string TableMonitoringStartupPollingLimitMs = "table.monitoring.startup.polling.limit.ms";

    /// <summary>Task-only: the tables assigned to one task, as unquoted dotted names.</summary>
    public const string Tables = "tables";

    /// <summary>Task-only: false while the connector has not listed the database's tables yet.</summary>
    public const string TablesFetched = "tables.fetched";

    public const string ModeBulk = "bulk";
    public const string ModeIncrementing = "incrementing";
    public const string ModeTimestamp = "timestamp";
    public const string ModeTimestampIncrementing = "timestamp+incrementing";

    /// <summary>timestamp.initial value meaning "the database's current time".</summary>
    public const long TimestampInitialCurrent = -1;

    private const string DatabaseGroup = "Database";
    private const string ModeGroup = "Mode";
    private const string ConnectorGroup = "Connector";

    private static readonly IValidator s_timeZoneValidator = ConfigDef.LambdaValidator.With(
        (name, value) =>
        {
            if (value is string s && !TryFindTimeZone(s, out _))
            {
                throw new ConfigException(name, value, "Invalid time zone identifier");
            }
        },
        "Any valid time zone id");

    /// <summary>The connector's settings.</summary>
    public static ConfigDef ConfigDef { get; } = BuildConnectorConfig();

    /// <summary>The connector's settings plus the task-only ones.</summary>
    internal static ConfigDef TaskConfigDef { get; } = new ConfigDef(ConfigDef)
        .Define(Tables, ConfigType.List, "", Importance.High, "List of tables for this task to watch for changes.")
        .Define(TablesFetched, ConfigType.Boolean, true, Importance.Low, "Whether the connector had listed the tables when it made this task's configuration.");

    private static ConfigDef BuildConnectorConfig()
    {
        var order = 0;
        var def = new ConfigDef()
            .Define(ConnectionUrl, ConfigType.String, ConfigDef.NoDefaultValue, ConfigDef.NonEmptyString.Instance, Importance.High,
                "JDBC connection URL, e.g. jdbc:postgresql://localhost:5432/db, jdbc:mysql://host:3306/db, jdbc:sqlite:/path/file.db.",
                DatabaseGroup, ++order, Width.Long, "JDBC URL")
            .Define(ConnectionUser, ConfigType.String, null, null, Importance.High, "JDBC connection user.",
                DatabaseGroup, ++order, Width.Long, "JDBC User")
            .Define(ConnectionPassword, ConfigType.Password, null, null, Importance.High, "JDBC connection password.",
                DatabaseGroup, ++order, Width.Short, "JDBC Password")
            .Define(ConnectionAttempts, ConfigType.Int, 3, ConfigDef.Range.AtLeast(1), Importance.Low,
                "Maximum number of attempts to retrieve a valid JDBC connection. Must be a positive integer.",
                DatabaseGroup, ++order, Width.Short, "JDBC connection attempts")
            .Define(ConnectionBackoffMs, ConfigType.Long, 10_000L, null, Importance.Low,
                "Backoff time in milliseconds between connection attempts.",
                DatabaseGroup, ++order, Width.Short, "JDBC connection backoff in milliseconds")
            .Define(TableWhitelist, ConfigType.List, "", null, Importance.Medium,
                "List of tables to include in copying. If specified, table.blacklist may not be set. Use a comma-separated list "
                + "of table names, schema-qualified names or fully-qualified names.",
                DatabaseGroup, ++order, Width.Long, "Table Whitelist")
            .Define(TableBlacklist, ConfigType.List, "", null, Importance.Medium,
                "List of tables to exclude from copying. If specified, table.whitelist may not be set.",
                DatabaseGroup, ++order, Width.Long, "Table Blacklist")
            .Define(CatalogPattern, ConfigType.String, null, null, Importance.Medium,
                "Catalog pattern (SQL LIKE) to fetch table metadata from the database; unset means all catalogs.",
                DatabaseGroup, ++order, Width.Short, "Catalog pattern")
            .Define(SchemaPattern, ConfigType.String, null, null, Importance.High,
                "Schema pattern (SQL LIKE) to fetch table metadata from the database; unset means all schemas.",
                DatabaseGroup, ++order, Width.Short, "Schema pattern")
            .Define(NumericPrecisionMapping, ConfigType.Boolean, false, null, Importance.Low,
                "Deprecated: use numeric.mapping=precision_only instead.",
                DatabaseGroup, ++order, Width.Short, "Map Numeric Values By Precision (deprecated)")
            .Define(NumericMappingKey, ConfigType.String, null,
                ConfigDef.LambdaValidator.With((name, value) =>
                {
                    if (value is string s && !TryParseNumericMapping(s, out _))
                    {
                        throw new ConfigException(name, value, "Must be one of none, precision_only, best_fit, best_fit_eager_double");
                    }
                }, "[none, precision_only, best_fit, best_fit_eager_double]"),
                Importance.Low,
                "Map NUMERIC values by precision and optionally scale to integral or decimal types. 'none' maps every NUMERIC "
                + "to the Decimal logical type; 'precision_only' maps NUMERIC columns with scale 0 to the smallest integer type "
                + "that fits their precision; 'best_fit' additionally maps columns with scale > 0 and precision <= 18 to FLOAT64.",
                DatabaseGroup, ++order, Width.Short, "Map Numeric Values, Integral or Decimal, By Precision and Scale")
            .Define(DialectName, ConfigType.String, "", null, Importance.Low,
                "The dialect to use; by default it is chosen from the JDBC URL.",
                DatabaseGroup, ++order, Width.Long, "Database Dialect")
            .Define(TableTypes, ConfigType.List, "TABLE", null, Importance.Low,
                "By default the connector copies only tables; set to TABLE,VIEW to also copy views.",
                DatabaseGroup, ++order, Width.Medium, "Table Types")
            .Define(QuoteSqlIdentifiers, ConfigType.String, "always", ConfigDef.ValidString.InIgnoringCase("always", "never"), Importance.Medium,
                "When to quote table names, column names and other identifiers in SQL statements.",
                DatabaseGroup, ++order, Width.Medium, "Quote Identifiers");

        order = 0;
        def.Define(Mode, ConfigType.String, "",
                ConfigDef.ValidString.In("", ModeBulk, ModeTimestamp, ModeIncrementing, ModeTimestampIncrementing), Importance.High,
                "The mode for updating a table each time it is polled: 'bulk' copies the whole table each time; 'incrementing' "
                + "uses a strictly increasing column to detect only new rows; 'timestamp' uses a timestamp (or timestamp-like) "
                + "column to detect new and modified rows; 'timestamp+incrementing' uses both, so each row is copied once even "
                + "when several share a timestamp.",
                ModeGroup, ++order, Width.Medium, "Table Loading Mode",
                [IncrementingColumnName, TimestampColumnName, ValidateNonNull])
            .Define(IncrementingColumnName, ConfigType.String, "", null, Importance.Medium,
                "The name of the strictly incrementing column used to detect new rows. Empty means autodetect the "
                + "auto-increment column. The column may not be nullable.",
                ModeGroup, ++order, Width.Medium, "Incrementing Column Name")
            .Define(TimestampColumnName, ConfigType.List, "", null, Importance.Medium,
                "Comma-separated list of one or more timestamp columns used to detect new or modified rows, with "
                + "COALESCE SQL semantics: the first non-null column of each row is used.",
                ModeGroup, ++order, Width.Medium, "Timestamp Column Name")
            .Define(TimestampInitial, ConfigType.Long, null, null, Importance.Low,
                "The epoch timestamp in milliseconds used for the first query in timestamp modes; -1 means the current time. "
                + "Unset reads all data. Ignored once an offset was stored.",
                ModeGroup, ++order, Width.Medium, "Unix time value of initial timestamp")
            .Define(ValidateNonNull, ConfigType.Boolean, true, null, Importance.Low,
                "Whether to check at startup that the incrementing and timestamp columns are NOT NULL.",
                ModeGroup, ++order, Width.Short, "Validate Non Null")
            .Define(Query, ConfigType.String, "", null, Importance.Medium,
                "If specified, the query to run to select new or updated rows. The WHERE clause of the incremental modes is "
                + "appended to it, so use a subquery to filter or join. Setting this copies only this query's result to "
                + "the topic named by topic.prefix.",
                ModeGroup, ++order, Width.Short, "Query")
            .Define(QuerySuffix, ConfigType.String, "", null, Importance.Low,
                "Suffix appended to the generated query, e.g. a locking hint.",
                ModeGroup, ++order, Width.Medium, "Query suffix")
            .Define(QueryRetryAttempts, ConfigType.Int, -1, null, Importance.Low,
                "Number of times to retry a failing query before failing the task; -1 retries forever.",
                ModeGroup, ++order, Width.Short, "Query Retry Attempts");

        order = 0;
        def.Define(PollIntervalMs, ConfigType.Int, 5000, ConfigDef.Range.AtLeast(0), Importance.High,
                "Frequency in ms to poll for new data in each table.",
                ConnectorGroup, ++order, Width.Short, "Poll Interval (ms)")
            .Define(BatchMaxRows, ConfigType.Int, 100, ConfigDef.Range.AtLeast(1), Importance.Low,
                "Maximum number of rows to include in a single batch when polling for new data.",
                ConnectorGroup, ++order, Width.Short, "Max Rows Per Batch")
            .Define(TablePollIntervalMs, ConfigType.Long, 60_000L, ConfigDef.Range.AtLeast(1), Importance.Low,
                "Frequency in ms to poll for new or removed tables, which may result in updated task configurations.",
                ConnectorGroup, ++order, Width.Short, "Metadata Change Monitoring Interval (ms)")
            .Define(TableMonitoringStartupPollingLimitMs, ConfigType.Long, 10_000L, ConfigDef.Range.AtLeast(0), Importance.Low,
                "How long to wait for the first table listing before making task configurations.",
                ConnectorGroup, ++order, Width.Short, "Table monitoring startup polling limit (ms)")
            .Define(TopicPrefix, ConfigType.String, ConfigDef.NoDefaultValue, null, Importance.High,
                "Prefix to prepend to table names to generate the topic names; in query mode, the full topic name.",
                ConnectorGroup, ++order, Width.Medium, "Topic Prefix")
            .Define(TimestampDelayIntervalMs, ConfigType.Long, 0L, ConfigDef.Range.AtLeast(0), Importance.High,
                "How long to wait after a row with a certain timestamp appears before including it, so transactions with "
                + "earlier timestamps that commit later are not missed.",
                ConnectorGroup, ++order, Width.Medium, "Delay Interval (ms)")
            .Define(DbTimezone, ConfigType.String, "UTC", s_timeZoneValidator, Importance.Medium,
                "Name of the time zone used for timestamps without a time zone (and for timestamp offsets).",
                ConnectorGroup, ++order, Width.Medium, "DB time zone");
        return def;
    }

    internal static bool TryParseNumericMapping(string? text, out NumericMapping mapping)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "none": mapping = NumericMapping.None; return true;
            case "precision_only": mapping = NumericMapping.PrecisionOnly; return true;
            case "best_fit": mapping = NumericMapping.BestFit; return true;
            case "best_fit_eager_double": mapping = NumericMapping.BestFitEagerDouble; return true;
            default: mapping = NumericMapping.None; return false;
        }
    }

    internal static bool TryFindTimeZone(string id, out TimeZoneInfo zone)
    {
        if (string.Equals(id, "UTC", StringComparison.OrdinalIgnoreCase) || string.Equals(id, "Z", StringComparison.Ordinal))
        {
            zone = TimeZoneInfo.Utc;
            return true;
        }
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            zone = TimeZoneInfo.Utc;
            return false;
        }
    }
}

/// <summary>Parsed source settings shared by the connector and its tasks.</summary>
internal sealed class JdbcSourceSettings
{
    public JdbcSourceSettings(IReadOnlyDictionary<string, string> props, bool forTask)
    {
        var config = new AbstractConfig(forTask ? JdbcSourceConfig.TaskConfigDef : JdbcSourceConfig.ConfigDef, props);
        Url = config.GetString(JdbcSourceConfig.ConnectionUrl)!;
        User = config.GetString(JdbcSourceConfig.ConnectionUser);
        Password = config.GetPassword(JdbcSourceConfig.ConnectionPassword)?.Value;
        Attempts = config.GetInt(JdbcSourceConfig.ConnectionAttempts);
        BackoffMs = config.GetLong(JdbcSourceConfig.ConnectionBackoffMs);
        Mode = config.GetString(JdbcSourceConfig.Mode) ?? "";
        IncrementingColumn = config.GetString(JdbcSourceConfig.IncrementingColumnName) ?? "";
        TimestampColumns = NonEmpty(config.GetList(JdbcSourceConfig.TimestampColumnName));
        TimestampInitial = config.Get(JdbcSourceConfig.TimestampInitial) as long?;
        TimestampDelayMs = config.GetLong(JdbcSourceConfig.TimestampDelayIntervalMs);
        ValidateNonNull = config.GetBoolean(JdbcSourceConfig.ValidateNonNull);
        JdbcSourceConfig.TryFindTimeZone(config.GetString(JdbcSourceConfig.DbTimezone) ?? "UTC", out var zone);
        DbTimeZone = zone;
        Query = config.GetString(JdbcSourceConfig.Query) ?? "";
        QuerySuffix = config.GetString(JdbcSourceConfig.QuerySuffix) ?? "";
        QueryRetryAttempts = config.GetInt(JdbcSourceConfig.QueryRetryAttempts);
        Whitelist = NonEmpty(config.GetList(JdbcSourceConfig.TableWhitelist));
        Blacklist = NonEmpty(config.GetList(JdbcSourceConfig.TableBlacklist));
        TableTypes = NonEmpty(config.GetList(JdbcSourceConfig.TableTypes));
        SchemaPattern = config.GetString(JdbcSourceConfig.SchemaPattern);
        CatalogPattern = config.GetString(JdbcSourceConfig.CatalogPattern);
        var mappingText = config.GetString(JdbcSourceConfig.NumericMappingKey);
        if (mappingText is not null && JdbcSourceConfig.TryParseNumericMapping(mappingText, out var mapping))
        {
            NumericMapping = mapping;
        }
        else
        {
            NumericMapping = config.GetBoolean(JdbcSourceConfig.NumericPrecisionMapping) ? NumericMapping.PrecisionOnly : NumericMapping.None;
        }
        QuoteIdentifiers = !string.Equals(config.GetString(JdbcSourceConfig.QuoteSqlIdentifiers), "never", StringComparison.OrdinalIgnoreCase);
        TopicPrefix = config.GetString(JdbcSourceConfig.TopicPrefix) ?? "";
        PollIntervalMs = config.GetInt(JdbcSourceConfig.PollIntervalMs);
        BatchMaxRows = config.GetInt(JdbcSourceConfig.BatchMaxRows);
        TablePollIntervalMs = config.GetLong(JdbcSourceConfig.TablePollIntervalMs);
        StartupPollingLimitMs = config.GetLong(JdbcSourceConfig.TableMonitoringStartupPollingLimitMs);
        if (forTask)
        {
            Tables = NonEmpty(config.GetList(JdbcSourceConfig.Tables));
            TablesFetched = config.GetBoolean(JdbcSourceConfig.TablesFetched);
        }
    }

    public string Url { get; }
    public string? User { get; }
    public string? Password { get; }
    public int Attempts { get; }
    public long BackoffMs { get; }
    public string Mode { get; }
    public string IncrementingColumn { get; }
    public IReadOnlyList<string> TimestampColumns { get; }
    public long? TimestampInitial { get; }
    public long TimestampDelayMs { get; }
    public bool ValidateNonNull { get; }
    public TimeZoneInfo DbTimeZone { get; }
    public string Query { get; }
    public bool IsQueryMode => Query.Length > 0;
    public string QuerySuffix { get; }
    public int QueryRetryAttempts { get; }
    public IReadOnlyList<string> Whitelist { get; }
    public IReadOnlyList<string> Blacklist { get; }
    public IReadOnlyList<string> TableTypes { get; }
    public string? SchemaPattern { get; }
    public string? CatalogPattern { get; }
    public NumericMapping NumericMapping { get; }
    public bool QuoteIdentifiers { get; }
    public string TopicPrefix { get; }
    public int PollIntervalMs { get; }
    public int BatchMaxRows { get; }
    public long TablePollIntervalMs { get; }
    public long StartupPollingLimitMs { get; }
    public IReadOnlyList<string> Tables { get; } = [];
    public bool TablesFetched { get; } = true;

    public bool UsesIncrementing => Mode is JdbcSourceConfig.ModeIncrementing or JdbcSourceConfig.ModeTimestampIncrementing;

    public bool UsesTimestamp => Mode is JdbcSourceConfig.ModeTimestamp or JdbcSourceConfig.ModeTimestampIncrementing;

    public JdbcConnectionInfo ConnectionInfo()
    {
        var info = JdbcConnectionInfo.Create(Url, User, Password, Attempts, BackoffMs);
        info.Dialect.QuoteIdentifiers = QuoteIdentifiers;
        return info;
    }

    /// <summary>Cross-setting problems (setting name → message), as Confluent's validation reports them.</summary>
    public static List<(string Key, string Message)> CrossCheck(IReadOnlyDictionary<string, string> props)
    {
        var problems = new List<(string, string)>();
        string Get(string key) => props.TryGetValue(key, out var v) ? v.Trim() : "";
        var mode = Get(JdbcSourceConfig.Mode);
        if (mode.Length == 0)
        {
            problems.Add((JdbcSourceConfig.Mode, "Mode must be specified: bulk, timestamp, incrementing or timestamp+incrementing."));
        }
        var hasWhitelist = Get(JdbcSourceConfig.TableWhitelist).Length > 0;
        var hasBlacklist = Get(JdbcSourceConfig.TableBlacklist).Length > 0;
        if (hasWhitelist && hasBlacklist)
        {
            problems.Add((JdbcSourceConfig.TableWhitelist, "table.whitelist and table.blacklist may not be combined."));
            problems.Add((JdbcSourceConfig.TableBlacklist, "table.whitelist and table.blacklist may not be combined."));
        }
        if (Get(JdbcSourceConfig.Query).Length > 0 && (hasWhitelist || hasBlacklist))
        {
            problems.Add((JdbcSourceConfig.Query, "query may not be combined with whole-table copying settings (table.whitelist/table.blacklist)."));
        }
        if (mode is JdbcSourceConfig.ModeTimestamp or JdbcSourceConfig.ModeTimestampIncrementing && Get(JdbcSourceConfig.TimestampColumnName).Length == 0)
        {
            problems.Add((JdbcSourceConfig.TimestampColumnName, $"timestamp.column.name is required in mode '{mode}'."));
        }
        return problems;
    }

    private static IReadOnlyList<string> NonEmpty(IReadOnlyList<string>? list)
    {
        if (list is null || list.Count == 0)
        {
            return [];
        }
        var result = new List<string>(list.Count);
        foreach (var item in list)
        {
            var trimmed = item.Trim();
            if (trimmed.Length > 0)
            {
                result.Add(trimmed);
            }
        }
        return result;
    }
}
