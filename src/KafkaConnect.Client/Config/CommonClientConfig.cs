namespace KafkaConnect.Client.Config;

/// <summary>Settings every client (producer, consumer, admin) shares, with Kafka's names and defaults.</summary>
public static class CommonClientConfig
{
    public static readonly IReadOnlyList<ConfigKey> Keys =
    [
        .. Security.ClientSecurity.Keys(),
        new("bootstrap.servers", ConfigType.List, null, "host:port pairs used to discover the cluster.",
            v => ((IReadOnlyList<string>)v).Count == 0 ? "needs at least one host:port." : null),
        new("client.id", ConfigType.String, "", "Name sent with every request, for the broker's logs."),
        new("request.timeout.ms", ConfigType.Int, "30000", "How long to wait for a response before failing the request and closing the connection.", ConfigSpec.Between(1, int.MaxValue)),
        new("retry.backoff.ms", ConfigType.Long, "100", "Wait before retrying a failed request.", ConfigSpec.Between(0, long.MaxValue)),
        new("retry.backoff.max.ms", ConfigType.Long, "1000", "Upper bound of the exponential retry backoff.", ConfigSpec.Between(0, long.MaxValue)),
        new("reconnect.backoff.ms", ConfigType.Long, "50", "Wait before reconnecting to a broker.", ConfigSpec.Between(0, long.MaxValue)),
        new("reconnect.backoff.max.ms", ConfigType.Long, "1000", "Upper bound of the exponential reconnect backoff.", ConfigSpec.Between(0, long.MaxValue)),
        new("socket.connection.setup.timeout.ms", ConfigType.Long, "10000", "How long a TCP connect may take.", ConfigSpec.Between(1, long.MaxValue)),
        new("metadata.max.age.ms", ConfigType.Long, "300000", "Refresh metadata at least this often.", ConfigSpec.Between(0, long.MaxValue)),
        new("connections.max.idle.ms", ConfigType.Long, "540000", "Close connections idle this long."),
        new("client.dns.lookup", ConfigType.String, "use_all_dns_ips", "How host names are resolved.", ConfigSpec.OneOf("use_all_dns_ips", "resolve_canonical_bootstrap_servers_only")),
    ];

    /// <summary>The bootstrap list as (host, port) pairs; throws a ConfigException naming the key when malformed.</summary>
    public static IReadOnlyList<(string Host, int Port)> ParseBootstrap(IReadOnlyList<string> servers)
    {
        var result = new List<(string, int)>();
        foreach (var s in servers)
        {
            var colon = s.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(s.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
                throw new ConfigException("bootstrap.servers", $"'{s}' is not host:port.");
            var host = s[..colon];
            var scheme = host.IndexOf("://", StringComparison.Ordinal);
            if (scheme >= 0) host = host[(scheme + 3)..];
            result.Add((host.Trim('[', ']'), port));
        }
        return result;
    }
}
