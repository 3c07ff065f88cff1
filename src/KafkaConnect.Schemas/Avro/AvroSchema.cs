using System.Text.Json.Nodes;

namespace KafkaConnect.Schemas.Avro;

/// <summary>The Avro schema types (specification 1.11), primitives first.</summary>
public enum AvroType
{
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Record,
    Enum,
    Array,
    Map,
    Union,
    Fixed,
}

/// <summary>
/// An Avro schema: our own model, parsed from and written back to JSON text by <see cref="AvroSchemaParser"/> and
/// <see cref="AvroSchemaWriter"/> (no Apache.Avro at run time, see docs/converters.md); the registry server and the
/// Avro converter share it.
/// Records are built in two steps (created, then given fields) so recursive schemas can refer to themselves;
/// once handed out a schema is not changed.
/// </summary>
public sealed class AvroSchema
{
    private static readonly AvroSchema[] s_primitives =
    [
        new(AvroType.Null), new(AvroType.Boolean), new(AvroType.Int), new(AvroType.Long),
        new(AvroType.Float), new(AvroType.Double), new(AvroType.Bytes), new(AvroType.String),
    ];

    private List<KeyValuePair<string, JsonNode?>>? _props;
    private Dictionary<string, int>? _fieldIndex;

    private AvroSchema(AvroType type) => Type = type;

    public AvroType Type { get; }

    /// <summary>Simple name of a record, enum or fixed; null for the other types.</summary>
    public string? Name { get; private init; }

    /// <summary>Namespace of a named type; null when it has none.</summary>
    public string? Namespace { get; private init; }

    public string? Doc { get; private init; }

    /// <summary>Aliases of a named type, namespace-qualified as Java Avro keeps them; of a field, as written.</summary>
    public IReadOnlyList<string> Aliases { get; private init; } = [];

    /// <summary>A record declared as <c>"error"</c> (Avro IDL's error type), written back as such.</summary>
    public bool IsError { get; private init; }

    /// <summary>Record fields; set once, after creation, to allow recursion.</summary>
    public IReadOnlyList<AvroField> Fields { get; private set; } = [];

    public IReadOnlyList<string> Symbols { get; private init; } = [];

    public string? EnumDefault { get; private init; }

    /// <summary>Array items or map values.</summary>
    public AvroSchema? ItemSchema { get; private init; }

    public IReadOnlyList<AvroSchema> Branches { get; private init; } = [];

    public int FixedSize { get; private init; }

    /// <summary>Other attributes (logicalType, connect.*) in the order they were added, as Avro's Java library keeps them.</summary>
    public IReadOnlyList<KeyValuePair<string, JsonNode?>> Props => (IReadOnlyList<KeyValuePair<string, JsonNode?>>?)_props ?? [];

    public bool IsNamed => Type is AvroType.Record or AvroType.Enum or AvroType.Fixed;

    /// <summary>Namespace-qualified name of a named type, else the type name ("int", "union"...).</summary>
    public string FullName => IsNamed ? (Namespace is null ? Name! : Namespace + "." + Name) : TypeName(Type);

    public string? LogicalType => GetStringProp("logicalType");

    public static AvroSchema Primitive(AvroType type) =>
        type <= AvroType.String ? s_primitives[(int)type] : throw new ArgumentOutOfRangeException(nameof(type), type, "not a primitive type");

    /// <summary>A primitive that carries properties: a fresh instance, since props make it distinct.</summary>
    public static AvroSchema PrimitiveWithProps(AvroType type) =>
        type <= AvroType.String ? new AvroSchema(type) : throw new ArgumentOutOfRangeException(nameof(type), type, "not a primitive type");

    public static AvroSchema Record(string name, string? ns, string? doc, IReadOnlyList<string>? aliases = null, bool isError = false) =>
        new(AvroType.Record) { Name = name, Namespace = EmptyToNull(ns), Doc = doc, Aliases = aliases ?? [], IsError = isError };

    public static AvroSchema Enum(string name, string? ns, string? doc, IReadOnlyList<string> symbols, string? enumDefault, IReadOnlyList<string>? aliases = null) =>
        new(AvroType.Enum) { Name = name, Namespace = EmptyToNull(ns), Doc = doc, Symbols = symbols, EnumDefault = enumDefault, Aliases = aliases ?? [] };

