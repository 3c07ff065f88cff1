using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Threading.Channels;
using KafkaConnect.Protocol;
using KafkaConnect.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaConnect.Network;

/// <summary>
/// A TCP server for Kafka's framing: 4-byte big-endian length, then the request. Each connection reads
/// requests ahead (up to a bound), hands them to the handler as they arrive, and writes the responses in
/// request order. A malformed frame closes that one connection, never the server. Connections are limited in
/// number (overall and per IP address) and so are the request bytes queued for the handler across connections.
/// </summary>
public sealed class KafkaServer : IAsyncDisposable
{
    private readonly IFrameHandler _handler;
    private readonly FrameLimits _limits;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Socket[] _sockets;
    private readonly ListenerOptions[] _listeners;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<long, (Socket Socket, ConnectionContext Context)> _connections = new();
    private readonly Dictionary<IPAddress, int> _connectionsPerIp = new();
    private readonly List<Task> _connectionTasks = new();
    private readonly SemaphoreSlim _connectionSlots;
    private readonly RequestMemory _requestMemory;
    private readonly List<Task> _acceptLoops = new();
    private Task? _idleLoop;
    private long _idleClosed;
    private long _nextConnectionId;
    private long _connectionSlotWaits;
    private long _refusedConnections;
    private long _failedHandshakes;

    /// <summary>One PLAINTEXT listener.</summary>
    public KafkaServer(IPEndPoint endpoint, IFrameHandler handler, FrameLimits? limits = null, ILogger? logger = null, TimeProvider? time = null)
        : this([new ListenerOptions { Name = "PLAINTEXT", EndPoint = endpoint }], handler, limits, logger, time)
    {
    }

    /// <summary>Several listeners sharing the connection limits and the request memory, each with its own security.</summary>
    /// <param name="time">The clock connections.max.idle.ms is measured on (tests pass one they move by hand).</param>
    public KafkaServer(IReadOnlyList<ListenerOptions> listeners, IFrameHandler handler, FrameLimits? limits = null, ILogger? logger = null, TimeProvider? time = null)
    {
        if (listeners.Count == 0) throw new ArgumentException("At least one listener is required.", nameof(listeners));
        _handler = handler;
        _limits = limits ?? new FrameLimits();
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _connectionSlots = new SemaphoreSlim(_limits.MaxConnections, int.MaxValue);
        _requestMemory = new RequestMemory(_limits.QueuedMaxRequestBytes);
        _listeners = listeners.ToArray();
        _sockets = new Socket[_listeners.Length];
        var bound = new List<IPEndPoint>();
        try
        {
            for (var i = 0; i < _listeners.Length; i++)
            {
                _sockets[i] = Bind(_listeners[i].EndPoint);
                bound.Add((IPEndPoint)_sockets[i].LocalEndPoint!);
            }
        }
        catch
        {
            foreach (var s in _sockets) s?.Dispose();
            throw;
        }
        LocalEndPoints = bound;
        LocalEndPoint = bound[0];
    }

