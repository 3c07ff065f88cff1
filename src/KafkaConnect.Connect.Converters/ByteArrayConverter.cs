using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Headers;
using KafkaConnect.Connect.Storage;

namespace KafkaConnect.Connect.Converters;

/// <summary>
/// <c>org.apache.kafka.connect.converters.ByteArrayConverter</c>: passes bytes through unchanged. Accepts
/// <c>byte[]</c>, <c>ReadOnlyMemory&lt;byte&gt;</c>, <c>Memory&lt;byte&gt;</c> and <c>ArraySegment&lt;byte&gt;</c>
/// (the counterparts of Java's ByteBuffer); reads back as optional bytes.
/// </summary>
public sealed class ByteArrayConverter : IConverter, IHeaderConverter, IVersioned
{
    private static readonly ConfigDef s_config = new ConfigDef()
        .Define("converter.type", ConfigType.String, ConfigDef.NoDefaultValue, ConfigDef.ValidString.In("key", "value", "header"),
            Importance.Low, "How this converter will be used.");

    public string Version() => "1.0";

    public ConfigDef Config() => s_config;

    public void Configure(IReadOnlyDictionary<string, string> configs) => _ = new AbstractConfig(s_config, configs);

    public void Configure(IReadOnlyDictionary<string, string> configs, bool isKey)
    {
    }

    public byte[]? FromConnectData(string topic, IHeaders? headers, Schema? schema, object? value)
    {
        if (schema is not null && schema.Type != SchemaType.Bytes)
        {
            throw new DataException($"Invalid schema type for ByteArrayConverter: {schema.Type}");
        }
        return value switch
        {
            null => null,
            byte[] bytes => bytes,
            ReadOnlyMemory<byte> memory => memory.ToArray(),
            Memory<byte> memory => memory.ToArray(),
            ArraySegment<byte> segment => segment.ToArray(),
            _ => throw new DataException($"ByteArrayConverter is not compatible with objects of type {value.GetType().FullName}"),
        };
    }

    public SchemaAndValue ToConnectData(string topic, IHeaders? headers, byte[]? value) => new(Schema.OptionalBytesSchema, value);

    public SchemaAndValue ToConnectHeader(string topic, string headerKey, byte[]? value) => ToConnectData(topic, null, value);

    public byte[]? FromConnectHeader(string topic, string headerKey, Schema? schema, object? value) =>
        FromConnectData(topic, null, schema, value);

    public void Dispose()
    {
    }
}
