using System.Net;
using System.Net.Sockets;
using KafkaConnect.Broker.Configuration;
using KafkaConnect.Broker.Tests.Groups;
using KafkaConnect.Network;
using static KafkaConnect.Broker.Tests.Network.FrameClient;

namespace KafkaConnect.Broker.Tests.Network;

/// <summary>max.connections, max.connections.per.ip and queued.max.request.bytes bound what clients can make the broker hold.</summary>
public sealed class LoadLimitTests
{
    private static KafkaServer Start(FakeHandler handler, FrameLimits limits)
    {
        var server = new KafkaServer(new IPEndPoint(IPAddress.Loopback, 0), handler, limits);
        server.Start();
        return server;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var cts = new CancellationTokenSource(KafkaServerTests.Wait);
        while (!condition())
        {
            try { await Task.Delay(5, cts.Token); }
            catch (OperationCanceledException) { throw new Xunit.Sdk.XunitException($"timed out waiting until {what}"); }
        }
    }

    [Fact]
    public async Task Connections_over_the_per_ip_limit_are_closed_and_the_others_keep_being_served()
    {
        var handler = new FakeHandler();
        await using var server = Start(handler, new FrameLimits { MaxConnectionsPerIp = 2 });
        using var a = await ConnectAsync(server);
        using var b = await ConnectAsync(server);
        await AssertEchoAsync(a, "a");
        await AssertEchoAsync(b, "b");

        using var extra = await ConnectAsync(server);
        await AssertClosedAsync(extra);
        Assert.Equal(1, server.RefusedConnections);
        await AssertEchoAsync(a, "a again");
        await AssertEchoAsync(b, "b again");

        // A closed connection frees its place for the address.
        a.Dispose();
        await WaitUntilAsync(() => server.ConnectionCount == 1, "the server saw the close");
        using var next = await ConnectAsync(server);
        await AssertEchoAsync(next, "next");
        Assert.Equal(1, server.RefusedConnections);
    }

    [Fact]
    public async Task At_max_connections_a_new_one_waits_until_another_closes()
    {
        var handler = new FakeHandler();
        await using var server = Start(handler, new FrameLimits { MaxConnections = 2 });
        using var a = await ConnectAsync(server);
        using var b = await ConnectAsync(server);
        await AssertEchoAsync(a, "a");
        await AssertEchoAsync(b, "b");
        await WaitUntilAsync(() => server.ConnectionSlotWaits == 1, "accepting stopped at the limit");

        // The third connection sits in the listen backlog: not accepted, so its request cannot reach the handler.
        using var third = await ConnectAsync(server);
        await SendAsync(third, Frame('E', "third"));
        await AssertEchoAsync(b, "b again");
        Assert.Equal(3, handler.Calls);
        Assert.Equal(2, server.ConnectionCount);

        a.Dispose();
        Assert.Equal("third", await ReceiveAsync(third));
        Assert.Equal(4, handler.Calls);
        Assert.Equal(0, server.RefusedConnections);
    }

    [Fact]
    public async Task An_idle_connection_is_closed_and_gives_back_its_reservation_while_busy_and_chatty_ones_stay()
    {
        var handler = new FakeHandler();
        // Idleness is measured on a clock only this test moves, so a slow machine cannot make the chatty connection idle.
        var time = new ManualTimeProvider();
        await using var server = new KafkaServer(new IPEndPoint(IPAddress.Loopback, 0), handler,
            new FrameLimits { ConnectionsMaxIdleMs = 500, QueuedMaxRequestBytes = 1 << 20 }, time: time);
        server.Start();
        using var silent = await ConnectAsync(server);
        using var halfFrame = await ConnectAsync(server);
        using var waiting = await ConnectAsync(server);
        using var chatty = await ConnectAsync(server);

        // A frame declared at 64 kB of which only its first bytes arrive: it holds a reservation until the close.
        var frame = Frame('E', new string('x', 64_000));
        await SendAsync(halfFrame, frame[..100]);
        await WaitUntilAsync(() => server.QueuedRequestBytes >= 64_000, "the half-sent frame reserved its size");
        // A request the handler holds for longer than the idle time: the client waits for its answer, so it is not idle.
        await SendAsync(waiting, Frame('W', "slow"));
        await handler.WaitForCallsAsync(1);

        // The chatty connection talks every 100 ms of the server's clock while the clock runs past the idle time.
        using var cts = new CancellationTokenSource(KafkaServerTests.Wait);
        var moved = 0;
        while (server.IdleConnectionsClosed < 2)
        {
            Assert.False(cts.IsCancellationRequested, $"the silent and the half-sent connections were not closed after {moved} ms");
            await AssertEchoAsync(chatty, "still here");
            time.AdvanceMs(100);
            moved += 100;
            await Task.Delay(5);
        }
        Assert.True(moved >= 500, $"connections were closed after {moved} ms, before connections.max.idle.ms");
        Assert.Equal(2, server.IdleConnectionsClosed);
        await AssertClosedAsync(silent);
        await AssertClosedAsync(halfFrame);
        await AssertEchoAsync(chatty, "still here after the closes");
        await WaitUntilAsync(() => server.QueuedRequestBytes < 64_000, "the reservation was given back");

        // The request held past the idle time still gets its answer on its open connection.
        handler.Gate("slow").SetResult();
        Assert.Equal("slow", await ReceiveAsync(waiting));
        await AssertEchoAsync(waiting, "waiting is still open");
    }

