using KafkaConnect.Connect.Data;

namespace KafkaConnect.Connect.Debezium.Postgres;

/// <summary>One column as the catalog or a pgoutput Relation message describes it.</summary>
/// <param name="KeyPosition">Position in the primary key (0-based), or -1 when not part of it.</param>
/// <param name="DefaultExpression">The column default as pg_get_expr prints it (e.g. <c>'abc'::text</c>), or null.</param>
internal sealed record ColumnInfo(string Name, uint TypeOid, int TypeModifier, bool NotNull, int KeyPosition, string? DefaultExpression = null);

/// <summary>
/// A captured table's topic and schemas in Debezium's naming (<c>prefix.schema.table</c> with <c>.Key</c>,
/// <c>.Value</c> and <c>.Envelope</c>), and the conversion of a row, given as PostgreSQL text values in column
/// order, to key and value structs. Columns of types the connector does not map are left out.
/// </summary>
internal sealed partial class TableSchema
{
    /// <summary>Stands for a TOASTed value an update did not change: PostgreSQL does not send it.</summary>
    public static readonly object Unavailable = new();

    /// <summary>Debezium's unavailable.value.placeholder default.</summary>
    public const string UnavailablePlaceholder = "__debezium_unavailable_value";

    private readonly ColumnInfo[] _columns;
    private readonly ColumnType?[] _types;

    // Columns in before/after (mapped and not filtered out by column.include.list/column.exclude.list), and columns
    // read at all (those, and the key columns, which Debezium does not filter).
    private readonly bool[] _inValue;
    private readonly bool[] _read;
    private readonly int[] _keyColumns;

    public TableSchema(string topicPrefix, string schemaName, string tableName, IReadOnlyList<ColumnInfo> columns, PostgresSettings settings,
        TypeRegistry? types = null)
    {
        SchemaName = schemaName;
        TableName = tableName;
        Topic = topicPrefix + "." + schemaName + "." + tableName;
        _columns = [.. columns];
        _types = new ColumnType?[_columns.Length];
        _inValue = new bool[_columns.Length];
        var value = SchemaBuilder.Struct().Name(Topic + ".Value");
        for (var i = 0; i < _columns.Length; i++)
        {
            var column = _columns[i];
            _types[i] = WithDefault(PgTypes.Map(column.TypeOid, column.TypeModifier, !column.NotNull, settings, types ?? TypeRegistry.Empty),
                column.DefaultExpression);
            if (_types[i] is { } type && settings.IncludesColumn(schemaName, tableName, column.Name))
            {
                _inValue[i] = true;
                value.Field(column.Name, type.Schema);
            }
        }
        ValueSchema = value.Optional().Build();
        _keyColumns = KeyColumns(settings.KeyColumnPatterns);
        _read = [.. Enumerable.Range(0, _columns.Length).Select(i => _inValue[i] || _keyColumns.Contains(i))];
        if (_keyColumns.Length > 0)
        {
            var key = SchemaBuilder.Struct().Name(Topic + ".Key");
            foreach (var i in _keyColumns)
            {
                key.Field(_columns[i].Name, _types[i]!.Schema);
            }
            KeySchema = key.Build();
        }
        EnvelopeSchema = ChangeEventSchemas.Envelope(Topic + ".Envelope", ValueSchema);
    }

    public string SchemaName { get; }

    public string TableName { get; }

    public string Topic { get; }

    /// <summary>Null for a table without a primary key: its records have no key, as Debezium's.</summary>
    public Schema? KeySchema { get; }

    public Schema ValueSchema { get; }

    public Schema EnvelopeSchema { get; }

    public IReadOnlyList<ColumnInfo> Columns => _columns;

    /// <summary>
    /// The columns the snapshot selects (those with a mapped type), as SQL, each as its type's output function prints
    /// it: the text pgoutput sends. (A cast to text differs for some types: booleans become true/false, char(n) loses
    /// its padding.)
    /// </summary>
    public string SelectList => string.Join(", ", Enumerable.Range(0, _columns.Length)
        .Where(i => _read[i])
        .Select(i => $"CASE WHEN {Quote(_columns[i].Name)} IS NULL THEN NULL ELSE format('%s', {Quote(_columns[i].Name)}) END"));

    /// <summary>How many values a row given to <see cref="Value"/> has when it comes from <see cref="SelectList"/>.</summary>
    public int SelectedColumnCount => _read.Count(r => r);

    /// <summary>Whether two rows (all columns, in column order) have the same primary key.</summary>
    public bool SameKey(object?[] a, object?[] b) => _keyColumns.All(i => Equals(a[i], b[i]));

    /// <summary>The key struct of a row given with every column, or null for a keyless table.</summary>
    public Struct? Key(object?[] row)
    {
        if (KeySchema is null)
        {
            return null;
        }
        var key = new Struct(KeySchema);
        foreach (var i in _keyColumns)
        {
            key.Put(_columns[i].Name, Convert(i, row[i]));
        }
        return key;
    }

