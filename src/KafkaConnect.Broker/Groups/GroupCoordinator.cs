using System.Collections.Concurrent;
using System.Text;
using KafkaConnect.Protocol;

namespace KafkaConnect.Broker.Groups;

/// <summary>
/// Kafka's classic group coordinator (JoinGroup/SyncGroup/Heartbeat/LeaveGroup, offsets, group admin) for any
/// protocol type; member metadata and assignments are opaque bytes passed between members. Committed offsets are
/// durable (see <see cref="OffsetStore"/>); stable groups' membership is kept across restarts (see
/// <see cref="GroupStateStore"/>). Thread-safe: one lock per group,
/// and waits are tasks, never blocked threads.
/// </summary>
public sealed class GroupCoordinator : IAsyncDisposable
{
    private readonly GroupCoordinatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, ClassicGroup> _groups = new(StringComparer.Ordinal);
    private readonly Lock _loadLock = new();
    private OffsetStore? _store;
    private GroupStateStore? _states;
    private volatile bool _ready;
    private volatile bool _disposed;

    private GroupCoordinator(GroupCoordinatorOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
    }

    /// <summary>Creates a coordinator and loads committed offsets before returning.</summary>
    public static GroupCoordinator Open(GroupCoordinatorOptions options, TimeProvider time)
    {
        var coordinator = Create(options, time);
        coordinator.Load();
        return coordinator;
    }

    /// <summary>Creates a coordinator that answers COORDINATOR_NOT_AVAILABLE until <see cref="LoadAsync"/> finishes.</summary>
    public static GroupCoordinator Create(GroupCoordinatorOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        return new GroupCoordinator(options, time);
    }

    /// <summary>Replays the offsets log on a pool thread.</summary>
    public Task LoadAsync() => Task.Run(Load);

    public bool IsLoaded => _ready;

    /// <summary>Path of the committed offsets log.</summary>
    public string OffsetsLogPath => Path.Combine(_options.DataDirectory, OffsetStore.DirectoryName, OffsetStore.FileName);

    private void Load()
    {
        lock (_loadLock) LoadOnce();
    }

    private void LoadOnce()
    {
        if (_store is not null) return;
        var store = OffsetStore.Open(_options.DataDirectory, _options.OffsetsCompactionMinBytes);
        _states = new GroupStateStore(Path.Combine(_options.DataDirectory, OffsetStore.DirectoryName));
        // Stable groups come back with their members, who carry on heartbeating; groups that only have offsets exist
        // as Empty groups, so they can be listed, described and deleted.
        foreach (var snapshot in _states.Load())
        {
            if (snapshot.Members.Count > 0) _groups.TryAdd(snapshot.GroupId, ClassicGroup.Restore(snapshot, _time, _options, _states));
        }
        foreach (var groupId in store.GroupIds()) _groups.TryAdd(groupId, NewGroup(groupId));
        _store = store;
        _ready = true;
    }

    private ClassicGroup NewGroup(string groupId) => new(groupId, _time, _options, _states);

    private bool Available => _ready && !_disposed;

    // ---- Membership ----

