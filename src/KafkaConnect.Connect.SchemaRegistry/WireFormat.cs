using System.Buffers.Binary;

namespace KafkaConnect.Connect.SchemaRegistry;

/// <summary>
/// Confluent's framing of registry-backed records: a zero magic byte, the schema id as a 4-byte big-endian integer,
/// then the payload (Avro binary, JSON text, or Protobuf with its message-index list first).
/// </summary>
public static class WireFormat
{
    public const byte MagicByte = 0;
    public const int HeaderSize = 5;

    /// <summary>Writes the magic byte and <paramref name="schemaId"/> into the first <see cref="HeaderSize"/> bytes.</summary>
    public static void WriteHeader(Span<byte> destination, int schemaId)
    {
        destination[0] = MagicByte;
        BinaryPrimitives.WriteInt32BigEndian(destination[1..], schemaId);
    }

    /// <summary>Reads the schema id; false when the data is shorter than the header or does not start with the magic byte.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> data, out int schemaId)
    {
        if (data.Length < HeaderSize || data[0] != MagicByte)
        {
            schemaId = 0;
            return false;
        }
        schemaId = BinaryPrimitives.ReadInt32BigEndian(data[1..]);
        return true;
    }

    /// <summary>
    /// Reads the schema id or throws the error Confluent's deserializers give ("Unknown magic byte!"), naming the topic.
    /// </summary>
    /// <exception cref="Errors.DataException">The data is not in the registry's framing.</exception>
    public static int ReadHeader(ReadOnlySpan<byte> data, string topic)
    {
        if (data.Length < HeaderSize)
        {
            throw new Errors.DataException(
                $"Failed to deserialize data for topic {topic}: {data.Length} bytes is shorter than the 5-byte schema registry header (magic byte and schema id)");
        }
        if (data[0] != MagicByte)
        {
            throw new Errors.DataException(
                $"Failed to deserialize data for topic {topic}: Unknown magic byte! (0x{data[0]:x2}; registry-framed data starts with 0x00 and a schema id — was it written by another converter?)");
        }
        return BinaryPrimitives.ReadInt32BigEndian(data[1..]);
    }
}
