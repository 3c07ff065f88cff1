using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Sinks;
using KafkaConnect.Connect.Sources;

namespace KafkaConnect.Connect.Transforms.Tests;

internal static class TestRecords
{
    public static Dictionary<string, string> Props(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value);

    public static SourceRecord Source(string topic, Schema? keySchema, object? key, Schema? valueSchema, object? value, long? timestamp = 1_700_000_000_000) =>
        new(null, null, topic, 0, keySchema, key, valueSchema, value, timestamp);

    public static SinkRecord Sink(string topic, Schema? valueSchema, object? value, long offset = 42, long? timestamp = 1_700_000_000_000) =>
        new(topic, 3, null, null, valueSchema, value, offset, timestamp, TimestampType.CreateTime);

    public static T Configured<T>(params (string Key, string Value)[] pairs)
        where T : TransformationBase, new()
    {
        var t = new T();
        t.Configure(Props(pairs));
        return t;
    }
}

/// <summary>A test-local stand-in for the runtime's chain: transforms in order, each optionally guarded by a predicate.</summary>
internal sealed class TestChain<TRecord>(params (Transforms.ITransformation<TRecord> Transform, Transforms.IPredicate<TRecord>? Predicate, bool Negate)[] stages)
    where TRecord : Connectors.ConnectRecord<TRecord>
{
    public TRecord? Apply(TRecord record)
    {
        TRecord? current = record;
        foreach (var (transform, predicate, negate) in stages)
        {
            if (current is null)
            {
                return null;
            }
            if (predicate is not null && predicate.Test(current) == negate)
            {
                continue;
            }
            current = transform.Apply(current);
        }
        return current;
    }
}
