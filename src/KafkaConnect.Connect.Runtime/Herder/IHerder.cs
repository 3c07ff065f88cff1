namespace KafkaConnect.Connect.Runtime.Herder;

/// <summary>
/// The one front door to a Connect worker: the REST API and the CLI call only this. Standalone and
/// (later) distributed modes implement it. Errors: <see cref="KafkaConnect.Connect.Errors.NotFoundException"/>
/// (404), <see cref="KafkaConnect.Connect.Errors.AlreadyExistsException"/> (409),
/// <see cref="BadRequestException"/> (400), <see cref="KafkaConnect.Connect.Errors.ConfigException"/> for an invalid
/// connector config (400, with the validation messages), <see cref="RebalanceInProgressException"/> (409).
/// </summary>
public interface IHerder
{
    /// <summary>True once start-up is complete (REST answers 503 before).</summary>
    bool IsReady { get; }

    ServerInfo ServerInfo { get; }

    Task<IReadOnlyList<string>> ConnectorsAsync(CancellationToken ct = default);

    Task<ConnectorInfo> ConnectorInfoAsync(string connector, CancellationToken ct = default);

    Task<IReadOnlyDictionary<string, string>> ConnectorConfigAsync(string connector, CancellationToken ct = default);

    /// <summary>Creates or replaces a connector. Returns (created, info). With allowReplace=false an existing name is a conflict.</summary>
    Task<(bool Created, ConnectorInfo Info)> PutConnectorConfigAsync(string connector, IReadOnlyDictionary<string, string> config, bool allowReplace, CancellationToken ct = default);

    /// <summary>Merges the patch into the existing config; a null value removes the key (PATCH /connectors/{c}/config).</summary>
    Task<ConnectorInfo> PatchConnectorConfigAsync(string connector, IReadOnlyDictionary<string, string?> patch, CancellationToken ct = default);

    Task DeleteConnectorAsync(string connector, CancellationToken ct = default);

    Task<ConnectorStateInfo> ConnectorStatusAsync(string connector, CancellationToken ct = default);

    Task<TaskStateInfo> TaskStatusAsync(ConnectorTaskId id, CancellationToken ct = default);

    Task<IReadOnlyList<TaskInfo>> TaskConfigsAsync(string connector, CancellationToken ct = default);

    Task RestartConnectorAsync(string connector, CancellationToken ct = default);

    /// <summary>Restarts the connector and/or its tasks; returns the status right after the restart was requested.</summary>
    Task<ConnectorStateInfo> RestartConnectorAndTasksAsync(RestartRequest request, CancellationToken ct = default);

    Task RestartTaskAsync(ConnectorTaskId id, CancellationToken ct = default);

    Task PauseConnectorAsync(string connector, CancellationToken ct = default);

    Task ResumeConnectorAsync(string connector, CancellationToken ct = default);

    Task StopConnectorAsync(string connector, CancellationToken ct = default);

    Task<IReadOnlyList<ConnectorOffset>> ConnectorOffsetsAsync(string connector, CancellationToken ct = default);

    /// <summary>Alters (PATCH) or, with null, resets (DELETE) a stopped connector's offsets; returns the message to show.</summary>
    Task<string> AlterConnectorOffsetsAsync(string connector, IReadOnlyList<ConnectorOffset>? offsets, CancellationToken ct = default);

    /// <summary>Topics the connector has used since its topics were last reset.</summary>
    Task<IReadOnlyList<string>> ConnectorActiveTopicsAsync(string connector, CancellationToken ct = default);

    Task ResetConnectorActiveTopicsAsync(string connector, CancellationToken ct = default);

    IReadOnlyList<PluginInfo> Plugins(bool connectorsOnly);

    /// <summary>The config definition of a plugin (connector, converter, transform, predicate) by class name or alias.</summary>
    IReadOnlyList<ConfigKeyInfo> PluginConfig(string pluginName);

    /// <summary>Validates a connector config the way PUT /connector-plugins/{p}/config/validate reports it.</summary>
    Task<ConfigInfos> ValidateConnectorConfigAsync(string pluginName, IReadOnlyDictionary<string, string> config, CancellationToken ct = default);
}

/// <summary>The request cannot be served as asked (HTTP 400).</summary>
public sealed class BadRequestException : KafkaConnect.Connect.Errors.ConnectException
{
    public BadRequestException(string message) : base(message) { }
}

/// <summary>The worker is rebalancing or starting; try again (HTTP 409).</summary>
public sealed class RebalanceInProgressException : KafkaConnect.Connect.Errors.ConnectException
{
    public RebalanceInProgressException(string message) : base(message) { }
}
