namespace KafkaConnect.Storage.Tests;

public sealed class LogFlusherTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public async Task Waiters_complete_once_their_offset_is_flushed()
    {
        using var a = PartitionLog.Open(_tmp.Partition("a-0"), LogConfig.Default, TimeProvider.System);
        using var b = PartitionLog.Open(_tmp.Partition("b-0"), LogConfig.Default, TimeProvider.System);
        await using var flusher = new LogFlusher();
        var waits = new List<Task>();
        for (var i = 0; i < 20; i++)
        {
            var log = i % 2 == 0 ? a : b;
            var info = log.Append(Batches.Simple(2, 1));
            waits.Add(flusher.WaitFlushedAsync(log, info.LastOffset, CancellationToken.None).AsTask());
        }
        await Task.WhenAll(waits).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(20, a.FlushedOffset);
        Assert.Equal(20, b.FlushedOffset);
        // Already durable: completes synchronously.
        Assert.True(flusher.WaitFlushedAsync(a, 19, CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Rejects_offsets_not_yet_appended_and_honours_cancellation()
    {
        using var log = PartitionLog.Open(_tmp.Partition(), LogConfig.Default, TimeProvider.System);
        await using var flusher = new LogFlusher();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => flusher.WaitFlushedAsync(log, 0, CancellationToken.None).AsTask());
        log.Append(Batches.Simple(1, 1));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var t = flusher.WaitFlushedAsync(log, 0, cts.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => t.AsTask());
    }

    [Fact]
    public async Task Dispose_completes_pending_waiters()
    {
        using var log = PartitionLog.Open(_tmp.Partition(), LogConfig.Default, TimeProvider.System);
        var flusher = new LogFlusher();
        log.Append(Batches.Simple(1, 1));
        var t = flusher.WaitFlushedAsync(log, 0, CancellationToken.None);
        await flusher.DisposeAsync();
        await t.AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, log.FlushedOffset);
    }

    [Fact]
    public async Task Concurrent_waiters_on_many_logs_all_complete_and_later_ones_join_the_next_fsync()
    {
        var logs = new PartitionLog[6];
        for (var i = 0; i < logs.Length; i++) logs[i] = PartitionLog.Open(_tmp.Partition($"m-{i}"), LogConfig.Default, TimeProvider.System);
        try
        {
            await using var flusher = new LogFlusher(parallelism: 2);
            var appenders = new Task<List<Task>>[4];
            for (var t = 0; t < appenders.Length; t++)
            {
                var seed = t;
                appenders[t] = Task.Run(() =>
                {
                    var waits = new List<Task>();
                    for (var i = 0; i < 50; i++)
                    {
                        var log = logs[(seed + i) % logs.Length];
                        long last;
                        lock (log) last = log.Append(Batches.Simple(1, 1)).LastOffset;
                        waits.Add(flusher.WaitFlushedAsync(log, last, CancellationToken.None).AsTask());
                    }
                    return waits;
                });
            }
            var all = new List<Task>();
            foreach (var a in appenders) all.AddRange(await a);
            await Task.WhenAll(all).WaitAsync(TimeSpan.FromSeconds(60));
            foreach (var log in logs) Assert.Equal(log.LogEndOffset, log.FlushedOffset);
        }
        finally
        {
            foreach (var log in logs) log.Dispose();
        }
    }
}
