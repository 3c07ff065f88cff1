using System.Buffers.Binary;
using KafkaConnect.Broker;
using KafkaConnect.Broker.Configuration;
using KafkaConnect.Client.Producer;

namespace KafkaConnect.Client.Tests.Producer;

/// <summary>
/// The broker goes away and comes back on the same port and data while records are in flight: retried batches
/// keep their sequence numbers, so the restarted broker (which rebuilds producer state from its log) drops the
/// copies it already has and nothing is lost, duplicated or reordered.
/// </summary>
public sealed class IdempotenceRestartTests : IAsyncLifetime
{
    private const short ProduceKey = 0;
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "kc-producer-restart-" + Guid.NewGuid().ToString("N"));
    private readonly KafkaFrameProxy _proxy = new();
    private KafkaBroker? _broker;

    // Clients reach the broker only through the proxy, the address it advertises.
    private Task<KafkaBroker> StartAsync(int port) => KafkaBroker.StartAsync(BrokerConfig.Create(new Dictionary<string, string>
    {
        ["listeners"] = $"PLAINTEXT://127.0.0.1:{port}",
        ["advertised.listeners"] = $"PLAINTEXT://127.0.0.1:{_proxy.Port}",
        ["log.dirs"] = _dataDir,
        ["num.partitions"] = "1",
    }));

    public async Task InitializeAsync()
    {
        _broker = await StartAsync(0);
        _proxy.Start(_broker.BootstrapServers);
    }

    public async Task DisposeAsync()
    {
        _proxy.Dispose();
        if (_broker is not null) await _broker.DisposeAsync();
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Restart_mid_stream_stores_every_record_once_in_order()
    {
        const int count = 50_000;
        const int partitions = 3;
        const string topic = "restart";
        var port = _broker!.EndPoint.Port;
        var bootstrap = "127.0.0.1:" + _proxy.Port;
        await ProducerTestSupport.CreateTopicAsync(bootstrap, topic, partitions);

        var errors = new List<Exception>();
        var acked = 0;
        long retried;
        var producer = new KafkaProducer(ProducerTestSupport.Config(bootstrap,
            ("request.timeout.ms", "5000"), ("reconnect.backoff.ms", "20"), ("retry.backoff.ms", "20"), ("linger.ms", "2"), ("batch.size", "4096")));
        await using (producer)
        {
            void Send(int from, int to)
            {
                for (var i = from; i < to; i++)
                {
                    var value = new byte[8];
                    BinaryPrimitives.WriteInt64BigEndian(value, i);
                    producer.Produce(new ProducerRecord(topic, null, value), (_, e) =>
                    {
                        if (e is not null) lock (errors) errors.Add(e);
                        else Interlocked.Increment(ref acked);
                    });
                }
            }

            Send(0, count / 2);
            while (Volatile.Read(ref acked) < count / 4) await Task.Yield();
            // From here the broker appends batches whose acknowledgements never arrive; then it stops and starts again
            // on the same data. The producer must retry those batches with their sequence numbers, and the restarted
            // broker (which rebuilds producer state from its log) must recognise the copies it already holds.
            var dropping = _proxy.DropResponses(ProduceKey);
            Send(count / 2, count);
            await dropping.Dropped.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await _broker.DisposeAsync();
            _broker = null;
            _proxy.CutConnections();
            _broker = await StartAsync(port);
            await producer.FlushAsync();
            retried = producer.RetriedBatches;
            Assert.Equal(0, producer.Resets);
        }
        Assert.Empty(errors);
        Assert.Equal(count, acked);

        var seen = new HashSet<long>();
        var lines = await ProducerTestSupport.RunAsync("/usr/bin/kcat", ["-C", "-b", bootstrap, "-t", topic, "-e", "-q", "-f", "%p %S %s\n", "-s", "value=>q"]);
        var last = new long[partitions];
        Array.Fill(last, -1);
        var total = 0;
        foreach (var line in lines.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            var p = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            var v = long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(v > last[p], $"partition {p}: {v} after {last[p]}");
            last[p] = v;
            Assert.True(seen.Add(v), $"duplicate {v}");
            total++;
        }
        Assert.Equal(count, total);
        // The restart must really have caught batches in flight.
        Assert.True(retried > 0, "no batch was retried");
    }
}
