using System.Reflection;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.Files;

/// <summary>
/// Shared settings of the file connectors. They log through the Connect API's hook, which the worker assigns
/// once at startup (as Apache's connectors log through a static SLF4J factory).
/// </summary>
public static class FileConnectors
{
    /// <summary>The worker's factory (<see cref="Util.ConnectLogging"/>), read when a plugin instance is created.</summary>
    public static ILoggerFactory LoggerFactory => Util.ConnectLogging.LoggerFactory;

    /// <summary>The assembly's informational version without build metadata.</summary>
    internal static string Version { get; } = ReadVersion();

    private static string ReadVersion()
    {
        var assembly = typeof(FileConnectors).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "unknown";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
