using System.Buffers;
using System.Text;

namespace KafkaConnect.Protocol.Records;

/// <summary>
/// Builds one magic v2 record batch. Records are encoded as they are added (their bytes are copied, so
/// callers may reuse buffers); <see cref="Build(IBufferWriter{byte})"/> compresses and fills in the header
/// and CRC. Reusable: <see cref="Clear"/> drops the records and keeps the options.
/// Set <see cref="BaseOffset"/> before the first record; offset deltas are encoded against it.
/// </summary>
public sealed class RecordBatchBuilder : IDisposable
{
    private readonly ProtocolWriter _records;
    private PooledByteBuffer? _compressed;
    private long _baseOffset;
    private int _count;
    private int _maxOffsetDelta = -1;
    private long _firstTimestamp = -1;
    private long _maxTimestamp = -1;

    /// <param name="initialCapacity">Bytes reserved for encoded records up front; a producer passes batch.size so a
    /// batch never regrows its buffer.</param>
    public RecordBatchBuilder(long baseOffset = 0, CompressionType compression = CompressionType.None, int initialCapacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        _records = new ProtocolWriter(Math.Max(initialCapacity, 64));
        _baseOffset = baseOffset;
        Compression = compression;
    }

    public long BaseOffset
    {
        get => _baseOffset;
        set
        {
            if (_count > 0) throw new InvalidOperationException("BaseOffset cannot change after records were added.");
            _baseOffset = value;
        }
    }

    public CompressionType Compression { get; set; }
    public long ProducerId { get; set; } = -1;
    public short ProducerEpoch { get; set; } = -1;
    public int BaseSequence { get; set; } = -1;
    public bool IsTransactional { get; set; }
    public bool IsControl { get; set; }
    public TimestampType TimestampType { get; set; }
    public int PartitionLeaderEpoch { get; set; } = -1;

    /// <summary>Overrides the computed last offset delta, so a compacted batch keeps its original last offset.</summary>
    public int? LastOffsetDelta { get; set; }

    /// <summary>Overrides the computed max timestamp (log-append time, or an empty compacted batch).</summary>
    public long? MaxTimestamp { get; set; }

    public int Count => _count;

    /// <summary>The offset the next <see cref="Add(long, ReadOnlyMemory{byte}?, ReadOnlyMemory{byte}?, IReadOnlyList{RecordHeader}?)"/> assigns.</summary>
    public long NextOffset => _baseOffset + _maxOffsetDelta + 1;

    /// <summary>Appends a record at the next offset.</summary>
    public void Add(long timestamp, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader>? headers = null)
        => AddAt(NextOffset, timestamp, key, value, headers);

    /// <summary>Appends a record keeping its offset (rebuilding a compacted batch).</summary>
    public void Add(Record record)
    {
        ArgumentNullException.ThrowIfNull(record);
        AddAt(record.Offset, record.Timestamp, record.Key, record.Value, record.Headers);
    }

    /// <summary>Appends a record at an explicit absolute offset, which must be above the previous one.</summary>
    public void AddAt(long offset, long timestamp, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader>? headers = null)
    {
        var delta = offset - _baseOffset;
        if (delta <= _maxOffsetDelta || delta > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(offset), $"Offset {offset} must be above {NextOffset - 1} and within int range of base offset {_baseOffset}.");
        if (_count == 0) _firstTimestamp = timestamp;
        var offsetDelta = (int)delta;
        var timestampDelta = timestamp - _firstTimestamp;

        var headerCount = headers?.Count ?? 0;
        var size = 1 + ProtocolWriter.SizeOfVarLong(timestampDelta) + ProtocolWriter.SizeOfVarInt(offsetDelta)
            + SizeOfBytes(key) + SizeOfBytes(value) + ProtocolWriter.SizeOfVarInt(headerCount);
        for (var i = 0; i < headerCount; i++)
        {
            var h = headers![i];
            var keyBytes = Encoding.UTF8.GetByteCount(h.Key);
            size += ProtocolWriter.SizeOfVarInt(keyBytes) + keyBytes + SizeOfBytes(h.Value);
        }

        var w = _records;
        w.WriteVarInt(size);
        w.WriteInt8(0);
        w.WriteVarLong(timestampDelta);
        w.WriteVarInt(offsetDelta);
        WriteBytes(w, key);
        WriteBytes(w, value);
        w.WriteVarInt(headerCount);
        for (var i = 0; i < headerCount; i++)
        {
            var h = headers![i];
            var keyBytes = Encoding.UTF8.GetByteCount(h.Key);
            w.WriteVarInt(keyBytes);
            w.Advance(Encoding.UTF8.GetBytes(h.Key, w.GetSpan(keyBytes)));
            WriteBytes(w, h.Value);
        }

        _count++;
        _maxOffsetDelta = offsetDelta;
        if (timestamp > _maxTimestamp || _count == 1) _maxTimestamp = timestamp;
    }

