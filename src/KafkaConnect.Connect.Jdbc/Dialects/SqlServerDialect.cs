using System.Data.Common;
using System.Globalization;
using System.Text;
#if SQLSERVER_DRIVER
using Microsoft.Data.SqlClient;
#endif
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using ConnectDecimal = KafkaConnect.Connect.Data.Decimal;

namespace KafkaConnect.Connect.Jdbc.Dialects;

/// <summary>
/// SQL Server through Microsoft.Data.SqlClient: bracket quoting, MERGE upserts, INFORMATION_SCHEMA metadata. No SQL
/// Server can run where this is built, so beyond the generated SQL and the driver's connection attempt it is untested
/// (docs/connectors/jdbc-sink.md says so).
/// </summary>
public sealed class SqlServerDialect : DatabaseDialect
{
    public override string Name => "SqlServerDatabaseDialect";

    protected override string OpenQuote => "[";

    protected override string CloseQuote => "]";

    public override int MaxParameters => 2_000;

    public override DbConnection CreateConnection(string connectionString)
    {
#if SQLSERVER_DRIVER
        EnsureDriverCanRun(InvariantGlobalization);
        return new SqlConnection(connectionString);
#else
        throw new ConnectException("The native kconnect executable is built without the SQL Server driver (Microsoft.Data.SqlClient " +
            "is not safe to compile ahead of time); run the framework-dependent build (dotnet kconnect.dll) for SQL Server.");
#endif
    }

    /// <summary>Whether the process runs in .NET's globalization-invariant mode (no culture data, no ICU).</summary>
    internal static bool InvariantGlobalization { get; } = DetectInvariantGlobalization();

    /// <summary>
    /// Microsoft.Data.SqlClient maps SQL Server collations to encodings through the OS's culture data and refuses to
    /// open a connection without it; kconnect runs without it unless told otherwise. Say how, instead of the driver's
    /// "Globalization Invariant Mode is not supported".
    /// </summary>
    internal static void EnsureDriverCanRun(bool invariantGlobalization)
    {
        if (invariantGlobalization)
        {
            throw new ConnectException("The SQL Server driver (Microsoft.Data.SqlClient) needs the system's culture data (ICU), which kconnect " +
                "does without by default: start kconnect with DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=false (on Debian the libicu package " +
                "provides ICU). See docs/connectors/jdbc-sink.md.");
        }
    }

    private static bool DetectInvariantGlobalization()
    {
        try
        {
            return CultureInfo.GetCultureInfo("en-US").Name.Length == 0;
        }
        catch (CultureNotFoundException)
        {
            return true;
        }
    }

    public override string CurrentTimestampQuery => "SELECT SYSDATETIME()";

    /// <summary>Tables and views outside the system schemas.</summary>
    internal const string ListTablesSql = """
        SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE FROM INFORMATION_SCHEMA.TABLES
        WHERE TABLE_SCHEMA NOT IN ('sys', 'INFORMATION_SCHEMA')
        ORDER BY TABLE_SCHEMA, TABLE_NAME
        """;

    /// <summary>
    /// One row per column in ColumnDefinition's order: name, type, nullable, identity, primary key, precision or length,
    /// scale, has a default (identity counts). Booleans come back as bit so the reader reads them as bool.
    /// </summary>
    internal const string DescribeColumnsSql = """
        SELECT c.COLUMN_NAME, UPPER(c.DATA_TYPE),
               CAST(CASE WHEN c.IS_NULLABLE = 'YES' THEN 1 ELSE 0 END AS bit),
               CAST(COALESCE(COLUMNPROPERTY(OBJECT_ID(QUOTENAME(c.TABLE_SCHEMA) + '.' + QUOTENAME(c.TABLE_NAME)), c.COLUMN_NAME, 'IsIdentity'), 0) AS bit),
               CAST(CASE WHEN EXISTS (SELECT 1 FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS tc
                                      JOIN INFORMATION_SCHEMA.KEY_COLUMN_USAGE k
                                        ON k.CONSTRAINT_NAME = tc.CONSTRAINT_NAME AND k.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA
                                       AND k.TABLE_NAME = tc.TABLE_NAME
                                      WHERE tc.CONSTRAINT_TYPE = 'PRIMARY KEY' AND tc.TABLE_SCHEMA = c.TABLE_SCHEMA
                                        AND tc.TABLE_NAME = c.TABLE_NAME AND k.COLUMN_NAME = c.COLUMN_NAME)
                         THEN 1 ELSE 0 END AS bit),
               COALESCE(CAST(c.NUMERIC_PRECISION AS int), c.CHARACTER_MAXIMUM_LENGTH, 0), COALESCE(c.NUMERIC_SCALE, 0),
               CAST(CASE WHEN c.COLUMN_DEFAULT IS NOT NULL
                           OR COLUMNPROPERTY(OBJECT_ID(QUOTENAME(c.TABLE_SCHEMA) + '.' + QUOTENAME(c.TABLE_NAME)), c.COLUMN_NAME, 'IsIdentity') = 1
                         THEN 1 ELSE 0 END AS bit)
        FROM INFORMATION_SCHEMA.COLUMNS c
        WHERE c.TABLE_NAME = @t AND c.TABLE_SCHEMA = COALESCE(@s, SCHEMA_NAME())
        ORDER BY c.ORDINAL_POSITION
        """;

    public override Task<IReadOnlyList<TableId>> ListTablesAsync(DbConnection connection, IReadOnlyCollection<string> tableTypes, CancellationToken cancellationToken) =>
        QueryTablesAsync(connection, ListTablesSql, tableTypes, cancellationToken);

