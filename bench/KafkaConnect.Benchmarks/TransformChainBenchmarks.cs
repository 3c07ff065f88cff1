using BenchmarkDotNet.Attributes;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Sinks;
using KafkaConnect.Connect.Transforms;

namespace KafkaConnect.Benchmarks;

/// <summary>
/// A sink record through InsertField$Value (topic + timestamp), ReplaceField$Value (one rename, one exclude) and
/// TimestampRouter, with a 6-field struct value (schema cached after the first record) or the equivalent map.
/// One operation = one record through the whole chain.
/// </summary>
[MemoryDiagnoser]
public class TransformChainBenchmarks
{
    private readonly InsertField.Value _insert = new();
    private readonly ReplaceField.Value _replace = new();
    private readonly TimestampRouter _router = new();
    private SinkRecord _record = null!;

    [Params(true, false)]
    public bool WithSchema { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _insert.Configure(new Dictionary<string, string> { ["topic.field"] = "source_topic", ["timestamp.field"] = "ingested_at" });
        _replace.Configure(new Dictionary<string, string> { ["renames"] = "customer:customer_name", ["exclude"] = "note" });
        _router.Configure(new Dictionary<string, string> { ["topic.format"] = "${topic}-${timestamp}", ["timestamp.format"] = "yyyyMMdd" });
        var schema = SchemaBuilder.Struct().Name("bench.Order")
            .Field("id", Schema.Int64Schema)
            .Field("customer", Schema.StringSchema)
            .Field("quantity", Schema.Int32Schema)
            .Field("price", Schema.Float64Schema)
            .Field("paid", Schema.BooleanSchema)
            .Field("note", Schema.OptionalStringSchema)
            .Build();
        object value = WithSchema
            ? new Struct(schema).Put("id", 42L).Put("customer", "ann").Put("quantity", 3).Put("price", 9.99).Put("paid", true)
            : new Dictionary<object, object?> { ["id"] = 42L, ["customer"] = "ann", ["quantity"] = 3, ["price"] = 9.99, ["paid"] = true, ["note"] = null };
        _record = new SinkRecord("orders", 0, null, null, WithSchema ? schema : null, value, 1234, 1_700_000_000_000, TimestampType.CreateTime);
    }

    [Benchmark]
    public SinkRecord? Chain()
    {
        var r = _insert.Apply(_record);
        r = r is null ? null : _replace.Apply(r);
        return r is null ? null : _router.Apply(r);
    }
}
