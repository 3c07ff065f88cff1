using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Security.Authentication;
using KafkaConnect.Client.Metrics;
using KafkaConnect.Client.Security;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Client;

/// <summary>The connection broke or timed out; the request may be retried on a new connection.</summary>
public sealed class KafkaConnectionException : Exception
{
    public KafkaConnectionException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>The broker supports no version of an API that this client can speak.</summary>
public sealed class UnsupportedVersionException : Exception
{
    public UnsupportedVersionException(string message) : base(message) { }
}

/// <summary>
/// One TCP connection to one broker. Requests are pipelined: many may be in flight, and Kafka answers them
/// in order, so responses are matched to a FIFO of pending requests (and checked by correlation id).
/// ApiVersions is negotiated on connect; <see cref="NegotiateVersion"/> picks the highest common version.
/// </summary>
public sealed class KafkaConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Queue<Pending> _pending = new();
    private readonly string _clientId;
    private readonly TimeSpan _requestTimeout;
    private readonly Task _readLoop;
    private readonly CancellationTokenSource _closed = new();
    private readonly ProtocolWriter _scratch = new(64 * 1024);
    private Dictionary<ApiKey, (short Min, short Max)> _versions = new();
    private int _nextCorrelationId;
    private Exception? _failure;
    private SaslLogin? _sasl;
    private CancellationTokenSource? _reauthTimer;
    private readonly SemaphoreSlim _reauthLock = new(1, 1);
    private long _reauthAtTicks; // Environment.TickCount64 from which requests re-authenticate first; 0 = never
    private readonly NetworkCounters? _counters;

    private sealed class Pending
    {
        public required int CorrelationId;
        public required ApiKey Key;
        public required short Version;
        public required Func<ReadOnlyMemory<byte>, short, object> Parse;
        public required TaskCompletionSource<object> Completion;
        public long DeadlineTicks;
    }

