using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Client.Admin;

public sealed partial class KafkaAdminClient
{
    /// <summary>
    /// Creates topics (or, with <paramref name="validateOnly"/>, only checks that they could be created).
    /// Throws a KafkaException (TOPIC_ALREADY_EXISTS, INVALID_CONFIG, ...) if any topic failed.
    /// </summary>
    public async Task<IReadOnlyList<CreatedTopic>> CreateTopicsAsync(IEnumerable<NewTopic> topics, bool validateOnly = false, CancellationToken cancellationToken = default)
    {
        const string operation = "CreateTopics";
        var pending = new Dictionary<string, NewTopic>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var t in topics)
        {
            if (!pending.TryAdd(t.Name, t)) throw new ArgumentException($"Topic '{t.Name}' is listed twice.", nameof(topics));
            order.Add(t.Name);
        }
        if (pending.Count == 0) return [];
        var created = new Dictionary<string, CreatedTopic>(StringComparer.Ordinal);
        var outcome = new Outcome();
        await RetryAsync(operation, async ct =>
        {
            var connection = await GetControllerConnectionAsync(ct).ConfigureAwait(false);
            var response = await SendAsync<CreateTopicsResponse>(connection, ApiKey.CreateTopics, 2, 7, v => BuildCreateTopics(pending.Values, validateOnly, v), ct).ConfigureAwait(false);
            foreach (var r in response.Topics)
            {
                if (!pending.ContainsKey(r.Name)) continue;
                if (!outcome.Record($"topic '{r.Name}'", (ErrorCode)r.ErrorCode, r.ErrorMessage)) continue;
                pending.Remove(r.Name);
                if (r.ErrorCode != 0) continue;
                var configs = new Dictionary<string, string?>(StringComparer.Ordinal);
                if (r.Configs is not null)
                    foreach (var c in r.Configs) configs[c.Name] = c.Value;
                created[r.Name] = new CreatedTopic(r.Name, r.TopicId, r.NumPartitions, r.ReplicationFactor, configs);
            }
            if (outcome.Retriable?.Error == ErrorCode.NotController) await RefreshControllerAsync(ct).ConfigureAwait(false);
            outcome.ThrowIfRetriable(operation);
            foreach (var name in pending.Keys) outcome.Fatal.Add(new Failure($"topic '{name}'", ErrorCode.UnknownServerError, "the broker did not answer for this topic"));
            pending.Clear();
            return true;
        }, cancellationToken).ConfigureAwait(false);
        outcome.ThrowIfFailed(operation);
        var result = new List<CreatedTopic>(created.Count);
        foreach (var name in order)
            if (created.TryGetValue(name, out var c)) result.Add(c);
        return result;
    }

    private CreateTopicsRequest BuildCreateTopics(IEnumerable<NewTopic> topics, bool validateOnly, short version)
    {
        var request = new CreateTopicsRequest { timeoutMs = BrokerTimeoutMs, validateOnly = validateOnly };
        foreach (var t in topics)
        {
            var ct = new CreateTopicsRequest.CreatableTopic { Name = t.Name, NumPartitions = t.NumPartitions, ReplicationFactor = t.ReplicationFactor };
            if (t.ReplicaAssignments is { Count: > 0 } assignments)
            {
                ct.NumPartitions = -1;
                ct.ReplicationFactor = -1;
                foreach (var (partition, brokers) in assignments)
                    ct.Assignments.Add(new CreateTopicsRequest.CreatableReplicaAssignment { PartitionIndex = partition, BrokerIds = [.. brokers] });
            }
            else if (version < 4 && (t.NumPartitions < 0 || t.ReplicationFactor < 0))
            {
                throw new UnsupportedVersionException($"The broker speaks CreateTopics v{version}, which cannot take broker defaults; give topic '{t.Name}' a partition count and replication factor.");
            }
            foreach (var (name, value) in t.Configs)
                ct.Configs.Add(new CreateTopicsRequest.CreatableTopicConfig { Name = name, Value = value });
            request.Topics.Add(ct);
        }
        return request;
    }

    /// <summary>Deletes topics by name; throws (UNKNOWN_TOPIC_OR_PARTITION, ...) if any could not be deleted.</summary>
    public async Task DeleteTopicsAsync(IEnumerable<string> topics, CancellationToken cancellationToken = default)
    {
        const string operation = "DeleteTopics";
        var pending = new HashSet<string>(topics, StringComparer.Ordinal);
        if (pending.Count == 0) return;
        var outcome = new Outcome();
        await RetryAsync(operation, async ct =>
        {
            var connection = await GetControllerConnectionAsync(ct).ConfigureAwait(false);
            var response = await SendAsync<DeleteTopicsResponse>(connection, ApiKey.DeleteTopics, 1, 6, v =>
            {
                var request = new DeleteTopicsRequest { TimeoutMs = BrokerTimeoutMs };
                if (v >= 6)
                    foreach (var name in pending) request.Topics.Add(new DeleteTopicsRequest.DeleteTopicState { Name = name });
                else
                    request.TopicNames.AddRange(pending);
                return request;
            }, ct).ConfigureAwait(false);
            foreach (var r in response.Responses)
            {
                if (r.Name is null || !pending.Contains(r.Name)) continue;
                if (outcome.Record($"topic '{r.Name}'", (ErrorCode)r.ErrorCode, r.ErrorMessage)) pending.Remove(r.Name);
            }
            if (outcome.Retriable?.Error == ErrorCode.NotController) await RefreshControllerAsync(ct).ConfigureAwait(false);
            outcome.ThrowIfRetriable(operation);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        outcome.ThrowIfFailed(operation);
    }

    /// <summary>All topics, sorted by name; internal topics (__consumer_offsets, ...) only when asked for.</summary>
    public async Task<IReadOnlyList<TopicListing>> ListTopicsAsync(bool includeInternal = false, CancellationToken cancellationToken = default)
    {
        var response = await RetryAsync("ListTopics", ct => MetadataAsync(null, ct), cancellationToken).ConfigureAwait(false);
        var result = new List<TopicListing>(response.Topics.Count);
        foreach (var t in response.Topics)
        {
            if (t.Name is null || (t.IsInternal && !includeInternal)) continue;
            result.Add(new TopicListing(t.Name, t.TopicId, t.IsInternal));
        }
        result.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return result;
    }

    /// <summary>Partitions, leaders, replicas and ids of the given topics; throws UNKNOWN_TOPIC_OR_PARTITION for a missing one.</summary>
    public async Task<IReadOnlyDictionary<string, TopicDescription>> DescribeTopicsAsync(IEnumerable<string> topics, CancellationToken cancellationToken = default)
    {
        const string operation = "DescribeTopics";
        var pending = new HashSet<string>(topics, StringComparer.Ordinal);
        var result = new Dictionary<string, TopicDescription>(StringComparer.Ordinal);
        if (pending.Count == 0) return result;
        var outcome = new Outcome();
        await RetryAsync(operation, async ct =>
        {
            var response = await MetadataAsync(pending, ct).ConfigureAwait(false);
            foreach (var t in response.Topics)
            {
                if (t.Name is null || !pending.Contains(t.Name)) continue;
                if (!outcome.Record($"topic '{t.Name}'", (ErrorCode)t.ErrorCode, null)) continue;
                pending.Remove(t.Name);
                if (t.ErrorCode != 0) continue;
                var partitions = new List<TopicPartitionInfo>(t.Partitions.Count);
                foreach (var p in t.Partitions)
                    partitions.Add(new TopicPartitionInfo(p.PartitionIndex, p.LeaderId, p.LeaderEpoch, p.ReplicaNodes, p.IsrNodes));
                partitions.Sort((a, b) => a.Partition.CompareTo(b.Partition));
                result[t.Name] = new TopicDescription(t.Name, t.TopicId, t.IsInternal, partitions);
            }
            outcome.ThrowIfRetriable(operation);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        outcome.ThrowIfFailed(operation);
        return result;
    }

    /// <summary>Metadata for the given topics (null = all) without creating any.</summary>
    private async Task<MetadataResponse> MetadataAsync(IReadOnlyCollection<string>? topics, CancellationToken ct)
    {
        var connection = await _cluster.GetAnyConnectionAsync(ct).ConfigureAwait(false);
        return await SendAsync<MetadataResponse>(connection, ApiKey.Metadata, 4, 12, _ =>
        {
            var request = new MetadataRequest { AllowAutoTopicCreation = false };
            if (topics is null)
            {
                request.Topics = null;
            }
            else
            {
                request.Topics = new List<MetadataRequest.MetadataRequestTopic>(topics.Count);
                foreach (var name in topics) request.Topics.Add(new MetadataRequest.MetadataRequestTopic { Name = name });
            }
            return request;
        }, ct).ConfigureAwait(false);
    }

    /// <summary>Grows topics to the given total partition counts.</summary>
    public async Task CreatePartitionsAsync(IReadOnlyDictionary<string, int> totalCounts, bool validateOnly = false, CancellationToken cancellationToken = default)
    {
        const string operation = "CreatePartitions";
        var pending = new Dictionary<string, int>(totalCounts, StringComparer.Ordinal);
        if (pending.Count == 0) return;
        var outcome = new Outcome();
        await RetryAsync(operation, async ct =>
        {
            var connection = await GetControllerConnectionAsync(ct).ConfigureAwait(false);
            var response = await SendAsync<CreatePartitionsResponse>(connection, ApiKey.CreatePartitions, 0, 3, _ =>
            {
                var request = new CreatePartitionsRequest { TimeoutMs = BrokerTimeoutMs, ValidateOnly = validateOnly };
                foreach (var (name, count) in pending)
                    request.Topics.Add(new CreatePartitionsRequest.CreatePartitionsTopic { Name = name, Count = count, Assignments = null });
                return request;
            }, ct).ConfigureAwait(false);
            foreach (var r in response.Results)
            {
                if (pending.ContainsKey(r.Name) && outcome.Record($"topic '{r.Name}'", (ErrorCode)r.ErrorCode, r.ErrorMessage)) pending.Remove(r.Name);
            }
            if (outcome.Retriable?.Error == ErrorCode.NotController) await RefreshControllerAsync(ct).ConfigureAwait(false);
            outcome.ThrowIfRetriable(operation);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        outcome.ThrowIfFailed(operation);
    }

    /// <summary>The cluster id, the controller and the brokers.</summary>
    public Task<ClusterDescription> DescribeClusterAsync(CancellationToken cancellationToken = default)
        => RetryAsync("DescribeCluster", async ct =>
        {
            var connection = await _cluster.GetAnyConnectionAsync(ct).ConfigureAwait(false);
            var nodes = new List<BrokerNode>();
            string? clusterId;
            int controllerId;
            if (connection.Supports(ApiKey.DescribeCluster))
            {
                var response = await SendAsync<DescribeClusterResponse>(connection, ApiKey.DescribeCluster, 0, 1, _ => new DescribeClusterRequest(), ct).ConfigureAwait(false);
                if (response.ErrorCode != 0) throw Error("DescribeCluster", "the cluster", (ErrorCode)response.ErrorCode, response.ErrorMessage);
                foreach (var b in response.Brokers) nodes.Add(new BrokerNode(b.BrokerId, b.Host, b.Port));
                (clusterId, controllerId) = (response.ClusterId, response.ControllerId);
            }
            else
            {
                var response = await SendAsync<MetadataResponse>(connection, ApiKey.Metadata, 1, 12, _ => new MetadataRequest { Topics = [], AllowAutoTopicCreation = false }, ct).ConfigureAwait(false);
                foreach (var b in response.Brokers) nodes.Add(new BrokerNode(b.NodeId, b.Host, b.Port));
                (clusterId, controllerId) = (response.ClusterId, response.ControllerId);
            }
            nodes.Sort((a, b) => a.NodeId.CompareTo(b.NodeId));
            return new ClusterDescription(clusterId, nodes.Find(n => n.NodeId == controllerId), nodes);
        }, cancellationToken);
}
