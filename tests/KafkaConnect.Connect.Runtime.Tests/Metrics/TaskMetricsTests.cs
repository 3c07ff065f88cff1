using KafkaConnect.Connect.Runtime.Errors;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Metrics;
using KafkaConnect.Connect.Runtime.Worker;
using static KafkaConnect.Connect.Runtime.Tests.Metrics.MetricsCollector;

namespace KafkaConnect.Connect.Runtime.Tests.Metrics;

public sealed class TaskMetricsTests : IDisposable
{
    private readonly StepClock _clock = new();
    private readonly StatusStore _status = new("worker-1");
    private readonly ConnectMetrics _metrics;

    public TaskMetricsTests()
    {
        _metrics = new ConnectMetrics(_status, _clock);
    }

    public void Dispose() => _metrics.Dispose();

    [Fact]
    public void SourceCounters_AreServedUnderApacheGroupAndMetricNames()
    {
        _metrics.RecordTaskStartupAttempt();
        var task = _metrics.AddTask(new ConnectorTaskId("src", 0), isSource: true);
        task.RecordPoll(3, 4);
        task.RecordPoll(1, 10);
        task.RecordWrite();
        task.RecordWrite();
        task.RecordSkip();
        task.RecordOffsetCommit(true, 2);
        task.RecordOffsetCommit(false, 6);

        var values = Collect(_metrics);
        var tags = Task("src");
        Assert.Equal(4, values["kafka_connect_source_task_metrics_source_record_poll_total" + tags]);
        Assert.Equal(2, values["kafka_connect_source_task_metrics_source_record_write_total" + tags]);
        Assert.Equal(10, values["kafka_connect_source_task_metrics_poll_batch_max_time_ms" + tags]);
        Assert.Equal(7, values["kafka_connect_source_task_metrics_poll_batch_avg_time_ms" + tags]);
        Assert.Equal(3, values["kafka_connect_connector_task_metrics_batch_size_max" + tags]);
        Assert.Equal(2, values["kafka_connect_connector_task_metrics_batch_size_avg" + tags]);
        Assert.Equal(6, values["kafka_connect_connector_task_metrics_offset_commit_max_time_ms" + tags]);
        Assert.Equal(4, values["kafka_connect_connector_task_metrics_offset_commit_avg_time_ms" + tags]);
        Assert.Equal(0.5, values["kafka_connect_connector_task_metrics_offset_commit_success_percentage" + tags]);
        Assert.Equal(0.5, values["kafka_connect_connector_task_metrics_offset_commit_failure_percentage" + tags]);
        Assert.Equal(1, values["kafka_connect_connect_worker_metrics_task_count"]);
        Assert.Equal(1, values["kafka_connect_connect_worker_metrics_task_startup_success_total"]);
        // Sink-only series are not published for a source task.
        Assert.DoesNotContain("kafka_connect_sink_task_metrics_sink_record_read_total" + tags, values.Keys);
    }

    [Fact]
    public void SinkCounters_CountReadsPutsAndCommits()
    {
        var task = _metrics.AddTask(new ConnectorTaskId("snk", 1), isSource: false);
        task.RecordRead(5);
        task.RecordPut(4, 8);
        task.RecordPartitionCount(3);
        task.RecordOffsetCommit(true, 1);
        task.RecordOffsetCommit(true, 1);

        var values = Collect(_metrics);
        var tags = Task("snk", 1);
        Assert.Equal(5, values["kafka_connect_sink_task_metrics_sink_record_read_total" + tags]);
        Assert.Equal(4, values["kafka_connect_sink_task_metrics_sink_record_send_total" + tags]);
        Assert.Equal(8, values["kafka_connect_sink_task_metrics_put_batch_max_time_ms" + tags]);
        Assert.Equal(3, values["kafka_connect_sink_task_metrics_partition_count" + tags]);
        Assert.Equal(2, values["kafka_connect_sink_task_metrics_offset_commit_seq_no" + tags]);
        Assert.Equal(2, values["kafka_connect_sink_task_metrics_offset_commit_completion_total" + tags]);
        Assert.DoesNotContain("kafka_connect_source_task_metrics_source_record_poll_total" + tags, values.Keys);
    }

