using System.Text;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Headers;

namespace KafkaConnect.Connect.Storage;

/// <summary>
/// Stores values as text: a Struct as its <see cref="Struct.ToString"/> (Apache's toString), any other value via
/// <see cref="Values.ConvertToString"/>; always
/// deserializes to an optional string. Usable as key, value and header converter.
/// </summary>
public sealed class StringConverter : IConverter, IHeaderConverter
{
    /// <summary>Character set name, e.g. "UTF-8" (default) or "UTF-16".</summary>
    public const string EncodingConfig = "converter.encoding";

    /// <summary>Set by the worker to "key", "value" or "header".</summary>
    public const string TypeConfig = "converter.type";

    private static readonly ConfigDef s_config = new ConfigDef()
        .Define(EncodingConfig, ConfigType.String, "UTF-8", Importance.High, "The name of the character set to use for encoding strings.")
        .Define(TypeConfig, ConfigType.String, "value", ConfigDef.ValidString.InIgnoringCase("key", "value", "header"), Importance.Low,
            "How this converter will be used.");

    private Encoding _encoding = new UTF8Encoding(false);

    public ConfigDef Config() => s_config;

    public void Configure(IReadOnlyDictionary<string, string> configs)
    {
        var config = new AbstractConfig(s_config, configs);
        var name = config.GetString(EncodingConfig)!;
        try
        {
            _encoding = name.Equals("UTF-8", StringComparison.OrdinalIgnoreCase) || name.Equals("UTF8", StringComparison.OrdinalIgnoreCase)
                ? new UTF8Encoding(false)
                : Encoding.GetEncoding(name);
        }
        catch (ArgumentException e)
        {
            throw new ConfigException(EncodingConfig, name, "Unknown character set: " + e.Message);
        }
    }

    public void Configure(IReadOnlyDictionary<string, string> configs, bool isKey)
    {
        ArgumentNullException.ThrowIfNull(configs);
        var withType = new Dictionary<string, string>(configs, StringComparer.Ordinal);
        withType.TryAdd(TypeConfig, isKey ? "key" : "value");
        Configure(withType);
    }

    public byte[]? FromConnectData(string topic, IHeaders? headers, Schema? schema, object? value)
    {
        // Apache writes value.toString(): a Struct reads "Struct{id=1,name=ann}" there, and so here. Other values use
        // Values' text, which equals Java's toString for numbers, strings and booleans and is readable for bytes.
        var text = value switch
        {
            null => null,
            Struct s => s.ToString(),
            _ => Values.ConvertToString(schema, value),
        };
        return text is null ? null : _encoding.GetBytes(text);
    }

    public SchemaAndValue ToConnectData(string topic, IHeaders? headers, byte[]? value)
    {
        try
        {
            return new SchemaAndValue(Schema.OptionalStringSchema, value is null ? null : _encoding.GetString(value));
        }
        catch (DecoderFallbackException e)
        {
            throw new DataException($"Failed to deserialize string from topic {topic}", e);
        }
    }

    public SchemaAndValue ToConnectDataBorrowed(string topic, IHeaders? headers, ReadOnlyMemory<byte>? value)
    {
        try
        {
            return new SchemaAndValue(Schema.OptionalStringSchema, value is { } bytes ? _encoding.GetString(bytes.Span) : null);
        }
        catch (DecoderFallbackException e)
        {
            throw new DataException($"Failed to deserialize string from topic {topic}", e);
        }
    }

    public SchemaAndValue ToConnectHeader(string topic, string headerKey, byte[]? value) => ToConnectData(topic, null, value);

    public byte[]? FromConnectHeader(string topic, string headerKey, Schema? schema, object? value) =>
        FromConnectData(topic, null, schema, value);

    public void Dispose()
    {
    }
}
