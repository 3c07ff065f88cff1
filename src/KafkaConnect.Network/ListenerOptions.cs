using System.Net;
using KafkaConnect.Security;

namespace KafkaConnect.Network;

/// <summary>One socket the server listens on and how its connections are secured.</summary>
public sealed class ListenerOptions
{
    /// <summary>The listener's name, passed to the handler with each connection (for the endpoint it advertises).</summary>
    public required string Name { get; init; }

    public required IPEndPoint EndPoint { get; init; }

    /// <summary>When set, every connection starts with a TLS handshake as the server.</summary>
    public TlsSettings? Tls { get; init; }

    /// <summary>Connections must authenticate with SASL; their requests are handled one at a time until they have.</summary>
    public bool Sasl { get; init; }
}
