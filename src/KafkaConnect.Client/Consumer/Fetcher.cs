using KafkaConnect.Client.Metrics;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;
using KafkaConnect.Protocol.Records;

namespace KafkaConnect.Client.Consumer;

internal sealed record FetcherOptions(int MinBytes, int MaxBytes, int MaxWaitMs, int MaxPartitionBytes, bool ReadCommitted, bool CheckCrcs, bool AllowAutoCreate = true);

/// <summary>Records decoded from one partition's part of a fetch response.</summary>
internal sealed class FetchedChunk
{
    public required List<ConsumeResult> Records;
    public required long NextOffset;
    public required int Bytes;
    public required int Epoch;
    public int Next;
}

/// <summary>
/// Per-partition consumer state. <see cref="Position"/> is what the application has been given; <see cref="FetchOffset"/>
/// runs ahead of it by what is buffered. <see cref="Epoch"/> changes on every seek so data fetched for the old
/// position is dropped.
/// </summary>
internal sealed class PartitionState
{
    public PartitionState(TopicPartition partition) => Partition = partition;

    public TopicPartition Partition { get; }
    public long? Position;
    public long FetchOffset;
    public int Epoch;
    public bool Paused;
    public bool InFlight;
    public bool NeedsReset;
    public long LastCommitted = -1;
    public readonly Queue<FetchedChunk> Chunks = new();
    public int BufferedBytes;

    // From the last fetch response (written by the fetch task, read when lag metrics are collected); -1 = none yet.
    public long HighWatermark = -1;
    public long LastStableOffset = -1;
    public long LogStartOffset = -1;

    /// <summary>This partition's topic's consumed-records counters (looked up once).</summary>
    public ConsumerTopicMetrics? TopicMetrics;

    /// <summary>The labels of this partition's records-lag and records-lead series (made once, when first collected).</summary>
    public KeyValuePair<string, object?>[]? MetricTags;

    public void SeekTo(long offset)
    {
        Position = offset;
        FetchOffset = offset;
        NeedsReset = false;
        Epoch++;
        Chunks.Clear();
        BufferedBytes = 0;
    }
}

/// <summary>
/// Background fetching: one request per leader broker in flight, for partitions whose buffer has room, so the next
/// fetch overlaps the application's processing of the previous one. Shares the consumer's lock and partition map.
/// </summary>
internal sealed class Fetcher
{
    private readonly KafkaCluster _cluster;
    private readonly object _lock;
    private readonly Dictionary<TopicPartition, PartitionState> _assigned;
    private readonly FetcherOptions _options;
    private readonly ConsumerMetrics _metrics;
    private readonly HashSet<int> _nodesInFlight = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly int _bufferLimit;
    private TaskCompletionSource _wake = NewSignal();
    private TaskCompletionSource _data = NewSignal();
    private Task? _loop;
    private Exception? _error;
    private bool _metadataStale;
    private int _drainStart;

    public Fetcher(KafkaCluster cluster, object gate, Dictionary<TopicPartition, PartitionState> assigned, FetcherOptions options, ConsumerMetrics metrics)
    {
        _cluster = cluster;
        _metrics = metrics;
        _lock = gate;
        _assigned = assigned;
        _options = options;
        // Prefetch up to two partition-fetches per partition before waiting for the application.
        _bufferLimit = Math.Max(options.MaxPartitionBytes, 64 * 1024) * 2;
    }

    /// <summary>Completes when new data was buffered (read under the lock, before draining).</summary>
    public Task DataSignal => _data.Task;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal string Describe()
    {
        lock (_lock)
            return $"loop={_loop?.Status} nodes=[{string.Join(",", _nodesInFlight)}] stale={_metadataStale} md=[{string.Join(",", _cluster.Metadata.Topics.Keys)}] brokers=[{string.Join(",", _cluster.Metadata.Brokers.Keys)}] "
                + string.Join(" ", _assigned.Values.Select(s => $"{s.Partition}:pos={s.Position},fo={s.FetchOffset},if={s.InFlight},buf={s.BufferedBytes},ch={s.Chunks.Count},ep={s.Epoch},leader={Leader(_cluster.Metadata, s.Partition)}"));
    }

