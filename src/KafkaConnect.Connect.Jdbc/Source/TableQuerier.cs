using System.Data.Common;
using System.Globalization;
using System.Numerics;
using System.Text;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Jdbc.Dialects;
using KafkaConnect.Connect.Sources;

namespace KafkaConnect.Connect.Jdbc.Source;

/// <summary>How a querier selects rows; mirrors the source's mode setting.</summary>
internal enum QuerierMode
{
    Bulk,
    Incrementing,
    Timestamp,
    TimestampIncrementing,
}

/// <summary>
/// Reads one table (or the configured query) into source records. A query stays open across polls until its
/// result set is exhausted, so batch.max.rows bounds each poll without re-running the query.
/// </summary>
/// <remarks>
/// Row selection follows Confluent's criteria: incrementing <c>inc &gt; last</c>; timestamp
/// <c>ts &gt; last AND ts &lt; now - delay</c>; timestamp+incrementing
/// <c>ts &lt; now - delay AND ((ts = last AND inc &gt; lastInc) OR ts &gt; last)</c>, ordered by ts then inc, so
/// rows sharing a timestamp are never skipped. Timestamps in offsets keep the database's full precision
/// (read from the raw column, not the millisecond Connect value) so <c>ts = last</c> matches exactly.
/// </remarks>
internal sealed class TableQuerier
{
    private readonly IDatabaseDialect _dialect;
    private readonly JdbcSourceSettings _settings;
    private readonly QuerierMode _mode;
    private readonly IReadOnlyDictionary<string, object?>? _partition;

    private string _incrementingColumn;
    private DbCommand? _command;
    private DbDataReader? _reader;
    private TimestampIncrementingOffset _offset;
    private TimestampIncrementingOffset _checkpoint;

    // Schema of the running query; reused while the table's columns stay the same.
    private IReadOnlyList<ColumnDefinition>? _columns;
    private Schema? _schema;
    private int[] _fieldOrdinals = [];
    private ColumnDefinition[] _fieldColumns = [];
    private int _incrementingOrdinal = -1;
    private int[] _timestampOrdinals = [];

    // Timestamp mode reads one row ahead: an offset may only move to a timestamp once every row with it was read.
    private PendingRow? _pending;
    private bool _exhausted;

    public TableQuerier(
        IDatabaseDialect dialect,
        JdbcSourceSettings settings,
        QuerierMode mode,
        TableId? table,
        string? query,
        IReadOnlyDictionary<string, object?>? storedOffset)
    {
        _dialect = dialect;
        _settings = settings;
        _mode = mode;
        Table = table;
        Query = query;
        _incrementingColumn = settings.IncrementingColumn;
        _offset = _checkpoint = TimestampIncrementingOffset.FromMap(storedOffset);
        if (table is not null)
        {
            Topic = settings.TopicPrefix + table.Name;
            _partition = mode == QuerierMode.Bulk ? SourceOffsets.TablePartitionV0(table) : SourceOffsets.TablePartitionV1(table);
        }
        else
        {
            Topic = settings.TopicPrefix;
            _partition = SourceOffsets.QueryPartition;
        }
    }

    public TableId? Table { get; }

    public string? Query { get; }

    public string Topic { get; }

    public IReadOnlyDictionary<string, object?>? Partition => _partition;

    /// <summary>When the last query finished (milliseconds of the task's clock); 0 = never.</summary>
    public long LastUpdate { get; private set; }

    public bool Querying => _reader is not null;

    public int FailedAttempts { get; set; }

    internal TimestampIncrementingOffset Offset => _offset;

    internal string IncrementingColumn => _incrementingColumn;

    /// <summary>The SQL this querier runs (for logs and tests).</summary>
    internal string? LastSql { get; private set; }

    private bool UsesIncrementing => _mode is QuerierMode.Incrementing or QuerierMode.TimestampIncrementing;

