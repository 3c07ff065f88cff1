using KafkaConnect.Client.Config;
using KafkaConnect.Client.Security;

namespace KafkaConnect.Client.Tests.Security;

/// <summary>A user's security settings, right and wrong: each mistake is a ConfigException naming the key, with no secret in it.</summary>
public sealed class ClientSecurityConfigTests
{
    private static ClientSecurity Parse(Dictionary<string, string> settings)
    {
        settings.TryAdd("bootstrap.servers", "127.0.0.1:9092");
        return ClusterOptions.FromProperties(settings).Security;
    }

    private const string Plain = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"alice\" password=\"alice-secret\";";
    private const string ScramJaas = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"alice\" password=\"alice-secret\";";

    [Fact]
    public void Plaintext_is_the_default()
    {
        Assert.Equal(SecurityProtocol.Plaintext, Parse(new()).Protocol);
    }

    [Theory]
    [InlineData("PLAIN", Plain)]
    [InlineData("SCRAM-SHA-256", ScramJaas)]
    [InlineData("SCRAM-SHA-512", ScramJaas)]
    [InlineData("OAUTHBEARER", "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub=\"alice\";")]
    public void Sasl_mechanisms_with_their_login_modules(string mechanism, string jaas)
    {
        var security = Parse(new() { ["security.protocol"] = "SASL_PLAINTEXT", ["sasl.mechanism"] = mechanism, ["sasl.jaas.config"] = jaas });
        Assert.Equal(SecurityProtocol.SaslPlaintext, security.Protocol);
        Assert.Equal(mechanism, security.SaslMechanism);
        Assert.DoesNotContain("secret", security.ToString(), StringComparison.Ordinal);
    }

    public static TheoryData<Dictionary<string, string>, string, string> Mistakes => new()
    {
        { new() { ["security.protocol"] = "TLS" }, "security.protocol", "PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL" },
        { new() { ["security.protocol"] = "SASL_SSL", ["sasl.jaas.config"] = Plain }, "sasl.mechanism", "GSSAPI" },
        { new() { ["security.protocol"] = "SASL_PLAINTEXT", ["sasl.mechanism"] = "PLAIN" }, "sasl.jaas.config", "is required" },
        { new() { ["security.protocol"] = "SASL_PLAINTEXT", ["sasl.mechanism"] = "PLAIN", ["sasl.jaas.config"] = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"alice\" password=\"alice-secret\"" }, "sasl.jaas.config", "not terminated by semi-colon" },
        { new() { ["security.protocol"] = "SASL_PLAINTEXT", ["sasl.mechanism"] = "PLAIN", ["sasl.jaas.config"] = ScramJaas }, "sasl.jaas.config", "needs org.apache.kafka.common.security.plain.PlainLoginModule" },
        { new() { ["security.protocol"] = "SASL_PLAINTEXT", ["sasl.mechanism"] = "PLAIN", ["sasl.jaas.config"] = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"alice\";" }, "sasl.jaas.config", "password" },
        { new() { ["security.protocol"] = "SASL_PLAINTEXT", ["sasl.mechanism"] = "DIGEST-MD5", ["sasl.jaas.config"] = Plain }, "sasl.mechanism", "not supported" },
        { new() { ["security.protocol"] = "SASL_PLAINTEXT", ["sasl.mechanism"] = "OAUTHBEARER", ["sasl.jaas.config"] = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;" }, "sasl.jaas.config", "unsecuredLoginStringClaim_sub" },
        { new() { ["security.protocol"] = "SASL_PLAINTEXT", ["sasl.mechanism"] = "OAUTHBEARER", ["sasl.oauthbearer.token.endpoint.url"] = "http://127.0.0.1:1/token", ["sasl.jaas.config"] = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId=\"c\";" }, "sasl.jaas.config", "clientSecret" },
        { new() { ["security.protocol"] = "SSL", ["ssl.truststore.location"] = "/nonexistent/truststore.jks" }, "ssl.truststore.location", "/nonexistent/truststore.jks" },
        { new() { ["security.protocol"] = "SSL", ["ssl.enabled.protocols"] = "TLSv1" }, "ssl.enabled.protocols", "insecure" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void Mistakes_name_the_key_and_keep_the_password_out(Dictionary<string, string> settings, string key, string says)
    {
        var ex = Assert.Throws<ConfigException>(() => Parse(settings));
        Assert.Equal(key, ex.Key);
        Assert.Contains(says, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("alice-secret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Kafka_client_keys_that_do_not_apply_here_are_accepted()
    {
        var security = Parse(new()
        {
            ["security.protocol"] = "SASL_PLAINTEXT",
            ["sasl.mechanism"] = "PLAIN",
            ["sasl.jaas.config"] = Plain,
            ["sasl.kerberos.service.name"] = "kafka",
            ["sasl.login.refresh.buffer.seconds"] = "300",
            ["ssl.keymanager.algorithm"] = "SunX509",
        });
        Assert.Equal("PLAIN", security.SaslMechanism);
    }
}
