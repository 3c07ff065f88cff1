using System.Text;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Storage;

namespace KafkaConnect.Connect.Converters;

/// <summary>
/// <c>org.apache.kafka.connect.storage.SimpleHeaderConverter</c> (the worker's default header converter):
/// writes values as UTF-8 text via <see cref="Values.ConvertToString"/> and reads them back with
/// <see cref="Values.ParseString"/>, which infers the schema. Undecodable text falls back to raw bytes.
/// </summary>
public sealed class SimpleHeaderConverter : IHeaderConverter, IVersioned
{
    private static readonly ConfigDef s_config = new();
    private static readonly UTF8Encoding s_strictUtf8 = new(false, throwOnInvalidBytes: true);

    public string Version() => "1.0";

    public ConfigDef Config() => s_config;

    public void Configure(IReadOnlyDictionary<string, string> configs)
    {
    }

    public SchemaAndValue ToConnectHeader(string topic, string headerKey, byte[]? value)
    {
        if (value is null)
        {
            return SchemaAndValue.Null;
        }
        try
        {
            return Values.ParseString(s_strictUtf8.GetString(value));
        }
        catch (Exception e) when (e is DecoderFallbackException or DataException or FormatException or OverflowException)
        {
            // Like Kafka: a header that is not parseable text is still delivered, as bytes.
            return new SchemaAndValue(Schema.BytesSchema, value);
        }
    }

    public byte[]? FromConnectHeader(string topic, string headerKey, Schema? schema, object? value) =>
        value is null ? null : Encoding.UTF8.GetBytes(Values.ConvertToString(schema, value)!);

    public void Dispose()
    {
    }
}