    public void Start() => _loop ??= Task.Run(LoopAsync);

    public void Wake()
    {
        lock (_lock) _wake.TrySetResult();
    }

    public void ThrowPendingError()
    {
        Exception? e;
        lock (_lock)
        {
            e = _error;
            _error = null;
        }
        if (e is not null) throw e;
    }

    public async Task StopAsync()
    {
        _stop.Cancel();
        Wake();
        if (_loop is not null)
        {
            try { await _loop.ConfigureAwait(false); } catch (OperationCanceledException) { }
        }
    }

    private async Task LoopAsync()
    {
        var ct = _stop.Token;
        var attempt = 0;
        while (!ct.IsCancellationRequested)
        {
            Task wake;
            var requests = new Dictionary<int, List<(PartitionState State, long Offset, int Epoch)>>();
            var missingLeader = false;
            lock (_lock)
            {
                if (_wake.Task.IsCompleted) _wake = NewSignal();
                wake = _wake.Task;
                var md = _cluster.Metadata;
                foreach (var s in _assigned.Values)
                {
                    if (s.Position is null || s.NeedsReset || s.Paused || s.InFlight || s.BufferedBytes >= _bufferLimit) continue;
                    var leader = Leader(md, s.Partition);
                    if (leader < 0) { missingLeader = true; continue; }
                    if (_nodesInFlight.Contains(leader)) continue;
                    if (!requests.TryGetValue(leader, out var list)) requests[leader] = list = new();
                    list.Add((s, s.FetchOffset, s.Epoch));
                }
                foreach (var (node, list) in requests)
                {
                    _nodesInFlight.Add(node);
                    foreach (var (s, _, _) in list) s.InFlight = true;
                }
            }
            foreach (var (node, list) in requests) _ = FetchAsync(node, list, ct);
            if (missingLeader || _metadataStale)
            {
                try
                {
                    _metadataStale = false;
                    await _cluster.RefreshMetadataAsync(allowAutoCreate: _options.AllowAutoCreate, cancellationToken: ct).ConfigureAwait(false);
                    attempt = 0;
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex) when (ex is KafkaConnectionException or KafkaException)
                {
                    attempt++;
                }
                if (missingLeader)
                {
                    try { await Task.Delay(_cluster.Backoff(attempt), ct).ConfigureAwait(false); }
                    catch (OperationCanceledException) { return; }
                    continue;
                }
            }
            try
            {
                await wake.WaitAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static int Leader(ClusterMetadata md, TopicPartition tp)
    {
        if (!md.Topics.TryGetValue(tp.Topic, out var t) || tp.Partition >= t.Partitions.Count) return -1;
        var p = t.Partitions[tp.Partition];
        return p.Partition == tp.Partition && md.Brokers.ContainsKey(p.Leader) ? p.Leader : -1;
    }

    private async Task FetchAsync(int node, List<(PartitionState State, long Offset, int Epoch)> partitions, CancellationToken ct)
    {
        var failed = false;
        try
        {
            var connection = await _cluster.GetConnectionAsync(node, ct).ConfigureAwait(false);
            var version = connection.NegotiateVersion(ApiKey.Fetch, 4, 12);
            var request = new FetchRequest
            {
                ReplicaId = -1,
                MaxWaitMs = _options.MaxWaitMs,
                MinBytes = _options.MinBytes,
                MaxBytes = _options.MaxBytes,
                IsolationLevel = (sbyte)(_options.ReadCommitted ? 1 : 0),
                SessionId = 0,
                SessionEpoch = -1,
            };
            var byTopic = new Dictionary<string, FetchRequest.FetchTopic>(StringComparer.Ordinal);
            foreach (var (s, offset, _) in partitions)
            {
                if (!byTopic.TryGetValue(s.Partition.Topic, out var ft))
                {
                    byTopic[s.Partition.Topic] = ft = new FetchRequest.FetchTopic { Topic = s.Partition.Topic };
                    request.Topics.Add(ft);
                }
                ft.Partitions.Add(new FetchRequest.FetchPartition
                {
                    Partition = s.Partition.Partition,
                    FetchOffset = offset,
                    CurrentLeaderEpoch = -1,
                    LastFetchedEpoch = -1,
                    LogStartOffset = -1,
                    PartitionMaxBytes = _options.MaxPartitionBytes,
                });
            }
            var started = Environment.TickCount64;
            var response = await connection.SendAsync<FetchResponse>(ApiKey.Fetch, version, request, ct).ConfigureAwait(false);
            Interlocked.Increment(ref _metrics.Fetches);
            _metrics.FetchLatencyMs.Record(Environment.TickCount64 - started);
            if (response.ErrorCode != 0)
            {
                failed = true;
                _metadataStale = true;
                return;
            }
            var requested = new Dictionary<TopicPartition, (PartitionState State, long Offset, int Epoch)>(partitions.Count);
            foreach (var p in partitions) requested[p.State.Partition] = p;
            var records = 0;
            foreach (var t in response.Responses)
            {
                foreach (var pd in t.Partitions)
                {
                    var tp = new TopicPartition(t.Topic, pd.PartitionIndex);
                    if (!requested.TryGetValue(tp, out var req)) continue;
                    records += HandlePartition(tp, req.State, req.Offset, req.Epoch, pd);
                }
            }
            _metrics.RecordsPerRequest.Record(records);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is KafkaConnectionException or KafkaException)
        {
            failed = true;
            _metadataStale = true;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // Anything unexpected surfaces from the next poll rather than vanishing with this task.
            failed = true;
            lock (_lock) _error ??= ex;
        }
        finally
        {
            lock (_lock)
            {
                _nodesInFlight.Remove(node);
                foreach (var (s, _, _) in partitions) s.InFlight = false;
                _data.TrySetResult();
                _data = NewSignal();
            }
            if (failed && !ct.IsCancellationRequested)
            {
                try { await Task.Delay(_cluster.Backoff(1), ct).ConfigureAwait(false); } catch (OperationCanceledException) { }
            }
            Wake();
        }
    }

    /// <summary>Buffers one partition's records; returns how many it decoded.</summary>
    private int HandlePartition(TopicPartition tp, PartitionState state, long offset, int epoch, FetchResponse.PartitionData pd)
    {
        var error = (ErrorCode)pd.ErrorCode;
        if (error != ErrorCode.None)
        {
            lock (_lock)
            {
                if (state.Epoch != epoch || !_assigned.TryGetValue(tp, out var current) || current != state) return 0;
                if (error == ErrorCode.OffsetOutOfRange)
                {
                    // Only when nothing before the bad offset is still waiting to be returned.
                    if (state.Position == offset) state.NeedsReset = true;
                }
                else if (error is ErrorCode.UnknownTopicOrPartition or ErrorCode.NotLeaderOrFollower or ErrorCode.FencedLeaderEpoch
                    or ErrorCode.UnknownLeaderEpoch or ErrorCode.LeaderNotAvailable or ErrorCode.KafkaStorageError or ErrorCode.ReplicaNotAvailable)
                {
                    _metadataStale = true;
                }
                else
                {
                    _error ??= new KafkaException(error, $"Fetching {tp} failed: {error}.");
                }
            }
            return 0;
        }
        Volatile.Write(ref state.HighWatermark, pd.HighWatermark);
        Volatile.Write(ref state.LastStableOffset, pd.LastStableOffset);
        Volatile.Write(ref state.LogStartOffset, pd.LogStartOffset);
        if (pd.Records is not { Length: > 0 } data) return 0;

        FetchedChunk chunk;
        try
        {
            chunk = Decode(tp, data, offset, epoch, pd.AbortedTransactions);
        }
        catch (Exception ex) when (ex is ProtocolException or UnsupportedCompressionException or InvalidDataException)
        {
            lock (_lock) _error ??= new KafkaException(ErrorCode.CorruptMessage, $"Records of {tp} at offset {offset} cannot be read: {ex.Message}");
            return 0;
        }
        if (chunk.NextOffset <= offset) return 0;
        var decoded = chunk.Records.Count;
        lock (_lock)
        {
            if (state.Epoch != epoch || state.FetchOffset != offset || !_assigned.TryGetValue(tp, out var current) || current != state) return 0;
            state.FetchOffset = chunk.NextOffset;
            if (chunk.Records.Count == 0 && state.Chunks.Count == 0)
            {
                // Only control or aborted records: move the position past them.
                state.Position = chunk.NextOffset;
                return 0;
            }
            state.Chunks.Enqueue(chunk);
            state.BufferedBytes += chunk.Bytes;
        }
        return decoded;
    }

    private FetchedChunk Decode(TopicPartition tp, ReadOnlyMemory<byte> data, long fetchOffset, int epoch, List<FetchResponse.AbortedTransaction>? aborted)
    {
        var records = new List<ConsumeResult>();
        var next = fetchOffset;
        HashSet<long>? abortedProducers = null;
        Queue<FetchResponse.AbortedTransaction>? abortQueue = null;
        if (_options.ReadCommitted && aborted is { Count: > 0 })
        {
            abortQueue = new Queue<FetchResponse.AbortedTransaction>(aborted.OrderBy(a => a.FirstOffset));
            abortedProducers = new HashSet<long>();
        }
        var batches = RecordBatchCodec.EnumerateBatches(data);
        while (batches.MoveNext())
        {
            var (header, bytes) = batches.Current;
            if (header.LastOffset < fetchOffset) { continue; }
            if (abortQueue is not null)
            {
                while (abortQueue.TryPeek(out var a) && a.FirstOffset <= header.LastOffset)
                {
                    abortedProducers!.Add(a.ProducerId);
                    abortQueue.Dequeue();
                }
            }
            if (header.IsControl)
            {
                // A transaction marker ends the producer's aborted range.
                abortedProducers?.Remove(header.ProducerId);
                next = header.LastOffset + 1;
                continue;
            }
            if (abortedProducers is not null && header.IsTransactional && abortedProducers.Contains(header.ProducerId))
            {
                next = header.LastOffset + 1;
                continue;
            }
            RecordDecoder.Decode(header, bytes, tp.Topic, tp.Partition, fetchOffset, _options.CheckCrcs, records);
            next = header.LastOffset + 1;
        }
        return new FetchedChunk { Records = records, NextOffset = next, Bytes = batches.Position, Epoch = epoch };
    }

    /// <summary>Up to <paramref name="max"/> buffered records, advancing positions; call under the lock.</summary>
    public List<ConsumeResult> Drain(int max)
    {
        var result = new List<ConsumeResult>(Math.Min(max, 1024));
        if (_assigned.Count == 0) return result;
        var states = _assigned.Values.ToArray();
        var freed = false;
        long bytes = 0;
        for (var k = 0; k < states.Length && result.Count < max; k++)
        {
            var s = states[(_drainStart + k) % states.Length];
            if (s.Paused || s.Position is null) continue;
            var before = result.Count;
            long partitionBytes = 0;
            while (result.Count < max && s.Chunks.TryPeek(out var chunk))
            {
                if (chunk.Epoch != s.Epoch)
                {
                    s.Chunks.Dequeue();
                    continue;
                }
                var position = s.Position.Value;
                var list = chunk.Records;
                while (chunk.Next < list.Count && result.Count < max)
                {
                    var r = list[chunk.Next++];
                    if (r.Offset < position) continue;
                    result.Add(r);
                    position = r.Offset + 1;
                }
                if (chunk.Next >= list.Count)
                {
                    position = Math.Max(position, chunk.NextOffset);
                    s.Chunks.Dequeue();
                    s.BufferedBytes -= chunk.Bytes;
                    partitionBytes += chunk.Bytes;
                    freed = true;
                }
                s.Position = position;
            }
            // Per partition and poll, not per record. A chunk's bytes count once it is fully handed out.
            if (result.Count > before || partitionBytes > 0)
            {
                var topic = s.TopicMetrics ??= _metrics.Topic(s.Partition.Topic);
                Interlocked.Add(ref topic.RecordsConsumed, result.Count - before);
                Interlocked.Add(ref topic.BytesConsumed, partitionBytes);
                bytes += partitionBytes;
            }
        }
        if (result.Count > 0) Interlocked.Add(ref _metrics.RecordsConsumed, result.Count);
        if (bytes > 0) Interlocked.Add(ref _metrics.BytesConsumed, bytes);
        _drainStart = (_drainStart + 1) % Math.Max(states.Length, 1);
        if (freed) _wake.TrySetResult();
        return result;
    }

    /// <summary>Offsets for a timestamp (-2 earliest, -1 latest) from each partition's leader.</summary>
    public async Task<Dictionary<TopicPartition, long>> ListOffsetsAsync(IReadOnlyList<TopicPartition> partitions, long timestamp, CancellationToken ct)
    {
        var result = new Dictionary<TopicPartition, long>();
        var attempt = 0;
        var deadline = Environment.TickCount64 + (long)_cluster.Options.RequestTimeout.TotalMilliseconds;
        var pending = partitions.ToList();
        while (pending.Count > 0)
        {
            var md = _cluster.Metadata;
            if (pending.Exists(tp => Leader(md, tp) < 0))
                md = await _cluster.RefreshMetadataAsync(pending.Select(tp => tp.Topic).Distinct().ToList(), allowAutoCreate: _options.AllowAutoCreate, cancellationToken: ct).ConfigureAwait(false);
            var retry = new List<TopicPartition>();
            foreach (var group in pending.GroupBy(tp => Leader(md, tp)))
            {
                if (group.Key < 0) { retry.AddRange(group); continue; }
                try
                {
                    var connection = await _cluster.GetConnectionAsync(group.Key, ct).ConfigureAwait(false);
                    var version = connection.NegotiateVersion(ApiKey.ListOffsets, 1, 7);
                    var request = new ListOffsetsRequest { ReplicaId = -1, IsolationLevel = (sbyte)(_options.ReadCommitted ? 1 : 0) };
                    foreach (var byTopic in group.GroupBy(tp => tp.Topic))
                    {
                        var t = new ListOffsetsRequest.ListOffsetsTopic { Name = byTopic.Key };
                        foreach (var tp in byTopic)
                            t.Partitions.Add(new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = tp.Partition, Timestamp = timestamp, CurrentLeaderEpoch = -1 });
                        request.Topics.Add(t);
                    }
                    var response = await connection.SendAsync<ListOffsetsResponse>(ApiKey.ListOffsets, version, request, ct).ConfigureAwait(false);
                    foreach (var t in response.Topics)
                    {
                        foreach (var p in t.Partitions)
                        {
                            var tp = new TopicPartition(t.Name, p.PartitionIndex);
                            var error = (ErrorCode)p.ErrorCode;
                            if (error == ErrorCode.None) result[tp] = p.Offset;
                            else if (KafkaException.IsRetriableError(error)) retry.Add(tp);
                            else throw new KafkaException(error, $"ListOffsets for {tp} failed: {error}.");
                        }
                    }
                }
                catch (KafkaConnectionException)
                {
                    retry.AddRange(group);
                }
            }
            pending = retry;
            if (pending.Count == 0) break;
            if (Environment.TickCount64 > deadline)
                throw new KafkaException(ErrorCode.RequestTimedOut, $"ListOffsets for {string.Join(", ", pending)} did not succeed within request.timeout.ms.");
            await _cluster.RefreshMetadataAsync(pending.Select(tp => tp.Topic).Distinct().ToList(), allowAutoCreate: _options.AllowAutoCreate, cancellationToken: ct).ConfigureAwait(false);
            await Task.Delay(_cluster.Backoff(attempt++), ct).ConfigureAwait(false);
        }
        return result;
    }
}
