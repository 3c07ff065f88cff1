using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace KafkaConnect.Protocol;

/// <summary>
/// Writes Kafka primitive types into a growable buffer rented from the shared pool.
/// Reuse one writer per connection (<see cref="Reset"/>) so steady-state encoding does not allocate.
/// </summary>
public sealed class ProtocolWriter : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private int _position;

    public ProtocolWriter(int initialCapacity = 4096)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 64));
    }

    public int Position => _position;
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _position);
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _position);

    public void Reset() => _position = 0;

    public void Dispose()
    {
        var b = _buffer;
        _buffer = [];
        _position = 0;
        if (b.Length > 0) ArrayPool<byte>.Shared.Return(b);
    }

    public void Advance(int count)
    {
        if (count < 0 || _position + count > _buffer.Length) throw new ArgumentOutOfRangeException(nameof(count));
        _position += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(Math.Max(sizeHint, 1));
        return _buffer.AsMemory(_position);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(Math.Max(sizeHint, 1));
        return _buffer.AsSpan(_position);
    }

    private void Ensure(int count)
    {
        if (_buffer.Length - _position >= count) return;
        var next = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _position + count));
        _buffer.AsSpan(0, _position).CopyTo(next);
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = next;
    }

    private Span<byte> Take(int count)
    {
        Ensure(count);
        var s = _buffer.AsSpan(_position, count);
        _position += count;
        return s;
    }

    /// <summary>Reserves <paramref name="count"/> bytes to be patched later (a length prefix); returns their position.</summary>
    public int Reserve(int count)
    {
        var p = _position;
        Take(count);
        return p;
    }

    public void PatchInt32(int position, int value) => BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(position, 4), value);

    public Span<byte> SpanAt(int position, int count) => _buffer.AsSpan(position, count);

    public void WriteInt8(sbyte v) => Take(1)[0] = (byte)v;
    public void WriteUInt8(byte v) => Take(1)[0] = v;
    public void WriteBool(bool v) => Take(1)[0] = v ? (byte)1 : (byte)0;
    public void WriteInt16(short v) => BinaryPrimitives.WriteInt16BigEndian(Take(2), v);
    public void WriteUInt16(ushort v) => BinaryPrimitives.WriteUInt16BigEndian(Take(2), v);
    public void WriteInt32(int v) => BinaryPrimitives.WriteInt32BigEndian(Take(4), v);
    public void WriteUInt32(uint v) => BinaryPrimitives.WriteUInt32BigEndian(Take(4), v);
    public void WriteInt64(long v) => BinaryPrimitives.WriteInt64BigEndian(Take(8), v);
    public void WriteFloat64(double v) => BinaryPrimitives.WriteDoubleBigEndian(Take(8), v);

    public void WriteUuid(Uuid v)
    {
        var s = Take(16);
        BinaryPrimitives.WriteInt64BigEndian(s, v.MostSignificantBits);
        BinaryPrimitives.WriteInt64BigEndian(s[8..], v.LeastSignificantBits);
    }

    public void WriteUnsignedVarInt(uint v)
    {
        var s = GetSpan(5);
        var n = 0;
        while (v >= 0x80)
        {
            s[n++] = (byte)(v | 0x80);
            v >>= 7;
        }
        s[n++] = (byte)v;
        _position += n;
    }

    public void WriteUnsignedVarLong(ulong v)
    {
        var s = GetSpan(10);
        var n = 0;
        while (v >= 0x80)
        {
            s[n++] = (byte)(v | 0x80);
            v >>= 7;
        }
        s[n++] = (byte)v;
        _position += n;
    }

    public void WriteVarInt(int v) => WriteUnsignedVarInt((uint)((v << 1) ^ (v >> 31)));
    public void WriteVarLong(long v) => WriteUnsignedVarLong((ulong)((v << 1) ^ (v >> 63)));

    public static int SizeOfUnsignedVarInt(uint v)
    {
        var n = 1;
        while (v >= 0x80) { v >>= 7; n++; }
        return n;
    }

    public static int SizeOfVarInt(int v) => SizeOfUnsignedVarInt((uint)((v << 1) ^ (v >> 31)));

    public static int SizeOfVarLong(long v)
    {
        var u = (ulong)((v << 1) ^ (v >> 63));
        var n = 1;
        while (u >= 0x80) { u >>= 7; n++; }
        return n;
    }

    private void WriteUtf8(string s)
    {
        var n = Encoding.UTF8.GetBytes(s, Take(Encoding.UTF8.GetByteCount(s)));
        _ = n;
    }

    public void WriteString(string v) => WriteNullableString(v ?? throw new ArgumentNullException(nameof(v)));

    public void WriteNullableString(string? v)
    {
        if (v is null) { WriteInt16(-1); return; }
        var len = Encoding.UTF8.GetByteCount(v);
        if (len > short.MaxValue) throw new ArgumentException("String is longer than 32767 bytes.", nameof(v));
        WriteInt16((short)len);
        WriteUtf8(v);
    }

    public void WriteCompactString(string v) => WriteCompactNullableString(v ?? throw new ArgumentNullException(nameof(v)));

    public void WriteCompactNullableString(string? v)
    {
        if (v is null) { WriteUnsignedVarInt(0); return; }
        WriteUnsignedVarInt((uint)Encoding.UTF8.GetByteCount(v) + 1);
        WriteUtf8(v);
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Take(bytes.Length));

    public void WriteBytes(ReadOnlySpan<byte> v)
    {
        WriteInt32(v.Length);
        WriteRaw(v);
    }

    public void WriteNullableBytes(byte[]? v)
    {
        if (v is null) { WriteInt32(-1); return; }
        WriteBytes(v);
    }

    public void WriteCompactBytes(ReadOnlySpan<byte> v)
    {
        WriteUnsignedVarInt((uint)v.Length + 1);
        WriteRaw(v);
    }

    public void WriteCompactNullableBytes(byte[]? v)
    {
        if (v is null) { WriteUnsignedVarInt(0); return; }
        WriteCompactBytes(v);
    }

    public void WriteRecords(ReadOnlyMemory<byte>? records, bool compact)
    {
        if (records is not { } r)
        {
            if (compact) WriteUnsignedVarInt(0); else WriteInt32(-1);
            return;
        }
        if (compact) WriteCompactBytes(r.Span); else WriteBytes(r.Span);
    }

    /// <summary>Classic array length; -1 writes a null array.</summary>
    public void WriteArrayLength(int count) => WriteInt32(count);

    /// <summary>Compact array length; -1 writes a null array.</summary>
    public void WriteCompactArrayLength(int count) => WriteUnsignedVarInt((uint)(count + 1));

    public void WriteEmptyTaggedFields() => WriteUInt8(0);
}