    [Fact]
    public void Connections_max_idle_ms_is_read_from_the_broker_config_and_0_is_refused()
    {
        Assert.Equal(600_000, BrokerConfig.Create(new Dictionary<string, string> { ["log.dirs"] = "/tmp/x" }).ConnectionsMaxIdleMs);
        Assert.Equal(-1, BrokerConfig.Create(new Dictionary<string, string> { ["log.dirs"] = "/tmp/x", ["connections.max.idle.ms"] = "-1" }).ConnectionsMaxIdleMs);
        var error = Assert.Throws<ArgumentException>(() => BrokerConfig.Create(new Dictionary<string, string> { ["log.dirs"] = "/tmp/x", ["connections.max.idle.ms"] = "0" }));
        Assert.Contains("connections.max.idle.ms", error.Message, StringComparison.Ordinal);
    }

    private const int LargePayload = 100_000;

    /// <summary>Ten 100 kB requests pipelined on one connection, each held in the handler until the gate opens.</summary>
    private static async Task<(Socket Client, Task Sending)> PipelineGatedAsync(KafkaServer server, int requests)
    {
        var client = await ConnectAsync(server);
        var frames = Enumerable.Range(0, requests).Select(i => Frame('W', "g" + new string((char)('a' + i), LargePayload))).ToArray();
        // The server may stop reading, so the send cannot be awaited before the gate opens.
        var sending = Task.Run(() => client.SendAsync(frames.SelectMany(f => f).ToArray(), SocketFlags.None));
        return (client, sending);
    }

    [Fact]
    public async Task Over_queued_max_request_bytes_the_server_stops_reading_and_resumes_when_requests_finish()
    {
        const int requests = 10;
        var handler = new FakeHandler();
        await using var server = Start(handler, new FrameLimits { QueuedMaxRequestBytes = 1000 });
        var (client, sending) = await PipelineGatedAsync(server, requests);
        using var _ = client;

        await WaitUntilAsync(() => server.ReadPauses >= 1, "the connection paused reading");
        // One request is in the handler and holds the memory; the rest stay in the socket, not in the broker.
        // (Reads are at most 64 kB, so the pause comes before a second 100 kB frame is complete.)
        Assert.Equal(1, handler.Calls);
        Assert.Equal(LargePayload + 2, server.QueuedRequestBytes);

        // A bystander's request waits as well (the limit is the broker's), and is served once memory frees.
        using var bystander = await ConnectAsync(server);
        await SendAsync(bystander, Frame('E', "bystander"));

        handler.Gate("g" + new string('a', LargePayload)).SetResult();
        for (var i = 0; i < requests; i++)
        {
            var gate = "g" + new string((char)('a' + i), LargePayload);
            handler.Gate(gate).TrySetResult();
            Assert.Equal(gate, await ReceiveAsync(client));
        }
        Assert.Equal("bystander", await ReceiveAsync(bystander));
        await sending.WaitAsync(KafkaServerTests.Wait);
        Assert.Equal(requests + 1, handler.Calls);
        Assert.Equal(0, server.QueuedRequestBytes);
    }

    [Fact]
    public async Task Unbounded_by_default_all_pipelined_requests_reach_the_handler()
    {
        const int requests = 10;
        var handler = new FakeHandler();
        await using var server = Start(handler, new FrameLimits());
        var (client, sending) = await PipelineGatedAsync(server, requests);
        using var _ = client;

        await handler.WaitForCallsAsync(requests);
        Assert.Equal(requests * (LargePayload + 2L), server.QueuedRequestBytes);
        Assert.Equal(0, server.ReadPauses);
        for (var i = 0; i < requests; i++)
        {
            var gate = "g" + new string((char)('a' + i), LargePayload);
            handler.Gate(gate).SetResult();
            Assert.Equal(gate, await ReceiveAsync(client));
        }
        await sending.WaitAsync(KafkaServerTests.Wait);
    }

    [Fact]
    public void Broker_settings_have_kafkas_names_and_defaults_and_reject_nonsense()
    {
        var defaults = BrokerConfig.Create(new Dictionary<string, string> { ["log.dirs"] = "/tmp/x" });
        Assert.Equal(int.MaxValue, defaults.MaxConnections);
        Assert.Equal(int.MaxValue, defaults.MaxConnectionsPerIp);
        Assert.Equal(-1, defaults.QueuedMaxRequestBytes);

        var set = BrokerConfig.Create(new Dictionary<string, string>
        {
            ["log.dirs"] = "/tmp/x",
            ["max.connections"] = "100",
            ["max.connections.per.ip"] = "10",
            ["queued.max.request.bytes"] = "1048576",
        });
        Assert.Equal((100, 10, 1048576L), (set.MaxConnections, set.MaxConnectionsPerIp, set.QueuedMaxRequestBytes));
        Assert.Empty(set.UnknownKeys);

        foreach (var (key, value) in new[] { ("max.connections", "0"), ("max.connections.per.ip", "-1"), ("queued.max.request.bytes", "0"), ("queued.max.request.bytes", "-2") })
        {
            var ex = Assert.Throws<ArgumentException>(() => BrokerConfig.Create(new Dictionary<string, string> { ["log.dirs"] = "/tmp/x", [key] = value }));
            Assert.StartsWith(key + ":", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_broker_applies_max_connections_per_ip()
    {
        var dir = Path.Combine(Path.GetTempPath(), "kc-limits-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var broker = await KafkaBroker.StartAsync(BrokerConfig.Create(new Dictionary<string, string>
            {
                ["log.dirs"] = dir,
                ["listeners"] = "PLAINTEXT://127.0.0.1:0",
                ["max.connections.per.ip"] = "1",
            }));
            using var first = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await first.ConnectAsync(broker.EndPoint).WaitAsync(KafkaServerTests.Wait);
            using var second = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await second.ConnectAsync(broker.EndPoint).WaitAsync(KafkaServerTests.Wait);
            await AssertClosedAsync(second);
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}