    private static Socket Bind(IPEndPoint endpoint)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            AllowRebindButNotSharing(socket);
            socket.Bind(endpoint);
            return socket;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            throw new InvalidOperationException($"{endpoint}: address already in use (another process is listening on it).", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A restarted broker must bind despite its old connections in TIME_WAIT, yet a second process must not share
    /// the port. .NET's ReuseAddress sets SO_REUSEPORT as well on Linux and macOS (two listeners then split the
    /// clients) and means "steal the port" on Windows, so the plain BSD SO_REUSEADDR is set directly instead.
    /// </summary>
    private static void AllowRebindButNotSharing(Socket listener)
    {
        if (OperatingSystem.IsWindows())
        {
            listener.ExclusiveAddressUse = true;
            return;
        }
        var (level, name) = OperatingSystem.IsLinux() ? (1, 2) // SOL_SOCKET, SO_REUSEADDR in <asm-generic/socket.h>
            : OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? (0xffff, 4) // <sys/socket.h> on the BSDs
            : (0, 0);
        if (level != 0) listener.SetRawSocketOption(level, name, BitConverter.GetBytes(1));
    }

    /// <summary>The first listener's bound address.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Every listener's bound address, in the order given (port 0 resolved).</summary>
    public IReadOnlyList<IPEndPoint> LocalEndPoints { get; }

    /// <summary>Connections closed because their TLS handshake failed or timed out.</summary>
    public long FailedHandshakes => Interlocked.Read(ref _failedHandshakes);

    /// <summary>Open connections.</summary>
    public int ConnectionCount
    {
        get
        {
            lock (_connections) return _connections.Count;
        }
    }

    /// <summary>Open connections on the listener of that name.</summary>
    public int ConnectionCountOf(string listener)
    {
        var count = 0;
        lock (_connections)
        {
            foreach (var (_, context) in _connections.Values)
                if (context.ListenerName == listener) count++;
        }
        return count;
    }

    /// <summary>Times accepting stopped because max connections were open.</summary>
    public long ConnectionSlotWaits => Interlocked.Read(ref _connectionSlotWaits);

    /// <summary>Connections closed on arrival because their IP address had its maximum open.</summary>
    public long RefusedConnections => Interlocked.Read(ref _refusedConnections);

    /// <summary>Request bytes read and not yet handled, across connections.</summary>
    public long QueuedRequestBytes => _requestMemory.Queued;

    /// <summary>Times a connection stopped reading because the queued request bytes were over their limit.</summary>
    public long ReadPauses => _requestMemory.Pauses;

    public void Start()
    {
        for (var i = 0; i < _sockets.Length; i++)
        {
            _sockets[i].Listen(512);
            var index = i;
            _acceptLoops.Add(Task.Run(() => AcceptLoopAsync(index)));
        }
        if (_limits.ConnectionsMaxIdleMs > 0) _idleLoop = Task.Run(CloseIdleConnectionsAsync);
    }

    /// <summary>Connections closed because they were idle for connections.max.idle.ms.</summary>
    public long IdleConnectionsClosed => Interlocked.Read(ref _idleClosed);

    // As Kafka's selector: a connection with nothing received or sent for connections.max.idle.ms, and no request of
    // its own in progress, is closed. A client that stopped in the middle of a frame is idle too, and so gives back what
    // it reserved of queued.max.request.bytes.
    private async Task CloseIdleConnectionsAsync()
    {
        var idle = TimeSpan.FromMilliseconds(_limits.ConnectionsMaxIdleMs);
        var period = TimeSpan.FromMilliseconds(Math.Clamp(_limits.ConnectionsMaxIdleMs / 4, 10, 10_000));
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, _time, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var now = _time.GetTimestamp();
            lock (_connections)
            {
                foreach (var (id, (socket, context)) in _connections)
                {
                    var quiet = _time.GetElapsedTime(Volatile.Read(ref context.LastActive), now);
                    if (quiet < idle || Volatile.Read(ref context.InFlight) > 0) continue;
                    Interlocked.Increment(ref _idleClosed);
                    _logger.LogInformation("closing connection {Id} from {Host}: nothing sent or received for {Quiet} ms (connections.max.idle.ms={Idle})",
                        id, context.RemoteHost, (long)quiet.TotalMilliseconds, _limits.ConnectionsMaxIdleMs);
                    // Refresh so the connection is not reported again before its loops have closed it.
                    Volatile.Write(ref context.LastActive, now);
                    try { socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
                }
            }
        }
    }

    private async Task AcceptLoopAsync(int index)
    {
        var listener = _sockets[index];
        var options = _listeners[index];
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                // At max.connections, new connections wait in the listen backlog until one closes (as Kafka).
                if (!_connectionSlots.Wait(0))
                {
                    Interlocked.Increment(ref _connectionSlotWaits);
                    _logger.LogInformation("{Max} connections open (max.connections); new connections wait", _limits.MaxConnections);
                    await _connectionSlots.WaitAsync(_stopping.Token).ConfigureAwait(false);
                }
                socket = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { break; }
            catch (ObjectDisposedException) { break; }
            catch (SocketException ex)
            {
                _connectionSlots.Release();
                _logger.LogWarning("accept failed: {Error}", ex.SocketErrorCode);
                continue;
            }
            socket.NoDelay = true;
            var address = (socket.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
            var id = Interlocked.Increment(ref _nextConnectionId);
            lock (_connections)
            {
                var fromAddress = _connectionsPerIp.GetValueOrDefault(address);
                if (fromAddress >= _limits.MaxConnectionsPerIp)
                {
                    Interlocked.Increment(ref _refusedConnections);
                    _logger.LogInformation("closing a new connection from {Host}: {Count} already open (max.connections.per.ip)", address, fromAddress);
                    socket.Dispose();
                    _connectionSlots.Release();
                    continue;
                }
                _connectionsPerIp[address] = fromAddress + 1;
                var remote = socket.RemoteEndPoint as IPEndPoint;
                var context = new ConnectionContext(id, remote?.Address.ToString() ?? "unknown", remote?.Port ?? 0, options.Name, options.Sasl)
                {
                    LastActive = _time.GetTimestamp(),
                };
                _connections[id] = (socket, context);
                _connectionTasks.RemoveAll(t => t.IsCompleted);
                _connectionTasks.Add(Task.Run(() => RunConnectionAsync(id, address, socket, context, options.Tls)));
            }
        }
    }

    private async Task RunConnectionAsync(long id, IPAddress address, Socket socket, ConnectionContext context, TlsSettings? tls)
    {
        using var connectionCts = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        Stream stream = new NetworkStream(socket, ownsSocket: false);
        if (tls is not null)
        {
            var secured = await HandshakeAsync(id, stream, context, tls, connectionCts.Token).ConfigureAwait(false);
            if (secured is null)
            {
                CloseConnection(id, address, socket);
                return;
            }
            stream = secured;
        }
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        var writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024));
        var pending = Channel.CreateBounded<ValueTask<ProtocolWriter?>>(new BoundedChannelOptions(_limits.MaxInFlightPerConnection)
        {
            SingleReader = true,
            SingleWriter = true,
        });
        var writeLoop = WriteLoopAsync(pending.Reader, writer, context, connectionCts, _logger, _time);
        try
        {
            await ReadLoopAsync(reader, pending.Writer, context, connectionCts.Token).ConfigureAwait(false);
        }
        catch (ProtocolException ex)
        {
            _logger.LogInformation("closing connection {Id} from {Host}: {Reason}", id, context.RemoteHost, ex.Message);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "connection {Id} failed", id);
        }
        finally
        {
            pending.Writer.TryComplete();
        }
        try
        {
            await writeLoop.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        await reader.CompleteAsync().ConfigureAwait(false);
        if (tls is not null) await stream.DisposeAsync().ConfigureAwait(false);
        CloseConnection(id, address, socket);
    }

    private void CloseConnection(long id, IPAddress address, Socket socket)
    {
        try { socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        socket.Dispose();
        lock (_connections)
        {
            _connections.Remove(id);
            if (_connectionsPerIp[address] == 1) _connectionsPerIp.Remove(address);
            else _connectionsPerIp[address]--;
        }
        _connectionSlots.Release();
    }

    // The TLS handshake, bounded so a client that connects and says nothing does not hold a connection slot; a failure
    // closes this connection only, with the reason in the log.
    private async Task<Stream?> HandshakeAsync(long id, Stream inner, ConnectionContext context, TlsSettings tls, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_limits.TlsHandshakeTimeout);
        try
        {
            return await tls.AuthenticateAsServerAsync(inner, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            if (_stopping.IsCancellationRequested) return null;
            Interlocked.Increment(ref _failedHandshakes);
            var reason = ex is OperationCanceledException
                ? $"no TLS handshake within {_limits.TlsHandshakeTimeout.TotalMilliseconds:F0} ms"
                : ex.Message;
            _logger.LogInformation("closing connection {Id} from {Host} on listener {Listener}: TLS handshake failed: {Reason}",
                id, context.RemoteHost, context.ListenerName, reason);
            await inner.DisposeAsync().ConfigureAwait(false);
            return null;
        }
    }

    private async Task ReadLoopAsync(PipeReader reader, ChannelWriter<ValueTask<ProtocolWriter?>> pending, ConnectionContext context, CancellationToken ct)
    {
        // A frame's bytes are reserved from queued.max.request.bytes once its length is read, before the rest arrives,
        // as Kafka's memory pool does: a connection waits there (not reading, so TCP pushes back) while the broker is
        // over the limit, and a frame being read counts like one being handled. The frame is then read straight into
        // the buffer its handler gets, so its bytes are held once, not in the pipe and again in a copy. A paused
        // connection holds at most one read's worth of bytes.
        byte[]? frame = null;
        var length = 0;
        var filled = 0;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(ct).ConfigureAwait(false);
                Volatile.Write(ref context.LastActive, _time.GetTimestamp());
                var buffer = result.Buffer;
                while (true)
                {
                    if (frame is null)
                    {
                        if (!TryReadLength(buffer, context, out length)) break;
                        await _requestMemory.ReserveAsync(length, ct).ConfigureAwait(false);
                        frame = RentFrame(length);
                        filled = 0;
                        buffer = buffer.Slice(4);
                    }
                    var take = (int)Math.Min(buffer.Length, length - filled);
                    buffer.Slice(0, take).CopyTo(frame.AsSpan(filled));
                    buffer = buffer.Slice(take);
                    filled += take;
                    if (filled < length) break;
                    // The reservation goes with the frame to its handler, which releases both when it finishes.
                    Interlocked.Increment(ref context.InFlight);
                    var sequential = context.ProcessSequentially;
                    var task = InvokeAsync(frame.AsMemory(0, length), frame, context, ct);
                    frame = null;
                    if (sequential || context.ProcessSequentially)
                    {
                        // Until a SASL connection is authenticated its requests run one at a time: the next is not even
                        // read before this one is answered, and a failed authentication ends the connection after it.
                        var done = task.AsTask();
                        await pending.WriteAsync(new ValueTask<ProtocolWriter?>(done), ct).ConfigureAwait(false);
                        await ((Task)done).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                        if (context.CloseRequested || done.IsFaulted) return;
                        continue;
                    }
                    await pending.WriteAsync(task, ct).ConfigureAwait(false);
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    if (frame is not null || !buffer.IsEmpty) throw new ProtocolException("Connection closed in the middle of a frame.");
                    return;
                }
            }
        }
        finally
        {
            if (frame is not null)
            {
                _requestMemory.Release(length);
                ReturnFrame(frame);
            }
        }
    }

    // Frames up to 1 MiB come from the shared pool; larger ones get an array of their exact size that the GC reclaims,
    // so a burst of large requests leaves no pool of large arrays behind (and a 12 MiB frame does not take 16 MiB).
    private const int PooledFrameBytes = 1 << 20;

    private static byte[] RentFrame(int length) =>
        length <= PooledFrameBytes ? ArrayPool<byte>.Shared.Rent(Math.Max(length, 1)) : GC.AllocateUninitializedArray<byte>(length);

    private static void ReturnFrame(byte[] frame)
    {
        if (frame.Length <= PooledFrameBytes) ArrayPool<byte>.Shared.Return(frame);
    }

    private async ValueTask<ProtocolWriter?> InvokeAsync(ReadOnlyMemory<byte> frame, byte[] buffer, ConnectionContext context, CancellationToken ct)
    {
        try
        {
            return await _handler.HandleAsync(frame, context, ct).ConfigureAwait(false);
        }
        finally
        {
            _requestMemory.Release(frame.Length);
            ReturnFrame(buffer);
            Interlocked.Decrement(ref context.InFlight);
        }
    }

    /// <summary>The next frame's length once its 4-byte prefix is in; a length outside the limits ends the connection.</summary>
    private bool TryReadLength(ReadOnlySequence<byte> buffer, ConnectionContext context, out int length)
    {
        length = 0;
        if (buffer.Length < 4) return false;
        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        length = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (context.UsesSasl && context.ProcessSequentially && length > _limits.MaxSaslFrameBytes)
            throw new ProtocolException($"Frame length {length} during SASL authentication is over {_limits.MaxSaslFrameBytes} (sasl.server.max.receive.size).");
        if (length < 0 || length > _limits.MaxFrameBytes)
            throw new ProtocolException($"Frame length {length} is outside 0..{_limits.MaxFrameBytes} (socket.request.max.bytes).");
        return true;
    }

    private static async Task WriteLoopAsync(ChannelReader<ValueTask<ProtocolWriter?>> pending, PipeWriter writer, ConnectionContext context,
        CancellationTokenSource connection, ILogger logger, TimeProvider time)
    {
        try
        {
            while (await pending.WaitToReadAsync().ConfigureAwait(false))
            {
                while (pending.TryRead(out var task))
                {
                    ProtocolWriter? response;
                    try
                    {
                        // Answers already written go out before waiting on a slower request (a long poll, say).
                        if (!task.IsCompleted && writer.UnflushedBytes > 0)
                            await writer.FlushAsync().ConfigureAwait(false);
                        response = await task.ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        // A request that cannot be answered ends the connection, as Kafka does.
                        if (ex is not ProtocolException and not OperationCanceledException)
                            logger.LogError(ex, "request handler failed; closing the connection");
                        connection.Cancel();
                        return;
                    }
                    if (response is null) continue;
                    using (response)
                    {
                        var body = response.WrittenSpan;
                        var span = writer.GetSpan(4);
                        BinaryPrimitives.WriteInt32BigEndian(span, body.Length);
                        writer.Advance(4);
                        writer.Write(body);
                    }
                    Volatile.Write(ref context.LastActive, time.GetTimestamp());
                    if (writer.UnflushedBytes > 256 * 1024)
                        await writer.FlushAsync().ConfigureAwait(false);
                }
                await writer.FlushAsync().ConfigureAwait(false);
            }
        }
        catch (Exception) when (connection.IsCancellationRequested)
        {
        }
        finally
        {
            connection.Cancel();
            // Drain so handler buffers go back to the pool.
            while (pending.TryRead(out var task))
            {
                try { (await task.ConfigureAwait(false))?.Dispose(); } catch (Exception) { }
            }
            await writer.CompleteAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        foreach (var socket in _sockets) socket.Dispose();
        await Task.WhenAll(_acceptLoops).ConfigureAwait(false);
        if (_idleLoop is not null) await _idleLoop.ConfigureAwait(false);
        Task[] tasks;
        lock (_connections)
        {
            foreach (var (s, _) in _connections.Values)
            {
                try { s.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
            }
            tasks = _connectionTasks.ToArray();
        }
        await Task.WhenAll(tasks).ConfigureAwait(false);
        _stopping.Dispose();
        _connectionSlots.Dispose();
    }
}
