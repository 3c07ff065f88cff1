using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Sinks;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.Files;

/// <summary>
/// Writes record values as lines to a file (or standard output); the counterpart of Apache Kafka's
/// <c>org.apache.kafka.connect.file.FileStreamSinkConnector</c>. Topics come from <c>topics</c> /
/// <c>topics.regex</c>, which the worker handles.
/// </summary>
public sealed class FileStreamSinkConnector : SinkConnector
{
    public const string FileConfig = "file";

    internal static readonly ConfigDef ConfigDefinition = new ConfigDef()
        .Define(FileConfig, ConfigType.String, null, Importance.High,
            "Destination filename. If not specified, the standard output will be used");

    private readonly ILogger _log = FileConnectors.LoggerFactory.CreateLogger<FileStreamSinkConnector>();
    private IReadOnlyDictionary<string, string> _props = new Dictionary<string, string>();

    public override string Version() => FileConnectors.Version;

    public override Type TaskClass => typeof(FileStreamSinkTask);

    public override void Start(IReadOnlyDictionary<string, string> props)
    {
        ArgumentNullException.ThrowIfNull(props);
        var filename = new AbstractConfig(ConfigDefinition, props).GetString(FileConfig);
        _props = props;
        _log.LogInformation("Starting file sink connector writing to {Destination}",
            string.IsNullOrEmpty(filename) ? "standard output" : filename);
    }

    /// <summary>
    /// One configuration per task, all identical: tasks share the topic partitions through the consumer group
    /// and append to the same file (as in Apache, lines of different tasks may interleave).
    /// </summary>
    public override IReadOnlyList<IReadOnlyDictionary<string, string>> TaskConfigs(int maxTasks)
    {
        var configs = new IReadOnlyDictionary<string, string>[Math.Max(maxTasks, 0)];
        Array.Fill(configs, _props);
        return configs;
    }

    public override void Stop()
    {
    }

    /// <summary>A copy of the definition, so callers extending it cannot change ours.</summary>
    public override ConfigDef Config() => new(ConfigDefinition);

    /// <summary>Offsets live only in Kafka, so any change is fine.</summary>
    public override bool AlterOffsets(IReadOnlyDictionary<string, string> connectorConfig, IReadOnlyDictionary<TopicPartition, long?> offsets) => true;
}
