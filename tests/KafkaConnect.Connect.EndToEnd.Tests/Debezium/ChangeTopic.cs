using System.Text.Json;
using Confluent.Kafka;

namespace KafkaConnect.Connect.EndToEnd.Tests.Debezium;

/// <summary>
/// Reads a Debezium change topic written with <c>JsonConverter</c> and <c>schemas.enable=false</c> with Confluent's
/// consumer (librdkafka, an oracle independent of this project's client), from the start, as (id, op, v) per record.
/// </summary>
internal static class ChangeTopic
{
    /// <summary>
    /// The topic's end offset summed over its partitions (change records and tombstones), or 0 while it does not exist.
    /// </summary>
    public static long EndOffset(string servers, string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = servers }).Build();
        var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10));
        var partitions = metadata.Topics.SingleOrDefault(t => t.Topic == topic && t.Error.Code == ErrorCode.NoError)?.Partitions;
        if (partitions is null or { Count: 0 })
        {
            return 0;
        }
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = servers, GroupId = "end-offset" }).Build();
        return partitions.Sum(p => consumer.QueryWatermarkOffsets(new Confluent.Kafka.TopicPartition(topic, p.PartitionId), TimeSpan.FromSeconds(10)).High.Value);
    }

    /// <summary>What the topic held when every expected change had been read and the consumer reached the end.</summary>
    internal sealed record Contents(List<(int Id, char Op, int V)> Changes, int Tombstones, List<string> Unexpected);

    /// <summary>
    /// Reads from the start until every change of <paramref name="expected"/> has been read and the consumer is at the
    /// end of every partition, or <paramref name="timeout"/> passes (then returns what it read). Records of
    /// <paramref name="ignoredId"/> are skipped.
    /// </summary>
    public static Contents ReadUntil(string servers, string topic, IReadOnlySet<(int Id, char Op, int V)> expected, int ignoredId, TimeSpan timeout)
    {
        using var consumer = new ConsumerBuilder<Ignore, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = servers,
            GroupId = "cdc-reader-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        }).SetValueDeserializer(Deserializers.ByteArray).Build();
        consumer.Subscribe(topic);
        var changes = new List<(int, char, int)>();
        var unexpected = new List<string>();
        var missing = new HashSet<(int, char, int)>(expected);
        var atEnd = new HashSet<int>();
        var tombstones = 0;
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !(missing.Count == 0 && atEnd.Count > 0 && atEnd.SetEquals(consumer.Assignment.Select(p => p.Partition.Value))))
        {
            ConsumeResult<Ignore, byte[]?>? result;
            try
            {
                result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            }
            catch (ConsumeException e) when (e.Error.Code == ErrorCode.UnknownTopicOrPart)
            {
                continue;
            }
            if (result is null)
            {
                continue;
            }
            if (result.IsPartitionEOF)
            {
                atEnd.Add(result.Partition.Value);
                continue;
            }
            atEnd.Remove(result.Partition.Value);
            if (result.Message.Value is null)
            {
                tombstones++;
                continue;
            }
            var change = Parse(result.Message.Value);
            if (change?.Id == ignoredId)
            {
                continue;
            }
            if (change is { } c && expected.Contains(c))
            {
                changes.Add(c);
                missing.Remove(c);
            }
            else if (unexpected.Count < 20)
            {
                unexpected.Add(System.Text.Encoding.UTF8.GetString(result.Message.Value));
            }
        }
        consumer.Close();
        return new Contents(changes, tombstones, unexpected);
    }

    /// <summary>(id, op, v) of one envelope: the after row for c/u/r, the before row's id and v = -1 for d.</summary>
    private static (int Id, char Op, int V)? Parse(byte[] value)
    {
        using var doc = JsonDocument.Parse(value);
        var root = doc.RootElement;
        var op = root.GetProperty("op").GetString();
        return op switch
        {
            "c" or "u" or "r" => (root.GetProperty("after").GetProperty("id").GetInt32(), op[0], root.GetProperty("after").GetProperty("v").GetInt32()),
            "d" => (root.GetProperty("before").GetProperty("id").GetInt32(), 'd', -1),
            _ => null,
        };
    }
}
