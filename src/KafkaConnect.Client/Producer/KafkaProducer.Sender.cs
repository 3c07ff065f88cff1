using System.Net.Sockets;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;
using KafkaConnect.Client.Metrics;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Client.Producer;

// The sender: one background loop closes lingering batches, expires old ones, and per broker drains at most
// one batch per partition into a produce request, keeping up to max.in.flight requests pipelined on that
// broker's connection. Responses complete, retry or fail batches and wake the loop.
public sealed partial class KafkaProducer
{
    /// <summary>The broker keeps the last five batches per producer and partition for duplicate detection.</summary>
    private const int MaxInFlightPerPartition = 5;

    private readonly Dictionary<int, NodeState> _nodes = new();
    private readonly List<ProducerBatch> _expired = new();
    private long _producerId = -1;
    private short _producerEpoch = -1;
    private volatile bool _needsReset;
    private int _totalInFlight;
    private long _sendOrder;
    private int _metadataRefreshing;
    private volatile bool _metadataWanted;
    private long _retriedBatches;
    private long _splitBatches;
    private long _resets;
    private long _requestsSent;
    private long _batchesSent;
    private long _requestTicks;

    /// <summary>Produce requests sent, batches they carried, and summed send-to-response time (diagnostics, benchmarks).</summary>
    internal (long Requests, long Batches, TimeSpan RoundTrips) SendStats
        => (Interlocked.Read(ref _requestsSent), Interlocked.Read(ref _batchesSent), TimeSpan.FromTicks(Interlocked.Read(ref _requestTicks)));

    /// <summary>Batches sent again after a retriable error (for tests and diagnostics).</summary>
    internal long RetriedBatches => Interlocked.Read(ref _retriedBatches);

    /// <summary>Batches split in two after the broker refused them as too large.</summary>
    internal long SplitBatches => Interlocked.Read(ref _splitBatches);

    /// <summary>Batches sent and not yet answered.</summary>
    internal int InFlightBatches => Volatile.Read(ref _totalInFlight);

    /// <summary>Producer id re-initialisations after a sequence problem.</summary>
    internal long Resets => Interlocked.Read(ref _resets);

    private sealed class NodeState
    {
        public NodeState(int id) => Id = id;

        public int Id { get; }
        public volatile KafkaConnection? Connection;
        public volatile Task? Connecting;
        public short Version;
        public int InFlight;
        public List<ProducerBatch>? Drained;
        public int DrainedBytes;
    }

