using System.Buffers;

namespace KafkaConnect.Protocol.Records;

/// <summary>
/// Contiguous growable buffer rented from the shared pool. Unlike a plain <see cref="IBufferWriter{T}"/>
/// it exposes everything written so far, which LZ4 back-references and in-place patching need.
/// </summary>
internal sealed class PooledByteBuffer : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private int _length;

    public PooledByteBuffer(int initialCapacity = 4096)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 256));
    }

    public int Length => _length;
    public int Capacity => _buffer.Length;
    public Span<byte> WrittenSpan => _buffer.AsSpan(0, _length);
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    /// <summary>The whole rented array, written part first; valid until the next growth.</summary>
    public Span<byte> RawSpan => _buffer;

    public void Clear() => _length = 0;

    public void SetLength(int length)
    {
        if ((uint)length > (uint)_buffer.Length) throw new ArgumentOutOfRangeException(nameof(length));
        _length = length;
    }

    public void Advance(int count)
    {
        if (count < 0 || count > _buffer.Length - _length) throw new ArgumentOutOfRangeException(nameof(count));
        _length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        EnsureFree(Math.Max(sizeHint, 1));
        return _buffer.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        EnsureFree(Math.Max(sizeHint, 1));
        return _buffer.AsSpan(_length);
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        EnsureFree(data.Length);
        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
    }

    public void EnsureFree(int count)
    {
        if (_buffer.Length - _length >= count) return;
        var needed = (long)_length + count;
        if (needed > Array.MaxLength) throw new ProtocolException("Buffer would exceed the maximum array size.");
        var size = (int)Math.Min(Array.MaxLength, Math.Max(needed, (long)_buffer.Length * 2));
        var next = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, _length).CopyTo(next);
        ReturnBuffer();
        _buffer = next;
    }

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    public void Dispose()
    {
        ReturnBuffer();
        _buffer = [];
        _length = 0;
    }

    private void ReturnBuffer()
    {
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
    }
}
