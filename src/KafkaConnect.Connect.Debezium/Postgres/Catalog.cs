using KafkaConnect.Connect.Errors;
using Npgsql;

namespace KafkaConnect.Connect.Debezium.Postgres;

/// <summary>What the connector reads from and does to the server's catalog: tables, columns, the publication and the slot.</summary>
internal static class Catalog
{
    /// <summary>The captured tables, ordered by schema and name (the snapshot's order).</summary>
    public static async Task<List<(string Schema, string Table)>> CapturedTablesAsync(NpgsqlConnection db, PostgresSettings settings, CancellationToken ct)
    {
        const string Sql = """
            SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
              AND NOT c.relispartition
            ORDER BY n.nspname, c.relname
            """;
        var tables = new List<(string, string)>();
        await using var command = new NpgsqlCommand(Sql, db);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var schema = reader.GetString(0);
            var table = reader.GetString(1);
            if (settings.Captures(schema, table))
            {
                tables.Add((schema, table));
            }
        }
        return tables;
    }

    /// <summary>The table's columns in attribute order, with NOT NULL and primary-key positions; empty when it no longer exists.</summary>
    public static async Task<List<ColumnInfo>> ColumnsAsync(NpgsqlConnection db, string schema, string table, CancellationToken ct)
    {
        // Generated columns are left out: pgoutput does not send them. int2vector subscripts start at 0.
        const string Sql = """
            SELECT a.attname, a.atttypid, a.atttypmod, a.attnotnull,
                   COALESCE(array_position(i.indkey::int2[], a.attnum) - array_lower(i.indkey::int2[], 1), -1),
                   pg_get_expr(d.adbin, d.adrelid)
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
            ORDER BY a.attnum
            """;
        var columns = new List<ColumnInfo>();
        await using var command = new NpgsqlCommand(Sql, db) { Parameters = { new() { Value = schema }, new() { Value = table } } };
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            columns.Add(new ColumnInfo(reader.GetString(0), reader.GetFieldValue<uint>(1), reader.GetInt32(2), reader.GetBoolean(3), reader.GetInt32(4),
                reader.IsDBNull(5) ? null : reader.GetString(5)));
        }
        return columns;
    }

    /// <summary>Checks the publication exists, creating it as publication.autocreate.mode says when it does not.</summary>
    /// <exception cref="ConnectException">It does not exist and may not be created, or creating it failed.</exception>
    public static async Task EnsurePublicationAsync(NpgsqlConnection db, PostgresSettings settings, CancellationToken ct)
    {
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_publication WHERE pubname = $1", db) { Parameters = { new() { Value = settings.PublicationName } } })
        {
            if (await exists.ExecuteScalarAsync(ct).ConfigureAwait(false) is not null)
            {
                return;
            }
        }
        var name = TableSchema.Quote(settings.PublicationName);
        string sql;
        switch (settings.Autocreate)
        {
            case PublicationAutocreate.Disabled:
                throw new ConnectException(
                    $"Publication '{settings.PublicationName}' does not exist in database '{settings.DbName}' and "
                    + $"{PostgresConnectorConfig.PublicationAutocreateMode}=disabled: create it first (e.g. CREATE PUBLICATION {name} FOR TABLE ...) "
                    + "or set publication.autocreate.mode to all_tables or filtered");
            case PublicationAutocreate.Filtered:
                var tables = await CapturedTablesAsync(db, settings, ct).ConfigureAwait(false);
                if (tables.Count == 0)
                {
                    throw new ConnectException(
                        $"publication.autocreate.mode=filtered found no table to publish in '{settings.DbName}' for publication '{settings.PublicationName}'; check table.include.list/table.exclude.list");
                }
                sql = $"CREATE PUBLICATION {name} FOR TABLE " + string.Join(", ", tables.Select(t => TableSchema.Quote(t.Schema) + "." + TableSchema.Quote(t.Table)));
                break;
            default:
                sql = $"CREATE PUBLICATION {name} FOR ALL TABLES";
                break;
        }
        try
        {
            await using var create = new NpgsqlCommand(sql, db);
            await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        catch (PostgresException e)
        {
            throw new ConnectException($"Creating publication '{settings.PublicationName}' failed ({sql}): {e.MessageText}", e);
        }
    }

    /// <summary>The slot's state, or null when it does not exist.</summary>
    public static async Task<SlotState?> SlotAsync(NpgsqlConnection db, string slotName, CancellationToken ct)
    {
        const string Sql = "SELECT plugin, database, active, active_pid, confirmed_flush_lsn::text, (restart_lsn - '0/0')::bigint FROM pg_replication_slots WHERE slot_name = $1";
        await using var command = new NpgsqlCommand(Sql, db) { Parameters = { new() { Value = slotName } } };
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            return null;
        }
        return new SlotState(
            reader.IsDBNull(0) ? null : reader.GetString(0),
            reader.IsDBNull(1) ? null : reader.GetString(1),
            reader.GetBoolean(2),
            reader.IsDBNull(3) ? null : reader.GetInt32(3),
            reader.IsDBNull(4) ? null : reader.GetString(4),
            reader.IsDBNull(5) ? null : reader.GetInt64(5));
    }

    /// <summary>Fails with a clear message when the slot is used by another connection or belongs elsewhere.</summary>
    public static void CheckSlotUsable(SlotState slot, PostgresSettings settings)
    {
        if (slot.Active)
        {
            throw new SlotInUseException(
                $"Replication slot '{settings.SlotName}' is active for PID {slot.ActivePid}: another client (perhaps another connector "
                + "with the same slot.name) is streaming from it. Stop that client or give this connector its own slot.name");
        }
        if (slot.Plugin != "pgoutput" || slot.Database != settings.DbName)
        {
            throw new ConnectException(
                $"Replication slot '{settings.SlotName}' exists for plugin '{slot.Plugin}' in database '{slot.Database}', not pgoutput in "
                + $"'{settings.DbName}'; drop it or choose another slot.name");
        }
    }
}

internal sealed record SlotState(string? Plugin, string? Database, bool Active, int? ActivePid, string? ConfirmedFlushLsn, long? RestartLsn);

/// <summary>The replication slot is streamed from by another connection (after a lost connection: perhaps still ours).</summary>
internal sealed class SlotInUseException(string message) : ConnectException(message);
