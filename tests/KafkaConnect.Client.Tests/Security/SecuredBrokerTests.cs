using System.Diagnostics;
using System.Net;
using System.Text;
using KafkaConnect.Broker;
using KafkaConnect.Broker.Configuration;
using KafkaConnect.Client.Admin;
using KafkaConnect.Client.Consumer;
using KafkaConnect.Client.Producer;
using KafkaConnect.Client.Security;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;
using KafkaConnect.Security;
using KafkaConnect.Security.Tests;

namespace KafkaConnect.Client.Tests.Security;

/// <summary>
/// One broker with a listener per security protocol (and one that enables PLAIN only), certificates made by openssl and
/// keytool, users for PLAIN (JAAS), SCRAM (stored credentials) and OAUTHBEARER (unsecured JWTs).
/// </summary>
public sealed class SecuredBrokerFixture : IAsyncLifetime
{
    public const string Password = "alice-secret";
    private KafkaBroker? _broker;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "kc-secured-" + Guid.NewGuid().ToString("N"));
    public TestPki Pki { get; private set; } = null!;
    public KafkaBroker Broker => _broker ?? throw new InvalidOperationException("not started");

    public string Servers(string listener) => $"127.0.0.1:{Broker.ListenerEndPoints[listener].Port}";

    public async Task InitializeAsync()
    {
        Pki = await TestPki.SharedAsync();
        const string plainUsers = "org.apache.kafka.common.security.plain.PlainLoginModule required user_alice=\"" + Password + "\";";
        const string oauth = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;";
        var config = new Dictionary<string, string>
        {
            ["listeners"] = "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0,PLAINONLY://127.0.0.1:0",
            ["listener.security.protocol.map"] = "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,PLAINONLY:SASL_PLAINTEXT",
            ["log.dirs"] = DataDirectory,
            ["group.initial.rebalance.delay.ms"] = "0",
            ["ssl.keystore.location"] = Pki.ServerJks,
            ["ssl.keystore.password"] = TestPki.Password,
            ["sasl.enabled.mechanisms"] = "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER",
            ["listener.name.plainonly.sasl.enabled.mechanisms"] = "PLAIN",
            ["sasl.jaas.config"] = plainUsers,
            ["listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config"] = oauth,
            ["listener.name.sasl_ssl.oauthbearer.sasl.jaas.config"] = oauth,
        };
        _broker = await KafkaBroker.StartAsync(BrokerConfig.Create(config), initialScram:
        [
            ("alice", Scram.CreateCredential(ScramMechanism.Sha256, Password, 4096)),
            ("alice", Scram.CreateCredential(ScramMechanism.Sha512, Password, 4096)),
        ]);
    }

    public async Task DisposeAsync()
    {
        if (_broker is not null) await _broker.DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }
}

public sealed class SecuredBrokerTests(SecuredBrokerFixture broker) : IClassFixture<SecuredBrokerFixture>
{
    private Dictionary<string, string> Client(string listener, string? mechanism = null, string password = SecuredBrokerFixture.Password)
    {
        var config = new Dictionary<string, string> { ["bootstrap.servers"] = broker.Servers(listener), ["client.id"] = "secured-tests" };
        var protocol = listener == "PLAINONLY" ? "SASL_PLAINTEXT" : listener;
        config["security.protocol"] = protocol;
        if (protocol.EndsWith("SSL", StringComparison.Ordinal))
        {
            config["ssl.truststore.location"] = broker.Pki.TrustJks;
            config["ssl.truststore.password"] = TestPki.Password;
        }
        if (mechanism is not null)
        {
            config["sasl.mechanism"] = mechanism;
            config["sasl.jaas.config"] = mechanism switch
            {
                "PLAIN" => $"org.apache.kafka.common.security.plain.PlainLoginModule required username=\"alice\" password=\"{password}\";",
                "OAUTHBEARER" => "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub=\"alice\";",
                _ => $"org.apache.kafka.common.security.scram.ScramLoginModule required username=\"alice\" password=\"{password}\";",
            };
        }
        return config;
    }

    public static TheoryData<string, string?> Combinations => new()
    {
        { "PLAINTEXT", null },
        { "SSL", null },
        { "SASL_PLAINTEXT", "PLAIN" },
        { "SASL_PLAINTEXT", "SCRAM-SHA-256" },
        { "SASL_PLAINTEXT", "SCRAM-SHA-512" },
        { "SASL_PLAINTEXT", "OAUTHBEARER" },
        { "SASL_SSL", "PLAIN" },
        { "SASL_SSL", "SCRAM-SHA-256" },
        { "SASL_SSL", "SCRAM-SHA-512" },
        { "SASL_SSL", "OAUTHBEARER" },
    };

