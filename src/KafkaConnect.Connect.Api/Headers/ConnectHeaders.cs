using System.Collections;
using KafkaConnect.Connect.Data;

namespace KafkaConnect.Connect.Headers;

/// <summary>
/// The default <see cref="IHeaders"/>: a list, since records carry few headers. Most records carry none, so the list
/// is only created by the first add (every record on the hot path has a headers object).
/// </summary>
public sealed class ConnectHeaders : IHeaders, IEquatable<ConnectHeaders>
{
    private List<IHeader>? _list;

    public ConnectHeaders()
    {
    }

    public ConnectHeaders(IEnumerable<IHeader>? headers)
    {
        if (headers is ConnectHeaders other)
        {
            _list = other._list is { Count: > 0 } list ? [.. list] : null;
        }
        else if (headers is not null && !(headers is ICollection<IHeader> { Count: 0 }))
        {
            _list = [.. headers];
            if (_list.Count == 0)
            {
                _list = null;
            }
        }
    }

    public int Count => _list?.Count ?? 0;

    public bool IsEmpty => Count == 0;

    private List<IHeader> Items => _list ??= [];

    public IEnumerable<IHeader> AllWithName(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return AllWithNameIterator(key);
    }

    private IEnumerable<IHeader> AllWithNameIterator(string key)
    {
        foreach (var header in _list ?? [])
        {
            if (header.Key == key)
            {
                yield return header;
            }
        }
    }

    public IHeader? LastWithName(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        for (var i = Count - 1; i >= 0; i--)
        {
            if (Items[i].Key == key)
            {
                return Items[i];
            }
        }
        return null;
    }

    public IHeaders Add(IHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        Items.Add(header);
        return this;
    }

    public IHeaders Add(string key, SchemaAndValue schemaAndValue) => Add(key, schemaAndValue.Value, schemaAndValue.Schema);

    public IHeaders Add(string key, object? value, Schema? schema)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (schema is not null)
        {
            ConnectSchema.ValidateValue(key, schema, value);
        }
        return Add(new ConnectHeader(key, schema, value));
    }

    public IHeaders AddString(string key, string? value) =>
        AddUnchecked(key, value, value is null ? Schema.OptionalStringSchema : Schema.StringSchema);

    public IHeaders AddBoolean(string key, bool value) => AddUnchecked(key, value, Schema.BooleanSchema);

    public IHeaders AddByte(string key, sbyte value) => AddUnchecked(key, value, Schema.Int8Schema);

    public IHeaders AddShort(string key, short value) => AddUnchecked(key, value, Schema.Int16Schema);

    public IHeaders AddInt(string key, int value) => AddUnchecked(key, value, Schema.Int32Schema);

    public IHeaders AddLong(string key, long value) => AddUnchecked(key, value, Schema.Int64Schema);

    public IHeaders AddFloat(string key, float value) => AddUnchecked(key, value, Schema.Float32Schema);

    public IHeaders AddDouble(string key, double value) => AddUnchecked(key, value, Schema.Float64Schema);

    public IHeaders AddBytes(string key, byte[]? value) =>
        AddUnchecked(key, value, value is null ? Schema.OptionalBytesSchema : Schema.BytesSchema);

    public IHeaders AddList(string key, IList? value, Schema schema)
    {
        RequireType(schema, SchemaType.Array);
        return Add(key, value, schema);
    }

    public IHeaders AddMap(string key, IDictionary? value, Schema schema)
    {
        RequireType(schema, SchemaType.Map);
        return Add(key, value, schema);
    }

    public IHeaders AddStruct(string key, Struct? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (value is null)
        {
            return Add(new ConnectHeader(key, null, null));
        }
        value.Validate();
        return AddUnchecked(key, value, value.Schema);
    }

    public IHeaders AddDecimal(string key, decimal value) => AddUnchecked(key, value, Data.Decimal.Schema(value.Scale));

    public IHeaders AddDate(string key, DateOnly value) => AddUnchecked(key, value, Date.Schema);

    public IHeaders AddTime(string key, TimeOnly value) => AddUnchecked(key, value, Time.Schema);

    public IHeaders AddTimestamp(string key, DateTimeOffset value) => AddUnchecked(key, value, Timestamp.Schema);

    public IHeaders Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Items.RemoveAll(h => h.Key == key);
        return this;
    }

    public IHeaders RetainLatest(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var last = LastWithName(key);
        if (last is not null)
        {
            Items.RemoveAll(h => h.Key == key && !ReferenceEquals(h, last));
        }
        return this;
    }

    public IHeaders RetainLatest()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // Walk backwards so the survivor of each key is its last occurrence.
        for (var i = Items.Count - 1; i >= 0; i--)
        {
            if (!seen.Add(Items[i].Key))
            {
                Items.RemoveAt(i);
            }
        }
        return this;
    }

    public IHeaders Retain(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Items.RemoveAll(h => h.Key != key);
        return this;
    }

    public IHeaders Clear()
    {
        Items.Clear();
        return this;
    }

    public IHeaders Duplicate() => new ConnectHeaders(_list);

    public IHeaders Apply(HeaderTransform transform)
    {
        ArgumentNullException.ThrowIfNull(transform);
        ApplyWhere(null, transform);
        return this;
    }

    public IHeaders Apply(string key, HeaderTransform transform)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(transform);
        ApplyWhere(key, transform);
        return this;
    }

    public IEnumerator<IHeader> GetEnumerator() =>
        _list is { Count: > 0 } list ? list.GetEnumerator() : ((IEnumerable<IHeader>)Array.Empty<IHeader>()).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(ConnectHeaders? other)
    {
        if (other is null || other.Count != Count)
        {
            return false;
        }
        for (var i = 0; i < Count; i++)
        {
            if (!Items[i].Equals(other.Items[i]))
            {
                return false;
            }
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is ConnectHeaders other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var header in _list ?? [])
        {
            hash.Add(header);
        }
        return hash.ToHashCode();
    }

    public override string ToString() => "ConnectHeaders(headers=" + string.Join(", ", _list ?? []) + ")";

    private void ApplyWhere(string? key, HeaderTransform transform)
    {
        if (_list is null)
        {
            return;
        }
        var write = 0;
        for (var read = 0; read < Items.Count; read++)
        {
            var header = Items[read];
            var result = key is null || header.Key == key ? transform(header) : header;
            if (result is not null)
            {
                Items[write++] = result;
            }
        }
        Items.RemoveRange(write, Items.Count - write);
    }

    // Typed adders pick a schema that matches the value by construction, so validation is redundant.
    private ConnectHeaders AddUnchecked(string key, object? value, Schema schema)
    {
        ArgumentNullException.ThrowIfNull(key);
        Items.Add(new ConnectHeader(key, schema, value));
        return this;
    }

    private static void RequireType(Schema schema, SchemaType type)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (schema.Type != type)
        {
            throw new Errors.DataException($"Expecting {type} but instead found {schema.Type}");
        }
    }
}
