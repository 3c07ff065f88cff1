using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;

namespace KafkaConnect.Security.Tests;

/// <summary>TLS handshakes between the client and server sides built from Kafka's ssl.* keys, over real loopback sockets.</summary>
public sealed class TlsSettingsTests
{
    private static TlsSettings Load(Dictionary<string, string> settings, bool server) =>
        TlsSettings.Load(k => settings.GetValueOrDefault(k), server);

    private static async Task<TlsSettings> ServerAsync(string clientAuth = "none", string store = "JKS")
    {
        var pki = await TestPki.SharedAsync();
        return Load(new()
        {
            ["ssl.keystore.type"] = store,
            ["ssl.keystore.location"] = store == "JKS" ? pki.ServerJks : pki.ServerP12,
            ["ssl.keystore.password"] = TestPki.Password,
            ["ssl.truststore.location"] = pki.TrustJks,
            ["ssl.truststore.password"] = TestPki.Password,
            ["ssl.client.auth"] = clientAuth,
        }, server: true);
    }

    /// <summary>Runs both handshakes; returns the client's failure and the server's, if any.</summary>
    private static async Task<(Exception? Client, Exception? Server)> HandshakeAsync(TlsSettings server, TlsSettings client, string host = "127.0.0.1")
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var serverSide = Task.Run(async () =>
        {
            using var accepted = await listener.AcceptTcpClientAsync(cts.Token);
            await using var ssl = await server.AuthenticateAsServerAsync(accepted.GetStream(), cts.Token);
            var buffer = new byte[4];
            await ssl.ReadExactlyAsync(buffer, cts.Token);
            await ssl.WriteAsync(buffer, cts.Token);
        });
        Exception? clientError = null;
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(IPAddress.Loopback, port, cts.Token);
            try
            {
                await using var ssl = await client.AuthenticateAsClientAsync(tcp.GetStream(), host, cts.Token);
                await ssl.WriteAsync("ping"u8.ToArray(), cts.Token);
                var echo = new byte[4];
                await ssl.ReadExactlyAsync(echo, cts.Token);
                Assert.Equal("ping"u8.ToArray(), echo);
            }
            catch (Exception ex) when (ex is AuthenticationException or IOException)
            {
                clientError = ex;
            }
        }
        Exception? serverError = null;
        try
        {
            await serverSide;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            serverError = ex;
        }
        return (clientError, serverError);
    }

    [Theory]
    [InlineData("JKS", "JKS")]
    [InlineData("PKCS12", "PKCS12")]
    [InlineData("JKS", "PEM")]
    public async Task Client_trusting_the_ca_talks_to_the_server(string serverStore, string trustStore)
    {
        var pki = await TestPki.SharedAsync();
        var client = Load(new()
        {
            ["ssl.truststore.type"] = trustStore,
            ["ssl.truststore.location"] = trustStore switch { "JKS" => pki.TrustJks, "PKCS12" => pki.TrustP12, _ => pki.CaCert },
            ["ssl.truststore.password"] = trustStore == "PEM" ? "" : TestPki.Password,
        }, server: false);
        var (c, s) = await HandshakeAsync(await ServerAsync(store: serverStore), client);
        Assert.Null(c);
        Assert.Null(s);
    }

    [Fact]
    public async Task Inline_pem_certificates_work_as_a_trust_store()
    {
        var pki = await TestPki.SharedAsync();
        var client = Load(new() { ["ssl.truststore.type"] = "PEM", ["ssl.truststore.certificates"] = File.ReadAllText(pki.CaCert) }, server: false);
        var (c, _) = await HandshakeAsync(await ServerAsync(), client);
        Assert.Null(c);
    }

    [Fact]
    public async Task Client_trusting_another_ca_refuses_the_server_and_says_why()
    {
        var pki = await TestPki.SharedAsync();
        var client = Load(new() { ["ssl.truststore.location"] = pki.OtherTrustJks, ["ssl.truststore.password"] = TestPki.Password }, server: false);
        var (c, _) = await HandshakeAsync(await ServerAsync(), client);
        var ex = Assert.IsType<AuthenticationException>(c);
        Assert.Contains("is not trusted by the configured trust store", ex.Message, StringComparison.Ordinal);
        Assert.Contains("CN=localhost", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_name_is_checked_unless_endpoint_identification_is_off()
    {
        var pki = await TestPki.SharedAsync();
        var trust = new Dictionary<string, string> { ["ssl.truststore.location"] = pki.TrustJks, ["ssl.truststore.password"] = TestPki.Password };
        var (c, _) = await HandshakeAsync(await ServerAsync(), Load(trust, server: false), host: "127.0.0.2");
        Assert.Contains("does not name that host", Assert.IsType<AuthenticationException>(c).Message, StringComparison.Ordinal);
        trust["ssl.endpoint.identification.algorithm"] = "";
        var (c2, _) = await HandshakeAsync(await ServerAsync(), Load(trust, server: false), host: "127.0.0.2");
        Assert.Null(c2);
    }

    [Fact]
    public async Task Required_client_auth_refuses_a_client_without_a_certificate_and_accepts_one_with()
    {
        var pki = await TestPki.SharedAsync();
        var trust = new Dictionary<string, string> { ["ssl.truststore.location"] = pki.TrustJks, ["ssl.truststore.password"] = TestPki.Password };
        var (c, s) = await HandshakeAsync(await ServerAsync("required"), Load(trust, server: false));
        Assert.True(c is not null || s is not null);
        Assert.Contains("presented no certificate", Assert.IsType<AuthenticationException>(s).Message, StringComparison.Ordinal);

        trust["ssl.keystore.location"] = pki.ClientJks;
        trust["ssl.keystore.password"] = TestPki.Password;
        var (c2, s2) = await HandshakeAsync(await ServerAsync("required"), Load(trust, server: false));
        Assert.Null(c2);
        Assert.Null(s2);
    }

    [Fact]
    public async Task Requested_client_auth_accepts_a_client_without_a_certificate()
    {
        var pki = await TestPki.SharedAsync();
        var client = Load(new() { ["ssl.truststore.location"] = pki.TrustJks, ["ssl.truststore.password"] = TestPki.Password }, server: false);
        var (c, s) = await HandshakeAsync(await ServerAsync("requested"), client);
        Assert.Null(c);
        Assert.Null(s);
    }

    [Theory]
    [InlineData("ssl.enabled.protocols", "TLSv1.1", "ssl.enabled.protocols")]
    [InlineData("ssl.enabled.protocols", "TLSv9", "ssl.enabled.protocols")]
    [InlineData("ssl.cipher.suites", "NOT_A_SUITE", "ssl.cipher.suites")]
    [InlineData("ssl.endpoint.identification.algorithm", "http", "ssl.endpoint.identification.algorithm")]
    [InlineData("ssl.engine.factory.class", "com.example.Factory", "ssl.engine.factory.class")]
    [InlineData("ssl.keystore.key", "-----BEGIN PRIVATE KEY-----", "ssl.keystore.type")]
    [InlineData("ssl.truststore.type", "JCEKS", "ssl.truststore.type")]
    public async Task Bad_settings_name_their_key(string key, string value, string expectedKey)
    {
        var pki = await TestPki.SharedAsync();
        var settings = new Dictionary<string, string> { [key] = value };
        if (key == "ssl.truststore.type") settings["ssl.truststore.location"] = pki.TrustJks;
        var ex = Assert.Throws<SecurityConfigException>(() => Load(settings, server: false));
        Assert.Equal(expectedKey, ex.Key);
    }

    [Fact]
    public void A_server_without_a_key_store_is_an_error_naming_the_location_key_with_its_prefix()
    {
        var ex = Assert.Throws<SecurityConfigException>(() => TlsSettings.Load(_ => null, server: true, k => "listener.name.external." + k));
        Assert.Equal("listener.name.external.ssl.keystore.location", ex.Key);
    }
}
