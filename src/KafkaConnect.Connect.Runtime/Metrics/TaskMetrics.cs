using KafkaConnect.Client.Metrics;
using KafkaConnect.Connect.Runtime.Errors;
using KafkaConnect.Connect.Runtime.Herder;

namespace KafkaConnect.Connect.Runtime.Metrics;

/// <summary>
/// One task's counters for Apache's connector-task-metrics, source-task-metrics, sink-task-metrics and
/// task-error-metrics groups. The task loop records per poll/put batch (never per record, except one atomic add per
/// acknowledged source record); <see cref="ConnectMetrics"/>' observable instruments read the values when collected.
/// </summary>
public sealed class TaskMetrics
{
    private readonly TimeProvider _time;
    private readonly long _created;
    private readonly Lock _stateLock = new();
    private ConnectorState _state = ConnectorState.Unassigned;
    private long _stateSince;
    private long _runningTicks;
    private long _pausedTicks;

    private long _pollTotal;
    private long _writeTotal;
    private long _skippedTotal;
    private long _readTotal;
    private long _sendTotal;
    private int _partitionCount;
    private long _commitFailures;
    private long _commitSeqNo;
    private long _commitCompletions;
    private long _activeMax;
    private long _sinkActive;
    private long _activeSum;
    private long _activeSamples;

    internal TaskMetrics(ConnectorTaskId id, bool isSource, TimeProvider time, TimeSpan sampleWindow = default, int samples = 2)
    {
        Id = id;
        IsSource = isSource;
        _time = time;
        PrimaryRate = new SampledRate(time, sampleWindow, samples);
        SecondaryRate = new SampledRate(time, sampleWindow, samples);
        CommitCompletionRate = new SampledRate(time, sampleWindow, samples);
        _created = time.GetTimestamp();
        _stateSince = _created;
        Tags = [new("connector", id.Connector), new("task", id.Task.ToString(System.Globalization.CultureInfo.InvariantCulture))];
    }

    public ConnectorTaskId Id { get; }

    public bool IsSource { get; }

    /// <summary>connector and task labels, built once.</summary>
    internal KeyValuePair<string, object?>[] Tags { get; }

    /// <summary>The task's error handler, whose counters are task-error-metrics.</summary>
    public RetryWithToleranceOperator? Errors { get; set; }

    /// <summary>Records a source task has sent and Kafka not yet acknowledged (source-record-active-count).</summary>
    public Func<int>? ActiveCount { get; set; }

    /// <summary>source-record-poll-rate of a source task, sink-record-read-rate of a sink task.</summary>
    internal SampledRate PrimaryRate { get; }

    /// <summary>source-record-write-rate of a source task, sink-record-send-rate of a sink task.</summary>
    internal SampledRate SecondaryRate { get; }

    internal SampledRate CommitCompletionRate { get; }

    public MaxAvg BatchSize { get; } = new();

    public MaxAvg OffsetCommitTimeMs { get; } = new();

    public MaxAvg PollBatchTimeMs { get; } = new();

    public MaxAvg PutBatchTimeMs { get; } = new();

    public long OffsetCommitSuccesses => OffsetCommitTimeMs.Count - Interlocked.Read(ref _commitFailures);

    public long OffsetCommitFailures => Interlocked.Read(ref _commitFailures);

    public long SourceRecordPollTotal => Interlocked.Read(ref _pollTotal);

    public long SourceRecordWriteTotal => Interlocked.Read(ref _writeTotal);

    /// <summary>Records polled but dropped by a transformation or a tolerated error (never written).</summary>
    public long SourceRecordSkippedTotal => Interlocked.Read(ref _skippedTotal);

    public long SinkRecordReadTotal => Interlocked.Read(ref _readTotal);

    public long SinkRecordSendTotal => Interlocked.Read(ref _sendTotal);

    public int PartitionCount => Volatile.Read(ref _partitionCount);

    public long OffsetCommitSeqNo => Interlocked.Read(ref _commitSeqNo);

    public long OffsetCommitCompletionTotal => Interlocked.Read(ref _commitCompletions);

    public long ActiveCountMax => Interlocked.Read(ref _activeMax);

    public double ActiveCountAvg
    {
        get
        {
            var samples = Interlocked.Read(ref _activeSamples);
            return samples == 0 ? 0 : (double)Interlocked.Read(ref _activeSum) / samples;
        }
    }

    public long StartTimestamp() => _time.GetTimestamp();

