using System.Collections.Concurrent;
using System.Text;
using KafkaConnect.Client.Config;
using KafkaConnect.Client.Groups;

namespace KafkaConnect.Client.Tests.Groups;

public sealed class GroupMemberTests : IClassFixture<BrokerFixture>
{
    private readonly BrokerFixture _broker;

    public GroupMemberTests(BrokerFixture broker) => _broker = broker;

    private sealed class Worker : IAsyncDisposable
    {
        public readonly KafkaCluster Cluster;
        public readonly GroupMember Member;
        public readonly ConcurrentQueue<(int Generation, string Assignment, string Leader)> Assigned = new();
        public int Revoked;

        public Worker(BrokerFixture broker, string group, string name)
        {
            Cluster = new KafkaCluster(new ClusterOptions { BootstrapServers = CommonClientConfig.ParseBootstrap([broker.BootstrapServers]), ClientId = name });
            Member = new GroupMember(Cluster, new GroupMemberOptions
            {
                GroupId = group,
                ProtocolType = "connect",
                HeartbeatInterval = TimeSpan.FromMilliseconds(100),
                SessionTimeout = TimeSpan.FromSeconds(6),
                RebalanceTimeout = TimeSpan.FromSeconds(5),
            },
            () => [new GroupProtocol("sessioned", Encoding.UTF8.GetBytes("url=" + name))],
            // The leader hands every member "<its own url> of <member count>".
            (members, protocol) => members.ToDictionary(m => m.MemberId, m => Encoding.UTF8.GetBytes($"{protocol}:{Encoding.UTF8.GetString(m.Metadata)}/{members.Count}")))
            {
                OnAssigned = (gen, protocol, bytes, leader) => { Assigned.Enqueue((gen, Encoding.UTF8.GetString(bytes), leader)); return Task.CompletedTask; },
                OnRevoked = () => { Interlocked.Increment(ref Revoked); return Task.CompletedTask; },
            };
        }

        public async ValueTask DisposeAsync()
        {
            await Member.DisposeAsync();
            await Cluster.DisposeAsync();
        }
    }

    private static async Task PollUntil(Func<bool> condition, params Worker[] workers)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the group");
            await Task.WhenAll(workers.Select(w => w.Member.PollAsync(TimeSpan.FromMilliseconds(100))));
        }
    }

    [Fact]
    public async Task Connect_protocol_leader_assigns_custom_bytes_and_survivor_rejoins_alone()
    {
        var a = new Worker(_broker, "connect-group", "a");
        var b = new Worker(_broker, "connect-group", "b");
        try
        {
            await PollUntil(() => a.Member.IsStable && b.Member.IsStable && a.Member.Generation == b.Member.Generation
                && a.Assigned.LastOrDefault().Assignment?.EndsWith("/2") == true && b.Assigned.LastOrDefault().Assignment?.EndsWith("/2") == true, a, b);
            Assert.Equal("sessioned:url=a/2", a.Assigned.Last().Assignment);
            Assert.Equal("sessioned:url=b/2", b.Assigned.Last().Assignment);
            Assert.Equal("sessioned", a.Member.Protocol);
            Assert.NotEqual(a.Member.IsLeader, b.Member.IsLeader);
            var leader = a.Member.IsLeader ? a.Member.MemberId : b.Member.MemberId;
            Assert.Equal(leader, a.Assigned.Last().Leader);
            var generation = a.Member.Generation;

            await b.DisposeAsync();
            await PollUntil(() => a.Member.IsStable && a.Member.Generation > generation, a);
            Assert.Equal("sessioned:url=a/1", a.Assigned.Last().Assignment);
            Assert.True(a.Member.IsLeader);
            Assert.True(a.Revoked >= 1);
        }
        finally
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
        }
    }
}
