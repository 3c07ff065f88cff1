namespace KafkaConnect.Network;

/// <summary>Limits that keep one connection from exhausting the process.</summary>
public sealed record FrameLimits
{
    /// <summary>Largest request frame accepted (Kafka's socket.request.max.bytes, default 100 MiB).</summary>
    public int MaxFrameBytes { get; init; } = 100 * 1024 * 1024;

    /// <summary>Requests read ahead of their responses on one connection (pipelining depth).</summary>
    public int MaxInFlightPerConnection { get; init; } = 64;
}
