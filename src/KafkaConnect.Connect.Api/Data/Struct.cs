using System.Collections;
using System.Text;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Data;

/// <summary>
/// A value of a Struct <see cref="Data.Schema"/>. Every <see cref="Put(string, object?)"/> is checked against
/// the field's schema, so a bad value fails where it is produced rather than later in a converter.
/// Unset fields read as the field's default. Equality is by schema and deep value.
/// </summary>
public sealed class Struct : IEquatable<Struct>
{
    private readonly object?[] _values;

    public Struct(Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (schema.Type != SchemaType.Struct)
        {
            throw new DataException($"Not a struct schema: {schema}");
        }
        Schema = schema;
        _values = new object?[schema.Fields.Count];
    }

    public Schema Schema { get; }

    /// <summary>The field's value, or its schema default when unset.</summary>
    /// <exception cref="DataException">No such field.</exception>
    public object? Get(string fieldName) => Get(LookupField(fieldName));

    /// <summary>The field's value, or its schema default when unset.</summary>
    public object? Get(Field field)
    {
        var value = _values[CheckOwnField(field).Index];
        return value ?? field.Schema.DefaultValue;
    }

    /// <summary>The stored value without falling back to the default; lets converters tell "unset" apart.</summary>
    public object? GetWithoutDefault(string fieldName) => _values[LookupField(fieldName).Index];

    public sbyte? GetInt8(string fieldName) => GetChecked<sbyte>(fieldName, SchemaType.Int8);

    public short? GetInt16(string fieldName) => GetChecked<short>(fieldName, SchemaType.Int16);

    public int? GetInt32(string fieldName) => GetChecked<int>(fieldName, SchemaType.Int32);

    public long? GetInt64(string fieldName) => GetChecked<long>(fieldName, SchemaType.Int64);

    public float? GetFloat32(string fieldName) => GetChecked<float>(fieldName, SchemaType.Float32);

    public double? GetFloat64(string fieldName) => GetChecked<double>(fieldName, SchemaType.Float64);

    public bool? GetBoolean(string fieldName) => GetChecked<bool>(fieldName, SchemaType.Boolean);

    public string? GetString(string fieldName) => GetCheckedRef<string>(fieldName, SchemaType.String);

    public byte[]? GetBytes(string fieldName) => GetCheckedRef<byte[]>(fieldName, SchemaType.Bytes);

    public IList? GetArray(string fieldName) => GetCheckedRef<IList>(fieldName, SchemaType.Array);

    public IDictionary? GetMap(string fieldName) => GetCheckedRef<IDictionary>(fieldName, SchemaType.Map);

    public Struct? GetStruct(string fieldName) => GetCheckedRef<Struct>(fieldName, SchemaType.Struct);

    /// <summary>Sets a field after validating the value against its schema; returns this for chaining.</summary>
    /// <exception cref="DataException">Unknown field or a value that does not match the field schema.</exception>
    public Struct Put(string fieldName, object? value) => Put(LookupField(fieldName), value);

    /// <inheritdoc cref="Put(string, object?)"/>
    public Struct Put(Field field, object? value)
    {
        CheckOwnField(field);
        ConnectSchema.ValidateValue(field.Name, field.Schema, value);
        _values[field.Index] = value;
        return this;
    }

    /// <summary>Checks that every required field without a default has a value, recursively.</summary>
    /// <exception cref="DataException">Names the first offending field.</exception>
    public void Validate()
    {
        foreach (var field in Schema.Fields)
        {
            var value = _values[field.Index];
            if (value is null && (field.Schema.IsOptional || field.Schema.DefaultValue is not null))
            {
                continue;
            }
            ConnectSchema.ValidateValue(field.Name, field.Schema, value);
        }
    }

    public bool Equals(Struct? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }
        if (other is null || !Schema.Equals(other.Schema))
        {
            return false;
        }
        for (var i = 0; i < _values.Length; i++)
        {
            if (!ValueEquality.ValuesEqual(_values[i], other._values[i]))
            {
                return false;
            }
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is Struct other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Schema);
        foreach (var value in _values)
        {
            hash.Add(ValueEquality.ValueHash(value));
        }
        return hash.ToHashCode();
    }

    public override string ToString()
    {
        var sb = new StringBuilder("Struct{");
        var first = true;
        foreach (var field in Schema.Fields)
        {
            var value = _values[field.Index];
            if (value is null)
            {
                continue;
            }
            if (!first)
            {
                sb.Append(',');
            }
            first = false;
            sb.Append(field.Name).Append('=').Append(Values.ConvertToString(field.Schema, value));
        }
        return sb.Append('}').ToString();
    }

    private Field LookupField(string fieldName)
    {
        ArgumentNullException.ThrowIfNull(fieldName);
        return Schema.GetField(fieldName) ?? throw new DataException($"{fieldName} is not a valid field name");
    }

    private Field CheckOwnField(Field field)
    {
        ArgumentNullException.ThrowIfNull(field);
        // A field from another schema with the same name could sit at a different index.
        if (field.Index >= _values.Length || !field.Equals(Schema.Fields[field.Index]))
        {
            throw new DataException($"Field {field.Name} is not part of the struct schema");
        }
        return field;
    }

    private T? GetChecked<T>(string fieldName, SchemaType type)
        where T : struct
    {
        var field = LookupField(fieldName);
        CheckType(field, type);
        return Get(field) switch
        {
            null => null,
            T typed => typed,
            var other => throw WrongClr(fieldName, typeof(T), other),
        };
    }

    private T? GetCheckedRef<T>(string fieldName, SchemaType type)
        where T : class
    {
        var field = LookupField(fieldName);
        CheckType(field, type);
        return Get(field) switch
        {
            null => null,
            T typed => typed,
            var other => throw WrongClr(fieldName, typeof(T), other),
        };
    }

    private static void CheckType(Field field, SchemaType type)
    {
        if (field.Schema.Type != type)
        {
            throw new DataException($"Field '{field.Name}' is not of type {type} but {field.Schema.Type}");
        }
    }

    private static DataException WrongClr(string fieldName, Type expected, object actual) =>
        new($"Field '{fieldName}' holds a {actual.GetType().Name}, not a {expected.Name} (logical types are read with Get)");
}
