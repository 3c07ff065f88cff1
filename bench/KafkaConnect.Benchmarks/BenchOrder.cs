using KafkaConnect.Connect.Data;
using ConnectDecimal = KafkaConnect.Connect.Data.Decimal;

namespace KafkaConnect.Benchmarks;

/// <summary>The record the registry converters' benchmarks share: 10 fields with a decimal, a timestamp, an optional string and an array.</summary>
internal static class BenchOrder
{
    public static readonly Schema Schema = SchemaBuilder.Struct().Name("bench.Order")
        .Field("id", Connect.Data.Schema.Int64Schema)
        .Field("customer", Connect.Data.Schema.StringSchema)
        .Field("quantity", Connect.Data.Schema.Int32Schema)
        .Field("price", Connect.Data.Schema.Float64Schema)
        .Field("discount", Connect.Data.Schema.Float32Schema)
        .Field("paid", Connect.Data.Schema.BooleanSchema)
        .Field("created", Timestamp.Schema)
        .Field("amount", ConnectDecimal.Schema(2))
        .Field("note", Connect.Data.Schema.OptionalStringSchema)
        .Field("tags", SchemaBuilder.Array(Connect.Data.Schema.StringSchema).Build())
        .Build();

    public static Struct Value() => new Struct(Schema)
        .Put("id", 1234567890123L)
        .Put("customer", "customer-00042")
        .Put("quantity", 7)
        .Put("price", 19.99)
        .Put("discount", 0.15f)
        .Put("paid", true)
        .Put("created", DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000))
        .Put("amount", 139.93m)
        .Put("note", "leave at the door")
        .Put("tags", new List<object?> { "express", "gift", "fragile" });
}
