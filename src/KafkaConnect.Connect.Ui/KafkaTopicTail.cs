using KafkaConnect.Client;
using KafkaConnect.Client.Admin;
using KafkaConnect.Client.Consumer;

namespace KafkaConnect.Connect.Ui;

/// <summary>
/// <see cref="ITopicTail"/> over the worker's Kafka client settings: end offsets from a shared admin client, records
/// from a short-lived consumer without a group (the view never commits or joins anything).
/// </summary>
public sealed class KafkaTopicTail : ITopicTail, IAsyncDisposable
{
    private static readonly TimeSpan s_requestTimeout = TimeSpan.FromSeconds(5);
    private readonly Dictionary<string, string> _consumerConfig;
    private readonly KafkaAdminClient _admin;
    private readonly int _tail;

    /// <param name="clientConfig">The worker's client settings (bootstrap servers, security).</param>
    /// <param name="tail">How many records before the end a partition the caller has not seen yet starts.</param>
    public KafkaTopicTail(IReadOnlyDictionary<string, string> clientConfig, int tail = 20)
    {
        ArgumentNullException.ThrowIfNull(clientConfig);
        _consumerConfig = new Dictionary<string, string>(clientConfig, StringComparer.Ordinal)
        {
            ["group.id"] = "",
            ["enable.auto.commit"] = "false",
            ["client.id"] = "connect-ui-tail",
        };
        var adminConfig = new Dictionary<string, string>(clientConfig, StringComparer.Ordinal) { ["client.id"] = "connect-ui-admin" };
        _admin = new KafkaAdminClient(adminConfig);
        _tail = tail;
    }

    public async Task<TopicSample> ReadAsync(string topic, IReadOnlyDictionary<int, long> after, int max, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(s_requestTimeout);
        IReadOnlyDictionary<string, TopicDescription> described;
        IReadOnlyDictionary<TopicPartition, ListedOffset> ends, starts;
        try
        {
            described = await _admin.DescribeTopicsAsync([topic], timeout.Token).ConfigureAwait(false);
            if (!described.TryGetValue(topic, out var description))
            {
                throw new TopicTailException(404, $"Topic {topic} not found.");
            }
            var partitions = description.Partitions.Select(p => new TopicPartition(topic, p.Partition)).ToList();
            ends = await _admin.ListOffsetsAsync(partitions, OffsetSpec.Latest, cancellationToken: timeout.Token).ConfigureAwait(false);
            starts = await _admin.ListOffsetsAsync(partitions, OffsetSpec.Earliest, cancellationToken: timeout.Token).ConfigureAwait(false);
        }
        catch (KafkaException ex) when (ex.Error == KafkaConnect.Protocol.ErrorCode.UnknownTopicOrPartition)
        {
            throw new TopicTailException(404, $"Topic {topic} not found.");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TopicTailException(504, $"Kafka did not describe topic {topic} within {s_requestTimeout.TotalSeconds:0} s.");
        }

        // Per partition: read [from, until); the positions answer says where the caller is once this returns.
        var ranges = new Dictionary<TopicPartition, (long From, long Until)>();
        var positions = new Dictionary<int, long>();
        foreach (var (tp, end) in ends)
        {
            var earliest = starts.TryGetValue(tp, out var s) ? s.Offset : 0;
            var from = after.TryGetValue(tp.Partition, out var seen) ? seen + 1 : end.Offset - Math.Min(_tail, max);
            from = Math.Max(from, earliest);
            var until = Math.Min(end.Offset, from + max);
            positions[tp.Partition] = from - 1;
            if (from < until)
            {
                ranges[tp] = (from, until);
            }
        }
        var records = ranges.Count == 0 ? [] : await ConsumeAsync(ranges, positions, timeout.Token).ConfigureAwait(false);
        return new TopicSample(topic, records, positions);
    }

    // Moves each partition's position past what was read, so a read cut short by the timeout resumes where it stopped.
    private async Task<List<SampledRecord>> ConsumeAsync(Dictionary<TopicPartition, (long From, long Until)> ranges, Dictionary<int, long> positions,
        CancellationToken ct)
    {
        var records = new List<SampledRecord>();
        var consumer = new KafkaConsumer(_consumerConfig);
        await using (consumer.ConfigureAwait(false))
        {
            consumer.Assign(ranges.Keys);
            foreach (var (tp, range) in ranges)
            {
                consumer.Seek(tp, range.From);
            }
            var open = new HashSet<TopicPartition>(ranges.Keys);
            while (open.Count > 0 && !ct.IsCancellationRequested)
            {
                IReadOnlyList<ConsumeResult> batch;
                try
                {
                    batch = await consumer.PollAsync(TimeSpan.FromMilliseconds(500), ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break; // what arrived so far is shown; the next call continues from it
                }
                foreach (var r in batch)
                {
                    var tp = r.TopicPartition;
                    if (!open.Contains(tp) || r.Offset >= ranges[tp].Until)
                    {
                        continue;
                    }
                    records.Add(new SampledRecord(r.Partition, r.Offset, r.Timestamp, r.Key, r.Value,
                        [.. r.Headers.Select(h => new KeyValuePair<string, ReadOnlyMemory<byte>?>(h.Key, h.Value))]));
                    positions[r.Partition] = r.Offset;
                    if (r.Offset + 1 >= ranges[tp].Until)
                    {
                        open.Remove(tp);
                    }
                }
                // Transaction markers and compacted gaps leave no record at the last offset: stop at the end position.
                foreach (var tp in open.Where(tp => consumer.Position(tp) is { } p && p >= ranges[tp].Until).ToList())
                {
                    positions[tp.Partition] = ranges[tp].Until - 1;
                    open.Remove(tp);
                }
            }
        }
        records.Sort((a, b) => a.Partition != b.Partition ? a.Partition.CompareTo(b.Partition) : a.Offset.CompareTo(b.Offset));
        return records;
    }

    public ValueTask DisposeAsync() => _admin.DisposeAsync();
}
