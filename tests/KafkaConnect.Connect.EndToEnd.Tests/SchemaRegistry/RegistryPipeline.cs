using System.Net;
using System.Net.Http.Json;
using Confluent.Kafka;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests.Registry;

/// <summary>
/// The registry pipeline tests' processes: a <c>kconnect standalone</c> worker (its embedded broker is the broker the
/// outside producers write to) and <c>kconnect schema-registry</c> on it; our JDBC sink and source run in the worker
/// against scripts/db-up.sh's PostgreSQL, each with a registry converter.
/// </summary>
internal sealed class RegistryPipeline : IAsyncDisposable
{
    /// <summary>The JDBC source writes table T to topic <c>back-T</c>.</summary>
    public const string BackPrefix = "back-";

    private RegistryPipeline(WorkerProcess worker, RegistryProcess registry)
    {
        Worker = worker;
        Registry = registry;
    }

    public WorkerProcess Worker { get; }

    public RegistryProcess Registry { get; }

    public string BrokerServers => Worker.BrokerServers;

    public string RegistryUrl => Registry.Url;

    public static async Task<RegistryPipeline> StartAsync(ITestOutputHelper output)
    {
        var worker = new WorkerProcess(output);
        RegistryProcess? registry = null;
        try
        {
            await worker.StartAsync(worker.WriteFile("worker.properties", $"""
                key.converter=org.apache.kafka.connect.storage.StringConverter
                value.converter=org.apache.kafka.connect.json.JsonConverter
                offset.storage.file.filename={worker.PathOf("connect.offsets")}
                offset.flush.interval.ms=1000
                {worker.PortLines()}
                """));
            registry = new RegistryProcess(worker.Dir, worker.BrokerServers);
            await registry.StartAsync();
            return new RegistryPipeline(worker, registry);
        }
        catch
        {
            if (registry is not null)
            {
                await registry.DisposeAsync();
            }
            await worker.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts a pipeline and runs <paramref name="test"/> with it and a fresh table name starting with
    /// <paramref name="prefix"/> (also the topic the test produces to); the table is dropped before and after.
    /// </summary>
    public static async Task RunAsync(ITestOutputHelper output, string prefix, Func<RegistryPipeline, string, Task> test)
    {
        await using var pipeline = await StartAsync(output);
        var table = $"{prefix}_{Guid.NewGuid().ToString("N")[..8]}";
        await PipelinePostgres.DropTablesAsync(table);
        try
        {
            await test(pipeline, table);
        }
        finally
        {
            await PipelinePostgres.DropTablesAsync(table);
        }
    }

    /// <summary>
    /// Starts our JDBC sink on <paramref name="topics"/> (comma-separated) with <paramref name="converter"/> for values:
    /// one table per topic, named after it and created from the records' schemas.
    /// </summary>
    public Task StartJdbcSinkAsync(string name, string topics, string converter, params (string Key, string Value)[] converterSettings) =>
        StartConnectorAsync(name, converter, converterSettings, new()
        {
            ["connector.class"] = "io.confluent.connect.jdbc.JdbcSinkConnector",
            ["topics"] = topics,
            ["auto.create"] = "true",
            ["insert.mode"] = "insert",
            ["table.name.format"] = "${topic}",
        });

    /// <summary>Starts our JDBC source on <paramref name="table"/> (incrementing on <c>id</c>), writing to <see cref="BackPrefix"/> + table.</summary>
    public Task StartJdbcSourceAsync(string name, string table, string converter, params (string Key, string Value)[] converterSettings) =>
        StartConnectorAsync(name, converter, converterSettings, new()
        {
            ["connector.class"] = "io.confluent.connect.jdbc.JdbcSourceConnector",
            ["mode"] = "incrementing",
            ["incrementing.column.name"] = "id",
            ["table.whitelist"] = table,
            ["topic.prefix"] = BackPrefix,
            ["poll.interval.ms"] = "200",
        });

    private async Task StartConnectorAsync(string name, string converter, (string Key, string Value)[] converterSettings, Dictionary<string, string> config)
    {
        config["connection.url"] = PipelinePostgres.JdbcUrl;
        config["connection.user"] = PipelinePostgres.User;
        config["value.converter"] = converter;
        config["value.converter.schema.registry.url"] = RegistryUrl;
        foreach (var (key, value) in converterSettings)
        {
            config["value.converter." + key] = value;
        }
        using var response = await Worker.Http.PostAsJsonAsync("/connectors", new { name, config });
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST {name}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        await Worker.WaitForStateAsync(name, "RUNNING", timeoutSeconds: 60);
    }

    /// <summary>Waits until the sink has written <paramref name="count"/> rows to <paramref name="table"/>.</summary>
    public Task WaitForRowsAsync(string table, int count) =>
        Eventually.WaitAsync(async () => await PipelinePostgres.CountAsync(table) == count, TimeSpan.FromSeconds(60),
            () => $"{table} did not get {count} rows:{Environment.NewLine}{Worker.Current.Tail(60)}");

    /// <summary>Reads <paramref name="count"/> values of <paramref name="topic"/> from the start with Confluent's consumer and <paramref name="deserializer"/>.</summary>
    public List<T> Consume<T>(string topic, int count, IDeserializer<T> deserializer)
    {
        using var consumer = new ConsumerBuilder<Ignore, T>(new ConsumerConfig
        {
            BootstrapServers = BrokerServers,
            GroupId = "confluent-reader-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).SetValueDeserializer(deserializer).Build();
        consumer.Subscribe(topic);
        var values = new List<T>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (values.Count < count && DateTime.UtcNow < deadline)
        {
            ConsumeResult<Ignore, T>? result;
            try
            {
                result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            }
            catch (ConsumeException e) when (e.Error.Code == ErrorCode.UnknownTopicOrPart)
            {
                // The source has not created its topic yet.
                continue;
            }
            if (result?.Message is { Value: { } value })
            {
                values.Add(value);
            }
        }
        consumer.Close();
        Assert.True(values.Count == count, $"Confluent's deserializer read {values.Count} of {count} records from {topic}");
        return values;
    }

    public async ValueTask DisposeAsync()
    {
        await Registry.DisposeAsync();
        await Worker.DisposeAsync();
    }
}