    [Fact]
    public void SinkActiveCount_IsTheLastRecordedValue_WithMaxAndAverageOverEveryChange()
    {
        var task = _metrics.AddTask(new ConnectorTaskId("snk", 2), isSource: false);
        task.RecordSinkActiveCount(6);
        task.RecordSinkActiveCount(3);
        task.RecordSinkActiveCount(0);

        var values = Collect(_metrics);
        var tags = Task("snk", 2);
        Assert.Equal(0, values["kafka_connect_sink_task_metrics_sink_record_active_count" + tags]);
        Assert.Equal(6, values["kafka_connect_sink_task_metrics_sink_record_active_count_max" + tags]);
        Assert.Equal(3, values["kafka_connect_sink_task_metrics_sink_record_active_count_avg" + tags]);
        Assert.DoesNotContain("kafka_connect_source_task_metrics_source_record_active_count" + tags, values.Keys);
    }

    [Fact]
    public void RunningAndPauseRatios_FollowTheStatesOverTime()
    {
        var task = _metrics.AddTask(new ConnectorTaskId("c", 0), isSource: true);
        _clock.Advance(TimeSpan.FromSeconds(1)); // unassigned
        task.RecordState(ConnectorState.Running);
        _clock.Advance(TimeSpan.FromSeconds(2));
        task.RecordState(ConnectorState.Paused);
        _clock.Advance(TimeSpan.FromSeconds(1));

        var (running, paused) = task.Ratios();
        Assert.Equal(0.5, running, 6);
        Assert.Equal(0.25, paused, 6);
    }

