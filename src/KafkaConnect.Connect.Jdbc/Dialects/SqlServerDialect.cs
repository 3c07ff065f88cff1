using System.Data.Common;
using System.Text;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using ConnectDecimal = KafkaConnect.Connect.Data.Decimal;

namespace KafkaConnect.Connect.Jdbc.Dialects;

/// <summary>
/// SQL Server: bracket quoting, MERGE upserts. Only SQL generation is available here — no SQL Server driver
/// ships with this build, so connecting fails with a clear error.
/// </summary>
public sealed class SqlServerDialect : DatabaseDialect
{
    public override string Name => "SqlServerDatabaseDialect";

    protected override string OpenQuote => "[";

    protected override string CloseQuote => "]";

    public override int MaxParameters => 2_000;

    public override DbConnection CreateConnection(string connectionString) =>
        throw new ConnectException("No SQL Server ADO.NET driver is bundled with the JDBC connectors; only SQL generation is supported");

    public override string CurrentTimestampQuery => "SELECT SYSDATETIME()";

    public override Task<IReadOnlyList<TableId>> ListTablesAsync(DbConnection connection, IReadOnlyCollection<string> tableTypes, CancellationToken cancellationToken) =>
        throw new NotSupportedException("SQL Server metadata needs a driver");

    public override Task<IReadOnlyList<ColumnDefinition>> DescribeColumnsAsync(DbConnection connection, TableId table, CancellationToken cancellationToken) =>
        throw new NotSupportedException("SQL Server metadata needs a driver");

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
