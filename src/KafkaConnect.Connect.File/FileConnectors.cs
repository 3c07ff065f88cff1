using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaConnect.Connect.Files;

/// <summary>
/// Shared settings of the file connectors. The Connect API has no logging hook, so the host assigns
/// <see cref="LoggerFactory"/> once at startup (as Apache's connectors log through a static SLF4J factory).
/// </summary>
public static class FileConnectors
{
    private static ILoggerFactory s_loggerFactory = NullLoggerFactory.Instance;

    /// <summary>Where the connectors and tasks created afterwards log; no logging until set.</summary>
    public static ILoggerFactory LoggerFactory
    {
        get => s_loggerFactory;
        set => s_loggerFactory = value ?? NullLoggerFactory.Instance;
    }

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
