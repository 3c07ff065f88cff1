using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Runtime.Errors;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Storage;
using KafkaConnect.Connect.Runtime.Worker;
using KafkaConnect.Connect.Sources;
using KafkaConnect.Connect.Transforms;

namespace KafkaConnect.Connect.Runtime.Tests;

public sealed class ChainAndSubmittedRecordsTests
{
    /// <summary>Counts calls and throws the given exceptions first, one per call.</summary>
    private sealed class Step(params Exception[] failures) : ITransformation<SourceRecord>
    {
        public int Calls { get; private set; }

        public void Configure(IReadOnlyDictionary<string, string> configs)
        {
        }

        public SourceRecord? Apply(SourceRecord record)
        {
            Calls++;
            if (Calls <= failures.Length)
            {
                throw failures[Calls - 1];
            }
            return record.NewRecord(record.Topic, null, null, null, Schema.StringSchema, record.Value + "+" + Calls, record.Timestamp);
        }

        public ConfigDef Config() => new();

        public void Close()
        {
        }
    }

    private static readonly ConnectorTaskId s_task = new("c", 0);

    private static SourceRecord Record() => new(null, null, "t", null, null, null, Schema.StringSchema, "v", null);

    private static TransformationChain<SourceRecord> Chain(params Step[] steps) =>
        new([.. steps.Select((s, i) => new TransformationStage<SourceRecord>("s" + i, s, null, false))]);

    private static RetryWithToleranceOperator Errors(bool toleranceAll, long retryTimeoutMs) =>
        new(ErrorHandlingSettings.Default with { ToleranceAll = toleranceAll, RetryTimeoutMs = retryTimeoutMs, RetryMaxDelayMs = 0 }, []);

    [Fact]
    public async Task A_retried_stage_continues_the_chain_without_running_earlier_stages_again()
    {
        Step a = new(), b = new(new RetriableException("once")), c = new();
        var errors = Errors(toleranceAll: false, retryTimeoutMs: 60_000);

        var (ok, result) = await Chain(a, b, c).ApplyAsync(Record(), errors, s_task, null, CancellationToken.None);

        Assert.True(ok);
        Assert.Equal("v+1+2+1", result!.Value);
        Assert.Equal((1, 2, 1), (a.Calls, b.Calls, c.Calls));
        Assert.Equal(1, errors.TotalRetries);
        Assert.Equal(0, errors.TotalRecordFailures);
    }

    [Fact]
    public async Task A_tolerated_failure_skips_the_record_and_the_later_stages()
    {
        Step a = new(), b = new(new DataException("bad")), c = new();
        var errors = Errors(toleranceAll: true, retryTimeoutMs: 0);

        var (ok, result) = await Chain(a, b, c).ApplyAsync(Record(), errors, s_task, null, CancellationToken.None);

        Assert.False(ok);
        Assert.Null(result);
        Assert.Equal((1, 1, 0), (a.Calls, b.Calls, c.Calls));
        Assert.Equal((1, 1), (errors.TotalRecordFailures, errors.TotalRecordsSkipped));
    }

    [Fact]
    public async Task Without_tolerance_a_failure_fails_as_the_error_handler_does()
    {
        Step a = new(new DataException("bad"));

        var ex = await Assert.ThrowsAsync<ConnectException>(async () =>
            await Chain(a).ApplyAsync(Record(), RetryWithToleranceOperator.None, s_task, null, CancellationToken.None));

        Assert.Equal("Tolerance exceeded in error handler", ex.Message);
        Assert.IsType<DataException>(ex.InnerException);
    }

    private static Dictionary<string, object?> P(string f) => new() { ["filename"] = f };

    private static Dictionary<string, object?> O(long p) => new() { ["position"] = p };

    [Fact]
    public void Dropped_records_never_commit_their_offset_but_do_not_block_later_ones()
    {
        var submitted = new SubmittedRecords();
        var partition = P("a"); // one map object for every record, as tasks do
        var a1 = submitted.Submit(partition, O(1));
        var a2 = submitted.Submit(partition, O(2));
        var a3 = submitted.Submit(partition, O(3));

        a1.Ack();
        a2.Drop();
        Assert.Equal(1L, submitted.Committable()[P("a")]["position"]);
        Assert.Empty(submitted.Committable()); // handed out once

        a3.Drop();
        Assert.Empty(submitted.Committable()); // the dropped tail moves nothing
        var a4 = submitted.Submit(P("a"), O(4)); // an equal map, not the same object
        a4.Ack();
        a4.Ack(); // a second ack changes nothing
        Assert.Equal(4L, submitted.Committable()[partition]["position"]);
        Assert.Equal(0, submitted.Outstanding);
    }

    [Fact]
    public void Acknowledged_prefixes_are_released_as_acks_arrive()
    {
        var submitted = new SubmittedRecords();
        var partition = P("a");
        var first = SubmitAndAckAll(submitted, partition);
        GC.Collect();
        GC.WaitForPendingFinalizers();

        Assert.False(first.IsAlive, "an acknowledged record stayed referenced until the next offset flush");
        Assert.Equal(999L, submitted.Committable()[partition]["position"]);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference SubmitAndAckAll(SubmittedRecords submitted, Dictionary<string, object?> partition)
    {
        var records = Enumerable.Range(0, 1000).Select(i => submitted.Submit(partition, O(i))).ToList();
        foreach (var r in records.Skip(1).Reverse())
        {
            r.Ack(); // out of order: nothing is committable while record 0 is pending
        }
        Assert.Empty(submitted.Committable());
        records[0].Ack();
        return new WeakReference(records[0]);
    }
}
