using System.Collections;
using System.Data.Common;
using System.Globalization;
using System.Text;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Jdbc.Dialects;
using KafkaConnect.Connect.Sinks;
using DataException = KafkaConnect.Connect.Errors.DataException;
using SchemaType = KafkaConnect.Connect.Data.SchemaType;

namespace KafkaConnect.Connect.Jdbc.Sink;

/// <summary>
/// Turns a Put batch into SQL: resolves tables (creating/evolving them first, outside the data transaction),
/// groups consecutive records of the same table, operation and column set, and writes all groups in one
/// transaction using multi-row statements (binary COPY on PostgreSQL).
/// </summary>
internal sealed class JdbcDbWriter : IDisposable
{
    private enum Op
    {
        Insert,
        Upsert,
        Update,
        Delete,
    }

    private sealed class Batch(TableId table, Op op, object shapeKey, IReadOnlyList<string> keys, IReadOnlyList<string> values)
    {
        public TableId Table { get; } = table;
        public Op Op { get; } = op;
        public object ShapeKey { get; } = shapeKey;
        public IReadOnlyList<string> Keys { get; } = keys;
        public IReadOnlyList<string> Values { get; } = values;
        public List<object[]> Rows { get; } = [];
    }

    private sealed record ShapeCacheEntry(Schema? KeySchema, Schema? ValueSchema, RecordShape Shape);

    private readonly JdbcSinkConfig _config;
    private readonly JdbcConnectionInfo _info;
    private readonly DatabaseDialect _dialect;
    private readonly Action<SinkRecord, Exception>? _reportErrant;
    private readonly Dictionary<TableId, IReadOnlyList<ColumnDefinition>> _tables = [];
    private readonly Dictionary<string, ShapeCacheEntry> _shapeByTopic = new(StringComparer.Ordinal);
    private readonly HashSet<(TableId, RecordShape)> _verified = [];
    private readonly Dictionary<string, TableId> _tableIds = new(StringComparer.Ordinal);
    private readonly Dictionary<(TableId, string), string[]> _autoShapes = [];
    private DbConnection? _connection;
    private int _stageCounter;

    public JdbcDbWriter(JdbcSinkConfig config, JdbcConnectionInfo info, Action<SinkRecord, Exception>? reportErrant)
    {
        _config = config;
        _info = info;
        _dialect = (DatabaseDialect)info.Dialect;
        _reportErrant = reportErrant;
    }

    public IDatabaseDialect Dialect => _dialect;

    public void Write(IReadOnlyCollection<SinkRecord> records)
    {
        var connection = _connection ??= _dialect.Open(_info);
        var batches = new List<Batch>();
        var open = new Dictionary<TableId, Batch>();
        foreach (var record in records)
        {
            var table = TableFor(record.Topic);
            Batch? batch;
            try
            {
                batch = Route(connection, record, table, open, batches);
            }
            catch (DataException e) when (_reportErrant is not null)
            {
                _reportErrant(record, e);
                continue;
            }
            _ = batch;
        }
        if (batches.Count == 0)
        {
            return;
        }
        using var tx = connection.BeginTransaction();
        StagesUsedInTransaction.Clear();
        foreach (var batch in batches)
        {
            Execute(connection, tx, batch);
        }
        tx.Commit();
    }

    /// <summary>PostgreSQL staging tables of this connection, by target and column list (see <see cref="PostgresBulk"/>).</summary>
    internal Dictionary<string, string> PostgresStages { get; } = new(StringComparer.Ordinal);

    internal HashSet<string> StagesUsedInTransaction { get; } = new(StringComparer.Ordinal);

    /// <summary>Drops the connection and cached metadata after a failure, so the retry starts clean.</summary>
    public void Reset()
    {
        _connection?.Dispose();
        _connection = null;
        _tables.Clear();
        _verified.Clear();
        _autoShapes.Clear();
        PostgresStages.Clear();
    }

    public void Dispose() => Reset();

