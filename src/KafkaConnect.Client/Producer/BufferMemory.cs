namespace KafkaConnect.Client.Producer;

/// <summary>
/// Accounts buffer.memory: bytes of records accepted but not yet completed. Senders that find it full wait in
/// FIFO order (so a large record is not starved by small ones) until completed batches give bytes back.
/// </summary>
internal sealed class BufferMemory
{
    private readonly object _lock = new();
    private readonly LinkedList<(long Bytes, TaskCompletionSource Granted)> _waiters = new();
    private long _available;

    public BufferMemory(long total)
    {
        Total = total;
        _available = total;
    }

    public long Total { get; }

    public long Available
    {
        get { lock (_lock) return _available; }
    }

    /// <summary>Takes the bytes if they are free now and nobody queues ahead.</summary>
    public bool TryReserve(long bytes)
    {
        lock (_lock)
        {
            if (_waiters.Count != 0 || _available < bytes) return false;
            _available -= bytes;
            return true;
        }
    }

    /// <summary>Waits longer than a wait handle can count (about 24.8 days, e.g. max.block.ms = Long.MAX_VALUE) mean no limit.</summary>
    private static TimeSpan WaitTime(long timeoutMs)
        => timeoutMs >= int.MaxValue ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(timeoutMs);

    /// <summary>Blocks the calling thread (as Kafka's send does) up to <paramref name="timeoutMs"/>.</summary>
    public bool Reserve(long bytes, long timeoutMs)
    {
        if (TryReserve(bytes)) return true;
        var (node, granted) = Enqueue(bytes);
        if (node is null) return true;
        bool done;
        try
        {
            done = granted.Wait(WaitTime(timeoutMs));
        }
        catch (AggregateException)
        {
            done = false;
        }
        return done || Abandon(node);
    }

    public async ValueTask<bool> ReserveAsync(long bytes, long timeoutMs, CancellationToken ct)
    {
        if (TryReserve(bytes)) return true;
        var (node, granted) = Enqueue(bytes);
        if (node is null) return true;
        try
        {
            await granted.WaitAsync(WaitTime(timeoutMs), ct).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return Abandon(node);
        }
        catch (OperationCanceledException)
        {
            if (Abandon(node)) Release(bytes);
            throw;
        }
    }

    private (LinkedListNode<(long, TaskCompletionSource)>? Node, Task Granted) Enqueue(long bytes)
    {
        lock (_lock)
        {
            if (_waiters.Count == 0 && _available >= bytes)
            {
                _available -= bytes;
                return (null, Task.CompletedTask);
            }
            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return (_waiters.AddLast((bytes, tcs)), tcs.Task);
        }
    }

    /// <summary>Gives up waiting; true when the grant raced in meanwhile (then the caller owns the bytes).</summary>
    private bool Abandon(LinkedListNode<(long Bytes, TaskCompletionSource Granted)> node)
    {
        lock (_lock)
        {
            if (node.List is not null)
            {
                _waiters.Remove(node);
                GrantWaiters();
                return false;
            }
            return true;
        }
    }

    public void Release(long bytes)
    {
        lock (_lock)
        {
            _available += bytes;
            GrantWaiters();
        }
    }

    private void GrantWaiters()
    {
        while (_waiters.First is { } first && _available >= first.Value.Bytes)
        {
            _available -= first.Value.Bytes;
            _waiters.RemoveFirst();
            first.Value.Granted.TrySetResult();
        }
    }
}
