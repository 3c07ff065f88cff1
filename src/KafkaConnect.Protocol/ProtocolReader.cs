using System.Buffers.Binary;
using System.Text;

namespace KafkaConnect.Protocol;

/// <summary>
/// Reads Kafka primitive types from one received frame. Record sets are returned as slices of the
/// frame's memory, so a produce request's batches reach the log without a copy.
/// Every read is bounds-checked and throws <see cref="ProtocolException"/> on malformed input.
/// </summary>
public ref struct ProtocolReader
{
    private readonly ReadOnlyMemory<byte> _memory;
    private readonly ReadOnlySpan<byte> _span;
    private int _position;

    public ProtocolReader(ReadOnlyMemory<byte> memory)
    {
        _memory = memory;
        _span = memory.Span;
        _position = 0;
    }

    public readonly int Position => _position;
    public readonly int Remaining => _span.Length - _position;
    public readonly bool End => _position >= _span.Length;

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > _span.Length - _position)
            throw new ProtocolException($"Message truncated: needed {count} bytes at offset {_position}, {_span.Length - _position} left.");
        var s = _span.Slice(_position, count);
        _position += count;
        return s;
    }

    public void Skip(int count) => Take(count);

    public sbyte ReadInt8() => (sbyte)Take(1)[0];
    public byte ReadUInt8() => Take(1)[0];
    public bool ReadBool() => Take(1)[0] != 0;
    public short ReadInt16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));
    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));
    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));
    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));
    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));
    public double ReadFloat64() => BinaryPrimitives.ReadDoubleBigEndian(Take(8));

    public Uuid ReadUuid()
    {
        var b = Take(16);
        return new Uuid(BinaryPrimitives.ReadInt64BigEndian(b), BinaryPrimitives.ReadInt64BigEndian(b[8..]));
    }

    public uint ReadUnsignedVarInt()
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = Take(1)[0];
            value |= (uint)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new ProtocolException("Varint is longer than 5 bytes.");
    }

    public ulong ReadUnsignedVarLong()
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = Take(1)[0];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new ProtocolException("Varlong is longer than 10 bytes.");
    }

    /// <summary>Zig-zag encoded signed varint, as used inside records.</summary>
    public int ReadVarInt()
    {
        var v = ReadUnsignedVarInt();
        return (int)(v >> 1) ^ -(int)(v & 1);
    }

    public long ReadVarLong()
    {
        var v = ReadUnsignedVarLong();
        return (long)(v >> 1) ^ -(long)(v & 1);
    }

    private string DecodeString(int length)
    {
        try
        {
            return Strict.GetString(Take(length));
        }
        catch (DecoderFallbackException)
        {
            throw new ProtocolException("String is not valid UTF-8.");
        }
    }

    private static readonly UTF8Encoding Strict = new(false, true);

    public string ReadString()
        => ReadNullableString() ?? throw new ProtocolException("Non-nullable string was null.");

    public string? ReadNullableString()
    {
        int length = ReadInt16();
        if (length < 0) return null;
        return DecodeString(length);
    }

    public string ReadCompactString()
        => ReadCompactNullableString() ?? throw new ProtocolException("Non-nullable compact string was null.");

    public string? ReadCompactNullableString()
    {
        var length = (long)ReadUnsignedVarInt() - 1;
        if (length < 0) return null;
        if (length > short.MaxValue) throw new ProtocolException($"String length {length} is over the limit.");
        return DecodeString((int)length);
    }

    public byte[] ReadBytes()
        => ReadNullableBytes() ?? throw new ProtocolException("Non-nullable bytes were null.");

    public byte[]? ReadNullableBytes()
    {
        var length = ReadInt32();
        return length < 0 ? null : Take(length).ToArray();
    }

    public byte[] ReadCompactBytes()
        => ReadCompactNullableBytes() ?? throw new ProtocolException("Non-nullable compact bytes were null.");

    public byte[]? ReadCompactNullableBytes()
    {
        var length = (long)ReadUnsignedVarInt() - 1;
        return length < 0 ? null : Take(ToLength(length)).ToArray();
    }

    /// <summary>A record set (NULLABLE_BYTES or COMPACT_NULLABLE_BYTES) as a slice of the frame; no copy.</summary>
    public ReadOnlyMemory<byte>? ReadRecords(bool compact)
    {
        long length = compact ? (long)ReadUnsignedVarInt() - 1 : ReadInt32();
        if (length < 0) return null;
        var start = _position;
        Take(ToLength(length));
        return _memory.Slice(start, (int)length);
    }

    // A length beyond int range cannot fit in a frame; report it as malformed rather than overflow.
    private static int ToLength(long length)
        => length > int.MaxValue ? throw new ProtocolException($"Length {length} is too large.") : (int)length;

    /// <summary>Array length for a classic array; -1 means null.</summary>
    public int ReadArrayLength()
    {
        var n = ReadInt32();
        CheckArrayLength(n);
        return n;
    }

    /// <summary>Array length for a compact array; -1 means null.</summary>
    public int ReadCompactArrayLength()
    {
        var n = (long)ReadUnsignedVarInt() - 1;
        CheckArrayLength(n);
        return (int)n;
    }

    private readonly void CheckArrayLength(long n)
    {
        // Every element takes at least one byte, so a count above what is left is a lie.
        if (n < -1 || n > Remaining) throw new ProtocolException($"Array length {n} is invalid with {Remaining} bytes left.");
    }

    /// <summary>Skips one tagged field's value whose tag the reader does not know.</summary>
    public void SkipTaggedField()
    {
        var size = ReadUnsignedVarInt();
        Take(ToLength(size));
    }

    /// <summary>Reads a tagged-field section and skips every field (for structs with no known tags).</summary>
    public void SkipTaggedFields()
    {
        var count = ReadUnsignedVarInt();
        for (var i = 0u; i < count; i++)
        {
            ReadUnsignedVarInt();
            SkipTaggedField();
        }
    }
}
