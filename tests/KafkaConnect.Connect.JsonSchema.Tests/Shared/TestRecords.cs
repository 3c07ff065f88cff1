using KafkaConnect.Connect.Data;
using ConnectDecimal = KafkaConnect.Connect.Data.Decimal;

namespace KafkaConnect.Connect.Tests.Shared;

/// <summary>The record both converters' tests (and the benchmark's shape) use: a decimal, a timestamp, an optional string and an array.</summary>
internal static class TestRecords
{
    public static readonly Schema OrderSchema = SchemaBuilder.Struct().Name("com.example.Order").Version(1)
        .Field("id", Schema.Int32Schema)
        .Field("name", Schema.OptionalStringSchema)
        .Field("amount", ConnectDecimal.Schema(2))
        .Field("created", Timestamp.Schema)
        .Field("tags", SchemaBuilder.Array(Schema.StringSchema).Build())
        .Field("ok", Schema.BooleanSchema)
        .Build();

    public static Struct Order() => new Struct(OrderSchema)
        .Put("id", 42)
        .Put("amount", 12.34m)
        .Put("created", new DateTimeOffset(2024, 1, 2, 3, 4, 5, 678, TimeSpan.Zero))
        .Put("tags", new List<object?> { "a", "b" })
        .Put("ok", true);
}
