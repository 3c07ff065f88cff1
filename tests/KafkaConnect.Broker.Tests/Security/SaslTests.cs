using System.Text;
using KafkaConnect.Broker.Security;
using KafkaConnect.Broker.Tests.Handlers;
using KafkaConnect.Network;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;
using KafkaConnect.Security;

namespace KafkaConnect.Broker.Tests.Security;

/// <summary>The SASL state machine as a connection sees it: what is answered before, during and after authentication.</summary>
public sealed class SaslTests : HandlerTestBase
{
    private const string Jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"admin-secret\" "
        + "user_admin=\"admin-secret\" user_alice=\"alice-secret\";";

    private long _nextConnection = 100;

    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>
    {
        ["listeners"] = "PLAINTEXT://127.0.0.1:19092,SASL_PLAINTEXT://127.0.0.1:19093",
        ["advertised.listeners"] = "PLAINTEXT://internal.example:19092,SASL_PLAINTEXT://public.example:29093",
        ["sasl.enabled.mechanisms"] = "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER",
        ["listener.name.sasl_plaintext.plain.sasl.jaas.config"] = Jaas,
        ["listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config"] =
            "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredValidatorRequiredScope=\"kafka\";",
        ["connections.max.reauth.ms"] = "60000",
        ["listener.name.sasl_plaintext.scram-sha-256.connections.max.reauth.ms"] = "1000",
    };

    private ConnectionContext SaslConnection() => new(Interlocked.Increment(ref _nextConnection), "127.0.0.1", 50001, "SASL_PLAINTEXT", sasl: true);

    private Task<SaslHandshakeResponse> HandshakeAsync(ConnectionContext c, string mechanism, short version = 1) =>
        Broker.SendAsync<SaslHandshakeResponse>(ApiKey.SaslHandshake, version, new SaslHandshakeRequest { Mechanism = mechanism }, c);

    private Task<SaslAuthenticateResponse> AuthenticateAsync(ConnectionContext c, byte[] token, short version = 2) =>
        Broker.SendAsync<SaslAuthenticateResponse>(ApiKey.SaslAuthenticate, version, new SaslAuthenticateRequest { AuthBytes = token }, c);

    private static byte[] Plain(string user, string password, string authzid = "") => Encoding.UTF8.GetBytes($"{authzid}\0{user}\0{password}");

