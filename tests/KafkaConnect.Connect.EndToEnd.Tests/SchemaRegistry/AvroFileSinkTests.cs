using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Avro;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests.Registry;

/// <summary>
/// Seed 002's Avro flow on the FileStream sink, and the ways it goes wrong: bytes that are not registry-framed, and a
/// registry that is down (the task fails clearly, nothing is written or committed past it, and a restart delivers all).
/// </summary>
public sealed class AvroFileSinkTests(ITestOutputHelper output)
{
    private const string MyRecord = """{"type":"record","name":"myrecord","fields":[{"name":"f1","type":"string"}]}""";
    private const string MyRecordV2 = """{"type":"record","name":"myrecord","fields":[{"name":"f1","type":"string"},{"name":"f2","type":["null","int"],"default":null}]}""";

    private static async Task<WorkerProcess> StartWorkerAsync(ITestOutputHelper output)
    {
        var worker = new WorkerProcess(output);
        var file = worker.WriteFile("worker.properties", $"""
            key.converter=org.apache.kafka.connect.storage.StringConverter
            value.converter=org.apache.kafka.connect.json.JsonConverter
            offset.storage.file.filename={worker.PathOf("connect.offsets")}
            offset.flush.interval.ms=500
            {worker.PortLines()}
            """);
        await worker.StartAsync(file);
        return worker;
    }

