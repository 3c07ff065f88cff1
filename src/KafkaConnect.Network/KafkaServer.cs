using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using KafkaConnect.Protocol;
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
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<long, Socket> _connections = new();
    private readonly Dictionary<IPAddress, int> _connectionsPerIp = new();
    private readonly List<Task> _connectionTasks = new();
    private readonly SemaphoreSlim _connectionSlots;
    private readonly RequestMemory _requestMemory;
    private Task? _acceptLoop;
    private long _nextConnectionId;
    private long _connectionSlotWaits;
    private long _refusedConnections;

    public KafkaServer(IPEndPoint endpoint, IFrameHandler handler, FrameLimits? limits = null, ILogger? logger = null)
    {
        _handler = handler;
        _limits = limits ?? new FrameLimits();
        _logger = logger ?? NullLogger.Instance;
        _connectionSlots = new SemaphoreSlim(_limits.MaxConnections, int.MaxValue);
        _requestMemory = new RequestMemory(_limits.QueuedMaxRequestBytes);
        _listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            AllowRebindButNotSharing(_listener);
            _listener.Bind(endpoint);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            _listener.Dispose();
            throw new InvalidOperationException($"{endpoint}: address already in use (another process is listening on it).", ex);
        }
        catch
        {
            _listener.Dispose();
            throw;
        }
        LocalEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
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

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Open connections.</summary>
    public int ConnectionCount
    {
        get
        {
            lock (_connections) return _connections.Count;
        }
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
        _listener.Listen(512);
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    private async Task AcceptLoopAsync()
    {
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
                socket = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
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
                _connections[id] = socket;
                _connectionTasks.RemoveAll(t => t.IsCompleted);
                _connectionTasks.Add(Task.Run(() => RunConnectionAsync(id, address, socket)));
            }
        }
    }

    private async Task RunConnectionAsync(long id, IPAddress address, Socket socket)
    {
        var remote = socket.RemoteEndPoint as IPEndPoint;
        var context = new ConnectionContext(id, remote?.Address.ToString() ?? "unknown", remote?.Port ?? 0);
        using var connectionCts = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var stream = new NetworkStream(socket, ownsSocket: false);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        var writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024));
        var pending = Channel.CreateBounded<ValueTask<ProtocolWriter?>>(new BoundedChannelOptions(_limits.MaxInFlightPerConnection)
        {
            SingleReader = true,
            SingleWriter = true,
        });
        var writeLoop = WriteLoopAsync(pending.Reader, writer, connectionCts, _logger);
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

    private async Task ReadLoopAsync(PipeReader reader, ChannelWriter<ValueTask<ProtocolWriter?>> pending, ConnectionContext context, CancellationToken ct)
    {
        // Reading pauses between frames while queued requests are over their limit; a frame whose reading has
        // begun is read to its end, so a paused reader never holds a request the handler could finish.
        var frameStarted = false;
        while (true)
        {
            if (!frameStarted)
            {
                await _requestMemory.WaitForRoomAsync(ct).ConfigureAwait(false);
                frameStarted = true;
            }
            var result = await reader.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            while (TryReadFrame(ref buffer, out var frame))
            {
                frameStarted = false;
                // The handler may keep the frame until its task completes, so it gets a buffer of its own.
                var rented = ArrayPool<byte>.Shared.Rent(Math.Max((int)frame.Length, 1));
                frame.CopyTo(rented);
                var memory = rented.AsMemory(0, (int)frame.Length);
                _requestMemory.Add(memory.Length);
                var task = InvokeAsync(memory, rented, context, ct);
                await pending.WriteAsync(task, ct).ConfigureAwait(false);
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                if (!buffer.IsEmpty) throw new ProtocolException("Connection closed in the middle of a frame.");
                return;
            }
        }
    }

    private async ValueTask<ProtocolWriter?> InvokeAsync(ReadOnlyMemory<byte> frame, byte[] rented, ConnectionContext context, CancellationToken ct)
    {
        try
        {
            return await _handler.HandleAsync(frame, context, ct).ConfigureAwait(false);
        }
        finally
        {
            _requestMemory.Release(frame.Length);
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (buffer.Length < 4) return false;
        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        var length = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (length < 0 || length > _limits.MaxFrameBytes)
            throw new ProtocolException($"Frame length {length} is outside 0..{_limits.MaxFrameBytes} (socket.request.max.bytes).");
        if (buffer.Length < 4 + (long)length) return false;
        frame = buffer.Slice(4, length);
        buffer = buffer.Slice(4 + (long)length);
        return true;
    }

    private static async Task WriteLoopAsync(ChannelReader<ValueTask<ProtocolWriter?>> pending, PipeWriter writer, CancellationTokenSource connection, ILogger logger)
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
        _listener.Dispose();
        if (_acceptLoop is not null) await _acceptLoop.ConfigureAwait(false);
        Task[] tasks;
        lock (_connections)
        {
            foreach (var s in _connections.Values)
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