    private bool UsesTimestamp => _mode is QuerierMode.Timestamp or QuerierMode.TimestampIncrementing;

    /// <summary>Sets the starting timestamp when no offset was stored (timestamp.initial).</summary>
    public void SetInitialTimestamp(DateTimeOffset initial)
    {
        if (_offset.Timestamp is null)
        {
            _offset = _checkpoint = _offset with { Timestamp = initial };
        }
    }

    /// <summary>
    /// Startup checks for table mode: finds the auto-increment column when incrementing.column.name is empty,
    /// and checks the offset columns exist (and are NOT NULL when validate.non.null).
    /// </summary>
    public async Task ValidateAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        if (Table is null || _mode == QuerierMode.Bulk)
        {
            if (Table is null && UsesIncrementing && _incrementingColumn.Length == 0)
            {
                throw new ConfigException(JdbcSourceConfig.IncrementingColumnName, "",
                    "An incrementing column name is required with a custom query.");
            }
            return;
        }
        var columns = await _dialect.DescribeColumnsAsync(connection, Table, cancellationToken).ConfigureAwait(false);
        if (columns.Count == 0)
        {
            throw new ConnectException($"Table {SourceOffsets.FullName(Table)} does not exist or has no columns.");
        }
        if (UsesIncrementing)
        {
            ColumnDefinition? incrementing;
            if (_incrementingColumn.Length == 0)
            {
                incrementing = FirstAutoIncrement(columns);
                if (incrementing is null)
                {
                    throw new ConnectException($"Table {SourceOffsets.FullName(Table)} has no auto-increment column; "
                        + "set incrementing.column.name.");
                }
                _incrementingColumn = incrementing.Name;
            }
            else
            {
                incrementing = FindColumn(columns, _incrementingColumn)
                    ?? throw new ConfigException($"Incrementing column: {_incrementingColumn} does not exist in table '{SourceOffsets.FullName(Table)}'");
            }
            if (_settings.ValidateNonNull && incrementing.IsNullable)
            {
                throw new ConnectException($"Cannot make incremental queries using incrementing column {_incrementingColumn} on "
                    + $"{SourceOffsets.FullName(Table)} because this column is nullable.");
            }
        }
        if (UsesTimestamp)
        {
            var missing = new List<string>();
            var anyNotNull = false;
            foreach (var name in _settings.TimestampColumns)
            {
                var column = FindColumn(columns, name);
                if (column is null)
                {
                    missing.Add(name);
                }
                else if (!column.IsNullable)
                {
                    anyNotNull = true;
                }
            }
            if (missing.Count > 0)
            {
                throw new ConfigException($"Timestamp columns: {string.Join(", ", missing)} do not exist in table '{SourceOffsets.FullName(Table)}'");
            }
            if (_settings.ValidateNonNull && !anyNotNull)
            {
                throw new ConnectException($"Cannot make incremental queries using timestamp columns {string.Join(",", _settings.TimestampColumns)} "
                    + $"on {SourceOffsets.FullName(Table)} because all of these columns are nullable.");
            }
        }
    }

    /// <summary>Runs the query (table description, current DB time and the SELECT) and keeps the reader open.</summary>
    public async Task StartQueryAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        if (_reader is not null)
        {
            return;
        }
        IReadOnlyList<ColumnDefinition>? described = null;
        if (Table is not null)
        {
            // Describe each time so ALTER TABLE ... ADD COLUMN shows up in the next records' schema.
            described = await _dialect.DescribeColumnsAsync(connection, Table, cancellationToken).ConfigureAwait(false);
            if (UsesIncrementing && _incrementingColumn.Length == 0)
            {
                _incrementingColumn = FirstAutoIncrement(described)?.Name
                    ?? throw new ConnectException($"Table {SourceOffsets.FullName(Table)} has no auto-increment column; set incrementing.column.name.");
            }
        }
        DateTimeOffset? end = null;
        if (UsesTimestamp)
        {
            end = await CurrentDbTimeAsync(_dialect, connection, _settings.DbTimeZone, cancellationToken).ConfigureAwait(false)
                - TimeSpan.FromMilliseconds(_settings.TimestampDelayMs);
        }

        var command = connection.CreateCommand();
        try
        {
            command.CommandText = LastSql = BuildSql();
            AddParameters(command, end);
            _reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            _command = command;
        }
        catch
        {
            await command.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        _exhausted = false;
        _pending = null;
        PrepareSchema(_reader, described);
    }

    /// <summary>Remembers the offset at the start of a batch, to roll back to if the batch fails.</summary>
    public void Checkpoint() => _checkpoint = _offset;

    /// <summary>Rolls the offset back to the last checkpoint (the batch in progress was not returned).</summary>
    public void RollBack() => _offset = _checkpoint;

    /// <summary>The next record, or null when the result set is exhausted.</summary>
    public async ValueTask<SourceRecord?> ReadNextAsync(CancellationToken cancellationToken)
    {
        var reader = _reader ?? throw new InvalidOperationException("No query is running");
        if (_mode == QuerierMode.Timestamp)
        {
            return await ReadNextTimestampOnlyAsync(reader, cancellationToken).ConfigureAwait(false);
        }
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            _exhausted = true;
            return null;
        }
        var value = ReadStruct(reader);
        if (_mode == QuerierMode.Bulk)
        {
            return new SourceRecord(_partition, null, Topic, _schema, value);
        }
        var incrementing = UsesIncrementing ? ReadIncrementing(reader) : (long?)null;
        var timestamp = UsesTimestamp ? ReadOffsetTimestamp(reader) : null;
        _offset = new TimestampIncrementingOffset(timestamp, incrementing);
        return new SourceRecord(_partition, _offset.ToMap(), Topic, _schema, value);
    }

    private async ValueTask<SourceRecord?> ReadNextTimestampOnlyAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        if (_pending is null)
        {
            if (_exhausted || !await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                _exhausted = true;
                return null;
            }
            _pending = new PendingRow(ReadStruct(reader), ReadOffsetTimestamp(reader));
        }
        var current = _pending;
        if (!_exhausted && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            _pending = new PendingRow(ReadStruct(reader), ReadOffsetTimestamp(reader));
            if (current.Timestamp is null || _pending.Timestamp is null || current.Timestamp < _pending.Timestamp)
            {
                _offset = new TimestampIncrementingOffset(current.Timestamp, null);
            }
        }
        else
        {
            _exhausted = true;
            _pending = null;
            _offset = new TimestampIncrementingOffset(current.Timestamp, null);
        }
        return new SourceRecord(_partition, _offset.ToMap(), Topic, _schema, current.Value);
    }

    /// <summary>Closes the running query and schedules the next one after poll.interval.ms.</summary>
    public void Reset(long now)
    {
        var reader = _reader;
        var command = _command;
        _reader = null;
        _command = null;
        _pending = null;
        _exhausted = false;
        LastUpdate = now;
        try
        {
            reader?.Dispose();
        }
        catch (Exception e) when (e is DbException or InvalidOperationException)
        {
            // The connection may be gone already; nothing to release then.
        }
        try
        {
            command?.Dispose();
        }
        catch (Exception e) when (e is DbException or InvalidOperationException)
        {
        }
    }

    internal string BuildSql()
    {
        var sql = new StringBuilder(128);
        if (Table is not null)
        {
            sql.Append("SELECT * FROM ").Append(_dialect.QualifiedTableName(Table));
        }
        else
        {
            sql.Append(Query);
        }
        string Inc() => _dialect.QuoteIdentifier(_incrementingColumn);
        switch (_mode)
        {
            case QuerierMode.Incrementing:
                sql.Append(" WHERE ").Append(Inc()).Append(" > ").Append(_dialect.ParameterName(0))
                    .Append(" ORDER BY ").Append(Inc()).Append(" ASC");
                break;
            case QuerierMode.Timestamp:
            {
                var ts = _dialect.TimestampColumnExpression(_settings.TimestampColumns);
                sql.Append(" WHERE ").Append(ts).Append(" > ").Append(_dialect.ParameterName(0))
                    .Append(" AND ").Append(ts).Append(" < ").Append(_dialect.ParameterName(1))
                    .Append(" ORDER BY ").Append(ts).Append(" ASC");
                break;
            }
            case QuerierMode.TimestampIncrementing:
            {
                var ts = _dialect.TimestampColumnExpression(_settings.TimestampColumns);
                var end = _dialect.ParameterName(0);
                var begin = _dialect.ParameterName(1);
                var lastInc = _dialect.ParameterName(2);
                sql.Append(" WHERE ").Append(ts).Append(" < ").Append(end)
                    .Append(" AND ((").Append(ts).Append(" = ").Append(begin).Append(" AND ").Append(Inc()).Append(" > ").Append(lastInc)
                    .Append(") OR ").Append(ts).Append(" > ").Append(begin).Append(')')
                    .Append(" ORDER BY ").Append(ts).Append(',').Append(Inc()).Append(" ASC");
                break;
            }
        }
        if (_settings.QuerySuffix.Length > 0)
        {
            sql.Append(' ').Append(_settings.QuerySuffix);
        }
        return sql.ToString();
    }

    private void AddParameters(DbCommand command, DateTimeOffset? end)
    {
        switch (_mode)
        {
            case QuerierMode.Incrementing:
                Add(command, 0, _offset.IncrementingOrDefault);
                break;
            case QuerierMode.Timestamp:
                Add(command, 0, _dialect.TimestampParameter(_offset.TimestampOrEpoch, _settings.DbTimeZone));
                Add(command, 1, _dialect.TimestampParameter(end!.Value, _settings.DbTimeZone));
                break;
            case QuerierMode.TimestampIncrementing:
                Add(command, 0, _dialect.TimestampParameter(end!.Value, _settings.DbTimeZone));
                Add(command, 1, _dialect.TimestampParameter(_offset.TimestampOrEpoch, _settings.DbTimeZone));
                Add(command, 2, _offset.IncrementingOrDefault);
                break;
        }
    }

    private void Add(DbCommand command, int index, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = _dialect.ParameterName(index);
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    internal static async Task<DateTimeOffset> CurrentDbTimeAsync(
        IDatabaseDialect dialect, DbConnection connection, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = dialect.CurrentTimestampQuery;
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return dialect.ReadCurrentTimestamp(value, zone);
    }

    private void PrepareSchema(DbDataReader reader, IReadOnlyList<ColumnDefinition>? described)
    {
        var count = reader.FieldCount;
        var columns = new ColumnDefinition[count];
        IReadOnlyList<ColumnDefinition>? fromResult = null;
        for (var i = 0; i < count; i++)
        {
            var name = reader.GetName(i);
            var column = described is null ? null : FindColumn(described, name);
            if (column is null)
            {
                // Query mode, or a column added between the description and the SELECT.
                fromResult ??= _dialect.DescribeResult(reader);
                column = fromResult[i];
            }
            columns[i] = column;
        }
        if (_columns is not null && _schema is not null && _columns.SequenceEqual(columns))
        {
            return;
        }
        var builder = SchemaBuilder.Struct();
        if (Table is not null)
        {
            builder.Name(Table.Name);
        }
        var ordinals = new List<int>(count);
        var fieldColumns = new List<ColumnDefinition>(count);
        for (var i = 0; i < count; i++)
        {
            var fieldSchema = _dialect.ColumnSchema(columns[i], _settings.NumericMapping);
            if (fieldSchema is null)
            {
                // Confluent skips columns of unsupported types rather than failing the table.
                continue;
            }
            builder.Field(columns[i].Name, fieldSchema);
            ordinals.Add(i);
            fieldColumns.Add(columns[i]);
        }
        _schema = builder.Build();
        _columns = columns;
        _fieldOrdinals = [.. ordinals];
        _fieldColumns = [.. fieldColumns];
        _incrementingOrdinal = UsesIncrementing ? FindOrdinal(reader, _incrementingColumn, "Incrementing") : -1;
        if (UsesTimestamp)
        {
            _timestampOrdinals = new int[_settings.TimestampColumns.Count];
            for (var i = 0; i < _timestampOrdinals.Length; i++)
            {
                _timestampOrdinals[i] = FindOrdinal(reader, _settings.TimestampColumns[i], "Timestamp");
            }
        }
    }

    private Struct ReadStruct(DbDataReader reader)
    {
        var value = new Struct(_schema!);
        var fields = _schema!.Fields;
        for (var i = 0; i < _fieldOrdinals.Length; i++)
        {
            var ordinal = _fieldOrdinals[i];
            var fieldValue = _dialect.ReadColumn(reader, ordinal, _fieldColumns[i], _settings.NumericMapping, _settings.DbTimeZone);
            if (fieldValue is not null)
            {
                value.Put(fields[i], fieldValue);
            }
        }
        return value;
    }

    private long ReadIncrementing(DbDataReader reader)
    {
        if (reader.IsDBNull(_incrementingOrdinal))
        {
            throw new ConnectException($"Null value for incrementing column {_incrementingColumn}");
        }
        var raw = reader.GetValue(_incrementingOrdinal);
        return raw switch
        {
            long l => l,
            int i => i,
            short s => s,
            sbyte b => b,
            byte b => b,
            ushort u => u,
            uint u => u,
            ulong u when u <= long.MaxValue => (long)u,
            decimal d when d == decimal.Truncate(d) && d <= long.MaxValue && d >= long.MinValue => (long)d,
            BigInteger b when b <= long.MaxValue && b >= long.MinValue => (long)b,
            string s when long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => throw new ConnectException($"Invalid value for incrementing column {_incrementingColumn}: {raw} ({raw.GetType().Name})"),
        };
    }

    private DateTimeOffset? ReadOffsetTimestamp(DbDataReader reader)
    {
        // COALESCE semantics: the first non-null timestamp column wins.
        foreach (var ordinal in _timestampOrdinals)
        {
            if (!reader.IsDBNull(ordinal) && _dialect.ReadTimestamp(reader, ordinal, _settings.DbTimeZone) is { } ts)
            {
                return ts;
            }
        }
        return null;
    }

    private static int FindOrdinal(DbDataReader reader, string name, string what)
    {
        var insensitive = -1;
        var matches = 0;
        for (var i = 0; i < reader.FieldCount; i++)
        {
            var candidate = reader.GetName(i);
            if (string.Equals(candidate, name, StringComparison.Ordinal))
            {
                return i;
            }
            if (string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase))
            {
                insensitive = i;
                matches++;
            }
        }
        if (matches == 1)
        {
            return insensitive;
        }
        var names = new string[reader.FieldCount];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = reader.GetName(i);
        }
        throw new DataException($"{what} column {name} not found in {string.Join(",", names)}");
    }

    private static ColumnDefinition? FindColumn(IReadOnlyList<ColumnDefinition> columns, string name)
    {
        ColumnDefinition? insensitive = null;
        foreach (var column in columns)
        {
            if (string.Equals(column.Name, name, StringComparison.Ordinal))
            {
                return column;
            }
            if (insensitive is null && string.Equals(column.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                insensitive = column;
            }
        }
        return insensitive;
    }

    private static ColumnDefinition? FirstAutoIncrement(IReadOnlyList<ColumnDefinition> columns)
    {
        foreach (var column in columns)
        {
            if (column.IsAutoIncrement)
            {
                return column;
            }
        }
        return null;
    }

    private sealed record PendingRow(Struct Value, DateTimeOffset? Timestamp);
}
