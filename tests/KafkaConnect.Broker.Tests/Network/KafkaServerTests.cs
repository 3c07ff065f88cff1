using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using KafkaConnect.Network;
using KafkaConnect.Protocol;
using static KafkaConnect.Broker.Tests.Network.FrameClient;

namespace KafkaConnect.Broker.Tests.Network;

/// <summary>
/// Frames for the fake handler: first byte is a command, the rest a payload.
/// 'E' echo, 'W' echo once the test opens the gate named by the payload, 'N' no response,
/// 'X' throw InvalidOperationException, 'P' throw ProtocolException, 'C' wait until cancelled.
/// </summary>
internal sealed class FakeHandler : IFrameHandler
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new();
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);
    public ConcurrentQueue<ConnectionContext> Contexts { get; } = new();
    public ConcurrentQueue<string> Seen { get; } = new();

    public TaskCompletionSource Gate(string name) => _gates.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public async Task WaitForCallsAsync(int count)
    {
        using var cts = new CancellationTokenSource(KafkaServerTests.Wait);
        while (Calls < count)
            await Task.Delay(5, cts.Token);
    }

    public async ValueTask<ProtocolWriter?> HandleAsync(ReadOnlyMemory<byte> frame, ConnectionContext connection, CancellationToken cancellationToken)
    {
        Contexts.Enqueue(connection);
        // Copy: the frame is only valid until the returned task completes, and we await before answering.
        var payload = frame.Length > 0 ? frame[1..].ToArray() : [];
        var command = frame.Length > 0 ? (char)frame.Span[0] : 'E';
        Seen.Enqueue(command + System.Text.Encoding.ASCII.GetString(payload));
        Interlocked.Increment(ref _calls);
        switch (command)
        {
            case 'W':
                await Gate(System.Text.Encoding.ASCII.GetString(payload)).Task.WaitAsync(cancellationToken);
                break;
            case 'N':
                return null;
            case 'X':
                throw new InvalidOperationException("handler bug");
            case 'P':
                throw new ProtocolException("malformed request");
            case 'C':
                await Task.Delay(Timeout.Infinite, cancellationToken);
                break;
        }
        var w = new ProtocolWriter(Math.Max(payload.Length, 16));
        w.WriteRaw(payload);
        return w;
    }
}

public sealed class KafkaServerTests
{
    internal static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static KafkaServer Start(FakeHandler handler, FrameLimits? limits = null)
    {
        var server = new KafkaServer(new IPEndPoint(IPAddress.Loopback, 0), handler, limits);
        server.Start();
        return server;
    }

    [Fact]
    public async Task Responses_come_back_in_request_order_when_handlers_finish_out_of_order()
    {
        var handler = new FakeHandler();
        await using var server = Start(handler);
        using var client = await ConnectAsync(server);

        await SendAsync(client, Frame('W', "1"), Frame('W', "2"), Frame('W', "3"), Frame('E', "4"));
        // All four are in the handler at once: the server reads ahead of its responses.
        await handler.WaitForCallsAsync(4);

        handler.Gate("3").SetResult();
        handler.Gate("2").SetResult();
        handler.Gate("1").SetResult();

        Assert.Equal("1", await ReceiveAsync(client));
        Assert.Equal("2", await ReceiveAsync(client));
        Assert.Equal("3", await ReceiveAsync(client));
        Assert.Equal("4", await ReceiveAsync(client));
    }

    [Fact]
    public async Task A_response_goes_out_without_waiting_for_a_slower_request_behind_it()
    {
        var handler = new FakeHandler();
        await using var server = Start(handler);
        using var client = await ConnectAsync(server);

        await SendAsync(client, Frame('E', "fast"), Frame('W', "slow"));
        Assert.Equal("fast", await ReceiveAsync(client));
        handler.Gate("slow").SetResult();
        Assert.Equal("slow", await ReceiveAsync(client));
    }

    [Fact]
    public async Task A_null_response_sends_nothing_and_later_responses_still_flow()
    {
        var handler = new FakeHandler();
        await using var server = Start(handler);
        using var client = await ConnectAsync(server);

        await SendAsync(client, Frame('N', "skip"), Frame('E', "a"), Frame('N'), Frame('E', "b"));
        Assert.Equal("a", await ReceiveAsync(client));
        Assert.Equal("b", await ReceiveAsync(client));
        Assert.Equal(4, handler.Calls);
    }

