using System.Globalization;
using KafkaConnect.Connect.Runtime.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace KafkaConnect.Cli;

/// <summary>
/// The console's single-line layout (<c>2026-12-02 20:01:44.734 info: Category[0] message</c>) with the connector
/// context Apache prints (<c>[name|task-0]</c>) taken from the worker's logging scope. Other scopes (ASP.NET Core's
/// request and trace ids) are left out: they would lengthen every line a REST call causes.
/// </summary>
internal sealed class ConnectConsoleFormatter : ConsoleFormatter
{
    public const string FormatterName = "connect";

    private readonly bool _colors = !Console.IsOutputRedirected;

    public ConnectConsoleFormatter()
        : base(FormatterName)
    {
    }

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }
        textWriter.Write(DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss.fff ", CultureInfo.InvariantCulture));
        var (level, color) = Level(logEntry.LogLevel);
        if (_colors && color is not null)
        {
            textWriter.Write(color);
            textWriter.Write(level);
            textWriter.Write("\u001b[0m");
        }
        else
        {
            textWriter.Write(level);
        }
        textWriter.Write(": ");
        textWriter.Write(logEntry.Category);
        textWriter.Write('[');
        textWriter.Write(logEntry.EventId.Id.ToString(CultureInfo.InvariantCulture));
        textWriter.Write(']');
        if (InnermostContext(scopeProvider) is { } context)
        {
            textWriter.Write(' ');
            textWriter.Write(context.ToString());
        }
        if (!string.IsNullOrEmpty(message))
        {
            textWriter.Write(' ');
            WriteOneLine(textWriter, message);
        }
        if (logEntry.Exception is { } exception)
        {
            textWriter.Write(' ');
            WriteOneLine(textWriter, exception.ToString());
        }
        textWriter.Write(Environment.NewLine);
    }

    internal static ConnectLogContext? InnermostContext(IExternalScopeProvider? scopes)
    {
        var found = new ConnectLogContext?[1];
        scopes?.ForEachScope(static (scope, box) =>
        {
            if (scope is ConnectLogContext context)
            {
                box[0] = context;
            }
        }, found);
        return found[0];
    }

    // As the single-line console layout does: a multi-line message or stack trace stays on its entry's line.
    private static void WriteOneLine(TextWriter writer, string text) =>
        writer.Write(text.Contains('\n', StringComparison.Ordinal) ? text.Replace("\r\n", " ", StringComparison.Ordinal).Replace('\n', ' ') : text);

    private static (string Text, string? Color) Level(LogLevel level) => level switch
    {
        LogLevel.Trace => ("trce", null),
        LogLevel.Debug => ("dbug", null),
        LogLevel.Information => ("info", "\u001b[32m"),
        LogLevel.Warning => ("warn", "\u001b[33m"),
        LogLevel.Error => ("fail", "\u001b[31m"),
        LogLevel.Critical => ("crit", "\u001b[1;31m"),
        _ => ("none", null),
    };
}

internal static class ConnectConsoleFormatterExtensions
{
    public static ILoggingBuilder AddConnectConsoleFormatter(this ILoggingBuilder builder)
    {
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ConsoleFormatter, ConnectConsoleFormatter>(_ => new ConnectConsoleFormatter()));
        return builder;
    }
}
