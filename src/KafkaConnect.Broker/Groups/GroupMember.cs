namespace KafkaConnect.Broker.Groups;

/// <summary>A member of a classic group; guarded by its group's lock.</summary>
internal sealed class GroupMember(string memberId, string? groupInstanceId)
{
    public string MemberId { get; set; } = memberId;
    public string? GroupInstanceId { get; } = groupInstanceId;
    public string ClientId { get; private set; } = "";
    public string ClientHost { get; private set; } = "";
    public int SessionTimeoutMs { get; private set; }
    public int RebalanceTimeoutMs { get; private set; }
    public IReadOnlyList<GroupProtocol> Protocols { get; private set; } = [];
    public byte[] Assignment { get; set; } = [];

    /// <summary>Set while the member's JoinGroup waits for the rebalance to complete.</summary>
    public TaskCompletionSource<JoinGroupResult>? AwaitingJoin { get; set; }

    /// <summary>Set while the member's SyncGroup waits for the leader's assignment.</summary>
    public TaskCompletionSource<SyncGroupResult>? AwaitingSync { get; set; }

    public long SessionDeadlineMs { get; set; }
    public ITimer? SessionTimer { get; set; }

    public void Update(JoinGroupArgs args)
    {
        ClientId = args.ClientId;
        ClientHost = args.ClientHost;
        SessionTimeoutMs = args.SessionTimeoutMs;
        RebalanceTimeoutMs = args.RebalanceTimeoutMs;
        Protocols = args.Protocols;
    }

    /// <summary>The member as a restarted broker reads it back (<see cref="ClassicGroup.Restore"/>).</summary>
    public void Restore(string clientId, string clientHost, int sessionTimeoutMs, int rebalanceTimeoutMs, IReadOnlyList<GroupProtocol> protocols)
    {
        ClientId = clientId;
        ClientHost = clientHost;
        SessionTimeoutMs = sessionTimeoutMs;
        RebalanceTimeoutMs = rebalanceTimeoutMs;
        Protocols = protocols;
    }

    public bool Supports(string protocol)
    {
        foreach (var p in Protocols)
            if (p.Name == protocol) return true;
        return false;
    }

    public byte[] MetadataFor(string? protocol)
    {
        foreach (var p in Protocols)
            if (p.Name == protocol) return p.Metadata;
        return [];
    }

    /// <summary>Same protocols, in the same order, with the same metadata: a rejoin that changes nothing.</summary>
    public bool HasSameProtocols(IReadOnlyList<GroupProtocol> other)
    {
        if (other.Count != Protocols.Count) return false;
        for (var i = 0; i < other.Count; i++)
        {
            if (other[i].Name != Protocols[i].Name || !other[i].Metadata.AsSpan().SequenceEqual(Protocols[i].Metadata)) return false;
        }
        return true;
    }
}
