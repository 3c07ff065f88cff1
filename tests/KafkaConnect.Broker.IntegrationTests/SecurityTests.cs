using System.Buffers.Binary;
using System.Net.Sockets;
using KafkaConnect.Broker.IntegrationTests.Infrastructure;
using KafkaConnect.Security.Tests;
using Xunit.Abstractions;

namespace KafkaConnect.Broker.IntegrationTests;

/// <summary>
/// TLS and SASL on our broker with clients nobody here wrote: kcat and confluent-kafka (librdkafka) produce and consume
/// over SSL, SASL_SSL (PLAIN, SCRAM) and SASL_PLAINTEXT; wrong passwords, untrusted certificates and missing client
/// certificates fail cleanly while the broker keeps serving; bad security settings stop it at start-up naming the key.
/// Certificates are made by openssl and keytool (<see cref="TestPki"/>).
/// </summary>
public sealed class SecurityTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(2);
    private const string PlainJaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"admin-secret\" "
        + "user_admin=\"admin-secret\" user_alice=\"alice-secret\";";

    /// <summary>A broker with a PLAINTEXT, an SSL, a SASL_SSL and a SASL_PLAINTEXT listener, and SCRAM users alice and bob.</summary>
    private sealed record SecureBroker(BrokerProcess Process, int Ssl, int SaslSsl, int SaslPlaintext) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Process.DisposeAsync();
    }

    private async Task<SecureBroker> StartSecureBrokerAsync(TestPki pki, params string[] extra)
    {
        var (plain, ssl, saslSsl, saslPlain) = (BrokerProcess.FreePort(), BrokerProcess.FreePort(), BrokerProcess.FreePort(), BrokerProcess.FreePort());
        string[] configs =
        [
            $"listeners=PLAINTEXT://127.0.0.1:{plain},SSL://127.0.0.1:{ssl},SASL_SSL://127.0.0.1:{saslSsl},SASL_PLAINTEXT://127.0.0.1:{saslPlain}",
            "ssl.keystore.type=PKCS12",
            $"ssl.keystore.location={pki.ServerP12}",
            $"ssl.keystore.password={TestPki.Password}",
            "sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER",
            $"listener.name.sasl_ssl.plain.sasl.jaas.config={PlainJaas}",
            $"sasl.jaas.config={PlainJaas}",
            "num.partitions=1",
            "group.initial.rebalance.delay.ms=0",
            .. extra,
        ];
        var process = await BrokerProcess.StartAsync(output, plain,
            ["--add-scram", "SCRAM-SHA-512=[name=alice,password=alice-scram]", "--add-scram", "SCRAM-SHA-256=[name=bob,password=bob-scram,iterations=8192]"],
            configs);
        return new SecureBroker(process, ssl, saslSsl, saslPlain);
    }

    private static string[] Tls(TestPki pki, string protocol = "SSL") => [$"security.protocol={protocol}", $"ssl.ca.location={pki.CaCert}"];

    private static string[] Sasl(string protocol, string mechanism, string user, string password, TestPki? pki = null) =>
    [
        .. pki is null ? [$"security.protocol={protocol}"] : Tls(pki, protocol),
        $"sasl.mechanisms={mechanism}", $"sasl.username={user}", $"sasl.password={password}",
    ];

    private static List<string> KcatArgs(int port, IEnumerable<string> properties, params string[] args)
    {
        var list = new List<string>(args) { "-b", $"127.0.0.1:{port}" };
        foreach (var p in properties)
        {
            list.Add("-X");
            list.Add(p);
        }
        return list;
    }

    /// <summary>kcat produces <paramref name="count"/> lines and consumes them back over the given listener settings.</summary>
    private async Task KcatRoundTripAsync(int port, string[] properties, string topic, int count = 5)
    {
        var kcat = Clients.RequireKcat();
        using var work = new TempDirectory();
        var input = work.File("in.txt");
        var lines = Enumerable.Range(0, count).Select(i => $"{topic}-{i}").ToList();
        await File.WriteAllLinesAsync(input, lines);
        var produce = await ProcessRunner.RunAsync(kcat, KcatArgs(port, properties, "-P", "-t", topic, "-l", input), s_timeout);
        Assert.True(produce.Succeeded, $"kcat produce to {topic}: {produce.Describe()}");
        var consume = await ProcessRunner.RunAsync(kcat, KcatArgs(port, properties, "-C", "-t", topic, "-o", "beginning", "-c", count.ToString(), "-e"), s_timeout);
        Assert.True(consume.Succeeded, $"kcat consume from {topic}: {consume.Describe()}");
        Assert.Equal(lines, consume.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    private static async Task<System.Text.Json.JsonElement> ConfluentAsync(int port, string topic, string[] properties, int count = 10)
    {
        Clients.RequireConfluentKafka();
        var result = await Clients.RunScriptRawAsync("secure_roundtrip.py", s_timeout, [$"127.0.0.1:{port}", topic, count.ToString(), .. properties]);
        return Clients.ParseResult(result);
    }

    [Fact]
    public async Task Kcat_and_confluent_kafka_round_trip_over_ssl_sasl_ssl_plain_and_scram_and_sasl_plaintext()
    {
        var pki = await TestPki.SharedAsync();
        await using var broker = await StartSecureBrokerAsync(pki);
        var cases = new (string Name, int Port, string[] Properties)[]
        {
            ("ssl", broker.Ssl, Tls(pki)),
            ("sasl-ssl-plain", broker.SaslSsl, Sasl("SASL_SSL", "PLAIN", "alice", "alice-secret", pki)),
            ("sasl-ssl-scram512", broker.SaslSsl, Sasl("SASL_SSL", "SCRAM-SHA-512", "alice", "alice-scram", pki)),
            ("sasl-plaintext-plain", broker.SaslPlaintext, Sasl("SASL_PLAINTEXT", "PLAIN", "admin", "admin-secret")),
        };
        foreach (var (name, port, properties) in cases)
        {
            await KcatRoundTripAsync(port, properties, "kcat-" + name);
            var result = await ConfluentAsync(port, "ck-" + name, properties);
            Assert.True(result.GetProperty("received").GetInt32() == 10, $"confluent-kafka over {name}: {result}");
        }
        // librdkafka's unsecured JWTs against Kafka's unsecured validator (KIP-255).
        string[] oauth = ["security.protocol=SASL_SSL", $"ssl.ca.location={pki.CaCert}", "sasl.mechanisms=OAUTHBEARER",
            "enable.sasl.oauthbearer.unsecure.jwt=true", "sasl.oauthbearer.config=principal=carol scope=kafka"];
        await KcatRoundTripAsync(broker.SaslSsl, oauth, "kcat-oauth");
        var ck = await ConfluentAsync(broker.SaslSsl, "ck-oauth", oauth);
        Assert.True(ck.GetProperty("received").GetInt32() == 10, $"confluent-kafka over OAUTHBEARER: {ck}");
        // SCRAM-SHA-256 once, with the user created at 8192 iterations.
        await KcatRoundTripAsync(broker.SaslPlaintext, Sasl("SASL_PLAINTEXT", "SCRAM-SHA-256", "bob", "bob-scram"), "kcat-scram256");
        broker.Process.AssertAlive("after the round trips");
    }

    [Fact]
    public async Task A_wrong_password_fails_with_an_authentication_error_and_the_broker_keeps_serving_others()
    {
        var pki = await TestPki.SharedAsync();
        await using var broker = await StartSecureBrokerAsync(pki);
        var kcat = Clients.RequireKcat();
        foreach (var (mechanism, expected) in new[]
        {
            ("PLAIN", "Authentication failed: Invalid username or password"),
            ("SCRAM-SHA-512", "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512"),
        })
        {
            var wrong = await ProcessRunner.RunAsync(kcat, KcatArgs(broker.SaslSsl, Sasl("SASL_SSL", mechanism, "alice", "not-the-password", pki), "-L", "-m", "5"), s_timeout);
            Assert.False(wrong.Succeeded, wrong.Describe());
            Assert.Contains(expected, wrong.StandardError + wrong.StandardOutput, StringComparison.Ordinal);
        }
        var confluent = await ConfluentAsync(broker.SaslPlaintext, "ck-wrong", Sasl("SASL_PLAINTEXT", "PLAIN", "alice", "nope"), count: 1);
        Assert.Equal(0, confluent.GetProperty("received").GetInt32());
        Assert.Contains("Authentication failed", confluent.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("SASL PLAIN authentication failed: wrong password for user 'alice'", broker.Process.LogTail(400), StringComparison.Ordinal);

        broker.Process.AssertAlive("after wrong passwords");
        await KcatRoundTripAsync(broker.SaslSsl, Sasl("SASL_SSL", "PLAIN", "alice", "alice-secret", pki), "after-wrong-password");
    }

    [Fact]
    public async Task A_client_that_trusts_another_authority_fails_the_handshake_cleanly()
    {
        var pki = await TestPki.SharedAsync();
        await using var broker = await StartSecureBrokerAsync(pki);
        var kcat = Clients.RequireKcat();
        var untrusted = await ProcessRunner.RunAsync(kcat,
            KcatArgs(broker.Ssl, ["security.protocol=SSL", $"ssl.ca.location={pki.OtherCaCert}"], "-L", "-m", "5"), s_timeout);
        Assert.False(untrusted.Succeeded, untrusted.Describe());
        Assert.Contains("certificate verify failed", untrusted.StandardError + untrusted.StandardOutput, StringComparison.Ordinal);
        var confluent = await ConfluentAsync(broker.Ssl, "ck-untrusted", ["security.protocol=SSL", $"ssl.ca.location={pki.OtherCaCert}"], count: 1);
        Assert.Equal(0, confluent.GetProperty("received").GetInt32());
        Assert.Contains("certificate verify failed", confluent.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("TLS handshake failed", broker.Process.LogTail(400), StringComparison.Ordinal);

        broker.Process.AssertAlive("after untrusted clients");
        await KcatRoundTripAsync(broker.Ssl, Tls(pki), "after-untrusted");
    }

    [Fact]
    public async Task Client_auth_required_refuses_a_client_without_a_certificate_and_accepts_one_with_and_a_keytool_jks_keystore_works()
    {
        var pki = await TestPki.SharedAsync();
        var port = BrokerProcess.FreePort();
        await using var broker = await BrokerProcess.StartAsync(output, port, [],
            $"listeners=SSL://127.0.0.1:{port}",
            $"ssl.keystore.location={pki.ServerJks}",
            $"ssl.keystore.password={TestPki.Password}",
            $"ssl.truststore.location={pki.TrustJks}",
            $"ssl.truststore.password={TestPki.Password}",
            "listener.name.ssl.ssl.client.auth=required",
            "num.partitions=1");
        var kcat = Clients.RequireKcat();
        var anonymous = await ProcessRunner.RunAsync(kcat, KcatArgs(port, Tls(pki), "-L", "-m", "5"), s_timeout);
        Assert.False(anonymous.Succeeded, anonymous.Describe());
        Assert.Contains("ssl.client.auth=required", broker.LogTail(400), StringComparison.Ordinal);

        string[] withCertificate = [.. Tls(pki), $"ssl.certificate.location={pki.ClientCert}", $"ssl.key.location={pki.ClientKey}"];
        await KcatRoundTripAsync(port, withCertificate, "mtls");
        var confluent = await ConfluentAsync(port, "ck-mtls", withCertificate);
        Assert.True(confluent.GetProperty("received").GetInt32() == 10, confluent.ToString());
    }

    [Fact]
    public async Task Client_auth_requested_serves_clients_with_and_without_a_certificate()
    {
        var pki = await TestPki.SharedAsync();
        var port = BrokerProcess.FreePort();
        await using var broker = await BrokerProcess.StartAsync(output, port, [],
            $"listeners=SSL://127.0.0.1:{port}",
            "ssl.keystore.type=PKCS12",
            $"ssl.keystore.location={pki.ServerP12}",
            $"ssl.keystore.password={TestPki.Password}",
            "ssl.truststore.type=PEM",
            $"ssl.truststore.location={pki.CaCert}",
            "ssl.client.auth=requested",
            "num.partitions=1");
        await KcatRoundTripAsync(port, Tls(pki), "requested-anonymous");
        await KcatRoundTripAsync(port, [.. Tls(pki), $"ssl.certificate.location={pki.ClientCert}", $"ssl.key.location={pki.ClientKey}"], "requested-with-cert");
        broker.AssertAlive("after the clients");
    }

    [Fact]
    public async Task Requests_before_sasl_authentication_and_garbage_close_the_connection_and_the_broker_keeps_serving()
    {
        var pki = await TestPki.SharedAsync();
        await using var broker = await StartSecureBrokerAsync(pki);
        // A Metadata v1 request (api key 3) as the first frame on a SASL listener.
        byte[] metadata = [.. Int16(3), .. Int16(1), .. Int32(7), .. Int16(-1), .. Int32(-1)];
        var random = new Random(13);
        var garbage = new byte[4096];
        random.NextBytes(garbage);
        foreach (var bytes in new[] { Frame(metadata), Frame(garbage[..64]), garbage })
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync("127.0.0.1", broker.SaslPlaintext);
            await socket.SendAsync(bytes, SocketFlags.None);
            Assert.True(await ClosedAsync(socket), "the broker kept a connection open that sent a non-SASL request before authenticating");
        }
        Assert.Contains("Unexpected Kafka request of type Metadata during SASL handshake", broker.Process.LogTail(400), StringComparison.Ordinal);
        broker.Process.AssertAlive("after garbage");
        await KcatRoundTripAsync(broker.SaslPlaintext, Sasl("SASL_PLAINTEXT", "PLAIN", "alice", "alice-secret"), "after-garbage");
    }

    [Fact]
    public async Task Scram_users_made_with_our_admin_client_log_in_with_kcat_across_a_restart_until_deleted()
    {
        var port = BrokerProcess.FreePort();
        var sasl = BrokerProcess.FreePort();
        await using var broker = await BrokerProcess.StartAsync(output, port, [],
            $"listeners=PLAINTEXT://127.0.0.1:{port},SASL_PLAINTEXT://127.0.0.1:{sasl}", "sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512", "num.partitions=1");
        await using (var admin = new KafkaConnect.Client.Admin.KafkaAdminClient(new Dictionary<string, string> { ["bootstrap.servers"] = broker.BootstrapServers }))
        {
            await admin.AlterUserScramCredentialsAsync(
            [
                new KafkaConnect.Client.Admin.UserScramCredentialUpsertion("erin", new(KafkaConnect.Security.ScramMechanism.Sha512, 8192), "erin-secret"),
            ]);
            var described = await admin.DescribeUserScramCredentialsAsync(["erin"]);
            Assert.Equal([new KafkaConnect.Client.Admin.ScramCredentialInfo(KafkaConnect.Security.ScramMechanism.Sha512, 8192)], described["erin"].Credentials);
            var tooFew = await Assert.ThrowsAsync<KafkaConnect.Client.KafkaException>(() => admin.AlterUserScramCredentialsAsync(
                [new KafkaConnect.Client.Admin.UserScramCredentialUpsertion("frank", new(KafkaConnect.Security.ScramMechanism.Sha256, 100), "x")]));
            Assert.Equal(KafkaConnect.Protocol.ErrorCode.UnacceptableCredential, tooFew.Error);
        }

        await broker.RestartAsync(crash: true);
        await KcatRoundTripAsync(sasl, Sasl("SASL_PLAINTEXT", "SCRAM-SHA-512", "erin", "erin-secret"), "scram-admin");

        await using (var admin = new KafkaConnect.Client.Admin.KafkaAdminClient(new Dictionary<string, string> { ["bootstrap.servers"] = broker.BootstrapServers }))
        {
            await admin.AlterUserScramCredentialsAsync([new KafkaConnect.Client.Admin.UserScramCredentialDeletion("erin", KafkaConnect.Security.ScramMechanism.Sha512)]);
            var missing = await Assert.ThrowsAsync<KafkaConnect.Client.KafkaException>(() => admin.DescribeUserScramCredentialsAsync(["erin"]));
            Assert.Equal(KafkaConnect.Protocol.ErrorCode.ResourceNotFound, missing.Error);
        }
        var refused = await ProcessRunner.RunAsync(Clients.RequireKcat(), KcatArgs(sasl, Sasl("SASL_PLAINTEXT", "SCRAM-SHA-512", "erin", "erin-secret"), "-L", "-m", "5"), s_timeout);
        Assert.False(refused.Succeeded, refused.Describe());
    }

    [Theory]
    [InlineData("listeners=PLAINTEXT://127.0.0.1:{0},EXTERNAL://127.0.0.1:0", "", "listener.security.protocol.map")]
    [InlineData("listeners=SASL_PLAINTEXT://127.0.0.1:{0}", "sasl.enabled.mechanisms=GSSAPI", "sasl.enabled.mechanisms: GSSAPI")]
    [InlineData("listeners=SSL://127.0.0.1:{0}", "ssl.keystore.password=wrong-password", "ssl.keystore.password")]
    [InlineData("listeners=SASL_SSL://127.0.0.1:{0}", "listener.name.sasl_ssl.ssl.keystore.location=/nonexistent/keystore.p12", "listener.name.sasl_ssl.ssl.keystore.location")]
    public async Task Bad_security_settings_stop_the_broker_at_start_up_naming_the_key(string listeners, string setting, string named)
    {
        var pki = await TestPki.SharedAsync();
        using var data = new TempDirectory();
        var (program, leading) = BrokerProcess.KconnectCommand();
        var port = BrokerProcess.FreePort();
        List<string> args =
        [
            .. leading, "broker", "--data-dir", data.Path,
            "--config", string.Format(System.Globalization.CultureInfo.InvariantCulture, listeners, port),
            "--config", "ssl.keystore.type=PKCS12", "--config", $"ssl.keystore.location={pki.ServerP12}", "--config", $"ssl.keystore.password={TestPki.Password}",
            "--config", $"sasl.jaas.config={PlainJaas}",
        ];
        if (setting.Length > 0)
        {
            args.Add("--config");
            args.Add(setting);
        }
        var result = await ProcessRunner.RunAsync(program, args, s_timeout);
        output.WriteLine(result.Describe());
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(named, result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("listening on", result.StandardOutput, StringComparison.Ordinal);
    }

    private static async Task<bool> ClosedAsync(Socket socket)
    {
        var buffer = new byte[65536];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (n == 0) return true;
            }
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static byte[] Frame(byte[] body) => [.. Int32(body.Length), .. body];

    private static byte[] Int16(short v)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteInt16BigEndian(b, v);
        return b;
    }

    private static byte[] Int32(int v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(b, v);
        return b;
    }
}
