using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using KafkaConnect.Broker;
using KafkaConnect.Broker.Configuration;
using KafkaConnect.Client.Config;
using KafkaConnect.Client.Groups;

namespace KafkaConnect.Client.Tests.Groups;

/// <summary>
/// A member closed while its first JoinGroup is in flight (a sink task stopped right after it started) must not leave
/// the broker holding a pending member id it cannot leave with: the group's next join phase would wait a whole
/// session timeout for it.
/// </summary>
public sealed class CancelledJoinTests : IAsyncLifetime
{
    private static readonly TimeSpan s_session = TimeSpan.FromSeconds(20);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kc-cancelled-join-" + Guid.NewGuid().ToString("N"));
    private readonly HoldingProxy _proxy = new();
    private KafkaBroker? _broker;

    public async Task InitializeAsync()
    {
        // Clients reach the broker only through the proxy: it is the address the broker advertises.
        _broker = await KafkaBroker.StartAsync(BrokerConfig.Create(new Dictionary<string, string>
        {
            ["listeners"] = "PLAINTEXT://127.0.0.1:0",
            ["advertised.listeners"] = "PLAINTEXT://127.0.0.1:" + _proxy.Port,
            ["log.dirs"] = _dir,
            ["group.initial.rebalance.delay.ms"] = "0",
        }));
        _proxy.Start(_broker.BootstrapServers);
    }

    public async Task DisposeAsync()
    {
        _proxy.Dispose();
        if (_broker is not null) await _broker.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private (KafkaCluster Cluster, GroupMember Member) NewMember(string name)
    {
        var cluster = new KafkaCluster(new ClusterOptions { BootstrapServers = CommonClientConfig.ParseBootstrap(["127.0.0.1:" + _proxy.Port]), ClientId = name });
        var member = new GroupMember(cluster, new GroupMemberOptions
        {
            GroupId = "cancelled-join",
            ProtocolType = "consumer",
            HeartbeatInterval = TimeSpan.FromMilliseconds(100),
            SessionTimeout = s_session,
            RebalanceTimeout = s_session,
        },
        () => [new GroupProtocol("range", Encoding.UTF8.GetBytes(name))],
        (members, _) => members.ToDictionary(m => m.MemberId, _ => Array.Empty<byte>()));
        return (cluster, member);
    }

    [Fact]
    public async Task A_member_cancelled_during_its_first_join_leaves_and_does_not_hold_up_the_group()
    {
        var (stayingCluster, staying) = NewMember("staying");
        await using var _ = stayingCluster;
        await using var __ = staying;
        await staying.EnsureActiveAsync();

        // The next JoinGroup's answer (MEMBER_ID_REQUIRED with the id the broker now holds) is held back until the
        // joining member has been cancelled and is closing.
        var (goneCluster, gone) = NewMember("gone");
        await using var ___ = goneCluster;
        var held = _proxy.HoldNextJoinResponse();
        using var cancel = new CancellationTokenSource();
        var joining = gone.EnsureActiveAsync(cancel.Token);
        await held.Seen.Task.WaitAsync(TimeSpan.FromSeconds(10));
        cancel.Cancel();
        var closing = gone.DisposeAsync().AsTask();
        held.Release();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => joining);
        await closing.WaitAsync(TimeSpan.FromSeconds(10));

        // The member that stayed rejoins alone at once, not after the other's session timeout.
        var watch = Stopwatch.StartNew();
        staying.RequestRejoin();
        await staying.EnsureActiveAsync().WaitAsync(s_session);
        Assert.True(watch.Elapsed < s_session / 4, $"the rejoin took {watch.Elapsed}: the group waited for the cancelled member");
    }

    /// <summary>A loopback TCP proxy that can hold back the broker's answer to the next JoinGroup request.</summary>
    private sealed class HoldingProxy : IDisposable
    {
        private const short JoinGroupKey = 11;
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private volatile Hold? _armed;

        public HoldingProxy() => _listener.Start();

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public Hold HoldNextJoinResponse() => _armed = new Hold();

        public void Start(string broker)
        {
            var target = IPEndPoint.Parse(broker);
            _ = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    TcpClient client;
                    try
                    {
                        client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                    _ = RelayAsync(client, target);
                }
            });
        }

        private async Task RelayAsync(TcpClient client, IPEndPoint target)
        {
            using var _ = client;
            using var upstream = new TcpClient();
            await upstream.ConnectAsync(target, _stop.Token);
            var fromClient = client.GetStream();
            var toBroker = upstream.GetStream();
            var holding = new StrongBox<Hold?>();
            var requests = Task.Run(async () =>
            {
                var header = new byte[6];
                try
                {
                    while (true)
                    {
                        await fromClient.ReadExactlyAsync(header, _stop.Token);
                        var size = BinaryPrimitives.ReadInt32BigEndian(header);
                        var body = new byte[size - 2];
                        await fromClient.ReadExactlyAsync(body, _stop.Token);
                        if (BinaryPrimitives.ReadInt16BigEndian(header.AsSpan(4)) == JoinGroupKey && Interlocked.Exchange(ref _armed, null) is { } hold)
                        {
                            Volatile.Write(ref holding.Value, hold);
                        }
                        await toBroker.WriteAsync(header, _stop.Token);
                        await toBroker.WriteAsync(body, _stop.Token);
                    }
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException or EndOfStreamException)
                {
                    upstream.Close();
                }
            });
            var buffer = new byte[64 * 1024];
            try
            {
                int read;
                while ((read = await toBroker.ReadAsync(buffer, _stop.Token)) > 0)
                {
                    // Requests on one connection are answered in order: whatever arrives after the held JoinGroup
                    // was sent waits with it.
                    if (Volatile.Read(ref holding.Value) is { } hold)
                    {
                        hold.Seen.TrySetResult();
                        await hold.Released.Task.WaitAsync(_stop.Token);
                    }
                    await fromClient.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
            {
            }
            client.Close();
            await requests;
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }

        public sealed class Hold
        {
            public TaskCompletionSource Seen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public void Release() => Released.TrySetResult();
        }
    }
}
