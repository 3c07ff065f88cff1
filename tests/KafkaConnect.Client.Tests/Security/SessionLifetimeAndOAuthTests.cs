using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using KafkaConnect.Broker;
using KafkaConnect.Broker.Configuration;
using KafkaConnect.Client.Admin;
using KafkaConnect.Client.Producer;
using KafkaConnect.Client.Security;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;
using KafkaConnect.Security;

namespace KafkaConnect.Client.Tests.Security;

/// <summary>
/// KIP-368 re-authentication against a broker that limits sessions to one second, and the OAuth client-credentials
/// grant (KIP-768). No OAuth server can be installed here, so the token endpoint is a small HTTP listener in the test
/// that answers as RFC 6749 describes; it issues unsecured JWTs, which the broker's default validator accepts.
/// </summary>
public sealed class SessionLifetimeAndOAuthTests : IAsyncLifetime
{
    private const string ScramJaas = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"alice\" password=\"alice-secret\";";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kc-reauth-" + Guid.NewGuid().ToString("N"));
    private KafkaBroker? _broker;

    private KafkaBroker Broker => _broker!;

    public async Task InitializeAsync()
    {
        _broker = await KafkaBroker.StartAsync(BrokerConfig.Create(new Dictionary<string, string>
        {
            ["listeners"] = "SASL_PLAINTEXT://127.0.0.1:0",
            ["listener.security.protocol.map"] = "SASL_PLAINTEXT:SASL_PLAINTEXT",
            ["log.dirs"] = _dir,
            ["sasl.enabled.mechanisms"] = "SCRAM-SHA-512,OAUTHBEARER",
            ["listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config"] = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;",
            ["connections.max.reauth.ms"] = "1000",
        }), initialScram: [("alice", Scram.CreateCredential(ScramMechanism.Sha512, "alice-secret", 4096))]);
    }

    public async Task DisposeAsync()
    {
        if (_broker is not null) await _broker.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private int Port => Broker.ListenerEndPoints["SASL_PLAINTEXT"].Port;

    private static ClientSecurity Security(Dictionary<string, string> settings)
    {
        settings.TryAdd("bootstrap.servers", "127.0.0.1:1");
        return ClusterOptions.FromProperties(settings).Security;
    }

    [Fact]
    public async Task A_connection_outlives_several_session_lifetimes_by_re_authenticating()
    {
        var security = Security(new() { ["security.protocol"] = "SASL_PLAINTEXT", ["sasl.mechanism"] = "SCRAM-SHA-512", ["sasl.jaas.config"] = ScramJaas });
        await using var connection = await KafkaConnection.ConnectAsync("127.0.0.1", Port, "reauth", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), CancellationToken.None, security);
        var version = connection.NegotiateVersion(ApiKey.Metadata, 1, 12);
        var clock = Stopwatch.StartNew();
        var requests = 0;
        // Three and a half lifetimes of steady requests on one connection: without re-authentication the broker closes
        // it at the first request after the first second.
        while (clock.Elapsed < TimeSpan.FromSeconds(3.5))
        {
            var response = await connection.SendAsync<MetadataResponse>(ApiKey.Metadata, version, new MetadataRequest(), CancellationToken.None);
            Assert.Single(response.Brokers);
            requests++;
            await Task.Delay(50);
        }
        Assert.False(connection.IsClosed);
        Assert.True(requests > 20, $"only {requests} requests");
    }

    [Fact]
    public async Task Client_credentials_grant_gets_a_token_from_the_endpoint_and_authenticates_with_it()
    {
        await using var endpoint = TokenEndpoint.Start((request, body) =>
        {
            if (request.Headers["Authorization"] != "Basic " + Convert.ToBase64String("connect-client:s3cret"u8.ToArray()))
                return (401, "{\"error\":\"invalid_client\"}");
            if (!body.Contains("grant_type=client_credentials", StringComparison.Ordinal) || !body.Contains("scope=kafka", StringComparison.Ordinal))
                return (400, "{\"error\":\"invalid_request\"}");
            return (200, $"{{\"access_token\":\"{TokenEndpoint.UnsecuredJwt("connect-client", 3600)}\",\"token_type\":\"Bearer\",\"expires_in\":3600}}");
        });
        var config = new Dictionary<string, string>
        {
            ["bootstrap.servers"] = $"127.0.0.1:{Port}",
            ["security.protocol"] = "SASL_PLAINTEXT",
            ["sasl.mechanism"] = "OAUTHBEARER",
            ["sasl.login.callback.handler.class"] = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler",
            ["sasl.oauthbearer.token.endpoint.url"] = endpoint.Url,
            ["sasl.jaas.config"] = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId=\"connect-client\" clientSecret=\"s3cret\" scope=\"kafka\";",
        };
        await using (var producer = new KafkaProducer(config))
        {
            await producer.ProduceAsync(new ProducerRecord("oauth-topic", null, "hello"u8.ToArray()));
        }
        // One token for the producer's connections, not one per connection.
        Assert.Equal(1, endpoint.Requests);

        config["sasl.jaas.config"] = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId=\"connect-client\" clientSecret=\"wrong\" scope=\"kafka\";";
        await using var refused = new KafkaAdminClient(config);
        var ex = await Assert.ThrowsAsync<KafkaAuthenticationException>(() => refused.DescribeClusterAsync());
        Assert.Contains("refused the client credentials: 401", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_unsecured_token_is_refused_by_the_broker_with_its_reason()
    {
        var security = Security(new()
        {
            ["security.protocol"] = "SASL_PLAINTEXT",
            ["sasl.mechanism"] = "OAUTHBEARER",
            ["sasl.jaas.config"] = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub=\"alice\" unsecuredLoginLifetimeSeconds=\"-600\";",
        });
        var ex = await Assert.ThrowsAsync<KafkaAuthenticationException>(() =>
            KafkaConnection.ConnectAsync("127.0.0.1", Port, "expired", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), CancellationToken.None, security));
        Assert.Contains("OAUTHBEARER", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>An OAuth token endpoint on loopback for the test (see the class comment for why it is not a real server).</summary>
    private sealed class TokenEndpoint : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Func<HttpListenerRequest, string, (int Status, string Body)> _answer;
        private readonly Task _loop;
        private int _requests;

        private TokenEndpoint(Func<HttpListenerRequest, string, (int, string)> answer, int port)
        {
            _answer = answer;
            Url = $"http://127.0.0.1:{port}/oauth2/token";
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/oauth2/");
            _listener.Start();
            _loop = Task.Run(LoopAsync);
        }

        public string Url { get; }

        public int Requests => Volatile.Read(ref _requests);

        public static TokenEndpoint Start(Func<HttpListenerRequest, string, (int, string)> answer)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            return new TokenEndpoint(answer, port);
        }

        public static string UnsecuredJwt(string sub, long lifetimeSeconds)
        {
            static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            return B64("{\"alg\":\"none\"}") + "." + B64($"{{\"sub\":\"{sub}\",\"iat\":{now},\"exp\":{now + lifetimeSeconds}}}") + ".";
        }

        private async Task LoopAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                Interlocked.Increment(ref _requests);
                using var reader = new StreamReader(context.Request.InputStream);
                var (status, body) = _answer(context.Request, await reader.ReadToEndAsync());
                context.Response.StatusCode = status;
                context.Response.ContentType = "application/json";
                var bytes = Encoding.UTF8.GetBytes(body);
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            _listener.Close();
            await _loop;
        }
    }
}
