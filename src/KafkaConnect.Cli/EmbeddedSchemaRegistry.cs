using System.Net;
using System.Net.Sockets;
using KafkaConnect.SchemaRegistry;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Cli;

/// <summary>
/// The standalone worker on its embedded broker starts a Schema Registry itself when a registry converter (Avro, JSON
/// Schema, Protobuf) in the worker or a connector file has no schema.registry.url, and points those converters at it
/// (docs/schema-registry.md, "Inside a standalone worker").
/// </summary>
internal static class EmbeddedSchemaRegistry
{
    private const int DefaultPort = 8081;

    /// <summary>Null when no converter needs one; otherwise the started registry, with the URL filled into the configs.</summary>
    public static async Task<SchemaRegistryServer?> StartIfNeededAsync(Dictionary<string, string> workerProps,
        IReadOnlyList<(string Name, Dictionary<string, string> Config)> connectors, string bootstrapServers, ILoggerFactory loggers,
        ILogger log, CancellationToken ct)
    {
        var needing = new List<(Dictionary<string, string> Config, string Prefix, string Where)>();
        needing.AddRange(RegistryConverters.PrefixesWithoutUrl(workerProps).Select(p => (workerProps, p, "the worker")));
        foreach (var (name, config) in connectors)
        {
            needing.AddRange(RegistryConverters.PrefixesWithoutUrl(config).Select(p => (config, p, "connector " + name)));
        }
        if (needing.Count == 0)
        {
            return null;
        }
        // 8081 as Confluent's; a free port when something else has it (e.g. a registry of another kconnect).
        var port = PortIsFree(DefaultPort) ? DefaultPort : 0;
        var registry = await SchemaRegistryServer.StartAsync(new SchemaRegistryOptions
        {
            BootstrapServers = bootstrapServers,
            Listeners = [$"http://127.0.0.1:{port}"],
            ReplicationFactor = 1,
            ClientConfig = new Dictionary<string, string> { ["bootstrap.servers"] = bootstrapServers },
        }, loggers, ct).ConfigureAwait(false);
        var url = registry.Url.ToString().TrimEnd('/');
        foreach (var (config, prefix, where) in needing)
        {
            config[prefix + ".schema.registry.url"] = url;
            log.LogInformation("{Prefix} of {Where} has no schema.registry.url: using the Schema Registry started on the embedded broker at {Url}",
                prefix, where, url);
        }
        return registry;
    }

    private static bool PortIsFree(int port)
    {
        try
        {
            using var probe = new TcpListener(IPAddress.Loopback, port);
            probe.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
