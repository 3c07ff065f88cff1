using KafkaConnect.Client.Consumer;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Client.Admin;

public sealed partial class KafkaAdminClient
{
    /// <summary>Every group on every broker, sorted by id; optionally only groups in the given states (Stable, Empty, ...).</summary>
    public async Task<IReadOnlyList<GroupListing>> ListGroupsAsync(IEnumerable<string>? states = null, CancellationToken cancellationToken = default)
    {
        const string operation = "ListGroups";
        var stateFilter = states is null ? [] : new List<string>(states);
        var result = await RetryAsync(operation, async ct =>
        {
            var metadata = await _cluster.RefreshMetadataAsync(Array.Empty<string>(), allowAutoCreate: false, cancellationToken: ct).ConfigureAwait(false);
            var calls = new List<Task<ListGroupsResponse>>(metadata.Brokers.Count);
            foreach (var id in metadata.Brokers.Keys)
            {
                var connection = await _cluster.GetConnectionAsync(id, ct).ConfigureAwait(false);
                calls.Add(SendAsync<ListGroupsResponse>(connection, ApiKey.ListGroups, (short)(stateFilter.Count > 0 ? 4 : 0), 5,
                    _ => new ListGroupsRequest { StatesFilter = stateFilter }, ct));
            }
            var groups = new List<GroupListing>();
            foreach (var response in await Task.WhenAll(calls).ConfigureAwait(false))
            {
                if (response.ErrorCode != 0) throw Error(operation, "a broker", (ErrorCode)response.ErrorCode, null);
                foreach (var g in response.Groups)
                    groups.Add(new GroupListing(g.GroupId, g.ProtocolType, g.GroupState, g.GroupType));
            }
            return groups;
        }, cancellationToken).ConfigureAwait(false);
        result.Sort((a, b) => string.CompareOrdinal(a.GroupId, b.GroupId));
        return result;
    }

