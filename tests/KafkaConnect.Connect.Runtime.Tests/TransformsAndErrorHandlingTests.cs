using System.Collections.Concurrent;
using System.Text;
using KafkaConnect.Client.Admin;
using KafkaConnect.Client.Consumer;
using KafkaConnect.Client.Producer;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Sources;
using KafkaConnect.Connect.Transforms;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.Runtime.Tests;

/// <summary>Throws RetriableException for the first <c>failures</c> records it sees, then passes records through.</summary>
public sealed class FlakyTransform : ITransformation<SourceRecord>
{
    public static readonly ConcurrentDictionary<string, int> Calls = new();
    private string _key = "";
    private int _failures;

    public void Configure(IReadOnlyDictionary<string, string> configs)
    {
        _key = configs["key"];
        _failures = int.Parse(configs["failures"], System.Globalization.CultureInfo.InvariantCulture);
    }

    public SourceRecord? Apply(SourceRecord record)
    {
        var n = Calls.AddOrUpdate(_key, 1, (_, c) => c + 1);
        return n <= _failures ? throw new RetriableException("transient failure " + n) : record;
    }

    public ConfigDef Config() => new ConfigDef()
        .Define("key", ConfigType.String, ConfigDef.NoDefaultValue, Importance.High, "Counter key.")
        .Define("failures", ConfigType.Int, 0, Importance.High, "Failures before success.");

    public void Close()
    {
    }
}

/// <summary>A source whose first task instance fails in Poll; later instances produce records (restart test).</summary>
public sealed class FailFirstSourceConnector : SourceConnector
{
    public static readonly ConcurrentDictionary<string, int> Starts = new();
    private IReadOnlyDictionary<string, string> _props = new Dictionary<string, string>();

    public override string Version() => "1";

    public override void Start(IReadOnlyDictionary<string, string> props) => _props = props;

    public override Type TaskClass => typeof(FailFirstSourceTask);

    public override IReadOnlyList<IReadOnlyDictionary<string, string>> TaskConfigs(int maxTasks) => [_props];

    public override void Stop()
    {
    }

    public override ConfigDef Config() => new ConfigDef().Define("topic", ConfigType.String, ConfigDef.NoDefaultValue, Importance.High, "Topic.");
}

public sealed class FailFirstSourceTask : SourceTask
{
    private string _topic = "";
    private int _start;
    private long _n;

    public override string Version() => "1";

    public override void Start(IReadOnlyDictionary<string, string> props)
    {
        _topic = props["topic"];
        _start = FailFirstSourceConnector.Starts.AddOrUpdate(props["name"], 1, (_, c) => c + 1);
    }

    public override async ValueTask<IReadOnlyList<SourceRecord>?> PollAsync(CancellationToken cancellationToken)
    {
        if (_start == 1)
        {
            throw new InvalidOperationException("first start fails");
        }
        await Task.Delay(100, cancellationToken);
        return [new SourceRecord(null, null, _topic, Schema.StringSchema, "v" + ++_n)];
    }

    public override void Stop()
    {
    }
}

/// <summary>A sink whose task reports records with value "bad" through the ErrantRecordReporter and keeps the rest.</summary>
public sealed class ReportingSinkConnector : KafkaConnect.Connect.Sinks.SinkConnector
{
    public static readonly ConcurrentQueue<string> Received = new();

    public override string Version() => "1";

    public override void Start(IReadOnlyDictionary<string, string> props)
    {
    }

    public override Type TaskClass => typeof(ReportingSinkTask);

    public override IReadOnlyList<IReadOnlyDictionary<string, string>> TaskConfigs(int maxTasks) => [new Dictionary<string, string>()];

    public override void Stop()
    {
    }

    public override ConfigDef Config() => new();
}

public sealed class ReportingSinkTask : KafkaConnect.Connect.Sinks.SinkTask
{
    public override string Version() => "1";

    public override void Start(IReadOnlyDictionary<string, string> props)
    {
    }

    public override void Put(IReadOnlyCollection<KafkaConnect.Connect.Sinks.SinkRecord> records)
    {
        foreach (var r in records)
        {
            if (Equals(r.Value, "bad"))
            {
                Context.ErrantRecordReporter!.ReportAsync(r, new DataException("rejected by the sink"));
            }
            else
            {
                ReportingSinkConnector.Received.Enqueue((string)r.Value!);
            }
        }
    }

    public override void Stop()
    {
    }
}