    public static AvroSchema Fixed(string name, string? ns, string? doc, int size, IReadOnlyList<string>? aliases = null) =>
        new(AvroType.Fixed) { Name = name, Namespace = EmptyToNull(ns), Doc = doc, FixedSize = size, Aliases = aliases ?? [] };

    public static AvroSchema Array(AvroSchema items) => new(AvroType.Array) { ItemSchema = items };

    public static AvroSchema Map(AvroSchema values) => new(AvroType.Map) { ItemSchema = values };

    public static AvroSchema Union(IReadOnlyList<AvroSchema> branches) => new(AvroType.Union) { Branches = branches };

    /// <summary>Sets a record's fields (once).</summary>
    public void SetFields(IReadOnlyList<AvroField> fields)
    {
        if (Type != AvroType.Record)
        {
            throw new InvalidOperationException("Only records have fields");
        }
        if (_fieldIndex is not null)
        {
            throw new InvalidOperationException("Fields can be set only once");
        }
        var index = new Dictionary<string, int>(fields.Count, StringComparer.Ordinal);
        for (var i = 0; i < fields.Count; i++)
        {
            if (!index.TryAdd(fields[i].Name, i))
            {
                throw new SchemaParseException($"Duplicate field {fields[i].Name} in record {FullName}");
            }
            fields[i].Position = i;
        }
        Fields = fields;
        _fieldIndex = index;
    }

    public AvroField? GetField(string name) =>
        _fieldIndex is not null && _fieldIndex.TryGetValue(name, out var i) ? Fields[i] : null;

    /// <summary>Adds a property unless present; Avro's Java library refuses to change one, and so do we.</summary>
    public void AddProp(string name, JsonNode? value)
    {
        _props ??= [];
        foreach (var (key, existing) in _props)
        {
            if (key == name)
            {
                if (!JsonNode.DeepEquals(existing, value))
                {
                    throw new SchemaParseException($"Can't overwrite property: {name}");
                }
                return;
            }
        }
        _props.Add(new(name, value));
    }

    public JsonNode? GetProp(string name)
    {
        if (_props is null)
        {
            return null;
        }
        foreach (var (key, value) in _props)
        {
            if (key == name)
            {
                return value;
            }
        }
        return null;
    }

    public string? GetStringProp(string name) =>
        GetProp(name) is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>The schema as Avro's Java library prints it (<c>Schema.toString()</c>), which is what registries store.</summary>
    public override string ToString() => AvroSchemaWriter.Write(this);

    public static string TypeName(AvroType type) => type switch
    {
        AvroType.Null => "null",
        AvroType.Boolean => "boolean",
        AvroType.Int => "int",
        AvroType.Long => "long",
        AvroType.Float => "float",
        AvroType.Double => "double",
        AvroType.Bytes => "bytes",
        AvroType.String => "string",
        AvroType.Record => "record",
        AvroType.Enum => "enum",
        AvroType.Array => "array",
        AvroType.Map => "map",
        AvroType.Union => "union",
        AvroType.Fixed => "fixed",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    private static string? EmptyToNull(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>A record field. <see cref="Default"/> is the JSON default (a JSON null is a default too: see <see cref="HasDefault"/>).</summary>
public sealed class AvroField
{
    private List<KeyValuePair<string, JsonNode?>>? _props;

    public AvroField(string name, AvroSchema schema, string? doc = null, bool hasDefault = false, JsonNode? defaultValue = null,
        string? order = null, IReadOnlyList<string>? aliases = null)
    {
        Name = name;
        Schema = schema;
        Doc = doc;
        HasDefault = hasDefault;
        Default = defaultValue;
        Order = order;
        Aliases = aliases ?? [];
    }

    public string Name { get; }

    public AvroSchema Schema { get; }

    public string? Doc { get; }

    public bool HasDefault { get; }

    public JsonNode? Default { get; }

    /// <summary>"descending" or "ignore" when given; null for the default ascending order.</summary>
    public string? Order { get; }

    public IReadOnlyList<string> Aliases { get; }

    public int Position { get; internal set; } = -1;

    public IReadOnlyList<KeyValuePair<string, JsonNode?>> Props => (IReadOnlyList<KeyValuePair<string, JsonNode?>>?)_props ?? [];

    public void AddProp(string name, JsonNode? value) => (_props ??= []).Add(new(name, value));

    public JsonNode? GetProp(string name)
    {
        foreach (var (key, value) in Props)
        {
            if (key == name)
            {
                return value;
            }
        }
        return null;
    }
}
