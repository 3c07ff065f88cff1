using System.Collections;

namespace KafkaConnect.Connect.Data;

/// <summary>Deep equality over Connect values: byte arrays by content, lists in order, maps by entries.</summary>
internal static class ValueEquality
{
    public static bool ValuesEqual(object? a, object? b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }
        if (a is null || b is null)
        {
            return false;
        }
        switch (a)
        {
            case byte[] bytesA:
                return b is byte[] bytesB && bytesA.AsSpan().SequenceEqual(bytesB);
            case string:
                return a.Equals(b);
            case IList listA when b is IList listB && b is not string && b is not byte[]:
                if (listA.Count != listB.Count)
                {
                    return false;
                }
                for (var i = 0; i < listA.Count; i++)
                {
                    if (!ValuesEqual(listA[i], listB[i]))
                    {
                        return false;
                    }
                }
                return true;
            case IDictionary mapA when b is IDictionary mapB:
                if (mapA.Count != mapB.Count)
                {
                    return false;
                }
                foreach (DictionaryEntry entry in mapA)
                {
                    if (!mapB.Contains(entry.Key) || !ValuesEqual(entry.Value, mapB[entry.Key]))
                    {
                        return false;
                    }
                }
                return true;
            default:
                return a.Equals(b);
        }
    }

    public static int ValueHash(object? value)
    {
        switch (value)
        {
            case null:
                return 0;
            case byte[] bytes:
                var hash = new HashCode();
                hash.AddBytes(bytes);
                return hash.ToHashCode();
            case string s:
                return s.GetHashCode(StringComparison.Ordinal);
            case IList list:
                var listHash = new HashCode();
                foreach (var element in list)
                {
                    listHash.Add(ValueHash(element));
                }
                return listHash.ToHashCode();
            case IDictionary map:
                // Order-independent so equal maps with different insertion order hash alike.
                var sum = 0;
                foreach (DictionaryEntry entry in map)
                {
                    sum += HashCode.Combine(ValueHash(entry.Key), ValueHash(entry.Value));
                }
                return sum;
            default:
                return value.GetHashCode();
        }
    }
}
