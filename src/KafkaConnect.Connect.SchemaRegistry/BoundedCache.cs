using System.Collections.Concurrent;

namespace KafkaConnect.Connect.SchemaRegistry;

/// <summary>
/// The converters' schema caches: lock-free reads, a bound (<c>schemas.cache.config</c>) against schemas made anew
/// for every record, and a fast path for the common case of one task writing one schema instance over and over
/// (a reference comparison instead of hashing the whole schema).
/// </summary>
public sealed class BoundedCache<TKey, TValue>(int capacity)
    where TKey : notnull
    where TValue : class
{
    private readonly ConcurrentDictionary<TKey, TValue> _entries = new();
    private Hit? _last;

    public int Count => _entries.Count;

    public TValue GetOrAdd<TState>(TKey key, Func<TKey, TState, TValue> create, TState state)
    {
        var last = _last;
        if (last is not null && !typeof(TKey).IsValueType && ReferenceEquals(last.Key, key))
        {
            return last.Value;
        }
        var value = _entries.GetOrAdd(key, create, state);
        if (_entries.Count > capacity)
        {
            // Dropping everything is rare and costs only rebuilding entries in use.
            _entries.Clear();
        }
        _last = new Hit(key, value);
        return value;
    }

    private sealed record Hit(TKey Key, TValue Value);
}
