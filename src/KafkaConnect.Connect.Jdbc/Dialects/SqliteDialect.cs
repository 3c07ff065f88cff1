using System.Data.Common;
using System.Globalization;
using System.Text;
using KafkaConnect.Connect.Data;
using Microsoft.Data.Sqlite;
using ConnectDecimal = KafkaConnect.Connect.Data.Decimal;

namespace KafkaConnect.Connect.Jdbc.Dialects;

/// <summary>
/// SQLite through Microsoft.Data.Sqlite. Dates and times are stored as ISO-8601 text (sortable, and what
/// SQLite's date functions read); the declared type (DATE, TIME, DATETIME) tells the source how to read them.
/// </summary>
public sealed class SqliteDialect : DatabaseDialect
{
    public override string Name => "SqliteDatabaseDialect";

    // SQLITE_MAX_VARIABLE_NUMBER allows 32766, but Microsoft.Data.Sqlite binds each parameter with a lookup
    // that grows with the collection: short statements are far faster in-process.
    public override int MaxParameters => 500;

    public override DbConnection CreateConnection(string connectionString) => new SqliteConnection(connectionString);

    public override string CurrentTimestampQuery => "SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')";

    public override DateTimeOffset ReadCurrentTimestamp(object? value, TimeZoneInfo dbTimeZone) =>
        // SQLite's clock is always UTC.
        base.ReadCurrentTimestamp(value, TimeZoneInfo.Utc);

    public override Task<IReadOnlyList<TableId>> ListTablesAsync(DbConnection connection, IReadOnlyCollection<string> tableTypes, CancellationToken cancellationToken) =>
        QueryTablesAsync(connection,
            "SELECT NULL, name, type FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name",
            tableTypes, cancellationToken);

    public override async Task<IReadOnlyList<ColumnDefinition>> DescribeColumnsAsync(DbConnection connection, TableId table, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(table);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(@t)";
        AddParameter(cmd, "@t", table.Name);
        var rows = await ReadAllAsync(cmd, r => (Name: r.GetString(0), Type: r.GetString(1), NotNull: r.GetInt64(2) != 0,
            HasDefault: !r.IsDBNull(3), Pk: r.GetInt64(4)), cancellationToken).ConfigureAwait(false);
        var pkCount = 0;
        foreach (var row in rows)
        {
            pkCount += row.Pk > 0 ? 1 : 0;
        }
        var result = new List<ColumnDefinition>(rows.Count);
        foreach (var row in rows)
        {
            var type = row.Type.ToUpperInvariant();
            var (precision, scale) = ParsePrecision(type);
            // A lone INTEGER PRIMARY KEY aliases the rowid, which SQLite assigns when omitted.
            var autoIncrement = row.Pk > 0 && pkCount == 1 && type == "INTEGER";
            result.Add(new ColumnDefinition(row.Name, type, !row.NotNull && row.Pk == 0, autoIncrement, row.Pk > 0,
                precision, scale, row.HasDefault || autoIncrement || !row.NotNull));
        }
        return result;
    }

    private static (int Precision, int Scale) ParsePrecision(string type)
    {
        var open = type.IndexOf('(', StringComparison.Ordinal);
        var close = type.IndexOf(')', StringComparison.Ordinal);
        if (open < 0 || close < open)
        {
            return (0, 0);
        }
        var parts = type[(open + 1)..close].Split(',');
        var inv = CultureInfo.InvariantCulture;
        int.TryParse(parts[0].Trim(), NumberStyles.Integer, inv, out var p);
        var s = 0;
        if (parts.Length > 1)
        {
            int.TryParse(parts[1].Trim(), NumberStyles.Integer, inv, out s);
        }
        return (p, s);
    }

