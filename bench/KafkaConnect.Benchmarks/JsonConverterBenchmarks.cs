using BenchmarkDotNet.Attributes;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Json;
using ConnectDecimal = KafkaConnect.Connect.Data.Decimal;

namespace KafkaConnect.Benchmarks;

/// <summary>
/// JsonConverter on a 10-field struct (ints, floats, strings, a timestamp, a decimal, an optional null),
/// Connect → JSON and JSON → Connect, with and without the schema envelope. Schemas hit the converter's
/// caches after the first call, as they do in a running connector.
/// </summary>
[MemoryDiagnoser]
public class JsonConverterBenchmarks
{
    private JsonConverter _converter = new();
    private Schema _schema = Schema.StringSchema;
    private Struct _value = null!;
    private byte[] _json = [];
    private readonly string _line = "0000000042" + new string('x', 90);
    private byte[] _lineJson = [];
    private ReadOnlyMemory<byte> _lineInBatch;

    [Params(true, false)]
    public bool SchemasEnabled { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _converter = new JsonConverter();
        _converter.Configure(new Dictionary<string, string> { ["schemas.enable"] = SchemasEnabled ? "true" : "false" }, isKey: false);
        _schema = SchemaBuilder.Struct().Name("bench.Order")
            .Field("id", Schema.Int64Schema)
            .Field("customer", Schema.StringSchema)
            .Field("quantity", Schema.Int32Schema)
            .Field("price", Schema.Float64Schema)
            .Field("discount", Schema.Float32Schema)
            .Field("paid", Schema.BooleanSchema)
            .Field("created", Timestamp.Schema)
            .Field("amount", ConnectDecimal.Schema(2))
            .Field("note", Schema.OptionalStringSchema)
            .Field("region", Schema.Int16Schema)
            .Build();
        _value = new Struct(_schema)
            .Put("id", 1234567890123L)
            .Put("customer", "customer-00042")
            .Put("quantity", 7)
            .Put("price", 19.99)
            .Put("discount", 0.15f)
            .Put("paid", true)
            .Put("created", DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000))
            .Put("amount", 139.93m)
            .Put("region", (short)3);
        _json = _converter.FromConnectData("bench", null, _schema, _value)!;
        _lineJson = _converter.FromConnectData("bench", null, Schema.StringSchema, _line)!;
        // As the sink loop sees it: the value inside a larger fetched buffer.
        var buffer = new byte[_lineJson.Length + 64];
        _lineJson.CopyTo(buffer, 32);
        _lineInBatch = buffer.AsMemory(32, _lineJson.Length);
    }

    [Benchmark]
    [Work(1)]
    public byte[] ToJson() => _converter.FromConnectData("bench", null, _schema, _value)!;

    [Benchmark]
    [Work(1)]
    public object? FromJson() => _converter.ToConnectData("bench", null, _json).Value;

    /// <summary>The file pipeline's record: a 100-character line with a string schema.</summary>
    [Benchmark]
    [Work(1)]
    public byte[] LineToJson() => _converter.FromConnectData("bench", null, Schema.StringSchema, _line)!;

    [Benchmark]
    [Work(1)]
    public object? LineFromJsonCopied() => _converter.ToConnectData("bench", null, _lineInBatch.ToArray()).Value;

    [Benchmark]
    [Work(1)]
    public object? LineFromJsonBorrowed() => _converter.ToConnectDataBorrowed("bench", null, _lineInBatch).Value;
}
