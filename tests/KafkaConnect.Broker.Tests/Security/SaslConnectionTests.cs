using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using KafkaConnect.Broker.Configuration;
using KafkaConnect.Broker.Tests.Groups;
using KafkaConnect.Broker.Tests.Handlers;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Tests.Security;

/// <summary>A running broker's SASL listener over a socket: authentication, session expiry and re-authentication on one connection.</summary>
public sealed class SaslConnectionTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kc-sasl-" + Guid.NewGuid().ToString("N"));
    private readonly ManualTimeProvider _time = new();
    private KafkaBroker _broker = null!;
    private int _correlation;

    public async Task InitializeAsync()
    {
        _broker = await KafkaBroker.StartAsync(BrokerConfig.Create(new Dictionary<string, string>
        {
            ["log.dirs"] = _dir,
            ["listeners"] = "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
            ["sasl.jaas.config"] = "org.apache.kafka.common.security.plain.PlainLoginModule required user_alice=\"alice-secret\";",
            ["connections.max.reauth.ms"] = "5000",
        }), time: _time);
    }

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_broker.ListenerEndPoints["SASL_PLAINTEXT"]);
        return socket;
    }

    private async Task<TResponse?> SendAsync<TResponse>(Socket socket, ApiKey key, short version, IKafkaMessage body)
        where TResponse : class, IKafkaMessage, new()
    {
        var correlationId = Interlocked.Increment(ref _correlation);
        using (var w = new ProtocolWriter())
        {
            new RequestHeader { RequestApiKey = (short)key, RequestApiVersion = version, CorrelationId = correlationId, ClientId = "t" }
                .Write(w, ApiMessages.RequestHeaderVersion(key, version));
            body.Write(w, version);
            var frame = new byte[4 + w.WrittenSpan.Length];
            BinaryPrimitives.WriteInt32BigEndian(frame, w.WrittenSpan.Length);
            w.WrittenSpan.CopyTo(frame.AsSpan(4));
            try
            {
                await socket.SendAsync(frame, SocketFlags.None);
            }
            catch (SocketException)
            {
                return null; // the broker already closed the connection
            }
        }
        var prefix = new byte[4];
        if (!await ReadAsync(socket, prefix)) return null;
        var bytes = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
        Assert.True(await ReadAsync(socket, bytes), "connection closed mid-response");
        return BrokerHarness.Decode<TResponse>(bytes, key, version, correlationId);
    }

    private static async Task<bool> ReadAsync(Socket socket, byte[] buffer)
    {
        using var cts = new CancellationTokenSource(BrokerHarness.Wait);
        for (var read = 0; read < buffer.Length;)
        {
            int n;
            try
            {
                n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cts.Token);
            }
            catch (SocketException)
            {
                return false;
            }
            if (n == 0) return false;
            read += n;
        }
        return true;
    }

    private async Task<SaslAuthenticateResponse> LoginAsync(Socket socket, string password = "alice-secret")
    {
        var handshake = await SendAsync<SaslHandshakeResponse>(socket, ApiKey.SaslHandshake, 1, new SaslHandshakeRequest { Mechanism = "PLAIN" });
        Assert.Equal(0, handshake!.ErrorCode);
        var auth = await SendAsync<SaslAuthenticateResponse>(socket, ApiKey.SaslAuthenticate, 2,
            new SaslAuthenticateRequest { AuthBytes = Encoding.UTF8.GetBytes("\0alice\0" + password) });
        return auth!;
    }

    private Task<MetadataResponse?> MetadataAsync(Socket socket) =>
        SendAsync<MetadataResponse>(socket, ApiKey.Metadata, 12, new MetadataRequest { Topics = [] });

    [Fact]
    public async Task A_session_is_reauthenticated_on_the_same_connection_and_an_expired_one_is_closed()
    {
        using (var anonymous = await ConnectAsync())
            Assert.Null(await MetadataAsync(anonymous));
        using var reauth = await ConnectAsync();
        var login = await LoginAsync(reauth);
        Assert.Equal(0, login.ErrorCode);
        Assert.Equal(5000, login.SessionLifetimeMs);
        var metadata = await MetadataAsync(reauth);
        Assert.Equal(_broker.ListenerEndPoints["SASL_PLAINTEXT"].Port, Assert.Single(metadata!.Brokers).Port);

        using var lapsed = await ConnectAsync();
        Assert.Equal(0, (await LoginAsync(lapsed)).ErrorCode);

        _time.AdvanceMs(5000);
        // Re-authenticating in place renews the session; the connection goes on serving.
        var again = await LoginAsync(reauth);
        Assert.Equal(0, again.ErrorCode);
        Assert.Equal(5000, again.SessionLifetimeMs);
        Assert.NotNull(await MetadataAsync(reauth));
        // The connection that did not re-authenticate is closed on its next request.
        Assert.Null(await MetadataAsync(lapsed));
    }

    [Fact]
    public async Task A_wrong_password_is_answered_then_the_connection_closes_and_the_listener_keeps_serving()
    {
        using var wrong = await ConnectAsync();
        var failed = await LoginAsync(wrong, "nope");
        Assert.Equal((short)ErrorCode.SaslAuthenticationFailed, failed.ErrorCode);
        Assert.Equal("Authentication failed: Invalid username or password", failed.ErrorMessage);
        Assert.Null(await MetadataAsync(wrong));

        using var right = await ConnectAsync();
        Assert.Equal(0, (await LoginAsync(right)).ErrorCode);
        Assert.NotNull(await MetadataAsync(right));
    }
}
