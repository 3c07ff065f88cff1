using System.Text;
using KafkaConnect.Client.Admin;
using KafkaConnect.Client.Consumer;
using KafkaConnect.Client.Producer;
using KafkaConnect.Connect.Runtime.Storage.Kafka;
using ClientPartition = KafkaConnect.Client.Consumer.TopicPartition;

namespace KafkaConnect.Connect.Runtime.Tests.Storage;

/// <summary>A record as it sits in the topic, key and value decoded as UTF-8 (null value = tombstone).</summary>
internal sealed record RawRecord(string Key, string? Value, int Partition, long Offset);

/// <summary>Plain clients to write Apache-format records and read back exactly what a store wrote.</summary>
internal static class StorageTestKit
{
    public static string NewTopic(string purpose) => $"{purpose}-{Guid.NewGuid():N}";

    public static KafkaStoreOptions Options(string bootstrap, string topic, int partitions = 1)
    {
        var clients = new Dictionary<string, string> { ["bootstrap.servers"] = bootstrap };
        return new KafkaStoreOptions(topic, partitions, 1, clients, clients, clients);
    }

    public static async Task CreateTopicAsync(string bootstrap, string topic, int partitions, string cleanupPolicy = "compact")
    {
        await using var admin = new KafkaAdminClient(new Dictionary<string, string> { ["bootstrap.servers"] = bootstrap });
        await admin.CreateTopicsAsync([new NewTopic(topic, partitions, 1) { Configs = new Dictionary<string, string> { ["cleanup.policy"] = cleanupPolicy } }]);
    }

    public static async Task<string?> CleanupPolicyAsync(string bootstrap, string topic)
    {
        await using var admin = new KafkaAdminClient(new Dictionary<string, string> { ["bootstrap.servers"] = bootstrap });
        var resource = ConfigResource.Topic(topic);
        var configs = await admin.DescribeConfigsAsync([resource]);
        return configs[resource].First(e => e.Name == "cleanup.policy").Value;
    }

    public static async Task<int> PartitionCountAsync(string bootstrap, string topic)
    {
        await using var admin = new KafkaAdminClient(new Dictionary<string, string> { ["bootstrap.servers"] = bootstrap });
        return (await admin.DescribeTopicsAsync([topic]))[topic].Partitions.Count;
    }

    public static async Task<long> EndOffsetAsync(string bootstrap, string topic, int partition = 0)
    {
        await using var admin = new KafkaAdminClient(new Dictionary<string, string> { ["bootstrap.servers"] = bootstrap });
        var tp = new ClientPartition(topic, partition);
        return (await admin.ListOffsetsAsync([tp], OffsetSpec.Latest))[tp].Offset;
    }

    /// <summary>Produces records with a plain producer, in order; a null value is a tombstone.</summary>
    public static async Task<IReadOnlyList<RecordMetadata>> ProduceAsync(string bootstrap, string topic, params (string Key, string? Value, int? Partition)[] records)
    {
        await using var producer = new KafkaProducer(new Dictionary<string, string> { ["bootstrap.servers"] = bootstrap });
        var result = new List<RecordMetadata>();
        foreach (var (key, value, partition) in records)
        {
            // Careful: "value is null ? null : memory" would make the null literal an empty ReadOnlyMemory, not a tombstone.
            var bytes = default(ReadOnlyMemory<byte>?);
            if (value is not null)
            {
                bytes = Encoding.UTF8.GetBytes(value);
            }
            result.Add(await producer.ProduceAsync(new ProducerRecord(topic, Encoding.UTF8.GetBytes(key), bytes, Partition: partition)));
        }
        return result;
    }

    /// <summary>Every record of the topic, by partition then offset.</summary>
    public static async Task<List<RawRecord>> ReadAllAsync(string bootstrap, string topic)
    {
        await using var admin = new KafkaAdminClient(new Dictionary<string, string> { ["bootstrap.servers"] = bootstrap });
        var partitions = Enumerable.Range(0, (await admin.DescribeTopicsAsync([topic]))[topic].Partitions.Count)
            .Select(p => new ClientPartition(topic, p)).ToList();
        var end = await admin.ListOffsetsAsync(partitions, OffsetSpec.Latest);
        await using var consumer = new KafkaConsumer(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = bootstrap,
            ["auto.offset.reset"] = "earliest",
        });
        consumer.Assign(partitions);
        await consumer.SeekToBeginningAsync(partitions);
        var records = new List<RawRecord>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (partitions.Any(tp => (consumer.Position(tp) ?? 0) < end[tp].Offset))
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out reading the topic");
            foreach (var r in await consumer.PollAsync(TimeSpan.FromMilliseconds(200)))
            {
                records.Add(new RawRecord(Encoding.UTF8.GetString(r.Key!.Value.Span),
                    r.Value is { } v ? Encoding.UTF8.GetString(v.Span) : null, r.Partition, r.Offset));
            }
        }
        return [.. records.OrderBy(r => r.Partition).ThenBy(r => r.Offset)];
    }

    public static async Task WaitForAsync(Func<bool> condition, int timeoutMs = 15000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, "condition not met in time");
            await Task.Delay(25);
        }
    }
}
