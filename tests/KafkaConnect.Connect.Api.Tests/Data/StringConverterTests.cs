using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Storage;

namespace KafkaConnect.Connect.Tests.Data;

public sealed class StringConverterTests
{
    [Fact]
    public void RoundTripsText()
    {
        using var converter = new StringConverter();
        converter.Configure(new Dictionary<string, string>(), isKey: false);
        var bytes = converter.FromConnectData("t", null, Schema.StringSchema, "héllo");
        Assert.Equal("héllo"u8.ToArray(), bytes);
        Assert.Equal(new SchemaAndValue(Schema.OptionalStringSchema, "héllo"), converter.ToConnectData("t", null, bytes));
        Assert.Null(converter.FromConnectData("t", null, null, null));
        Assert.Null(converter.ToConnectData("t", null, null).Value);
        Assert.Equal("42"u8.ToArray(), converter.FromConnectData("t", null, Schema.Int32Schema, 42));
    }

    [Fact]
    public void UnknownEncoding_IsConfigError()
    {
        using var converter = new StringConverter();
        Assert.Throws<ConfigException>(() => converter.Configure(new Dictionary<string, string> { [StringConverter.EncodingConfig] = "nope-42" }, true));
    }
}
