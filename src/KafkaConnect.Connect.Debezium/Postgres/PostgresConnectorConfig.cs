using System.Text.RegularExpressions;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Debezium.Postgres;

/// <summary>
/// The PostgreSQL connector's settings, with Debezium's names and defaults so existing connector configs run unchanged.
/// Only what this connector implements is declared; a value it does not support yet is refused by the validator
/// rather than ignored.
/// </summary>
public static partial class PostgresConnectorConfig
{
    public const string Hostname = "database.hostname";
    public const string Port = "database.port";
    public const string User = "database.user";
    public const string Password = "database.password";
    public const string DbName = "database.dbname";
    public const string TopicPrefix = "topic.prefix";
    public const string PluginName = "plugin.name";
    public const string SlotName = "slot.name";
    public const string SlotDropOnStop = "slot.drop.on.stop";
    public const string PublicationName = "publication.name";
    public const string PublicationAutocreateMode = "publication.autocreate.mode";
    public const string StatusUpdateIntervalMs = "status.update.interval.ms";
    public const string SnapshotMode = "snapshot.mode";
    public const string TableIncludeList = "table.include.list";
    public const string TableExcludeList = "table.exclude.list";
    public const string ColumnIncludeList = "column.include.list";
    public const string ColumnExcludeList = "column.exclude.list";
    public const string MessageKeyColumns = "message.key.columns";
    public const string TombstonesOnDelete = "tombstones.on.delete";
    public const string SkippedOperations = "skipped.operations";
    public const string DecimalHandlingMode = "decimal.handling.mode";
    public const string TimePrecisionMode = "time.precision.mode";
    public const string ProvideTransactionMetadata = "provide.transaction.metadata";
    public const string HeartbeatIntervalMs = "heartbeat.interval.ms";
    public const string TopicHeartbeatPrefix = "topic.heartbeat.prefix";
    public const string IntervalHandlingMode = "interval.handling.mode";
    public const string ErrorsMaxRetries = "errors.max.retries";
    public const string RetriableRestartWaitMs = "retriable.restart.connector.wait.ms";
    public const string PollIntervalMs = "poll.interval.ms";
    public const string MaxBatchSize = "max.batch.size";
    public const string MaxQueueSize = "max.queue.size";

    private const string ConnectionGroup = "Connection";
    private const string ReplicationGroup = "Replication";
    private const string EventsGroup = "Events";
    private const string EngineGroup = "Engine";

    // Declared before ConfigDef: static initializers run in text order.
    private static readonly IValidator s_slotNameValidator = ConfigDef.LambdaValidator.With(
        (name, value) =>
        {
            // PostgreSQL's own rule for slot names.
            if (value is string s && !SlotNamePattern().IsMatch(s))
            {
                throw new ConfigException(name, value, "Slot names may contain only lower-case letters, digits and underscores, at most 63 characters");
            }
        },
        "Valid replication slot name");

    private static readonly IValidator s_regexListValidator = ConfigDef.LambdaValidator.With(
        (name, value) =>
        {
            if (value is IEnumerable<string> patterns)
            {
                foreach (var pattern in patterns)
                {
                    try
                    {
                        _ = new Regex(pattern, RegexOptions.CultureInvariant);
                    }
                    catch (ArgumentException e)
                    {
                        throw new ConfigException(name, pattern, "Invalid regular expression: " + e.Message);
                    }
                }
            }
        },
        "Comma-separated list of regular expressions");

    // Debezium's format of one table's entry in message.key.columns.
    private static readonly IValidator s_keyColumnsValidator = ConfigDef.LambdaValidator.With(
        (name, value) =>
        {
            if (value is not string text || text.Length == 0)
            {
                return;
            }
            foreach (var entry in text.Split(';'))
            {
                if (!KeyColumnsEntryPattern().IsMatch(entry))
                {
                    throw new ConfigException(name, value, $"'{entry}' is not of the form <fully-qualified table regex>:<column>,<column>...");
                }
                try
                {
                    _ = new Regex(entry[..entry.IndexOf(':', StringComparison.Ordinal)], RegexOptions.CultureInvariant);
                }
                catch (ArgumentException e)
                {
                    throw new ConfigException(name, value, "Invalid regular expression: " + e.Message);
                }
            }
        },
        "<table regex>:<column>,...;...");

