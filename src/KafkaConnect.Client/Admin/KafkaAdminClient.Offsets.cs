using KafkaConnect.Client.Consumer;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Client.Admin;

public sealed partial class KafkaAdminClient
{
    /// <summary>Looks up one kind of offset for many partitions.</summary>
    public Task<IReadOnlyDictionary<TopicPartition, ListedOffset>> ListOffsetsAsync(IEnumerable<TopicPartition> partitions, OffsetSpec spec, bool readCommitted = false, CancellationToken cancellationToken = default)
    {
        var specs = new Dictionary<TopicPartition, OffsetSpec>();
        foreach (var tp in partitions) specs[tp] = spec;
        return ListOffsetsAsync(specs, readCommitted, cancellationToken);
    }

    /// <summary>
    /// Looks up offsets (earliest, latest, max timestamp or by timestamp) for many partitions at once, one
    /// request per partition leader. With <paramref name="readCommitted"/>, "latest" is the last stable offset.
    /// </summary>
    public async Task<IReadOnlyDictionary<TopicPartition, ListedOffset>> ListOffsetsAsync(IReadOnlyDictionary<TopicPartition, OffsetSpec> specs, bool readCommitted = false, CancellationToken cancellationToken = default)
    {
        const string operation = "ListOffsets";
        var result = new Dictionary<TopicPartition, ListedOffset>();
        var pending = new HashSet<TopicPartition>(specs.Keys);
        if (pending.Count == 0) return result;
        // Isolation level needs v2, the max-timestamp spec v7.
        var minVersion = (short)(readCommitted ? 2 : 1);
        foreach (var s in specs.Values)
            if (s.Timestamp == OffsetSpec.MaxTimestamp.Timestamp) minVersion = 7;
        var outcome = new Outcome();
        await RetryAsync(operation, async ct =>
        {
            var byLeader = await GroupByLeaderAsync(pending, outcome, ct).ConfigureAwait(false);
            var calls = new List<Task<ListOffsetsResponse>>(byLeader.Count);
            foreach (var (leader, batch) in byLeader)
            {
                var connection = await _cluster.GetConnectionAsync(leader, ct).ConfigureAwait(false);
                calls.Add(SendAsync<ListOffsetsResponse>(connection, ApiKey.ListOffsets, minVersion, 10, _ =>
                {
                    var request = new ListOffsetsRequest { ReplicaId = -1, IsolationLevel = (sbyte)(readCommitted ? 1 : 0), TimeoutMs = BrokerTimeoutMs };
                    foreach (var (topic, list) in ByTopic(batch))
                    {
                        var t = new ListOffsetsRequest.ListOffsetsTopic { Name = topic };
                        foreach (var tp in list)
                            t.Partitions.Add(new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = tp.Partition, Timestamp = specs[tp].Timestamp });
                        request.Topics.Add(t);
                    }
                    return request;
                }, ct));
            }
            foreach (var response in await Task.WhenAll(calls).ConfigureAwait(false))
            {
                foreach (var t in response.Topics)
                {
                    foreach (var p in t.Partitions)
                    {
                        var tp = new TopicPartition(t.Name, p.PartitionIndex);
                        if (!pending.Contains(tp) || !outcome.Record($"partition {tp}", (ErrorCode)p.ErrorCode, null)) continue;
                        pending.Remove(tp);
                        if (p.ErrorCode == 0) result[tp] = new ListedOffset(p.Offset, p.Timestamp, p.LeaderEpoch);
                    }
                }
            }
            outcome.ThrowIfRetriable(operation);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        outcome.ThrowIfFailed(operation);
        return result;
    }

    /// <summary>
    /// Deletes every record before the given offset of each partition (-1 = up to the high watermark) and
    /// returns each partition's new low watermark (its earliest offset).
    /// </summary>
    public async Task<IReadOnlyDictionary<TopicPartition, long>> DeleteRecordsAsync(IReadOnlyDictionary<TopicPartition, long> beforeOffsets, CancellationToken cancellationToken = default)
    {
        const string operation = "DeleteRecords";
        var result = new Dictionary<TopicPartition, long>();
        var pending = new HashSet<TopicPartition>(beforeOffsets.Keys);
        if (pending.Count == 0) return result;
        var outcome = new Outcome();
        await RetryAsync(operation, async ct =>
        {
            var byLeader = await GroupByLeaderAsync(pending, outcome, ct).ConfigureAwait(false);
            var calls = new List<Task<DeleteRecordsResponse>>(byLeader.Count);
            foreach (var (leader, batch) in byLeader)
            {
                var connection = await _cluster.GetConnectionAsync(leader, ct).ConfigureAwait(false);
                calls.Add(SendAsync<DeleteRecordsResponse>(connection, ApiKey.DeleteRecords, 0, 2, _ =>
                {
                    var request = new DeleteRecordsRequest { TimeoutMs = BrokerTimeoutMs };
                    foreach (var (topic, list) in ByTopic(batch))
                    {
                        var t = new DeleteRecordsRequest.DeleteRecordsTopic { Name = topic };
                        foreach (var tp in list)
                            t.Partitions.Add(new DeleteRecordsRequest.DeleteRecordsPartition { PartitionIndex = tp.Partition, Offset = beforeOffsets[tp] });
                        request.Topics.Add(t);
                    }
                    return request;
                }, ct));
            }
            foreach (var response in await Task.WhenAll(calls).ConfigureAwait(false))
            {
                foreach (var t in response.Topics)
                {
                    foreach (var p in t.Partitions)
                    {
                        var tp = new TopicPartition(t.Name, p.PartitionIndex);
                        if (!pending.Contains(tp) || !outcome.Record($"partition {tp}", (ErrorCode)p.ErrorCode, null)) continue;
                        pending.Remove(tp);
                        if (p.ErrorCode == 0) result[tp] = p.LowWatermark;
                    }
                }
            }
            outcome.ThrowIfRetriable(operation);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        outcome.ThrowIfFailed(operation);
        return result;
    }

    /// <summary>
    /// Refreshes metadata for the partitions' topics and groups them by leader. Partitions that cannot be
    /// routed are recorded in <paramref name="outcome"/> (and dropped from <paramref name="pending"/> when fatal).
    /// </summary>
    private async Task<Dictionary<int, List<TopicPartition>>> GroupByLeaderAsync(HashSet<TopicPartition> pending, Outcome outcome, CancellationToken ct)
    {
        var topics = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tp in pending) topics.Add(tp.Topic);
        var metadata = await _cluster.RefreshMetadataAsync(topics, allowAutoCreate: false, cancellationToken: ct).ConfigureAwait(false);
        var byLeader = new Dictionary<int, List<TopicPartition>>();
        List<TopicPartition>? finished = null;
        foreach (var tp in pending)
        {
            var error = ErrorCode.None;
            var leader = -1;
            if (!metadata.Topics.TryGetValue(tp.Topic, out var topic))
            {
                error = ErrorCode.UnknownTopicOrPartition;
            }
            else if (topic.Error != ErrorCode.None)
            {
                error = topic.Error;
            }
            else
            {
                var p = topic.Partitions.FirstOrDefault(x => x.Partition == tp.Partition);
                if (p is null) error = ErrorCode.UnknownTopicOrPartition;
                else if (p.Leader < 0 || !metadata.Brokers.ContainsKey(p.Leader)) error = ErrorCode.LeaderNotAvailable;
                else leader = p.Leader;
            }
            if (error != ErrorCode.None)
            {
                var message = error == ErrorCode.UnknownTopicOrPartition ? "the topic or partition does not exist" : null;
                if (outcome.Record($"partition {tp}", error, message)) (finished ??= []).Add(tp);
                continue;
            }
            if (!byLeader.TryGetValue(leader, out var list)) byLeader[leader] = list = [];
            list.Add(tp);
        }
        if (finished is not null)
            foreach (var tp in finished) pending.Remove(tp);
        return byLeader;
    }

    private static Dictionary<string, List<TopicPartition>> ByTopic(IEnumerable<TopicPartition> partitions)
    {
        var byTopic = new Dictionary<string, List<TopicPartition>>(StringComparer.Ordinal);
        foreach (var tp in partitions)
        {
            if (!byTopic.TryGetValue(tp.Topic, out var list)) byTopic[tp.Topic] = list = [];
            list.Add(tp);
        }
        return byTopic;
    }
}