    public override ColumnKind Classify(ColumnDefinition column)
    {
        ArgumentNullException.ThrowIfNull(column);
        var t = column.TypeName.ToUpperInvariant();
        // Declared types decide; checks follow SQLite's affinity rules, with date/time names first.
        if (t.Contains("DATETIME", StringComparison.Ordinal) || t.Contains("TIMESTAMP", StringComparison.Ordinal))
        {
            return ColumnKind.Timestamp;
        }
        if (t.StartsWith("DATE", StringComparison.Ordinal))
        {
            return ColumnKind.Date;
        }
        if (t.StartsWith("TIME", StringComparison.Ordinal))
        {
            return ColumnKind.Time;
        }
        if (t.StartsWith("BOOL", StringComparison.Ordinal))
        {
            return ColumnKind.Boolean;
        }
        if (t.Contains("INT", StringComparison.Ordinal))
        {
            return ColumnKind.Int64;
        }
        if (t.Contains("CHAR", StringComparison.Ordinal) || t.Contains("CLOB", StringComparison.Ordinal) || t.Contains("TEXT", StringComparison.Ordinal))
        {
            return ColumnKind.String;
        }
        if (t.Length == 0 || t.Contains("BLOB", StringComparison.Ordinal))
        {
            return ColumnKind.Bytes;
        }
        if (t.Contains("REAL", StringComparison.Ordinal) || t.Contains("FLOA", StringComparison.Ordinal) || t.Contains("DOUB", StringComparison.Ordinal))
        {
            return t.StartsWith("FLOAT", StringComparison.Ordinal) && !t.Contains("DOUB", StringComparison.Ordinal) && t != "FLOAT" ? ColumnKind.Float32 : ColumnKind.Float64;
        }
        return t.StartsWith("NUMERIC", StringComparison.Ordinal) || t.StartsWith("DECIMAL", StringComparison.Ordinal)
            ? ColumnKind.Decimal
            : ColumnKind.Unsupported;
    }

    public override object TimestampParameter(DateTimeOffset value, TimeZoneInfo dbTimeZone) =>
        FormatTimestamp((DateTime)base.TimestampParameter(value, dbTimeZone));

    public override string SqlType(Schema schema, bool isPrimaryKey)
    {
        ArgumentNullException.ThrowIfNull(schema);
        switch (schema.Name)
        {
            case ConnectDecimal.LogicalName: return $"NUMERIC(38,{ConnectDecimal.ScaleOf(schema)})";
            case Date.LogicalName: return "DATE";
            case Time.LogicalName: return "TIME";
            case Timestamp.LogicalName: return "DATETIME";
        }
        return schema.Type switch
        {
            SchemaType.Int8 or SchemaType.Int16 or SchemaType.Int32 or SchemaType.Int64 or SchemaType.Boolean => "INTEGER",
            SchemaType.Float32 or SchemaType.Float64 => "REAL",
            SchemaType.String => "TEXT",
            SchemaType.Bytes => "BLOB",
            _ => throw new Errors.ConnectException($"No SQLite type for {schema.Type}"),
        };
    }

    protected override object BindDate(DateOnly value) => value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    protected override object BindTime(TimeOnly value) => value.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);

    protected override object BindTimestamp(DateTime value) => FormatTimestamp(value);

    internal static string FormatTimestamp(DateTime value) => value.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);

    public override IReadOnlyList<string> BuildAlterTable(TableId table, IReadOnlyList<SinkColumn> newColumns)
    {
        ArgumentNullException.ThrowIfNull(newColumns);
        // SQLite adds one column per ALTER TABLE statement.
        var statements = new List<string>(newColumns.Count);
        foreach (var column in newColumns)
        {
            var sb = new StringBuilder("ALTER TABLE ").Append(QualifiedTableName(table)).Append(" ADD ");
            AppendColumnDefinition(sb, column);
            statements.Add(sb.ToString());
        }
        return statements;
    }

    public override string BuildUpsert(TableId table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> valueColumns, int rows)
    {
        ArgumentNullException.ThrowIfNull(keyColumns);
        ArgumentNullException.ThrowIfNull(valueColumns);
        var sb = new StringBuilder(BuildInsert(table, Concat(keyColumns, valueColumns), rows));
        sb.Append(" ON CONFLICT(");
        AppendColumnList(sb, keyColumns);
        if (valueColumns.Count == 0)
        {
            return sb.Append(") DO NOTHING").ToString();
        }
        sb.Append(") DO UPDATE SET ");
        for (var i = 0; i < valueColumns.Count; i++)
        {
            var q = QuoteIdentifier(valueColumns[i]);
            sb.Append(i == 0 ? "" : ", ").Append(q).Append("=excluded.").Append(q);
        }
        return sb.ToString();
    }
}
