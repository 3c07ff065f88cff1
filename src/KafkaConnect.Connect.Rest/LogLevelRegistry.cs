using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.Rest;

/// <summary>
/// Runtime-adjustable log levels keyed by logger (category) name, the backing store of
/// <c>/admin/loggers</c>. Plug it into a logger factory with <see cref="LogLevelRegistryExtensions.AddLogLevelRegistry"/>;
/// a level set for a name applies to that category and every category below it ("KafkaConnect.Connect" covers
/// "KafkaConnect.Connect.Runtime.Worker"). Level names are log4j's (TRACE, DEBUG, INFO, WARN, ERROR, FATAL, OFF).
/// </summary>
public sealed class LogLevelRegistry
{
    /// <summary>The name Apache Kafka Connect uses for the root logger.</summary>
    public const string RootLoggerName = "root";

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly SortedDictionary<string, Entry> _explicit = new(StringComparer.Ordinal);
    // Categories seen by the filter: "current loggers", so GET /admin/loggers/{name} can answer for them.
    private readonly ConcurrentDictionary<string, byte> _known = new(StringComparer.Ordinal);
    // Effective level per category; cleared on every change so the filter stays a single lookup.
    private readonly ConcurrentDictionary<string, LogLevel> _effective = new(StringComparer.Ordinal);
    private Entry _root;

    public LogLevelRegistry(LogLevel rootLevel = LogLevel.Information, TimeProvider? timeProvider = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        _root = new Entry(rootLevel, null);
    }

    /// <summary>Sets the level of a logger read from configuration at start-up (no last-modified time, as Apache).</summary>
    public void SetInitialLevel(string name, LogLevel level)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_lock)
        {
            if (name == RootLoggerName)
            {
                _root = new Entry(level, null);
            }
            else
            {
                _explicit[name] = new Entry(level, null);
            }
            _effective.Clear();
        }
    }

    /// <summary>
    /// Sets <paramref name="name"/> and every known logger below it to <paramref name="level"/>; "root" sets all
    /// loggers. Returns the affected logger names, sorted.
    /// </summary>
    public IReadOnlyList<string> SetLevel(string name, LogLevel level)
    {
        ArgumentNullException.ThrowIfNull(name);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var entry = new Entry(level, now);
        var affected = new SortedSet<string>(StringComparer.Ordinal);
        lock (_lock)
        {
            var isRoot = name == RootLoggerName;
            if (isRoot)
            {
                _root = entry;
                affected.Add(RootLoggerName);
            }
            else
            {
                _explicit[name] = entry;
                affected.Add(name);
            }
            foreach (var known in _known.Keys)
            {
                if (isRoot || IsUnder(known, name))
                {
                    affected.Add(known);
                }
            }
            foreach (var key in _explicit.Keys.ToArray())
            {
                if (isRoot || IsUnder(key, name))
                {
                    _explicit[key] = entry;
                    affected.Add(key);
                }
            }
            _effective.Clear();
        }
        return [.. affected];
    }

    /// <summary>Loggers whose level was set explicitly (configuration or REST), plus root.</summary>
    public IReadOnlyDictionary<string, (LogLevel Level, long? LastModified)> AllLevels()
    {
        var result = new SortedDictionary<string, (LogLevel, long?)>(StringComparer.Ordinal);
        lock (_lock)
        {
            result[RootLoggerName] = (_root.Level, _root.LastModified);
            foreach (var (name, entry) in _explicit)
            {
                result[name] = (entry.Level, entry.LastModified);
            }
        }
        return result;
    }

    /// <summary>The effective level of a known logger, with the time it was last set; false for unknown names.</summary>
    public bool TryGetLevel(string name, out LogLevel level, out long? lastModified)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_lock)
        {
            if (name == RootLoggerName)
            {
                (level, lastModified) = (_root.Level, _root.LastModified);
                return true;
            }
            if (_explicit.TryGetValue(name, out var entry))
            {
                (level, lastModified) = (entry.Level, entry.LastModified);
                return true;
            }
            if (_known.ContainsKey(name))
            {
                entry = Resolve(name);
                (level, lastModified) = (entry.Level, entry.LastModified);
                return true;
            }
        }
        level = LogLevel.None;
        lastModified = null;
        return false;
    }

    /// <summary>The effective minimum level for a category (registers the category as a known logger).</summary>
    public LogLevel MinimumLevel(string category)
    {
        ArgumentNullException.ThrowIfNull(category);
        if (_effective.TryGetValue(category, out var level))
        {
            return level;
        }
        _known.TryAdd(category, 0);
        lock (_lock)
        {
            level = Resolve(category).Level;
            _effective[category] = level;
        }
        return level;
    }

    /// <summary>A logging filter: true when <paramref name="level"/> is enabled for <paramref name="category"/>.</summary>
    public bool IsEnabled(string? category, LogLevel level) =>
        level != LogLevel.None && level >= MinimumLevel(category ?? string.Empty);

    /// <summary>Parses a log4j level name (case-insensitive); ALL maps to Trace, FATAL to Critical, OFF to None.</summary>
    public static bool TryParseLevel(string? text, out LogLevel level)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case "ALL":
            case "TRACE": level = LogLevel.Trace; return true;
            case "DEBUG": level = LogLevel.Debug; return true;
            case "INFO": level = LogLevel.Information; return true;
            case "WARN": level = LogLevel.Warning; return true;
            case "ERROR": level = LogLevel.Error; return true;
            case "FATAL": level = LogLevel.Critical; return true;
            case "OFF": level = LogLevel.None; return true;
            default: level = LogLevel.None; return false;
        }
    }

    /// <summary>The log4j name of a level, as the REST API shows it.</summary>
    public static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRACE",
        LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARN",
        LogLevel.Error => "ERROR",
        LogLevel.Critical => "FATAL",
        _ => "OFF",
    };

    // Caller holds _lock. Longest explicit ancestor (at a '.' boundary) wins, else root.
    private Entry Resolve(string category)
    {
        var name = category;
        while (true)
        {
            if (_explicit.TryGetValue(name, out var entry))
            {
                return entry;
            }
            var dot = name.LastIndexOf('.');
            if (dot <= 0)
            {
                return _root;
            }
            name = name[..dot];
        }
    }

    private static bool IsUnder(string candidate, string ancestor) =>
        candidate.Length > ancestor.Length
        && candidate.StartsWith(ancestor, StringComparison.Ordinal)
        && candidate[ancestor.Length] == '.';

    private readonly record struct Entry(LogLevel Level, long? LastModified);
}

public static class LogLevelRegistryExtensions
{
    /// <summary>
    /// Routes every logger's level decision through <paramref name="registry"/> so PUT /admin/loggers takes effect
    /// at once. Call it last: a more specific filter rule added later would take precedence.
    /// </summary>
    public static ILoggingBuilder AddLogLevelRegistry(this ILoggingBuilder builder, LogLevelRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(registry);
        builder.SetMinimumLevel(LogLevel.Trace);
        return builder.AddFilter((_, category, level) => registry.IsEnabled(category, level));
    }
}
