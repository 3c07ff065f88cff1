using System.Collections;
using KafkaConnect.Connect.Data;

namespace KafkaConnect.Connect.Headers;

/// <summary>
/// Transforms one header; return null to remove it. Used by <see cref="IHeaders.Apply(HeaderTransform)"/>.
/// </summary>
public delegate IHeader? HeaderTransform(IHeader header);

/// <summary>
/// The ordered, mutable header list of a record. Keys may repeat (Kafka headers are a multimap);
/// <see cref="LastWithName"/> gives the effective value when a key was set more than once.
/// Mutating methods return this for chaining.
/// </summary>
public interface IHeaders : IEnumerable<IHeader>
{
    int Count { get; }

    bool IsEmpty { get; }

    /// <summary>All headers with the key, in insertion order.</summary>
    IEnumerable<IHeader> AllWithName(string key);

    /// <summary>The most recently added header with the key, or null.</summary>
    IHeader? LastWithName(string key);

    IHeaders Add(IHeader header);

    /// <summary>Adds after checking the value against the schema (when one is given).</summary>
    /// <exception cref="Errors.DataException">The value does not match the schema.</exception>
    IHeaders Add(string key, SchemaAndValue schemaAndValue);

    /// <inheritdoc cref="Add(string, SchemaAndValue)"/>
    IHeaders Add(string key, object? value, Schema? schema);

    IHeaders AddString(string key, string? value);

    IHeaders AddBoolean(string key, bool value);

    IHeaders AddByte(string key, sbyte value);

    IHeaders AddShort(string key, short value);

    IHeaders AddInt(string key, int value);

    IHeaders AddLong(string key, long value);

    IHeaders AddFloat(string key, float value);

    IHeaders AddDouble(string key, double value);

    IHeaders AddBytes(string key, byte[]? value);

    IHeaders AddList(string key, IList? value, Schema schema);

    IHeaders AddMap(string key, IDictionary? value, Schema schema);

    IHeaders AddStruct(string key, Struct? value);

    /// <summary>Adds a Decimal logical value with a schema whose scale is the value's scale.</summary>
    IHeaders AddDecimal(string key, decimal value);

    IHeaders AddDate(string key, DateOnly value);

    IHeaders AddTime(string key, TimeOnly value);

    IHeaders AddTimestamp(string key, DateTimeOffset value);

    /// <summary>Removes every header with the key.</summary>
    IHeaders Remove(string key);

    /// <summary>Keeps only the last header with the key, dropping earlier duplicates.</summary>
    IHeaders RetainLatest(string key);

    /// <summary>Keeps only the last header of every key.</summary>
    IHeaders RetainLatest();

    /// <summary>Keeps only headers with the key, dropping all others.</summary>
    IHeaders Retain(string key);

    IHeaders Clear();

    /// <summary>An independent copy; headers themselves are immutable so they are shared.</summary>
    IHeaders Duplicate();

    /// <summary>Replaces every header by the transform's result (null removes it).</summary>
    IHeaders Apply(HeaderTransform transform);

    /// <summary>As <see cref="Apply(HeaderTransform)"/>, for headers with the key only.</summary>
    IHeaders Apply(string key, HeaderTransform transform);
}
