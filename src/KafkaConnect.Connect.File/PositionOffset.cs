using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace KafkaConnect.Connect.Files;

/// <summary>
/// The source offset <c>{"position": n}</c> as a read-only one-entry map: every line carries one, and a
/// <see cref="Dictionary{TKey, TValue}"/> costs four objects where this costs one. The position is boxed only when
/// read, which happens for the few offsets that get committed.
/// </summary>
internal sealed class PositionOffset(string key, long? position) : IReadOnlyDictionary<string, object?>
{
    private object? Position => position;

    public object? this[string k] => k == key ? Position : throw new KeyNotFoundException(k);

    public IEnumerable<string> Keys => [key];

    public IEnumerable<object?> Values => [Position];

    public int Count => 1;

    public bool ContainsKey(string k) => k == key;

    public bool TryGetValue(string k, [MaybeNullWhen(false)] out object? value)
    {
        value = k == key ? Position : null;
        return k == key;
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        yield return new KeyValuePair<string, object?>(key, Position);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
