namespace KafkaConnect.Connect.Errors;

/// <summary>
/// Base of every error the Connect framework or a plugin raises on purpose. The worker treats it as fatal
/// for the task unless it is a <see cref="RetriableException"/>.
/// </summary>
public class ConnectException : Exception
{
    public ConnectException()
    {
    }

    public ConnectException(string message) : base(message)
    {
    }

    public ConnectException(string message, Exception? innerException) : base(message, innerException)
    {
    }
}

/// <summary>A value does not fit its schema, or data could not be converted.</summary>
public class DataException : ConnectException
{
    public DataException()
    {
    }

    public DataException(string message) : base(message)
    {
    }

    public DataException(string message, Exception? innerException) : base(message, innerException)
    {
    }
}

/// <summary>An invalid <see cref="Data.SchemaBuilder"/> call, e.g. setting the name twice.</summary>
public sealed class SchemaBuilderException : DataException
{
    public SchemaBuilderException()
    {
    }

    public SchemaBuilderException(string message) : base(message)
    {
    }

    public SchemaBuilderException(string message, Exception? innerException) : base(message, innerException)
    {
    }
}

/// <summary>
/// A transient failure: the worker retries the operation (e.g. <c>Put</c> or <c>Poll</c>) instead of failing
/// the task. Throw it for timeouts and unavailable downstream systems.
/// </summary>
public class RetriableException : ConnectException
{
    public RetriableException()
    {
    }

    public RetriableException(string message) : base(message)
    {
    }

    public RetriableException(string message, Exception? innerException) : base(message, innerException)
    {
    }
}

/// <summary>
/// A configuration is missing or invalid. The message names the key so the REST validate endpoint and logs
/// point the user at the setting to fix.
/// </summary>
public class ConfigException : ConnectException
{
    public ConfigException()
    {
    }

    public ConfigException(string message) : base(message)
    {
    }

    public ConfigException(string message, Exception? innerException) : base(message, innerException)
    {
    }

    /// <summary>Formats "Invalid value {value} for configuration {name}: {reason}" like Apache Kafka does.</summary>
    public ConfigException(string name, object? value, string? reason)
        : base(FormatMessage(name, value, reason))
    {
        ConfigName = name;
    }

    /// <summary>The configuration key at fault, when known.</summary>
    public string? ConfigName { get; }

    private static string FormatMessage(string name, object? value, string? reason)
    {
        // Passwords render as "[hidden]" through their ToString, so secrets never reach messages.
        var shown = value switch
        {
            null => "null",
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            System.Collections.IEnumerable e and not string => string.Join(",", e.Cast<object?>()),
            _ => value.ToString(),
        };
        return reason is null
            ? $"Invalid value {shown} for configuration {name}"
            : $"Invalid value {shown} for configuration {name}: {reason}";
    }
}

/// <summary>The referenced connector, task or resource does not exist.</summary>
public sealed class NotFoundException : ConnectException
{
    public NotFoundException()
    {
    }

    public NotFoundException(string message) : base(message)
    {
    }

    public NotFoundException(string message, Exception? innerException) : base(message, innerException)
    {
    }
}

/// <summary>A resource being created (e.g. a connector) already exists.</summary>
public sealed class AlreadyExistsException : ConnectException
{
    public AlreadyExistsException()
    {
    }

    public AlreadyExistsException(string message) : base(message)
    {
    }

    public AlreadyExistsException(string message, Exception? innerException) : base(message, innerException)
    {
    }
}

/// <summary>A plugin called into the worker at a time it cannot serve the call (e.g. before initialization).</summary>
public sealed class IllegalWorkerStateException : ConnectException
{
    public IllegalWorkerStateException()
    {
    }

    public IllegalWorkerStateException(string message) : base(message)
    {
    }

    public IllegalWorkerStateException(string message, Exception? innerException) : base(message, innerException)
    {
    }
}
