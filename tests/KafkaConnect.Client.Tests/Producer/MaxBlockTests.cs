using System.Net;
using System.Net.Sockets;
using System.Text;
using KafkaConnect.Broker;
using KafkaConnect.Broker.Configuration;
using KafkaConnect.Client.Producer;

namespace KafkaConnect.Client.Tests.Producer;

/// <summary>max.block.ms = Long.MAX_VALUE (what Connect gives its task producers) means "wait as long as it takes".</summary>
public sealed class MaxBlockTests
{
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task A_send_with_the_longest_max_block_waits_for_a_broker_that_starts_later()
    {
        var port = FreePort();
        var dataDirectory = Path.Combine(Path.GetTempPath(), "kc-max-block-" + Guid.NewGuid().ToString("N"));
        var producer = new KafkaProducer(ProducerTestSupport.Config($"127.0.0.1:{port}",
            ("max.block.ms", long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("request.timeout.ms", "1000"), ("delivery.timeout.ms", "60000"),
            ("reconnect.backoff.max.ms", "200"), ("retry.backoff.max.ms", "200")));
        var send = producer.ProduceAsync(new ProducerRecord("waiting", null, Encoding.UTF8.GetBytes("hello")));

        // Several metadata attempts (request.timeout.ms = 1 s each) fail meanwhile; none may end the wait.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.False(send.IsCompleted, send.Exception?.ToString());

        KafkaBroker? broker = null;
        try
        {
            broker = await KafkaBroker.StartAsync(BrokerConfig.Create(new Dictionary<string, string>
            {
                ["listeners"] = $"PLAINTEXT://127.0.0.1:{port}",
                ["log.dirs"] = dataDirectory,
            }));
            var stored = await send.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(("waiting", 0L), (stored.Topic, stored.Offset));
        }
        finally
        {
            await producer.DisposeAsync();
            if (broker is not null) await broker.DisposeAsync();
            try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { }
        }
    }

    [Theory]
    [InlineData(1_000L, 60_000L, 61_000L)]
    [InlineData(1_000L, long.MaxValue, long.MaxValue)]
    [InlineData(long.MaxValue - 5, 10L, long.MaxValue)]
    public void Deadlines_saturate_instead_of_wrapping(long now, long timeout, long expected)
        => Assert.Equal(expected, KafkaProducer.DeadlineAfter(now, timeout));
}
