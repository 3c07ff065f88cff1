using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Runtime.Errors;
using KafkaConnect.Connect.Runtime.Herder;

namespace KafkaConnect.Connect.Runtime.Tests;

public sealed class RetryBackoffTests
{
    /// <summary>
    /// A clock whose timers fire at once, moving the clock by their due time less a skew: a timer that wakes a little
    /// early by the wall clock, as real timers do.
    /// </summary>
    private sealed class SteppingTime(TimeSpan skew) : TimeProvider
    {
        private readonly Lock _lock = new();
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow()
        {
            lock (_lock)
            {
                return _now;
            }
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            lock (_lock)
            {
                _now += dueTime > skew ? dueTime - skew : TimeSpan.Zero;
            }
            ThreadPool.QueueUserWorkItem(_ => callback(state));
            return new NoTimer();
        }

        private sealed class NoTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(0.25)]
    public async Task Retries_wait_until_the_deadline_and_never_spin_in_its_last_millisecond(double skewMs)
    {
        var time = new SteppingTime(TimeSpan.FromMilliseconds(skewMs));
        var settings = ErrorHandlingSettings.Default with { RetryTimeoutMs = 500, RetryMaxDelayMs = 100 };
        var errors = new RetryWithToleranceOperator(settings, [], time);
        var calls = 0;
        var start = time.GetUtcNow();

        var attempt = errors.ExecuteAsync<object>(() =>
        {
            calls++;
            throw new RetriableException("transient " + calls);
        }, Stage.TRANSFORMATION, typeof(RetryBackoffTests), new ConnectorTaskId("c", 0), null, null, CancellationToken.None).AsTask();

        var failure = await Assert.ThrowsAsync<ConnectException>(() => attempt.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("Tolerance exceeded", failure.Message);
        // Retried until the deadline, waiting between attempts: random waits below 100 ms make about ten attempts in
        // 500 ms. Before the fix a last fraction of a millisecond was rounded to no wait, and the loop spun there.
        Assert.True(time.GetUtcNow() - start >= TimeSpan.FromMilliseconds(500 - skewMs), "stopped before the retry timeout");
        Assert.InRange(calls, 2, 200);
        Assert.Equal(calls - 1, errors.TotalRetries);
    }
}
