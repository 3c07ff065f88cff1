using System.Diagnostics.Metrics;

namespace KafkaConnect.Connect.Runtime.Metrics;

/// <summary>
/// Apache's <c>connect-worker-rebalance-metrics</c> of a distributed worker: a rebalance starts when the worker gives
/// up its assignment to rejoin (revoked or lost, or its first join) and completes when the group hands it the next one.
/// Strings (protocol, leader) are 1-valued series labelled with the value, as the connector status is.
/// </summary>
public sealed class RebalanceMetrics
{
    public const string Group = "connect-worker-rebalance-metrics";

    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly TaskMetrics.MaxAvg _rebalanceTimeMs = new();
    private long _startedAt;
    private bool _rebalancing;
    private long _completed;
    private DateTimeOffset? _lastCompleted;
    private int _epoch = -1;
    private string _protocol = "";
    private string _leader = "";

    internal RebalanceMetrics(Meter meter, TimeProvider time)
    {
        _time = time;
        meter.CreateObservableGauge(Name("connect-protocol"), () => Labelled("connect_protocol", Protocol),
            description: "The Connect protocol used by this cluster.");
        meter.CreateObservableGauge(Name("leader-name"), () => Labelled("leader_name", LeaderName),
            description: "The name of the group leader.");
        meter.CreateObservableGauge(Name("epoch"), () => Epoch, description: "The epoch or generation number of this worker.");
        meter.CreateObservableCounter(Name("completed-rebalances-total"), () => CompletedRebalances,
            description: "The total number of rebalances completed by this worker.");
        meter.CreateObservableGauge(Name("rebalancing"), () => Rebalancing ? 1 : 0, description: "Whether this worker is currently rebalancing.");
        meter.CreateObservableGauge(Name("rebalance-max-time-ms"), () => _rebalanceTimeMs.Max,
            description: "The maximum time in milliseconds spent by this worker to rebalance.");
        meter.CreateObservableGauge(Name("rebalance-avg-time-ms"), () => _rebalanceTimeMs.Avg,
            description: "The average time in milliseconds spent by this worker to rebalance.");
        meter.CreateObservableGauge(Name("time-since-last-rebalance-ms"), () => TimeSinceLastRebalanceMs,
            description: "The time in milliseconds since this worker completed the most recent rebalance.");
    }

    public string Protocol { get { lock (_lock) return _protocol; } }

    public string LeaderName { get { lock (_lock) return _leader; } }

    public int Epoch { get { lock (_lock) return _epoch; } }

    public long CompletedRebalances { get { lock (_lock) return _completed; } }

    public bool Rebalancing { get { lock (_lock) return _rebalancing; } }

    public double RebalanceMaxTimeMs => _rebalanceTimeMs.Max;

    public double RebalanceAvgTimeMs => _rebalanceTimeMs.Avg;

    /// <summary>Milliseconds since the last completed rebalance; infinite before the first, as in Apache.</summary>
    public double TimeSinceLastRebalanceMs
    {
        get
        {
            lock (_lock)
            {
                return _lastCompleted is { } last ? (_time.GetUtcNow() - last).TotalMilliseconds : double.PositiveInfinity;
            }
        }
    }

    /// <summary>The worker is about to (re)join: its assignment is gone until the next one arrives.</summary>
    public void Started()
    {
        lock (_lock)
        {
            if (!_rebalancing)
            {
                _rebalancing = true;
                _startedAt = _time.GetTimestamp();
            }
        }
    }

    /// <summary>The group completed a rebalance and gave this worker its assignment for <paramref name="generation"/>.</summary>
    public void Completed(int generation, string protocol, string? leaderUrl)
    {
        double? took = null;
        lock (_lock)
        {
            if (_rebalancing)
            {
                took = _time.GetElapsedTime(_startedAt).TotalMilliseconds;
                _rebalancing = false;
            }
            _completed++;
            _lastCompleted = _time.GetUtcNow();
            _epoch = generation;
            _protocol = protocol;
            _leader = leaderUrl ?? "";
        }
        if (took is { } ms)
        {
            _rebalanceTimeMs.Record(ms);
        }
    }

    private static string Name(string metric) => ConnectMetrics.PrometheusName(Group, metric);

    private static Measurement<int>[] Labelled(string label, string value) =>
        value.Length == 0 ? [] : [new Measurement<int>(1, new KeyValuePair<string, object?>(label, value))];
}