/// <summary>Collects every formatted log line (and exception text) written through it.</summary>
internal sealed class CapturingLoggerFactory(LogLevel minimum = LogLevel.Trace) : ILoggerFactory, ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public LogLevel Minimum { get; } = minimum;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner.Minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= owner.Minimum)
            {
                owner.Lines.Enqueue((owner.Minimum > LogLevel.Trace ? $"{DateTime.UtcNow:HH:mm:ss.fff} {category[(category.LastIndexOf('.') + 1)..]}: " : "")
                    + formatter(state, exception) + (exception is null ? "" : " " + exception));
            }
        }
    }
}

public sealed class TransformsAndErrorHandlingTests : IClassFixture<BrokerFixture>, IDisposable
{
    private readonly BrokerFixture _broker;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kc-runtime-smt-" + Guid.NewGuid().ToString("N"));

    public TransformsAndErrorHandlingTests(BrokerFixture broker)
    {
        _broker = broker;
        Directory.CreateDirectory(_dir);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Chain_AppliesTransformsInOrder_WithPredicatesAndNegate()
    {
        var input = Path.Combine(_dir, "in.txt");
        File.WriteAllText(input, "aaa\nbbb\n");
        var topic = Unique("smt");
        var config = new Dictionary<string, string>
        {
            ["name"] = "smt-source", ["connector.class"] = "FileStreamSourceConnector", ["file"] = input, ["topic"] = topic,
            ["value.converter"] = "org.apache.kafka.connect.json.JsonConverter", ["value.converter.schemas.enable"] = "false",
            ["transforms"] = "hoist,tag,notTagged,route",
            ["transforms.hoist.type"] = "org.apache.kafka.connect.transforms.HoistField$Value",
            ["transforms.hoist.field"] = "line",
            ["transforms.tag.type"] = "org.apache.kafka.connect.transforms.InsertField$Value",
            ["transforms.tag.static.field"] = "tag", ["transforms.tag.static.value"] = "yes",
            ["transforms.tag.predicate"] = "isSource",
            ["transforms.notTagged.type"] = "org.apache.kafka.connect.transforms.InsertField$Value",
            ["transforms.notTagged.static.field"] = "never", ["transforms.notTagged.static.value"] = "no",
            ["transforms.notTagged.predicate"] = "isSource", ["transforms.notTagged.negate"] = "true",
            ["transforms.route.type"] = "org.apache.kafka.connect.transforms.RegexRouter",
            ["transforms.route.regex"] = "(.*)", ["transforms.route.replacement"] = "$1-routed",
            ["predicates"] = "isSource",
            ["predicates.isSource.type"] = "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
            ["predicates.isSource.pattern"] = topic,
        };
        await using var herder = Harness.NewHerder(_broker.BootstrapServers, Path.Combine(_dir, "offsets"));

        // The enriched definition validates the transformation's own settings.
        var bad = new Dictionary<string, string>(config) { ["transforms.route.regex"] = "" };
        bad.Remove("transforms.route.regex");
        var validation = herder.Validate(bad);
        Assert.Contains(validation.Configs, c => c.Value.Name == "transforms.route.regex" && c.Value.Errors.Count > 0);
        Assert.Contains("Transforms: route", validation.Groups);

        await herder.PutConnectorConfigAsync("smt-source", config, allowReplace: false);
        var values = await ReadValuesAsync(topic + "-routed", 2);
        Assert.Equal(["{\"line\":\"aaa\",\"tag\":\"yes\"}", "{\"line\":\"bbb\",\"tag\":\"yes\"}"], values.Select(v => v.Value).ToList());
    }

    [Fact]
    public async Task PoisonRecord_ToleranceAll_GoodRecordsArrive_BadOneInDlqWithContextHeaders()
    {
        var topic = Unique("poison");
        var dlq = topic + "-dlq";
        await ProduceAsync(topic, "\"a\"", "\"b\"", "{not json", "\"c\"");
        var output = Path.Combine(_dir, "sink-all.txt");
        await using var herder = Harness.NewHerder(_broker.BootstrapServers, Path.Combine(_dir, "offsets"));
        await herder.PutConnectorConfigAsync("poison-all", new Dictionary<string, string>
        {
            ["name"] = "poison-all", ["connector.class"] = "FileStreamSinkConnector", ["file"] = output, ["topics"] = topic,
            ["value.converter"] = "org.apache.kafka.connect.json.JsonConverter", ["value.converter.schemas.enable"] = "false",
            ["errors.tolerance"] = "all", ["errors.log.enable"] = "true",
            ["errors.deadletterqueue.topic.name"] = dlq, ["errors.deadletterqueue.context.headers.enable"] = "true",
        }, allowReplace: false);
        await Harness.WaitUntilAsync(() => Lines(output).Length == 3);
        Assert.Equal(["a", "b", "c"], Lines(output));

        var parked = Assert.Single(await ReadValuesAsync(dlq, 1));
        Assert.Equal("{not json", parked.Value);
        Assert.Equal(topic, parked.Headers["__connect.errors.topic"]);
        Assert.Equal("0", parked.Headers["__connect.errors.partition"]);
        Assert.Equal("2", parked.Headers["__connect.errors.offset"]);
        Assert.Equal("poison-all", parked.Headers["__connect.errors.connector.name"]);
        Assert.Equal("0", parked.Headers["__connect.errors.task.id"]);
        Assert.Equal("VALUE_CONVERTER", parked.Headers["__connect.errors.stage"]);
        Assert.Equal("org.apache.kafka.connect.json.JsonConverter", parked.Headers["__connect.errors.class.name"]);
        Assert.Contains("DataException", parked.Headers["__connect.errors.exception.class.name"]);
        Assert.False(string.IsNullOrEmpty(parked.Headers["__connect.errors.exception.message"]));
        Assert.Contains("at ", parked.Headers["__connect.errors.exception.stacktrace"]);
        var status = await herder.ConnectorStatusAsync("poison-all");
        Assert.All(status.Tasks, t => Assert.Equal(ConnectorState.Running, t.State));
    }

    [Fact]
    public async Task PoisonRecord_ToleranceNone_TaskFailsWithTrace_OffsetsNotPastBadRecord()
    {
        var topic = Unique("poison-none");
        await ProduceAsync(topic, "\"a\"", "\"b\"", "{not json", "\"c\"");
        var output = Path.Combine(_dir, "sink-none.txt");
        await using var herder = Harness.NewHerder(_broker.BootstrapServers, Path.Combine(_dir, "offsets"));
        await herder.PutConnectorConfigAsync("poison-none", new Dictionary<string, string>
        {
            ["name"] = "poison-none", ["connector.class"] = "FileStreamSinkConnector", ["file"] = output, ["topics"] = topic,
            ["value.converter"] = "org.apache.kafka.connect.json.JsonConverter", ["value.converter.schemas.enable"] = "false",
        }, allowReplace: false);
        TaskStateInfo? failed = null;
        await Harness.WaitUntilAsync(async () =>
        {
            var s = await herder.ConnectorStatusAsync("poison-none");
            failed = s.Tasks.FirstOrDefault(t => t.State == ConnectorState.Failed);
            return failed is not null;
        });
        Assert.Contains("Tolerance exceeded in error handler", failed!.Trace);
        Assert.Contains("DataException", failed.Trace);
        Assert.DoesNotContain("c", Lines(output));

        await using var admin = new KafkaAdminClient(new Dictionary<string, string> { ["bootstrap.servers"] = _broker.BootstrapServers });
        var committed = await admin.ListConsumerGroupOffsetsAsync("connect-poison-none");
        foreach (var (_, offset) in committed)
        {
            Assert.True(offset.Offset <= 2, "committed offset " + offset.Offset + " is past the bad record at offset 2");
        }
    }

    [Fact]
    public async Task RetriableFailure_IsRetriedWithinTimeout_ThenSucceeds()
    {
        var input = Path.Combine(_dir, "retry.txt");
        File.WriteAllText(input, "one\n");
        var topic = Unique("retry");
        var key = Guid.NewGuid().ToString("N");
        await using var herder = Harness.NewHerder(_broker.BootstrapServers, Path.Combine(_dir, "offsets"));
        await herder.PutConnectorConfigAsync("retry-source", new Dictionary<string, string>
        {
            ["name"] = "retry-source", ["connector.class"] = "FileStreamSourceConnector", ["file"] = input, ["topic"] = topic,
            ["value.converter"] = "org.apache.kafka.connect.storage.StringConverter",
            ["transforms"] = "flaky", ["transforms.flaky.type"] = typeof(FlakyTransform).FullName!,
            ["transforms.flaky.key"] = key, ["transforms.flaky.failures"] = "2",
            ["errors.retry.timeout"] = "30000", ["errors.retry.delay.max.ms"] = "200",
        }, allowReplace: false);
        var values = await ReadValuesAsync(topic, 1);
        Assert.Equal("one", Assert.Single(values).Value);
        Assert.Equal(3, FlakyTransform.Calls[key]);
        var status = await herder.ConnectorStatusAsync("retry-source");
        Assert.All(status.Tasks, t => Assert.Equal(ConnectorState.Running, t.State));
    }

    [Fact]
    public async Task RetriableFailure_BeyondTimeout_FailsTheTask()
    {
        var input = Path.Combine(_dir, "retry-out.txt");
        File.WriteAllText(input, "one\n");
        var key = Guid.NewGuid().ToString("N");
        await using var herder = Harness.NewHerder(_broker.BootstrapServers, Path.Combine(_dir, "offsets"));
        await herder.PutConnectorConfigAsync("retry-out", new Dictionary<string, string>
        {
            ["name"] = "retry-out", ["connector.class"] = "FileStreamSourceConnector", ["file"] = input, ["topic"] = Unique("retry-out"),
            ["transforms"] = "flaky", ["transforms.flaky.type"] = typeof(FlakyTransform).FullName!,
            ["transforms.flaky.key"] = key, ["transforms.flaky.failures"] = "1000",
            ["errors.retry.timeout"] = "500", ["errors.retry.delay.max.ms"] = "100",
        }, allowReplace: false);
        await Harness.WaitUntilAsync(async () => (await herder.ConnectorStatusAsync("retry-out")).Tasks.Any(t => t.State == ConnectorState.Failed));
        // Retried, then failed. Past the cap each wait is random in [0, errors.retry.delay.max.ms), as Apache's, so the count
        // varies (about 10 on average); a loop without backoff would make thousands. RetryBackoffTests pins the last
        // millisecond before the deadline, where a rounding bug once made 223 calls.
        Assert.InRange(FlakyTransform.Calls[key], 2, 200);
    }

    [Fact]
    public async Task Secret_FromFileProvider_IsUsed_ButNeverShownInConfigsTasksOrLogs()
    {
        var secretTopic = Unique("s3cr3t-topic");
        var secretFile = Path.Combine(_dir, "s3cr3t-input.txt");
        File.WriteAllText(secretFile, "hidden\n");
        var secrets = Path.Combine(_dir, "secrets.properties");
        File.WriteAllText(secrets, "topic=" + secretTopic + "\nfile=" + secretFile + "\n");
        var loggers = new CapturingLoggerFactory();
        var raw = new Dictionary<string, string>
        {
            ["name"] = "secret-source", ["connector.class"] = "FileStreamSourceConnector",
            ["file"] = "${file:" + secrets + ":file}", ["topic"] = "${file:" + secrets + ":topic}",
            ["value.converter"] = "org.apache.kafka.connect.storage.StringConverter",
        };
        await using (var herder = Harness.NewHerder(_broker.BootstrapServers, Path.Combine(_dir, "offsets"), new Dictionary<string, string>
        {
            ["config.providers"] = "file",
            ["config.providers.file.class"] = "org.apache.kafka.common.config.provider.FileConfigProvider",
        }, loggers))
        {
            await herder.PutConnectorConfigAsync("secret-source", raw, allowReplace: false);
            Assert.Equal("hidden", Assert.Single(await ReadValuesAsync(secretTopic, 1)).Value);

            var shown = await herder.ConnectorConfigAsync("secret-source");
            Assert.Equal(raw["file"], shown["file"]);
            Assert.Equal(raw["topic"], shown["topic"]);
            var tasks = await herder.TaskConfigsAsync("secret-source");
            Assert.NotEmpty(tasks);
            foreach (var task in tasks)
            {
                Assert.DoesNotContain(task.Config.Values, v => v.Contains("s3cr3t", StringComparison.Ordinal));
            }
            var info = await herder.ConnectorInfoAsync("secret-source");
            Assert.DoesNotContain(info.Config.Values, v => v.Contains("s3cr3t", StringComparison.Ordinal));
            var validated = herder.Validate(raw);
            Assert.DoesNotContain(validated.Configs, c => c.Value.Value?.Contains("s3cr3t", StringComparison.Ordinal) == true);
        }
        Assert.NotEmpty(loggers.Lines);
        Assert.DoesNotContain(loggers.Lines, l => l.Contains("s3cr3t", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AutomaticRestart_BringsFailedTaskBackToRunning()
    {
        var topic = Unique("restart");
        var name = Unique("restart-source");
        await using var herder = Harness.NewHerder(_broker.BootstrapServers, Path.Combine(_dir, "offsets"));
        await herder.PutConnectorConfigAsync(name, new Dictionary<string, string>
        {
            ["name"] = name, ["connector.class"] = typeof(FailFirstSourceConnector).FullName!, ["topic"] = topic,
            ["value.converter"] = "org.apache.kafka.connect.storage.StringConverter",
            ["kconnect.task.restart.enable"] = "true", ["kconnect.task.restart.backoff.initial.ms"] = "200",
        }, allowReplace: false);
        await Harness.WaitUntilAsync(() => FailFirstSourceConnector.Starts.GetValueOrDefault(name) >= 2);
        await Harness.WaitUntilAsync(async () => (await herder.ConnectorStatusAsync(name)).Tasks.All(t => t.State == ConnectorState.Running));
        Assert.NotEmpty(await ReadValuesAsync(topic, 1));
    }

    [Fact]
    public async Task SinkPut_ErrantRecordReporter_ParksRecordInDlq()
    {
        var topic = Unique("errant");
        var dlq = topic + "-dlq";
        await ProduceAsync(topic, "ok1", "bad", "ok2");
        await using var herder = Harness.NewHerder(_broker.BootstrapServers, Path.Combine(_dir, "offsets"));
        await herder.PutConnectorConfigAsync("errant", new Dictionary<string, string>
        {
            ["name"] = "errant", ["connector.class"] = typeof(ReportingSinkConnector).FullName!, ["topics"] = topic,
            ["value.converter"] = "org.apache.kafka.connect.storage.StringConverter",
            ["errors.tolerance"] = "all", ["errors.deadletterqueue.topic.name"] = dlq, ["errors.deadletterqueue.context.headers.enable"] = "true",
        }, allowReplace: false);
        var parked = Assert.Single(await ReadValuesAsync(dlq, 1));
        Assert.Equal("bad", parked.Value);
        Assert.Equal("TASK_PUT", parked.Headers["__connect.errors.stage"]);
        Assert.Equal("1", parked.Headers["__connect.errors.offset"]);
        Assert.Equal("rejected by the sink", parked.Headers["__connect.errors.exception.message"]);
        await Harness.WaitUntilAsync(() => ReportingSinkConnector.Received.Contains("ok2"));
    }

    [Fact]
    public async Task SourceDlq_Extension_ParksFailedSourceRecord_AndContinues()
    {
        var input = Path.Combine(_dir, "source-dlq.txt");
        File.WriteAllText(input, "one\ntwo\n");
        var topic = Unique("source-dlq");
        var key = Guid.NewGuid().ToString("N");
        await using var herder = Harness.NewHerder(_broker.BootstrapServers, Path.Combine(_dir, "offsets"));
        await herder.PutConnectorConfigAsync("source-dlq", new Dictionary<string, string>
        {
            ["name"] = "source-dlq", ["connector.class"] = "FileStreamSourceConnector", ["file"] = input, ["topic"] = topic,
            ["value.converter"] = "org.apache.kafka.connect.storage.StringConverter",
            ["transforms"] = "flaky", ["transforms.flaky.type"] = typeof(FlakyTransform).FullName!,
            ["transforms.flaky.key"] = key, ["transforms.flaky.failures"] = "1",
            ["errors.tolerance"] = "all", ["errors.deadletterqueue.topic.name"] = topic + "-dlq",
            ["errors.deadletterqueue.context.headers.enable"] = "true",
        }, allowReplace: false);
        Assert.Equal("two", Assert.Single(await ReadValuesAsync(topic, 1)).Value);
        var parked = Assert.Single(await ReadValuesAsync(topic + "-dlq", 1));
        Assert.Equal("one", parked.Value);
        Assert.Equal("TRANSFORMATION", parked.Headers["__connect.errors.stage"]);
        Assert.Equal(topic, parked.Headers["__connect.errors.topic"]);
        Assert.Equal(typeof(FlakyTransform).FullName, parked.Headers["__connect.errors.class.name"]);
    }

    [Fact]
    public async Task ProducerSendFailure_ToleranceAll_IsLoggedAndSkipped_AndOffsetsMovePastIt()
    {
        // A line longer than the producer's max.request.size: the producer refuses that one record (Apache's KIP-779:
        // errors.tolerance=all covers records the producer cannot write).
        var input = Path.Combine(_dir, "send-fails-all.txt");
        var big = new string('x', 3000);
        File.WriteAllText(input, "one\n" + big + "\nthree\n");
        var topic = Unique("send-fails-all");
        var loggers = new CapturingLoggerFactory(LogLevel.Information);
        await using var herder = Harness.NewHerder(_broker.BootstrapServers, Path.Combine(_dir, "offsets"), loggers: loggers);
        await herder.PutConnectorConfigAsync("send-fails-all", new Dictionary<string, string>
        {
            ["name"] = "send-fails-all", ["connector.class"] = "FileStreamSourceConnector", ["file"] = input, ["topic"] = topic,
            ["value.converter"] = "org.apache.kafka.connect.storage.StringConverter",
            ["producer.override.max.request.size"] = "1024",
            ["errors.tolerance"] = "all", ["errors.log.enable"] = "true",
        }, allowReplace: false);
        Assert.Equal(["one", "three"], (await ReadValuesAsync(topic, 2)).Select(v => v.Value));
        var end = new FileInfo(input).Length;
        await Harness.WaitUntilAsync(async () =>
            (await herder.ConnectorOffsetsAsync("send-fails-all")).Any(o => Convert.ToInt64(o.Offset?["position"], System.Globalization.CultureInfo.InvariantCulture) == end));
        var status = await herder.ConnectorStatusAsync("send-fails-all");
        Assert.All(status.Tasks, t => Assert.Equal(ConnectorState.Running, t.State));
        // The error reporter's line (errors.log.enable), naming Apache's stage and class.
        Assert.Contains(loggers.Lines, l => l.Contains("Executing stage 'KAFKA_PRODUCE' with class 'org.apache.kafka.connect.runtime.WorkerSourceTask'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ProducerSendFailure_ToleranceNone_FailsTheTask_AndOffsetsStopBeforeIt()
    {
        var input = Path.Combine(_dir, "send-fails-none.txt");
        File.WriteAllText(input, "one\n" + new string('x', 3000) + "\nthree\n");
        var topic = Unique("send-fails-none");
        await using var herder = Harness.NewHerder(_broker.BootstrapServers, Path.Combine(_dir, "offsets"));
        await herder.PutConnectorConfigAsync("send-fails-none", new Dictionary<string, string>
        {
            ["name"] = "send-fails-none", ["connector.class"] = "FileStreamSourceConnector", ["file"] = input, ["topic"] = topic,
            ["value.converter"] = "org.apache.kafka.connect.storage.StringConverter",
            ["producer.override.max.request.size"] = "1024",
        }, allowReplace: false);
        TaskStateInfo? failed = null;
        await Harness.WaitUntilAsync(async () =>
        {
            failed = (await herder.ConnectorStatusAsync("send-fails-none")).Tasks.FirstOrDefault(t => t.State == ConnectorState.Failed);
            return failed is not null;
        });
        Assert.Contains("Unrecoverable exception from producer send callback", failed!.Trace, StringComparison.Ordinal);
        Assert.Contains("max.request.size", failed.Trace, StringComparison.Ordinal);
        // "one" was written and may be committed; nothing at or past the refused line is.
        var positions = (await herder.ConnectorOffsetsAsync("send-fails-none"))
            .Select(o => Convert.ToInt64(o.Offset?["position"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.All(positions, p => Assert.True(p <= "one\n".Length, $"offset {p} is past the record the producer refused"));
    }

    private static string[] Lines(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllLines(path) : [];
        }
        catch (IOException)
        {
            return [];
        }
    }

    private async Task ProduceAsync(string topic, params string[] values)
    {
        await using var producer = new KafkaProducer(new Dictionary<string, string> { ["bootstrap.servers"] = _broker.BootstrapServers });
        foreach (var v in values)
        {
            await producer.ProduceAsync(new ProducerRecord(topic, null, Encoding.UTF8.GetBytes(v)));
        }
    }

    private async Task<List<(string? Value, Dictionary<string, string> Headers)>> ReadValuesAsync(string topic, int count)
    {
        await using var consumer = new KafkaConsumer(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = _broker.BootstrapServers,
            ["group.id"] = "reader-" + Guid.NewGuid().ToString("N"),
            ["auto.offset.reset"] = "earliest",
        });
        consumer.Subscribe([topic]);
        var values = new List<(string?, Dictionary<string, string>)>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (values.Count < count && DateTime.UtcNow < deadline)
        {
            foreach (var r in await consumer.PollAsync(TimeSpan.FromSeconds(1)))
            {
                var headers = new Dictionary<string, string>();
                foreach (var h in r.Headers)
                {
                    headers[h.Key] = h.Value is { } hv ? Encoding.UTF8.GetString(hv.Span) : "";
                }
                values.Add((r.Value is { } v ? Encoding.UTF8.GetString(v.Span) : null, headers));
            }
        }
        return values;
    }
}