    [Fact]
    public async Task A_frame_split_into_many_small_writes_is_reassembled()
    {
        var handler = new FakeHandler();
        await using var server = Start(handler);
        using var client = await ConnectAsync(server);

        var payload = new string('z', 200_000);
        var frame = Frame('E', payload);
        for (var i = 0; i < frame.Length; i += 7919)
            await client.SendAsync(frame.AsMemory(i, Math.Min(7919, frame.Length - i)), SocketFlags.None);
        Assert.Equal(payload, await ReceiveAsync(client));
    }

    [Fact]
    public async Task Zero_length_frame_reaches_the_handler()
    {
        var handler = new FakeHandler();
        await using var server = Start(handler);
        using var client = await ConnectAsync(server);
        await SendAsync(client, new byte[4]);
        Assert.Equal("", await ReceiveAsync(client));
        await AssertEchoAsync(client, "after");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(1025)]
    [InlineData(int.MaxValue)]
    public async Task Bad_length_prefix_closes_that_connection_but_the_server_keeps_serving(int length)
    {
        var handler = new FakeHandler();
        await using var server = Start(handler, new FrameLimits { MaxFrameBytes = 1024 });
        using var bystander = await ConnectAsync(server);
        await AssertEchoAsync(bystander, "before");

        using var bad = await ConnectAsync(server);
        var prefix = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(prefix, length);
        await SendAsync(bad, prefix);
        await AssertClosedAsync(bad);

        await AssertEchoAsync(bystander, "still here");
        using var newcomer = await ConnectAsync(server);
        await AssertEchoAsync(newcomer, "new");
        Assert.Equal(3, handler.Calls);
    }

    [Fact]
    public async Task Frame_of_exactly_the_limit_is_accepted()
    {
        var handler = new FakeHandler();
        await using var server = Start(handler, new FrameLimits { MaxFrameBytes = 1024 });
        using var client = await ConnectAsync(server);
        var payload = new string('q', 1023);
        await AssertEchoAsync(client, payload);
    }

    [Fact]
    public async Task Frame_truncated_at_eof_closes_after_answering_the_complete_ones()
    {
        var handler = new FakeHandler();
        await using var server = Start(handler);
        using var client = await ConnectAsync(server);

        var partial = Frame('E', new string('p', 100)).AsSpan(0, 30).ToArray();
        await SendAsync(client, Frame('E', "whole"), partial);
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal("whole", await ReceiveAsync(client));
        await AssertClosedAsync(client);
        Assert.Equal(1, handler.Calls);
    }

    [Fact]
    public async Task Prefix_truncated_at_eof_closes_the_connection()
    {
        var handler = new FakeHandler();
        await using var server = Start(handler);
        using var client = await ConnectAsync(server);
        await SendAsync(client, [0, 0]);
        client.Shutdown(SocketShutdown.Send);
        await AssertClosedAsync(client);
        Assert.Equal(0, handler.Calls);
    }

    [Theory]
    [InlineData('X')]
    [InlineData('P')]
    public async Task A_throwing_handler_closes_only_its_connection(char failure)
    {
        var handler = new FakeHandler();
        await using var server = Start(handler);
        using var other = await ConnectAsync(server);
        using var victim = await ConnectAsync(server);
        await AssertEchoAsync(other, "warm");

        await SendAsync(victim, Frame('E', "first"), Frame(failure), Frame('E', "never"));
        Assert.Equal("first", await ReceiveAsync(victim));
        await AssertClosedAsync(victim);
        await AssertEchoAsync(other, "unaffected");
        using var again = await ConnectAsync(server);
        await AssertEchoAsync(again, "fresh");
    }

    [Fact]
    public async Task A_failing_request_behind_a_slow_one_still_lets_the_slow_one_answer()
    {
        var handler = new FakeHandler();
        await using var server = Start(handler);
        using var client = await ConnectAsync(server);
        await SendAsync(client, Frame('W', "slow"), Frame('X'));
        await handler.WaitForCallsAsync(2);
        handler.Gate("slow").SetResult();
        Assert.Equal("slow", await ReceiveAsync(client));
        await AssertClosedAsync(client);
    }

