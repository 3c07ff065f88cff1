namespace KafkaConnect.Network;

/// <summary>
/// Bytes of requests handed to the handler and not yet finished, shared by all connections. Over the limit,
/// connections stop reading at their next frame boundary until handlers finish: backpressure through TCP rather
/// than a disconnect. Only whole frames count, so a reader never waits on bytes it holds itself.
/// </summary>
internal sealed class RequestMemory
{
    private readonly long _limit;
    private readonly object _lock = new();
    private long _queued;
    private long _pauses;
    private TaskCompletionSource? _room;

    public RequestMemory(long limit) => _limit = limit;

    private bool Bounded => _limit > 0;

    public long Queued => Interlocked.Read(ref _queued);

    /// <summary>How many times a connection had to stop reading because the limit was reached.</summary>
    public long Pauses => Interlocked.Read(ref _pauses);

    public void Add(long bytes) => Interlocked.Add(ref _queued, bytes);

    public void Release(long bytes)
    {
        var queued = Interlocked.Add(ref _queued, -bytes);
        if (!Bounded || queued >= _limit) return;
        TaskCompletionSource? room;
        lock (_lock)
        {
            room = _room;
            _room = null;
        }
        room?.TrySetResult();
    }

    /// <summary>Completes at once while under the limit, else once enough requests have finished.</summary>
    public async ValueTask WaitForRoomAsync(CancellationToken cancellationToken)
    {
        if (!Bounded) return;
        var counted = false;
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (Queued < _limit) return;
                _room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _room.Task;
            }
            if (!counted)
            {
                Interlocked.Increment(ref _pauses);
                counted = true;
            }
            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
