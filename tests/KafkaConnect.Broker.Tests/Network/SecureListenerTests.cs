using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KafkaConnect.Network;
using KafkaConnect.Protocol;
using KafkaConnect.Security;
using static KafkaConnect.Broker.Tests.Network.FrameClient;

namespace KafkaConnect.Broker.Tests.Network;

/// <summary>The server's side of security: several listeners, TLS handshakes, and SASL connections handled one request at a time.</summary>
public sealed class SecureListenerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kc-tls-" + Guid.NewGuid().ToString("N"));

    public SecureListenerTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>Echoes; 'W' waits for its gate, 'A' ends sequential mode (as a completed authentication), 'F' fails authentication.</summary>
    private sealed class SaslLikeHandler : IFrameHandler
    {
        private int _running;
        public ConcurrentDictionary<string, TaskCompletionSource> Gates { get; } = new();
        public int MaxConcurrent;

        public TaskCompletionSource Gate(string name) => Gates.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

        public async ValueTask<ProtocolWriter?> HandleAsync(ReadOnlyMemory<byte> frame, ConnectionContext connection, CancellationToken ct)
        {
            var running = Interlocked.Increment(ref _running);
            InterlockedMax(ref MaxConcurrent, running);
            try
            {
                var text = System.Text.Encoding.ASCII.GetString(frame.Span);
                switch (text[0])
                {
                    case 'W':
                        await Gate(text[1..]).Task.WaitAsync(ct);
                        break;
                    case 'A':
                        connection.ProcessSequentially = false;
                        break;
                    case 'F':
                        connection.CloseAfterResponse();
                        break;
                }
                var w = new ProtocolWriter();
                w.WriteRaw(System.Text.Encoding.ASCII.GetBytes(text[1..]));
                return w;
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int current;
            while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current) { }
        }
    }

    [Fact]
    public async Task A_sasl_connection_reads_its_next_request_only_after_answering_the_previous_until_it_authenticates()
    {
        var handler = new SaslLikeHandler();
        await using var server = new KafkaServer([new ListenerOptions { Name = "SASL_PLAINTEXT", EndPoint = new IPEndPoint(IPAddress.Loopback, 0), Sasl = true }], handler);
        server.Start();
        using var client = await ConnectAsync(server);
        await SendAsync(client, Frame('W', "one"), Frame('E', "two"));
        // The second request is not handled while the first waits.
        Assert.False(handler.Gates.ContainsKey("two"));
        handler.Gate("one").SetResult();
        Assert.Equal("one", await ReceiveAsync(client));
        Assert.Equal("two", await ReceiveAsync(client));
        Assert.Equal(1, handler.MaxConcurrent);

        // Once authenticated, requests are pipelined again: the second runs while the first still waits.
        await SendAsync(client, Frame('A', "auth"));
        Assert.Equal("auth", await ReceiveAsync(client));
        await SendAsync(client, Frame('W', "slow"), Frame('W', "fast"));
        handler.Gate("fast").SetResult();
        await WaitUntilAsync(() => Volatile.Read(ref handler.MaxConcurrent) == 2);
        handler.Gate("slow").SetResult();
        Assert.Equal("slow", await ReceiveAsync(client));
        Assert.Equal("fast", await ReceiveAsync(client));
    }

    [Fact]
    public async Task A_failed_authentication_sends_its_answer_then_closes_only_that_connection()
    {
        var handler = new SaslLikeHandler();
        await using var server = new KafkaServer([new ListenerOptions { Name = "SASL_PLAINTEXT", EndPoint = new IPEndPoint(IPAddress.Loopback, 0), Sasl = true }], handler);
        server.Start();
        using var other = await ConnectAsync(server);
        using var client = await ConnectAsync(server);
        await SendAsync(client, Frame('F', "denied"), Frame('E', "never"));
        Assert.Equal("denied", await ReceiveAsync(client));
        await AssertClosedAsync(client);
        await SendAsync(other, Frame('E', "still"));
        Assert.Equal("still", await ReceiveAsync(other));
    }

    [Fact]
    public async Task Before_authentication_a_sasl_connection_may_not_send_a_frame_over_the_sasl_receive_limit()
    {
        var handler = new SaslLikeHandler();
        await using var server = new KafkaServer([new ListenerOptions { Name = "SASL_PLAINTEXT", EndPoint = new IPEndPoint(IPAddress.Loopback, 0), Sasl = true }],
            handler, new FrameLimits { MaxSaslFrameBytes = 1024 });
        server.Start();
        var big = new string('x', 2000);
        using (var anonymous = await ConnectAsync(server))
        {
            await SendAsync(anonymous, Frame('E', big));
            await AssertClosedAsync(anonymous);
        }
        using var authenticated = await ConnectAsync(server);
        await SendAsync(authenticated, Frame('A', "ok"));
        Assert.Equal("ok", await ReceiveAsync(authenticated));
        await SendAsync(authenticated, Frame('E', big));
        Assert.Equal(big, await ReceiveAsync(authenticated));
    }

    [Fact]
    public async Task Each_listener_binds_its_own_port_zero_and_tells_the_handler_its_name()
    {
        var handler = new FakeHandler();
        await using var server = new KafkaServer(
        [
            new ListenerOptions { Name = "INTERNAL", EndPoint = new IPEndPoint(IPAddress.Loopback, 0) },
            new ListenerOptions { Name = "EXTERNAL", EndPoint = new IPEndPoint(IPAddress.Loopback, 0) },
        ], handler);
        server.Start();
        Assert.Equal(2, server.LocalEndPoints.Count);
        Assert.NotEqual(server.LocalEndPoints[0].Port, server.LocalEndPoints[1].Port);
        Assert.Equal(server.LocalEndPoint, server.LocalEndPoints[0]);
        using var second = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await second.ConnectAsync(server.LocalEndPoints[1]);
        await AssertEchoAsync(second, "x");
        Assert.Equal("EXTERNAL", Assert.Single(handler.Contexts).ListenerName);
    }

    [Fact]
    public async Task A_tls_listener_serves_tls_clients_and_a_failed_or_silent_handshake_closes_only_that_connection()
    {
        var tls = ServerTls(out var certificate);
        var handler = new FakeHandler();
        await using var server = new KafkaServer([new ListenerOptions { Name = "SSL", EndPoint = new IPEndPoint(IPAddress.Loopback, 0), Tls = tls }], handler,
            new FrameLimits { TlsHandshakeTimeout = TimeSpan.FromMilliseconds(300) });
        server.Start();

        // Plain bytes where a ClientHello belongs.
        using var plain = await ConnectAsync(server);
        await SendAsync(plain, Frame('E', "not tls"));
        await AssertClosedAsync(plain);

        // A client that connects and never starts the handshake is closed when the timeout passes.
        using var silent = await ConnectAsync(server);
        await AssertClosedAsync(silent);
        Assert.Equal(2, server.FailedHandshakes);

        using var socket = await ConnectAsync(server);
        await using var ssl = new SslStream(new NetworkStream(socket), false, (_, cert, _, _) => cert?.GetCertHashString() == certificate.GetCertHashString());
        await ssl.AuthenticateAsClientAsync("localhost");
        await ssl.WriteAsync(Frame('E', "over tls"));
        var prefix = new byte[4];
        await ssl.ReadExactlyAsync(prefix);
        var body = new byte[System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(prefix)];
        await ssl.ReadExactlyAsync(body);
        Assert.Equal("over tls", System.Text.Encoding.ASCII.GetString(body));
        Assert.Equal(1, handler.Calls);
    }

    private TlsSettings ServerTls(out X509Certificate2 certificate)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var path = Path.Combine(_dir, "server.p12");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, "pw"));
        var settings = new Dictionary<string, string>
        {
            ["ssl.keystore.type"] = "PKCS12",
            ["ssl.keystore.location"] = path,
            ["ssl.keystore.password"] = "pw",
        };
        return TlsSettings.Load(k => settings.GetValueOrDefault(k), server: true);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(KafkaServerTests.Wait);
        while (!condition()) await Task.Delay(5, cts.Token);
    }
}
