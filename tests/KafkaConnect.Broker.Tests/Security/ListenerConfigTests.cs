using KafkaConnect.Broker.Configuration;
using KafkaConnect.Broker.Tests.Handlers;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Tests.Security;

/// <summary>listeners, listener.security.protocol.map and the SASL settings: what loads, and what stops the broker naming the key.</summary>
public sealed class ListenerConfigTests
{
    private static BrokerConfig Create(params (string Key, string Value)[] settings)
    {
        var props = new Dictionary<string, string> { ["log.dirs"] = "/tmp/x" };
        foreach (var (k, v) in settings) props[k] = v;
        return BrokerConfig.Create(props);
    }

    [Fact]
    public void Custom_listener_names_take_their_protocol_from_the_map_and_advertise_per_listener()
    {
        var c = Create(
            ("listeners", "INTERNAL://127.0.0.1:9092,EXTERNAL://localhost:0"),
            ("listener.security.protocol.map", "INTERNAL:PLAINTEXT,EXTERNAL:SASL_PLAINTEXT"),
            ("advertised.listeners", "EXTERNAL://kafka.example.com:19093"),
            ("listener.name.external.sasl.enabled.mechanisms", "SCRAM-SHA-512"),
            ("listener.name.external.scram-sha-512.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;"),
            ("listener.name.external.scram-sha-512.connections.max.reauth.ms", "30000"));
        Assert.Equal(["INTERNAL", "EXTERNAL"], c.Listeners.Select(l => l.Name));
        Assert.Equal([SecurityProtocol.Plaintext, SecurityProtocol.SaslPlaintext], c.Listeners.Select(l => l.Protocol));
        Assert.Equal(("127.0.0.1", 9092), (c.Listener("INTERNAL").AdvertisedHost, c.Listener("INTERNAL").AdvertisedPort));
        Assert.Equal(("kafka.example.com", 19093), (c.Listener("EXTERNAL").AdvertisedHost, c.Listener("EXTERNAL").AdvertisedPort));
        Assert.Equal(["SCRAM-SHA-512"], c.Listener("EXTERNAL").SaslMechanisms);
        Assert.Equal(30000, c.Listener("EXTERNAL").MaxReauthMs("SCRAM-SHA-512", 0));
        Assert.Empty(c.UnknownKeys);
        // The first listener is the one the single-listener properties describe.
        Assert.Equal(("127.0.0.1", 9092), (c.ListenHost, c.ListenPort));
    }

    [Fact]
    public void The_default_stays_one_plaintext_listener_on_loopback_9092()
    {
        var c = Create();
        var l = Assert.Single(c.Listeners);
        Assert.Equal(("PLAINTEXT", SecurityProtocol.Plaintext, "127.0.0.1", 9092), (l.Name, l.Protocol, l.Host, l.Port));
        Assert.Null(l.Tls);
        Assert.False(l.UsesSasl);
    }

    [Fact]
    public void Plain_users_come_from_the_listener_jaas_line_and_fall_back_to_the_broker_level_one()
    {
        const string Jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required user_a=\"1\" user_b=\"2\";";
        var own = Create(("listeners", "SASL_PLAINTEXT://127.0.0.1:0"), ("listener.name.sasl_plaintext.plain.sasl.jaas.config", Jaas),
            ("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required user_z=\"9\";"));
        Assert.Equal(["a", "b"], own.Listeners[0].PlainUsers.Keys.Order());
        var fallback = Create(("listeners", "SASL_PLAINTEXT://127.0.0.1:0"), ("sasl.jaas.config", Jaas));
        Assert.Equal("2", fallback.Listeners[0].PlainUsers["b"]);
    }

    [Theory]
    [InlineData("listeners", "EXTERNAL://127.0.0.1:9093", "listener.security.protocol.map")]
    [InlineData("listener.security.protocol.map", "PLAINTEXT:TLS", "listener.security.protocol.map")]
    [InlineData("listeners", "PLAINTEXT://127.0.0.1:9092,PLAINTEXT://127.0.0.1:9093", "used twice")]
    [InlineData("listeners", "PLAINTEXT://127.0.0.1:9092,SSL://127.0.0.1:9092", "port 9092")]
    [InlineData("advertised.listeners", "OTHER://x:1", "advertised.listeners")]
    public void Bad_listener_settings_name_the_key(string key, string value, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => Create((key, value)));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GSSAPI", "sasl.enabled.mechanisms: GSSAPI (Kerberos) is not supported")]
    [InlineData("PLAIN,DIGEST-MD5", "sasl.enabled.mechanisms: unknown SASL mechanism 'DIGEST-MD5'")]
    [InlineData("PLAIN", "listener.name.sasl_plaintext.plain.sasl.jaas.config")]
    public void Bad_sasl_settings_name_the_key(string mechanisms, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => Create(("listeners", "SASL_PLAINTEXT://127.0.0.1:0"), ("sasl.enabled.mechanisms", mechanisms)));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_jaas_line_names_its_key()
    {
        var ex = Assert.Throws<ArgumentException>(() => Create(("listeners", "SASL_PLAINTEXT://127.0.0.1:0"),
            ("listener.name.sasl_plaintext.plain.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required user_a=\"1\"")));
        Assert.StartsWith("listener.name.sasl_plaintext.plain.sasl.jaas.config: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tls_listener_without_a_keystore_names_the_listener_key_when_it_has_its_own()
    {
        var broad = Assert.Throws<ArgumentException>(() => Create(("listeners", "SSL://127.0.0.1:0")));
        Assert.StartsWith("ssl.keystore.location", broad.Message, StringComparison.Ordinal);
        var own = Assert.Throws<ArgumentException>(() => Create(("listeners", "SSL://127.0.0.1:0"),
            ("listener.name.ssl.ssl.keystore.location", "/nonexistent/k.p12"), ("listener.name.ssl.ssl.keystore.type", "PKCS12")));
        Assert.Contains("listener.name.ssl.ssl.keystore", own.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribeConfigs_shows_passwords_and_jaas_lines_as_sensitive_without_their_value()
    {
        await using var broker = new BrokerHarness(new Dictionary<string, string>
        {
            ["ssl.keystore.password"] = "top-secret",
            ["sasl.jaas.config"] = "org.apache.kafka.common.security.plain.PlainLoginModule required user_a=\"secret-too\";",
        });
        var response = await broker.SendAsync<DescribeConfigsResponse>(ApiKey.DescribeConfigs, 4, new DescribeConfigsRequest
        {
            Resources = [new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = 4, ResourceName = "" }],
        });
        var configs = Assert.Single(response.Results).Configs.ToDictionary(c => c.Name);
        foreach (var key in new[] { "ssl.keystore.password", "sasl.jaas.config" })
        {
            Assert.True(configs[key].IsSensitive, key);
            Assert.Null(configs[key].Value);
        }
        Assert.Equal("PLAIN", configs["sasl.enabled.mechanisms"].Value);
        Assert.False(configs["sasl.enabled.mechanisms"].IsSensitive);
    }
}
