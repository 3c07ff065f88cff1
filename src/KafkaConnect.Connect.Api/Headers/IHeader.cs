using KafkaConnect.Connect.Data;

namespace KafkaConnect.Connect.Headers;

/// <summary>One record header: a key plus a Connect value and its (optional) schema. Immutable.</summary>
public interface IHeader
{
    string Key { get; }

    /// <summary>Schema of <see cref="Value"/>; null when the value came from a schemaless source.</summary>
    Schema? Schema { get; }

    object? Value { get; }

    /// <summary>A copy with the same key and a different schema and value.</summary>
    IHeader With(Schema? schema, object? value);

    /// <summary>A copy with the same schema and value under another key.</summary>
    IHeader Rename(string key);
}

/// <summary>The default <see cref="IHeader"/>; compares by key, schema and deep value.</summary>
public sealed class ConnectHeader : IHeader, IEquatable<ConnectHeader>
{
    public ConnectHeader(string key, Schema? schema, object? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        Key = key;
        Schema = schema;
        Value = value;
    }

    public ConnectHeader(string key, SchemaAndValue schemaAndValue) : this(key, schemaAndValue.Schema, schemaAndValue.Value)
    {
    }

    public string Key { get; }

    public Schema? Schema { get; }

    public object? Value { get; }

    public IHeader With(Schema? schema, object? value) => new ConnectHeader(Key, schema, value);

    public IHeader Rename(string key) => new ConnectHeader(key, Schema, Value);

    public bool Equals(ConnectHeader? other) =>
        other is not null && Key == other.Key && Equals(Schema, other.Schema) && ValueEquality.ValuesEqual(Value, other.Value);

    public override bool Equals(object? obj) => obj is ConnectHeader other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Key, Schema, ValueEquality.ValueHash(Value));

    public override string ToString() => $"ConnectHeader(key={Key}, value={Values.ConvertToString(Schema, Value)}, schema={Schema})";
}
