using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Protobuf;

internal enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
}

/// <summary>Reads protobuf's binary encoding; every overrun is a <see cref="DataException"/> (a truncated record).</summary>
internal ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public ProtoReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly bool AtEnd => _position >= _data.Length;

    public bool TryReadTag(out int fieldNumber, out WireType wireType)
    {
        if (AtEnd)
        {
            fieldNumber = 0;
            wireType = default;
            return false;
        }
        var tag = ReadVarint();
        fieldNumber = (int)(tag >> 3);
        wireType = (WireType)(tag & 7);
        if (fieldNumber <= 0)
        {
            throw new DataException($"Invalid protobuf data: field number {fieldNumber} at byte {_position}");
        }
        return true;
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _data.Length)
            {
                throw Truncated();
            }
            var b = _data[_position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }
        throw new DataException($"Invalid protobuf data: a varint longer than 10 bytes at byte {_position}");
    }

    public uint ReadFixed32()
    {
        if (_data.Length - _position < 4)
        {
            throw Truncated();
        }
        var value = BinaryPrimitives.ReadUInt32LittleEndian(_data[_position..]);
        _position += 4;
        return value;
    }

    public ulong ReadFixed64()
    {
        if (_data.Length - _position < 8)
        {
            throw Truncated();
        }
        var value = BinaryPrimitives.ReadUInt64LittleEndian(_data[_position..]);
        _position += 8;
        return value;
    }

    public ReadOnlySpan<byte> ReadBytesSpan()
    {
        var length = ReadVarint();
        if (length > (ulong)(_data.Length - _position))
        {
            throw Truncated();
        }
        var span = _data.Slice(_position, (int)length);
        _position += (int)length;
        return span;
    }

    public string ReadString()
    {
        var span = ReadBytesSpan();
        try
        {
            return Utf8.GetString(span);
        }
        catch (DecoderFallbackException e)
        {
            throw new DataException("Invalid protobuf data: a string field is not valid UTF-8", e);
        }
    }

    public void Skip(WireType wireType)
    {
        switch (wireType)
        {
            case WireType.Varint: ReadVarint(); break;
            case WireType.Fixed64: ReadFixed64(); break;
            case WireType.Fixed32: ReadFixed32(); break;
            case WireType.LengthDelimited: ReadBytesSpan(); break;
            default: throw new DataException($"Invalid protobuf data: unsupported wire type {(int)wireType} at byte {_position}");
        }
    }

    private static readonly UTF8Encoding Utf8 = new(false, true);

    private readonly DataException Truncated() =>
        new($"Invalid protobuf data: truncated at byte {_position} of {_data.Length}");
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
