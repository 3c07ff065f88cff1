namespace KafkaConnect.Client.Producer;

/// <summary>
/// The partition Kafka's Java producer picks for a keyed record: murmur2 of the key bytes (seed 0x9747b28c),
/// made positive by masking the sign bit, modulo the partition count. Matching it keeps keys on the same
/// partitions whichever client produced them.
/// </summary>
public static class Murmur2Partitioner
{
    private const uint Seed = 0x9747b28c;
    private const uint M = 0x5bd1e995;
    private const int R = 24;

    public static int Partition(ReadOnlySpan<byte> key, int numPartitions)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numPartitions);
        return (Murmur2(key) & 0x7fffffff) % numPartitions;
    }

    /// <summary>32-bit murmur2 as Kafka computes it (little-endian 4-byte blocks, tail mixed in byte by byte).</summary>
    public static int Murmur2(ReadOnlySpan<byte> data)
    {
        var length = data.Length;
        var h = Seed ^ (uint)length;
        var blocks = length & ~3;
        for (var i = 0; i < blocks; i += 4)
        {
            var k = (uint)(data[i] | data[i + 1] << 8 | data[i + 2] << 16 | data[i + 3] << 24);
            k *= M;
            k ^= k >> R;
            k *= M;
            h *= M;
            h ^= k;
        }
        switch (length & 3)
        {
            case 3:
                h ^= (uint)data[blocks + 2] << 16;
                h ^= (uint)data[blocks + 1] << 8;
                h ^= data[blocks];
                h *= M;
                break;
            case 2:
                h ^= (uint)data[blocks + 1] << 8;
                h ^= data[blocks];
                h *= M;
                break;
            case 1:
                h ^= data[blocks];
                h *= M;
                break;
        }
        h ^= h >> 13;
        h *= M;
        h ^= h >> 15;
        return (int)h;
    }
}