    public override async Task<IReadOnlyList<ColumnDefinition>> DescribeColumnsAsync(DbConnection connection, TableId table, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(table);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = DescribeColumnsSql;
        AddParameter(cmd, "@t", table.Name);
        AddParameter(cmd, "@s", (object?)table.Schema ?? DBNull.Value);
        return await ReadAllAsync(cmd, r => new ColumnDefinition(
            r.GetString(0), r.GetString(1), r.GetBoolean(2), r.GetBoolean(3), r.GetBoolean(4),
            ToInt(r.GetValue(5)), ToInt(r.GetValue(6)), r.GetBoolean(7)), cancellationToken).ConfigureAwait(false);
    }

    public override ColumnKind Classify(ColumnDefinition column)
    {
        ArgumentNullException.ThrowIfNull(column);
        return column.TypeName.ToUpperInvariant() switch
        {
            "BIT" => ColumnKind.Boolean,
            "TINYINT" => ColumnKind.Int16,
            "SMALLINT" => ColumnKind.Int16,
            "INT" => ColumnKind.Int32,
            "BIGINT" => ColumnKind.Int64,
            "REAL" => ColumnKind.Float32,
            "FLOAT" => ColumnKind.Float64,
            "DECIMAL" or "NUMERIC" or "MONEY" or "SMALLMONEY" => ColumnKind.Decimal,
            "CHAR" or "VARCHAR" or "NCHAR" or "NVARCHAR" or "TEXT" or "NTEXT" or "UNIQUEIDENTIFIER" or "XML" => ColumnKind.String,
            "BINARY" or "VARBINARY" or "IMAGE" => ColumnKind.Bytes,
            "DATE" => ColumnKind.Date,
            "TIME" => ColumnKind.Time,
            "DATETIME" or "DATETIME2" or "SMALLDATETIME" => ColumnKind.Timestamp,
            "DATETIMEOFFSET" => ColumnKind.TimestampTz,
            _ => ColumnKind.Unsupported,
        };
    }

    public override string SqlType(Schema schema, bool isPrimaryKey)
    {
        ArgumentNullException.ThrowIfNull(schema);
        switch (schema.Name)
        {
            case ConnectDecimal.LogicalName: return $"DECIMAL(38,{ConnectDecimal.ScaleOf(schema)})";
            case Date.LogicalName: return "DATE";
            case Time.LogicalName: return "TIME";
            case Timestamp.LogicalName: return "DATETIME2";
        }
        return schema.Type switch
        {
            SchemaType.Int8 => "TINYINT",
            SchemaType.Int16 => "SMALLINT",
            SchemaType.Int32 => "INT",
            SchemaType.Int64 => "BIGINT",
            SchemaType.Float32 => "REAL",
            SchemaType.Float64 => "FLOAT",
            SchemaType.Boolean => "BIT",
            // Index keys are limited to 900 bytes.
            SchemaType.String => isPrimaryKey ? "VARCHAR(900)" : "VARCHAR(MAX)",
            SchemaType.Bytes => isPrimaryKey ? "VARBINARY(900)" : "VARBINARY(MAX)",
            _ => throw new ConnectException($"No SQL Server type for {schema.Type}"),
        };
    }

    // A table value constructor holds at most 1000 rows.
    public override int MaxRowsPerStatement => 1_000;

    public override IReadOnlyList<string> BuildAlterTable(TableId table, IReadOnlyList<SinkColumn> newColumns)
    {
        ArgumentNullException.ThrowIfNull(newColumns);
        // T-SQL takes one ADD followed by the column list.
        var sb = new StringBuilder("ALTER TABLE ").Append(QualifiedTableName(table)).Append(" ADD");
        for (var i = 0; i < newColumns.Count; i++)
        {
            sb.Append(i == 0 ? "\n" : ",\n");
            AppendColumnDefinition(sb, newColumns[i]);
        }
        return [sb.ToString()];
    }

    protected override string FormatLiteral(Schema schema, object value) =>
        value is byte[] bytes ? "0x" + Convert.ToHexString(bytes) : base.FormatLiteral(schema, value);

    public override string BuildUpsert(TableId table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> valueColumns, int rows)
    {
        ArgumentNullException.ThrowIfNull(keyColumns);
        ArgumentNullException.ThrowIfNull(valueColumns);
        var all = Concat(keyColumns, valueColumns);
        var sb = new StringBuilder("MERGE INTO ").Append(QualifiedTableName(table)).Append(" WITH (HOLDLOCK) AS target USING (VALUES ");
        AppendValueRows(sb, all.Count, rows);
        sb.Append(") AS incoming (");
        AppendColumnList(sb, all);
        sb.Append(") ON (");
        for (var i = 0; i < keyColumns.Count; i++)
        {
            var q = QuoteIdentifier(keyColumns[i]);
            sb.Append(i == 0 ? "" : " AND ").Append("target.").Append(q).Append("=incoming.").Append(q);
        }
        sb.Append(')');
        if (valueColumns.Count > 0)
        {
            sb.Append(" WHEN MATCHED THEN UPDATE SET ");
            for (var i = 0; i < valueColumns.Count; i++)
            {
                var q = QuoteIdentifier(valueColumns[i]);
                sb.Append(i == 0 ? "" : ", ").Append(q).Append("=incoming.").Append(q);
            }
        }
        sb.Append(" WHEN NOT MATCHED THEN INSERT (");
        AppendColumnList(sb, all);
        sb.Append(") VALUES (");
        AppendColumnList(sb, all, "incoming.");
        return sb.Append(");").ToString();
    }
}
