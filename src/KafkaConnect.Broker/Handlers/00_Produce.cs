// Produce (key 0), v3-11 (magic v2 record batches only; v0-2 carry the old message formats).
// Each batch is checked (magic, length, CRC, codec, size, keys on compacted topics, idempotent sequence) and
// appended as it arrived; only its base offset is rewritten. acks=0 sends no response, acks=1 answers after
// the append, acks=all after an fsync shared with every other request waiting at the same time; a retried
// idempotent batch that is a duplicate waits, with acks=all, for the fsync of the original too.
// Errors are per partition: a failed write or fsync, an offline log directory (KAFKA_STORAGE_ERROR) or a partition
// deleted meanwhile (UNKNOWN_TOPIC_OR_PARTITION) answers that partition and leaves the others and the connection alone.
// Transactional batches are refused: transactions are not supported yet.
using System.Runtime.InteropServices;
using KafkaConnect.Broker.Topics;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;
using KafkaConnect.Protocol.Records;
using KafkaConnect.Storage;

namespace KafkaConnect.Broker.Handlers;

internal sealed class ProduceHandler : ApiHandler<ProduceRequest, ProduceResponse>
{
    public override ApiKey Key => ApiKey.Produce;
    public override short MinVersion => 3;
    public override short MaxVersion => 11;

    protected override ValueTask<ProduceResponse?> Handle(RequestContext context, ProduceRequest request, CancellationToken cancellationToken)
    {
        var broker = context.Broker;
        var response = new ProduceResponse();
        if (request.Acks is not (0 or 1 or -1))
        {
            foreach (var t in request.TopicData)
            {
                var tr = new ProduceResponse.TopicProduceResponse { Name = t.Name };
                foreach (var p in t.PartitionData)
                    tr.PartitionResponses.Add(Error(p.Index, ErrorCode.InvalidRequiredAcks, $"acks must be 0, 1 or -1, got {request.Acks}."));
                response.Responses.Add(tr);
            }
            return new(response);
        }
        List<(ProduceResponse.PartitionProduceResponse Response, PartitionLog Log, long Offset)>? toFlush = null;
        foreach (var t in request.TopicData)
        {
            var tr = new ProduceResponse.TopicProduceResponse { Name = t.Name };
            response.Responses.Add(tr);
            Topic? topic = null;
            StorageException? createError = null;
            try
            {
                if (TopicManager.ValidateName(t.Name) is null) topic = broker.Topics.GetOrAutoCreate(t.Name, broker.Config.AutoCreateTopics);
            }
            catch (StorageException ex)
            {
                createError = ex; // auto-creation in an offline log directory
            }
            foreach (var p in t.PartitionData)
            {
                var partition = topic?.GetPartition(p.Index);
                if (partition is null)
                {
                    // Counted for all topics only: a per-topic series for every name a client tries would grow without bound.
                    broker.AllTopics.Produced(failed: createError is not null, 0, 0);
                    tr.PartitionResponses.Add(createError is null
                        ? Error(p.Index, ErrorCode.UnknownTopicOrPartition, null)
                        : Error(p.Index, createError.ErrorCode, createError.Message));
                    continue;
                }
                if (request.TransactionalId is not null)
                {
                    Count(broker, partition.Topic, failed: true, 0, 0);
                    tr.PartitionResponses.Add(Error(p.Index, ErrorCode.TransactionalIdAuthorizationFailed, "Transactions are not supported by this broker yet."));
                    continue;
                }
                var result = Append(context, partition, p.Records);
                Count(broker, partition.Topic, result.Response.ErrorCode != 0, result.Messages, result.Bytes);
                tr.PartitionResponses.Add(result.Response);
                if (result.MustBeDurable && request.Acks == -1) (toFlush ??= new()).Add((result.Response, partition.Log, result.LastOffset));
            }
        }
        if (request.Acks == 0)
        {
            // acks=0 gets no response, so a failure can only be signalled by closing the connection (as Kafka does):
            // the producer then refreshes metadata instead of losing records silently.
            foreach (var t in response.Responses)
                foreach (var p in t.PartitionResponses)
                    if (p.ErrorCode != 0)
                        throw new ProtocolException($"acks=0 produce to {t.Name}-{p.Index} failed with {(ErrorCode)p.ErrorCode}: {p.ErrorMessage}");
            return new((ProduceResponse?)null);
        }
        if (toFlush is null) return new(response);
        return WaitForFlushAsync(broker, toFlush, response, cancellationToken);
    }