    /// <summary>JoinGroup: completes when the rebalance the member takes part in completes (or at once with an error).</summary>
    public async Task<JoinGroupResult> JoinAsync(JoinGroupArgs args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (string.IsNullOrEmpty(args.GroupId)) return JoinGroupResult.Failure(ErrorCode.InvalidGroupId, args.MemberId);
        if (!Available) return JoinGroupResult.Failure(ErrorCode.CoordinatorNotAvailable, args.MemberId);
        if (args.SessionTimeoutMs < _options.MinSessionTimeoutMs || args.SessionTimeoutMs > _options.MaxSessionTimeoutMs)
            return JoinGroupResult.Failure(ErrorCode.InvalidSessionTimeout, args.MemberId);

        while (true)
        {
            ClassicGroup? group;
            if (args.MemberId.Length == 0) group = _groups.GetOrAdd(args.GroupId, NewGroup);
            else if (!_groups.TryGetValue(args.GroupId, out group)) return JoinGroupResult.Failure(ErrorCode.UnknownMemberId, args.MemberId);

            Task<JoinGroupResult> pending;
            lock (group.Gate)
            {
                if (group.State == GroupState.Dead)
                {
                    // A deleted group is replaced by a fresh one on the next lookup; a closing coordinator answers.
                    if (!Available) return JoinGroupResult.Failure(ErrorCode.CoordinatorNotAvailable, args.MemberId);
                    continue;
                }
                pending = group.Join(args);
            }
            return await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>SyncGroup: followers wait for the leader's assignment while the group is completing its rebalance.</summary>
    public async Task<SyncGroupResult> SyncAsync(SyncGroupArgs args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (string.IsNullOrEmpty(args.GroupId)) return SyncGroupResult.Failure(ErrorCode.InvalidGroupId);
        if (!Available) return SyncGroupResult.Failure(ErrorCode.CoordinatorNotAvailable);
        if (!_groups.TryGetValue(args.GroupId, out var group)) return SyncGroupResult.Failure(ErrorCode.UnknownMemberId);
        Task<SyncGroupResult> pending;
        lock (group.Gate)
        {
            if (group.State == GroupState.Dead) return SyncGroupResult.Failure(ErrorCode.CoordinatorNotAvailable);
            pending = group.Sync(args);
        }
        return await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public ErrorCode Heartbeat(string groupId, int generationId, string memberId, string? groupInstanceId)
    {
        if (string.IsNullOrEmpty(groupId)) return ErrorCode.InvalidGroupId;
        if (!Available) return ErrorCode.CoordinatorNotAvailable;
        if (!_groups.TryGetValue(groupId, out var group)) return ErrorCode.UnknownMemberId;
        lock (group.Gate)
        {
            return group.State == GroupState.Dead ? ErrorCode.CoordinatorNotAvailable : group.Heartbeat(generationId, memberId, groupInstanceId);
        }
    }

    /// <summary>LeaveGroup for one (v0-2) or many (v3+) members; each leaving member triggers a rebalance of the rest.</summary>
    public LeaveGroupResult Leave(string groupId, IReadOnlyList<LeaveGroupMember> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (string.IsNullOrEmpty(groupId)) return new LeaveGroupResult(ErrorCode.InvalidGroupId, []);
        if (!Available) return new LeaveGroupResult(ErrorCode.CoordinatorNotAvailable, []);
        var results = new List<LeaveGroupMemberResult>(members.Count);
        if (!_groups.TryGetValue(groupId, out var group))
        {
            foreach (var m in members) results.Add(new LeaveGroupMemberResult(m.MemberId, m.GroupInstanceId, ErrorCode.UnknownMemberId));
            return new LeaveGroupResult(ErrorCode.None, results);
        }
        lock (group.Gate)
        {
            if (group.State == GroupState.Dead) return new LeaveGroupResult(ErrorCode.CoordinatorNotAvailable, []);
            foreach (var m in members)
                results.Add(new LeaveGroupMemberResult(m.MemberId, m.GroupInstanceId, group.Leave(m.MemberId, m.GroupInstanceId)));
        }
        return new LeaveGroupResult(ErrorCode.None, results);
    }

    // ---- Offsets ----

    /// <summary>
    /// OffsetCommit. Generation -1 with an empty member id is a simple commit (no group management), accepted while the
    /// group has no members. The returned task completes after the accepted offsets are fsync'd.
    /// </summary>
    public async Task<IReadOnlyList<OffsetCommitPartitionResult>> CommitOffsetsAsync(
        string groupId, int generationId, string memberId, string? groupInstanceId,
        IReadOnlyList<OffsetCommitEntry> offsets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        memberId ??= "";
        if (string.IsNullOrEmpty(groupId)) return AllFailed(offsets, ErrorCode.InvalidGroupId);
        if (!Available) return AllFailed(offsets, ErrorCode.CoordinatorNotAvailable);

        var results = new OffsetCommitPartitionResult[offsets.Count];
        var accepted = new List<(string Topic, int Partition, StoredOffset Offset)>(offsets.Count);
        var acceptedIndex = new List<int>(offsets.Count);
        Task<bool>? write = null;
        while (true)
        {
            if (!_groups.TryGetValue(groupId, out var group))
            {
                // Unknown group with a generation is a member of a group that no longer exists here.
                if (generationId >= 0) return AllFailed(offsets, ErrorCode.IllegalGeneration);
                group = _groups.GetOrAdd(groupId, NewGroup);
            }
            lock (group.Gate)
            {
                if (group.State == GroupState.Dead)
                {
                    if (!Available) return AllFailed(offsets, ErrorCode.CoordinatorNotAvailable);
                    continue;
                }
                var error = group.ValidateOffsetCommit(generationId, memberId, groupInstanceId);
                if (error != ErrorCode.None) return AllFailed(offsets, error);

                var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
                for (var i = 0; i < offsets.Count; i++)
                {
                    var o = offsets[i];
                    var metadata = o.Metadata ?? "";
                    if (Encoding.UTF8.GetByteCount(metadata) > _options.MaxOffsetMetadataBytes)
                    {
                        results[i] = new OffsetCommitPartitionResult(o.Topic, o.Partition, ErrorCode.OffsetMetadataTooLarge);
                        continue;
                    }
                    accepted.Add((o.Topic, o.Partition, new StoredOffset(o.Offset, o.LeaderEpoch, metadata, now)));
                    acceptedIndex.Add(i);
                }
                // Queued under the group lock so commits and a group deletion reach the log in the order they were decided.
                if (accepted.Count > 0) write = _store!.AppendCommitsAsync(groupId, accepted);
            }
            break;
        }

        var ok = write is null || await write.WaitAsync(cancellationToken).ConfigureAwait(false);
        foreach (var i in acceptedIndex)
            results[i] = new OffsetCommitPartitionResult(offsets[i].Topic, offsets[i].Partition, ok ? ErrorCode.None : ErrorCode.CoordinatorNotAvailable);
        return results;
    }

    private static OffsetCommitPartitionResult[] AllFailed(IReadOnlyList<OffsetCommitEntry> offsets, ErrorCode error)
    {
        var results = new OffsetCommitPartitionResult[offsets.Count];
        for (var i = 0; i < offsets.Count; i++) results[i] = new OffsetCommitPartitionResult(offsets[i].Topic, offsets[i].Partition, error);
        return results;
    }

    /// <summary>
    /// OffsetFetch. Null <paramref name="topics"/> means every partition the group has committed; partitions without a
    /// commit come back as offset -1, leader epoch -1, empty metadata and no error.
    /// </summary>
    public ErrorCode FetchOffsets(string groupId, IReadOnlyList<OffsetFetchTopic>? topics, out IReadOnlyList<CommittedOffset> offsets)
    {
        offsets = [];
        if (string.IsNullOrEmpty(groupId)) return ErrorCode.InvalidGroupId;
        if (!Available) return ErrorCode.CoordinatorNotAvailable;
        var store = _store!;
        var list = new List<CommittedOffset>();
        if (topics is null)
        {
            foreach (var (topic, partition, o) in store.GetAll(groupId))
                list.Add(new CommittedOffset(topic, partition, o.Offset, o.LeaderEpoch, o.Metadata, o.CommitTimestampMs, ErrorCode.None));
        }
        else
        {
            foreach (var t in topics)
            {
                foreach (var partition in t.Partitions)
                {
                    list.Add(store.TryGet(groupId, t.Topic, partition, out var o)
                        ? new CommittedOffset(t.Topic, partition, o.Offset, o.LeaderEpoch, o.Metadata, o.CommitTimestampMs, ErrorCode.None)
                        : new CommittedOffset(t.Topic, partition, -1, -1, "", -1, ErrorCode.None));
                }
            }
        }
        offsets = list;
        return ErrorCode.None;
    }

    /// <summary>Every group's committed offsets at this moment; empty until the offsets are loaded.</summary>
    public IReadOnlyList<(string Group, string Topic, int Partition, long Offset)> CommittedOffsets()
        => Available ? _store!.Snapshot() : [];

    /// <summary>
    /// OffsetDelete: drops the committed offsets of single partitions durably. Allowed for an Empty group, and for a
    /// consumer-protocol group with members only on topics none of them subscribes to (others get
    /// GROUP_SUBSCRIBED_TO_TOPIC); any other group with members answers NON_EMPTY_GROUP. Partitions without a
    /// committed offset succeed.
    /// </summary>
    public async Task<OffsetDeleteResult> DeleteOffsetsAsync(string groupId, IReadOnlyList<(string Topic, int Partition)> partitions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        if (string.IsNullOrEmpty(groupId)) return new OffsetDeleteResult(ErrorCode.InvalidGroupId, []);
        if (!Available) return new OffsetDeleteResult(ErrorCode.CoordinatorNotAvailable, []);
        if (!_groups.TryGetValue(groupId, out var group)) return new OffsetDeleteResult(ErrorCode.GroupIdNotFound, []);

        var results = new OffsetDeletePartitionResult[partitions.Count];
        var deletes = new List<(string Topic, int Partition)>(partitions.Count);
        Task<bool>? write = null;
        lock (group.Gate)
        {
            if (group.State == GroupState.Dead) return new OffsetDeleteResult(ErrorCode.GroupIdNotFound, []);
            HashSet<string>? subscribed = null;
            if (group.State != GroupState.Empty)
            {
                if (group.ProtocolType != ConsumerProtocolType) return new OffsetDeleteResult(ErrorCode.NonEmptyGroup, []);
                subscribed = SubscribedTopics(group);
            }
            for (var i = 0; i < partitions.Count; i++)
            {
                var (topic, partition) = partitions[i];
                if (subscribed is not null && subscribed.Contains(topic))
                {
                    results[i] = new OffsetDeletePartitionResult(topic, partition, ErrorCode.GroupSubscribedToTopic);
                    continue;
                }
                results[i] = new OffsetDeletePartitionResult(topic, partition, ErrorCode.None);
                // A tombstone even when nothing is visible yet: a commit queued before it may still be in flight.
                deletes.Add((topic, partition));
            }
            // Under the group lock, like commits, so the log keeps the order in which they were decided.
            if (deletes.Count > 0) write = _store!.AppendOffsetTombstonesAsync(groupId, deletes);
        }
        if (write is not null && !await write.WaitAsync(cancellationToken).ConfigureAwait(false))
            return new OffsetDeleteResult(ErrorCode.CoordinatorNotAvailable, []);
        return new OffsetDeleteResult(ErrorCode.None, results);
    }

    private const string ConsumerProtocolType = "consumer";

    /// <summary>
    /// Topics the members subscribe to, read from their consumer-protocol metadata (int16 version, then the topic
    /// array, first in every version) for the group's chosen protocol, or for every protocol while none is chosen yet.
    /// Metadata that does not parse subscribes to nothing.
    /// </summary>
    private static HashSet<string> SubscribedTopics(ClassicGroup group)
    {
        var topics = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in group.Members)
        {
            if (group.ProtocolName is { } chosen) AddTopics(member.MetadataFor(chosen), topics);
            else foreach (var p in member.Protocols) AddTopics(p.Metadata, topics);
        }
        return topics;

        static void AddTopics(byte[] metadata, HashSet<string> into)
        {
            try
            {
                var reader = new ProtocolReader(metadata);
                if (reader.ReadInt16() < 0) return;
                var n = reader.ReadArrayLength();
                for (var i = 0; i < n; i++) into.Add(reader.ReadString());
            }
            catch (ProtocolException)
            {
            }
        }
    }

    // ---- Admin ----

    /// <summary>ListGroups; <paramref name="statesFilter"/> (v4+) matches state names case-insensitively, null or empty for all.</summary>
    public ErrorCode ListGroups(IReadOnlyCollection<string>? statesFilter, out IReadOnlyList<GroupListing> groups)
    {
        groups = [];
        if (!Available) return ErrorCode.CoordinatorNotAvailable;
        var list = new List<GroupListing>();
        foreach (var (_, group) in _groups)
        {
            GroupListing listing;
            lock (group.Gate)
            {
                if (group.State == GroupState.Dead) continue;
                listing = new GroupListing(group.GroupId, group.ProtocolType ?? "", group.State.ToString());
            }
            if (statesFilter is { Count: > 0 } && !ContainsIgnoreCase(statesFilter, listing.State)) continue;
            list.Add(listing);
        }
        list.Sort(static (a, b) => string.CompareOrdinal(a.GroupId, b.GroupId));
        groups = list;
        return ErrorCode.None;
    }

    private static bool ContainsIgnoreCase(IReadOnlyCollection<string> values, string value)
    {
        foreach (var v in values)
            if (string.Equals(v, value, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    public GroupDescription Describe(string groupId)
    {
        if (string.IsNullOrEmpty(groupId)) return new GroupDescription(ErrorCode.InvalidGroupId, groupId ?? "", "Dead", "", "", []);
        if (!Available) return new GroupDescription(ErrorCode.CoordinatorNotAvailable, groupId, "Dead", "", "", []);
        if (_groups.TryGetValue(groupId, out var group))
        {
            lock (group.Gate)
            {
                if (group.State != GroupState.Dead) return group.Describe();
            }
        }
        return new GroupDescription(ErrorCode.GroupIdNotFound, groupId, "Dead", "", "", []);
    }

    /// <summary>DeleteGroups for one group: only groups without members; their offsets are dropped durably.</summary>
    public async Task<ErrorCode> DeleteGroupAsync(string groupId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(groupId)) return ErrorCode.InvalidGroupId;
        if (!Available) return ErrorCode.CoordinatorNotAvailable;
        if (!_groups.TryGetValue(groupId, out var group)) return ErrorCode.GroupIdNotFound;
        Task<bool> write;
        lock (group.Gate)
        {
            if (group.State == GroupState.Dead) return ErrorCode.GroupIdNotFound;
            if (group.State != GroupState.Empty || group.HasMembers) return ErrorCode.NonEmptyGroup;
            group.MarkDead(ErrorCode.CoordinatorNotAvailable);
            _groups.TryRemove(new KeyValuePair<string, ClassicGroup>(groupId, group));
            try
            {
                _states?.Delete(groupId);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
            write = _store!.AppendGroupTombstoneAsync(groupId);
        }
        return await write.WaitAsync(cancellationToken).ConfigureAwait(false) ? ErrorCode.None : ErrorCode.CoordinatorNotAvailable;
    }

    /// <summary>Fails every waiting member with COORDINATOR_NOT_AVAILABLE, stops timers and closes the offsets log.</summary>
    public ValueTask DisposeAsync()
    {
        if (_disposed) return ValueTask.CompletedTask;
        _disposed = true;
        foreach (var (_, group) in _groups)
        {
            lock (group.Gate) group.MarkDead(ErrorCode.CoordinatorNotAvailable);
        }
        var store = _store;
        return store is null ? ValueTask.CompletedTask : new ValueTask(Task.Run(store.Dispose));
    }
}
