namespace KafkaConnect.Connect.Runtime.Herder;

/// <summary>Connector or task lifecycle states, named as Apache Kafka Connect reports them.</summary>
public enum ConnectorState { Unassigned, Running, Paused, Stopped, Failed, Restarting }

public enum ConnectorType { Source, Sink, Unknown }

public readonly record struct ConnectorTaskId(string Connector, int Task)
{
    public override string ToString() => $"{Connector}-{Task}";
}

/// <summary>GET /connectors/{name}: the configuration and the tasks it was split into.</summary>
public sealed record ConnectorInfo(string Name, IReadOnlyDictionary<string, string> Config, IReadOnlyList<ConnectorTaskId> Tasks, ConnectorType Type);

/// <summary>State of a connector or one task; Trace holds the failure's stack trace when FAILED.</summary>
public sealed record StateInfo(ConnectorState State, string WorkerId, string? Trace = null);

public sealed record TaskStateInfo(int Id, ConnectorState State, string WorkerId, string? Trace = null);

/// <summary>GET /connectors/{name}/status.</summary>
public sealed record ConnectorStateInfo(string Name, StateInfo Connector, IReadOnlyList<TaskStateInfo> Tasks, ConnectorType Type);

/// <summary>GET /connectors/{name}/tasks entry.</summary>
public sealed record TaskInfo(ConnectorTaskId Id, IReadOnlyDictionary<string, string> Config);

/// <summary>A connector's offsets as the offsets REST API shows them: source partitions/offsets, or for sinks
/// {kafka_topic, kafka_partition} → {kafka_offset}.</summary>
public sealed record ConnectorOffset(IReadOnlyDictionary<string, object?> Partition, IReadOnlyDictionary<string, object?>? Offset);

/// <summary>Kind of plugin for GET /connector-plugins.</summary>
public enum PluginType { Source, Sink, Converter, HeaderConverter, Transformation, Predicate, ConfigProvider, Unknown }

public sealed record PluginInfo(string ClassName, PluginType Type, string Version);

/// <summary>One entry of a config definition, as GET /connector-plugins/{p}/config and validate show it.</summary>
public sealed record ConfigKeyInfo(
    string Name,
    string Type,
    bool Required,
    string? DefaultValue,
    string Importance,
    string Documentation,
    string? Group,
    int OrderInGroup,
    string Width,
    string DisplayName,
    IReadOnlyList<string> Dependents);

public sealed record ConfigValueInfo(string Name, string? Value, IReadOnlyList<string> RecommendedValues, IReadOnlyList<string> Errors, bool Visible);

public sealed record ConfigInfo(ConfigKeyInfo Definition, ConfigValueInfo Value);

/// <summary>PUT /connector-plugins/{p}/config/validate.</summary>
public sealed record ConfigInfos(string Name, int ErrorCount, IReadOnlyList<string> Groups, IReadOnlyList<ConfigInfo> Configs);

/// <summary>Result of a restart request with includeTasks/onlyFailed (POST /connectors/{c}/restart).</summary>
public sealed record RestartRequest(string Connector, bool OnlyFailed, bool IncludeTasks);

/// <summary>Worker and cluster identity for GET /.</summary>
public sealed record ServerInfo(string Version, string Commit, string KafkaClusterId);