    private void AssertClosesConnection(ConnectionContext c, ApiKey key, short version, IKafkaMessage body, string reason)
    {
        var ex = Assert.Throws<ProtocolException>(() => Broker.Dispatcher.HandleAsync(Broker.Frame(key, version, body), c, CancellationToken.None));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    private async Task<ConnectionContext> LoggedInAsync(string user = "alice", string password = "alice-secret")
    {
        var c = SaslConnection();
        Assert.Equal(0, (await HandshakeAsync(c, "PLAIN")).ErrorCode);
        var auth = await AuthenticateAsync(c, Plain(user, password));
        Assert.Equal(0, auth.ErrorCode);
        return c;
    }

    [Fact]
    public async Task Before_authentication_only_ApiVersions_and_SaslHandshake_are_answered_and_requests_run_one_at_a_time()
    {
        var c = SaslConnection();
        Assert.True(c.ProcessSequentially);
        var versions = await Broker.SendAsync<ApiVersionsResponse>(ApiKey.ApiVersions, 3, new ApiVersionsRequest { ClientSoftwareName = "t", ClientSoftwareVersion = "1" }, c);
        Assert.Contains(versions.ApiKeys, k => k.ApiKey == (short)ApiKey.SaslAuthenticate && k.MaxVersion == 2);
        AssertClosesConnection(c, ApiKey.Metadata, 12, new MetadataRequest(), "Unexpected Kafka request of type Metadata during SASL handshake");
        Assert.True(c.ProcessSequentially);
    }

    [Fact]
    public async Task Plain_with_the_right_password_authenticates_reports_the_session_lifetime_and_then_serves_requests()
    {
        var c = SaslConnection();
        var handshake = await HandshakeAsync(c, "PLAIN");
        Assert.Equal(0, handshake.ErrorCode);
        Assert.Equal(["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"], handshake.Mechanisms);
        AssertClosesConnection(c, ApiKey.Metadata, 12, new MetadataRequest(), "during SASL authentication");

        c = SaslConnection();
        await HandshakeAsync(c, "PLAIN");
        var auth = await AuthenticateAsync(c, Plain("alice", "alice-secret"));
        Assert.Equal(0, auth.ErrorCode);
        Assert.Equal(60000, auth.SessionLifetimeMs);
        Assert.False(c.ProcessSequentially);
        Assert.False(c.CloseRequested);
        Assert.Equal("alice", Assert.IsType<SaslSession>(c.State).Principal);

        // The endpoint given out is the one of the listener the request came in on.
        var metadata = await Broker.SendAsync<MetadataResponse>(ApiKey.Metadata, 12, new MetadataRequest { Topics = [] }, c);
        var broker = Assert.Single(metadata.Brokers);
        Assert.Equal(("public.example", 29093), (broker.Host, broker.Port));
        var plain = await Broker.SendAsync<MetadataResponse>(ApiKey.Metadata, 12, new MetadataRequest { Topics = [] });
        Assert.Equal(("internal.example", 19092), (plain.Brokers[0].Host, plain.Brokers[0].Port));
        var coordinator = await Broker.SendAsync<FindCoordinatorResponse>(ApiKey.FindCoordinator, 3, new FindCoordinatorRequest { KeyValue = "g" }, c);
        Assert.Equal(("public.example", 29093), (coordinator.Host, coordinator.Port));
        var cluster = await Broker.SendAsync<DescribeClusterResponse>(ApiKey.DescribeCluster, 1, new DescribeClusterRequest { EndpointType = 1 }, c);
        Assert.Equal(29093, cluster.Brokers[0].Port);
    }

    [Theory]
    [InlineData("alice", "wrong", "Authentication failed: Invalid username or password")]
    [InlineData("mallory", "alice-secret", "Authentication failed: Invalid username or password")]
    [InlineData("alice", "", "Authentication failed: password not specified")]
    public async Task Plain_with_bad_credentials_fails_with_kafkas_message_and_closes_after_the_answer(string user, string password, string message)
    {
        var c = SaslConnection();
        await HandshakeAsync(c, "PLAIN");
        var auth = await AuthenticateAsync(c, Plain(user, password));
        Assert.Equal((short)ErrorCode.SaslAuthenticationFailed, auth.ErrorCode);
        Assert.Equal(message, auth.ErrorMessage);
        Assert.True(c.CloseRequested);
        AssertClosesConnection(c, ApiKey.ApiVersions, 3, new ApiVersionsRequest { ClientSoftwareName = "t", ClientSoftwareVersion = "1" }, "already failed");
    }

    [Fact]
    public async Task Plain_refuses_an_authorization_id_other_than_the_user()
    {
        var c = SaslConnection();
        await HandshakeAsync(c, "PLAIN");
        var auth = await AuthenticateAsync(c, Plain("alice", "alice-secret", authzid: "admin"));
        Assert.Equal((short)ErrorCode.SaslAuthenticationFailed, auth.ErrorCode);
        Assert.Contains("authorization id", auth.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mechanism_not_enabled_is_answered_with_the_enabled_list_and_the_connection_closes()
    {
        var c = SaslConnection();
        var handshake = await HandshakeAsync(c, "GSSAPI");
        Assert.Equal((short)ErrorCode.UnsupportedSaslMechanism, handshake.ErrorCode);
        Assert.Equal(["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"], handshake.Mechanisms);
        Assert.True(c.CloseRequested);
    }

    [Fact]
    public void SaslAuthenticate_before_a_handshake_closes_the_connection()
    {
        var c = SaslConnection();
        AssertClosesConnection(c, ApiKey.SaslAuthenticate, 2, new SaslAuthenticateRequest { AuthBytes = Plain("alice", "alice-secret") }, "during SASL handshake");
    }

    [Fact]
    public async Task After_a_v0_handshake_the_legacy_raw_token_exchange_is_refused_with_a_clear_reason()
    {
        var c = SaslConnection();
        Assert.Equal(0, (await HandshakeAsync(c, "PLAIN", version: 0)).ErrorCode);
        AssertClosesConnection(c, ApiKey.Metadata, 1, new MetadataRequest(), "legacy SASL");
    }

    [Fact]
    public async Task Scram_users_created_through_AlterUserScramCredentials_log_in_and_a_wrong_password_fails_as_kafka_says()
    {
        foreach (var mechanism in new[] { ScramMechanism.Sha256, ScramMechanism.Sha512 })
        {
            var salt = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 };
            var alter = await Broker.SendAsync<AlterUserScramCredentialsResponse>(ApiKey.AlterUserScramCredentials, 0, new AlterUserScramCredentialsRequest
            {
                Upsertions = [Upsert("carol", mechanism, "carol-secret", 4096, salt)],
            });
            Assert.Equal(0, Assert.Single(alter.Results).ErrorCode);

            var ok = SaslConnection();
            Assert.Equal(0, (await HandshakeAsync(ok, mechanism.Name())).ErrorCode);
            var client = new ScramClient(mechanism, "carol", "carol-secret");
            var first = await AuthenticateAsync(ok, client.FirstMessage());
            Assert.Equal(0, first.ErrorCode);
            Assert.True(ok.ProcessSequentially);
            var final = await AuthenticateAsync(ok, client.FinalMessage(first.AuthBytes));
            Assert.Equal(0, final.ErrorCode);
            // SCRAM-SHA-256 has its own session bound on this listener; the other mechanisms take the broker's.
            Assert.Equal(mechanism == ScramMechanism.Sha256 ? 1000 : 60000, final.SessionLifetimeMs);
            client.VerifyServerFinal(final.AuthBytes);
            Assert.False(ok.ProcessSequentially);

            var bad = SaslConnection();
            await HandshakeAsync(bad, mechanism.Name());
            var wrong = new ScramClient(mechanism, "carol", "not-it");
            var badFirst = await AuthenticateAsync(bad, wrong.FirstMessage());
            var badFinal = await AuthenticateAsync(bad, wrong.FinalMessage(badFirst.AuthBytes));
            Assert.Equal((short)ErrorCode.SaslAuthenticationFailed, badFinal.ErrorCode);
            Assert.Equal($"Authentication failed during authentication due to invalid credentials with SASL mechanism {mechanism.Name()}", badFinal.ErrorMessage);
            Assert.True(bad.CloseRequested);
        }
    }

    [Fact]
    public async Task An_unknown_scram_user_fails_like_a_wrong_password()
    {
        var c = SaslConnection();
        await HandshakeAsync(c, "SCRAM-SHA-512");
        var first = await AuthenticateAsync(c, new ScramClient(ScramMechanism.Sha512, "nobody", "x").FirstMessage());
        Assert.Equal((short)ErrorCode.SaslAuthenticationFailed, first.ErrorCode);
        Assert.Equal("Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512", first.ErrorMessage);
    }

    [Fact]
    public async Task An_expired_session_accepts_only_a_reauthentication_which_renews_it()
    {
        var c = await LoggedInAsync();
        Broker.Time.AdvanceMs(59_999);
        await Broker.SendAsync<MetadataResponse>(ApiKey.Metadata, 12, new MetadataRequest { Topics = [] }, c);
        Broker.Time.AdvanceMs(1);
        AssertClosesConnection(c, ApiKey.Metadata, 12, new MetadataRequest { Topics = [] }, "expired");

        // A client that re-authenticates in time keeps its connection.
        var again = await LoggedInAsync();
        Broker.Time.AdvanceMs(60_000);
        Assert.Equal(0, (await HandshakeAsync(again, "PLAIN")).ErrorCode);
        Assert.True(again.ProcessSequentially);
        var reauth = await AuthenticateAsync(again, Plain("alice", "alice-secret"));
        Assert.Equal(0, reauth.ErrorCode);
        Assert.Equal(60000, reauth.SessionLifetimeMs);
        Assert.False(again.ProcessSequentially);
        await Broker.SendAsync<MetadataResponse>(ApiKey.Metadata, 12, new MetadataRequest { Topics = [] }, again);
    }

    [Fact]
    public async Task A_reauthentication_may_not_change_the_user_or_the_mechanism()
    {
        var c = await LoggedInAsync();
        await HandshakeAsync(c, "PLAIN");
        var other = await AuthenticateAsync(c, Plain("admin", "admin-secret"));
        Assert.Equal((short)ErrorCode.SaslAuthenticationFailed, other.ErrorCode);
        Assert.Contains("Cannot change principals during re-authentication", other.ErrorMessage, StringComparison.Ordinal);

        var d = await LoggedInAsync();
        Assert.Equal(0, (await HandshakeAsync(d, "OAUTHBEARER")).ErrorCode);
        var switched = await AuthenticateAsync(d, OAuth(Jwt("alice", Broker.Time.GetUtcNow().AddHours(1), "kafka")));
        Assert.Equal((short)ErrorCode.SaslAuthenticationFailed, switched.ErrorCode);
        Assert.Contains("not supported for re-authentication of mechanism 'PLAIN'", switched.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OAuthBearer_accepts_an_unsecured_jwt_and_bounds_the_session_by_its_expiry()
    {
        var c = SaslConnection();
        await HandshakeAsync(c, "OAUTHBEARER");
        var auth = await AuthenticateAsync(c, OAuth(Jwt("dave", Broker.Time.GetUtcNow().AddSeconds(30), "kafka other")));
        Assert.Equal(0, auth.ErrorCode);
        Assert.Equal(30_000, auth.SessionLifetimeMs);
        Assert.Equal("dave", Assert.IsType<SaslSession>(c.State).Principal);
    }

    [Theory]
    [InlineData(-10, "kafka", "{\"status\":\"invalid_token\"}")]
    [InlineData(3600, "other", "{\"status\":\"insufficient_scope\",\"scope\":\"kafka\"}")]
    public async Task OAuthBearer_refuses_with_the_json_error_then_fails_once_the_client_acknowledges(int expiresInSeconds, string scope, string error)
    {
        var c = SaslConnection();
        await HandshakeAsync(c, "OAUTHBEARER");
        var first = await AuthenticateAsync(c, OAuth(Jwt("dave", Broker.Time.GetUtcNow().AddSeconds(expiresInSeconds), scope)));
        Assert.Equal(0, first.ErrorCode);
        Assert.Equal(error, Encoding.UTF8.GetString(first.AuthBytes));
        Assert.True(c.ProcessSequentially);
        var ack = await AuthenticateAsync(c, [0x01]);
        Assert.Equal((short)ErrorCode.SaslAuthenticationFailed, ack.ErrorCode);
        Assert.Equal(error, ack.ErrorMessage);
        Assert.True(c.CloseRequested);
    }

    [Fact]
    public async Task OAuthBearer_refuses_a_signed_token()
    {
        var c = SaslConnection();
        await HandshakeAsync(c, "OAUTHBEARER");
        var signed = Jwt("dave", Broker.Time.GetUtcNow().AddHours(1), "kafka", alg: "HS256") + "c2lnbmF0dXJl";
        var first = await AuthenticateAsync(c, OAuth(signed));
        Assert.Equal("{\"status\":\"invalid_token\"}", Encoding.UTF8.GetString(first.AuthBytes));
    }

    [Fact]
    public async Task A_plaintext_listener_needs_no_authentication_and_answers_SaslHandshake_with_illegal_state()
    {
        var metadata = await Broker.SendAsync<MetadataResponse>(ApiKey.Metadata, 12, new MetadataRequest { Topics = [] });
        Assert.Single(metadata.Brokers);
        var handshake = await Broker.SendAsync<SaslHandshakeResponse>(ApiKey.SaslHandshake, 1, new SaslHandshakeRequest { Mechanism = "PLAIN" });
        Assert.Equal((short)ErrorCode.IllegalSaslState, handshake.ErrorCode);
    }

    internal static AlterUserScramCredentialsRequest.ScramCredentialUpsertion Upsert(string user, ScramMechanism mechanism, string password, int iterations, byte[] salt) => new()
    {
        Name = user,
        Mechanism = (sbyte)mechanism.Type(),
        Iterations = iterations,
        Salt = salt,
        SaltedPassword = Scram.SaltedPassword(mechanism, password, salt, iterations),
    };

    private static byte[] OAuth(string jwt) => Encoding.UTF8.GetBytes($"n,,\u0001auth=Bearer {jwt}\u0001\u0001");

    private static string Jwt(string sub, DateTimeOffset expires, string scope, string alg = "none")
    {
        static string B64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return B64($"{{\"alg\":\"{alg}\"}}") + "." + B64($"{{\"sub\":\"{sub}\",\"exp\":{expires.ToUnixTimeSeconds()},\"scope\":\"{scope}\"}}") + ".";
    }
}
