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
    public void A_struct_is_written_as_its_toString_as_Apache_does()
    {
        using var converter = new StringConverter();
        converter.Configure(new Dictionary<string, string>(), isKey: false);
        var schema = SchemaBuilder.Struct().Field("id", Schema.Int64Schema).Field("note", Schema.OptionalStringSchema)
            .Field("name", Schema.StringSchema).Build();
        var value = new Struct(schema).Put("id", 7L).Put("name", "ann");
        // Java: new StringConverter().fromConnectData(...) is value.toString(), null fields left out.
        Assert.Equal("Struct{id=7,name=ann}"u8.ToArray(), converter.FromConnectData("t", null, schema, value));
    }

    [Fact]
    public void UnknownEncoding_IsConfigError()
    {
        using var converter = new StringConverter();
        Assert.Throws<ConfigException>(() => converter.Configure(new Dictionary<string, string> { [StringConverter.EncodingConfig] = "nope-42" }, true));
    }
}