    [Fact]
    public async Task Half_closed_client_still_gets_its_pending_responses()
    {
        var handler = new FakeHandler();
        await using var server = Start(handler);
        using var client = await ConnectAsync(server);
        await SendAsync(client, Frame('W', "late"), Frame('E', "next"));
        await handler.WaitForCallsAsync(2);
        client.Shutdown(SocketShutdown.Send);
        handler.Gate("late").SetResult();
        Assert.Equal("late", await ReceiveAsync(client));
        Assert.Equal("next", await ReceiveAsync(client));
        await AssertClosedAsync(client);
    }

    [Fact]
    public async Task A_client_vanishing_mid_request_does_not_disturb_others()
    {
        var handler = new FakeHandler();
        await using var server = Start(handler);
        using var other = await ConnectAsync(server);
        var gone = await ConnectAsync(server);
        await SendAsync(gone, Frame('W', "orphan"), Frame('W', "orphan"));
        await handler.WaitForCallsAsync(2);
        gone.LingerState = new LingerOption(true, 0); // close with a reset
        gone.Dispose();

        handler.Gate("orphan").SetResult();
        await AssertEchoAsync(other, "fine");
        using var again = await ConnectAsync(server);
        await AssertEchoAsync(again, "fresh");
    }

    [Fact]
    public async Task Each_connection_gets_its_own_context()
    {
        var handler = new FakeHandler();
        await using var server = Start(handler);
        using var a = await ConnectAsync(server);
        using var b = await ConnectAsync(server);
        await AssertEchoAsync(a, "a1");
        await AssertEchoAsync(b, "b1");
        await AssertEchoAsync(a, "a2");
        var contexts = handler.Contexts.ToArray();
        Assert.Same(contexts[0], contexts[2]);
        Assert.NotEqual(contexts[0].Id, contexts[1].Id);
        Assert.Equal("127.0.0.1", contexts[0].RemoteHost);
        Assert.Equal(((IPEndPoint)a.LocalEndPoint!).Port, contexts[0].RemotePort);
    }

    [Fact]
    public async Task Many_concurrent_connections_each_get_their_responses_in_order()
    {
        var handler = new FakeHandler();
        await using var server = Start(handler);
        const int clients = 40;
        const int requests = 25;

        var tasks = Enumerable.Range(0, clients).Select(async c =>
        {
            using var socket = await ConnectAsync(server);
            var frames = Enumerable.Range(0, requests).Select(r => Frame('E', $"{c}:{r}:" + new string('x', (c * 31 + r * 17) % 3000))).ToArray();
            await SendAsync(socket, frames);
            for (var r = 0; r < requests; r++)
            {
                var response = await ReceiveAsync(socket);
                Assert.NotNull(response);
                Assert.StartsWith($"{c}:{r}:", response);
            }
        }).ToArray();
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(clients * requests, handler.Calls);
    }

    [Fact]
    public async Task Dispose_with_open_and_busy_connections_completes()
    {
        var handler = new FakeHandler();
        var server = Start(handler);
        using var idle1 = await ConnectAsync(server);
        using var idle2 = await ConnectAsync(server);
        using var busy = await ConnectAsync(server);
        await AssertEchoAsync(idle1, "hello");
        await SendAsync(busy, Frame('C'), Frame('W', "forever"));
        await handler.WaitForCallsAsync(3);

        await server.DisposeAsync().AsTask().WaitAsync(Wait);

        await AssertClosedAsync(idle1);
        await AssertClosedAsync(idle2);
        await AssertClosedAsync(busy);
        using var late = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await Assert.ThrowsAnyAsync<SocketException>(() => late.ConnectAsync(server.LocalEndPoint).WaitAsync(Wait));
    }

    [Fact]
    public async Task Dispose_of_an_idle_server_completes()
    {
        var server = Start(new FakeHandler());
        await server.DisposeAsync().AsTask().WaitAsync(Wait);
    }
}
