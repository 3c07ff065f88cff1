using System.Data.Common;
using KafkaConnect.Connect.Data;

namespace KafkaConnect.Connect.Jdbc.Dialects;

/// <summary>
/// Everything database-specific the JDBC source and sink need: connecting, metadata, DB ↔ Connect value
/// mapping and SQL generation. Instances come from <see cref="JdbcUrl.Parse"/>; one per connector/task
/// (they carry the <see cref="QuoteIdentifiers"/> setting), otherwise stateless and thread-safe.
/// </summary>
/// <remarks>
/// SQL parameters are always named <c>@p0</c>, <c>@p1</c>, ... (<see cref="ParameterName"/>): Npgsql,
/// Microsoft.Data.Sqlite, MySqlConnector and SqlClient all accept that form.
/// </remarks>
public interface IDatabaseDialect
{
    /// <summary>Confluent's dialect name, e.g. "PostgreSqlDatabaseDialect".</summary>
    string Name { get; }

    /// <summary>quote.sql.identifiers: when false, identifiers are emitted as-is.</summary>
    bool QuoteIdentifiers { get; set; }

    /// <summary>Most parameters one command may carry; multi-row statements are chunked below this.</summary>
    int MaxParameters { get; }

    /// <summary>Opens a connection, retrying connection.attempts times with connection.backoff.ms between tries.</summary>
    DbConnection Open(JdbcConnectionInfo info);

    /// <inheritdoc cref="Open"/>
    Task<DbConnection> OpenAsync(JdbcConnectionInfo info, CancellationToken cancellationToken);

    /// <summary>Creates an unopened connection for a connection string (no retry).</summary>
    DbConnection CreateConnection(string connectionString);

    /// <summary>Quotes one identifier (honouring <see cref="QuoteIdentifiers"/>).</summary>
    string QuoteIdentifier(string identifier);

    /// <summary>The table reference for SQL: quoted parts joined with dots.</summary>
    string QualifiedTableName(TableId table);

    /// <summary>Parses "table", "schema.table" or "catalog.schema.table" (unquoted) into a table id.</summary>
    TableId ParseTableId(string name);

    string ParameterName(int index);

    // ---- metadata (source and sink) ----

    /// <summary>Tables (and views when asked) visible to the connection; tableTypes like "TABLE", "VIEW".</summary>
    Task<IReadOnlyList<TableId>> ListTablesAsync(DbConnection connection, IReadOnlyCollection<string> tableTypes, CancellationToken cancellationToken);

    /// <summary>Columns in ordinal order; empty when the table does not exist.</summary>
    Task<IReadOnlyList<ColumnDefinition>> DescribeColumnsAsync(DbConnection connection, TableId table, CancellationToken cancellationToken);

    Task<bool> TableExistsAsync(DbConnection connection, TableId table, CancellationToken cancellationToken);

    /// <summary>Column definitions of a result set (query mode); primary key / auto-increment are best effort.</summary>
    IReadOnlyList<ColumnDefinition> DescribeResult(DbDataReader reader);

    // ---- DB → Connect (source) ----

    /// <summary>The Connect schema a column maps to (optional when the column is nullable); null when unsupported.</summary>
    Schema? ColumnSchema(ColumnDefinition column, NumericMapping numericMapping);

    /// <summary>Reads one column as a Connect value matching <see cref="ColumnSchema"/>; null for SQL NULL.</summary>
    /// <param name="dbTimeZone">Zone of TIMESTAMP-without-time-zone values (db.timezone).</param>
    object? ReadColumn(DbDataReader reader, int ordinal, ColumnDefinition column, NumericMapping numericMapping, TimeZoneInfo dbTimeZone);

    /// <summary>A SELECT returning the database's current timestamp as its only value.</summary>
    string CurrentTimestampQuery { get; }

    /// <summary>Reads the result of <see cref="CurrentTimestampQuery"/> as an instant.</summary>
    DateTimeOffset ReadCurrentTimestamp(object? value, TimeZoneInfo dbTimeZone);

    /// <summary>
    /// The expression to compare in a WHERE clause for timestamp.column.name: the quoted column, or
    /// COALESCE(c1, c2, ...) when several columns are given.
    /// </summary>
    string TimestampColumnExpression(IReadOnlyList<string> columns);

    /// <summary>A parameter value comparable with a timestamp column, given an instant and db.timezone.</summary>
    object TimestampParameter(DateTimeOffset value, TimeZoneInfo dbTimeZone);

