using System.Collections;
using System.Collections.Frozen;
using System.Collections.ObjectModel;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Data;

/// <summary>The immutable <see cref="Schema"/> implementation produced by <see cref="SchemaBuilder.Build"/>.</summary>
public sealed class ConnectSchema : Schema
{
    private static readonly IReadOnlyDictionary<string, string> s_noParameters = FrozenDictionary<string, string>.Empty;

    private readonly IReadOnlyList<Field> _fields;
    private readonly Dictionary<string, Field>? _fieldsByName;

    /// <summary>
    /// Creates a schema without validating <paramref name="defaultValue"/>; prefer <see cref="SchemaBuilder"/>,
    /// which checks it.
    /// </summary>
    public ConnectSchema(
        SchemaType type,
        bool optional,
        object? defaultValue,
        string? name,
        int? version,
        string? doc,
        IReadOnlyDictionary<string, string>? parameters = null,
        IReadOnlyList<Field>? fields = null,
        Schema? keySchema = null,
        Schema? valueSchema = null)
    {
        Type = type;
        IsOptional = optional;
        DefaultValue = defaultValue;
        Name = name;
        Version = version;
        Doc = doc;
        // Insertion order is part of the schema as Java keeps it (a LinkedHashMap): the Avro and Protobuf mappings keep enum
        // symbols and union branches as ordered parameters, so a hashed copy would reorder them.
        Parameters = parameters is null || parameters.Count == 0 ? s_noParameters : CopyInOrder(parameters);

        if (type == SchemaType.Struct)
        {
            _fields = fields is null ? [] : [.. fields];
            _fieldsByName = new Dictionary<string, Field>(_fields.Count, StringComparer.Ordinal);
            foreach (var field in _fields)
            {
                if (!_fieldsByName.TryAdd(field.Name, field))
                {
                    throw new SchemaBuilderException($"Cannot create field because of field name duplication {field.Name}");
                }
            }
        }
        else
        {
            if (fields is { Count: > 0 })
            {
                throw new SchemaBuilderException($"Only Struct schemas may have fields, not {type}");
            }
            _fields = [];
        }

        if (type == SchemaType.Map)
        {
            KeySchema = keySchema ?? throw new SchemaBuilderException("A Map schema needs a key schema");
            ValueSchema = valueSchema ?? throw new SchemaBuilderException("A Map schema needs a value schema");
        }
        else if (type == SchemaType.Array)
        {
            ValueSchema = valueSchema ?? throw new SchemaBuilderException("An Array schema needs a value schema");
        }
    }

    private static ReadOnlyDictionary<string, string> CopyInOrder(IReadOnlyDictionary<string, string> parameters)
    {
        var copy = new OrderedDictionary<string, string>(parameters.Count, StringComparer.Ordinal);
        foreach (var (key, value) in parameters)
        {
            copy[key] = value;
        }
        return new ReadOnlyDictionary<string, string>(copy);
    }

    public override SchemaType Type { get; }

    public override bool IsOptional { get; }

    public override object? DefaultValue { get; }

    public override string? Name { get; }

    public override int? Version { get; }

    public override string? Doc { get; }

    public override IReadOnlyDictionary<string, string> Parameters { get; }

    public override Schema? KeySchema { get; }

    public override Schema? ValueSchema { get; }

    public override IReadOnlyList<Field> Fields => _fields;

