using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace KafkaConnect.Client.Tests;

/// <summary>
/// A loopback TCP proxy that relays Kafka frames between clients and one broker and can interfere with the answers:
/// hold back the answer to a request (and everything after it on that connection), or drop answers so the broker has
/// done the work but the client never hears of it. The broker advertises the proxy's port so clients only reach it
/// through here.
/// </summary>
internal sealed class KafkaFrameProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Relay, byte> _relays = new();
    private volatile PendingHold? _armed;
    private volatile Drop? _drop;

    public KafkaFrameProxy() => _listener.Start();

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Holds the answer to the next request with this API key, and what follows it on its connection.</summary>
    public Hold HoldNextResponse(short apiKey)
    {
        var hold = new Hold();
        _armed = new PendingHold(apiKey, hold);
        return hold;
    }

    /// <summary>From now on no answer reaches a client; <see cref="Drop.Dropped"/> completes on the first answer to <paramref name="apiKey"/>.</summary>
    public Drop DropResponses(short apiKey) => _drop = new Drop(apiKey);

    /// <summary>Closes every connection and forwards answers again on the ones clients open next.</summary>
    public void CutConnections()
    {
        _drop = null;
        foreach (var relay in _relays.Keys) relay.Close();
    }

    public void Start(string broker)
    {
        var target = IPEndPoint.Parse(broker);
        _ = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    return;
                }
                _ = RunAsync(new Relay(client), target);
            }
        });
    }

    private async Task RunAsync(Relay relay, IPEndPoint target)
    {
        _relays.TryAdd(relay, 0);
        try
        {
            await relay.Upstream.ConnectAsync(target, _stop.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The broker is down: the client sees its connection close, as it would without the proxy.
            relay.Close();
            _relays.TryRemove(relay, out _);
            return;
        }
        var requests = RelayRequestsAsync(relay);
        try
        {
            var fromBroker = relay.Upstream.GetStream();
            var toClient = relay.Client.GetStream();
            var size = new byte[4];
            while (true)
            {
                await fromBroker.ReadExactlyAsync(size, _stop.Token);
                var body = new byte[BinaryPrimitives.ReadInt32BigEndian(size)];
                await fromBroker.ReadExactlyAsync(body, _stop.Token);
                var correlationId = BinaryPrimitives.ReadInt32BigEndian(body);
                relay.ApiKeys.TryRemove(correlationId, out var apiKey);
                if (relay.HeldFrom is { } held && correlationId == held.CorrelationId) relay.Holding = held.Hold;
                if (relay.Holding is { } hold)
                {
                    hold.Seen.TrySetResult();
                    await hold.Released.Task.WaitAsync(_stop.Token);
                }
                if (_drop is { } drop)
                {
                    if (apiKey == drop.ApiKey) drop.Dropped.TrySetResult();
                    continue;
                }
                await toClient.WriteAsync(size, _stop.Token);
                await toClient.WriteAsync(body, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or EndOfStreamException or SocketException)
        {
        }
        relay.Close();
        await requests;
        _relays.TryRemove(relay, out _);
    }

    private async Task RelayRequestsAsync(Relay relay)
    {
        var fromClient = relay.Client.GetStream();
        var toBroker = relay.Upstream.GetStream();
        var header = new byte[12];
        try
        {
            while (true)
            {
                // size, api key, api version, correlation id
                await fromClient.ReadExactlyAsync(header, _stop.Token);
                var apiKey = BinaryPrimitives.ReadInt16BigEndian(header.AsSpan(4));
                var correlationId = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(8));
                var rest = new byte[BinaryPrimitives.ReadInt32BigEndian(header) - 8];
                await fromClient.ReadExactlyAsync(rest, _stop.Token);
                relay.ApiKeys[correlationId] = apiKey;
                if (_armed is { } armed && armed.ApiKey == apiKey && Interlocked.CompareExchange(ref _armed, null, armed) == armed)
                {
                    relay.HeldFrom = new HeldRequest(correlationId, armed.Hold);
                }
                await toBroker.WriteAsync(header, _stop.Token);
                await toBroker.WriteAsync(rest, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or EndOfStreamException or SocketException)
        {
            relay.Close();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (var relay in _relays.Keys) relay.Close();
    }

    private sealed record PendingHold(short ApiKey, Hold Hold);

    private sealed record HeldRequest(int CorrelationId, Hold Hold);

    private sealed class Relay(TcpClient client)
    {
        public TcpClient Client { get; } = client;

        public TcpClient Upstream { get; } = new();

        public ConcurrentDictionary<int, short> ApiKeys { get; } = new();

        private volatile Hold? _holding;
        private volatile HeldRequest? _heldFrom;

        /// <summary>Set once the held request's answer arrives: it and every later answer wait for the release.</summary>
        public Hold? Holding { get => _holding; set => _holding = value; }

        public HeldRequest? HeldFrom { get => _heldFrom; set => _heldFrom = value; }

        public void Close()
        {
            Client.Close();
            Upstream.Close();
        }
    }

    public sealed class Hold
    {
        public TaskCompletionSource Seen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => Released.TrySetResult();
    }

    public sealed class Drop(short apiKey)
    {
        public short ApiKey { get; } = apiKey;

        public TaskCompletionSource Dropped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
