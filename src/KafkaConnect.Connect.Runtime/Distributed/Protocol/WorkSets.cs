using KafkaConnect.Connect.Runtime.Herder;

namespace KafkaConnect.Connect.Runtime.Distributed.Protocol;

/// <summary>A set that remembers insertion order: which items a worker gives up first depends on it.</summary>
internal sealed class OrderedSet<T> : IEnumerable<T> where T : notnull
{
    private readonly List<T> _items = [];
    private readonly HashSet<T> _index;

    public OrderedSet(IEqualityComparer<T>? comparer = null) => _index = new HashSet<T>(comparer);

    public int Count => _items.Count;

    public bool Contains(T item) => _index.Contains(item);

    public bool Add(T item)
    {
        if (!_index.Add(item)) return false;
        _items.Add(item);
        return true;
    }

    public void AddRange(IEnumerable<T> items)
    {
        foreach (var item in items) Add(item);
    }

    public void RemoveWhere(Func<T, bool> predicate)
    {
        if (_items.RemoveAll(item => predicate(item)) > 0) _index.RemoveWhere(item => predicate(item));
    }

    public void Clear()
    {
        _items.Clear();
        _index.Clear();
    }

    public List<T>.Enumerator GetEnumerator() => _items.GetEnumerator();

    IEnumerator<T> IEnumerable<T>.GetEnumerator() => _items.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => _items.GetEnumerator();
}

/// <summary>Connectors and tasks of one worker, in the order the worker listed or received them.</summary>
internal sealed class WorkerLoad
{
    public WorkerLoad(string worker) => Worker = worker;

    public WorkerLoad(string worker, IEnumerable<string> connectors, IEnumerable<ConnectorTaskId> tasks) : this(worker)
    {
        Connectors.AddRange(connectors);
        Tasks.AddRange(tasks);
    }

    public string Worker { get; }
    public OrderedSet<string> Connectors { get; } = new(StringComparer.Ordinal);
    public OrderedSet<ConnectorTaskId> Tasks { get; } = new();
    public bool IsEmpty => Connectors.Count == 0 && Tasks.Count == 0;

    public WorkerLoad Copy() => new(Worker, Connectors, Tasks);

    public void AddAll(WorkerLoad other)
    {
        Connectors.AddRange(other.Connectors);
        Tasks.AddRange(other.Tasks);
    }

    public void RemoveAll(WorkSet items)
    {
        Connectors.RemoveWhere(items.Connectors.Contains);
        Tasks.RemoveWhere(items.Tasks.Contains);
    }

    public WorkerLoad Intersect(WorkSet items)
        => new(Worker, Connectors.Where(items.Connectors.Contains), Tasks.Where(items.Tasks.Contains));

    public WorkerAllocation ToAllocation() => new([.. Connectors], [.. Tasks]);
}

/// <summary>A set of connectors and tasks kept sorted, so work handed out in one round goes in a stable order.</summary>
internal sealed class WorkSet
{
    public SortedSet<string> Connectors { get; } = new(StringComparer.Ordinal);
    public SortedSet<ConnectorTaskId> Tasks { get; } = new(AssignorSupport.TaskOrder);
    public bool IsEmpty => Connectors.Count == 0 && Tasks.Count == 0;

    public static WorkSet Of(IEnumerable<string> connectors, IEnumerable<ConnectorTaskId> tasks)
    {
        var set = new WorkSet();
        set.Connectors.UnionWith(connectors);
        set.Tasks.UnionWith(tasks);
        return set;
    }

    public static WorkSet Union(IEnumerable<WorkerLoad> loads)
    {
        var set = new WorkSet();
        foreach (var load in loads)
        {
            set.Connectors.UnionWith(load.Connectors);
            set.Tasks.UnionWith(load.Tasks);
        }
        return set;
    }

    public void AddAll(WorkSet other)
    {
        Connectors.UnionWith(other.Connectors);
        Tasks.UnionWith(other.Tasks);
    }

    public WorkSet Minus(params ReadOnlySpan<WorkSet> others)
    {
        var result = Of(Connectors, Tasks);
        foreach (var other in others)
        {
            result.Connectors.ExceptWith(other.Connectors);
            result.Tasks.ExceptWith(other.Tasks);
        }
        return result;
    }

    public bool Overlaps(WorkSet other) => Connectors.Overlaps(other.Connectors) || Tasks.Overlaps(other.Tasks);

    public void Clear()
    {
        Connectors.Clear();
        Tasks.Clear();
    }
}
