using System.Data.Common;
using System.Text;
using KafkaConnect.Connect.Data;
using Npgsql;
using ConnectDecimal = KafkaConnect.Connect.Data.Decimal;

namespace KafkaConnect.Connect.Jdbc.Dialects;

/// <summary>PostgreSQL through Npgsql: INSERT ... ON CONFLICT upserts; binary COPY bulk loads (in the sink).</summary>
public sealed class PostgreSqlDialect : DatabaseDialect
{
    public override string Name => "PostgreSqlDatabaseDialect";

    // The wire protocol carries the parameter count in 16 bits.
    public override int MaxParameters => 32_000;

    public override DbConnection CreateConnection(string connectionString) => new NpgsqlConnection(connectionString);

    public override string CurrentTimestampQuery => "SELECT CURRENT_TIMESTAMP";

    public override Task<IReadOnlyList<TableId>> ListTablesAsync(DbConnection connection, IReadOnlyCollection<string> tableTypes, CancellationToken cancellationToken) =>
        QueryTablesAsync(connection, """
            SELECT table_schema, table_name, table_type FROM information_schema.tables
            WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_schema NOT LIKE 'pg_temp%'
            ORDER BY table_schema, table_name
            """, tableTypes, cancellationToken);

    public override async Task<IReadOnlyList<ColumnDefinition>> DescribeColumnsAsync(DbConnection connection, TableId table, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(table);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            SELECT c.column_name, upper(c.data_type), c.is_nullable = 'YES',
                   coalesce(c.column_default LIKE 'nextval(%', false) OR c.is_identity = 'YES',
                   EXISTS (SELECT 1 FROM information_schema.table_constraints tc
                           JOIN information_schema.key_column_usage k
                             ON k.constraint_name = tc.constraint_name AND k.constraint_schema = tc.constraint_schema
                            AND k.table_name = tc.table_name
                           WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = c.table_schema
                             AND tc.table_name = c.table_name AND k.column_name = c.column_name),
                   coalesce(c.numeric_precision, c.character_maximum_length, 0), coalesce(c.numeric_scale, 0),
                   c.column_default IS NOT NULL OR c.is_identity = 'YES'
            FROM information_schema.columns c
            WHERE c.table_name = @t AND c.table_schema = coalesce(@s, current_schema())
            ORDER BY c.ordinal_position
            """;
        AddParameter(cmd, "@t", table.Name);
        AddParameter(cmd, "@s", (object?)table.Schema ?? DBNull.Value);
        ((NpgsqlCommand)cmd).Parameters[1].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
        return await ReadAllAsync(cmd, r => new ColumnDefinition(
            r.GetString(0), r.GetString(1), r.GetBoolean(2), r.GetBoolean(3), r.GetBoolean(4),
            ToInt(r.GetValue(5)), ToInt(r.GetValue(6)), r.GetBoolean(7)), cancellationToken).ConfigureAwait(false);
    }

    public override ColumnKind Classify(ColumnDefinition column)
    {
        ArgumentNullException.ThrowIfNull(column);
        var t = column.TypeName.ToUpperInvariant();
        return t switch
        {
            "BOOLEAN" or "BOOL" => ColumnKind.Boolean,
            "SMALLINT" or "INT2" or "SMALLSERIAL" => ColumnKind.Int16,
            "INTEGER" or "INT" or "INT4" or "SERIAL" => ColumnKind.Int32,
            "BIGINT" or "INT8" or "BIGSERIAL" or "OID" => ColumnKind.Int64,
            "REAL" or "FLOAT4" => ColumnKind.Float32,
            "DOUBLE PRECISION" or "FLOAT8" => ColumnKind.Float64,
            "NUMERIC" or "DECIMAL" or "MONEY" => ColumnKind.Decimal,
            "TEXT" or "CHARACTER VARYING" or "VARCHAR" or "CHARACTER" or "CHAR" or "BPCHAR" or "NAME" or "UUID"
                or "JSON" or "JSONB" or "XML" or "CITEXT" or "INET" or "CIDR" or "MACADDR" => ColumnKind.String,
            "BYTEA" => ColumnKind.Bytes,
            "DATE" => ColumnKind.Date,
            "TIME" or "TIME WITHOUT TIME ZONE" => ColumnKind.Time,
            "TIMESTAMP" or "TIMESTAMP WITHOUT TIME ZONE" => ColumnKind.Timestamp,
            "TIMESTAMPTZ" or "TIMESTAMP WITH TIME ZONE" => ColumnKind.TimestampTz,
            _ when t.StartsWith("NUMERIC", StringComparison.Ordinal) => ColumnKind.Decimal,
            _ when t.StartsWith("CHARACTER", StringComparison.Ordinal) || t.StartsWith("VARCHAR", StringComparison.Ordinal) => ColumnKind.String,
            _ => ColumnKind.Unsupported,
        };
    }

    public override object TimestampParameter(DateTimeOffset value, TimeZoneInfo dbTimeZone) =>
        // Unspecified DateTime binds as timestamp (without zone), which compares with both column kinds.
        base.TimestampParameter(value, dbTimeZone);

    public override string SqlType(Schema schema, bool isPrimaryKey)
    {
        ArgumentNullException.ThrowIfNull(schema);
        switch (schema.Name)
        {
            // Unconstrained DECIMAL would lose the scale the source needs to read values back; 1000 is the maximum precision.
            case ConnectDecimal.LogicalName: return $"DECIMAL(1000,{ConnectDecimal.ScaleOf(schema)})";
            case Date.LogicalName: return "DATE";
            case Time.LogicalName: return "TIME";
            case Timestamp.LogicalName: return "TIMESTAMP";
        }
        return schema.Type switch
        {
            SchemaType.Int8 or SchemaType.Int16 => "SMALLINT",
            SchemaType.Int32 => "INT",
            SchemaType.Int64 => "BIGINT",
            SchemaType.Float32 => "REAL",
            SchemaType.Float64 => "DOUBLE PRECISION",
            SchemaType.Boolean => "BOOLEAN",
            SchemaType.String => "TEXT",
            SchemaType.Bytes => "BYTEA",
            _ => throw new Errors.ConnectException($"No PostgreSQL type for {schema.Type}"),
        };
    }

    protected override object BindInt8(sbyte value) => (short)value;

    protected override object BindDate(DateOnly value) => value;

    protected override object BindTime(TimeOnly value) => value;

    protected override string AddColumnKeyword => "ADD COLUMN";

    public override string BuildUpsert(TableId table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> valueColumns, int rows)
    {
        var sb = new StringBuilder(BuildInsert(table, Concat(keyColumns, valueColumns), rows));
        AppendOnConflict(sb, keyColumns, valueColumns);
        return sb.ToString();
    }

    /// <summary>Appends " ON CONFLICT (keys) DO UPDATE SET v = EXCLUDED.v" (or DO NOTHING without value columns).</summary>
    internal void AppendOnConflict(StringBuilder sb, IReadOnlyList<string> keyColumns, IReadOnlyList<string> valueColumns)
    {
        sb.Append(" ON CONFLICT (");
        AppendColumnList(sb, keyColumns);
        if (valueColumns.Count == 0)
        {
            sb.Append(") DO NOTHING");
            return;
        }
        sb.Append(") DO UPDATE SET ");
        for (var i = 0; i < valueColumns.Count; i++)
        {
            var q = QuoteIdentifier(valueColumns[i]);
            sb.Append(i == 0 ? "" : ", ").Append(q).Append(" = EXCLUDED.").Append(q);
        }
    }
}
