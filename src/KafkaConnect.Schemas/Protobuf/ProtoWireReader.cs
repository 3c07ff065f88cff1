using System.Buffers.Binary;
using System.Text;

namespace KafkaConnect.Schemas.Protobuf;

/// <summary>Protobuf's wire types (StartGroup/EndGroup are read only to be refused).</summary>
public enum ProtoWireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
}

/// <summary>What a <see cref="ProtoWireReader{TErrors}"/> throws: each reader of protobuf bytes has its own exception.</summary>
public interface IProtoWireErrors
{
    /// <summary>The exception for bytes that are not valid protobuf; <paramref name="what"/> says where and why.</summary>
    static abstract Exception Invalid(string what, Exception? inner = null);
}

/// <summary>
/// Reads protobuf's binary encoding: tags, varints, length-delimited and fixed values, skipping what is unknown. One
/// reader for descriptors (<see cref="DescriptorReader"/>: <see cref="SchemaParseException"/>) and for the Protobuf
/// converter's records (Connect's DataException); the struct type argument keeps the error type free at run time.
/// </summary>
public ref struct ProtoWireReader<TErrors>
    where TErrors : struct, IProtoWireErrors
{
    private static readonly UTF8Encoding s_utf8 = new(false, true);

    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public ProtoWireReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly bool AtEnd => _position >= _data.Length;

    public bool TryReadTag(out int fieldNumber, out ProtoWireType wireType)
    {
        if (AtEnd)
        {
            fieldNumber = 0;
            wireType = default;
            return false;
        }
        var tag = ReadVarint();
        fieldNumber = (int)(tag >> 3);
        wireType = (ProtoWireType)(tag & 7);
        if (fieldNumber <= 0 || tag >> 3 > int.MaxValue)
        {
            throw TErrors.Invalid($"field number {tag >> 3} at byte {_position}");
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
        throw TErrors.Invalid($"a varint longer than 10 bytes at byte {_position}");
    }

    public int ReadInt32() => (int)ReadVarint();

    /// <summary>The next varint of a packed run, or false at its end.</summary>
    public bool TryReadVarint(out ulong value)
    {
        if (AtEnd)
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
            throw TErrors.Invalid("a string field is not valid UTF-8", e);
        }
    }

    public void Skip(ProtoWireType wireType)
    {
        switch (wireType)
        {
            case ProtoWireType.Varint: ReadVarint(); break;
            case ProtoWireType.Fixed64: Take(8); break;
            case ProtoWireType.Fixed32: Take(4); break;
            case ProtoWireType.LengthDelimited: ReadBytes(); break;
            default: throw TErrors.Invalid($"unsupported wire type {(int)wireType} at byte {_position}");
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

    private readonly Exception Truncated() => TErrors.Invalid($"truncated at byte {_position} of {_data.Length}");
}

/// <summary>A descriptor's bytes are a schema: their faults are <see cref="SchemaParseException"/>s.</summary>
internal readonly struct DescriptorErrors : IProtoWireErrors
{
    public static Exception Invalid(string what, Exception? inner = null) => new SchemaParseException("Invalid Protobuf descriptor: " + what, inner);
}