    /// <summary>
    /// State, protocol and members of each group, asked of its coordinator. Consumer groups' member
    /// subscriptions and assignments are decoded. A group that does not exist is reported as "Dead" with no members.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, GroupDescription>> DescribeGroupsAsync(IEnumerable<string> groupIds, CancellationToken cancellationToken = default)
    {
        const string operation = "DescribeGroups";
        var result = new Dictionary<string, GroupDescription>(StringComparer.Ordinal);
        await PerCoordinatorAsync(operation, groupIds, async (connection, coordinator, batch, ct) =>
        {
            var response = await SendAsync<DescribeGroupsResponse>(connection, ApiKey.DescribeGroups, 0, 5,
                _ => new DescribeGroupsRequest { Groups = batch }, ct).ConfigureAwait(false);
            var answers = new List<(string, ErrorCode, string?)>(response.Groups.Count);
            foreach (var g in response.Groups)
            {
                answers.Add((g.GroupId, (ErrorCode)g.ErrorCode, null));
                if (g.ErrorCode != 0) continue;
                var consumer = g.ProtocolType == "consumer";
                var members = new List<MemberDescription>(g.Members.Count);
                foreach (var m in g.Members)
                {
                    members.Add(new MemberDescription(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost, m.MemberMetadata, m.MemberAssignment,
                        consumer ? DecodeSubscription(m.MemberMetadata) : null,
                        consumer ? DecodeAssignment(m.MemberAssignment) : null));
                }
                result[g.GroupId] = new GroupDescription(g.GroupId, g.GroupState, g.ProtocolType, g.ProtocolData, coordinator, members);
            }
            return answers;
        }, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Deletes empty groups and their committed offsets; throws NON_EMPTY_GROUP or GROUP_ID_NOT_FOUND otherwise.</summary>
    public Task DeleteGroupsAsync(IEnumerable<string> groupIds, CancellationToken cancellationToken = default)
        => PerCoordinatorAsync("DeleteGroups", groupIds, async (connection, _, batch, ct) =>
        {
            var response = await SendAsync<DeleteGroupsResponse>(connection, ApiKey.DeleteGroups, 0, 2,
                _ => new DeleteGroupsRequest { GroupsNames = batch }, ct).ConfigureAwait(false);
            var answers = new List<(string, ErrorCode, string?)>(response.Results.Count);
            foreach (var r in response.Results)
            {
                var error = (ErrorCode)r.ErrorCode;
                answers.Add((r.GroupId, error, error == ErrorCode.NonEmptyGroup ? "the group still has members" : null));
            }
            return answers;
        }, cancellationToken);

    /// <summary>
    /// The group's committed offsets: of the given partitions, or of every partition it committed when
    /// <paramref name="partitions"/> is null. Partitions without a commit are left out.
    /// </summary>
    public async Task<IReadOnlyDictionary<TopicPartition, OffsetAndMetadata>> ListConsumerGroupOffsetsAsync(string groupId, IEnumerable<TopicPartition>? partitions = null, CancellationToken cancellationToken = default)
    {
        const string operation = "ListConsumerGroupOffsets";
        var wanted = partitions is null ? null : ByTopic(partitions);
        var result = new Dictionary<TopicPartition, OffsetAndMetadata>();
        await RetryAsync(operation, async ct =>
        {
            result.Clear();
            var coordinator = await _cluster.FindCoordinatorAsync(groupId, ct).ConfigureAwait(false);
            var connection = await _cluster.GetConnectionAsync(coordinator.NodeId, ct).ConfigureAwait(false);
            var version = connection.NegotiateVersion(ApiKey.OffsetFetch, 2, 9);
            var request = new OffsetFetchRequest();
            if (version >= 8)
            {
                var group = new OffsetFetchRequest.OffsetFetchRequestGroup { GroupId = groupId, Topics = null };
                if (wanted is not null)
                {
                    group.Topics = [];
                    foreach (var (topic, list) in wanted)
                        group.Topics.Add(new OffsetFetchRequest.OffsetFetchRequestTopics { Name = topic, PartitionIndexes = list.ConvertAll(tp => tp.Partition) });
                }
                request.Groups.Add(group);
            }
            else
            {
                request.GroupId = groupId;
                request.Topics = null;
                if (wanted is not null)
                {
                    request.Topics = [];
                    foreach (var (topic, list) in wanted)
                        request.Topics.Add(new OffsetFetchRequest.OffsetFetchRequestTopic { Name = topic, PartitionIndexes = list.ConvertAll(tp => tp.Partition) });
                }
            }
            var response = await connection.SendAsync<OffsetFetchResponse>(ApiKey.OffsetFetch, version, request, ct).ConfigureAwait(false);
            var outcome = new Outcome();
            if (version >= 8)
            {
                foreach (var g in response.Groups)
                {
                    if (g.GroupId != groupId) continue;
                    if (g.ErrorCode != 0) throw Error(operation, $"group '{groupId}'", (ErrorCode)g.ErrorCode, null);
                    foreach (var t in g.Topics)
                        foreach (var p in t.Partitions)
                            Add(new TopicPartition(t.Name, p.PartitionIndex), p.CommittedOffset, p.Metadata, p.CommittedLeaderEpoch, p.ErrorCode);
                }
            }
            else
            {
                if (response.ErrorCode != 0) throw Error(operation, $"group '{groupId}'", (ErrorCode)response.ErrorCode, null);
                foreach (var t in response.Topics)
                    foreach (var p in t.Partitions)
                        Add(new TopicPartition(t.Name, p.PartitionIndex), p.CommittedOffset, p.Metadata, p.CommittedLeaderEpoch, p.ErrorCode);
            }
            outcome.ThrowIfRetriable(operation);
            outcome.ThrowIfFailed(operation);
            return true;

            void Add(TopicPartition tp, long offset, string? metadata, int leaderEpoch, short error)
            {
                if (!outcome.Record($"partition {tp}", (ErrorCode)error, null) || error != 0) return;
                if (offset >= 0) result[tp] = new OffsetAndMetadata(offset, metadata, leaderEpoch);
            }
        }, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Commits offsets for a group as an outsider (generation -1, no member id). Kafka accepts this only while
    /// the group has no active members: stop its consumers first.
    /// </summary>
    public async Task AlterConsumerGroupOffsetsAsync(string groupId, IReadOnlyDictionary<TopicPartition, OffsetAndMetadata> offsets, CancellationToken cancellationToken = default)
    {
        const string operation = "AlterConsumerGroupOffsets";
        var pending = new HashSet<TopicPartition>(offsets.Keys);
        if (pending.Count == 0) return;
        var outcome = new Outcome();
        await RetryAsync(operation, async ct =>
        {
            var coordinator = await _cluster.FindCoordinatorAsync(groupId, ct).ConfigureAwait(false);
            var connection = await _cluster.GetConnectionAsync(coordinator.NodeId, ct).ConfigureAwait(false);
            var response = await SendAsync<OffsetCommitResponse>(connection, ApiKey.OffsetCommit, 2, 9, _ =>
            {
                var request = new OffsetCommitRequest { GroupId = groupId, GenerationIdOrMemberEpoch = -1, MemberId = "", RetentionTimeMs = -1 };
                foreach (var (topic, list) in ByTopic(pending))
                {
                    var t = new OffsetCommitRequest.OffsetCommitRequestTopic { Name = topic };
                    foreach (var tp in list)
                    {
                        var o = offsets[tp];
                        t.Partitions.Add(new OffsetCommitRequest.OffsetCommitRequestPartition
                        {
                            PartitionIndex = tp.Partition,
                            CommittedOffset = o.Offset,
                            CommittedLeaderEpoch = o.LeaderEpoch,
                            CommittedMetadata = o.Metadata ?? "",
                        });
                    }
                    request.Topics.Add(t);
                }
                return request;
            }, ct).ConfigureAwait(false);
            foreach (var t in response.Topics)
            {
                foreach (var p in t.Partitions)
                {
                    var tp = new TopicPartition(t.Name, p.PartitionIndex);
                    var error = (ErrorCode)p.ErrorCode;
                    var message = error is ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration or ErrorCode.RebalanceInProgress
                        ? $"group '{groupId}' has active members; offsets can only be altered while it is empty" : null;
                    if (pending.Contains(tp) && outcome.Record($"partition {tp}", error, message)) pending.Remove(tp);
                }
            }
            outcome.ThrowIfRetriable(operation);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        outcome.ThrowIfFailed(operation);
    }

    /// <summary>
    /// Removes the group's committed offsets of the given partitions (OffsetDelete), so they start over from
    /// auto.offset.reset. Kafka allows it while the group is empty, or for topics no active consumer of the group
    /// subscribes to. Throws for a group-level error (GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP) or when any partition
    /// failed (GROUP_SUBSCRIBED_TO_TOPIC); partitions without a committed offset succeed.
    /// </summary>
    public async Task DeleteConsumerGroupOffsetsAsync(string groupId, IEnumerable<TopicPartition> partitions, CancellationToken cancellationToken = default)
    {
        const string operation = "DeleteConsumerGroupOffsets";
        ArgumentNullException.ThrowIfNull(groupId);
        ArgumentNullException.ThrowIfNull(partitions);
        var pending = new HashSet<TopicPartition>(partitions);
        if (pending.Count == 0) return;
        var outcome = new Outcome();
        await RetryAsync(operation, async ct =>
        {
            var coordinator = await _cluster.FindCoordinatorAsync(groupId, ct).ConfigureAwait(false);
            var connection = await _cluster.GetConnectionAsync(coordinator.NodeId, ct).ConfigureAwait(false);
            var response = await SendAsync<OffsetDeleteResponse>(connection, ApiKey.OffsetDelete, 0, 0, _ =>
            {
                var request = new OffsetDeleteRequest { GroupId = groupId };
                foreach (var (topic, list) in ByTopic(pending))
                {
                    var t = new OffsetDeleteRequest.OffsetDeleteRequestTopic { Name = topic };
                    foreach (var tp in list) t.Partitions.Add(new OffsetDeleteRequest.OffsetDeleteRequestPartition { PartitionIndex = tp.Partition });
                    request.Topics.Add(t);
                }
                return request;
            }, ct).ConfigureAwait(false);
            var groupError = (ErrorCode)response.ErrorCode;
            if (groupError != ErrorCode.None)
            {
                // Retriable (coordinator moved or loading) goes back to RetryAsync; anything else ends the call.
                throw Error(operation, $"group '{groupId}'", groupError,
                    groupError == ErrorCode.NonEmptyGroup ? "the group has active members that do not use the consumer protocol" : null);
            }
            foreach (var t in response.Topics)
            {
                foreach (var p in t.Partitions)
                {
                    var tp = new TopicPartition(t.Name, p.PartitionIndex);
                    var error = (ErrorCode)p.ErrorCode;
                    var message = error == ErrorCode.GroupSubscribedToTopic ? $"group '{groupId}' has active members subscribed to topic '{t.Name}'" : null;
                    if (pending.Contains(tp) && outcome.Record($"partition {tp}", error, message)) pending.Remove(tp);
                }
            }
            outcome.ThrowIfRetriable(operation);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        outcome.ThrowIfFailed(operation);
    }

    /// <summary>
    /// Sends group requests to each group's coordinator (groups sharing one go in one request), retrying the
    /// groups whose answer was retriable and throwing for the ones that failed.
    /// </summary>
    private async Task PerCoordinatorAsync(string operation, IEnumerable<string> groupIds,
        Func<KafkaConnection, BrokerNode, List<string>, CancellationToken, Task<List<(string GroupId, ErrorCode Error, string? Message)>>> send,
        CancellationToken cancellationToken)
    {
        var pending = new HashSet<string>(groupIds, StringComparer.Ordinal);
        if (pending.Count == 0) return;
        var outcome = new Outcome();
        await RetryAsync(operation, async ct =>
        {
            var byNode = new Dictionary<int, (BrokerNode Node, List<string> Groups)>();
            foreach (var id in pending)
            {
                var node = await _cluster.FindCoordinatorAsync(id, ct).ConfigureAwait(false);
                if (!byNode.TryGetValue(node.NodeId, out var entry)) byNode[node.NodeId] = entry = (node, []);
                entry.Groups.Add(id);
            }
            var calls = new List<Task<List<(string GroupId, ErrorCode Error, string? Message)>>>(byNode.Count);
            foreach (var (nodeId, (node, groups)) in byNode)
            {
                var connection = await _cluster.GetConnectionAsync(nodeId, ct).ConfigureAwait(false);
                calls.Add(send(connection, node, groups, ct));
            }
            foreach (var answers in await Task.WhenAll(calls).ConfigureAwait(false))
            {
                foreach (var (groupId, error, message) in answers)
                {
                    if (pending.Contains(groupId) && outcome.Record($"group '{groupId}'", error, message)) pending.Remove(groupId);
                }
            }
            outcome.ThrowIfRetriable(operation);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        outcome.ThrowIfFailed(operation);
    }

    /// <summary>
    /// Decodes a consumer-protocol assignment: int16 version, then the ConsumerProtocolAssignment struct. Newer
    /// versions only append fields, so they are read as the newest one we know. Null when the bytes are not one.
    /// </summary>
    internal static IReadOnlyList<TopicPartition>? DecodeAssignment(byte[] bytes)
    {
        if (bytes.Length == 0) return [];
        try
        {
            var reader = new ProtocolReader(bytes);
            var version = reader.ReadInt16();
            if (version < 0) return null;
            var assignment = new ConsumerProtocolAssignment();
            assignment.Read(ref reader, Math.Min(version, ConsumerProtocolAssignment.HighestVersion));
            var result = new List<TopicPartition>();
            foreach (var t in assignment.AssignedPartitions)
                foreach (var p in t.Partitions) result.Add(new TopicPartition(t.Topic, p));
            return result;
        }
        catch (ProtocolException)
        {
            return null;
        }
    }

    /// <summary>The topics of a consumer-protocol subscription (int16 version, then the struct); null when not one.</summary>
    internal static IReadOnlyList<string>? DecodeSubscription(byte[] bytes)
    {
        if (bytes.Length == 0) return [];
        try
        {
            var reader = new ProtocolReader(bytes);
            var version = reader.ReadInt16();
            if (version < 0) return null;
            var subscription = new ConsumerProtocolSubscription();
            subscription.Read(ref reader, Math.Min(version, ConsumerProtocolSubscription.HighestVersion));
            return subscription.Topics;
        }
        catch (ProtocolException)
        {
            return null;
        }
    }
}
