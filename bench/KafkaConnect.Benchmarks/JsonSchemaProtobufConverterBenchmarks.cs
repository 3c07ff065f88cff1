using BenchmarkDotNet.Attributes;
using KafkaConnect.Broker;
using KafkaConnect.Broker.Configuration;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Json;
using KafkaConnect.Connect.JsonSchema;
using KafkaConnect.Connect.Protobuf;
using KafkaConnect.SchemaRegistry;

namespace KafkaConnect.Benchmarks;

/// <summary>
/// ProtobufConverter and JsonSchemaConverter (Confluent's wire format) on the Avro benchmark's record (BenchOrder: 10
/// fields with a decimal, a timestamp, an optional string and an array), Connect → bytes and bytes → Connect, beside JsonConverter with
/// schemas on the same record. The registry (ours, in-process on an in-process broker) is asked only in setup: after
/// the first record the converters answer from their caches, as in a running connector.
/// </summary>
[MemoryDiagnoser]
public class JsonSchemaProtobufConverterBenchmarks
{
    // A topic (so a subject) each: the registry refuses a PROTOBUF and a JSON schema under one subject.
    private const string ProtobufTopic = "bench-protobuf";
    private const string JsonSchemaTopic = "bench-jsonschema";

    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "kc-bench-registry-" + Guid.NewGuid().ToString("N"));
    private KafkaBroker? _broker;
    private SchemaRegistryServer? _registry;
    private ProtobufConverter _protobuf = null!;
    private JsonSchemaConverter _jsonSchema = null!;
    private JsonConverter _json = null!;
    private Schema _schema = null!;
    private Struct _value = null!;
    private byte[] _protobufBytes = [];
    private byte[] _jsonSchemaBytes = [];
    private byte[] _jsonBytes = [];

    [GlobalSetup]
    public void Setup()
    {
        _schema = BenchOrder.Schema;
        _value = BenchOrder.Value();
        _broker = KafkaBroker.StartAsync(BrokerConfig.Create(new Dictionary<string, string>
        {
            ["listeners"] = "PLAINTEXT://127.0.0.1:0",
            ["log.dirs"] = _dataDir,
            ["num.partitions"] = "1",
        })).GetAwaiter().GetResult();
        _registry = SchemaRegistryServer.StartAsync(SchemaRegistryOptions.FromProperties(new Dictionary<string, string>
        {
            ["listeners"] = "http://127.0.0.1:0",
            ["kafkastore.bootstrap.servers"] = _broker.BootstrapServers,
        })).GetAwaiter().GetResult();
        var config = new Dictionary<string, string> { ["schema.registry.url"] = _registry.Url.ToString().TrimEnd('/') };
        _protobuf = new ProtobufConverter();
        _protobuf.Configure(config, isKey: false);
        _jsonSchema = new JsonSchemaConverter();
        _jsonSchema.Configure(config, isKey: false);
        _json = new JsonConverter();
        _json.Configure(new Dictionary<string, string>(), isKey: false);
        _protobufBytes = ToProtobuf();
        _jsonSchemaBytes = ToJsonSchema();
        _jsonBytes = ToJsonWithSchema();
        _ = FromProtobuf();
        _ = FromJsonSchema();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _protobuf.Dispose();
        _jsonSchema.Dispose();
        _registry?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _broker?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }

    [Benchmark]
    [Work(1)]
    public byte[] ToProtobuf() => _protobuf.FromConnectData(ProtobufTopic, null, _schema, _value)!;

    [Benchmark]
    [Work(1)]
    public object? FromProtobuf() => _protobuf.ToConnectData(ProtobufTopic, null, _protobufBytes).Value;

    [Benchmark]
    [Work(1)]
    public byte[] ToJsonSchema() => _jsonSchema.FromConnectData(JsonSchemaTopic, null, _schema, _value)!;

    [Benchmark]
    [Work(1)]
    public object? FromJsonSchema() => _jsonSchema.ToConnectData(JsonSchemaTopic, null, _jsonSchemaBytes).Value;

    [Benchmark(Baseline = true)]
    [Work(1)]
    public byte[] ToJsonWithSchema() => _json.FromConnectData("bench", null, _schema, _value)!;

    [Benchmark]
    [Work(1)]
    public object? FromJsonWithSchema() => _json.ToConnectData("bench", null, _jsonBytes).Value;
}
