using System.Net;
using KafkaConnect.Broker.Configuration;
using KafkaConnect.Network;
using static KafkaConnect.Broker.Tests.Network.FrameClient;

namespace KafkaConnect.Broker.Tests.Network;

/// <summary>One listener per port: a second broker must not share it (clients would split between two data sets).</summary>
public sealed class ListenerTests
{
    [Fact]
    public async Task A_second_server_on_a_port_in_use_is_refused_with_the_address_and_the_first_keeps_serving()
    {
        var handler = new FakeHandler();
        await using var first = new KafkaServer(new IPEndPoint(IPAddress.Loopback, 0), handler);
        first.Start();

        var ex = Assert.Throws<InvalidOperationException>(() => new KafkaServer(first.LocalEndPoint, new FakeHandler()));
        Assert.Contains($"127.0.0.1:{first.LocalEndPoint.Port}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("address already in use", ex.Message, StringComparison.Ordinal);

        // Every new connection still lands on the first server.
        for (var i = 0; i < 8; i++)
        {
            using var client = await ConnectAsync(first);
            await AssertEchoAsync(client, $"c{i}");
        }
        Assert.Equal(8, handler.Calls);
    }

    [Fact]
    public async Task After_a_clean_stop_the_same_port_binds_again_despite_closed_connections()
    {
        var handler = new FakeHandler();
        var first = new KafkaServer(new IPEndPoint(IPAddress.Loopback, 0), handler);
        first.Start();
        var endpoint = first.LocalEndPoint;
        using (var client = await ConnectAsync(first))
        {
            await AssertEchoAsync(client, "before");
            // The server closes first, so its side of the connection is left in TIME_WAIT.
            await first.DisposeAsync();
            await AssertClosedAsync(client);
        }

        await using var second = new KafkaServer(endpoint, handler);
        second.Start();
        using var again = await ConnectAsync(second);
        await AssertEchoAsync(again, "after");
    }

    [Fact]
    public async Task A_second_broker_on_the_same_listener_fails_to_start_and_releases_its_data_directory()
    {
        var dirA = Path.Combine(Path.GetTempPath(), "kc-listener-" + Guid.NewGuid().ToString("N"));
        var dirB = Path.Combine(Path.GetTempPath(), "kc-listener-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var a = await KafkaBroker.StartAsync(Config(dirA, "127.0.0.1:0"));
            var listen = $"127.0.0.1:{a.EndPoint.Port}";

            var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => KafkaBroker.StartAsync(Config(dirB, listen)));
            Assert.Contains(listen, ex.Message, StringComparison.Ordinal);

            // The failed start let go of its data directory: a broker on a free port can use it.
            await using var b = await KafkaBroker.StartAsync(Config(dirB, "127.0.0.1:0"));
            Assert.NotEqual(a.EndPoint.Port, b.EndPoint.Port);
        }
        finally
        {
            foreach (var dir in new[] { dirA, dirB })
            {
                try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
            }
        }
    }

    private static BrokerConfig Config(string dataDir, string listen) => BrokerConfig.Create(new Dictionary<string, string>
    {
        ["log.dirs"] = dataDir,
        ["listeners"] = "PLAINTEXT://" + listen,
    });
}