    /// <summary>Converts a timestamp column value read with the reader to an instant (for offsets).</summary>
    DateTimeOffset? ReadTimestamp(DbDataReader reader, int ordinal, TimeZoneInfo dbTimeZone);

    // ---- Connect → DB (sink) ----

    /// <summary>The SQL column type for a Connect schema (logical types included); key columns may need bounded types.</summary>
    string SqlType(Schema schema, bool isPrimaryKey);

    /// <summary>Converts a Connect value to what the ADO.NET driver binds for the column; DBNull for null.</summary>
    object BindValue(Schema schema, object? value, TimeZoneInfo dbTimeZone);

    string BuildCreateTable(TableId table, IReadOnlyList<SinkColumn> columns);

    /// <summary>One or more statements adding the columns (some databases take one column per statement).</summary>
    IReadOnlyList<string> BuildAlterTable(TableId table, IReadOnlyList<SinkColumn> newColumns);

    /// <summary>INSERT of <paramref name="rows"/> rows; parameters numbered row-major over <paramref name="columns"/>.</summary>
    string BuildInsert(TableId table, IReadOnlyList<string> columns, int rows);

    /// <summary>
    /// Multi-row upsert of key + value columns; parameters numbered row-major over keyColumns then valueColumns.
    /// </summary>
    string BuildUpsert(TableId table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> valueColumns, int rows);

    /// <summary>UPDATE one row: parameters are valueColumns then keyColumns.</summary>
    string BuildUpdate(TableId table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> valueColumns);

    /// <summary>DELETE of <paramref name="rows"/> rows by key; parameters numbered row-major over keyColumns.</summary>
    string BuildDelete(TableId table, IReadOnlyList<string> keyColumns, int rows);
}

/// <summary>A table reference; Catalog and Schema are null when not used.</summary>
public sealed record TableId(string? Catalog, string? Schema, string Name)
{
    public TableId(string name) : this(null, null, name)
    {
    }

    /// <summary>Dotted unquoted form, e.g. "public.orders" — also the source's offset partition key "table".</summary>
    public override string ToString() =>
        Catalog is null ? (Schema is null ? Name : $"{Schema}.{Name}") : $"{Catalog}.{Schema}.{Name}";
}

/// <summary>A column as the database describes it.</summary>
/// <param name="TypeName">Database type name as reported (upper-cased), e.g. "INTEGER", "VARCHAR", "TIMESTAMP".</param>
/// <param name="Precision">Numeric precision / character length; 0 when unknown.</param>
/// <param name="Scale">Numeric scale; 0 when unknown.</param>
/// <param name="HasDefault">Whether the column has a default (or is auto-increment), so inserts may omit it.</param>
public sealed record ColumnDefinition(
    string Name,
    string TypeName,
    bool IsNullable,
    bool IsAutoIncrement,
    bool IsPrimaryKey,
    int Precision,
    int Scale,
    bool HasDefault = false);

/// <summary>A column the sink writes: name, its Connect schema, and whether it is part of the primary key.</summary>
public sealed record SinkColumn(string Name, Schema Schema, bool IsPrimaryKey);

/// <summary>numeric.mapping: how NUMERIC/DECIMAL columns map to Connect types.</summary>
public enum NumericMapping
{
    /// <summary>"none": always the Decimal logical type.</summary>
    None,

    /// <summary>"precision_only": integers by precision when scale is 0, Decimal otherwise.</summary>
    PrecisionOnly,

    /// <summary>"best_fit": as precision_only, plus FLOAT64 when precision &lt; 19 and scale &gt; 0.</summary>
    BestFit,

    /// <summary>"best_fit_eager_double": as best_fit, but FLOAT64 for any scale &gt; 0.</summary>
    BestFitEagerDouble,
}

/// <summary>Everything needed to (re)connect: the dialect, the ADO.NET connection string and retry settings.</summary>
public sealed record JdbcConnectionInfo(IDatabaseDialect Dialect, string ConnectionString, int Attempts, TimeSpan Backoff)
{
    /// <summary>Parses a jdbc: URL (see <see cref="JdbcUrl.Parse"/>) with Confluent's defaults (3 attempts, 10 s).</summary>
    public static JdbcConnectionInfo Create(string url, string? user, string? password, int attempts = 3, long backoffMs = 10_000)
    {
        var parsed = JdbcUrl.Parse(url, user, password);
        return new JdbcConnectionInfo(parsed.Dialect, parsed.ConnectionString, attempts, TimeSpan.FromMilliseconds(backoffMs));
    }
}
