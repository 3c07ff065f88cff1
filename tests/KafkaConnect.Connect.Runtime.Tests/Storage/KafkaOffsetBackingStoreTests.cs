using System.Text;
using KafkaConnect.Client.Producer;
using KafkaConnect.Connect.Runtime.Storage.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using static KafkaConnect.Connect.Runtime.Tests.Storage.StorageTestKit;

namespace KafkaConnect.Connect.Runtime.Tests.Storage;

public sealed class KafkaOffsetBackingStoreTests : IClassFixture<BrokerFixture>
{
    private readonly BrokerFixture _broker;

    public KafkaOffsetBackingStoreTests(BrokerFixture broker) => _broker = broker;

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private KafkaOffsetBackingStore NewStore(string topic, int partitions = 5) =>
        new(Options(_broker.BootstrapServers, topic, partitions), NullLoggerFactory.Instance);

    [Fact]
    public async Task Writes_raw_json_to_the_partition_Apache_picks_and_reads_it_back_after_a_restart()
    {
        var topic = NewTopic("connect-offsets");
        const string keyA = """["file-source",{"filename":"/data/a.txt"}]""";
        const string keyB = """["file-source",{"filename":"/data/b.txt"}]""";
        await using (var store = NewStore(topic))
        {
            await store.StartAsync();
            await store.SetAsync(new Dictionary<byte[], byte[]?> { [B(keyA)] = B("""{"position":10}"""), [B(keyB)] = B("""{"position":7}""") });
            await store.SetAsync(new Dictionary<byte[], byte[]?> { [B(keyA)] = B("""{"position":25}""") });
            Assert.Equal("""{"position":25}""", Encoding.UTF8.GetString(store.Get([B(keyA)])[B(keyA)]));
            Assert.Equal(2, store.Keys().Count);
        }
        Assert.Equal(5, await PartitionCountAsync(_broker.BootstrapServers, topic));
        Assert.Equal("compact", await CleanupPolicyAsync(_broker.BootstrapServers, topic));

        var records = await ReadAllAsync(_broker.BootstrapServers, topic);
        Assert.Equal(3, records.Count);
        foreach (var r in records)
        {
            // The Java client's default partitioner: murmur2 of the key bytes.
            Assert.Equal(Murmur2Partitioner.Partition(B(r.Key), 5), r.Partition);
        }
        Assert.Equal([("""{"position":10}"""), """{"position":25}"""], records.Where(r => r.Key == keyA).Select(r => r.Value));
        Assert.Equal(["""{"position":7}"""], records.Where(r => r.Key == keyB).Select(r => r.Value));

        // A plain producer choosing the partition itself lands the same key in the same partition.
        var plain = await ProduceAsync(_broker.BootstrapServers, topic, (keyB, """{"position":8}""", null));
        Assert.Equal(records.Single(r => r.Key == keyB).Partition, plain[0].Partition);

        await using var fresh = NewStore(topic);
        await fresh.StartAsync();
        var values = fresh.Get([B(keyA), B(keyB), B("""["other",{}]""")]);
        Assert.Equal(2, values.Count);
        Assert.Equal("""{"position":25}""", Encoding.UTF8.GetString(values[B(keyA)]));
        Assert.Equal("""{"position":8}""", Encoding.UTF8.GetString(values[B(keyB)]));
    }

    [Fact]
    public async Task A_tombstone_from_another_client_removes_the_offset()
    {
        var topic = NewTopic("connect-offsets");
        const string key = """["name",{"table":"t1"}]""";
        await using var store = NewStore(topic);
        await store.StartAsync();
        await store.SetAsync(new Dictionary<byte[], byte[]?> { [B(key)] = B("""{"id":42}"""), [B("""["name",{"table":"t2"}]""")] = B("""{"id":1}""") });
        Assert.Equal(2, store.Keys().Count);

        // What "kcat -P -K# -p <partition>" with an empty value does for a reset: a null value on the key's partition.
        var partition = Murmur2Partitioner.Partition(B(key), 5);
        await ProduceAsync(_broker.BootstrapServers, topic, (key, null, partition));
        Assert.True(await store.RefreshAsync(TimeSpan.FromSeconds(10)));
        Assert.Empty(store.Get([B(key)]));
        Assert.Equal(["""["name",{"table":"t2"}]"""], store.Keys().Select(k => Encoding.UTF8.GetString(k)));

        await using var fresh = NewStore(topic);
        await fresh.StartAsync();
        Assert.Empty(fresh.Get([B(key)]));
        Assert.Single(fresh.Keys());

        // The store's own null value is a tombstone too.
        await fresh.SetAsync(new Dictionary<byte[], byte[]?> { [B("""["name",{"table":"t2"}]""")] = null });
        Assert.Empty(fresh.Keys());
        var records = await ReadAllAsync(_broker.BootstrapServers, topic);
        Assert.Null(records.Last(r => r.Key == """["name",{"table":"t2"}]""").Value);
    }
}