    private static async ValueTask<ProduceResponse?> WaitForFlushAsync(BrokerState broker,
        List<(ProduceResponse.PartitionProduceResponse Response, PartitionLog Log, long Offset)> logs, ProduceResponse response, CancellationToken ct)
    {
        // Register every partition before awaiting any: awaiting one by one would queue each log's fsync only after
        // the previous one finished, so a request spanning n partitions would sit through n fsyncs in a row.
        var waits = new ValueTask[logs.Count];
        for (var i = 0; i < waits.Length; i++) waits[i] = broker.Flusher.WaitFlushedAsync(logs[i].Log, logs[i].Offset, ct);
        for (var i = 0; i < waits.Length; i++)
        {
            try
            {
                await waits[i].ConfigureAwait(false);
            }
            catch (StorageException ex)
            {
                // Appended but not durable: not acknowledged, so the producer retries (and its records are not lost).
                var r = logs[i].Response;
                r.ErrorCode = (short)ex.ErrorCode;
                r.ErrorMessage = ex.Message;
                r.BaseOffset = -1;
                r.LogAppendTimeMs = -1;
            }
        }
        return response;
    }

    /// <summary>BrokerTopicMetrics, as Kafka counts them: once per partition of the request, for its topic and for all topics.</summary>
    private static void Count(BrokerState broker, Topic topic, bool failed, long messages, long bytes)
    {
        topic.Counters.Produced(failed, messages, bytes);
        broker.AllTopics.Produced(failed, messages, bytes);
    }

    private static ProduceResponse.PartitionProduceResponse Error(int index, ErrorCode error, string? message)
        => new() { Index = index, ErrorCode = (short)error, BaseOffset = -1, ErrorMessage = message };

    /// <param name="MustBeDurable">For acks=all: <paramref name="LastOffset"/> must be fsynced before the answer (appended, or a duplicate).</param>
    /// <param name="Messages">Records appended (offsets taken, as Kafka's MessagesInPerSec counts them); 0 for a duplicate.</param>
    /// <param name="Bytes">Record batch bytes appended.</param>
    private readonly record struct AppendResult(ProduceResponse.PartitionProduceResponse Response, bool MustBeDurable, long LastOffset,
        long Messages = 0, int Bytes = 0);

    private static AppendResult Append(RequestContext context, Partition partition, ReadOnlyMemory<byte>? records)
    {
        if (records is not { Length: > 0 } data)
            return new(Error(partition.Index, ErrorCode.InvalidRecord, "The produce request carries no records."), false, -1);
        var error = Validate(context, partition, data.Span, out var message, out var singleBatch);
        if (error != ErrorCode.None) return new(Error(partition.Index, error, message), false, -1);

        // The frame buffer belongs to this request, so the base offsets can be assigned in place.
        var writable = MemoryMarshal.AsMemory(data);
        AppendInfo info;
        lock (partition.AppendLock)
        {
            if (singleBatch.HasProducerId)
            {
                var verdict = partition.Producers.Check(singleBatch, out var seqError, out var duplicateOffset);
                if (verdict == ProducerStateTable.Verdict.Reject)
                    return new(Error(partition.Index, seqError, $"Sequence check failed for producer {singleBatch.ProducerId}."), false, -1);
                if (verdict == ProducerStateTable.Verdict.Duplicate)
                {
                    // A retry of a batch we already stored: answer with where it went, store nothing. The original may
                    // still be waiting for its fsync, so with acks=all the retry waits for it as well.
                    return new(new ProduceResponse.PartitionProduceResponse
                    {
                        Index = partition.Index,
                        BaseOffset = duplicateOffset,
                        LogStartOffset = partition.Log.LogStartOffset,
                    }, true, duplicateOffset + singleBatch.LastOffsetDelta);
                }
            }
            try
            {
                info = partition.Log.Append(writable);
            }
            catch (StorageException ex)
            {
                return new(Error(partition.Index, AppendError(context, partition, ex), ex.Message), false, -1);
            }
            if (singleBatch.HasProducerId) partition.Producers.Record(singleBatch, info.FirstOffset);
        }
        partition.Appended.Pulse();
        return new(new ProduceResponse.PartitionProduceResponse
        {
            Index = partition.Index,
            BaseOffset = info.FirstOffset,
            LogAppendTimeMs = partition.Topic.LogConfig.LogAppendTime ? info.LogAppendTime : -1,
            LogStartOffset = partition.Log.LogStartOffset,
        }, true, info.LastOffset, info.LastOffset - info.FirstOffset + 1, data.Length);
    }

