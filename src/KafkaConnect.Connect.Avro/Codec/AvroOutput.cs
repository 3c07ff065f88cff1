using System.Buffers.Binary;
using System.Text;

namespace KafkaConnect.Connect.Avro.Codec;

/// <summary>
/// A growable buffer for Avro's binary encoding: zig-zag varints, little-endian IEEE floats, length-prefixed bytes and
/// UTF-8 strings. One instance per thread is reused, so encoding allocates only the returned array.
/// </summary>
internal sealed class AvroOutput
{
    [ThreadStatic]
    private static AvroOutput? t_cached;

    private byte[] _buffer = new byte[1024];
    private int _length;

    public int Length => _length;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public static AvroOutput Rent()
    {
        var output = t_cached ?? new AvroOutput();
        t_cached = null;
        output._length = 0;
        return output;
    }

    public static void Return(AvroOutput output)
    {
        // Keep a buffer that grew for one huge record from pinning memory for the thread's lifetime.
        if (output._buffer.Length <= 1 << 20)
        {
            t_cached = output;
        }
    }

    public Span<byte> Reserve(int count)
    {
        Ensure(count);
        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }

    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    public void WriteBoolean(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public void WriteInt(int value) => WriteLong(value);

    public void WriteLong(long value)
    {
        Ensure(10);
        var n = (ulong)((value << 1) ^ (value >> 63));
        while (n >= 0x80)
        {
            _buffer[_length++] = (byte)(n | 0x80);
            n >>= 7;
        }
        _buffer[_length++] = (byte)n;
    }

    public void WriteFloat(float value)
    {
        Ensure(4);
        BinaryPrimitives.WriteSingleLittleEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    public void WriteDouble(double value)
    {
        Ensure(8);
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteLong(value.Length);
        WriteFixed(value);
    }

    public void WriteFixed(ReadOnlySpan<byte> value)
    {
        Ensure(value.Length);
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
    }

    public void WriteString(string value)
    {
        // Short strings: encode once at the worst-case position, then move if the varint turned out shorter.
        if (value.Length <= 40)
        {
            Ensure(value.Length * 3 + 1);
            var count = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length + 1));
            if (count < 64)
            {
                _buffer[_length] = (byte)(count << 1);
                _length += 1 + count;
                return;
            }
        }
        var length = Encoding.UTF8.GetByteCount(value);
        WriteLong(length);
        Ensure(length);
        _length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
    }

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    private void Ensure(int count)
    {
        if (_buffer.Length - _length < count)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }
    }
}

/// <summary>Reads Avro's binary encoding from a span; every read checks bounds and malformed input is a <see cref="Errors.DataException"/>.</summary>
internal ref struct AvroInput
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public AvroInput(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly int Remaining => _data.Length - _position;

    public bool ReadBoolean()
    {
        var b = ReadByte();
        return b switch
        {
            0 => false,
            1 => true,
            _ => throw Malformed($"invalid boolean byte {b}"),
        };
    }

    public int ReadInt()
    {
        var value = ReadLong();
        return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw Malformed($"int out of range: {value}");
    }

    public long ReadLong()
    {
        ulong result = 0;
        var shift = 0;
        while (true)
        {
            var b = ReadByte();
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                break;
            }
            shift += 7;
            if (shift > 63)
            {
                throw Malformed("varint longer than 10 bytes");
            }
        }
        return (long)(result >> 1) ^ -(long)(result & 1);
    }

    public float ReadFloat() => BinaryPrimitives.ReadSingleLittleEndian(ReadSpan(4));

    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(ReadSpan(8));

    /// <summary>A length-prefixed byte sequence (bytes or string), still in the input.</summary>
    public ReadOnlySpan<byte> ReadLengthPrefixed()
    {
        var length = ReadLong();
        if (length < 0 || length > Remaining)
        {
            throw Malformed($"length {length} with {Remaining} bytes left");
        }
        return ReadSpan((int)length);
    }

    public string ReadString() => Encoding.UTF8.GetString(ReadLengthPrefixed());

    public ReadOnlySpan<byte> ReadSpan(int count)
    {
        if (count > Remaining)
        {
            throw Malformed($"needs {count} bytes, {Remaining} left");
        }
        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }

    /// <summary>The item count of the next array or map block (0 ends); skips the byte size a negative count carries.</summary>
    public long ReadBlockCount()
    {
        var count = ReadLong();
        if (count < 0)
        {
            count = -count;
            ReadLong();
        }
        // Decoders also bound a count by the bytes left (ArrayDecoder.GuardCount); this only keeps it an int.
        if (count > int.MaxValue)
        {
            throw Malformed($"block of {count} items");
        }
        return count;
    }

    private byte ReadByte() =>
        _position < _data.Length ? _data[_position++] : throw Malformed("unexpected end of data");

    private static Errors.DataException Malformed(string what) => new("Malformed Avro data: " + what);
}