    public override Field? GetField(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_fieldsByName is null)
        {
            throw new DataException($"Cannot look up fields on non-struct type {Type}");
        }
        return _fieldsByName.GetValueOrDefault(name);
    }

    /// <summary>Checks that <paramref name="value"/> is a valid value for <paramref name="schema"/>, recursively.</summary>
    /// <exception cref="DataException">With a message naming the expected and actual types.</exception>
    public static void ValidateValue(Schema schema, object? value) => Validate(schema, value, null, null);

    /// <summary>As <see cref="ValidateValue(Schema, object?)"/>, naming <paramref name="fieldName"/> in the error.</summary>
    public static void ValidateValue(string? fieldName, Schema schema, object? value) =>
        Validate(schema, value, fieldName, null);

    /// <summary>The CLR types accepted for a schema, for error messages and documentation.</summary>
    public static string ExpectedTypeName(Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return schema.Name switch
        {
            Decimal.LogicalName => "decimal",
            Date.LogicalName => "DateOnly or DateTime",
            Time.LogicalName => "TimeOnly or TimeSpan",
            Timestamp.LogicalName => "DateTimeOffset or DateTime",
            _ => schema.Type switch
            {
                SchemaType.Int8 => "sbyte",
                SchemaType.Int16 => "short",
                SchemaType.Int32 => "int",
                SchemaType.Int64 => "long",
                SchemaType.Float32 => "float",
                SchemaType.Float64 => "double",
                SchemaType.Boolean => "bool",
                SchemaType.String => "string",
                SchemaType.Bytes => "byte[]",
                SchemaType.Array => "IList",
                SchemaType.Map => "IDictionary",
                SchemaType.Struct => "Struct",
                _ => schema.Type.ToString(),
            },
        };
    }

    // Where a value sits, for error messages only: built per collection rather than per element, and formatted only
    // when a value is invalid, since Struct.Put validates every value of every record.
    private sealed class Within(string prefix, string? fieldName, Within? outer)
    {
        public override string ToString() => prefix + Describe(fieldName, outer);
    }

    private static string Describe(string? fieldName, Within? within) =>
        within?.ToString() ?? (fieldName is null ? "value" : $"field: \"{fieldName}\"");

    private static void Validate(Schema schema, object? value, string? fieldName, Within? within)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (value is null)
        {
            if (!schema.IsOptional)
            {
                throw new DataException($"Invalid value: null used for required {Describe(fieldName, within)}, schema type: {schema.Type}");
            }
            return;
        }

        if (!HasExpectedClrType(schema, value))
        {
            throw new DataException(
                $"Invalid value for {Describe(fieldName, within)}: expected {ExpectedTypeName(schema)} for schema type {schema.Type}"
                + (schema.Name is null ? string.Empty : $" ({schema.Name})")
                + $" but got {value.GetType().FullName}");
        }

        switch (schema.Type)
        {
            case SchemaType.Struct:
                var s = (Struct)value;
                if (!s.Schema.Equals(schema))
                {
                    throw new DataException($"Invalid value for {Describe(fieldName, within)}: struct schemas do not match");
                }
                s.Validate();
                break;
            case SchemaType.Array:
                var elementSchema = schema.ValueSchema!;
                var elements = (IList)value;
                if (elements.Count == 0)
                {
                    break;
                }
                var element = new Within("element of array ", fieldName, within);
                foreach (var item in elements)
                {
                    Validate(elementSchema, item, fieldName, element);
                }
                break;
            case SchemaType.Map:
                var keySchema = schema.KeySchema!;
                var valueSchema = schema.ValueSchema!;
                var entries = (IDictionary)value;
                if (entries.Count == 0)
                {
                    break;
                }
                var key = new Within("key of map ", fieldName, within);
                var mapValue = new Within("value of map ", fieldName, within);
                foreach (DictionaryEntry entry in entries)
                {
                    Validate(keySchema, entry.Key, fieldName, key);
                    Validate(valueSchema, entry.Value, fieldName, mapValue);
                }
                break;
        }
    }

    private static bool HasExpectedClrType(Schema schema, object value)
    {
        switch (schema.Name)
        {
            case Decimal.LogicalName:
                return value is decimal;
            case Date.LogicalName:
                return value is DateOnly or DateTime;
            case Time.LogicalName:
                return value is TimeOnly or TimeSpan;
            case Timestamp.LogicalName:
                return value is DateTimeOffset or DateTime;
        }
        return schema.Type switch
        {
            SchemaType.Int8 => value is sbyte,
            SchemaType.Int16 => value is short,
            SchemaType.Int32 => value is int,
            SchemaType.Int64 => value is long,
            SchemaType.Float32 => value is float,
            SchemaType.Float64 => value is double,
            SchemaType.Boolean => value is bool,
            SchemaType.String => value is string,
            SchemaType.Bytes => value is byte[],
            SchemaType.Array => value is IList,
            SchemaType.Map => value is IDictionary,
            SchemaType.Struct => value is Struct,
            _ => false,
        };
    }
}
