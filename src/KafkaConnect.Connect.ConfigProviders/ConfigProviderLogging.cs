using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.ConfigProviders;

/// <summary>
/// Where the built-in config providers log. Providers are created by class name with no arguments, so the host
/// assigns the factory once at startup (as Apache's providers log through a static SLF4J factory). Only paths
/// and key names are ever logged, never resolved values.
/// </summary>
public static class ConfigProviderLogging
{
    /// <summary>The worker's factory (<see cref="Util.ConnectLogging"/>), read when a plugin instance is created.</summary>
    public static ILoggerFactory LoggerFactory => Util.ConnectLogging.LoggerFactory;
}
