using KafkaConnect.Connect.Runtime.Herder;

namespace KafkaConnect.Connect.Runtime.Distributed.Protocol;

/// <summary>
/// The eager (version 0) assignment: members stopped everything before joining, so what they held is ignored and
/// all connectors, then all tasks, are dealt round-robin over the members in id order. Connectors and tasks are
/// dealt from one rotation so a cluster of one-task connectors does not put every task on the same workers.
/// </summary>
public sealed class EagerAssignor : IConnectAssignor
{
    public IReadOnlyDictionary<string, ConnectAssignment> Assign(string leaderId, string protocolName,
        IReadOnlyList<MemberInfo> members, ClusterSnapshot snapshot)
    {
        var (leaderUrl, maxOffset) = AssignorSupport.Inspect(leaderId, members, snapshot);
        if (maxOffset > snapshot.ConfigOffset)
            return AssignorSupport.ConfigMismatch(members, ConnectProtocol.V0, leaderId, leaderUrl, maxOffset);

        var memberIds = members.Select(m => m.MemberId).Order(StringComparer.Ordinal).ToList();
        var connectors = memberIds.ToDictionary(id => id, _ => new List<string>(), StringComparer.Ordinal);
        var tasks = memberIds.ToDictionary(id => id, _ => new List<ConnectorTaskId>(), StringComparer.Ordinal);
        var sortedConnectors = snapshot.TaskCounts.Keys.Order(StringComparer.Ordinal).ToList();
        var next = 0;
        foreach (var connector in sortedConnectors)
            connectors[memberIds[next++ % memberIds.Count]].Add(connector);
        foreach (var connector in sortedConnectors)
        {
            foreach (var task in AssignorSupport.TasksOf(connector, snapshot))
                tasks[memberIds[next++ % memberIds.Count]].Add(task);
        }

        var result = new Dictionary<string, ConnectAssignment>(memberIds.Count, StringComparer.Ordinal);
        foreach (var id in memberIds)
        {
            result[id] = new ConnectAssignment(ConnectProtocol.V0, ConnectAssignment.NoError, leaderId, leaderUrl,
                snapshot.ConfigOffset, new WorkerAllocation(connectors[id], tasks[id]), WorkerAllocation.Empty, 0);
        }
        return result;
    }
}