    private async Task SenderLoopAsync()
    {
        var attempt = 0;
        while (!_stop.IsCancellationRequested)
        {
            Volatile.Write(ref _wakePending, 0);
            long waitMs;
            try
            {
                var canSend = true;
                if (_options.Idempotent && (_producerId < 0 || _needsReset))
                {
                    canSend = false;
                    if (Volatile.Read(ref _totalInFlight) == 0)
                    {
                        await InitProducerIdAsync().ConfigureAwait(false);
                        canSend = true;
                    }
                }
                waitMs = Drain(NowMs, canSend);
                attempt = 0;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (IsTransient(ex))
            {
                // The brokers are unreachable or busy: queued batches wait for the next attempt (up to delivery.timeout.ms).
                if (attempt == 0) _logger.LogWarning("Producer {ClientId}: sending is held up and will be retried: {Error}", _options.Cluster.ClientId, ex.Message);
                else _logger.LogDebug("Producer {ClientId}: sending is still held up (attempt {Attempt}): {Error}", _options.Cluster.ClientId, attempt + 1, ex.Message);
                waitMs = (long)_cluster.Backoff(attempt++).TotalMilliseconds;
                FailExpired(NowMs);
            }
#pragma warning disable CA1031 // The loop must survive anything; what it cannot send is failed, not dropped.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                // Retrying will not help (e.g. the producer id was refused): tell the callers now rather than let their
                // records wait out delivery.timeout.ms (for ever in Connect) without a word.
                var failed = FailQueued(ex);
                _logger.LogError(ex, "Producer {ClientId}: the sender failed; {Count} queued batch(es) failed with it", _options.Cluster.ClientId, failed);
                waitMs = (long)_cluster.Backoff(attempt++).TotalMilliseconds;
                FailExpired(NowMs);
            }
            if (_metadataWanted || _cluster.IsMetadataStale) RefreshMetadataInBackground();
            if (waitMs <= 0) continue;
            try
            {
                await _wake.WaitAsync(TimeSpan.FromMilliseconds(Math.Min(waitMs, 1000)), _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private static bool IsTransient(Exception ex) => ex is KafkaConnectionException or TimeoutException or IOException or SocketException or OperationCanceledException
        || ex is KafkaException { IsRetriable: true };

    /// <summary>Fails every batch that is queued and not in flight (in flight ones end with their responses); returns how many.</summary>
    private int FailQueued(Exception cause)
    {
        var failed = new List<ProducerBatch>();
        foreach (var topic in _topicList)
        {
            foreach (var p in topic.Partitions)
            {
                lock (p.Lock)
                {
                    if (p.Open is not null) CloseOpen(p);
                    foreach (var batch in p.Ready)
                    {
                        failed.Add(batch);
                        // A batch that had a sequence will never be stored: later sequences would not line up.
                        if (_options.Idempotent && batch.IsSealed) _needsReset = true;
                    }
                    p.Ready.Clear();
                    p.Retrying = false;
                }
            }
        }
        foreach (var batch in failed) FinishBatch(batch, cause, -1, -1);
        return failed.Count;
    }

    /// <summary>Batches drained for a request that could not be built: they fail with the cause instead of staying in flight for ever.</summary>
    private void FailUnsent(List<ProducerBatch> batches, Exception cause)
    {
        foreach (var batch in batches)
        {
            lock (batch.Owner.Lock)
            {
                batch.Owner.InFlight--;
                if (_options.Idempotent && batch.BaseSequence >= 0) _needsReset = true;
            }
            FinishBatch(batch, cause, -1, -1);
        }
        _logger.LogError(cause, "Producer {ClientId}: {Count} batch(es) could not be encoded and failed", _options.Cluster.ClientId, batches.Count);
    }

    /// <summary>One pass over all partitions; returns how long the loop may sleep (0 = go again now).</summary>
    private long Drain(long now, bool canSend)
    {
        var nextWake = now + 1000;
        var more = false;
        var flushing = Volatile.Read(ref _flushing) > 0 || _closing;
        var maxRequest = _options.MaxRequestSize;
        List<NodeState>? busy = null;
        foreach (var topic in _topicList)
        {
            foreach (var p in topic.Partitions)
            {
                lock (p.Lock)
                {
                    if (p.Open is { } open)
                    {
                        if (flushing || now - open.CreatedMs >= _options.LingerMs) CloseOpen(p);
                        else nextWake = Math.Min(nextWake, open.CreatedMs + _options.LingerMs);
                    }
                    if (p.Ready.Count == 0) continue;
                    ExpireReady(p, now);
                    if (p.Ready.First is not { } first) continue;
                    nextWake = Math.Min(nextWake, first.Value.DeadlineMs);
                    if (!canSend) continue;
                    if (p.Retrying)
                    {
                        if (p.InFlight > 0) continue;
                        if (now < p.RetryAtMs)
                        {
                            nextWake = Math.Min(nextWake, p.RetryAtMs);
                            continue;
                        }
                        p.Retrying = false;
                    }
                    if (_options.Idempotent && p.InFlight >= MaxInFlightPerPartition) continue;
                    // Halves of a refused batch go one at a time, so a half refused again is split and requeued before
                    // its sibling is sent: the records keep their order with or without idempotence.
                    if (first.Value.Parent is not null && p.InFlight > 0) continue;
                    var leader = LeaderOf(p);
                    if (leader < 0)
                    {
                        _metadataWanted = true;
                        continue;
                    }
                    var node = NodeFor(leader);
                    if (!IsReady(node) || Volatile.Read(ref node.InFlight) >= _options.MaxInFlight) continue;
                    var batch = first.Value;
                    var size = batch.IsSealed ? batch.PayloadLength : batch.EstimatedSize;
                    if (node.Drained is { Count: > 0 } && node.DrainedBytes + size > maxRequest)
                    {
                        more = true;
                        continue;
                    }
                    p.Ready.RemoveFirst();
                    if (!batch.IsSealed)
                    {
                        var sequence = -1;
                        if (_options.Idempotent)
                        {
                            sequence = p.NextSequence;
                            p.NextSequence = IncrementSequence(sequence, batch.Count);
                        }
                        batch.BaseSequence = sequence;
                        batch.SendOrder = _sendOrder++;
                    }
                    batch.Attempts++;
                    p.InFlight++;
                    (node.Drained ??= new List<ProducerBatch>()).Add(batch);
                    node.DrainedBytes += size;
                    if (node.Drained.Count == 1) (busy ??= new List<NodeState>()).Add(node);
                    if (p.Ready.Count > 0) more = true;
                }
            }
        }
        FailExpired(now);
        if (busy is not null)
        {
            foreach (var node in busy)
            {
                var batches = node.Drained!;
                node.Drained = null;
                node.DrainedBytes = 0;
                // Encoding and compression happen here, outside the partition locks; only this loop seals batches.
                try
                {
                    foreach (var b in batches)
                    {
                        if (b.IsSealed) continue;
                        b.Seal(_producerId, _producerEpoch, b.BaseSequence, ReturnBuilder);
                        _metrics.BatchSealed(b.PayloadLength, b.MaxRecordSize, now - b.CreatedMs);
                    }
                }
#pragma warning disable CA1031 // Whatever broke the encoding is reported through the batches' outcomes.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    FailUnsent(batches, ex);
                    continue;
                }
                Interlocked.Increment(ref node.InFlight);
                Interlocked.Add(ref _totalInFlight, batches.Count);
                _ = SendAsync(node, node.Connection!, batches);
            }
        }
        return more ? 0 : nextWake - now;
    }

    private static int IncrementSequence(int sequence, int count)
        => sequence > int.MaxValue - count ? count - (int.MaxValue - sequence) - 1 : sequence + count;

    /// <summary>
    /// Moves batches past delivery.timeout.ms out of the queue (the caller holds the partition lock). A partition's
    /// batches are created in queue order and retries go back in their original order, so deadlines never decrease
    /// along the queue: the scan stops at the first live batch instead of walking every queued batch on each drain.
    /// </summary>
    private void ExpireReady(PartitionQueue p, long now)
    {
        while (p.Ready.First is { } node && now >= node.Value.DeadlineMs)
        {
            p.Ready.RemoveFirst();
            _expired.Add(node.Value);
            // It may have been stored before its response was lost: the sequence can no longer continue.
            if (_options.Idempotent && node.Value.IsSealed) _needsReset = true;
        }
    }

    private void FailExpired(long now)
    {
        if (_expired.Count == 0) return;
        foreach (var batch in _expired)
        {
            var p = batch.Owner;
            FinishBatch(batch, new TimeoutException(
                $"Expiring {batch.Count} record(s) for {p.Topic.Name}-{p.Partition}: {now - batch.CreatedMs} ms has passed since batch creation (delivery.timeout.ms={_options.DeliveryTimeoutMs})."), -1, -1);
        }
        _expired.Clear();
    }

    private int LeaderOf(PartitionQueue p)
    {
        var md = _cluster.Metadata;
        if (ReferenceEquals(md, p.LeaderFrom)) return p.Leader;
        var leader = -1;
        if (md.Topics.TryGetValue(p.Topic.Name, out var tm))
        {
            var parts = tm.Partitions;
            PartitionMetadata? pm = p.Partition < parts.Count && parts[p.Partition].Partition == p.Partition ? parts[p.Partition] : null;
            if (pm is null)
            {
                foreach (var candidate in parts)
                {
                    if (candidate.Partition == p.Partition) pm = candidate;
                }
            }
            if (pm is not null && pm.Error is ErrorCode.None or ErrorCode.ReplicaNotAvailable && md.Brokers.ContainsKey(pm.Leader)) leader = pm.Leader;
        }
        p.LeaderFrom = md;
        p.Leader = leader;
        return leader;
    }

    private NodeState NodeFor(int id)
    {
        if (!_nodes.TryGetValue(id, out var node)) _nodes[id] = node = new NodeState(id);
        return node;
    }

    /// <summary>True when the node has a live connection; otherwise starts connecting (the loop is woken when done).</summary>
    private bool IsReady(NodeState node)
    {
        if (node.Connection is { IsClosed: false }) return true;
        node.Connection = null;
        if (node.Connecting is null or { IsCompleted: true }) node.Connecting = ConnectAsync(node);
        return false;
    }

    private async Task ConnectAsync(NodeState node)
    {
        try
        {
            var connection = await _cluster.GetConnectionAsync(node.Id, _stop.Token).ConfigureAwait(false);
            node.Version = connection.NegotiateVersion(ApiKey.Produce, 3, 11);
            node.Connection = connection;
        }
#pragma warning disable CA1031 // Unreachable brokers are retried (with the cluster's reconnect backoff) until records expire.
        catch (Exception)
#pragma warning restore CA1031
        {
            _metadataWanted = true;
            if (!_stop.IsCancellationRequested) await Task.Delay(_options.Cluster.ReconnectBackoff).ConfigureAwait(false);
        }
        finally
        {
            WakeSender();
        }
    }

    private void RefreshMetadataInBackground()
    {
        if (_topics.IsEmpty || Interlocked.CompareExchange(ref _metadataRefreshing, 1, 0) != 0) return;
        _metadataWanted = false;
        _ = Task.Run(async () =>
        {
            try
            {
                var md = await _cluster.RefreshMetadataAsync(cancellationToken: _stop.Token).ConfigureAwait(false);
                foreach (var topic in _topicList)
                {
                    if (md.Topics.TryGetValue(topic.Name, out var tm) && tm.Error == ErrorCode.None && tm.Partitions.Count > topic.Partitions.Length)
                        topic.Grow(tm.Partitions.Count);
                }
            }
#pragma warning disable CA1031 // A failed refresh is retried on the next pass.
            catch (Exception)
#pragma warning restore CA1031
            {
                _metadataWanted = true;
                if (!_stop.IsCancellationRequested) await Task.Delay(_options.Cluster.RetryBackoff).ConfigureAwait(false);
            }
            finally
            {
                Volatile.Write(ref _metadataRefreshing, 0);
                WakeSender();
            }
        });
    }

    private ProduceRequest BuildRequest(List<ProducerBatch> batches)
    {
        var request = new ProduceRequest
        {
            Acks = _options.Acks,
            TimeoutMs = (int)Math.Min(_options.Cluster.RequestTimeout.TotalMilliseconds, int.MaxValue),
        };
        ProduceRequest.TopicProduceData? current = null;
        foreach (var b in batches)
        {
            var topic = b.Owner.Topic.Name;
            if (current is null || !string.Equals(current.Name, topic, StringComparison.Ordinal))
            {
                current = null;
                foreach (var t in request.TopicData)
                {
                    if (string.Equals(t.Name, topic, StringComparison.Ordinal)) current = t;
                }
                if (current is null)
                {
                    current = new ProduceRequest.TopicProduceData { Name = topic };
                    request.TopicData.Add(current);
                }
            }
            current.PartitionData.Add(new ProduceRequest.PartitionProduceData { Index = b.Owner.Partition, Records = b.Records });
        }
        return request;
    }

    private async Task SendAsync(NodeState node, KafkaConnection connection, List<ProducerBatch> batches)
    {
        var started = _time.GetTimestamp();
        Interlocked.Increment(ref _requestsSent);
        Interlocked.Add(ref _batchesSent, batches.Count);
        Interlocked.Increment(ref _metrics.RequestsInFlight);
        CountSent(batches);
        try
        {
            var request = BuildRequest(batches);
            if (_options.Acks == 0)
            {
                await connection.SendWithoutResponseAsync(ApiKey.Produce, node.Version, request, CancellationToken.None).ConfigureAwait(false);
                foreach (var b in batches) HandleResult(b, ErrorCode.None, null, -1, -1, null);
                return;
            }
            var response = await connection.SendAsync<ProduceResponse>(ApiKey.Produce, node.Version, request, CancellationToken.None).ConfigureAwait(false);
            _metrics.RequestLatencyMs.Record(_time.GetElapsedTime(started).TotalMilliseconds);
            _metrics.ThrottleTimeMs.Record(response.ThrottleTimeMs);
            foreach (var b in batches)
            {
                var pr = FindPartition(response, b.Owner.Topic.Name, b.Owner.Partition);
                if (pr is null) HandleResult(b, ErrorCode.NetworkException, "The produce response did not mention this partition.", -1, -1, null);
                else HandleResult(b, (ErrorCode)pr.ErrorCode, pr.ErrorMessage, pr.BaseOffset, pr.LogAppendTimeMs, null);
            }
        }
#pragma warning disable CA1031 // Any failure of the exchange is a failure of each batch in it, retried or reported per batch.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (!IsTransient(ex)) _logger.LogError(ex, "Producer {ClientId}: a produce request to broker {Node} failed", _options.Cluster.ClientId, node.Id);
            foreach (var b in batches) HandleResult(b, ErrorCode.NetworkException, ex.Message, -1, -1, ex);
        }
        finally
        {
            Interlocked.Add(ref _requestTicks, _time.GetElapsedTime(started).Ticks);
            Interlocked.Decrement(ref _metrics.RequestsInFlight);
            Interlocked.Decrement(ref node.InFlight);
            WakeSender();
        }
    }

    /// <summary>record-send-total and the topics' record and byte totals, per batch (retried batches count again, as in Apache).</summary>
    private void CountSent(List<ProducerBatch> batches)
    {
        var records = 0;
        foreach (var b in batches)
        {
            var topic = b.Owner.Topic.Metrics;
            Interlocked.Add(ref topic.RecordsSent, b.Count);
            Interlocked.Add(ref topic.Bytes, b.PayloadLength);
            records += b.Count;
        }
        Interlocked.Add(ref _metrics.RecordsSent, records);
        _metrics.RecordsPerRequest.Record(records);
    }

    private static ProduceResponse.PartitionProduceResponse? FindPartition(ProduceResponse response, string topic, int partition)
    {
        foreach (var t in response.Responses)
        {
            if (!string.Equals(t.Name, topic, StringComparison.Ordinal)) continue;
            foreach (var p in t.PartitionResponses)
            {
                if (p.Index == partition) return p;
            }
        }
        return null;
    }

    /// <summary>Completes, requeues or fails one batch after its request finished.</summary>
    private void HandleResult(ProducerBatch batch, ErrorCode error, string? message, long baseOffset, long logAppendTime, Exception? transportError)
    {
        var p = batch.Owner;
        Exception? failure = null;
        var now = NowMs;
        lock (p.Lock)
        {
            // Split before this batch stops counting as in flight, so a producer reset cannot start in between.
            var split = error == ErrorCode.MessageTooLarge && transportError is null && batch.Count > 1 && batch.IsSealed
                && !_stop.IsCancellationRequested && TrySplit(p, batch, now, message);
            p.InFlight--;
            Interlocked.Decrement(ref _totalInFlight);
            if (split) return;
            if (error is ErrorCode.None or ErrorCode.DuplicateSequenceNumber)
            {
                // Responses may be handled out of order (continuations run in parallel): only move forward.
                if (batch.BaseSequence >= 0 && batch.SendOrder > p.AckedSendOrder)
                {
                    p.AckedSequence = IncrementSequence(batch.BaseSequence, batch.Count);
                    p.AckedSendOrder = batch.SendOrder;
                }
            }
            else
            {
                // Connection loss, timeouts and leader moves are retried with the same bytes and sequence.
                var retriable = transportError is null ? KafkaException.IsRetriableError(error)
                    : transportError is KafkaConnectionException or IOException or System.Net.Sockets.SocketException or TimeoutException;
                // Out of order behind an earlier batch of ours that is being retried: it goes again after that one.
                if (error == ErrorCode.OutOfOrderSequenceNumber && _options.Idempotent && batch.BaseSequence != p.AckedSequence) retriable = true;
                if (retriable && batch.Attempts <= _options.Retries && now < batch.DeadlineMs && !_stop.IsCancellationRequested)
                {
                    Requeue(p, batch);
                    Interlocked.Increment(ref _retriedBatches);
                    ProducerMetrics.Add(ref _metrics.RecordRetries, ref p.Topic.Metrics.RecordRetries, batch.Count);
                    p.Retrying = true;
                    p.RetryAtMs = now + (long)_cluster.Backoff(batch.Attempts - 1).TotalMilliseconds;
                    if (transportError is not null || error is ErrorCode.NotLeaderOrFollower or ErrorCode.LeaderNotAvailable
                        or ErrorCode.UnknownTopicOrPartition or ErrorCode.FencedLeaderEpoch or ErrorCode.UnknownLeaderEpoch)
                    {
                        _metadataWanted = true;
                    }
                    return;
                }
                var where = $"{p.Topic.Name}-{p.Partition}";
                failure = now >= batch.DeadlineMs && retriable
                    ? new TimeoutException($"Expiring {batch.Count} record(s) for {where}: delivery.timeout.ms ({_options.DeliveryTimeoutMs}) passed while retrying after {error}{(message is null ? "" : " - " + message)}.")
                    : transportError is not null && !retriable
                        ? new KafkaException(ErrorCode.UnknownServerError, $"Produce to {where} failed: {transportError.Message}")
                        : new KafkaException(error, $"Produce to {where} failed: {error}{(message is null ? "" : " - " + message)}");
                // The broker did not store this batch, so later sequences would no longer line up: reset the producer
                // (new epoch, sequences from 0) rather than let records land out of order.
                if (_options.Idempotent && batch.BaseSequence >= 0) _needsReset = true;
            }
        }
        FinishBatch(batch, failure, baseOffset, logAppendTime);
    }

    /// <summary>
    /// The broker refused a batch of several records as larger than the topic's max.message.bytes: as Apache's producer
    /// does, the records go again in smaller batches (halves, in their place at the front of the queue) rather than
    /// fail, so only a record that is too large on its own fails. The caller holds the partition lock.
    /// </summary>
    private bool TrySplit(PartitionQueue p, ProducerBatch batch, long now, string? message)
    {
        var count = batch.Count;
        var bytes = batch.PayloadLength;
        ProducerBatch first, second;
        try
        {
            (first, second) = batch.Split(RentBuilder, ReturnBuilder, _producerId, _producerEpoch);
        }
#pragma warning disable CA1031 // A batch that cannot be split fails with the broker's error, as it would have without splitting.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.LogError(ex, "Producer {ClientId}: could not split a refused batch for {Topic}-{Partition}", _options.Cluster.ClientId, p.Topic.Name, p.Partition);
            return false;
        }
        _incomplete.TryAdd(first, 0);
        _incomplete.TryAdd(second, 0);
        // Same send order as the refused batch, which was the partition's earliest unacknowledged one: the second goes
        // in first so the first ends up ahead of it. Halves are sent one at a time, so no sibling is in flight.
        Requeue(p, second);
        Requeue(p, first);
        // Later batches of this partition that are in flight come back first (with idempotence they are refused as out
        // of order and requeued behind the halves); then the sequences are renumbered from the halves on.
        p.Retrying = true;
        p.RetryAtMs = now;
        if (_options.Idempotent) _needsReset = true;
        Interlocked.Increment(ref _splitBatches);
        _logger.LogWarning("Producer {ClientId}: {Topic}-{Partition} refused a batch of {Count} records ({Bytes} bytes): {Error}; sending them again in two batches",
            _options.Cluster.ClientId, p.Topic.Name, p.Partition, count, bytes, message ?? ErrorCode.MessageTooLarge.ToString());
        return true;
    }

    /// <summary>Puts a batch back among the retried ones at the front, in the order they were first sent.</summary>
    private static void Requeue(PartitionQueue p, ProducerBatch batch)
    {
        var node = p.Ready.First;
        while (node is not null && node.Value.SendOrder >= 0 && node.Value.SendOrder < batch.SendOrder) node = node.Next;
        if (node is null) p.Ready.AddLast(batch);
        else p.Ready.AddBefore(node, batch);
    }

    private void FinishBatch(ProducerBatch batch, Exception? failure, long baseOffset, long logAppendTime)
    {
        if (!batch.TryFinish()) return;
        if (batch.TakeBuilder() is { } builder) ReturnBuilder(builder);
        if (failure is null)
        {
            batch.Complete(baseOffset, logAppendTime);
        }
        else
        {
            ProducerMetrics.Add(ref _metrics.RecordErrors, ref batch.Owner.Topic.Metrics.RecordErrors, batch.Count);
            batch.Fail(failure);
        }
        _memory.Release(batch.ReservedBytes);
        _incomplete.TryRemove(batch, out _);
        // A half of a split batch: the batch it came from is done when both halves are (and so on up).
        for (var half = batch; half.Parent is { } parent && parent.HalfReleased(); half = parent)
            _incomplete.TryRemove(parent, out _);
    }

    /// <summary>
    /// Gets a producer id, or after a sequence problem bumps the epoch, and renumbers the batches still queued
    /// from sequence 0 in their original order. Runs only while nothing is in flight.
    /// </summary>
    private async Task InitProducerIdAsync()
    {
        var connection = await _cluster.GetAnyConnectionAsync(_stop.Token).ConfigureAwait(false);
        var version = connection.NegotiateVersion(ApiKey.InitProducerId, 0, 5);
        var bump = _producerId >= 0 && version >= 3;
        var request = new InitProducerIdRequest
        {
            TransactionalId = null,
            TransactionTimeoutMs = int.MaxValue,
            ProducerId = bump ? _producerId : -1,
            ProducerEpoch = bump ? _producerEpoch : (short)-1,
        };
        var response = await connection.SendAsync<InitProducerIdResponse>(ApiKey.InitProducerId, version, request, _stop.Token).ConfigureAwait(false);
        if (response.ErrorCode != 0)
            throw new KafkaException((ErrorCode)response.ErrorCode, $"InitProducerId failed: {(ErrorCode)response.ErrorCode}.");
        var reset = _producerId >= 0;
        _producerId = response.ProducerId;
        _producerEpoch = response.ProducerEpoch;
        if (reset)
        {
            Interlocked.Increment(ref _resets);
            foreach (var topic in _topicList)
            {
                foreach (var p in topic.Partitions)
                {
                    lock (p.Lock)
                    {
                        p.NextSequence = 0;
                        p.AckedSequence = 0;
                        p.AckedSendOrder = -1;
                        foreach (var b in p.Ready)
                        {
                            if (!b.IsSealed) break;
                            b.Restamp(_producerId, _producerEpoch, p.NextSequence);
                            p.NextSequence = IncrementSequence(p.NextSequence, b.Count);
                        }
                    }
                }
            }
        }
        _needsReset = false;
    }
}
