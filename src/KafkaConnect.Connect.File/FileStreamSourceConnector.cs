using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Sources;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.Files;

/// <summary>
/// Reads lines from a file (or standard input) into one topic; the counterpart of Apache Kafka's
/// <c>org.apache.kafka.connect.file.FileStreamSourceConnector</c>. A single stream allows a single task.
/// </summary>
public sealed class FileStreamSourceConnector : SourceConnector
{
    public const string TopicConfig = "topic";
    public const string FileConfig = "file";
    public const string TaskBatchSizeConfig = "batch.size";
    public const int DefaultTaskBatchSize = 2000;

    internal const string SingleTopicMessage =
        "'topic' in FileStreamSourceConnector configuration requires definition of a single topic";

    // Apache drops the batch.size bound; we keep it so a zero or negative size fails validation instead of
    // silently meaning "one record per poll".
    internal static readonly ConfigDef ConfigDefinition = new ConfigDef()
        .Define(FileConfig, ConfigType.String, null, Importance.High,
            "Source filename. If not specified, the standard input will be used")
        .Define(TopicConfig, ConfigType.String, ConfigDef.NoDefaultValue, ConfigDef.NonEmptyString.Instance, Importance.High,
            "The topic to publish data to")
        .Define(TaskBatchSizeConfig, ConfigType.Int, DefaultTaskBatchSize, ConfigDef.Range.AtLeast(1), Importance.Low,
            "The maximum number of records the source task can read from the file each time it is polled");

    private readonly ILogger _log = FileConnectors.LoggerFactory.CreateLogger<FileStreamSourceConnector>();
    private IReadOnlyDictionary<string, string> _props = new Dictionary<string, string>();

    public override string Version() => FileConnectors.Version;

    public override Type TaskClass => typeof(FileStreamSourceTask);

    public override void Start(IReadOnlyDictionary<string, string> props)
    {
        ArgumentNullException.ThrowIfNull(props);
        var config = Parse(props);
        _props = props;
        var filename = config.GetString(FileConfig);
        _log.LogInformation("Starting file source connector reading from {Source}",
            string.IsNullOrEmpty(filename) ? "standard input" : filename);
    }

    /// <summary>Always one task: the whole configuration, since only one reader per stream makes sense.</summary>
    public override IReadOnlyList<IReadOnlyDictionary<string, string>> TaskConfigs(int maxTasks) => [_props];

    public override void Stop()
    {
    }

    /// <summary>A copy of the definition, so callers extending it cannot change ours.</summary>
    public override ConfigDef Config() => new(ConfigDefinition);

    public override Config Validate(IReadOnlyDictionary<string, string> connectorConfigs)
    {
        var result = base.Validate(connectorConfigs);
        foreach (var value in result.ConfigValues)
        {
            if (value.Name == TopicConfig && value.ErrorMessages.Count == 0 && IsTopicList(value.Value as string))
            {
                value.AddErrorMessage(SingleTopicMessage);
            }
        }
        return result;
    }

    /// <summary>Exactly-once is possible for a real file (as long as it is only appended to), never for stdin.</summary>
    public override ExactlyOnceSupport? ExactlyOnceSupport(IReadOnlyDictionary<string, string> connectorConfig)
    {
        ArgumentNullException.ThrowIfNull(connectorConfig);
        var filename = new AbstractConfig(ConfigDefinition, connectorConfig).GetString(FileConfig);
        return string.IsNullOrEmpty(filename) ? Sources.ExactlyOnceSupport.Unsupported : Sources.ExactlyOnceSupport.Supported;
    }

    /// <summary>
    /// Accepts offset changes of the shape the task writes (<c>{"filename": ...}</c> → <c>{"position": n ≥ 0}</c>);
    /// tombstones are allowed for any partition so stale entries can be cleaned up. The task checks the
    /// position against the file when it next starts.
    /// </summary>
    /// <exception cref="ConnectException">The connector reads stdin, or an offset or partition is malformed.</exception>
    public override bool AlterOffsets(
        IReadOnlyDictionary<string, string> connectorConfig,
        IReadOnlyDictionary<IReadOnlyDictionary<string, object?>, IReadOnlyDictionary<string, object?>?> offsets)
    {
        ArgumentNullException.ThrowIfNull(connectorConfig);
        ArgumentNullException.ThrowIfNull(offsets);
        var filename = new AbstractConfig(ConfigDefinition, connectorConfig).GetString(FileConfig);
        if (string.IsNullOrEmpty(filename))
        {
            throw new ConnectException(
                $"Offsets cannot be modified if the '{FileConfig}' configuration is unspecified. "
                + "This is because stdin is used for input and offsets are not tracked.");
        }
        foreach (var (partition, offset) in offsets)
        {
            if (offset is null)
            {
                continue;
            }
            if (!offset.TryGetValue(FileStreamSourceTask.PositionField, out var position))
            {
                throw new ConnectException(
                    $"Offset objects should either be null or contain the key '{FileStreamSourceTask.PositionField}'");
            }
            if (!FileStreamSourceTask.TryGetPosition(position, out var value))
            {
                throw new ConnectException(
                    $"The value for the '{FileStreamSourceTask.PositionField}' key in the offset is expected to be a Long value");
            }
            if (value < 0)
            {
                throw new ConnectException(
                    $"The value for the '{FileStreamSourceTask.PositionField}' key in the offset should be a non-negative value");
            }
            if (partition is null)
            {
                throw new ConnectException("Partition objects cannot be null");
            }
            if (!partition.ContainsKey(FileStreamSourceTask.FilenameField))
            {
                throw new ConnectException($"Partition objects should contain the key '{FileStreamSourceTask.FilenameField}'");
            }
        }
        return true;
    }

    /// <summary>Parses and checks a configuration the way Start and the task need it.</summary>
    /// <exception cref="ConfigException">A setting is missing or invalid, or <c>topic</c> names several topics.</exception>
    internal static AbstractConfig Parse(IReadOnlyDictionary<string, string> props)
    {
        var config = new AbstractConfig(ConfigDefinition, props);
        if (IsTopicList(config.GetString(TopicConfig)))
        {
            throw new ConfigException(SingleTopicMessage);
        }
        return config;
    }

    // Older Apache versions took a list here; a comma can never be part of a legal topic name.
    private static bool IsTopicList(string? topic) => topic is not null && topic.Contains(',', StringComparison.Ordinal);
}
