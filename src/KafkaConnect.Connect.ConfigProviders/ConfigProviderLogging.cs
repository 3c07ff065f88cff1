using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaConnect.Connect.ConfigProviders;

/// <summary>
/// Where the built-in config providers log. Providers are created by class name with no arguments, so the host
/// assigns the factory once at startup (as Apache's providers log through a static SLF4J factory). Only paths
/// and key names are ever logged, never resolved values.
/// </summary>
public static class ConfigProviderLogging
{
    private static ILoggerFactory s_loggerFactory = NullLoggerFactory.Instance;

    /// <summary>Used by providers created afterwards; no logging until set.</summary>
    public static ILoggerFactory LoggerFactory
    {
        get => s_loggerFactory;
        set => s_loggerFactory = value ?? NullLoggerFactory.Instance;
    }
}
