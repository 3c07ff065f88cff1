using KafkaConnect.Protocol;

namespace KafkaConnect.Storage;

/// <summary>
/// Group commit for producers with acks=all, which await <see cref="WaitFlushedAsync"/>. Each log flushes on its
/// own: the first waiter of an idle log starts an fsync at once; waiters arriving while it runs join the next
/// fsync of that log, which starts as soon as the running one ends. So a waiter sits through at most one fsync
/// of its own log plus the remainder of the one in progress, never behind other logs' fsyncs, and the fsync rate
/// adapts to load instead of following the request rate.
/// </summary>
public sealed class LogFlusher : IAsyncDisposable
{
    private readonly record struct Waiter(long Offset, TaskCompletionSource Completion);

    /// <summary>A log with waiters: it is either queued for a worker or being flushed by one.</summary>
    private sealed class LogState(PartitionLog log)
    {
        public readonly PartitionLog Log = log;
        public List<Waiter> Pending = [];
        public List<Waiter>? Spare;
    }

    private readonly object _gate = new();
    private readonly Dictionary<PartitionLog, LogState> _active = new(ReferenceEqualityComparer.Instance);
    // Guarded by its own monitor: workers block in Monitor.Wait, which sleeps at once where SemaphoreSlim.Wait would
    // first spin with sched_yield on every wake-up (measured as several percent of a 2-core machine).
    private readonly Queue<LogState> _queue = new();
    private readonly Task[] _workers;
    private volatile bool _stopping;
    private bool _disposed;

    /// <param name="parallelism">How many logs are fsynced at once (one dedicated thread each, as fsync blocks).</param>
    public LogFlusher(int parallelism = 4)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        _workers = new Task[parallelism];
        for (var i = 0; i < parallelism; i++)
            _workers[i] = Task.Factory.StartNew(Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>
    /// Completes once <paramref name="offset"/> itself is on disk (pass <see cref="AppendInfo.LastOffset"/>); fails with
    /// <see cref="StorageException"/> (KafkaStorageError) when it never will be: a failed fsync, an offline log directory
    /// or a log closed first.
    /// </summary>
    public ValueTask WaitFlushedAsync(PartitionLog log, long offset, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (log.FlushedOffset > offset) return ValueTask.CompletedTask;
        if (log.LogDirectory.OfflineReason is { } reason) return ValueTask.FromException(log.LogDirectory.OfflineError(reason));
        if (offset >= log.LogEndOffset)
            return ValueTask.FromException(new ArgumentOutOfRangeException(nameof(offset), $"Offset {offset} has not been appended (log end {log.LogEndOffset})."));
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        LogState? start = null;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_active.TryGetValue(log, out var state))
            {
                state = new LogState(log);
                _active[log] = state;
                start = state;
            }
            state.Pending.Add(new Waiter(offset, tcs));
        }
        if (start is not null) Schedule(start);
        return new ValueTask(ct.CanBeCanceled ? tcs.Task.WaitAsync(ct) : tcs.Task);
    }

    private void Schedule(LogState state)
    {
        lock (_queue)
        {
            _queue.Enqueue(state);
            Monitor.Pulse(_queue);
        }
    }

    private void Work()
    {
        while (true)
        {
            LogState? state;
            lock (_queue)
            {
                while (!_queue.TryDequeue(out state))
                {
                    if (_stopping) return;
                    Monitor.Wait(_queue);
                }
            }
            FlushOnce(state);
        }
    }

    /// <summary>One fsync of the log for everyone waiting when it starts; then requeues the log if more arrived.</summary>
    private void FlushOnce(LogState state)
    {
        List<Waiter> waiters;
        lock (_gate)
        {
            waiters = state.Pending;
            state.Pending = state.Spare ?? [];
            state.Spare = null;
        }
        Exception? failure = null;
        try
        {
            state.Log.Flush();
        }
#pragma warning disable CA1031 // The error goes to every waiter of this round (a failed fsync also takes the log directory offline).
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure = ex;
        }
        var flushed = state.Log.FlushedOffset;
        foreach (var w in waiters)
        {
            if (failure is not null) w.Completion.TrySetException(failure);
            else if (flushed > w.Offset) w.Completion.TrySetResult();
            else w.Completion.TrySetException(state.Log.LogDirectory.OfflineReason is { } reason
                ? state.Log.LogDirectory.OfflineError(reason)
                : new StorageException(ErrorCode.KafkaStorageError, "The log was closed before the data was flushed."));
        }
        waiters.Clear();
        bool again;
        lock (_gate)
        {
            state.Spare = waiters;
            again = state.Pending.Count > 0;
            if (!again) _active.Remove(state.Log);
        }
        if (again) Schedule(state);
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
        }
        // Workers finish what is queued (and what those rounds requeue) before they see the stop.
        lock (_queue)
        {
            _stopping = true;
            Monitor.PulseAll(_queue);
        }
        await Task.WhenAll(_workers).ConfigureAwait(false);
    }
}
