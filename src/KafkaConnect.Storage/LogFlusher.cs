using KafkaConnect.Protocol;

namespace KafkaConnect.Storage;

/// <summary>
/// Groups fsyncs across requests: producers with acks=all await <see cref="WaitFlushedAsync"/>; one
/// background loop flushes every log that has waiters and completes them all. Requests arriving while a
/// round runs are served together by the next round, so the fsync rate adapts to load instead of
/// following the request rate.
/// </summary>
public sealed class LogFlusher : IAsyncDisposable
{
    private readonly record struct Waiter(long Offset, TaskCompletionSource Completion);

    private readonly object _gate = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly int _parallelism;
    private readonly Task _loop;
    private Dictionary<PartitionLog, List<Waiter>> _pending = new(ReferenceEqualityComparer.Instance);
    private bool _disposed;

    /// <param name="parallelism">How many logs are fsynced at once in a round.</param>
    public LogFlusher(int parallelism = 4)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        _parallelism = parallelism;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Completes once <paramref name="offset"/> itself is on disk (pass <see cref="AppendInfo.LastOffset"/>).</summary>
    public ValueTask WaitFlushedAsync(PartitionLog log, long offset, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (log.FlushedOffset > offset) return ValueTask.CompletedTask;
        if (offset >= log.LogEndOffset)
            return ValueTask.FromException(new ArgumentOutOfRangeException(nameof(offset), $"Offset {offset} has not been appended (log end {log.LogEndOffset})."));
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_pending.TryGetValue(log, out var list))
            {
                list = [];
                _pending[log] = list;
            }
            list.Add(new Waiter(offset, tcs));
        }
        _signal.Release();
        return new ValueTask(ct.CanBeCanceled ? tcs.Task.WaitAsync(ct) : tcs.Task);
    }

    private async Task RunAsync()
    {
        while (true)
        {
            try
            {
                await _signal.WaitAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            FlushRound();
        }
        FlushRound();
    }

    private void FlushRound()
    {
        Dictionary<PartitionLog, List<Waiter>> round;
        lock (_gate)
        {
            if (_pending.Count == 0) return;
            round = _pending;
            _pending = new Dictionary<PartitionLog, List<Waiter>>(ReferenceEqualityComparer.Instance);
        }
        Parallel.ForEach(round, new ParallelOptions { MaxDegreeOfParallelism = _parallelism }, entry =>
        {
            var (log, waiters) = (entry.Key, entry.Value);
            try
            {
                log.Flush();
            }
            catch (Exception ex)
            {
                foreach (var w in waiters) w.Completion.TrySetException(ex);
                return;
            }
            var flushed = log.FlushedOffset;
            foreach (var w in waiters)
            {
                if (flushed > w.Offset) w.Completion.TrySetResult();
                else w.Completion.TrySetException(new StorageException(ErrorCode.KafkaStorageError, "The log was closed before the data was flushed."));
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
        _signal.Dispose();
    }
}
