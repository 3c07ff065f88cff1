using KafkaConnect.Connect.Configuration;

namespace KafkaConnect.Connect.Connectors;

/// <summary>
/// Lets a connector talk back to the worker that runs it.
/// </summary>
public interface IConnectorContext
{
    /// <summary>
    /// Ask the worker to call <see cref="Connector.TaskConfigs"/> again, e.g. because the set of tables or
    /// files to copy changed. Cheap to call; the worker coalesces requests.
    /// </summary>
    void RequestTaskReconfiguration();

    /// <summary>Report an unrecoverable error from a background thread; the connector is marked failed.</summary>
    void RaiseError(Exception error);
}

/// <summary>
/// Manages copying between Kafka and one external system: it reads its configuration, decides how to split
/// the work, and hands task configurations to the worker, which runs the tasks (possibly on other workers).
/// Implement <see cref="Sources.SourceConnector"/> or <see cref="Sinks.SinkConnector"/>; the class needs a
/// public parameterless constructor.
/// </summary>
/// <remarks>
/// Lifecycle: Initialize → Start → (TaskConfigs, Reconfigure)* → Stop. A stopped instance is not restarted;
/// the worker creates a new one. Validate and Config may be called on an instance that is never started.
/// </remarks>
public abstract class Connector : IVersioned
{
    private IConnectorContext? _context;

    /// <summary>The worker-provided context; available from <see cref="Initialize"/> on.</summary>
    /// <exception cref="InvalidOperationException">Used before initialization.</exception>
    protected IConnectorContext Context => _context ?? throw new InvalidOperationException("The connector has not been initialized");

    /// <summary>Called once by the worker before <see cref="Start"/>.</summary>
    public virtual void Initialize(IConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
    }

    public abstract string Version();

    /// <summary>Starts the connector with its (already validated) configuration; keep it quick, the worker waits.</summary>
    public abstract void Start(IReadOnlyDictionary<string, string> props);

    /// <summary>Applies a new configuration; by default stops and starts again.</summary>
    public virtual void Reconfigure(IReadOnlyDictionary<string, string> props)
    {
        Stop();
        Start(props);
    }

    /// <summary>The <see cref="ITask"/> implementation to run; needs a public parameterless constructor.</summary>
    public abstract Type TaskClass { get; }

    /// <summary>
    /// Splits the work into at most <paramref name="maxTasks"/> task configurations (one per task to run).
    /// Returning fewer is fine, e.g. when there are fewer tables than tasks.
    /// </summary>
    public abstract IReadOnlyList<IReadOnlyDictionary<string, string>> TaskConfigs(int maxTasks);

    /// <summary>Stops background work and releases resources. Must be safe to call after a failed Start.</summary>
    public abstract void Stop();

    /// <summary>The settings this connector accepts; the worker adds its own (name, tasks.max, converters...).</summary>
    public abstract ConfigDef Config();

    /// <summary>
    /// Validates a configuration for the REST validate endpoint. The default checks each setting against
    /// <see cref="Config"/>; override to add cross-setting checks (add errors to the returned values).
    /// </summary>
    public virtual Config Validate(IReadOnlyDictionary<string, string> connectorConfigs)
    {
        ArgumentNullException.ThrowIfNull(connectorConfigs);
        return new Config(Config().Validate(connectorConfigs));
    }
}

/// <summary>
/// Work unit run by the worker; implement <see cref="Sources.SourceTask"/> or <see cref="Sinks.SinkTask"/>.
/// Needs a public parameterless constructor.
/// </summary>
public interface ITask : IVersioned
{
    /// <summary>Starts with one of the configurations returned by <see cref="Connector.TaskConfigs"/>.</summary>
    void Start(IReadOnlyDictionary<string, string> props);

    /// <summary>
    /// Signals the task to stop. For source tasks it may be called from another thread while a poll is running,
    /// so it should only flag the stop (the poll's cancellation token is also cancelled).
    /// </summary>
    void Stop();
}
