using System.Diagnostics;
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
    private const short JoinGroupKey = 11;
    private static readonly TimeSpan s_session = TimeSpan.FromSeconds(20);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kc-cancelled-join-" + Guid.NewGuid().ToString("N"));
    private readonly KafkaFrameProxy _proxy = new();
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
        var held = _proxy.HoldNextResponse(JoinGroupKey);
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
}
