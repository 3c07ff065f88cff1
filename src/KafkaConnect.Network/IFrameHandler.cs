using KafkaConnect.Protocol;

namespace KafkaConnect.Network;

/// <summary>Where a connection's frames go. The server guarantees responses leave in request order.</summary>
public interface IFrameHandler
{
    /// <summary>
    /// Handles one request frame (without its length prefix). Returns the response frame body (without the
    /// length prefix) in a writer the server disposes after sending, or null when no response is due (acks=0).
    /// Throwing <see cref="ProtocolException"/> closes the connection. The frame memory is only valid until the
    /// returned task completes.
    /// </summary>
    ValueTask<ProtocolWriter?> HandleAsync(ReadOnlyMemory<byte> frame, ConnectionContext connection, CancellationToken cancellationToken);
}

/// <summary>What a handler may know about the peer.</summary>
public sealed class ConnectionContext
{
    public ConnectionContext(long id, string remoteHost, int remotePort, string listenerName = "PLAINTEXT", bool sasl = false)
    {
        Id = id;
        RemoteHost = remoteHost;
        RemotePort = remotePort;
        ListenerName = listenerName;
        UsesSasl = sasl;
        _sequential = sasl;
    }

    /// <summary>The listener the connection arrived on (its name as in <c>listeners</c>).</summary>
    public string ListenerName { get; }

    /// <summary>Whether the listener authenticates connections with SASL.</summary>
    public bool UsesSasl { get; }

    private volatile bool _sequential;
    private volatile bool _closeRequested;

    /// <summary>
    /// While set, the server reads the next request only once the previous one is answered (SASL authentication
    /// must not run ahead of itself); a SASL listener's connections start with it set.
    /// </summary>
    public bool ProcessSequentially
    {
        get => _sequential;
        set => _sequential = value;
    }

    /// <summary>Closes the connection once the response to the current request is sent (a failed authentication).</summary>
    public void CloseAfterResponse() => _closeRequested = true;

    public bool CloseRequested => _closeRequested;

    public long Id { get; }
    public string RemoteHost { get; }
    public int RemotePort { get; }

    /// <summary>Per-connection state a handler keeps (for example the negotiated SASL state).</summary>
    public object? State { get; set; }

    // For connections.max.idle.ms: when bytes last came in or went out (a timestamp of the server's TimeProvider), and
    // how many of the connection's requests are being handled.
    internal long LastActive;
    internal int InFlight;
}
