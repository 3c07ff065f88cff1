using System.Diagnostics.CodeAnalysis;
using KafkaConnect.Broker.Configuration;
using KafkaConnect.Client.Admin;
using KafkaConnect.Connect.Rest;
using KafkaConnect.Connect.Runtime.Config;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace KafkaConnect.Cli;

/// <summary>What the standalone and distributed commands share to start a worker process.</summary>
internal static class WorkerHost
{
    /// <summary>Class settings resolve through the plugin registry first, then as .NET type names.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2057", Justification = "A type name from a config file; in the native build only kept types resolve, and the plugin registry answers first.")]
    public static Func<string, Type?> ClassResolver(Connect.Runtime.Plugins.PluginRegistry plugins) =>
        name => plugins.TryResolve(name, out var t) ? t : Type.GetType(name);

    /// <summary>Console logging whose levels live in one registry, so PUT /admin/loggers changes them while the worker runs.</summary>
    public static (ILoggerFactory Loggers, LogLevelRegistry Levels) CreateLogging()
    {
        var logLevels = new LogLevelRegistry(LogLevel.Information);
        logLevels.SetInitialLevel("Microsoft.AspNetCore", LogLevel.Warning);
        var loggers = LoggerFactory.Create(b => b
            .SetMinimumLevel(LogLevel.Trace)
            .AddConsole(o => o.FormatterName = ConnectConsoleFormatter.FormatterName)
            // Registered directly: AddConsoleFormatter<,> binds options from configuration by reflection, and we have none.
            .AddConnectConsoleFormatter()
            .AddLogLevelRegistry(logLevels));
        // Plugins are created by class name without arguments: they find the worker's loggers here.
        Connect.Util.ConnectLogging.LoggerFactory = loggers;
        return (loggers, logLevels);
    }

    /// <summary>
    /// The worker file with config provider references in its own values resolved (as in Apache; only the worker
    /// sees them resolved). Throws <see cref="Connect.Errors.ConfigException"/> for a bad provider setup.
    /// </summary>
    public static Dictionary<string, string> LoadWorkerProperties(string path, ILoggerFactory loggers) =>
        new(Connect.ConfigProviders.WorkerConfigProviders.ResolveWorkerProperties(JavaProperties.Load(path),
            log: loggers.CreateLogger("KafkaConnect.Connect.ConfigProviders")), StringComparer.Ordinal);

    /// <summary>
    /// The cluster id; or no id and no problem when the cluster does not answer within 5 seconds; or a problem that
    /// waiting will not fix (the worker's client settings are wrong, or the cluster refused its credentials).
    /// </summary>
    public static async Task<(string? ClusterId, string? Problem)> CheckClusterAsync(WorkerConfig config)
    {
        var props = config.ClientConfig("admin.");
        props.TryAdd("request.timeout.ms", "5000");
        props.TryAdd("socket.connection.setup.timeout.ms", "5000");
        KafkaAdminClient admin;
        try
        {
            admin = new KafkaAdminClient(props);
        }
        catch (Client.Config.ConfigException ex)
        {
            return (null, $"the worker's Kafka client settings are invalid: {ex.Message}");
        }
        await using (admin.ConfigureAwait(false))
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                var cluster = await admin.DescribeClusterAsync(cts.Token).ConfigureAwait(false);
                return (cluster.ClusterId ?? "", null);
            }
            catch (Client.Security.KafkaAuthenticationException ex)
            {
                return (null, $"Kafka at bootstrap.servers={config.BootstrapServersValue} refused the worker: {ex.Message}");
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return (null, null);
            }
        }
    }
}
