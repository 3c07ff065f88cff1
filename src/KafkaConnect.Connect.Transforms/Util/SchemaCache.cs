using KafkaConnect.Connect.Data;

namespace KafkaConnect.Connect.Transforms.Util;

/// <summary>
/// Derived schemas per input schema, bounded like Apache's 16-entry LRU cache. The most recent hit is kept by
/// reference so the common case (every record carries the same schema instance) skips hashing a schema tree.
/// Thread-safe: a transformation instance may be shared by a task's threads.
/// </summary>
internal sealed class SchemaCache
{
    private readonly int _capacity;
    private readonly Dictionary<Schema, LinkedListNode<(Schema Key, Schema Value)>> _map = [];
    private readonly LinkedList<(Schema Key, Schema Value)> _order = new();
    private readonly Lock _lock = new();
    private volatile Tuple<Schema, Schema>? _last;

    public SchemaCache(int capacity = 16) => _capacity = capacity;

    public Schema GetOrAdd<TState>(Schema input, TState state, Func<Schema, TState, Schema> build)
    {
        var last = _last;
        if (last is not null && ReferenceEquals(last.Item1, input))
        {
            return last.Item2;
        }
        Schema result;
        lock (_lock)
        {
            if (_map.TryGetValue(input, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                result = node.Value.Value;
            }
            else
            {
                result = build(input, state);
                _map[input] = _order.AddFirst((input, result));
                if (_map.Count > _capacity)
                {
                    var oldest = _order.Last!;
                    _order.RemoveLast();
                    _map.Remove(oldest.Value.Key);
                }
            }
        }
        _last = Tuple.Create(input, result);
        return result;
    }
}
