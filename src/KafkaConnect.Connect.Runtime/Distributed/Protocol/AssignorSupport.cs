using KafkaConnect.Connect.Runtime.Herder;

namespace KafkaConnect.Connect.Runtime.Distributed.Protocol;

/// <summary>Input checks and the config-mismatch answer shared by both assignors.</summary>
internal static class AssignorSupport
{
    public static readonly IComparer<ConnectorTaskId> TaskOrder = Comparer<ConnectorTaskId>.Create((a, b) =>
    {
        var c = string.CompareOrdinal(a.Connector, b.Connector);
        return c != 0 ? c : a.Task.CompareTo(b.Task);
    });

    /// <summary>Validates the members and returns the leader's URL and the highest config offset any member has read.</summary>
    public static (string LeaderUrl, long MaxOffset) Inspect(string leaderId, IReadOnlyList<MemberInfo> members, ClusterSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(leaderId);
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(snapshot);
        if (members.Count == 0) throw new ArgumentException("A group assignment needs at least one member.", nameof(members));
        var ids = new HashSet<string>(StringComparer.Ordinal);
        string? leaderUrl = null;
        var maxOffset = long.MinValue;
        foreach (var m in members)
        {
            if (!ids.Add(m.MemberId)) throw new ArgumentException($"Member '{m.MemberId}' is listed twice.", nameof(members));
            if (m.MemberId == leaderId) leaderUrl = m.Metadata.Url;
            maxOffset = Math.Max(maxOffset, m.Metadata.ConfigOffset);
        }
        return (leaderUrl ?? throw new ArgumentException($"Leader '{leaderId}' is not among the members.", nameof(leaderId)), maxOffset);
    }

    /// <summary>
    /// Some member has read further in the config topic than the leader: nobody gets work, and the offset the
    /// leader must reach is sent so workers read to the end of the topic and rejoin.
    /// </summary>
    public static Dictionary<string, ConnectAssignment> ConfigMismatch(IReadOnlyList<MemberInfo> members, short version,
        string leaderId, string leaderUrl, long maxOffset)
    {
        var result = new Dictionary<string, ConnectAssignment>(members.Count, StringComparer.Ordinal);
        foreach (var m in members)
        {
            result[m.MemberId] = new ConnectAssignment(version, ConnectAssignment.ConfigMismatch, leaderId, leaderUrl, maxOffset,
                WorkerAllocation.Empty, WorkerAllocation.Empty, 0);
        }
        return result;
    }

    /// <summary>Tasks 0..count-1 of every connector in the snapshot.</summary>
    public static IEnumerable<ConnectorTaskId> TasksOf(string connector, ClusterSnapshot snapshot)
    {
        var count = snapshot.TaskCounts.TryGetValue(connector, out var n) ? n : 0;
        for (var i = 0; i < count; i++) yield return new ConnectorTaskId(connector, i);
    }
}