    /// <summary>A log closed because its topic was deleted during the request is an unknown partition, as for the next request.</summary>
    private static ErrorCode AppendError(RequestContext context, Partition partition, StorageException ex)
        => ex.ErrorCode == ErrorCode.KafkaStorageError && context.Broker.Topics.Get(partition.Topic.Name) != partition.Topic
            ? ErrorCode.UnknownTopicOrPartition
            : ex.ErrorCode;

    /// <summary>Checks every batch; returns the header of the only batch (for the idempotence check) or default.</summary>
    private static ErrorCode Validate(RequestContext context, Partition partition, ReadOnlySpan<byte> data, out string? message, out RecordBatchHeader single)
    {
        message = null;
        single = default;
        var config = partition.Topic.LogConfig;
        var count = 0;
        var offset = 0;
        while (offset < data.Length)
        {
            var rest = data[offset..];
            if (!RecordBatchHeader.TryRead(rest, out var h))
            {
                message = "Record data is too short for a record batch header.";
                return ErrorCode.CorruptMessage;
            }
            if (h.Magic != 2)
            {
                message = $"Record batch magic {h.Magic} is not supported; only magic v2 batches are accepted.";
                return ErrorCode.UnsupportedForMessageFormat;
            }
            if (h.BatchLength < RecordBatchHeader.Size - RecordBatchHeader.LogOverhead || h.TotalSize > rest.Length)
            {
                message = $"Record batch length {h.BatchLength} does not match the {rest.Length} bytes sent.";
                return ErrorCode.CorruptMessage;
            }
            var batch = rest[..h.TotalSize];
            if (!RecordBatchHeader.IsCrcValid(batch))
            {
                message = "Record batch CRC does not match its contents.";
                return ErrorCode.CorruptMessage;
            }
            if (h.TotalSize > config.MaxMessageBytes)
            {
                message = $"Record batch of {h.TotalSize} bytes is larger than max.message.bytes ({config.MaxMessageBytes}).";
                return ErrorCode.MessageTooLarge;
            }
            if ((byte)h.Compression > (byte)CompressionType.Zstd || (h.Compression == CompressionType.Zstd && context.ApiVersion < 7))
            {
                message = $"Compression codec {(int)h.Compression} is not valid for produce v{context.ApiVersion}.";
                return ErrorCode.UnsupportedCompressionType;
            }
            if (h.IsTransactional || h.IsControl)
            {
                message = "Transactional and control batches are not supported by this broker yet.";
                return ErrorCode.InvalidRecord;
            }
            if (h.RecordCount <= 0 || h.LastOffsetDelta < 0)
            {
                message = "Record batch has no records.";
                return ErrorCode.InvalidRecord;
            }
            if (config.Compact)
            {
                var keyError = CheckKeys(batch, out message);
                if (keyError != ErrorCode.None) return keyError;
            }
            single = h;
            count++;
            offset += h.TotalSize;
        }
        if (count > 1 && single.HasProducerId)
        {
            message = "An idempotent produce request must carry exactly one batch per partition.";
            return ErrorCode.InvalidRecord;
        }
        return ErrorCode.None;
    }

    /// <summary>A compacted topic keeps the latest value per key, so a record without a key has no place in it.</summary>
    private static ErrorCode CheckKeys(ReadOnlySpan<byte> batch, out string? message)
    {
        message = null;
        try
        {
            if (!PartitionLog.HasRecordWithoutKey(batch)) return ErrorCode.None;
            message = "Compacted topic cannot accept a record without a key.";
            return ErrorCode.InvalidRecord;
        }
        catch (UnsupportedCompressionException ex)
        {
            message = $"Compression codec {ex.Type} is not available on this broker, and compacted topics need to read keys.";
            return ErrorCode.UnsupportedCompressionType;
        }
        catch (ProtocolException ex)
        {
            message = ex.Message;
            return ErrorCode.CorruptMessage;
        }
    }

    /// <summary>
    /// Restores idempotent producers' recent sequence numbers from the tail of the log after a restart, so a batch
    /// retried across the restart is still recognised. Scans batch headers of the last 100,000 offsets.
    /// </summary>
    public static void RebuildProducerState(Partition partition)
    {
        var log = partition.Log;
        foreach (var h in log.ReadBatchHeaders(Math.Max(log.LogStartOffset, log.LogEndOffset - 100_000)))
            if (h.HasProducerId) partition.Producers.Record(h, h.BaseOffset);
    }
}
