namespace KafkaConnect.Client.Metrics;

/// <summary>
/// Apache's windowed <c>Rate</c> over a counter, sampled when read: events per second since the start of the oldest of
/// the last <c>metrics.num.samples</c> windows of <c>metrics.sample.window.ms</c>. As in Apache, a metric younger than
/// those windows counts the missing ones as elapsed, so a burst just after a start does not read as a huge rate.
/// Windows roll when the rate is read (a scrape), not per event, so the hot path only bumps its counter; read less
/// often than a window, the rate covers the time since the previous read.
/// </summary>
public sealed class SampledRate
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _window;
    private readonly Lock _lock = new();
    private readonly (long Ticks, long Count)[] _starts;
    private int _oldest;
    private int _used = 1;

    /// <param name="startTimestamp">When counting began (the counter was 0), as <paramref name="time"/>'s timestamp; now when null.</param>
    public SampledRate(TimeProvider time, TimeSpan window, int samples, long? startTimestamp = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _window = window > TimeSpan.Zero ? window : TimeSpan.FromSeconds(30);
        // One window would be replaced by the next as it starts: keep at least the previous one to measure over.
        _starts = new (long, long)[Math.Max(samples, 2)];
        _starts[0] = (startTimestamp ?? time.GetTimestamp(), 0);
    }

    /// <summary>Per second, given the counter's <paramref name="total"/> now.</summary>
    public double Measure(long total)
    {
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            var n = _starts.Length;
            var newest = (_oldest + _used - 1) % n;
            if (_time.GetElapsedTime(_starts[newest].Ticks, now) >= _window)
            {
                if (_used < n)
                {
                    _used++;
                }
                else
                {
                    _oldest = (_oldest + 1) % n;
                }
                _starts[(_oldest + _used - 1) % n] = (now, total);
            }
            var (ticks, count) = _starts[_oldest];
            var elapsed = _time.GetElapsedTime(ticks, now);
            var fullWindows = (int)Math.Min(n, elapsed / _window);
            if (fullWindows < n - 1)
            {
                elapsed += _window * (n - 1 - fullWindows);
            }
            return elapsed <= TimeSpan.Zero ? 0 : (total - count) / elapsed.TotalSeconds;
        }
    }
}

/// <summary>
/// A client's (or one of its topics') windowed rates by metric name, made when first read but counted from when the
/// set was made (with the client or topic, its counters at 0); Apache's default windows (2 × 30 s), which the clients'
/// configurations do not change.
/// </summary>
internal sealed class RateSet
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SampledRate> _rates = new(StringComparer.Ordinal);
    private readonly long _created = TimeProvider.System.GetTimestamp();

    public double Measure(string metric, long total) =>
        _rates.GetOrAdd(metric, static (_, created) => new SampledRate(TimeProvider.System, TimeSpan.FromSeconds(30), 2, created), _created).Measure(total);
}
