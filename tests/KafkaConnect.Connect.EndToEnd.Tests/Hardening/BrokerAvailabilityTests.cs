using System.Net;
using System.Text;
using System.Text.Json;
using KafkaConnect.Client.Admin;
using KafkaConnect.Connect.EndToEnd.Tests.Distributed;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests.Hardening;

/// <summary>
/// A standalone worker against a separate <c>kconnect broker</c> process that is not there when it is needed: a sink
/// topic created after the task subscribed, and a broker stopped for longer than the producer's default max.block.ms
/// (60 s) while a source streams a file.
/// </summary>
public sealed class BrokerAvailabilityTests
{
    private readonly ITestOutputHelper _output;

    public BrokerAvailabilityTests(ITestOutputHelper output) => _output = output;

    /// <summary>One <c>kconnect broker</c> on a fixed port and data directory, so a restart is the same broker.</summary>
    private sealed class BrokerProcess : IAsyncDisposable
    {
        private readonly string _dir;
        private readonly string[] _config;
        private readonly List<ChildProcess> _runs = [];
        private readonly ITestOutputHelper _output;

        public BrokerProcess(string dir, ITestOutputHelper output, params string[] config)
        {
            _dir = dir;
            _config = config;
            _output = output;
            Port = ChildProcess.FreePort();
        }

        public int Port { get; }

        public string Servers => $"127.0.0.1:{Port}";

        public async Task StartAsync() => _runs.Add(await BrokerLaunch.StartAsync(_dir, Servers, Path.Combine(_dir, "broker"), _config));

        public async Task StopAsync()
        {
            var run = _runs[^1];
            run.Terminate();
            if (!await run.WaitForExitAsync(TimeSpan.FromSeconds(30)))
            {
                await run.KillAsync();
            }
        }

        public async ValueTask DisposeAsync()
        {
            for (var i = 0; i < _runs.Count; i++)
            {
                await _runs[i].DisposeAsync();
                try
                {
                    _output.WriteLine($"--- broker run {i + 1} ({Servers}) ---");
                    _output.WriteLine(_runs[i].Tail(100));
                }
                catch (InvalidOperationException)
                {
                    // No active test.
                }
            }
        }
    }

    private static string WorkerFile(WorkerProcess worker, BrokerProcess broker, string extra = "") => worker.WriteFile("worker.properties", $"""
        bootstrap.servers={broker.Servers}
        listeners=http://127.0.0.1:{worker.RestPort}
        key.converter=org.apache.kafka.connect.storage.StringConverter
        value.converter=org.apache.kafka.connect.storage.StringConverter
        offset.storage.file.filename={worker.PathOf("connect.offsets")}
        offset.flush.interval.ms=1000
        {extra}
        """);

