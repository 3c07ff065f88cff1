using KafkaConnect.Protocol;

namespace KafkaConnect.Broker.Groups;

/// <summary>Classic group states; <see cref="GroupCoordinator"/> reports them by name as Kafka does.</summary>
public enum GroupState
{
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}

/// <summary>One protocol a member supports, in the member's order of preference.</summary>
public sealed record GroupProtocol(string Name, byte[] Metadata);

/// <summary>A JoinGroup request, independent of its wire version.</summary>
public sealed class JoinGroupArgs
{
    public required string GroupId { get; init; }
    /// <summary>Empty for a member joining for the first time.</summary>
    public string MemberId { get; init; } = "";
    public string? GroupInstanceId { get; init; }
    public string ClientId { get; init; } = "";
    public string ClientHost { get; init; } = "";
    public required int SessionTimeoutMs { get; init; }
    /// <summary>v0 has no rebalance timeout: pass the session timeout.</summary>
    public required int RebalanceTimeoutMs { get; init; }
    public required string ProtocolType { get; init; }
    public required IReadOnlyList<GroupProtocol> Protocols { get; init; }
    /// <summary>True for JoinGroup v4+: a new dynamic member first gets MEMBER_ID_REQUIRED and must rejoin with the id.</summary>
    public bool RequireKnownMemberId { get; init; } = true;
    public string? Reason { get; init; }
}

/// <summary>A member as the leader sees it in its JoinGroup response.</summary>
public sealed record JoinGroupMember(string MemberId, string? GroupInstanceId, byte[] Metadata);

/// <summary>
/// The JoinGroup response. Members is filled for the leader only. SkipAssignment is set when a static leader rejoins
/// a stable group unchanged (JoinGroup v9+); for older versions the handler should send an empty member list instead.
/// </summary>
public sealed record JoinGroupResult(
    ErrorCode Error,
    int GenerationId,
    string? ProtocolType,
    string? ProtocolName,
    string LeaderId,
    bool SkipAssignment,
    string MemberId,
    IReadOnlyList<JoinGroupMember> Members)
{
    internal static JoinGroupResult Failure(ErrorCode error, string memberId = "") =>
        new(error, -1, null, null, "", false, memberId, []);
}

public sealed class SyncGroupArgs
{
    public required string GroupId { get; init; }
    public required int GenerationId { get; init; }
    public required string MemberId { get; init; }
    public string? GroupInstanceId { get; init; }
    /// <summary>v5+: checked against the group's when present.</summary>
    public string? ProtocolType { get; init; }
    /// <summary>v5+: checked against the group's when present.</summary>
    public string? ProtocolName { get; init; }
    /// <summary>The leader's assignment, member id → opaque bytes; empty for followers.</summary>
    public IReadOnlyList<(string MemberId, byte[] Assignment)> Assignments { get; init; } = [];
}

public sealed record SyncGroupResult(ErrorCode Error, string? ProtocolType, string? ProtocolName, byte[] Assignment)
{
    internal static SyncGroupResult Failure(ErrorCode error) => new(error, null, null, []);
}

/// <summary>A LeaveGroup member identity; v0-2 requests pass one entry with a null instance id.</summary>
public readonly record struct LeaveGroupMember(string MemberId, string? GroupInstanceId);

public readonly record struct LeaveGroupMemberResult(string MemberId, string? GroupInstanceId, ErrorCode Error);

/// <summary>For LeaveGroup v0-2 the wire error is Error when set, otherwise the single member's error.</summary>
public sealed record LeaveGroupResult(ErrorCode Error, IReadOnlyList<LeaveGroupMemberResult> Members);

public readonly record struct OffsetCommitEntry(string Topic, int Partition, long Offset, int LeaderEpoch, string? Metadata);

public readonly record struct OffsetCommitPartitionResult(string Topic, int Partition, ErrorCode Error);

public readonly record struct OffsetDeletePartitionResult(string Topic, int Partition, ErrorCode Error);

/// <summary>OffsetDelete outcome: a group-level error (then no partitions), or one result per requested partition.</summary>
public sealed record OffsetDeleteResult(ErrorCode Error, IReadOnlyList<OffsetDeletePartitionResult> Partitions);

/// <summary>A committed offset; Offset -1 (and no error) when nothing is committed for the partition.</summary>
public readonly record struct CommittedOffset(
    string Topic, int Partition, long Offset, int LeaderEpoch, string? Metadata, long CommitTimestampMs, ErrorCode Error);

/// <summary>Topics to fetch offsets for in OffsetFetch.</summary>
public sealed record OffsetFetchTopic(string Topic, IReadOnlyList<int> Partitions);

public sealed record GroupListing(string GroupId, string ProtocolType, string State);

/// <summary>Metadata and assignment are only reported while the group is Stable, as Kafka does.</summary>
public sealed record GroupMemberDescription(
    string MemberId, string? GroupInstanceId, string ClientId, string ClientHost, byte[] Metadata, byte[] Assignment);

/// <summary>
/// DescribeGroups result. Error is GROUP_ID_NOT_FOUND (state "Dead") for an unknown group; DescribeGroups v0-5
/// answered that case with no error and state Dead, so the handler maps it per version.
/// </summary>
public sealed record GroupDescription(
    ErrorCode Error, string GroupId, string State, string ProtocolType, string ProtocolName, IReadOnlyList<GroupMemberDescription> Members);
