namespace KafkaConnect.Network;

/// <summary>
/// Bytes of requests being read or handled and not yet finished, shared by all connections
/// (<c>queued.max.request.bytes</c>). A frame takes its share as soon as its length is known, as Kafka's memory pool
/// does, so frames still arriving count too. Over the limit, connections stop reading until handlers finish:
/// backpressure through TCP rather than a disconnect. A reservation is granted while the total is under the limit, so it
/// overshoots by at most one frame; a connection that holds one reads its frame to the end and never waits on itself.
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

    /// <summary>Takes <paramref name="bytes"/> at once while under the limit, else once enough requests have finished.</summary>
    public async ValueTask ReserveAsync(long bytes, CancellationToken cancellationToken)
    {
        if (!Bounded)
        {
            Interlocked.Add(ref _queued, bytes);
            return;
        }
        var counted = false;
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                // Check and take together: two connections cannot both pass on the same room.
                if (Queued < _limit)
                {
                    Interlocked.Add(ref _queued, bytes);
                    return;
                }
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
