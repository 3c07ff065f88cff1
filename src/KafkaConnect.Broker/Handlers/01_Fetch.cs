// Fetch (key 1), v4-12 (magic v2 data; v13+ addresses topics by id only and is not offered yet).
// Batches are copied from the segment files as stored. Long polling: when fewer than min.bytes are available
// the request waits, up to max.wait.ms, for an append to any partition it asks for. Incremental fetch sessions
// are not kept: every response carries session id 0, which clients treat as a full fetch each time.
// The response holds at most the request's max.bytes and the broker's fetch.max.bytes (min.bytes is capped to
// that too, as Kafka does), yet at least one whole batch, so a consumer always makes progress (KIP-74).
// Errors are per partition: an offline log directory or a failed read (KAFKA_STORAGE_ERROR), the log start moving
// past the fetch offset meanwhile (OFFSET_OUT_OF_RANGE) or a partition deleted meanwhile (UNKNOWN_TOPIC_OR_PARTITION)
// answers that partition, and the others are still read.
using KafkaConnect.Broker.Topics;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;
using KafkaConnect.Storage;

namespace KafkaConnect.Broker.Handlers;

internal sealed class FetchHandler : ApiHandler<FetchRequest, FetchResponse>
{
    public override ApiKey Key => ApiKey.Fetch;
    public override short MinVersion => 4;
    public override short MaxVersion => 12;

    protected override async ValueTask<FetchResponse?> Handle(RequestContext context, FetchRequest request, CancellationToken cancellationToken)
    {
        var broker = context.Broker;
        var deadline = broker.Time.GetTimestamp() + (long)(Math.Max(request.MaxWaitMs, 0) * (broker.Time.TimestampFrequency / 1000.0));
        var maxBytes = Math.Min(request.MaxBytes <= 0 ? int.MaxValue : request.MaxBytes, broker.Config.FetchMaxBytes);
        // A min.bytes above what one response may hold could never be met: the request would always wait it out.
        var minBytes = Math.Min(request.MinBytes, maxBytes);
        while (true)
        {
            var signals = new List<Task>();
            var buffer = new ProtocolWriter(64 * 1024);
            var (response, bytes, slices, hasError) = ReadOnce(context, request, maxBytes, buffer, signals);
            var remaining = broker.Time.GetElapsedTime(broker.Time.GetTimestamp(), deadline);
            // An error in any partition is answered at once, as Kafka does, so the client can react to it.
            if (hasError || bytes >= minBytes || bytes > 0 && minBytes <= 0 || remaining <= TimeSpan.Zero || signals.Count == 0)
            {
                // The records point into the buffer, which lives until the response is encoded.
                foreach (var (partition, start, length) in slices)
                    partition.Records = buffer.WrittenMemory.Slice(start, length);
                (context.Resources ??= new()).Add(buffer);
                Count(broker, response);
                return response;
            }
            buffer.Dispose();
            using (var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                var timer = Task.Delay(remaining, broker.Time, wake.Token);
                signals.Add(timer);
                await Task.WhenAny(signals).ConfigureAwait(false);
                // Woken by an append: stop the max-wait timer rather than leave it running.
                wake.Cancel();
            }
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private static (FetchResponse Response, long Bytes, List<(FetchResponse.PartitionData, int, int)> Slices, bool HasError) ReadOnce(
        RequestContext context, FetchRequest request, int maxBytes, ProtocolWriter buffer, List<Task> signals)
    {
        var broker = context.Broker;
        var response = new FetchResponse();
        var slices = new List<(FetchResponse.PartitionData, int, int)>();
        var budget = maxBytes;
        long total = 0;
        var hasError = false;
        foreach (var t in request.Topics)
        {
            var topic = broker.Topics.Get(t.Topic);
            var tr = new FetchResponse.FetchableTopicResponse { Topic = t.Topic };
            response.Responses.Add(tr);
            foreach (var fp in t.Partitions)
            {
                var pr = new FetchResponse.PartitionData { PartitionIndex = fp.Partition, HighWatermark = -1, LastStableOffset = -1, LogStartOffset = -1, Records = ReadOnlyMemory<byte>.Empty };
                tr.Partitions.Add(pr);
                var partition = topic?.GetPartition(fp.Partition);
                if (partition is null)
                {
                    pr.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                    hasError = true;
                    continue;
                }
                // Take the signal before reading, so an append between the read and the wait is not missed.
                var appended = partition.Appended.WaitAsync();
                var log = partition.Log;
                if (log.LogDirectory.IsOffline)
                {
                    pr.ErrorCode = (short)ErrorCode.KafkaStorageError;
                    hasError = true;
                    continue;
                }
                var end = log.LogEndOffset;
                var start = log.LogStartOffset;
                pr.HighWatermark = end;
                pr.LastStableOffset = end;
                pr.LogStartOffset = start;
                if (fp.FetchOffset < start || fp.FetchOffset > end)
                {
                    pr.ErrorCode = (short)ErrorCode.OffsetOutOfRange;
                    hasError = true;
                    continue;
                }
                signals.Add(appended);
                if (fp.FetchOffset == end) continue;
                // KIP-74: the first partition with data returns at least one batch whatever the limits.
                var limit = (int)Math.Min(fp.PartitionMaxBytes, budget);
                if (limit <= 0 && total > 0) continue;
                var before = buffer.Position;
                int n;
                try
                {
                    n = log.Read(fp.FetchOffset, Math.Max(limit, 1), buffer);
                }
                catch (Exception ex) when (ex is StorageException or IOException)
                {
                    pr.ErrorCode = (short)ReadError(context, partition, ex);
                    pr.LogStartOffset = log.LogStartOffset;
                    hasError = true;
                    continue;
                }
                if (n > 0)
                {
                    slices.Add((pr, before, n));
                    total += n;
                    budget = (int)Math.Max(0, budget - (long)n);
                }
            }
        }
        return (response, total, slices, hasError);
    }

    /// <summary>
    /// BrokerTopicMetrics once per partition of the answer (a long poll that read several times counts once), for its
    /// topic and for all topics; an unknown topic for all topics only. Failed: an error other than an unknown partition
    /// or an offset out of range, which are the client's to handle.
    /// </summary>
    private static void Count(BrokerState broker, FetchResponse response)
    {
        foreach (var tr in response.Responses)
        {
            var topic = broker.Topics.Get(tr.Topic);
            foreach (var pr in tr.Partitions)
            {
                var failed = (ErrorCode)pr.ErrorCode is not (ErrorCode.None or ErrorCode.UnknownTopicOrPartition or ErrorCode.OffsetOutOfRange);
                var bytes = pr.Records?.Length ?? 0;
                topic?.Counters.Fetched(failed, bytes);
                broker.AllTopics.Fetched(failed, bytes);
            }
        }
    }

    private static ErrorCode ReadError(RequestContext context, Partition partition, Exception ex)
    {
        if (context.Broker.Topics.Get(partition.Topic.Name) != partition.Topic) return ErrorCode.UnknownTopicOrPartition;
        return ex is StorageException s ? s.ErrorCode : ErrorCode.KafkaStorageError;
    }
}
