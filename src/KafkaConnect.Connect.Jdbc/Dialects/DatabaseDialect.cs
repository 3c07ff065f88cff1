using ConnectionState = System.Data.ConnectionState;
using System.Data.Common;
using System.Globalization;
using System.Text;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using DataException = KafkaConnect.Connect.Errors.DataException;
using SchemaType = KafkaConnect.Connect.Data.SchemaType;
using ConnectDecimal = KafkaConnect.Connect.Data.Decimal;

namespace KafkaConnect.Connect.Jdbc.Dialects;

/// <summary>How a database column maps to Connect; each dialect classifies its own type names.</summary>
public enum ColumnKind
{
    Unsupported,
    Boolean,
    Int8,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    Decimal,
    String,
    Bytes,
    Date,
    Time,
    /// <summary>A timestamp without zone, interpreted in db.timezone.</summary>
    Timestamp,
    /// <summary>A timestamp the driver returns as an instant.</summary>
    TimestampTz,
}

/// <summary>Shared behaviour of the dialects: ANSI SQL generation and DB ↔ Connect conversions.</summary>
public abstract class DatabaseDialect : IDatabaseDialect
{
    public abstract string Name { get; }

    public bool QuoteIdentifiers { get; set; } = true;

    public virtual int MaxParameters => 30_000;

    protected virtual string OpenQuote => "\"";

    protected virtual string CloseQuote => "\"";

    public abstract DbConnection CreateConnection(string connectionString);

    public DbConnection Open(JdbcConnectionInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var attempts = Math.Max(1, info.Attempts);
        for (var attempt = 1; ; attempt++)
        {
            var connection = CreateConnection(info.ConnectionString);
            try
            {
                connection.Open();
                return connection;
            }
            catch (Exception ex) when (ex is DbException or IOException or TimeoutException or InvalidOperationException or System.Net.Sockets.SocketException)
            {
                connection.Dispose();
                if (attempt >= attempts)
                {
                    throw new ConnectException($"Could not connect with {Name} after {attempts} attempt(s): {ex.Message}", ex);
                }
                Thread.Sleep(info.Backoff);
            }
        }
    }

