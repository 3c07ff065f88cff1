namespace KafkaConnect.Connect.SchemaRegistry;

/// <summary>
/// The iteration order of a java.util.HashMap with string keys. Confluent builds JSON Schemas with everit's
/// builders, which keep properties and extra keywords in HashMaps, so the text it registers lists them in that
/// order; writing the same order lets a schema from us and one from a Java worker share a registry id.
/// </summary>
public static class JavaHashOrder
{
    /// <summary>Java's String.hashCode over UTF-16 code units, then HashMap's spreading of the high bits.</summary>
    public static int Spread(string key)
    {
        var h = 0;
        foreach (var c in key)
        {
            h = unchecked((31 * h) + c);
        }
        return h ^ (int)((uint)h >> 16);
    }

    /// <summary>Table size of a map filled by successive puts from the default capacity of 16 (resizes past 3/4 full).</summary>
    public static int CapacityAfterPuts(int count)
    {
        var capacity = 16;
        while (count > capacity * 3 / 4)
        {
            capacity *= 2;
        }
        return capacity;
    }

    /// <summary>Table size of <c>new HashMap&lt;&gt;(map)</c> (JDK 17: size / 0.75 + 1, rounded up to a power of two).</summary>
    public static int CapacityOfCopy(int count) => count == 0 ? 1 : TableSizeFor((int)((count / 0.75f) + 1.0f));

    /// <summary>Table size of <c>new HashMap&lt;&gt;(n)</c>, as org.json's JSONObject(Map) makes.</summary>
    public static int CapacityFor(int initialCapacity) => TableSizeFor(initialCapacity);

    /// <summary>Table size of <c>new HashSet&lt;&gt;(collection)</c>.</summary>
    public static int CapacityOfSetCopy(int count) => TableSizeFor(Math.Max((int)(count / 0.75f) + 1, 16));

    /// <summary>
    /// Orders keys (given in insertion order) as a map of that table size iterates them: by bucket, and within a
    /// bucket by insertion (the lists never grow long enough here to turn into trees).
    /// </summary>
    public static List<T> Order<T>(IEnumerable<T> items, Func<T, string> key, int capacity)
    {
        var list = items.ToList();
        var mask = capacity - 1;
        // OrderBy is stable, which keeps insertion order inside a bucket.
        return [.. list.OrderBy(item => Spread(key(item)) & mask)];
    }

    private static int TableSizeFor(int capacity)
    {
        var n = 1;
        while (n < capacity)
        {
            n <<= 1;
        }
        return n;
    }
}
