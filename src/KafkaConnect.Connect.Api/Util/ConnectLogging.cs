using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaConnect.Connect.Util;

/// <summary>
/// Where plugins log. Connectors, tasks, converters, transforms and config providers are created by class name with
/// no arguments, so the worker assigns the factory once at start-up (as Apache's plugins log through SLF4J's static
/// factory). While the worker runs a connector or task it opens a logging scope naming it, so a plugin's log lines
/// carry <c>[connector|task-N]</c> without passing anything around.
/// </summary>
public static class ConnectLogging
{
    private static ILoggerFactory s_loggerFactory = NullLoggerFactory.Instance;

    /// <summary>The worker's logger factory; a no-op factory until the worker sets it (e.g. in unit tests).</summary>
    public static ILoggerFactory LoggerFactory
    {
        get => s_loggerFactory;
        set => s_loggerFactory = value ?? NullLoggerFactory.Instance;
    }
}
