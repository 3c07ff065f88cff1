using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Data;

/// <summary>
/// Fluent, single-use builder for <see cref="Schema"/>:
/// <c>SchemaBuilder.Struct().Name("x").Field("a", Schema.Int32Schema).Optional().Build()</c>.
/// Each property may be set once, so conflicting settings surface as <see cref="SchemaBuilderException"/>
/// instead of silently overwriting. A builder converts implicitly to the schema it builds, so it can be
/// passed wherever a <see cref="Schema"/> is expected.
/// </summary>
public sealed class SchemaBuilder
{
    private readonly SchemaType _type;
    private readonly List<Field>? _fields;
    private readonly Schema? _keySchema;
    private readonly Schema? _valueSchema;
    private bool? _optional;
    private object? _defaultValue;
    private bool _hasDefault;
    private string? _name;
    private int? _version;
    private string? _doc;
    // Ordered like Java's LinkedHashMap: converters read enum symbols and union members back in parameter order.
    private OrderedDictionary<string, string>? _parameters;

    public SchemaBuilder(SchemaType type)
    {
        if (type is SchemaType.Array or SchemaType.Map)
        {
            throw new SchemaBuilderException($"Use SchemaBuilder.{type}(...) to create {type} schemas: they need element schemas");
        }
        _type = type;
        if (type == SchemaType.Struct)
        {
            _fields = [];
        }
    }

    private SchemaBuilder(SchemaType type, Schema? keySchema, Schema valueSchema)
    {
        _type = type;
        _keySchema = keySchema;
        _valueSchema = valueSchema;
    }

    public SchemaType Type => _type;

    public static SchemaBuilder OfType(SchemaType type) => new(type);

    public static SchemaBuilder Int8() => new(SchemaType.Int8);

    public static SchemaBuilder Int16() => new(SchemaType.Int16);

    public static SchemaBuilder Int32() => new(SchemaType.Int32);

    public static SchemaBuilder Int64() => new(SchemaType.Int64);

    public static SchemaBuilder Float32() => new(SchemaType.Float32);

    public static SchemaBuilder Float64() => new(SchemaType.Float64);

    public static SchemaBuilder Bool() => new(SchemaType.Boolean);

    public static SchemaBuilder String() => new(SchemaType.String);

    public static SchemaBuilder Bytes() => new(SchemaType.Bytes);

    public static SchemaBuilder Struct() => new(SchemaType.Struct);

    public static SchemaBuilder Array(Schema valueSchema)
    {
        ArgumentNullException.ThrowIfNull(valueSchema);
        return new SchemaBuilder(SchemaType.Array, null, valueSchema);
    }

    public static SchemaBuilder Map(Schema keySchema, Schema valueSchema)
    {
        ArgumentNullException.ThrowIfNull(keySchema);
        ArgumentNullException.ThrowIfNull(valueSchema);
        return new SchemaBuilder(SchemaType.Map, keySchema, valueSchema);
    }

    public SchemaBuilder Optional()
    {
        CheckUnset(_optional, "optional");
        _optional = true;
        return this;
    }

    public SchemaBuilder Required()
    {
        CheckUnset(_optional, "optional");
        _optional = false;
        return this;
    }

    /// <summary>Sets the default after validating it against the schema as built so far.</summary>
    public SchemaBuilder DefaultValue(object? value)
    {
        if (_hasDefault)
        {
            throw AlreadySet("defaultValue");
        }
        try
        {
            ConnectSchema.ValidateValue(BuildCore(), value);
        }
        catch (DataException e)
        {
            throw new SchemaBuilderException("Invalid default value: " + e.Message, e);
        }
        _defaultValue = value;
        _hasDefault = true;
        return this;
    }

    public SchemaBuilder Name(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        CheckUnset(_name, "name");
        _name = name;
        return this;
    }

    public SchemaBuilder Version(int version)
    {
        CheckUnset(_version, "version");
        _version = version;
        return this;
    }

    public SchemaBuilder Doc(string doc)
    {
        ArgumentNullException.ThrowIfNull(doc);
        CheckUnset(_doc, "doc");
        _doc = doc;
        return this;
    }

    /// <summary>Adds one parameter; parameters carry logical-type details such as the Decimal scale.</summary>
    public SchemaBuilder Parameter(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        (_parameters ??= new OrderedDictionary<string, string>(StringComparer.Ordinal))[name] = value;
        return this;
    }

    public SchemaBuilder Parameters(IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var (key, value) in parameters)
        {
            Parameter(key, value);
        }
        return this;
    }

    /// <summary>Appends a field to a Struct schema; names must be unique.</summary>
    public SchemaBuilder Field(string name, Schema schema)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(schema);
        if (_fields is null)
        {
            throw new SchemaBuilderException($"Cannot create fields on type {_type}");
        }
        if (name.Length == 0)
        {
            throw new SchemaBuilderException("Field name cannot be empty");
        }
        foreach (var existing in _fields)
        {
            if (existing.Name == name)
            {
                throw new SchemaBuilderException($"Cannot create field because of field name duplication {name}");
            }
        }
        _fields.Add(new Field(name, _fields.Count, schema));
        return this;
    }

    /// <summary>Appends a field whose schema is still a builder; it is built now.</summary>
    public SchemaBuilder Field(string name, SchemaBuilder schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return Field(name, schema.Build());
    }

    /// <summary>Creates the immutable schema. The builder may keep being used, e.g. to build variants.</summary>
    public Schema Build() => BuildCore();

    public static implicit operator Schema(SchemaBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Build();
    }

    /// <summary>Named alternative to the implicit conversion.</summary>
    public Schema ToSchema() => Build();

    private ConnectSchema BuildCore() => new(
        _type,
        _optional ?? false,
        _defaultValue,
        _name,
        _version,
        _doc,
        _parameters,
        _fields,
        _keySchema,
        _valueSchema);

    private static void CheckUnset<T>(T? current, string property)
    {
        if (current is not null)
        {
            throw AlreadySet(property);
        }
    }

    private static SchemaBuilderException AlreadySet(string property) =>
        new($"Invalid SchemaBuilder call: {property} has already been set.");
}
