using System.Data.Common;
using System.Text;
using KafkaConnect.Connect.Jdbc.Dialects;
using Npgsql;
using NpgsqlTypes;

namespace KafkaConnect.Connect.Jdbc.Sink;

/// <summary>
/// PostgreSQL's fastest paths: binary COPY straight into the table (insert mode), or binary COPY into a
/// transaction-scoped staging table followed by INSERT ... SELECT ... ON CONFLICT (upsert mode). Both run inside
/// the batch transaction. Returns false (caller falls back to multi-row statements) for column types COPY
/// cannot be fed reliably.
/// </summary>
internal static class PostgresBulk
{
    public static bool TryCopy(JdbcDbWriter writer, DbConnection connection, TableId table, IReadOnlyList<string> columns,
        List<object[]> rows, IReadOnlyList<ColumnDefinition> described)
    {
        if (!TryKinds(writer.Dialect, columns, described, out var kinds))
        {
            return false;
        }
        Copy((NpgsqlConnection)connection, writer.Dialect.QualifiedTableName(table), writer.Dialect, columns, kinds, rows, writer.TimeZone);
        return true;
    }

    public static bool TryUpsert(JdbcDbWriter writer, PostgreSqlDialect dialect, DbConnection connection, TableId table,
        IReadOnlyList<string> keys, IReadOnlyList<string> values, List<object[]> rows, IReadOnlyList<ColumnDefinition> described, int stage)
    {
        var columns = new List<string>(keys.Count + values.Count);
        columns.AddRange(keys);
        columns.AddRange(values);
        if (!TryKinds(dialect, columns, described, out var kinds))
        {
            return false;
        }
        var npgsql = (NpgsqlConnection)connection;
        var columnList = new StringBuilder();
        for (var i = 0; i < columns.Count; i++)
        {
            columnList.Append(i == 0 ? "" : ", ").Append(dialect.QuoteIdentifier(columns[i]));
        }
        var target = dialect.QualifiedTableName(table);
        // One session-scoped staging table per target and column set, emptied by every commit: saves the
        // CREATE and DROP round trips per batch. The writer forgets them when it drops the connection (a
        // rollback of the creating transaction also drops the connection), and pooled connections are reset
        // with DISCARD ALL, which drops temp tables.
        var stageKey = target + "\u0001" + columnList;
        if (!writer.PostgresStages.TryGetValue(stageKey, out var staging))
        {
            staging = dialect.QuoteIdentifier("kc_stage_" + stage.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var create = npgsql.CreateCommand();
            create.CommandText = $"CREATE TEMP TABLE {staging} ON COMMIT DELETE ROWS AS SELECT {columnList} FROM {target} WITH NO DATA";
            create.ExecuteNonQuery();
            writer.PostgresStages[stageKey] = staging;
        }
        else if (writer.StagesUsedInTransaction.Contains(staging))
        {
            // A second batch for the same target within one transaction: the rows of the first are still there.
            using var clear = npgsql.CreateCommand();
            clear.CommandText = "TRUNCATE " + staging;
            clear.ExecuteNonQuery();
        }
        writer.StagesUsedInTransaction.Add(staging);
        Copy(npgsql, staging, dialect, columns, kinds, rows, writer.TimeZone);
        var sql = new StringBuilder("INSERT INTO ").Append(target).Append(" (").Append(columnList).Append(") SELECT ")
            .Append(columnList).Append(" FROM ").Append(staging);
        dialect.AppendOnConflict(sql, keys, values);
        using (var merge = npgsql.CreateCommand())
        {
            merge.CommandText = sql.ToString();
            merge.ExecuteNonQuery();
        }
        return true;
    }

    private static bool TryKinds(IDatabaseDialect dialect, IReadOnlyList<string> columns, IReadOnlyList<ColumnDefinition> described, out ColumnKind[] kinds)
    {
        kinds = new ColumnKind[columns.Count];
        var pg = (DatabaseDialect)dialect;
        for (var i = 0; i < columns.Count; i++)
        {
            ColumnDefinition? def = null;
            foreach (var d in described)
            {
                if (d.Name == columns[i] || (def is null && string.Equals(d.Name, columns[i], StringComparison.OrdinalIgnoreCase)))
                {
                    def = d;
                }
            }
            if (def is null)
            {
                return false;
            }
            var kind = pg.Classify(def);
            var type = def.TypeName;
            // Only types whose binary format matches what we write: text-like COPY fields for uuid/json differ.
            var textual = type is "TEXT" or "CHARACTER VARYING" or "VARCHAR" or "CHARACTER" or "BPCHAR";
            if (kind is ColumnKind.Unsupported || (kind == ColumnKind.String && !textual) || type == "MONEY")
            {
                return false;
            }
            kinds[i] = kind;
        }
        return true;
    }

    private static void Copy(NpgsqlConnection connection, string target, IDatabaseDialect dialect, IReadOnlyList<string> columns,
        ColumnKind[] kinds, List<object[]> rows, TimeZoneInfo zone)
    {
        var sql = new StringBuilder("COPY ").Append(target).Append(" (");
        for (var i = 0; i < columns.Count; i++)
        {
            sql.Append(i == 0 ? "" : ", ").Append(dialect.QuoteIdentifier(columns[i]));
        }
        sql.Append(") FROM STDIN (FORMAT BINARY)");
        using var importer = connection.BeginBinaryImport(sql.ToString());
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        foreach (var row in rows)
        {
            importer.StartRow();
            for (var i = 0; i < kinds.Length; i++)
            {
                var v = row[i];
                if (v is DBNull)
                {
                    importer.WriteNull();
                    continue;
                }
                switch (kinds[i])
                {
                    case ColumnKind.Boolean: importer.Write(v is bool b ? b : Convert.ToInt64(v, inv) != 0, NpgsqlDbType.Boolean); break;
                    case ColumnKind.Int8 or ColumnKind.Int16: importer.Write(Convert.ToInt16(v, inv), NpgsqlDbType.Smallint); break;
                    case ColumnKind.Int32: importer.Write(Convert.ToInt32(v, inv), NpgsqlDbType.Integer); break;
                    case ColumnKind.Int64: importer.Write(Convert.ToInt64(v, inv), NpgsqlDbType.Bigint); break;
                    case ColumnKind.Float32: importer.Write(Convert.ToSingle(v, inv), NpgsqlDbType.Real); break;
                    case ColumnKind.Float64: importer.Write(Convert.ToDouble(v, inv), NpgsqlDbType.Double); break;
                    case ColumnKind.Decimal: importer.Write(Convert.ToDecimal(v, inv), NpgsqlDbType.Numeric); break;
                    case ColumnKind.String: importer.Write(v as string ?? Convert.ToString(v, inv)!, NpgsqlDbType.Text); break;
                    case ColumnKind.Bytes: importer.Write((byte[])v, NpgsqlDbType.Bytea); break;
                    case ColumnKind.Date: importer.Write(v is DateOnly d ? d : DateOnly.FromDateTime((DateTime)v), NpgsqlDbType.Date); break;
                    case ColumnKind.Time: importer.Write(v is TimeOnly t ? t : TimeOnly.FromTimeSpan((TimeSpan)v), NpgsqlDbType.Time); break;
                    case ColumnKind.Timestamp: importer.Write(DateTime.SpecifyKind((DateTime)v, DateTimeKind.Unspecified), NpgsqlDbType.Timestamp); break;
                    case ColumnKind.TimestampTz:
                        importer.Write(TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind((DateTime)v, DateTimeKind.Unspecified), zone), NpgsqlDbType.TimestampTz);
                        break;
                    default: throw new InvalidOperationException("unreachable: kind checked before COPY");
                }
            }
        }
        importer.Complete();
    }
}