    [Theory]
    [MemberData(nameof(Combinations))]
    public async Task Producer_consumer_group_and_admin_work_over_every_protocol_and_mechanism(string listener, string? mechanism)
    {
        var topic = $"secured-{listener}-{mechanism ?? "none"}-{Guid.NewGuid():N}".ToLowerInvariant();
        var config = Client(listener, mechanism);
        await using (var admin = new KafkaAdminClient(config))
        {
            var cluster = await admin.DescribeClusterAsync();
            // The broker answers with the endpoint of the listener asked, so clients stay on it.
            Assert.Equal(broker.Broker.ListenerEndPoints[listener].Port, Assert.Single(cluster.Nodes).Port);
        }
        await using (var producer = new KafkaProducer(config))
        {
            for (var i = 0; i < 50; i++)
                await producer.ProduceAsync(new ProducerRecord(topic, null, Encoding.UTF8.GetBytes($"record-{i}")));
        }
        var consumerConfig = new Dictionary<string, string>(config) { ["group.id"] = "g-" + topic, ["auto.offset.reset"] = "earliest" };
        await using var consumer = new KafkaConsumer(consumerConfig);
        consumer.Subscribe([topic]);
        var seen = new List<string>();
        var deadline = Stopwatch.StartNew();
        while (seen.Count < 50 && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            foreach (var r in await consumer.PollAsync(TimeSpan.FromMilliseconds(500))) seen.Add(Encoding.UTF8.GetString(r.Value!.Value.Span));
        }
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"record-{i}"), seen);
        await consumer.CommitAsync();
    }

    [Theory]
    [InlineData("SASL_SSL", "PLAIN")]
    [InlineData("SASL_SSL", "SCRAM-SHA-512")]
    [InlineData("SASL_PLAINTEXT", "SCRAM-SHA-256")]
    public async Task A_wrong_password_fails_at_once_naming_the_mechanism_and_the_broker(string listener, string mechanism)
    {
        var config = Client(listener, mechanism, password: "not-the-password");
        config["max.block.ms"] = "60000";
        var clock = Stopwatch.StartNew();
        await using (var producer = new KafkaProducer(config))
        {
            var ex = await Assert.ThrowsAnyAsync<Exception>(() => producer.ProduceAsync(new ProducerRecord("wrong-password", null, "x"u8.ToArray())));
            var auth = Find<KafkaAuthenticationException>(ex);
            Assert.Contains(mechanism, auth.Message, StringComparison.Ordinal);
            Assert.Contains(broker.Servers(listener), auth.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("not-the-password", auth.Message, StringComparison.Ordinal);
        }
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}: an authentication failure must not be retried until a timeout");
        // The broker keeps serving everyone else.
        await using var good = new KafkaProducer(Client(listener, mechanism));
        await good.ProduceAsync(new ProducerRecord("after-wrong-password", null, "ok"u8.ToArray()));
    }

    [Fact]
    public async Task A_mechanism_the_listener_does_not_enable_is_named_with_the_ones_it_does()
    {
        await using var admin = new KafkaAdminClient(Client("PLAINONLY", "SCRAM-SHA-512"));
        var ex = Find<KafkaAuthenticationException>(await Assert.ThrowsAnyAsync<Exception>(() => admin.DescribeClusterAsync()));
        Assert.Contains("does not enable SASL mechanism SCRAM-SHA-512", ex.Message, StringComparison.Ordinal);
        Assert.Contains("PLAIN", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_untrusted_broker_certificate_fails_with_the_reason()
    {
        var config = Client("SSL");
        config["ssl.truststore.location"] = broker.Pki.OtherTrustJks;
        await using var admin = new KafkaAdminClient(config);
        var ex = Find<KafkaAuthenticationException>(await Assert.ThrowsAnyAsync<Exception>(() => admin.DescribeClusterAsync()));
        Assert.Contains("SSL handshake with broker", ex.Message, StringComparison.Ordinal);
        Assert.Contains("not trusted", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plaintext_client_on_a_sasl_listener_gets_no_data_and_the_broker_stays_up()
    {
        var config = Client("SASL_PLAINTEXT");
        config["security.protocol"] = "PLAINTEXT";
        config["request.timeout.ms"] = "3000";
        await using (var connection = await KafkaConnection.ConnectAsync("127.0.0.1", broker.Broker.ListenerEndPoints["SASL_PLAINTEXT"].Port, "nosasl",
            TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), CancellationToken.None))
        {
            // ApiVersions is allowed before authentication; Metadata is not: the broker closes the connection.
            var version = connection.NegotiateVersion(ApiKey.Metadata, 1, 12);
            await Assert.ThrowsAsync<KafkaConnectionException>(() => connection.SendAsync<MetadataResponse>(ApiKey.Metadata, version, new MetadataRequest(), CancellationToken.None));
        }
        await using var good = new KafkaAdminClient(Client("SASL_PLAINTEXT", "PLAIN"));
        Assert.NotNull(await good.DescribeClusterAsync());
    }

    private static T Find<T>(Exception ex) where T : Exception
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is T t) return t;
            if (e is AggregateException agg && agg.InnerExceptions.Count > 0) return Find<T>(agg.InnerExceptions[0]);
        }
        throw new Xunit.Sdk.XunitException($"expected a {typeof(T).Name} in {ex}");
    }
}
