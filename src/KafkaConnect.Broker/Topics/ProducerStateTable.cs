using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Records;

namespace KafkaConnect.Broker.Topics;

/// <summary>
/// Per-partition state of idempotent producers: the epoch and the last few batches' sequence ranges, so a
/// retried batch is answered with its original offset instead of being stored twice, and a gap is refused.
/// Callers hold the partition's append lock.
/// </summary>
internal sealed class ProducerStateTable
{
    /// <summary>Kafka keeps five in-flight batches per producer (max.in.flight.requests.per.connection &lt;= 5).</summary>
    private const int RememberedBatches = 5;

    private readonly Dictionary<long, ProducerEntry> _producers = new();

    private sealed class ProducerEntry
    {
        public short Epoch;
        public readonly (int FirstSeq, int LastSeq, long BaseOffset)[] Batches = new (int, int, long)[RememberedBatches];
        public int Count;
        public int Next;

        public int LastSeq => Count == 0 ? -1 : Batches[(Next + RememberedBatches - 1) % RememberedBatches].LastSeq;

        public void Add(int first, int last, long baseOffset)
        {
            Batches[Next] = (first, last, baseOffset);
            Next = (Next + 1) % RememberedBatches;
            if (Count < RememberedBatches) Count++;
        }
    }

    public enum Verdict { Append, Duplicate, Reject }

    /// <summary>Checks a batch against the producer's state; for a duplicate, returns the offset it was stored at.</summary>
    public Verdict Check(in RecordBatchHeader batch, out ErrorCode error, out long duplicateBaseOffset)
    {
        error = ErrorCode.None;
        duplicateBaseOffset = -1;
        if (batch.ProducerId < 0 || batch.BaseSequence < 0) return Verdict.Append;
        if (!_producers.TryGetValue(batch.ProducerId, out var entry)) return Verdict.Append;
        if (batch.ProducerEpoch < entry.Epoch)
        {
            error = ErrorCode.InvalidProducerEpoch;
            return Verdict.Reject;
        }
        if (batch.ProducerEpoch > entry.Epoch)
        {
            if (batch.BaseSequence != 0)
            {
                error = ErrorCode.OutOfOrderSequenceNumber;
                return Verdict.Reject;
            }
            return Verdict.Append;
        }
        for (var i = 0; i < entry.Count; i++)
        {
            var b = entry.Batches[i];
            if (b.FirstSeq == batch.BaseSequence && b.LastSeq == batch.LastSequence)
            {
                duplicateBaseOffset = b.BaseOffset;
                return Verdict.Duplicate;
            }
        }
        var expected = entry.LastSeq == int.MaxValue ? 0 : entry.LastSeq + 1;
        if (batch.BaseSequence != expected)
        {
            error = ErrorCode.OutOfOrderSequenceNumber;
            return Verdict.Reject;
        }
        return Verdict.Append;
    }

    public void Record(in RecordBatchHeader batch, long baseOffset)
    {
        if (batch.ProducerId < 0 || batch.BaseSequence < 0) return;
        if (!_producers.TryGetValue(batch.ProducerId, out var entry) || batch.ProducerEpoch != entry.Epoch)
        {
            entry = new ProducerEntry { Epoch = batch.ProducerEpoch };
            _producers[batch.ProducerId] = entry;
        }
        entry.Add(batch.BaseSequence, batch.LastSequence, baseOffset);
    }
}
