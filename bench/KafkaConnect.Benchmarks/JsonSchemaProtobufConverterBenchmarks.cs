using BenchmarkDotNet.Attributes;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Json;
using KafkaConnect.Connect.JsonSchema;
using KafkaConnect.Connect.Protobuf;
using KafkaConnect.Connect.Tests.Shared;

namespace KafkaConnect.Benchmarks;

/// <summary>
/// ProtobufConverter and JsonSchemaConverter (Confluent's wire format) on the Avro benchmark's record (BenchOrder: 10
/// fields with a decimal, a timestamp, an optional string and an array), Connect → bytes and bytes → Connect, beside JsonConverter with
/// schemas on the same record. The registry is asked once, in setup (an in-memory registry: after the first record
/// the converters answer from their caches, as in a running connector).
/// </summary>
[MemoryDiagnoser]
public class JsonSchemaProtobufConverterBenchmarks
{
    private readonly Dictionary<string, string> _config = new() { ["schema.registry.url"] = "http://127.0.0.1:1" };
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
        var registry = new InMemoryRegistry();
        _protobuf = new ProtobufConverter(registry);
        _protobuf.Configure(_config, isKey: false);
        _jsonSchema = new JsonSchemaConverter(registry);
        _jsonSchema.Configure(_config, isKey: false);
        _json = new JsonConverter();
        _json.Configure(new Dictionary<string, string>(), isKey: false);
        _protobufBytes = ToProtobuf();
        _jsonSchemaBytes = ToJsonSchema();
        _jsonBytes = ToJsonWithSchema();
        _ = FromProtobuf();
        _ = FromJsonSchema();
    }

    [Benchmark]
    [Work(1)]
    public byte[] ToProtobuf() => _protobuf.FromConnectData("bench", null, _schema, _value)!;

    [Benchmark]
    [Work(1)]
    public object? FromProtobuf() => _protobuf.ToConnectData("bench", null, _protobufBytes).Value;

    [Benchmark]
    [Work(1)]
    public byte[] ToJsonSchema() => _jsonSchema.FromConnectData("bench", null, _schema, _value)!;

    [Benchmark]
    [Work(1)]
    public object? FromJsonSchema() => _jsonSchema.ToConnectData("bench", null, _jsonSchemaBytes).Value;

    [Benchmark(Baseline = true)]
    [Work(1)]
    public byte[] ToJsonWithSchema() => _json.FromConnectData("bench", null, _schema, _value)!;

    [Benchmark]
    [Work(1)]
    public object? FromJsonWithSchema() => _json.ToConnectData("bench", null, _jsonBytes).Value;
}
