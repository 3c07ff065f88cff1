using System.Text;
using KafkaConnect.Broker;
using KafkaConnect.Broker.Configuration;
using KafkaConnect.Client.Consumer;

namespace KafkaConnect.Client.Tests.Consumer;

/// <summary>
/// A consumer group rides through a restart of its broker as it does with Kafka (which keeps group metadata in
/// __consumer_offsets): the member finds the coordinator again and heartbeats on in the same generation, keeps its
/// partitions (no revocation, no loss) and goes on consuming what kcat writes after the restart.
/// </summary>
public sealed class BrokerRestartGroupTests : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "kc-group-restart-" + Guid.NewGuid().ToString("N"));
    private KafkaBroker? _broker;

    private Task<KafkaBroker> StartAsync(int port) => KafkaBroker.StartAsync(BrokerConfig.Create(new Dictionary<string, string>
    {
        ["listeners"] = $"PLAINTEXT://127.0.0.1:{port}",
        ["log.dirs"] = _dataDir,
        ["num.partitions"] = "2",
        ["group.initial.rebalance.delay.ms"] = "0",
    }));

    public async Task InitializeAsync() => _broker = await StartAsync(0);

    public async Task DisposeAsync()
    {
        if (_broker is not null) await _broker.DisposeAsync();
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }

    private sealed class CountingListener : IConsumerRebalanceListener
    {
        public int Assigned;
        public int Revoked;
        public int Lost;

        public Task OnPartitionsAssigned(IReadOnlyCollection<TopicPartition> partitions)
        {
            if (partitions.Count > 0) Interlocked.Increment(ref Assigned);
            return Task.CompletedTask;
        }

        public Task OnPartitionsRevoked(IReadOnlyCollection<TopicPartition> partitions)
        {
            if (partitions.Count > 0) Interlocked.Increment(ref Revoked);
            return Task.CompletedTask;
        }

        public Task OnPartitionsLost(IReadOnlyCollection<TopicPartition> partitions)
        {
            if (partitions.Count > 0) Interlocked.Increment(ref Lost);
            return Task.CompletedTask;
        }
    }

    private async Task ProduceAsync(string from, int first, int count)
    {
        var lines = new StringBuilder();
        for (var i = first; i < first + count; i++) lines.Append("m").Append(i).Append('\n');
        var (code, _, err) = await ConsumerTestKit.RunAsync("kcat", $"-b {from} -P -t restart-group -K :", lines.ToString());
        Assert.True(code == 0, err);
    }

    [Fact]
    public async Task The_member_keeps_its_generation_and_partitions_across_the_restart()
    {
        var port = _broker!.EndPoint.Port;
        var bootstrap = _broker.BootstrapServers;
        await ProduceAsync(bootstrap, 0, 10);
        var listener = new CountingListener();
        await using var consumer = new KafkaConsumer(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = bootstrap,
            ["group.id"] = "restart-group",
            ["auto.offset.reset"] = "earliest",
            ["heartbeat.interval.ms"] = "200",
            ["session.timeout.ms"] = "10000",
            ["fetch.max.wait.ms"] = "100",
            ["reconnect.backoff.ms"] = "20",
            ["reconnect.backoff.max.ms"] = "200",
        }, listener);
        consumer.Subscribe(["restart-group"]);
        var seen = new HashSet<string>();
        async Task ConsumeUntil(int total)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (seen.Count < total && DateTime.UtcNow < deadline)
            {
                try
                {
                    foreach (var r in await consumer.PollAsync(TimeSpan.FromMilliseconds(200))) seen.Add(Encoding.UTF8.GetString(r.Value!.Value.Span));
                }
                catch (KafkaException ex) when (ex.IsRetriable)
                {
                    // The broker is away for a moment.
                }
            }
            Assert.Equal(total, seen.Count);
        }
        await ConsumeUntil(10);
        var generation = consumer.Group!.Generation;
        var memberId = consumer.Group.MemberId;
        Assert.Equal(1, listener.Assigned);

        await _broker.DisposeAsync();
        _broker = null;
        _broker = await StartAsync(port);
        await ProduceAsync(bootstrap, 10, 10);
        await ConsumeUntil(20);
        // Heartbeats go on for a few more rounds in the same generation.
        for (var i = 0; i < 10; i++) await consumer.PollAsync(TimeSpan.FromMilliseconds(100));

        Assert.Equal(generation, consumer.Group.Generation);
        Assert.Equal(memberId, consumer.Group.MemberId);
        Assert.Equal((1, 0, 0), (listener.Assigned, listener.Revoked, listener.Lost));
    }
}
