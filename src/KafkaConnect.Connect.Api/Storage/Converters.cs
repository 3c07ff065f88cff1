using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Headers;

namespace KafkaConnect.Connect.Storage;

/// <summary>Which part of a record a converter instance handles; lets one class serve keys and values differently.</summary>
public enum ConverterType
{
    Key,
    Value,
    Header,
}

/// <summary>
/// Translates between Connect data (schema + value) and the bytes stored in Kafka, e.g. JSON or Avro.
/// One instance handles either keys or values of a connector. Configuration is string-valued (simpler than
/// Java's <c>Map&lt;String, ?&gt;</c>; everything arrives as strings over REST anyway).
/// </summary>
public interface IConverter
{
    /// <param name="configs">Settings with the "key.converter." / "value.converter." prefix already removed.</param>
    /// <param name="isKey">True when this instance converts record keys.</param>
    void Configure(IReadOnlyDictionary<string, string> configs, bool isKey);

    /// <summary>Serializes a value for <paramref name="topic"/>; may add headers (e.g. a schema id). Null → null bytes.</summary>
    /// <exception cref="Errors.DataException">The value cannot be serialized.</exception>
    byte[]? FromConnectData(string topic, IHeaders? headers, Schema? schema, object? value);

    /// <summary>Deserializes bytes read from <paramref name="topic"/>; null bytes → <see cref="SchemaAndValue.Null"/>.</summary>
    /// <exception cref="Errors.DataException">The bytes cannot be deserialized.</exception>
    SchemaAndValue ToConnectData(string topic, IHeaders? headers, byte[]? value);

    /// <summary>
    /// Deserializes bytes that still live in the consumer's fetch buffer and are only valid during the call. The default
    /// copies them for <see cref="ToConnectData(string, IHeaders?, byte[])"/>; a converter whose result keeps no
    /// reference to the bytes overrides this to skip the copy (the worker's sink loop calls this one).
    /// </summary>
    SchemaAndValue ToConnectDataBorrowed(string topic, IHeaders? headers, ReadOnlyMemory<byte>? value) =>
        ToConnectData(topic, headers, value?.ToArray());

    /// <summary>The settings this converter accepts, for validation and docs.</summary>
    ConfigDef Config() => new();
}

/// <summary>
/// Translates single header values between Connect data and bytes. Separate from <see cref="IConverter"/>
/// because header values are small and usually schemaless.
/// </summary>
public interface IHeaderConverter : IDisposable
{
    void Configure(IReadOnlyDictionary<string, string> configs);

    SchemaAndValue ToConnectHeader(string topic, string headerKey, byte[]? value);

    byte[]? FromConnectHeader(string topic, string headerKey, Schema? schema, object? value);

    ConfigDef Config();
}