    /// <summary>Polls task 0 of <paramref name="connector"/> for <paramref name="outage"/>: it must stay RUNNING throughout.</summary>
    private static async Task AssertRunningThroughOutageAsync(WorkerProcess worker, string connector, TimeSpan outage, TimeSpan poll)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < outage)
        {
            var state = await TaskStateAsync(worker, connector);
            Assert.True(state == "RUNNING", $"after {clock.Elapsed.TotalSeconds:F0}s of outage the task is {state}:\n{worker.Current.Tail(60)}");
            await Task.Delay(poll);
        }
    }

    private static async Task<string> TaskStateAsync(WorkerProcess worker, string connector)
    {
        using var response = await worker.Http.GetAsync($"/connectors/{connector}/status");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var task = doc.RootElement.GetProperty("tasks")[0];
        return task.GetProperty("state").GetString() + (task.TryGetProperty("trace", out var trace) ? ": " + trace.GetString() : "");
    }

    [Fact]
    public async Task A_worker_keeps_delivering_while_the_broker_closes_its_idle_connections()
    {
        await using var worker = new WorkerProcess(_output);
        // Every connection that is quiet for 1 s is closed: the source's producer between lines, the admin client, ...
        await using var broker = new BrokerProcess(worker.Dir, _output, "connections.max.idle.ms=1000");
        await broker.StartAsync();
        var input = worker.PathOf("input.txt");
        await File.WriteAllTextAsync(input, "");
        var sinkFile = worker.PathOf("sink.txt");
        var source = worker.WriteFile("source.properties", $"""
            name=idle-source
            connector.class=FileStreamSource
            topic=idle-topic
            file={input}
            """);
        var sink = worker.WriteFile("sink.properties", $"""
            name=idle-sink
            connector.class=FileStreamSink
            topics=idle-topic
            file={sinkFile}
            """);
        await worker.StartAsync(WorkerFile(worker, broker), source, sink);
        await worker.WaitForStateAsync("idle-source", "RUNNING");
        await worker.WaitForStateAsync("idle-sink", "RUNNING");

        var lines = new List<string>();
        for (var round = 0; round < 3; round++)
        {
            lines.Add(LineWriter.Line("idle", round));
            await File.AppendAllTextAsync(input, lines[^1] + "\n");
            await Eventually.WaitAsync(() => Task.FromResult(SinkFile.CompleteLines(sinkFile).Length >= lines.Count), TimeSpan.FromSeconds(20),
                () => $"round {round}: the sink wrote {SinkFile.CompleteLines(sinkFile).Length} of {lines.Count} lines:{Environment.NewLine}{worker.Current.Tail(60)}");
            // Quiet for longer than the idle limit, so the broker closes what the worker is not using.
            await Task.Delay(TimeSpan.FromSeconds(2.5));
        }
        Assert.Equal(lines, SinkFile.CompleteLines(sinkFile));
        Assert.StartsWith("RUNNING", await TaskStateAsync(worker, "idle-source"), StringComparison.Ordinal);
        Assert.StartsWith("RUNNING", await TaskStateAsync(worker, "idle-sink"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sink_started_before_its_topic_exists_delivers_once_the_topic_is_created()
    {
        await using var worker = new WorkerProcess(_output);
        await using var broker = new BrokerProcess(worker.Dir, _output, "auto.create.topics.enable=false");
        await broker.StartAsync();
        var sinkFile = worker.PathOf("sink.txt");
        var connector = worker.WriteFile("sink.properties", $"""
            name=late-sink
            connector.class=FileStreamSink
            tasks.max=1
            topics=late-topic
            file={sinkFile}
            """);
        await worker.StartAsync(WorkerFile(worker, broker), connector);
        await worker.WaitForStateAsync("late-sink", "RUNNING");
        // Long enough for the task's consumer to have joined its group with nothing to consume.
        await Task.Delay(TimeSpan.FromSeconds(3));
        await using (var admin = new KafkaAdminClient(new Dictionary<string, string> { ["bootstrap.servers"] = broker.Servers }))
        {
            Assert.DoesNotContain("late-topic", (await admin.ListTopicsAsync()).Select(t => t.Name));
            await admin.CreateTopicsAsync([new NewTopic("late-topic", 1, 1)]);
        }
        var lines = Enumerable.Range(0, 20).Select(i => LineWriter.Line("late", i)).ToList();
        var (code, _, stderr) = await KcatCli.RunAsync(["-b", broker.Servers, "-P", "-t", "late-topic"], Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));
        Assert.True(code == 0, stderr);

        await Eventually.WaitAsync(() => Task.FromResult(SinkFile.CompleteLines(sinkFile).Length >= lines.Count), TimeSpan.FromSeconds(15),
            () => $"the sink wrote {SinkFile.CompleteLines(sinkFile).Length} of {lines.Count} lines:{Environment.NewLine}{worker.Current.Tail(60)}");
        Assert.Equal(lines, SinkFile.CompleteLines(sinkFile));
    }

    [Fact]
    public async Task A_source_task_waits_out_a_broker_outage_longer_than_a_minute_and_loses_nothing()
    {
        await using var worker = new WorkerProcess(_output);
        await using var broker = new BrokerProcess(worker.Dir, _output);
        await broker.StartAsync();
        var input = worker.PathOf("input.txt");
        File.WriteAllText(input, string.Join("", Enumerable.Range(0, 100).Select(i => LineWriter.Line("before", i) + "\n")));
        var connector = worker.WriteFile("source.properties", $"""
            name=outage-source
            connector.class=FileStreamSource
            tasks.max=1
            topic=outage-topic
            file={input}
            """);
        // A small buffer, so the lines written during the outage fill it and sends block (for max.block.ms).
        await worker.StartAsync(WorkerFile(worker, broker, "producer.buffer.memory=32768\nproducer.batch.size=4096"), connector);
        await worker.WaitForStateAsync("outage-source", "RUNNING");
        await Eventually.WaitAsync(async () => (await Kcat.ConsumeLinesAsync(broker.Servers, "outage-topic")).Length >= 100, TimeSpan.FromSeconds(30),
            () => "the lines before the outage did not arrive:\n" + worker.Current.Tail(60));

        await broker.StopAsync();
        // Far more than buffer.memory: the task's sends block until the broker is back.
        var during = Enumerable.Range(0, 5000).Select(i => LineWriter.Line("during", i) + " " + new string('x', 40)).ToList();
        File.AppendAllText(input, string.Join("", during.Select(l => l + "\n")));
        await AssertRunningThroughOutageAsync(worker, "outage-source", TimeSpan.FromSeconds(70), TimeSpan.FromSeconds(5));
        await broker.StartAsync();

        var expected = Enumerable.Range(0, 100).Select(i => LineWriter.Line("before", i)).Concat(during).ToList();
        string[] got = [];
        await Eventually.WaitAsync(async () => (got = await Kcat.ConsumeLinesAsync(broker.Servers, "outage-topic")).Length >= expected.Count,
            TimeSpan.FromSeconds(60), () => $"{got.Length} of {expected.Count} lines arrived after the outage:\n{worker.Current.Tail(60)}", pollMs: 1000);
        var (missing, duplicates, unexpected) = SinkFile.Compare(expected, got);
        Assert.True(missing.Count == 0 && duplicates == 0 && unexpected.Count == 0,
            $"missing {missing.Count} (first {missing.FirstOrDefault()}), duplicates {duplicates}, unexpected {unexpected.Count}");
        Assert.Equal(expected, got);
        Assert.Equal("RUNNING", await TaskStateAsync(worker, "outage-source"));
    }

    [Fact]
    public async Task A_sink_task_survives_a_broker_outage_and_resumes_from_its_committed_offsets_without_losing_a_line()
    {
        await using var worker = new WorkerProcess(_output);
        await using var broker = new BrokerProcess(worker.Dir, _output);
        await broker.StartAsync();
        var sinkFile = worker.PathOf("sink.txt");
        var connector = worker.WriteFile("sink.properties", $"""
            name=outage-sink
            connector.class=FileStreamSink
            tasks.max=1
            topics=outage-sink-topic
            file={sinkFile}
            """);
        await worker.StartAsync(WorkerFile(worker, broker), connector);
        await worker.WaitForStateAsync("outage-sink", "RUNNING");

        async Task ProduceAsync(string prefix)
        {
            var lines = Enumerable.Range(0, 50).Select(i => LineWriter.Line(prefix, i));
            var (code, _, stderr) = await KcatCli.RunAsync(["-b", broker.Servers, "-P", "-t", "outage-sink-topic"], Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));
            Assert.True(code == 0, stderr);
        }

        await ProduceAsync("before");
        await Eventually.WaitAsync(() => Task.FromResult(SinkFile.CompleteLines(sinkFile).Length >= 50), TimeSpan.FromSeconds(30),
            () => "the lines before the outage were not written:\n" + worker.Current.Tail(60));
        // The task commits every offset.flush.interval.ms (1 s): wait until all 50 are committed before the broker goes.
        await using (var admin = new KafkaAdminClient(new Dictionary<string, string> { ["bootstrap.servers"] = broker.Servers }))
        {
            var partition = new KafkaConnect.Client.Consumer.TopicPartition("outage-sink-topic", 0);
            await Eventually.WaitAsync(async () =>
                (await admin.ListConsumerGroupOffsetsAsync("connect-outage-sink")).TryGetValue(partition, out var committed) && committed.Offset == 50,
                TimeSpan.FromSeconds(30), () => "the sink did not commit offset 50:\n" + worker.Current.Tail(60), pollMs: 250);
        }

        await broker.StopAsync();
        await AssertRunningThroughOutageAsync(worker, "outage-sink", TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(2));
        await broker.StartAsync();
        await ProduceAsync("after");

        var expected = Enumerable.Range(0, 50).Select(i => LineWriter.Line("before", i)).Concat(Enumerable.Range(0, 50).Select(i => LineWriter.Line("after", i))).ToList();
        await Eventually.WaitAsync(() => Task.FromResult(SinkFile.CompleteLines(sinkFile).Length >= expected.Count), TimeSpan.FromSeconds(60),
            () => $"the sink wrote {SinkFile.CompleteLines(sinkFile).Length} of {expected.Count} lines after the outage:\n{worker.Current.Tail(60)}");
        await Task.Delay(TimeSpan.FromSeconds(2));
        var written = SinkFile.CompleteLines(sinkFile);
        var (missing, _, unexpected) = SinkFile.Compare(expected, written);
        Assert.True(missing.Count == 0 && unexpected.Count == 0, $"missing {missing.Count}, unexpected {unexpected.Count}:\n{worker.Current.Tail(80)}");
        // Committed offsets are where it resumes: nothing from before the outage comes again. Lines consumed after the
        // restart may come twice (at least once): our broker forgets group members when it stops, so the member
        // loses its partitions on its first heartbeat and re-reads from the last commit.
        Assert.Equal(expected.Take(50), written.Take(50));
        Assert.DoesNotContain(written.Skip(50), l => l.StartsWith("before-", StringComparison.Ordinal));
        Assert.Equal("RUNNING", await TaskStateAsync(worker, "outage-sink"));
    }
}