    private static int SizeOfBytes(ReadOnlyMemory<byte>? bytes)
        => bytes is { } b ? ProtocolWriter.SizeOfVarInt(b.Length) + b.Length : 1;

    private static void WriteBytes(ProtocolWriter w, ReadOnlyMemory<byte>? bytes)
    {
        if (bytes is not { } b)
        {
            w.WriteVarInt(-1);
            return;
        }
        w.WriteVarInt(b.Length);
        w.WriteRaw(b.Span);
    }

    /// <summary>Writes the finished batch to <paramref name="output"/>; returns its size in bytes.</summary>
    public int Build(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var body = PrepareBody();
        var total = RecordBatchHeader.Size + body.Length;
        WriteBatch(output.GetSpan(total)[..total], body);
        output.Advance(total);
        return total;
    }

    public byte[] Build()
    {
        var body = PrepareBody();
        var batch = new byte[RecordBatchHeader.Size + body.Length];
        WriteBatch(batch, body);
        return batch;
    }

    /// <summary>Drops the records; options (compression, producer fields, overrides) stay.</summary>
    public void Clear()
    {
        _records.Reset();
        _compressed?.Clear();
        _count = 0;
        _maxOffsetDelta = -1;
        _firstTimestamp = -1;
        _maxTimestamp = -1;
    }

    public void Dispose()
    {
        _records.Dispose();
        _compressed?.Dispose();
    }

    private ReadOnlySpan<byte> PrepareBody()
    {
        if (Compression == CompressionType.None) return _records.WrittenSpan;
        _compressed ??= new PooledByteBuffer(Math.Max(_records.Position / 2, 1024));
        _compressed.Clear();
        CompressionCodecs.Compress(Compression, _records.WrittenSpan, _compressed);
        return _compressed.WrittenSpan;
    }

    private void WriteBatch(Span<byte> destination, ReadOnlySpan<byte> body)
    {
        int lastOffsetDelta;
        if (LastOffsetDelta is { } explicitDelta)
        {
            if (explicitDelta < _maxOffsetDelta)
                throw new InvalidOperationException($"LastOffsetDelta {explicitDelta} is below the last record's delta {_maxOffsetDelta}.");
            lastOffsetDelta = explicitDelta;
        }
        else
        {
            if (_count == 0) throw new InvalidOperationException("An empty batch needs an explicit LastOffsetDelta.");
            lastOffsetDelta = _maxOffsetDelta;
        }

        var attributes = (int)Compression & RecordBatchHeader.CompressionMask;
        if (TimestampType == TimestampType.LogAppendTime) attributes |= RecordBatchHeader.TimestampTypeMask;
        if (IsTransactional) attributes |= RecordBatchHeader.TransactionalFlag;
        if (IsControl) attributes |= RecordBatchHeader.ControlFlag;

        var header = new RecordBatchHeader(
            _baseOffset,
            destination.Length - RecordBatchHeader.LogOverhead,
            PartitionLeaderEpoch,
            RecordBatchCodec.CurrentMagic,
            0,
            (short)attributes,
            lastOffsetDelta,
            _count > 0 ? _firstTimestamp : -1,
            MaxTimestamp ?? (_count > 0 ? _maxTimestamp : -1),
            ProducerId,
            ProducerEpoch,
            BaseSequence,
            _count);
        header.Write(destination);
        body.CopyTo(destination[RecordBatchHeader.Size..]);
        RecordBatchHeader.UpdateCrc(destination);
    }
}