    /// <summary>The connector's settings.</summary>
    public static ConfigDef ConfigDef { get; } = Build();

    private static ConfigDef Build()
    {
        var order = 0;
        var def = new ConfigDef()
            .Define(Hostname, ConfigType.String, ConfigDef.NoDefaultValue, ConfigDef.NonEmptyString.Instance, Importance.High,
                "Resolvable hostname or IP address of the database server.", ConnectionGroup, ++order, Width.Medium, "Hostname")
            .Define(Port, ConfigType.Int, 5432, ConfigDef.Range.Between(1, 65535), Importance.High,
                "Port of the database server.", ConnectionGroup, ++order, Width.Short, "Port")
            .Define(User, ConfigType.String, ConfigDef.NoDefaultValue, ConfigDef.NonEmptyString.Instance, Importance.High,
                "Name of the database user to connect as; it needs the REPLICATION attribute (or superuser) and SELECT on the captured tables.",
                ConnectionGroup, ++order, Width.Short, "User")
            .Define(Password, ConfigType.Password, null, null, Importance.High,
                "Password of the database user.", ConnectionGroup, ++order, Width.Short, "Password")
            .Define(DbName, ConfigType.String, ConfigDef.NoDefaultValue, ConfigDef.NonEmptyString.Instance, Importance.High,
                "The name of the database from which the connector captures changes.", ConnectionGroup, ++order, Width.Medium, "Database")
            .Define(TopicPrefix, ConfigType.String, ConfigDef.NoDefaultValue, ConfigDef.NonEmptyString.Instance, Importance.High,
                "Logical name of the database server: the prefix of every topic (<prefix>.<schema>.<table>), of the key and value "
                + "schema names, and the source partition of the offsets. Do not change it once offsets exist.",
                ConnectionGroup, ++order, Width.Medium, "Topic prefix");

        order = 0;
        def.Define(PluginName, ConfigType.String, "pgoutput", ConfigDef.ValidString.In("pgoutput"), Importance.Medium,
                "The logical decoding plugin on the server. Only pgoutput, built into PostgreSQL 10 and later, is supported "
                + "(Debezium's default, decoderbufs, needs a server extension).", ReplicationGroup, ++order, Width.Medium, "Plugin")
            .Define(SlotName, ConfigType.String, "debezium", s_slotNameValidator, Importance.Medium,
                "The name of the logical replication slot the connector streams from; created when missing.",
                ReplicationGroup, ++order, Width.Medium, "Slot")
            .Define(SlotDropOnStop, ConfigType.Boolean, false, null, Importance.Low,
                "Whether to drop the replication slot when the task stops cleanly. Changes made while no slot exists are lost; "
                + "meant for tests and throw-away environments.", ReplicationGroup, ++order, Width.Short, "Drop slot on stop")
            .Define(PublicationName, ConfigType.String, "dbz_publication", ConfigDef.NonEmptyString.Instance, Importance.Low,
                "The name of the PostgreSQL publication pgoutput streams changes of.", ReplicationGroup, ++order, Width.Medium, "Publication")
            .Define(PublicationAutocreateMode, ConfigType.String, "all_tables",
                ConfigDef.ValidString.In("all_tables", "disabled", "filtered"), Importance.Low,
                "What to do when the publication does not exist: 'all_tables' creates it FOR ALL TABLES (needs superuser), "
                + "'filtered' creates it for the tables table.include.list/table.exclude.list select, 'disabled' fails with "
                + "an error (the publication must be created beforehand).", ReplicationGroup, ++order, Width.Short, "Publication auto-create mode")
            .Define(StatusUpdateIntervalMs, ConfigType.Int, 10_000, ConfigDef.Range.AtLeast(1), Importance.Low,
                "How often, in milliseconds, the connector reports its position to the server (keeps the connection alive; the "
                + "confirmed position only moves once the covering offsets are committed).", ReplicationGroup, ++order, Width.Short, "Status update interval");

        order = 0;
        def.Define(SnapshotMode, ConfigType.String, "initial",
                ConfigDef.ValidString.In("initial", "initial_only", "always", "when_needed", "no_data", "never"), Importance.Medium,
                "'initial' (default) reads the captured tables once, as of the replication slot's creation, when no offsets "
                + "exist, then streams; 'initial_only' reads them when no offsets exist and never streams; 'always' reads them "
                + "on every start, then streams; 'when_needed' reads them when no offsets exist or the slot no longer holds "
                + "the offsets' position (the slot is missing or its restart_lsn is past it), then streams; 'no_data' and "
                + "'never' stream only.",
                EventsGroup, ++order, Width.Short, "Snapshot mode")
            .Define(TableIncludeList, ConfigType.List, null, s_regexListValidator, Importance.High,
                "Regular expressions matched against whole schema-qualified table names (schema.table, case-insensitive): "
                + "only matching tables are captured. May not be set with table.exclude.list.", EventsGroup, ++order, Width.Long, "Include tables")
            .Define(TableExcludeList, ConfigType.List, null, s_regexListValidator, Importance.Medium,
                "Regular expressions matched against whole schema-qualified table names: matching tables are not captured. "
                + "May not be set with table.include.list.", EventsGroup, ++order, Width.Long, "Exclude tables")
            .Define(ColumnIncludeList, ConfigType.List, null, s_regexListValidator, Importance.Medium,
                "Regular expressions matched against whole column names (schema.table.column, case-insensitive): only "
                + "matching columns are in the events' before and after. May not be set with column.exclude.list.",
                EventsGroup, ++order, Width.Long, "Include columns")
            .Define(ColumnExcludeList, ConfigType.List, null, s_regexListValidator, Importance.Medium,
                "Regular expressions matched against whole column names (schema.table.column, case-insensitive): matching "
                + "columns are left out of the events' before and after. May not be set with column.include.list.",
                EventsGroup, ++order, Width.Long, "Exclude columns")
            .Define(MessageKeyColumns, ConfigType.String, null, s_keyColumnsValidator, Importance.Medium,
                "The columns of the record keys instead of the primary key, as <table regex>:<column>,<column> entries "
                + "separated by semicolons; the table regex matches whole schema.table names and each column is a regex "
                + "too (e.g. inventory.customers:pk1,pk2;(.*).purchaseorders:pk3). Also gives keyless tables a key.",
                EventsGroup, ++order, Width.Long, "Message key columns")
            .Define(TombstonesOnDelete, ConfigType.Boolean, true, null, Importance.Medium,
                "Whether a delete event is followed by a tombstone (same key, null value) so log compaction can drop the key.",
                EventsGroup, ++order, Width.Short, "Tombstones on delete")
            .Define(SkippedOperations, ConfigType.List, "t", ConfigDef.ValidList.In("c", "u", "d", "t", "none"), Importance.Low,
                "Operations not to emit: c (insert), u (update), d (delete), t (truncate), or none. Truncates are skipped by "
                + "default, as Debezium does.", EventsGroup, ++order, Width.Short, "Skipped operations")
            .Define(ProvideTransactionMetadata, ConfigType.Boolean, false, null, Importance.Low,
                "Whether each streamed event gets the transaction block (id, total_order, data_collection_order) and each "
                + "transaction a BEGIN and an END record on the topic <topic.prefix>.transaction.",
                EventsGroup, ++order, Width.Short, "Provide transaction metadata")
            .Define(DecimalHandlingMode, ConfigType.String, "precise", ConfigDef.ValidString.In("precise", "double", "string"),
                Importance.Medium,
                "How NUMERIC/DECIMAL values are represented: 'precise' as org.apache.kafka.connect.data.Decimal (columns "
                + "without a declared precision as io.debezium.data.VariableScaleDecimal), 'double' as FLOAT64, 'string' as text.",
                EventsGroup, ++order, Width.Short, "Decimal handling")
            .Define(TimePrecisionMode, ConfigType.String, "adaptive",
                ConfigDef.ValidString.In("adaptive", "adaptive_time_microseconds", "connect"), Importance.Medium,
                "How DATE, TIME and TIMESTAMP values are represented: 'adaptive' by the column's precision with io.debezium.time "
                + "types, 'adaptive_time_microseconds' the same but TIME always as io.debezium.time.MicroTime, 'connect' as "
                + "Kafka Connect's Date, Time and Timestamp (millisecond precision).", EventsGroup, ++order, Width.Short, "Time precision")
            .Define(IntervalHandlingMode, ConfigType.String, "numeric", ConfigDef.ValidString.In("numeric", "string"), Importance.Medium,
                "How INTERVAL values are represented: 'numeric' as io.debezium.time.MicroDuration (microseconds, months "
                + "counted as 365.25/12 days), 'string' as io.debezium.time.Interval (ISO-8601, e.g. P1Y2M3DT4H5M6.78S).",
                EventsGroup, ++order, Width.Short, "Interval handling");

        order = 0;
        def.Define(HeartbeatIntervalMs, ConfigType.Int, 0, ConfigDef.Range.AtLeast(0), Importance.Medium,
                "How often, in milliseconds, a heartbeat record carrying the current offset is sent to the heartbeat topic, so "
                + "committed offsets and the slot's confirmed position advance while only tables that are not captured change. "
                + "A heartbeat is sent at the end of the first transaction (of any table) after the interval passed. 0 disables them.",
                EngineGroup, ++order, Width.Short, "Heartbeat interval")
            .Define(TopicHeartbeatPrefix, ConfigType.String, "__debezium-heartbeat", ConfigDef.NonEmptyString.Instance, Importance.Low,
                "Prefix of the heartbeat topic, named <prefix>.<topic.prefix>.", EngineGroup, ++order, Width.Medium, "Heartbeat topic prefix")
            .Define(ErrorsMaxRetries, ConfigType.Int, -1, ConfigDef.Range.AtLeast(-1), Importance.Low,
                "How often in a row the connector reconnects after losing its database connection before the task fails: "
                + "-1 without limit, 0 never. The count starts again once a reconnection delivered an event.",
                EngineGroup, ++order, Width.Short, "Max retries")
            .Define(RetriableRestartWaitMs, ConfigType.Long, 10_000L, ConfigDef.Range.AtLeast(0), Importance.Low,
                "Milliseconds to wait before reconnecting after the database connection was lost.",
                EngineGroup, ++order, Width.Short, "Retry wait")
            .Define(PollIntervalMs, ConfigType.Long, 500L, ConfigDef.Range.AtLeast(1), Importance.Low,
                "Longest time in milliseconds a poll waits for new change events.", EngineGroup, ++order, Width.Short, "Poll interval")
            .Define(MaxBatchSize, ConfigType.Int, 2048, ConfigDef.Range.AtLeast(1), Importance.Low,
                "Most change events one poll returns.", EngineGroup, ++order, Width.Short, "Batch size")
            .Define(MaxQueueSize, ConfigType.Int, 8192, ConfigDef.Range.AtLeast(1), Importance.Low,
                "Most change events read ahead of the worker; the replication stream waits while the queue is full.",
                EngineGroup, ++order, Width.Short, "Queue size");
        return def;
    }

    [GeneratedRegex(@"^\s*([^:]+):([^:,]+(,[^:,]+)*)\s*$")]
    private static partial Regex KeyColumnsEntryPattern();

    [GeneratedRegex("^[a-z0-9_]{1,63}$")]
    private static partial Regex SlotNamePattern();
}
