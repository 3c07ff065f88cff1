using KafkaConnect.Broker.Groups;
using KafkaConnect.Protocol;

namespace KafkaConnect.Broker.Tests.Groups;

public abstract class GroupTestBase : IAsyncLifetime
{
    protected const string Group = "g1";
    protected static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private readonly List<GroupCoordinator> _opened = [];

    protected ManualTimeProvider Time { get; } = new();
    protected string DataDir { get; } = Path.Combine(Path.GetTempPath(), "kc-groups-" + Guid.NewGuid().ToString("N"));

    protected GroupCoordinator Open(int initialDelayMs = 0, long compactionMinBytes = 1 << 20)
    {
        var c = GroupCoordinator.Open(new GroupCoordinatorOptions
        {
            DataDirectory = DataDir,
            InitialRebalanceDelayMs = initialDelayMs,
            OffsetsCompactionMinBytes = compactionMinBytes,
        }, Time);
        _opened.Add(c);
        return c;
    }

    protected static JoinGroupArgs JoinArgs(string memberId = "", string? instanceId = null, int sessionMs = 10_000,
        int rebalanceMs = 30_000, string protocolType = "consumer", bool requireKnownMemberId = false, string group = Group, params string[] protocols)
    {
        var list = new List<GroupProtocol>();
        foreach (var p in protocols.Length == 0 ? ["range"] : protocols) list.Add(new GroupProtocol(p, [(byte)p.Length, 1, 2]));
        return new JoinGroupArgs
        {
            GroupId = group,
            MemberId = memberId,
            GroupInstanceId = instanceId,
            ClientId = "client",
            ClientHost = "/127.0.0.1",
            SessionTimeoutMs = sessionMs,
            RebalanceTimeoutMs = rebalanceMs,
            ProtocolType = protocolType,
            Protocols = list,
            RequireKnownMemberId = requireKnownMemberId,
        };
    }

    protected static async Task<JoinGroupResult> Join(GroupCoordinator c, JoinGroupArgs args)
    {
        var r = await c.JoinAsync(args, CancellationToken.None).WaitAsync(Wait);
        return r;
    }

    protected static Task<SyncGroupResult> Sync(GroupCoordinator c, JoinGroupResult joined, params (string MemberId, byte[] Assignment)[] assignments) =>
        c.SyncAsync(new SyncGroupArgs
        {
            GroupId = Group,
            GenerationId = joined.GenerationId,
            MemberId = joined.MemberId,
            Assignments = assignments,
        }, CancellationToken.None);

    /// <summary>One member joins an empty group (no initial delay) and syncs an assignment; the group ends Stable.</summary>
    protected static async Task<JoinGroupResult> JoinAlone(GroupCoordinator c, JoinGroupArgs args, byte[]? assignment = null)
    {
        var joined = await Join(c, args);
        Assert.Equal(ErrorCode.None, joined.Error);
        var synced = await Sync(c, joined, (joined.MemberId, assignment ?? [9])).WaitAsync(Wait);
        Assert.Equal(ErrorCode.None, synced.Error);
        return joined;
    }

    /// <summary>Builds a Stable two-member group: a joins alone, b joins, a rejoins; a is leader and assigns.</summary>
    protected static async Task<(JoinGroupResult A, JoinGroupResult B)> StableTwoMembers(GroupCoordinator c, int sessionMs = 10_000)
    {
        var a = await JoinAlone(c, JoinArgs(sessionMs: sessionMs));
        var bTask = c.JoinAsync(JoinArgs(sessionMs: sessionMs), CancellationToken.None);
        Assert.Equal(ErrorCode.RebalanceInProgress, c.Heartbeat(Group, a.GenerationId, a.MemberId, null));
        var a2 = await Join(c, JoinArgs(memberId: a.MemberId, sessionMs: sessionMs));
        var b = await bTask.WaitAsync(Wait);
        Assert.Equal(a2.GenerationId, b.GenerationId);
        var bSync = Sync(c, b);
        var aSync = await Sync(c, a2, (a2.MemberId, [1]), (b.MemberId, [2])).WaitAsync(Wait);
        Assert.Equal(ErrorCode.None, aSync.Error);
        Assert.Equal(ErrorCode.None, (await bSync.WaitAsync(Wait)).Error);
        return (a2, b);
    }

    protected static OffsetCommitEntry Offset(string topic, int partition, long offset, string? metadata = null) =>
        new(topic, partition, offset, 3, metadata);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var c in _opened) await c.DisposeAsync();
        try { Directory.Delete(DataDir, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }
}
