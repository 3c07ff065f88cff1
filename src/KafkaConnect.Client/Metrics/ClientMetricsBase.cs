namespace KafkaConnect.Client.Metrics;

/// <summary>
/// Counts of one client's connections (Apache's selector metrics: request-total, response-total, outgoing-byte-total,
/// incoming-byte-total, connection-count), kept by every <see cref="KafkaConnection"/> the client opens.
/// </summary>
internal sealed class NetworkCounters
{
    public long Requests;
    public long Responses;
    public long OutgoingBytes;
    public long IncomingBytes;
    public int Connections;

    public void Sent(int bytes)
    {
        Interlocked.Increment(ref Requests);
        Interlocked.Add(ref OutgoingBytes, bytes);
    }

    public void Received(int bytes)
    {
        Interlocked.Increment(ref Responses);
        Interlocked.Add(ref IncomingBytes, bytes);
    }
}

/// <summary>
/// A live client's metrics: its client id, the label set of its client-level series, and its network counters.
/// Listed in <see cref="ClientMetrics"/> from <see cref="Register"/> until <see cref="Unregister"/>, so a closed client's
/// series disappear.
/// </summary>
internal abstract class ClientMetricsBase
{
    protected ClientMetricsBase(string clientId)
    {
        ClientId = clientId;
        Tags = [new("client_id", clientId)];
    }

    public string ClientId { get; }

    /// <summary>The client-level label set (the JMX exporter's client_id label of the client-id MBean key).</summary>
    public KeyValuePair<string, object?>[] Tags { get; }

    public NetworkCounters Network { get; } = new();

    /// <summary>The client-level *-rate metrics, read from the counters when collected.</summary>
    public RateSet Rates { get; } = new();

    public void Register() => ClientMetrics.Add(this);

    public void Unregister() => ClientMetrics.Remove(this);
}

/// <summary>The admin client's metrics: admin-client-metrics holds only the network counters.</summary>
internal sealed class AdminMetrics(string clientId) : ClientMetricsBase(clientId);
