namespace KafkaConnect.Connect.Rest.Tests;

public sealed class SecretMaskerTests
{
    [Theory]
    [InlineData("connection.password")]
    [InlineData("ssl.keystore.password")]
    [InlineData("db_passwd")]
    [InlineData("mysql-pwd")]
    [InlineData("aws.secret.access.key")]
    [InlineData("client.secret")]
    [InlineData("auth.token")]
    [InlineData("gcp.credentials")]
    [InlineData("service.credential")]
    [InlineData("datadog.apikey")]
    [InlineData("ssl.key")]
    [InlineData("private_key")]
    [InlineData("api.key")]
    [InlineData("producer.override.sasl.jaas.config")]
    [InlineData("PASSWORD")]
    public void Secret(string key) => Assert.True(SecretMasker.IsSecretKey(key), key);

    [Theory]
    [InlineData("key.converter")]
    [InlineData("value.converter")]
    [InlineData("header.converter")]
    [InlineData("key.converter.schemas.enable")]
    [InlineData("key.ignore")]
    [InlineData("pk.fields")]
    [InlineData("pk.mode")]
    [InlineData("topic")]
    [InlineData("keystore.type")]
    [InlineData("value.converter.basic.auth.credentials.source")]
    [InlineData("sasl.oauthbearer.token.endpoint.url")]
    [InlineData("key")]
    [InlineData("monkey")]
    [InlineData("tokenizer")]
    public void NotSecret(string key) => Assert.False(SecretMasker.IsSecretKey(key), key);

    [Fact]
    public void MaskValue_KeepsProviderReferences()
    {
        Assert.Equal("[hidden]", SecretMasker.MaskValue("db.password", "hunter2"));
        Assert.Equal("${file:/etc/secrets.properties:db.password}", SecretMasker.MaskValue("db.password", "${file:/etc/secrets.properties:db.password}"));
        Assert.Equal("plain", SecretMasker.MaskValue("topic", "plain"));
        Assert.Null(SecretMasker.MaskValue("db.password", null));
    }

    [Fact]
    public void Mask_ReturnsSameInstanceWhenNothingSecret()
    {
        var config = new Dictionary<string, string> { ["topic"] = "t" };
        Assert.Same(config, SecretMasker.Mask(config));
        var masked = SecretMasker.Mask(new Dictionary<string, string> { ["topic"] = "t", ["token"] = "x" });
        Assert.Equal("[hidden]", masked["token"]);
        Assert.Equal("t", masked["topic"]);
    }
}