    public async Task<DbConnection> OpenAsync(JdbcConnectionInfo info, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(info);
        var attempts = Math.Max(1, info.Attempts);
        for (var attempt = 1; ; attempt++)
        {
            var connection = CreateConnection(info.ConnectionString);
            try
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                return connection;
            }
            catch (Exception ex) when (ex is DbException or IOException or TimeoutException or InvalidOperationException or System.Net.Sockets.SocketException)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                if (attempt >= attempts)
                {
                    throw new ConnectException($"Could not connect with {Name} after {attempts} attempt(s): {ex.Message}", ex);
                }
                await Task.Delay(info.Backoff, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public string QuoteIdentifier(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        if (!QuoteIdentifiers)
        {
            return identifier;
        }
        return OpenQuote + identifier.Replace(CloseQuote, CloseQuote + CloseQuote, StringComparison.Ordinal) + CloseQuote;
    }

    public virtual string QualifiedTableName(TableId table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var sb = new StringBuilder();
        if (table.Catalog is not null)
        {
            sb.Append(QuoteIdentifier(table.Catalog)).Append('.');
        }
        if (table.Schema is not null)
        {
            sb.Append(QuoteIdentifier(table.Schema)).Append('.');
        }
        return sb.Append(QuoteIdentifier(table.Name)).ToString();
    }

    public virtual TableId ParseTableId(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var parts = name.Split('.');
        return parts.Length switch
        {
            1 => new TableId(null, null, parts[0]),
            2 => new TableId(null, parts[0], parts[1]),
            _ => new TableId(parts[0], parts[1], string.Join('.', parts[2..])),
        };
    }

    public string ParameterName(int index) => "@p" + index.ToString(CultureInfo.InvariantCulture);

    public abstract Task<IReadOnlyList<TableId>> ListTablesAsync(DbConnection connection, IReadOnlyCollection<string> tableTypes, CancellationToken cancellationToken);

    public abstract Task<IReadOnlyList<ColumnDefinition>> DescribeColumnsAsync(DbConnection connection, TableId table, CancellationToken cancellationToken);

    public async Task<bool> TableExistsAsync(DbConnection connection, TableId table, CancellationToken cancellationToken) =>
        (await DescribeColumnsAsync(connection, table, cancellationToken).ConfigureAwait(false)).Count > 0;

    public virtual IReadOnlyList<ColumnDefinition> DescribeResult(DbDataReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var schema = reader.GetColumnSchema();
        var result = new List<ColumnDefinition>(schema.Count);
        for (var i = 0; i < schema.Count; i++)
        {
            var c = schema[i];
            var typeName = (c.DataTypeName ?? reader.GetDataTypeName(i)).ToUpperInvariant();
            result.Add(new ColumnDefinition(
                c.ColumnName,
                typeName,
                c.AllowDBNull ?? true,
                c.IsAutoIncrement ?? false,
                c.IsKey ?? false,
                c.NumericPrecision ?? c.ColumnSize ?? 0,
                c.NumericScale ?? 0));
        }
        return result;
    }

    /// <summary>Maps a database type to the Connect kind; Unsupported columns are skipped by the source.</summary>
    public abstract ColumnKind Classify(ColumnDefinition column);

    public Schema? ColumnSchema(ColumnDefinition column, NumericMapping numericMapping)
    {
        ArgumentNullException.ThrowIfNull(column);
        SchemaBuilder builder;
        switch (EffectiveKind(column, numericMapping))
        {
            case ColumnKind.Boolean: builder = SchemaBuilder.Bool(); break;
            case ColumnKind.Int8: builder = SchemaBuilder.Int8(); break;
            case ColumnKind.Int16: builder = SchemaBuilder.Int16(); break;
            case ColumnKind.Int32: builder = SchemaBuilder.Int32(); break;
            case ColumnKind.Int64: builder = SchemaBuilder.Int64(); break;
            case ColumnKind.Float32: builder = SchemaBuilder.Float32(); break;
            case ColumnKind.Float64: builder = SchemaBuilder.Float64(); break;
            case ColumnKind.Decimal: builder = ConnectDecimal.Builder(Math.Max(0, column.Scale)); break;
            case ColumnKind.String: builder = SchemaBuilder.String(); break;
            case ColumnKind.Bytes: builder = SchemaBuilder.Bytes(); break;
            case ColumnKind.Date: builder = Date.Builder(); break;
            case ColumnKind.Time: builder = Time.Builder(); break;
            case ColumnKind.Timestamp or ColumnKind.TimestampTz: builder = Timestamp.Builder(); break;
            default: return null;
        }
        if (column.IsNullable)
        {
            builder.Optional();
        }
        return builder.Build();
    }

    /// <summary>The kind after numeric.mapping is applied to DECIMAL/NUMERIC columns.</summary>
    public ColumnKind EffectiveKind(ColumnDefinition column, NumericMapping numericMapping)
    {
        ArgumentNullException.ThrowIfNull(column);
        var kind = Classify(column);
        if (kind != ColumnKind.Decimal || numericMapping == NumericMapping.None)
        {
            return kind;
        }
        var precision = column.Precision;
        var scale = column.Scale;
        if (precision > 0 && precision < 19 && scale <= 0)
        {
            return precision switch
            {
                < 3 => ColumnKind.Int8,
                < 5 => ColumnKind.Int16,
                < 10 => ColumnKind.Int32,
                _ => ColumnKind.Int64,
            };
        }
        if (numericMapping == NumericMapping.BestFitEagerDouble && scale > 0)
        {
            return ColumnKind.Float64;
        }
        if (numericMapping == NumericMapping.BestFit && scale > 0 && precision > 0 && precision < 19)
        {
            return ColumnKind.Float64;
        }
        return ColumnKind.Decimal;
    }

    public object? ReadColumn(DbDataReader reader, int ordinal, ColumnDefinition column, NumericMapping numericMapping, TimeZoneInfo dbTimeZone)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(column);
        if (reader.IsDBNull(ordinal))
        {
            return null;
        }
        var raw = reader.GetValue(ordinal);
        var inv = CultureInfo.InvariantCulture;
        return EffectiveKind(column, numericMapping) switch
        {
            ColumnKind.Boolean => raw is string s ? s is "1" or "t" or "true" : Convert.ToBoolean(raw, inv),
            ColumnKind.Int8 => Convert.ToSByte(raw, inv),
            ColumnKind.Int16 => Convert.ToInt16(raw, inv),
            ColumnKind.Int32 => Convert.ToInt32(raw, inv),
            ColumnKind.Int64 => Convert.ToInt64(raw, inv),
            ColumnKind.Float32 => Convert.ToSingle(raw, inv),
            ColumnKind.Float64 => Convert.ToDouble(raw, inv),
            ColumnKind.Decimal => WithScale(Convert.ToDecimal(raw, inv), Math.Max(0, column.Scale)),
            ColumnKind.String => raw as string ?? Convert.ToString(raw, inv),
            ColumnKind.Bytes => raw as byte[] ?? Encoding.UTF8.GetBytes(Convert.ToString(raw, inv) ?? ""),
            ColumnKind.Date => ToDate(raw),
            ColumnKind.Time => ToTime(raw),
            ColumnKind.Timestamp => ToInstant(raw, dbTimeZone),
            ColumnKind.TimestampTz => ToInstant(raw, TimeZoneInfo.Utc),
            _ => null,
        };
    }

    public abstract string CurrentTimestampQuery { get; }

    public virtual DateTimeOffset ReadCurrentTimestamp(object? value, TimeZoneInfo dbTimeZone) =>
        value is null or DBNull ? throw new DataException("The database returned no current timestamp") : ToInstant(value, dbTimeZone);

    public string TimestampColumnExpression(IReadOnlyList<string> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count == 1)
        {
            return QuoteIdentifier(columns[0]);
        }
        var sb = new StringBuilder("COALESCE(");
        for (var i = 0; i < columns.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }
            sb.Append(QuoteIdentifier(columns[i]));
        }
        return sb.Append(')').ToString();
    }

    public virtual object TimestampParameter(DateTimeOffset value, TimeZoneInfo dbTimeZone) =>
        DateTime.SpecifyKind(TimeZoneInfo.ConvertTime(value, dbTimeZone).DateTime, DateTimeKind.Unspecified);

    public DateTimeOffset? ReadTimestamp(DbDataReader reader, int ordinal, TimeZoneInfo dbTimeZone)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return reader.IsDBNull(ordinal) ? null : ToInstant(reader.GetValue(ordinal), dbTimeZone);
    }

    // ---- Connect → DB ----

    public abstract string SqlType(Schema schema, bool isPrimaryKey);

    public object BindValue(Schema schema, object? value, TimeZoneInfo dbTimeZone)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (value is null)
        {
            return DBNull.Value;
        }
        switch (schema.Name)
        {
            case ConnectDecimal.LogicalName:
                return BindDecimal(value is byte[] b ? ConnectDecimal.ToLogical(schema, b) : Convert.ToDecimal(value, CultureInfo.InvariantCulture));
            case Date.LogicalName:
                return BindDate(value switch
                {
                    DateOnly d => d,
                    DateTime dt => DateOnly.FromDateTime(dt),
                    DateTimeOffset dto => DateOnly.FromDateTime(dto.UtcDateTime),
                    int days => DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + days),
                    _ => throw new DataException($"Unexpected value type {value.GetType().Name} for a Date"),
                });
            case Time.LogicalName:
                return BindTime(value switch
                {
                    TimeOnly t => t,
                    TimeSpan ts => TimeOnly.FromTimeSpan(ts),
                    DateTime dt => TimeOnly.FromDateTime(dt),
                    int ms => TimeOnly.FromTimeSpan(TimeSpan.FromMilliseconds(ms)),
                    _ => throw new DataException($"Unexpected value type {value.GetType().Name} for a Time"),
                });
            case Timestamp.LogicalName:
                var instant = value switch
                {
                    DateTimeOffset dto => dto,
                    DateTime dt => dt.Kind == DateTimeKind.Local ? new DateTimeOffset(dt) : new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)),
                    long ms => DateTimeOffset.FromUnixTimeMilliseconds(ms),
                    _ => throw new DataException($"Unexpected value type {value.GetType().Name} for a Timestamp"),
                };
                return BindTimestamp(DateTime.SpecifyKind(TimeZoneInfo.ConvertTime(instant, dbTimeZone).DateTime, DateTimeKind.Unspecified));
        }
        return schema.Type switch
        {
            SchemaType.Int8 => BindInt8((sbyte)value),
            SchemaType.Boolean => BindBoolean((bool)value),
            SchemaType.Int16 or SchemaType.Int32 or SchemaType.Int64 or SchemaType.Float32 or SchemaType.Float64
                or SchemaType.String or SchemaType.Bytes => value,
            _ => throw new DataException($"{Name} cannot store {schema.Type} values"),
        };
    }

    protected virtual object BindInt8(sbyte value) => value;

    protected virtual object BindBoolean(bool value) => value;

    protected virtual object BindDecimal(decimal value) => value;

    protected virtual object BindDate(DateOnly value) => value.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);

    protected virtual object BindTime(TimeOnly value) => value.ToTimeSpan();

    /// <summary>Wall-clock time in db.timezone, Kind Unspecified.</summary>
    protected virtual object BindTimestamp(DateTime value) => value;

    public virtual string BuildCreateTable(TableId table, IReadOnlyList<SinkColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var sb = new StringBuilder("CREATE TABLE ").Append(QualifiedTableName(table)).Append(" (");
        for (var i = 0; i < columns.Count; i++)
        {
            sb.Append(i == 0 ? "\n" : ",\n");
            AppendColumnDefinition(sb, columns[i]);
        }
        var first = true;
        foreach (var c in columns)
        {
            if (c.IsPrimaryKey)
            {
                sb.Append(first ? ",\nPRIMARY KEY(" : ", ").Append(QuoteIdentifier(c.Name));
                first = false;
            }
        }
        if (!first)
        {
            sb.Append(')');
        }
        return sb.Append(')').ToString();
    }

    public virtual IReadOnlyList<string> BuildAlterTable(TableId table, IReadOnlyList<SinkColumn> newColumns)
    {
        ArgumentNullException.ThrowIfNull(newColumns);
        var sb = new StringBuilder("ALTER TABLE ").Append(QualifiedTableName(table)).Append(' ');
        for (var i = 0; i < newColumns.Count; i++)
        {
            sb.Append(i == 0 ? "\n" : ",\n").Append(AddColumnKeyword).Append(' ');
            AppendColumnDefinition(sb, newColumns[i]);
        }
        return [sb.ToString()];
    }

    protected virtual string AddColumnKeyword => "ADD";

    protected void AppendColumnDefinition(StringBuilder sb, SinkColumn column)
    {
        ArgumentNullException.ThrowIfNull(sb);
        ArgumentNullException.ThrowIfNull(column);
        sb.Append(QuoteIdentifier(column.Name)).Append(' ').Append(SqlType(column.Schema, column.IsPrimaryKey));
        if (column.Schema.DefaultValue is { } def)
        {
            sb.Append(" DEFAULT ").Append(FormatLiteral(column.Schema, def));
        }
        sb.Append(column.Schema.IsOptional && !column.IsPrimaryKey ? " NULL" : " NOT NULL");
    }

    /// <summary>A SQL literal for a column default.</summary>
    protected virtual string FormatLiteral(Schema schema, object value)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var inv = CultureInfo.InvariantCulture;
        switch (schema.Name)
        {
            case Date.LogicalName:
                return "'" + Convert.ToString(BindValue(schema, value, TimeZoneInfo.Utc) is DateTime d ? d.ToString("yyyy-MM-dd", inv) : value, inv) + "'";
            case Time.LogicalName:
            case Timestamp.LogicalName:
                var bound = BindValue(schema, value, TimeZoneInfo.Utc);
                return "'" + (bound switch
                {
                    DateTime dt => dt.ToString("yyyy-MM-dd HH:mm:ss.fff", inv),
                    TimeSpan ts => ts.ToString(@"hh\:mm\:ss\.fff", inv),
                    TimeOnly t => t.ToString("HH:mm:ss.fff", inv),
                    _ => Convert.ToString(bound, inv),
                }) + "'";
        }
        return value switch
        {
            bool b => b ? "1" : "0",
            string s => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
            byte[] bytes => "X'" + Convert.ToHexString(bytes) + "'",
            IFormattable f => f.ToString(null, inv),
            _ => "'" + Convert.ToString(value, inv)?.Replace("'", "''", StringComparison.Ordinal) + "'",
        };
    }

    public virtual string BuildInsert(TableId table, IReadOnlyList<string> columns, int rows)
    {
        var sb = new StringBuilder("INSERT INTO ").Append(QualifiedTableName(table)).Append('(');
        AppendColumnList(sb, columns);
        sb.Append(") VALUES ");
        AppendValueRows(sb, columns.Count, rows);
        return sb.ToString();
    }

    public abstract string BuildUpsert(TableId table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> valueColumns, int rows);

    public virtual string BuildUpdate(TableId table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> valueColumns)
    {
        var sb = new StringBuilder();
        var p = 0;
        AppendUpdate(sb, table, keyColumns, valueColumns, ref p);
        return sb.ToString();
    }

    /// <summary>
    /// <paramref name="rows"/> UPDATE statements in one command, separated by semicolons (every driver here runs
    /// them in one round trip); parameters per row are valueColumns then keyColumns, rows one after another.
    /// Separate statements keep per-row semantics: a missing key updates nothing, later rows win.
    /// </summary>
    public virtual string BuildUpdateBatch(TableId table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> valueColumns, int rows)
    {
        var sb = new StringBuilder();
        var p = 0;
        for (var r = 0; r < rows; r++)
        {
            if (r > 0)
            {
                sb.Append(";\n");
            }
            AppendUpdate(sb, table, keyColumns, valueColumns, ref p);
        }
        return sb.ToString();
    }

    /// <summary>Most rows one multi-row statement may carry (SQL Server caps table value constructors at 1000).</summary>
    public virtual int MaxRowsPerStatement => int.MaxValue;

    private void AppendUpdate(StringBuilder sb, TableId table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> valueColumns, ref int p)
    {
        ArgumentNullException.ThrowIfNull(keyColumns);
        ArgumentNullException.ThrowIfNull(valueColumns);
        sb.Append("UPDATE ").Append(QualifiedTableName(table)).Append(" SET ");
        for (var i = 0; i < valueColumns.Count; i++)
        {
            sb.Append(i == 0 ? "" : ", ").Append(QuoteIdentifier(valueColumns[i])).Append(" = ").Append(ParameterName(p++));
        }
        sb.Append(" WHERE ");
        for (var i = 0; i < keyColumns.Count; i++)
        {
            sb.Append(i == 0 ? "" : " AND ").Append(QuoteIdentifier(keyColumns[i])).Append(" = ").Append(ParameterName(p++));
        }
    }

    public virtual string BuildDelete(TableId table, IReadOnlyList<string> keyColumns, int rows)
    {
        ArgumentNullException.ThrowIfNull(keyColumns);
        var sb = new StringBuilder("DELETE FROM ").Append(QualifiedTableName(table)).Append(" WHERE ");
        var p = 0;
        for (var r = 0; r < rows; r++)
        {
            sb.Append(r == 0 ? "(" : " OR (");
            for (var i = 0; i < keyColumns.Count; i++)
            {
                sb.Append(i == 0 ? "" : " AND ").Append(QuoteIdentifier(keyColumns[i])).Append(" = ").Append(ParameterName(p++));
            }
            sb.Append(')');
        }
        return sb.ToString();
    }

    protected void AppendColumnList(StringBuilder sb, IReadOnlyList<string> columns, string? prefix = null)
    {
        ArgumentNullException.ThrowIfNull(sb);
        ArgumentNullException.ThrowIfNull(columns);
        for (var i = 0; i < columns.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }
            if (prefix is not null)
            {
                sb.Append(prefix);
            }
            sb.Append(QuoteIdentifier(columns[i]));
        }
    }

    protected void AppendValueRows(StringBuilder sb, int columnCount, int rows)
    {
        ArgumentNullException.ThrowIfNull(sb);
        var p = 0;
        for (var r = 0; r < rows; r++)
        {
            sb.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < columnCount; c++)
            {
                sb.Append(c == 0 ? "" : ", ").Append(ParameterName(p++));
            }
            sb.Append(')');
        }
    }

    protected static List<string> Concat(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var all = new List<string>(a.Count + b.Count);
        all.AddRange(a);
        all.AddRange(b);
        return all;
    }

    // ---- value helpers ----

    /// <summary>Rounds or pads a decimal to exactly <paramref name="scale"/> digits (the Decimal schema requires it).</summary>
    public static decimal WithScale(decimal value, int scale)
    {
        scale = Math.Min(scale, 28);
        var rounded = decimal.Round(value, scale, MidpointRounding.AwayFromZero);
        if (rounded.Scale == scale)
        {
            return rounded;
        }
        var bits = decimal.GetBits(rounded);
        var unscaled = new System.Numerics.BigInteger(new decimal(bits[0], bits[1], bits[2], false, 0));
        unscaled *= System.Numerics.BigInteger.Pow(10, scale - rounded.Scale);
        var magnitude = unscaled;
        return new decimal((int)(uint)(magnitude & uint.MaxValue), (int)(uint)((magnitude >> 32) & uint.MaxValue),
            (int)(uint)((magnitude >> 64) & uint.MaxValue), value < 0, (byte)scale);
    }

    protected static DateOnly ToDate(object raw) => raw switch
    {
        DateOnly d => d,
        DateTime dt => DateOnly.FromDateTime(dt),
        DateTimeOffset dto => DateOnly.FromDateTime(dto.DateTime),
        string s => DateOnly.FromDateTime(DateTime.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal)),
        long days => DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + (int)days),
        _ => throw new DataException($"Cannot read a date from {raw.GetType().Name}"),
    };

    protected static TimeOnly ToTime(object raw) => raw switch
    {
        TimeOnly t => t,
        TimeSpan ts => TimeOnly.FromTimeSpan(ts),
        DateTime dt => TimeOnly.FromDateTime(dt),
        string s => TimeOnly.Parse(s, CultureInfo.InvariantCulture),
        long ms => TimeOnly.FromTimeSpan(TimeSpan.FromMilliseconds(ms)),
        _ => throw new DataException($"Cannot read a time from {raw.GetType().Name}"),
    };

    /// <summary>A database date-time value as an instant; wall-clock values are read in <paramref name="zone"/>.</summary>
    protected static DateTimeOffset ToInstant(object raw, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        switch (raw)
        {
            case DateTimeOffset dto:
                return dto;
            case DateTime { Kind: DateTimeKind.Utc } utc:
                return new DateTimeOffset(utc);
            case DateTime dt:
                var wall = DateTime.SpecifyKind(dt, DateTimeKind.Unspecified);
                return new DateTimeOffset(wall, zone.GetUtcOffset(wall));
            case string s:
                var styles = DateTimeStyles.AllowWhiteSpaces;
                if (DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, styles | DateTimeStyles.AssumeUniversal, out var parsed)
                    && (s.EndsWith('Z') || s.Contains('+', StringComparison.Ordinal) || s.LastIndexOf('-') > 7))
                {
                    return parsed;
                }
                return ToInstant(DateTime.Parse(s, CultureInfo.InvariantCulture, styles), zone);
            case long ms:
                return DateTimeOffset.FromUnixTimeMilliseconds(ms);
            case double d:
                return DateTimeOffset.FromUnixTimeMilliseconds((long)d);
            default:
                throw new DataException($"Cannot read a timestamp from {raw.GetType().Name}");
        }
    }

    protected static async Task<List<T>> ReadAllAsync<T>(DbCommand command, Func<DbDataReader, T> map, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(map);
        var list = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(map(reader));
        }
        return list;
    }

    /// <summary>
    /// Runs a catalog query returning (schema or NULL, table name, table type) rows and keeps the tables of the wanted
    /// types; information_schema's "BASE TABLE" counts as "TABLE", as JDBC names it.
    /// </summary>
    protected static async Task<IReadOnlyList<TableId>> QueryTablesAsync(DbConnection connection, string sql, IReadOnlyCollection<string> tableTypes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        var rows = await ReadAllAsync(cmd, r => (Schema: r.IsDBNull(0) ? null : r.GetString(0), Name: r.GetString(1), Type: r.GetString(2)), cancellationToken).ConfigureAwait(false);
        var result = new List<TableId>();
        foreach (var (schema, name, type) in rows)
        {
            if (HasType(tableTypes, type == "BASE TABLE" ? "TABLE" : type)) result.Add(new TableId(null, schema, name));
        }
        return result;
    }

    protected static void AddParameter(DbCommand command, string name, object? value)
    {
        ArgumentNullException.ThrowIfNull(command);
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value ?? DBNull.Value;
        command.Parameters.Add(p);
    }

    protected static bool HasType(IReadOnlyCollection<string> tableTypes, string type)
    {
        ArgumentNullException.ThrowIfNull(tableTypes);
        foreach (var t in tableTypes)
        {
            if (string.Equals(t.Trim(), type, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    protected static int ToInt(object value) => value is DBNull or null ? 0 : Convert.ToInt32(value, CultureInfo.InvariantCulture);

    private protected static bool IsOpen(DbConnection c) => c.State == ConnectionState.Open;
}