    private KafkaConnection(Socket socket, Stream stream, string host, int port, string clientId, TimeSpan requestTimeout, NetworkCounters? counters)
    {
        _socket = socket;
        _counters = counters;
        // Counted until Fail, which every way of ending the connection goes through once.
        if (counters is not null) Interlocked.Increment(ref counters.Connections);
        Host = host;
        Port = port;
        _clientId = clientId;
        _requestTimeout = requestTimeout;
        _stream = stream;
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 256 * 1024, minimumReadSize: 64 * 1024));
        _readLoop = Task.Run(ReadLoopAsync);
        _ = Task.Run(TimeoutLoopAsync);
    }

    public string Host { get; }
    public int Port { get; }
    public bool IsClosed => _closed.IsCancellationRequested;

    /// <summary>
    /// Opens a connection: TCP, then the TLS handshake (SSL, SASL_SSL) within <paramref name="connectTimeout"/>, then
    /// ApiVersions, then SASL authentication (SASL_PLAINTEXT, SASL_SSL). An authentication failure is a
    /// <see cref="KafkaAuthenticationException"/> (retrying will not help); anything else a <see cref="KafkaConnectionException"/>.
    /// </summary>
    public static Task<KafkaConnection> ConnectAsync(string host, int port, string clientId, TimeSpan connectTimeout, TimeSpan requestTimeout,
        CancellationToken cancellationToken, ClientSecurity? security = null)
        => ConnectAsync(host, port, clientId, connectTimeout, requestTimeout, security, null, cancellationToken);

    /// <summary>As the public overload, counting requests, responses, bytes and the connection into <paramref name="counters"/>.</summary>
    internal static async Task<KafkaConnection> ConnectAsync(string host, int port, string clientId, TimeSpan connectTimeout, TimeSpan requestTimeout,
        ClientSecurity? security, NetworkCounters? counters, CancellationToken cancellationToken)
    {
        security ??= ClientSecurity.Plaintext;
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream stream;
        using (var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            cts.CancelAfter(connectTimeout);
            try
            {
                await socket.ConnectAsync(host, port, cts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                socket.Dispose();
                cancellationToken.ThrowIfCancellationRequested();
                throw new KafkaConnectionException($"Cannot connect to {host}:{port}: {(ex is OperationCanceledException ? "timed out" : ex.Message)}", ex);
            }
            stream = new NetworkStream(socket, ownsSocket: true);
            if (security.Tls is { } tls)
            {
                try
                {
                    stream = await tls.AuthenticateAsClientAsync(stream, host, cts.Token).ConfigureAwait(false);
                }
                catch (AuthenticationException ex)
                {
                    throw new KafkaAuthenticationException($"SSL handshake with broker {host}:{port} failed: {ex.Message}", ex);
                }
                catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
                {
                    await stream.DisposeAsync().ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
                    throw new KafkaConnectionException($"SSL handshake with {host}:{port} failed: {(ex is OperationCanceledException ? "timed out" : ex.Message)}", ex);
                }
            }
        }
        var connection = new KafkaConnection(socket, stream, host, port, clientId, requestTimeout, counters);
        try
        {
            await connection.NegotiateAsync(cancellationToken).ConfigureAwait(false);
            if (security.Sasl is { } sasl)
            {
                connection._sasl = sasl;
                await connection.AuthenticateAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return connection;
    }

    /// <summary>
    /// SaslHandshake then SaslAuthenticate rounds (KIP-152). When the broker gives the session a lifetime
    /// (connections.max.reauth.ms, KIP-368) the connection re-authenticates before it ends, with no other request on
    /// the wire meanwhile: the write lock is held for the whole exchange.
    /// </summary>
    private async Task AuthenticateAsync(CancellationToken ct)
    {
        var sasl = _sasl!;
        var broker = $"{Host}:{Port}";
        if (!Supports(ApiKey.SaslAuthenticate))
            throw new KafkaAuthenticationException($"Broker {broker} does not support SaslAuthenticate (KIP-152); SASL mechanism {sasl.Mechanism} needs a broker of Kafka 1.0 or later with a SASL listener.");
        var handshakeVersion = NegotiateVersion(ApiKey.SaslHandshake, 1, 1);
        var authenticateVersion = NegotiateVersion(ApiKey.SaslAuthenticate, 0, 2);
        var exchange = sasl.Start();
        var token = await exchange.FirstAsync(ct).ConfigureAwait(false);
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        long lifetimeMs;
        // The broker's clock for the session starts when it answers; counting from before the handshake keeps ours early.
        var startedTicks = Environment.TickCount64;
        try
        {
            var handshake = await ExchangeLockedAsync<SaslHandshakeResponse>(ApiKey.SaslHandshake, handshakeVersion, new SaslHandshakeRequest { Mechanism = sasl.Mechanism }, ct).ConfigureAwait(false);
            if (handshake.ErrorCode == (short)ErrorCode.UnsupportedSaslMechanism)
                throw new KafkaAuthenticationException($"Broker {broker} does not enable SASL mechanism {sasl.Mechanism} (sasl.mechanism); it enables {string.Join(", ", handshake.Mechanisms)}.");
            if (handshake.ErrorCode != 0)
                throw new KafkaAuthenticationException($"SASL handshake with broker {broker} failed: {(ErrorCode)handshake.ErrorCode}.");
            while (true)
            {
                var response = await ExchangeLockedAsync<SaslAuthenticateResponse>(ApiKey.SaslAuthenticate, authenticateVersion, new SaslAuthenticateRequest { AuthBytes = token }, ct).ConfigureAwait(false);
                if (response.ErrorCode != 0)
                {
                    var why = string.IsNullOrEmpty(response.ErrorMessage) ? ((ErrorCode)response.ErrorCode).ToString() : response.ErrorMessage;
                    throw new KafkaAuthenticationException($"Authentication with broker {broker} using SASL mechanism {sasl.Mechanism} failed: {why}");
                }
                byte[]? next;
                try
                {
                    next = exchange.Next(response.AuthBytes);
                }
                catch (KafkaAuthenticationException ex)
                {
                    throw new KafkaAuthenticationException($"Authentication with broker {broker} using SASL mechanism {sasl.Mechanism} failed: {ex.Message}", ex);
                }
                if (next is null)
                {
                    lifetimeMs = response.SessionLifetimeMs;
                    break;
                }
                token = next;
            }
        }
        finally
        {
            _writeLock.Release();
        }
        if (lifetimeMs > 0) ScheduleReauthentication(startedTicks, lifetimeMs);
    }

    // KIP-368: re-authenticate before the session's lifetime ends, as Kafka's clients do. A timer does it on an idle
    // connection; a request due after that point re-authenticates first, so a timer that fires late (a busy machine)
    // never lets a request reach the broker after the session ended. A failure ends the connection (its requests fail
    // over to a new one, which authenticates afresh).
    private void ScheduleReauthentication(long startedTicks, long lifetimeMs)
    {
        // Kafka's 85-95%, but at least a second before the end (never before half the lifetime): a short session on a
        // busy machine would otherwise see requests sent just in time arrive just too late.
        var kafka = (long)(lifetimeMs * (0.85 + Random.Shared.NextDouble() * 0.10));
        var at = startedTicks + Math.Max(lifetimeMs / 2, Math.Min(kafka, lifetimeMs - 1000));
        Volatile.Write(ref _reauthAtTicks, at);
        var timer = CancellationTokenSource.CreateLinkedTokenSource(_closed.Token);
        Interlocked.Exchange(ref _reauthTimer, timer)?.Dispose();
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(0, at - Environment.TickCount64)), timer.Token).ConfigureAwait(false);
                await ReauthenticateIfDueAsync(timer.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception)
            {
                // Fail() has recorded the reason for the connection's requests.
            }
        });
    }

    private async Task ReauthenticateIfDueAsync(CancellationToken ct)
    {
        await _reauthLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var due = Volatile.Read(ref _reauthAtTicks);
            if (due == 0 || Environment.TickCount64 < due) return; // done meanwhile by the timer or another request
            Volatile.Write(ref _reauthAtTicks, 0);
            try
            {
                await AuthenticateAsync(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                var failure = new KafkaConnectionException($"Re-authentication with {Host}:{Port} failed: {ex.Message}", ex);
                Fail(failure);
                throw failure;
            }
        }
        finally
        {
            _reauthLock.Release();
        }
    }

    /// <summary>Sends a request and waits for its response while the caller holds the write lock.</summary>
    private async Task<TResponse> ExchangeLockedAsync<TResponse>(ApiKey key, short version, IKafkaMessage request, CancellationToken ct)
        where TResponse : class, IKafkaMessage, new()
    {
        var pending = NewPending<TResponse>(key, version);
        await WriteLockedAsync(key, version, request, pending).ConfigureAwait(false);
        using (ct.Register(static s => ((TaskCompletionSource<object>)s!).TrySetCanceled(), pending.Completion))
            return (TResponse)await pending.Completion.Task.ConfigureAwait(false);
    }

    private async Task NegotiateAsync(CancellationToken ct)
    {
        var request = new ApiVersionsRequest { ClientSoftwareName = "kafkaconnect-dotnet", ClientSoftwareVersion = "0.1.0" };
        var response = await SendAsync<ApiVersionsResponse>(ApiKey.ApiVersions, 3, request, ct).ConfigureAwait(false);
        if (response.ErrorCode == (short)ErrorCode.UnsupportedVersion)
            response = await SendAsync<ApiVersionsResponse>(ApiKey.ApiVersions, 0, new ApiVersionsRequest(), ct).ConfigureAwait(false);
        if (response.ErrorCode != 0)
            throw new KafkaConnectionException($"ApiVersions to {Host}:{Port} failed with error {(ErrorCode)response.ErrorCode}.");
        _versions = response.ApiKeys.ToDictionary(k => (ApiKey)k.ApiKey, k => (k.MinVersion, k.MaxVersion));
    }

    /// <summary>The highest version both sides speak within [min, max] of ours.</summary>
    public short NegotiateVersion(ApiKey key, short min, short max)
    {
        if (!_versions.TryGetValue(key, out var broker))
            throw new UnsupportedVersionException($"Broker {Host}:{Port} does not support {key}.");
        var ours = ApiMessages.TryGetVersionRange(key, out _, out var generatedMax) ? Math.Min(max, generatedMax) : max;
        var v = Math.Min(ours, broker.Max);
        if (v < Math.Max(min, broker.Min))
            throw new UnsupportedVersionException($"Broker {Host}:{Port} supports {key} v{broker.Min}-{broker.Max}; this client needs v{min}-{max}.");
        return (short)v;
    }

    public bool Supports(ApiKey key) => _versions.ContainsKey(key);

    /// <summary>Sends a request and waits for its response.</summary>
    public async Task<TResponse> SendAsync<TResponse>(ApiKey key, short version, IKafkaMessage request, CancellationToken cancellationToken)
        where TResponse : class, IKafkaMessage, new()
    {
        var pending = NewPending<TResponse>(key, version);
        await WriteAsync(key, version, request, pending, cancellationToken).ConfigureAwait(false);
        using (cancellationToken.Register(static s => ((TaskCompletionSource<object>)s!).TrySetCanceled(), pending.Completion))
            return (TResponse)await pending.Completion.Task.ConfigureAwait(false);
    }

    private static Pending NewPending<TResponse>(ApiKey key, short version)
        where TResponse : class, IKafkaMessage, new() => new()
        {
            CorrelationId = 0,
            Key = key,
            Version = version,
            Parse = static (body, v) =>
            {
                var r = new TResponse();
                var reader = new ProtocolReader(body);
                r.Read(ref reader, v);
                return r;
            },
            Completion = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously),
        };

    /// <summary>Sends a request that gets no response (produce with acks=0).</summary>
    public Task SendWithoutResponseAsync(ApiKey key, short version, IKafkaMessage request, CancellationToken cancellationToken)
        => WriteAsync(key, version, request, null, cancellationToken);

    private async Task WriteAsync(ApiKey key, short version, IKafkaMessage request, Pending? pending, CancellationToken ct)
    {
        var reauthAt = Volatile.Read(ref _reauthAtTicks);
        if (reauthAt != 0 && Environment.TickCount64 >= reauthAt) await ReauthenticateIfDueAsync(ct).ConfigureAwait(false);
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await WriteLockedAsync(key, version, request, pending).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task WriteLockedAsync(ApiKey key, short version, IKafkaMessage request, Pending? pending)
    {
        if (_failure is not null) throw new KafkaConnectionException($"Connection to {Host}:{Port} is closed: {_failure.Message}", _failure);
        var correlationId = _nextCorrelationId++;
        var w = _scratch;
        w.Reset();
        var lengthAt = w.Reserve(4);
        w.WriteInt16((short)key);
        w.WriteInt16(version);
        w.WriteInt32(correlationId);
        w.WriteNullableString(_clientId);
        if (ApiMessages.RequestHeaderVersion(key, version) >= 2) w.WriteEmptyTaggedFields();
        request.Write(w, version);
        w.PatchInt32(lengthAt, w.Position - 4);
        if (pending is not null)
        {
            pending.CorrelationId = correlationId;
            pending.DeadlineTicks = Environment.TickCount64 + (long)_requestTimeout.TotalMilliseconds;
            lock (_pending) _pending.Enqueue(pending);
        }
        try
        {
            await _stream.WriteAsync(w.WrittenMemory, CancellationToken.None).ConfigureAwait(false);
            _counters?.Sent(w.Position);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            Fail(new KafkaConnectionException($"Write to {Host}:{Port} failed: {ex.Message}", ex));
            throw new KafkaConnectionException($"Write to {Host}:{Port} failed: {ex.Message}", ex);
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var result = await _reader.ReadAsync(_closed.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (buffer.Length >= 4)
                {
                    var length = ReadLength(buffer);
                    if (length < 4) throw new ProtocolException($"Response frame length {length} is invalid.");
                    if (buffer.Length < 4 + (long)length) break;
                    // Responses may slice records out of the frame, so each gets its own array; it is overwritten at
                    // once, so skip zeroing it (fetch responses are up to fetch.max.bytes).
                    var frame = GC.AllocateUninitializedArray<byte>(length);
                    buffer.Slice(4, length).CopyTo(frame);
                    buffer = buffer.Slice(4 + (long)length);
                    _counters?.Received(4 + length);
                    Dispatch(frame);
                }
                _reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted) throw new KafkaConnectionException($"Broker {Host}:{Port} closed the connection.");
            }
        }
        catch (Exception ex)
        {
            Fail(ex is KafkaConnectionException ? ex : new KafkaConnectionException($"Connection to {Host}:{Port} failed: {ex.Message}", ex));
        }
    }

    private static int ReadLength(in ReadOnlySequence<byte> buffer)
    {
        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        return BinaryPrimitives.ReadInt32BigEndian(prefix);
    }

    private void Dispatch(byte[] frame)
    {
        Pending? p;
        lock (_pending) _pending.TryDequeue(out p);
        var correlationId = BinaryPrimitives.ReadInt32BigEndian(frame);
        if (p is null || p.CorrelationId != correlationId)
            throw new ProtocolException($"Response with correlation id {correlationId} does not match the oldest request ({p?.CorrelationId}).");
        var headerSize = ApiMessages.ResponseHeaderVersion(p.Key, p.Version) >= 1 ? 4 + SkipTags(frame.AsMemory(4)) : 4;
        try
        {
            p.Completion.TrySetResult(p.Parse(frame.AsMemory(headerSize), p.Version));
        }
        catch (Exception ex)
        {
            p.Completion.TrySetException(ex);
        }
    }

    private static int SkipTags(ReadOnlyMemory<byte> rest)
    {
        var r = new ProtocolReader(rest);
        r.SkipTaggedFields();
        return r.Position;
    }

    private async Task TimeoutLoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Clamp(_requestTimeout.TotalMilliseconds / 10, 10, 1000)));
        try
        {
            while (await timer.WaitForNextTickAsync(_closed.Token).ConfigureAwait(false))
            {
                long oldest;
                lock (_pending)
                {
                    if (!_pending.TryPeek(out var p)) continue;
                    oldest = p.DeadlineTicks;
                }
                if (Environment.TickCount64 > oldest)
                    Fail(new KafkaConnectionException($"Request to {Host}:{Port} timed out after {_requestTimeout.TotalMilliseconds} ms (request.timeout.ms)."));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Fail(Exception failure)
    {
        if (Interlocked.CompareExchange(ref _failure, failure, null) is null && _counters is { } counters) Interlocked.Decrement(ref counters.Connections);
        try { _closed.Cancel(); } catch (ObjectDisposedException) { }
        try { _socket.Shutdown(SocketShutdown.Both); } catch (Exception ex) when (ex is SocketException or ObjectDisposedException) { }
        List<Pending> failed;
        lock (_pending)
        {
            failed = _pending.ToList();
            _pending.Clear();
        }
        foreach (var p in failed) p.Completion.TrySetException(_failure!);
    }

    public async ValueTask DisposeAsync()
    {
        _reauthTimer?.Dispose();
        Fail(new KafkaConnectionException($"Connection to {Host}:{Port} was closed by the client."));
        try { await _readLoop.ConfigureAwait(false); } catch (Exception) { }
        await _reader.CompleteAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
        _scratch.Dispose();
    }
}
