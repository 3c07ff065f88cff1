using System.Buffers;
using KafkaConnect.Protocol.Records;
using Microsoft.Win32.SafeHandles;

namespace KafkaConnect.Storage;

/// <summary>
/// Walks the batches of a segment file sequentially through a pooled read-ahead buffer, so scanning
/// headers costs one read per buffer rather than one per batch.
/// </summary>
internal sealed class BatchScanner : IDisposable
{
    /// <summary>Any larger length field is treated as corruption rather than a batch to buffer.</summary>
    private const int MaxBatchSize = 1 << 30;

    private readonly SafeFileHandle _handle;
    private readonly long _end;
    private byte[] _buffer;
    private long _bufferStart;
    private int _bufferLength;

    public BatchScanner(SafeFileHandle handle, long start, long end, int bufferSize = 64 * 1024)
    {
        _handle = handle;
        _end = end;
        Position = start;
        _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
    }

    /// <summary>File position of the current batch.</summary>
    public long Position { get; private set; }

    public bool AtEnd => Position >= _end;

    /// <summary>
    /// Reads the current batch's header. False at the end or when the bytes there cannot be a complete
    /// batch (short header, bad length, or a length running past the end): a torn tail.
    /// </summary>
    public bool TryPeekHeader(out RecordBatchHeader header)
    {
        header = default;
        if (!Ensure(Position, RecordBatchHeader.Size)) return false;
        RecordBatchHeader.TryRead(_buffer.AsSpan((int)(Position - _bufferStart), RecordBatchHeader.Size), out header);
        var total = (long)header.BatchLength + RecordBatchHeader.LogOverhead;
        return header.BatchLength >= RecordBatchHeader.Size - RecordBatchHeader.LogOverhead
            && total <= MaxBatchSize
            && Position + total <= _end;
    }

    /// <summary>The whole current batch; valid until the next call.</summary>
    public ReadOnlyMemory<byte> ReadBatch(int totalSize)
    {
        if (!Ensure(Position, totalSize)) throw new InvalidOperationException("Batch runs past the end of the segment.");
        return _buffer.AsMemory((int)(Position - _bufferStart), totalSize);
    }

    public void Advance(int totalSize) => Position += totalSize;

    private bool Ensure(long position, int count)
    {
        if (position + count > _end) return false;
        if (position >= _bufferStart && position + count <= _bufferStart + _bufferLength) return true;
        if (count > _buffer.Length)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(count);
        }
        var want = (int)Math.Min(_buffer.Length, _end - position);
        _bufferStart = position;
        _bufferLength = FileIO.ReadFully(_handle, _buffer.AsSpan(0, want), position);
        return _bufferLength >= count;
    }

    public void Dispose()
    {
        var b = _buffer;
        _buffer = [];
        if (b.Length > 0) ArrayPool<byte>.Shared.Return(b);
    }
}
