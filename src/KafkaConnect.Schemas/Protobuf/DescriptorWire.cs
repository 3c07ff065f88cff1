using System.Buffers.Binary;
using System.Text;

namespace KafkaConnect.Schemas.Protobuf;

internal enum DescriptorWireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    Fixed32 = 5,
}

/// <summary>
/// The protobuf binary reading a serialized descriptor needs (tags, varints, length-delimited, fixed, skipping what is
/// unknown); every fault is a <see cref="SchemaParseException"/>, since here bytes are a schema, not a record.
/// </summary>
internal ref struct DescriptorWire
{
    private static readonly UTF8Encoding s_utf8 = new(false, true);

    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public DescriptorWire(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public bool TryReadTag(out int fieldNumber, out DescriptorWireType wireType)
    {
        if (_position >= _data.Length)
        {
            fieldNumber = 0;
            wireType = default;
            return false;
        }
        var tag = ReadVarint();
        fieldNumber = (int)(tag >> 3);
        wireType = (DescriptorWireType)(tag & 7);
        if (fieldNumber <= 0 || tag >> 3 > int.MaxValue)
        {
            throw Invalid($"field number {tag >> 3} at byte {_position}");
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
        throw Invalid($"a varint longer than 10 bytes at byte {_position}");
    }

    public int ReadInt32() => (int)ReadVarint();

    /// <summary>The next varint of a packed run, or false at its end.</summary>
    public bool TryReadVarint(out ulong value)
    {
        if (_position >= _data.Length)
        {
            value = 0;
            return false;
        }
        value = ReadVarint();
        return true;
    }

    public uint ReadFixed32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public ulong ReadFixed64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public ReadOnlySpan<byte> ReadBytes()
    {
        var length = ReadVarint();
        if (length > (ulong)(_data.Length - _position))
        {
            throw Truncated();
        }
        return Take((int)length);
    }

    public string ReadString()
    {
        try
        {
            return s_utf8.GetString(ReadBytes());
        }
        catch (DecoderFallbackException e)
        {
            throw new SchemaParseException("Invalid Protobuf descriptor: a string is not valid UTF-8", e);
        }
    }

    public void Skip(DescriptorWireType wireType)
    {
        switch (wireType)
        {
            case DescriptorWireType.Varint: ReadVarint(); break;
            case DescriptorWireType.Fixed64: Take(8); break;
            case DescriptorWireType.Fixed32: Take(4); break;
            case DescriptorWireType.LengthDelimited: ReadBytes(); break;
            default: throw Invalid($"unsupported wire type {(int)wireType} at byte {_position}");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (_data.Length - _position < count)
        {
            throw Truncated();
        }
        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }

    private static SchemaParseException Invalid(string what) => new("Invalid Protobuf descriptor: " + what);

    private readonly SchemaParseException Truncated() => Invalid($"truncated at byte {_position} of {_data.Length}");
}