    private static async Task PostFileSinkAsync(WorkerProcess worker, string name, string topic, string file, string registryUrl, params (string Key, string Value)[] extra)
    {
        var config = new Dictionary<string, string>
        {
            ["connector.class"] = "FileStreamSink",
            ["tasks.max"] = "1",
            ["topics"] = topic,
            ["file"] = file,
            ["value.converter"] = "io.confluent.connect.avro.AvroConverter",
            ["value.converter.schema.registry.url"] = registryUrl,
        };
        foreach (var (k, v) in extra)
        {
            config[k] = v;
        }
        using var response = await worker.Http.PostAsJsonAsync("/connectors", new { name, config });
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task ProduceAsync(string servers, string registryUrl, string topic, string schemaJson, params (string F1, int? F2)[] values)
    {
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = registryUrl });
        using var producer = new ProducerBuilder<Null, GenericRecord>(new ProducerConfig { BootstrapServers = servers })
            .SetValueSerializer(new AvroSerializer<GenericRecord>(registry)).Build();
        var schema = (RecordSchema)global::Avro.Schema.Parse(schemaJson);
        foreach (var (f1, f2) in values)
        {
            var record = new GenericRecord(schema);
            record.Add("f1", f1);
            if (schema.Fields.Count > 1)
            {
                record.Add("f2", f2);
            }
            await producer.ProduceAsync(topic, new Message<Null, GenericRecord> { Value = record });
        }
    }

    /// <summary>Waits for task 0 alone: a converter failure fails the task, while the connector itself keeps running.</summary>
    private static Task WaitForTaskStateAsync(WorkerProcess worker, string connector, string state) =>
        Eventually.WaitAsync(async () =>
        {
            using var response = await worker.Http.GetAsync($"/connectors/{connector}/status");
            if (!response.IsSuccessStatusCode)
            {
                return false;
            }
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var tasks = doc.RootElement.GetProperty("tasks");
            return tasks.GetArrayLength() == 1 && tasks[0].GetProperty("state").GetString() == state;
        }, TimeSpan.FromSeconds(60), () => $"task 0 of {connector} did not reach {state}:{Environment.NewLine}{worker.Current.Tail(60)}");

    private static async Task PutAsync(WorkerProcess worker, string path)
    {
        using var response = await worker.Http.PutAsync(path, null);
        Assert.True(response.IsSuccessStatusCode, $"PUT {path}: {response.StatusCode}");
    }

    private static async Task<string[]> LinesAsync(string path) =>
        File.Exists(path) ? (await File.ReadAllLinesAsync(path)).Where(l => l.Length > 0).ToArray() : [];

    [Fact]
    public async Task Seed002_myrecord_lands_in_the_file_sink_and_an_int_schema_is_refused_as_incompatible()
    {
        await using var worker = await StartWorkerAsync(output);
        await using var registry = new RegistryProcess(worker.Dir, worker.BrokerServers);
        await registry.StartAsync();
        const string topic = "kafka-connect-ui-file-sink";
        var sinkFile = worker.PathOf("kafka-connect-ui-file-sink.txt");
        await PostFileSinkAsync(worker, "kafka-connect-ui-file-sink", topic, sinkFile, registry.Url);
        await worker.WaitForStateAsync("kafka-connect-ui-file-sink", "RUNNING");

        await ProduceAsync(worker.BrokerServers, registry.Url, topic, MyRecord, ("value1", null), ("value2", null), ("value3", null));
        await Eventually.WaitAsync(async () => (await LinesAsync(sinkFile)).Length == 3, TimeSpan.FromSeconds(30),
            () => $"sink file: {string.Join(" | ", File.Exists(sinkFile) ? File.ReadAllLines(sinkFile) : [])}{Environment.NewLine}{worker.Current.Tail(40)}");
        Assert.Equal(["Struct{f1=value1}", "Struct{f1=value2}", "Struct{f1=value3}"], await LinesAsync(sinkFile));

        // kafka-avro-console-producer --property value.schema='{"type":"int"}' on the same topic: the registry refuses it.
        using var confluentRegistry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = registry.Url });
        using var intProducer = new ProducerBuilder<Null, int>(new ProducerConfig { BootstrapServers = worker.BrokerServers })
            .SetValueSerializer(new AvroSerializer<int>(confluentRegistry)).Build();
        var refused = await Assert.ThrowsAsync<ProduceException<Null, int>>(() => intProducer.ProduceAsync(topic, new Message<Null, int> { Value = 42 }));
        var registryError = Assert.IsType<SchemaRegistryException>(refused.InnerException);
        Assert.Equal(HttpStatusCode.Conflict, registryError.Status);
        Assert.Contains("Schema being registered is incompatible with an earlier schema for subject \"kafka-connect-ui-file-sink-value\"",
            registryError.Message, StringComparison.Ordinal);
        Assert.Single(await confluentRegistry.GetAllSubjectsAsync(), s => s == "kafka-connect-ui-file-sink-value");
        Assert.Equal([1], await confluentRegistry.GetSubjectVersionsAsync("kafka-connect-ui-file-sink-value"));
    }

    [Fact]
    public async Task Bytes_without_the_magic_byte_fail_the_task_with_a_clear_error_or_go_to_the_dead_letter_queue()
    {
        await using var worker = await StartWorkerAsync(output);
        await using var registry = new RegistryProcess(worker.Dir, worker.BrokerServers);
        await registry.StartAsync();

        await Kcat.ProduceLinesAsync(worker.BrokerServers, "plain", "{\"f1\":\"not avro\"}");
        await ProduceAsync(worker.BrokerServers, registry.Url, "plain", MyRecord, ("after", null));

        var strictFile = worker.PathOf("strict.txt");
        await PostFileSinkAsync(worker, "strict", "plain", strictFile, registry.Url);
        await WaitForTaskStateAsync(worker, "strict", "FAILED");
        using (var status = JsonDocument.Parse(await worker.Http.GetStringAsync("/connectors/strict/status")))
        {
            var trace = status.RootElement.GetProperty("tasks")[0].GetProperty("trace").GetString()!;
            Assert.Contains("Unknown magic byte!", trace, StringComparison.Ordinal);
            Assert.Contains("plain", trace, StringComparison.Ordinal);
        }
        Assert.Empty(await LinesAsync(strictFile));

        var tolerantFile = worker.PathOf("tolerant.txt");
        await PostFileSinkAsync(worker, "tolerant", "plain", tolerantFile, registry.Url,
            ("errors.tolerance", "all"), ("errors.deadletterqueue.topic.name", "plain-dlq"),
            ("errors.deadletterqueue.topic.replication.factor", "1"), ("errors.deadletterqueue.context.headers.enable", "true"));
        await Eventually.WaitAsync(async () => (await LinesAsync(tolerantFile)).Length == 1, TimeSpan.FromSeconds(30), () => worker.Current.Tail(40));
        Assert.Equal(["Struct{f1=after}"], await LinesAsync(tolerantFile));
        byte[]? dlq = null;
        await Eventually.WaitAsync(async () => (dlq = await Kcat.ConsumeValuesAsync(worker.BrokerServers, "plain-dlq", 20)) is { Length: > 0 },
            TimeSpan.FromSeconds(30), () => "nothing in plain-dlq");
        Assert.Equal("{\"f1\":\"not avro\"}\n", System.Text.Encoding.UTF8.GetString(dlq!));
    }

    [Fact]
    public async Task A_registry_that_is_down_fails_the_task_clearly_and_a_restart_after_it_is_back_delivers_everything()
    {
        await using var worker = await StartWorkerAsync(output);
        var registry = new RegistryProcess(worker.Dir, worker.BrokerServers);
        await registry.StartAsync();
        var sinkFile = worker.PathOf("outage.txt");
        await PostFileSinkAsync(worker, "outage", "outage", sinkFile, registry.Url,
            ("value.converter.max.retries", "1"), ("value.converter.retries.wait.ms", "100"));
        await worker.WaitForStateAsync("outage", "RUNNING");
        await ProduceAsync(worker.BrokerServers, registry.Url, "outage", MyRecord, ("first", null));
        await Eventually.WaitAsync(async () => (await LinesAsync(sinkFile)).Length == 1, TimeSpan.FromSeconds(30), () => worker.Current.Tail(40));

        // Two records whose schema (version 2) the paused sink has never seen; then the registry goes away and the
        // sink resumes.
        await PutAsync(worker, "/connectors/outage/pause");
        await worker.WaitForStateAsync("outage", "PAUSED");
        await ProduceAsync(worker.BrokerServers, registry.Url, "outage", MyRecordV2, ("second", 2), ("third", null));
        await registry.StopAsync();
        await registry.DisposeAsync();
        await PutAsync(worker, "/connectors/outage/resume");

        await WaitForTaskStateAsync(worker, "outage", "FAILED");
        using (var status = JsonDocument.Parse(await worker.Http.GetStringAsync("/connectors/outage/status")))
        {
            var trace = status.RootElement.GetProperty("tasks")[0].GetProperty("trace").GetString()!;
            Assert.Contains("Schema Registry not reachable", trace, StringComparison.Ordinal);
            Assert.Contains($"127.0.0.1:{registry.Port}", trace, StringComparison.Ordinal);
        }
        Assert.Equal(["Struct{f1=first}"], await LinesAsync(sinkFile));

        // The registry comes back on the same port and topic: same ids. A task restart delivers what was held back.
        await using var again = new RegistryProcess(worker.Dir, worker.BrokerServers, registry.Port);
        await again.StartAsync();
        using (var restart = await worker.Http.PostAsync("/connectors/outage/tasks/0/restart", null))
        {
            Assert.True(restart.IsSuccessStatusCode, $"{restart.StatusCode}");
        }
        await Eventually.WaitAsync(async () => (await LinesAsync(sinkFile)).Length == 3, TimeSpan.FromSeconds(30), () => worker.Current.Tail(40));
        Assert.Equal(["Struct{f1=first}", "Struct{f1=second,f2=2}", "Struct{f1=third}"], await LinesAsync(sinkFile));
    }
}
