using KafkaConnect.Connect.Runtime.Herder;

namespace KafkaConnect.Connect.Runtime.Distributed.Protocol;

/// <summary>
/// Connectors and tasks held by (or handed to) one worker. Equality compares the contents in order, so decoded
/// messages can be compared with expected ones.
/// </summary>
public sealed record WorkerAllocation(IReadOnlyList<string> Connectors, IReadOnlyList<ConnectorTaskId> Tasks)
{
    public static readonly WorkerAllocation Empty = new([], []);

    public bool IsEmpty => Connectors.Count == 0 && Tasks.Count == 0;

    public bool Equals(WorkerAllocation? other)
        => other is not null
           && Connectors.SequenceEqual(other.Connectors, StringComparer.Ordinal)
           && Tasks.SequenceEqual(other.Tasks);

    public override int GetHashCode() => HashCode.Combine(Connectors.Count, Tasks.Count);

    public override string ToString()
        => $"{{connectors=[{string.Join(", ", Connectors)}], tasks=[{string.Join(", ", Tasks)}]}}";
}

/// <summary>
/// What a worker reports when joining: its REST URL, how far it has read the config topic and, for the
/// cooperative protocols, what it currently runs (null when it has had no assignment yet).
/// </summary>
public sealed record WorkerMetadata(string Url, long ConfigOffset, WorkerAllocation? Allocation)
{
    /// <summary>
    /// The last assignment the worker received, embedded (with <see cref="Allocation"/> as its assigned part) as
    /// Apache's workers do; leaders read only the allocation, so without it neutral values are written.
    /// </summary>
    public ConnectAssignment? LastAssignment { get; init; }
}

/// <summary>
/// The leader's answer to one member. For version 0 (eager) <see cref="Assigned"/> is the member's whole
/// allocation; for versions 1 and 2 it is what to start in addition to what the member keeps, and
/// <see cref="Revoked"/> is what to stop. A positive <see cref="DelayMs"/> asks the member to rejoin after that
/// long, when lost work may be reassigned.
/// </summary>
public sealed record ConnectAssignment(short Version, short Error, string Leader, string LeaderUrl, long ConfigOffset,
    WorkerAllocation Assigned, WorkerAllocation Revoked, int DelayMs)
{
    public const short NoError = 0;

    /// <summary>The leader was behind the config topic; members read to its end and rejoin.</summary>
    public const short ConfigMismatch = 1;

    public bool Failed => Error != NoError;
}

/// <summary>
/// The leader's view of the config topic: its offset and, per connector, the committed task count.
/// The generations are optional (default -1): when the caller sets them, an assignor whose previous round was
/// not the round this worker last completed forgets its memory, as Apache's leader does when another
/// worker led in between or its own assignment never arrived.
/// </summary>
public sealed record ClusterSnapshot(long ConfigOffset, IReadOnlyDictionary<string, int> TaskCounts)
{
    /// <summary>Generation of the rebalance being assigned.</summary>
    public int Generation { get; init; } = -1;

    /// <summary>Generation whose assignment this (leader) worker last received.</summary>
    public int LastCompletedGeneration { get; init; } = -1;
}

public sealed record MemberInfo(string MemberId, WorkerMetadata Metadata);

/// <summary>Computes the group's assignment on the leader.</summary>
public interface IConnectAssignor
{
    /// <summary>Returns one assignment per member id; every member gets one.</summary>
    IReadOnlyDictionary<string, ConnectAssignment> Assign(string leaderId, string protocolName,
        IReadOnlyList<MemberInfo> members, ClusterSnapshot snapshot);
}
