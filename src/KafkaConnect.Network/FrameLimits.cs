namespace KafkaConnect.Network;

/// <summary>Limits that keep one connection, or many, from exhausting the process.</summary>
public sealed record FrameLimits
{
    /// <summary>Largest request frame accepted (Kafka's socket.request.max.bytes, default 100 MiB).</summary>
    public int MaxFrameBytes { get; init; } = 100 * 1024 * 1024;

    /// <summary>Requests read ahead of their responses on one connection (pipelining depth).</summary>
    public int MaxInFlightPerConnection { get; init; } = 64;

    /// <summary>Open connections at most (Kafka's max.connections); at the limit new ones wait to be accepted.</summary>
    public int MaxConnections { get; init; } = int.MaxValue;

    /// <summary>Open connections from one IP address at most (max.connections.per.ip); over it a new one is closed.</summary>
    public int MaxConnectionsPerIp { get; init; } = int.MaxValue;

    /// <summary>
    /// Bytes of requests read but not yet handled, across connections, before reading stops (Kafka's
    /// queued.max.request.bytes); -1 is unbounded.
    /// </summary>
    public long QueuedMaxRequestBytes { get; init; } = -1;

    /// <summary>
    /// A connection that sends nothing for this long while none of its requests is being handled is closed (Kafka's
    /// connections.max.idle.ms, default 10 minutes); -1 never closes one.
    /// </summary>
    public long ConnectionsMaxIdleMs { get; init; } = 600_000;

    /// <summary>
    /// Largest frame a SASL connection may send while it authenticates (Kafka's sasl.server.max.receive.size), so a
    /// client that has not logged in cannot make the broker reserve socket.request.max.bytes.
    /// </summary>
    public int MaxSaslFrameBytes { get; init; } = 524_288;

    /// <summary>How long a TLS client has to finish its handshake before its connection is closed.</summary>
    public TimeSpan TlsHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
