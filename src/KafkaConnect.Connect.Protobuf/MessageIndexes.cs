using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Protobuf;

/// <summary>
/// Confluent's message-index list after the 5-byte header: which message of the schema the payload is, as a
/// zigzag-varint count and that many zigzag-varint indexes (top-level, then nested); the first message, [0], is
/// written as the single byte 0.
/// </summary>
internal static class MessageIndexes
{
    public static int Write(Span<byte> destination, IReadOnlyList<int> indexes)
    {
        if (indexes is [0])
        {
            destination[0] = 0;
            return 1;
        }
        var written = WriteZigZag(destination, indexes.Count);
        foreach (var index in indexes)
        {
            written += WriteZigZag(destination[written..], index);
        }
        return written;
    }

    /// <summary>The message of <paramref name="file"/> at a message-index path (indexes into top-level, then nested, messages).</summary>
    public static ProtoMessage MessageAt(ProtoFile file, IReadOnlyList<int> indexes)
    {
        IReadOnlyList<ProtoMessage> level = file.Messages;
        ProtoMessage? message = null;
        foreach (var index in indexes)
        {
            if (index < 0 || index >= level.Count)
            {
                throw new DataException($"Message index {index} is beyond the {level.Count} message(s) the schema defines there");
            }
            message = level[index];
            level = message.Nested;
        }
        return message ?? throw new DataException("Empty message-index path");
    }

    public static int SizeOf(IReadOnlyList<int> indexes) => indexes is [0] ? 1 : 10 * (indexes.Count + 1);

    /// <summary>Reads the list; returns the bytes it took.</summary>
    public static int Read(ReadOnlySpan<byte> data, out int[] indexes)
    {
        var position = 0;
        var count = ReadZigZag(data, ref position);
        if (count == 0)
        {
            indexes = [0];
            return position;
        }
        if (count < 0 || count > 100)
        {
            throw new DataException($"Invalid protobuf record: message-index count {count} (corrupt data, or not written by a Protobuf serializer?)");
        }
        indexes = new int[count];
        for (var i = 0; i < count; i++)
        {
            indexes[i] = ReadZigZag(data, ref position);
        }
        return position;
    }

    private static int WriteZigZag(Span<byte> destination, int value)
    {
        var v = (uint)((value << 1) ^ (value >> 31));
        var n = 0;
        while (v >= 0x80)
        {
            destination[n++] = (byte)(v | 0x80);
            v >>= 7;
        }
        destination[n++] = (byte)v;
        return n;
    }

    private static int ReadZigZag(ReadOnlySpan<byte> data, ref int position)
    {
        uint result = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (position >= data.Length)
            {
                throw new DataException("Invalid protobuf record: truncated in the message-index list after the schema id");
            }
            var b = data[position++];
            result |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return (int)(result >> 1) ^ -(int)(result & 1);
            }
        }
        throw new DataException("Invalid protobuf record: malformed message-index list");
    }
}