    [Fact]
    public void StartupFailures_AndStatuses_AreCounted()
    {
        _metrics.RecordConnectorStartupAttempt();
        _metrics.AddConnector("ok", "org.example.OkSource", "source", "1.2.3");
        _status.PutConnector("ok", ConnectorState.Running);
        _metrics.RecordConnectorStartupAttempt();
        _metrics.AddConnector("bad");
        _metrics.RecordConnectorStartupFailure();
        _status.PutConnector("bad", ConnectorState.Failed);
        _metrics.RecordTaskStartupAttempt();
        _metrics.AddTask(new ConnectorTaskId("ok", 0), isSource: true);
        _status.PutTask(new ConnectorTaskId("ok", 0), ConnectorState.Paused);

        var values = Collect(_metrics);
        // The failed connector is still this worker's (until stopped), and says so.
        Assert.Equal(2, values["kafka_connect_connect_worker_metrics_connector_count"]);
        Assert.Equal(1, values["kafka_connect_connector_status{connector=\"bad\",status=\"failed\"}"]);
        Assert.Equal(2, values["kafka_connect_connect_worker_metrics_connector_startup_attempts_total"]);
        Assert.Equal(1, values["kafka_connect_connect_worker_metrics_connector_startup_failure_total"]);
        Assert.Equal(0.5, values["kafka_connect_connect_worker_metrics_connector_startup_success_percentage"]);
        Assert.Equal(1, values["kafka_connect_connector_status{connector=\"ok\",status=\"running\"}"]);
        Assert.Equal(1, values["kafka_connect_connector_task_status{connector=\"ok\",task=\"0\",status=\"paused\"}"]);
        Assert.Equal(1, values["kafka_connect_connect_worker_metrics_connector_total_task_count{connector=\"ok\"}"]);
        Assert.Equal(1, values["kafka_connect_connector_connector_class{connector=\"ok\",connector_class=\"org.example.OkSource\"}"]);
        Assert.Equal(1, values["kafka_connect_connector_connector_type{connector=\"ok\",connector_type=\"source\"}"]);
        Assert.Equal(1, values["kafka_connect_connector_connector_version{connector=\"ok\",connector_version=\"1.2.3\"}"]);
        Assert.Equal(1, values["kafka_connect_connector_connector_type{connector=\"bad\",connector_type=\"unknown\"}"]);

        // A stopped connector leaves no series behind.
        _metrics.RemoveConnector("ok");
        Assert.DoesNotContain(Collect(_metrics).Keys, k => k.Contains("connector=\"ok\"", StringComparison.Ordinal) && k.StartsWith("kafka_connect_connector_connector_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ErrorCounters_ComeFromTheTasksErrorHandler()
    {
        var settings = ErrorHandlingSettings.Default with { ToleranceAll = true };
        await using var errors = new RetryWithToleranceOperator(settings, [], _clock);
        var task = _metrics.AddTask(new ConnectorTaskId("e", 0), isSource: true);
        task.Errors = errors;
        var (ok, _) = await errors.ExecuteAsync<int>(() => throw new InvalidOperationException("bad"), Stage.TRANSFORMATION, typeof(TaskMetricsTests),
            task.Id, null, null, CancellationToken.None);
        Assert.False(ok);

        var values = Collect(_metrics);
        var tags = Task("e");
        Assert.Equal(1, values["kafka_connect_task_error_metrics_total_record_errors" + tags]);
        Assert.Equal(1, values["kafka_connect_task_error_metrics_total_record_failures" + tags]);
        Assert.Equal(1, values["kafka_connect_task_error_metrics_total_records_skipped" + tags]);
        Assert.Equal(_clock.GetUtcNow().ToUnixTimeMilliseconds(), values["kafka_connect_task_error_metrics_last_error_timestamp" + tags]);
    }

    /// <summary>Wall clock and monotonic timestamps that move only when told to.</summary>
    [Fact]
    public void Rates_AreEventsPerSecondOverTheLastTwoSampleWindows_AsApaches()
    {
        var source = _metrics.AddTask(new ConnectorTaskId("rated", 0), isSource: true);
        var sink = _metrics.AddTask(new ConnectorTaskId("rated-sink", 0), isSource: false);
        double Rate(string series, string connector) => Collect(_metrics)[series + Task(connector)];
        const string Poll = "kafka_connect_source_task_metrics_source_record_poll_rate";
        const string Read = "kafka_connect_sink_task_metrics_sink_record_read_rate";

        // 10 s after the start, 350 records: a young metric counts the window it has not lived yet (30 s + 10 s).
        _clock.Advance(TimeSpan.FromSeconds(10));
        source.RecordPoll(350, 1);
        sink.RecordRead(350);
        Assert.Equal(350 / 40.0, Rate(Poll, "rated"), 6);
        Assert.Equal(350 / 40.0, Rate(Read, "rated-sink"), 6);

        // At 30 s a second window starts; the rate covers both: 650 records in 30 s, then in 45 s.
        _clock.Advance(TimeSpan.FromSeconds(20));
        source.RecordPoll(300, 1);
        Assert.Equal(650 / 30.0, Rate(Poll, "rated"), 6);
        _clock.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(650 / 45.0, Rate(Poll, "rated"), 6);

        // At 60 s the first window drops out: only what came since 30 s (0 records) over the 30 s since.
        _clock.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(0, Rate(Poll, "rated"), 6);
        source.RecordPoll(600, 1);
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(600 / 40.0, Rate(Poll, "rated"), 6);

        // The same task's other rates and the sink's commit rate exist and are zero without events.
        Assert.Equal(0, Rate("kafka_connect_source_task_metrics_source_record_write_rate", "rated"));
        Assert.Equal(0, Rate("kafka_connect_sink_task_metrics_offset_commit_completion_rate", "rated-sink"));
    }

    private sealed class StepClock : TimeProvider
    {
        private long _ticks = TimeSpan.TicksPerDay;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public override DateTimeOffset GetUtcNow() => new(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks(_ticks));

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
