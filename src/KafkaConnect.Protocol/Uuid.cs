using System.Buffers.Binary;
using System.Security.Cryptography;

namespace KafkaConnect.Protocol;

/// <summary>Kafka's 128-bit UUID: two big-endian longs on the wire, URL-safe base64 (no padding) as text.</summary>
public readonly record struct Uuid(long MostSignificantBits, long LeastSignificantBits)
{
    public static readonly Uuid Zero = new(0, 0);

    public bool IsZero => MostSignificantBits == 0 && LeastSignificantBits == 0;

    public static Uuid NewRandom()
    {
        Span<byte> b = stackalloc byte[16];
        while (true)
        {
            RandomNumberGenerator.Fill(b);
            // Version 4, variant 2, as java.util.UUID.randomUUID().
            b[6] = (byte)((b[6] & 0x0f) | 0x40);
            b[8] = (byte)((b[8] & 0x3f) | 0x80);
            var id = new Uuid(BinaryPrimitives.ReadInt64BigEndian(b), BinaryPrimitives.ReadInt64BigEndian(b[8..]));
            // Kafka reserves ids whose text starts with '-' and the zero/metadata ids.
            if (!id.ToString().StartsWith('-') && !id.IsZero && id != new Uuid(0, 1)) return id;
        }
    }

    public override string ToString()
    {
        Span<byte> b = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(b, MostSignificantBits);
        BinaryPrimitives.WriteInt64BigEndian(b[8..], LeastSignificantBits);
        return Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static bool TryParse(string text, out Uuid id)
    {
        id = Zero;
        var s = text.Replace('-', '+').Replace('_', '/');
        if (s.Length != 22) return false;
        Span<byte> b = stackalloc byte[18];
        if (!Convert.TryFromBase64String(s + "==", b, out var n) || n != 16) return false;
        id = new Uuid(BinaryPrimitives.ReadInt64BigEndian(b), BinaryPrimitives.ReadInt64BigEndian(b[8..]));
        return true;
    }
}