    public double ElapsedMs(long start) => _time.GetElapsedTime(start).TotalMilliseconds;

    /// <summary>A source poll returned <paramref name="count"/> records after <paramref name="pollMs"/>.</summary>
    public void RecordPoll(int count, double pollMs)
    {
        Interlocked.Add(ref _pollTotal, count);
        PollBatchTimeMs.Record(pollMs);
        BatchSize.Record(count);
        var active = (ActiveCount?.Invoke() ?? 0) + count;
        Interlocked.Add(ref _activeSum, active);
        Interlocked.Increment(ref _activeSamples);
        if (active > Interlocked.Read(ref _activeMax))
        {
            Interlocked.Exchange(ref _activeMax, active);
        }
    }

    /// <summary>A sink task's records delivered and not yet committed, each time that number changes.</summary>
    public void RecordSinkActiveCount(long active)
    {
        Interlocked.Exchange(ref _sinkActive, active);
        Interlocked.Add(ref _activeSum, active);
        Interlocked.Increment(ref _activeSamples);
        if (active > Interlocked.Read(ref _activeMax))
        {
            Interlocked.Exchange(ref _activeMax, active);
        }
    }

    /// <summary>sink-record-active-count: the last value <see cref="RecordSinkActiveCount"/> recorded.</summary>
    public long SinkActiveCount => Interlocked.Read(ref _sinkActive);

    /// <summary>Kafka acknowledged one source record (called on the producer's thread).</summary>
    public void RecordWrite() => Interlocked.Increment(ref _writeTotal);

    public void RecordSkip() => Interlocked.Increment(ref _skippedTotal);

    public void RecordRead(int count) => Interlocked.Add(ref _readTotal, count);

    /// <summary>A sink Put of <paramref name="count"/> records returned after <paramref name="putMs"/>.</summary>
    public void RecordPut(int count, double putMs)
    {
        Interlocked.Add(ref _sendTotal, count);
        PutBatchTimeMs.Record(putMs);
        BatchSize.Record(count);
    }

    public void RecordPartitionCount(int count) => Volatile.Write(ref _partitionCount, count);

    /// <summary>An offset commit attempt ended; sink commits also count completions (Apache's sequence number).</summary>
    public void RecordOffsetCommit(bool success, double durationMs)
    {
        if (!success)
        {
            Interlocked.Increment(ref _commitFailures);
        }
        OffsetCommitTimeMs.Record(durationMs);
        if (!IsSource)
        {
            Interlocked.Increment(ref _commitSeqNo);
            if (success)
            {
                Interlocked.Increment(ref _commitCompletions);
            }
        }
    }

    /// <summary>The task reported <paramref name="state"/>; running-ratio and pause-ratio follow these changes.</summary>
    public void RecordState(ConnectorState state)
    {
        var now = _time.GetTimestamp();
        lock (_stateLock)
        {
            Accumulate(now);
            _state = state;
        }
    }

    public ConnectorState State
    {
        get
        {
            lock (_stateLock)
            {
                return _state;
            }
        }
    }

    public (double Running, double Paused) Ratios()
    {
        var now = _time.GetTimestamp();
        lock (_stateLock)
        {
            Accumulate(now);
            var total = (double)(now - _created);
            return total <= 0 ? (0, 0) : (_runningTicks / total, _pausedTicks / total);
        }
    }

    private void Accumulate(long now)
    {
        if (_state == ConnectorState.Running)
        {
            _runningTicks += now - _stateSince;
        }
        else if (_state == ConnectorState.Paused)
        {
            _pausedTicks += now - _stateSince;
        }
        _stateSince = now;
    }

    /// <summary>Count, sum and maximum of a per-batch value (Apache's -max and -avg over the task's lifetime).</summary>
    public sealed class MaxAvg
    {
        private readonly Lock _lock = new();
        private long _count;
        private double _sum;
        private double _max;

        public long Count
        {
            get
            {
                lock (_lock)
                {
                    return _count;
                }
            }
        }

        public double Max
        {
            get
            {
                lock (_lock)
                {
                    return _max;
                }
            }
        }

        public double Avg
        {
            get
            {
                lock (_lock)
                {
                    return _count == 0 ? 0 : _sum / _count;
                }
            }
        }

        public void Record(double value)
        {
            lock (_lock)
            {
                _count++;
                _sum += value;
                if (value > _max)
                {
                    _max = value;
                }
            }
        }
    }
}
