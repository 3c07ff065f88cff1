using System.Net;
using System.Net.Sockets;
using KafkaConnect.Connect.SchemaRegistry;
using KafkaConnect.SchemaRegistry;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Cli;

/// <summary>
/// The standalone worker on its embedded broker starts a Schema Registry itself when a registry converter (Avro, JSON
/// Schema, Protobuf) has no schema.registry.url: at start-up for the worker's and connector files' converters (their
/// configs get the URL), and on first use for connectors created over REST later
/// (<see cref="RegistryConverterConfig.FallbackUrl"/>). docs/schema-registry.md, "Inside a standalone worker".
/// </summary>
internal sealed class EmbeddedSchemaRegistry(string bootstrapServers, ILoggerFactory loggers, ILogger log) : IAsyncDisposable
{
    private const int DefaultPort = 8081;

    private readonly SemaphoreSlim _startLock = new(1, 1);
    private SchemaRegistryServer? _server;

    /// <summary>Starts the registry when a converter of these configs needs it, and fills its URL into them.</summary>
    /// <returns>Whether one was needed.</returns>
    public async Task<bool> StartForAsync(Dictionary<string, string> workerProps,
        IReadOnlyList<(string Name, Dictionary<string, string> Config)> connectors, CancellationToken ct)
    {
        var needing = new List<(Dictionary<string, string> Config, string Prefix, string Where)>();
        needing.AddRange(RegistryConverters.PrefixesWithoutUrl(workerProps).Select(p => (workerProps, p, "the worker")));
        foreach (var (name, config) in connectors)
        {
            needing.AddRange(RegistryConverters.PrefixesWithoutUrl(config).Select(p => (config, p, "connector " + name)));
        }
        if (needing.Count == 0)
        {
            return false;
        }
        var url = await UrlAsync(ct).ConfigureAwait(false);
        foreach (var (config, prefix, where) in needing)
        {
            config[prefix + ".schema.registry.url"] = url;
            log.LogInformation("{Prefix} of {Where} has no schema.registry.url: using the Schema Registry started on the embedded broker at {Url}",
                prefix, where, url);
        }
        return true;
    }

    /// <summary>For a converter configured later without a URL: the registry, started now if it is not running.</summary>
    public string Url()
    {
        var started = _server is null;
        var url = UrlAsync(CancellationToken.None).GetAwaiter().GetResult();
        if (started)
        {
            log.LogInformation("A converter has no schema.registry.url: using the Schema Registry started on the embedded broker at {Url}", url);
        }
        return url;
    }

    private async Task<string> UrlAsync(CancellationToken ct)
    {
        await _startLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            // 8081 as Confluent's; a free port when something else has it (e.g. a registry of another kconnect).
            var port = PortIsFree(DefaultPort) ? DefaultPort : 0;
            _server ??= await SchemaRegistryServer.StartAsync(new SchemaRegistryOptions
            {
                BootstrapServers = bootstrapServers,
                Listeners = [$"http://127.0.0.1:{port}"],
                ReplicationFactor = 1,
                ClientConfig = new Dictionary<string, string> { ["bootstrap.servers"] = bootstrapServers },
            }, loggers, ct).ConfigureAwait(false);
            return _server.Url.ToString().TrimEnd('/');
        }
        finally
        {
            _startLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is { } server)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
        _startLock.Dispose();
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