    /// <summary>The value struct of a row given with every column (null, text or <see cref="Unavailable"/> each).</summary>
    public Struct Value(object?[] row)
    {
        var value = new Struct(ValueSchema);
        for (var i = 0; i < _columns.Length; i++)
        {
            if (_inValue[i])
            {
                value.Put(_columns[i].Name, Convert(i, row[i]));
            }
        }
        return value;
    }

    /// <summary>Spreads a snapshot row (the columns of <see cref="SelectList"/> only) over all columns.</summary>
    public object?[] FromSelected(IReadOnlyList<string?> selected)
    {
        var row = new object?[_columns.Length];
        var next = 0;
        for (var i = 0; i < _columns.Length; i++)
        {
            if (_read[i])
            {
                row[i] = selected[next++];
            }
        }
        return row;
    }

    /// <summary>
    /// The key's columns: those message.key.columns names for this table (pattern by pattern, each in column order, as
    /// Debezium's key mapper), else the primary key's. Only columns of mapped types can be key columns.
    /// </summary>
    private int[] KeyColumns(IReadOnlyList<System.Text.RegularExpressions.Regex> patterns)
    {
        var custom = new List<int>();
        foreach (var pattern in patterns)
        {
            for (var i = 0; i < _columns.Length; i++)
            {
                if (_types[i] is not null && !custom.Contains(i) && pattern.IsMatch(SchemaName + "." + TableName + "." + _columns[i].Name))
                {
                    custom.Add(i);
                }
            }
        }
        return custom.Count > 0 ? [.. custom] : [.. Enumerable.Range(0, _columns.Length)
            .Where(i => _columns[i].KeyPosition >= 0 && _types[i] is not null)
            .OrderBy(i => _columns[i].KeyPosition)];
    }

    /// <summary>
    /// The type with the column's default as its schema's default, as Debezium sets it, when the default is a literal
    /// (<c>42</c>, <c>true</c>, <c>'abc'::text</c>) that parses as a value of the type. Function defaults (nextval, now())
    /// and struct-valued types get none.
    /// </summary>
    private static ColumnType? WithDefault(ColumnType? type, string? expression)
    {
        if (type is null || type.Schema.Type == SchemaType.Struct || !TryLiteral(expression, out var literal))
        {
            return type;
        }
        if (type.Schema.Type == SchemaType.Boolean)
        {
            literal = literal switch
            {
                "true" => "t",
                "false" => "f",
                _ => literal,
            };
        }
        object value;
        try
        {
            value = type.Parse(literal);
        }
        catch (Exception e) when (e is FormatException or OverflowException or Errors.DataException)
        {
            return type;
        }
        var schema = type.Schema;
        var builder = schema.Type == SchemaType.Array ? SchemaBuilder.Array(schema.ValueSchema!) : SchemaBuilder.OfType(schema.Type);
        if (schema.Name is not null)
        {
            builder.Name(schema.Name);
        }
        if (schema.Version is { } version)
        {
            builder.Version(version);
        }
        foreach (var (name, parameter) in schema.Parameters)
        {
            builder.Parameter(name, parameter);
        }
        if (schema.IsOptional)
        {
            builder.Optional();
        }
        return type with { Schema = builder.DefaultValue(value).Build() };
    }

    /// <summary>The text of a literal default: a quoted string with an optional cast, a number or a boolean.</summary>
    internal static bool TryLiteral(string? expression, out string literal)
    {
        literal = "";
        if (expression is null || expression.StartsWith("NULL::", StringComparison.Ordinal))
        {
            return false;
        }
        var quoted = QuotedLiteral().Match(expression);
        if (quoted.Success)
        {
            literal = quoted.Groups[1].Value.Replace("''", "'", StringComparison.Ordinal);
            return true;
        }
        if (expression is "true" or "false" || NumberLiteral().IsMatch(expression))
        {
            literal = expression;
            return true;
        }
        return false;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^'((?:[^']|'')*)'(?:::[A-Za-z_""][A-Za-z0-9_ .""\[\]]*(?:\(\d+(?:,\d+)?\))?)?$")]
    private static partial System.Text.RegularExpressions.Regex QuotedLiteral();

    [System.Text.RegularExpressions.GeneratedRegex(@"^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$")]
    private static partial System.Text.RegularExpressions.Regex NumberLiteral();

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private object? Convert(int i, object? raw)
    {
        var type = _types[i]!;
        try
        {
            return raw switch
            {
                string text => type.Parse(text),
                null => type.Schema.IsOptional ? null : type.Schema.DefaultValue ?? type.Fallback,
                _ => Placeholder(type),
            };
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new Errors.DataException($"Cannot convert the value '{raw}' of {SchemaName}.{TableName}.{_columns[i].Name}: {e.Message}", e);
        }
    }

    private static object? Placeholder(ColumnType type) => type.Schema.Type switch
    {
        SchemaType.String => UnavailablePlaceholder,
        SchemaType.Bytes => System.Text.Encoding.UTF8.GetBytes(UnavailablePlaceholder),
        _ => type.Schema.IsOptional ? null : type.Fallback,
    };
}
