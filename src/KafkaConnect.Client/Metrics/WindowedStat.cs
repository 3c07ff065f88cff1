namespace KafkaConnect.Client.Metrics;

/// <summary>
/// Average and maximum of a value recorded per request or batch, over the last 30 to 60 seconds: like Apache's
/// default (metrics.num.samples=2, metrics.sample.window.ms=30000), two 30 s samples, the older dropped once a newer
/// one is full. NaN when nothing was recorded in that time, as Apache reports an empty -avg or -max.
/// </summary>
internal sealed class WindowedStat
{
    internal const long WindowMs = 30_000;

    private readonly Lock _lock = new();
    private Sample _current;
    private Sample _previous;

    private struct Sample
    {
        public long StartMs;
        public long Count;
        public double Sum;
        public double Max;
    }

    public void Record(double value) => Record(value, Environment.TickCount64);

    internal void Record(double value, long nowMs)
    {
        lock (_lock)
        {
            Roll(nowMs);
            if (_current.Count == 0 || value > _current.Max) _current.Max = value;
            _current.Count++;
            _current.Sum += value;
        }
    }

    public double Avg => Read(Environment.TickCount64).Avg;

    public double Max => Read(Environment.TickCount64).Max;

    internal (double Avg, double Max) Read(long nowMs)
    {
        lock (_lock)
        {
            Roll(nowMs);
            var count = _current.Count + _previous.Count;
            if (count == 0) return (double.NaN, double.NaN);
            var max = _current.Count == 0 ? _previous.Max : _previous.Count == 0 ? _current.Max : Math.Max(_current.Max, _previous.Max);
            return ((_current.Sum + _previous.Sum) / count, max);
        }
    }

    private void Roll(long nowMs)
    {
        if (_current.Count == 0 && _previous.Count == 0)
        {
            _current.StartMs = nowMs;
            return;
        }
        var age = nowMs - _current.StartMs;
        if (age < WindowMs) return;
        // A current sample that ended more than a window ago is as stale as the previous one.
        _previous = age < 2 * WindowMs ? _current : default;
        _current = new Sample { StartMs = nowMs };
    }
}