    private TableId TableFor(string topic)
    {
        if (!_tableIds.TryGetValue(topic, out var id))
        {
            var name = _config.TableNameFor(topic);
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ConnectException($"Destination table name for topic '{topic}' is empty");
            }
            id = _dialect.ParseTableId(name);
            _tableIds[topic] = id;
        }
        return id;
    }

    private Batch? Route(DbConnection connection, SinkRecord record, TableId table, Dictionary<TableId, Batch> open, List<Batch> batches)
    {
        if (record.Value is null)
        {
            if (!_config.DeleteEnabledValue)
            {
                return null; // tombstones are ignored unless deletes are enabled
            }
            var keyShape = ShapeFor(record, table, valueSchema: null, keyOnly: true);
            EnsureTable(connection, table, keyShape);
            var deleteBatch = BatchFor(open, batches, table, Op.Delete, keyShape, keyShape.KeyNames, []);
            var keyRow = new object[keyShape.KeyColumns.Count];
            keyShape.Extract(record, Bind, keyRow, keysOnly: true);
            deleteBatch.Rows.Add(keyRow);
            return deleteBatch;
        }
        var op = _config.InsertMode switch
        {
            InsertMode.Upsert => Op.Upsert,
            InsertMode.Update => Op.Update,
            _ => Op.Insert,
        };
        if (_config.AutoSchemaValue && record.Value is IDictionary map)
        {
            return RouteAutoSchema(connection, record, table, map, op, open, batches);
        }
        var shape = ShapeFor(record, table, record.ValueSchema, keyOnly: false);
        EnsureTable(connection, table, shape);
        var batch = BatchFor(open, batches, table, op, shape, shape.KeyNames, shape.ValueNames);
        var row = new object[shape.All.Count];
        shape.Extract(record, Bind, row, keysOnly: false);
        batch.Rows.Add(row);
        return batch;
    }

    private object Bind(Schema schema, object? value) => _dialect.BindValue(schema, value, _config.TimeZone);

    private RecordShape ShapeFor(SinkRecord record, TableId table, Schema? valueSchema, bool keyOnly)
    {
        var cacheKey = keyOnly ? "\0" + record.Topic : record.Topic;
        if (_shapeByTopic.TryGetValue(cacheKey, out var cached)
            && SameSchema(cached.KeySchema, record.KeySchema) && SameSchema(cached.ValueSchema, valueSchema))
        {
            return cached.Shape;
        }
        if (valueSchema is null && !keyOnly)
        {
            throw new DataException($"Record at {record.Topic}-{record.KafkaPartition}@{record.KafkaOffset} has no value schema; "
                + "use a converter with schemas (e.g. JsonConverter with schemas.enable=true) or auto.schema=true");
        }
        var shape = RecordShape.Build(_config, table.ToString(), record.KeySchema, valueSchema);
        _shapeByTopic[cacheKey] = new ShapeCacheEntry(record.KeySchema, valueSchema, shape);
        return shape;
    }

    private static bool SameSchema(Schema? a, Schema? b) => ReferenceEquals(a, b) || (a is not null && a.Equals(b));

    private static Batch BatchFor(Dictionary<TableId, Batch> open, List<Batch> batches, TableId table, Op op, object shapeKey,
        IReadOnlyList<string> keys, IReadOnlyList<string> values)
    {
        if (open.TryGetValue(table, out var current) && current.Op == op && ReferenceEquals(current.ShapeKey, shapeKey))
        {
            return current;
        }
        var batch = new Batch(table, op, shapeKey, keys, values);
        open[table] = batch;
        batches.Add(batch);
        return batch;
    }

    // ---- DDL ----

    private IReadOnlyList<ColumnDefinition> Describe(DbConnection connection, TableId table, bool refresh = false)
    {
        if (refresh || !_tables.TryGetValue(table, out var columns))
        {
            columns = _dialect.DescribeColumnsAsync(connection, table, CancellationToken.None).GetAwaiter().GetResult();
            _tables[table] = columns;
        }
        return columns;
    }

    private void EnsureTable(DbConnection connection, TableId table, RecordShape shape)
    {
        if (_verified.Contains((table, shape)))
        {
            return;
        }
        var columns = Describe(connection, table);
        if (columns.Count == 0)
        {
            columns = Describe(connection, table, refresh: true);
        }
        if (columns.Count == 0)
        {
            if (!_config.AutoCreateValue)
            {
                throw new ConnectException($"Table {table} is missing and auto-creation is disabled (auto.create=false)");
            }
            var sinkColumns = new List<SinkColumn>(shape.All.Count);
            foreach (var c in shape.All)
            {
                sinkColumns.Add(new SinkColumn(c.Name, c.Schema, c.IsPrimaryKey));
            }
            ExecuteDdl(connection, [_dialect.BuildCreateTable(table, sinkColumns)], tolerateExisting: true);
            columns = Describe(connection, table, refresh: true);
        }
        var missing = Missing(columns, shape);
        if (missing.Count > 0)
        {
            columns = Describe(connection, table, refresh: true);
            missing = Missing(columns, shape);
        }
        if (missing.Count > 0)
        {
            if (!_config.AutoEvolveValue)
            {
                throw new ConnectException($"Table {table} is missing fields ({string.Join(", ", missing.ConvertAll(c => c.Name))}) and auto-evolution is disabled (auto.evolve=false)");
            }
            foreach (var c in missing)
            {
                if (!c.Schema.IsOptional && c.Schema.DefaultValue is null)
                {
                    throw new ConnectException($"Cannot ALTER TABLE {table} to add missing field '{c.Name}': the field is not optional and has no default value");
                }
            }
            ExecuteDdl(connection, _dialect.BuildAlterTable(table, missing), tolerateExisting: false);
            Describe(connection, table, refresh: true);
        }
        _verified.Add((table, shape));
    }

    private static List<SinkColumn> Missing(IReadOnlyList<ColumnDefinition> columns, RecordShape shape)
    {
        var missing = new List<SinkColumn>();
        foreach (var c in shape.All)
        {
            if (FindColumn(columns, c.Name) is null)
            {
                missing.Add(new SinkColumn(c.Name, c.Schema, c.IsPrimaryKey));
            }
        }
        return missing;
    }

    private static ColumnDefinition? FindColumn(IReadOnlyList<ColumnDefinition> columns, string name)
    {
        ColumnDefinition? loose = null;
        foreach (var c in columns)
        {
            if (c.Name == name)
            {
                return c;
            }
            if (loose is null && string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                loose = c;
            }
        }
        return loose;
    }

    private void ExecuteDdl(DbConnection connection, IReadOnlyList<string> statements, bool tolerateExisting)
    {
        foreach (var sql in statements)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = sql;
            try
            {
                cmd.ExecuteNonQuery();
            }
            catch (DbException) when (tolerateExisting)
            {
                // Another task may have created it concurrently; the describe that follows decides.
            }
        }
    }

    // ---- auto.schema ----

    private Batch RouteAutoSchema(DbConnection connection, SinkRecord record, TableId table, IDictionary map, Op op,
        Dictionary<TableId, Batch> open, List<Batch> batches)
    {
        var columns = Describe(connection, table);
        if (columns.Count == 0)
        {
            columns = Describe(connection, table, refresh: true);
            if (columns.Count == 0)
            {
                throw new ConnectException($"auto.schema=true needs the table {table} to exist");
            }
        }
        var names = new List<string>(columns.Count);
        var values = new List<object>(columns.Count);
        foreach (var column in columns)
        {
            if (!TryGetEntry(map, column.Name, out var raw))
            {
                if (!column.IsNullable && !column.HasDefault && !column.IsAutoIncrement)
                {
                    throw new DataException($"auto.schema: record at {record.Topic}-{record.KafkaPartition}@{record.KafkaOffset} has no value for column '{column.Name}' of {table}, which is NOT NULL without a default");
                }
                continue;
            }
            var schema = _dialect.ColumnSchema(column, NumericMapping.None)
                ?? throw new DataException($"auto.schema: column '{column.Name}' of {table} has unsupported type {column.TypeName}");
            object? value;
            try
            {
                value = raw is null ? null : AutoSchemaValues.Coerce(schema, raw, _config.TimeZone);
            }
            catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException or DataException)
            {
                throw new DataException($"auto.schema: value '{Convert.ToString(raw, CultureInfo.InvariantCulture)}' does not fit column '{column.Name}' ({column.TypeName}) of {table}: {e.Message}", e);
            }
            if (value is null && !column.IsNullable)
            {
                throw new DataException($"auto.schema: column '{column.Name}' of {table} is NOT NULL but the record holds null");
            }
            names.Add(column.Name);
            values.Add(_dialect.BindValue(schema, value, _config.TimeZone));
        }
        var keyNames = new List<string>();
        if (op != Op.Insert)
        {
            if (_config.PkFieldsValue.Count > 0)
            {
                keyNames.AddRange(_config.PkFieldsValue);
            }
            else
            {
                foreach (var c in columns)
                {
                    if (c.IsPrimaryKey)
                    {
                        keyNames.Add(c.Name);
                    }
                }
            }
            if (keyNames.Count == 0)
            {
                throw new ConnectException($"insert.mode={op.ToString().ToLowerInvariant()} with auto.schema needs pk.fields or a primary key on {table}");
            }
        }
        // Keys first, then the remaining present columns, matching the statement builders' parameter order.
        var ordered = new List<string>(names.Count);
        var row = new object[names.Count];
        var n = 0;
        foreach (var key in keyNames)
        {
            var i = names.FindIndex(x => string.Equals(x, key, StringComparison.OrdinalIgnoreCase));
            if (i < 0)
            {
                throw new DataException($"auto.schema: record at {record.Topic}-{record.KafkaPartition}@{record.KafkaOffset} has no value for key column '{key}' of {table}");
            }
            ordered.Add(names[i]);
            row[n++] = values[i];
        }
        for (var i = 0; i < names.Count; i++)
        {
            if (!ordered.Contains(names[i]))
            {
                ordered.Add(names[i]);
                row[n++] = values[i];
            }
        }
        // Records with the same column set share a statement shape; intern it so batches compare by reference.
        var signature = string.Join('\u0001', ordered);
        if (!_autoShapes.TryGetValue((table, signature), out var shapeColumns))
        {
            shapeColumns = [.. ordered];
            _autoShapes[(table, signature)] = shapeColumns;
        }
        var batch = BatchFor(open, batches, table, op, shapeColumns, shapeColumns[..keyNames.Count], shapeColumns[keyNames.Count..]);
        batch.Rows.Add(row);
        return batch;
    }

    private static bool TryGetEntry(IDictionary map, string name, out object? value)
    {
        if (map.Contains(name))
        {
            value = map[name];
            return true;
        }
        foreach (DictionaryEntry e in map)
        {
            if (e.Key is string s && string.Equals(s, name, StringComparison.OrdinalIgnoreCase))
            {
                value = e.Value;
                return true;
            }
        }
        value = null;
        return false;
    }

    // ---- DML ----

    private void Execute(DbConnection connection, DbTransaction tx, Batch batch)
    {
        switch (batch.Op)
        {
            case Op.Insert:
                if (_dialect is PostgreSqlDialect && PostgresBulk.TryCopy(this, connection, batch.Table, Columns(batch), batch.Rows, Describe(connection, batch.Table)))
                {
                    return;
                }
                ExecuteMultiRow(connection, tx, Columns(batch).Count, batch.Rows, rows => _dialect.BuildInsert(batch.Table, Columns(batch), rows));
                return;
            case Op.Upsert:
                var rows = Deduplicate(batch.Rows, batch.Keys.Count);
                if (_dialect is PostgreSqlDialect pg && PostgresBulk.TryUpsert(this, pg, connection, batch.Table, batch.Keys, batch.Values, rows, Describe(connection, batch.Table), ++_stageCounter))
                {
                    return;
                }
                ExecuteMultiRow(connection, tx, batch.Keys.Count + batch.Values.Count, rows, n => _dialect.BuildUpsert(batch.Table, batch.Keys, batch.Values, n));
                return;
            case Op.Update:
                ExecuteUpdates(connection, tx, batch);
                return;
            case Op.Delete:
                ExecuteMultiRow(connection, tx, batch.Keys.Count, Deduplicate(batch.Rows, batch.Keys.Count), n => _dialect.BuildDelete(batch.Table, batch.Keys, n));
                return;
        }
    }

    internal TimeZoneInfo TimeZone => _config.TimeZone;

    private static List<string> Columns(Batch batch) => [.. batch.Keys, .. batch.Values];

    /// <summary>Keeps the last row per key (in first-seen order): one statement may not touch a row twice.</summary>
    private static List<object[]> Deduplicate(List<object[]> rows, int keyCount)
    {
        if (keyCount == 0 || rows.Count < 2)
        {
            return rows;
        }
        var index = new Dictionary<string, int>(rows.Count, StringComparer.Ordinal);
        var result = new List<object[]>(rows.Count);
        var sb = new StringBuilder();
        foreach (var row in rows)
        {
            sb.Clear();
            for (var i = 0; i < keyCount; i++)
            {
                var v = row[i];
                sb.Append(v is byte[] b ? Convert.ToBase64String(b) : Convert.ToString(v, CultureInfo.InvariantCulture)).Append('\u0001');
            }
            var key = sb.ToString();
            if (index.TryGetValue(key, out var at))
            {
                result[at] = row;
            }
            else
            {
                index[key] = result.Count;
                result.Add(row);
            }
        }
        return result;
    }

    private void ExecuteMultiRow(DbConnection connection, DbTransaction tx, int columnsPerRow, List<object[]> rows, Func<int, string> sqlFor)
    {
        var perStatement = Math.Max(1, Math.Min(Math.Min(_config.BatchSizeValue, _dialect.MaxRowsPerStatement),
            _dialect.MaxParameters / Math.Max(1, columnsPerRow)));
        DbCommand? full = null;
        try
        {
            for (var start = 0; start < rows.Count; start += perStatement)
            {
                var count = Math.Min(perStatement, rows.Count - start);
                DbCommand cmd;
                if (count == perStatement && full is not null)
                {
                    cmd = full;
                }
                else
                {
                    cmd = connection.CreateCommand();
                    cmd.Transaction = tx;
                    cmd.CommandText = sqlFor(count);
                    for (var p = 0; p < count * columnsPerRow; p++)
                    {
                        var parameter = cmd.CreateParameter();
                        parameter.ParameterName = _dialect.ParameterName(p);
                        cmd.Parameters.Add(parameter);
                    }
                    if (count == perStatement)
                    {
                        full = cmd;
                    }
                }
                var parameters = cmd.Parameters;
                for (var r = 0; r < count; r++)
                {
                    var row = rows[start + r];
                    for (var c = 0; c < columnsPerRow; c++)
                    {
                        parameters[(r * columnsPerRow) + c].Value = row[c];
                    }
                }
                try
                {
                    cmd.ExecuteNonQuery();
                }
                finally
                {
                    if (!ReferenceEquals(cmd, full))
                    {
                        cmd.Dispose();
                    }
                }
            }
        }
        finally
        {
            full?.Dispose();
        }
    }

    private void ExecuteUpdates(DbConnection connection, DbTransaction tx, Batch batch)
    {
        if (batch.Values.Count == 0)
        {
            return; // nothing but the key: an update changes nothing
        }
        // Rows hold keys then values; the UPDATE statements take values then keys.
        var keys = batch.Keys.Count;
        var total = keys + batch.Values.Count;
        var reordered = new List<object[]>(batch.Rows.Count);
        foreach (var row in batch.Rows)
        {
            var r = new object[total];
            Array.Copy(row, keys, r, 0, batch.Values.Count);
            Array.Copy(row, 0, r, batch.Values.Count, keys);
            reordered.Add(r);
        }
        ExecuteMultiRow(connection, tx, total, reordered, n => _dialect.BuildUpdateBatch(batch.Table, batch.Keys, batch.Values, n));
    }
}
