using KafkaConnect.Connect.Data;

namespace KafkaConnect.Connect.Storage;

/// <summary>
/// Content equality for source partition and offset dictionaries, so two separately built
/// <c>{"file": "a.log"}</c> maps find the same stored offset. Values compare deeply (lists, maps, byte arrays).
/// </summary>
public sealed class SourcePartitionComparer : IEqualityComparer<IReadOnlyDictionary<string, object?>>
{
    public static readonly SourcePartitionComparer Instance = new();

    private SourcePartitionComparer()
    {
    }

    public bool Equals(IReadOnlyDictionary<string, object?>? x, IReadOnlyDictionary<string, object?>? y)
    {
        if (ReferenceEquals(x, y))
        {
            return true;
        }
        if (x is null || y is null || x.Count != y.Count)
        {
            return false;
        }
        foreach (var (key, value) in x)
        {
            if (!y.TryGetValue(key, out var other) || !ValueEquality.ValuesEqual(value, other))
            {
                return false;
            }
        }
        return true;
    }

    public int GetHashCode(IReadOnlyDictionary<string, object?> obj)
    {
        if (obj is null)
        {
            return 0;
        }
        // Order-independent: dictionaries with equal content may enumerate differently.
        var sum = 0;
        foreach (var (key, value) in obj)
        {
            sum += HashCode.Combine(key.GetHashCode(StringComparison.Ordinal), ValueEquality.ValueHash(value));
        }
        return sum;
    }
}
