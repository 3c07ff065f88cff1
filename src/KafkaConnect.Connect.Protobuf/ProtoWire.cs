using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Protobuf;

/// <summary>A record's bytes that are not valid protobuf are a <see cref="DataException"/> (a truncated record, say).</summary>
internal readonly struct DataErrors : IProtoWireErrors
{
    public static Exception Invalid(string what, Exception? inner = null) => new DataException("Invalid protobuf data: " + what, inner);
}

/// <summary>Writes protobuf's binary encoding into a pooled buffer; nested messages get their length patched in.</summary>
internal sealed class ProtoWriter
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(256);
    private int _length;

    [ThreadStatic]
    private static ProtoWriter? t_cached;

    public int Length => _length;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public static ProtoWriter Rent()
    {
        var writer = t_cached ?? new ProtoWriter();
        t_cached = null;
        writer._length = 0;
        return writer;
    }

    public static void Return(ProtoWriter writer)
    {
        if (writer._buffer.Length > 1 << 20)
        {
            ArrayPool<byte>.Shared.Return(writer._buffer);
            writer._buffer = ArrayPool<byte>.Shared.Rent(256);
        }
        t_cached = writer;
    }

    public void WriteTag(int fieldNumber, WireType wireType) => WriteVarint(((ulong)(uint)fieldNumber << 3) | (uint)wireType);

    public void WriteVarint(ulong value)
    {
        Ensure(10);
        while (value >= 0x80)
        {
            _buffer[_length++] = (byte)(value | 0x80);
            value >>= 7;
        }
        _buffer[_length++] = (byte)value;
    }

    public void WriteFixed32(uint value)
    {
        Ensure(4);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    public void WriteFixed64(ulong value)
    {
        Ensure(8);
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        WriteVarint((ulong)bytes.Length);
        WriteRaw(bytes);
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    public void WriteString(string value)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (max < 128)
        {
            // One length byte suffices: encode in place.
            Ensure(max + 1);
            var written = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length + 1));
            _buffer[_length] = (byte)written;
            _length += written + 1;
            return;
        }
        var count = Encoding.UTF8.GetByteCount(value);
        WriteVarint((ulong)count);
        Ensure(count);
        Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
        _length += count;
    }

    /// <summary>Starts a length-delimited value; returns where its content starts (after room for the length).</summary>
    public int BeginLengthDelimited()
    {
        Ensure(5);
        _length += 5;
        return _length;
    }

    /// <summary>Writes the length in front of the content and closes the gap left for it.</summary>
    public void EndLengthDelimited(int start)
    {
        var contentLength = _length - start;
        Span<byte> prefix = stackalloc byte[5];
        var n = 0;
        var value = (uint)contentLength;
        while (value >= 0x80)
        {
            prefix[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        prefix[n++] = (byte)value;
        var prefixStart = start - 5;
        if (n < 5)
        {
            _buffer.AsSpan(start, contentLength).CopyTo(_buffer.AsSpan(prefixStart + n));
        }
        prefix[..n].CopyTo(_buffer.AsSpan(prefixStart));
        _length = prefixStart + n + contentLength;
    }

    private void Ensure(int count)
    {
        if (_length + count <= _buffer.Length)
        {
            return;
        }
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + count));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}
