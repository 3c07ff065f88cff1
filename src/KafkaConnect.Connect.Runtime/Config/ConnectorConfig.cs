using System.Text.RegularExpressions;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Runtime.Config;

/// <summary>
/// The settings the worker itself reads from every connector configuration (Apache's ConnectorConfig, plus
/// SourceConnectorConfig / SinkConnectorConfig). Transformations and predicates are parsed and kept; until the
/// transformation chain exists a non-empty <c>transforms</c> is rejected with a clear configuration error.
/// </summary>
public static class ConnectorConfig
{
    public const string Name = "name";
    public const string ConnectorClass = "connector.class";
    public const string TasksMax = "tasks.max";
    public const string TasksMaxEnforce = "tasks.max.enforce";
    public const string KeyConverter = "key.converter";
    public const string ValueConverter = "value.converter";
    public const string HeaderConverter = "header.converter";
    public const string ConfigReloadAction = "config.action.reload";
    public const string Transforms = "transforms";
    public const string Predicates = "predicates";
    public const string ErrorsRetryTimeout = "errors.retry.timeout";
    public const string ErrorsRetryMaxDelay = "errors.retry.delay.max.ms";
    public const string ErrorsTolerance = "errors.tolerance";
    public const string ErrorsLogEnable = "errors.log.enable";
    public const string ErrorsLogIncludeMessages = "errors.log.include.messages";

    public const string Topics = "topics";
    public const string TopicsRegex = "topics.regex";
    public const string DlqTopicName = "errors.deadletterqueue.topic.name";
    public const string DlqReplicationFactor = "errors.deadletterqueue.topic.replication.factor";
    public const string DlqContextHeaders = "errors.deadletterqueue.context.headers.enable";

    public const string TopicCreationGroups = "topic.creation.groups";
    public const string TopicCreationPrefix = "topic.creation.";
    public const string ExactlyOnceSupport = "exactly.once.support";
    public const string TransactionBoundary = "transaction.boundary";
    public const string TransactionBoundaryIntervalMs = "transaction.boundary.interval.ms";
    public const string OffsetsStorageTopic = "offsets.storage.topic";

    private const string CommonGroup = "Common";
    private const string TransformsGroup = "Transforms";
    private const string PredicatesGroup = "Predicates";
    private const string ErrorGroup = "Error Handling";
    private const string TopicCreationGroup = "Topic Creation";
    private const string ExactlyOnceGroup = "Exactly Once Support";

    /// <summary>Settings shared by source and sink connectors.</summary>
    public static ConfigDef Common { get; } = DefineCommon(new ConfigDef());

    public static ConfigDef Source { get; } = DefineSource(DefineCommon(new ConfigDef()));

    public static ConfigDef Sink { get; } = DefineSink(DefineCommon(new ConfigDef()));

    private static ConfigDef DefineCommon(ConfigDef def) => def
        .Define(Name, ConfigType.String, ConfigDef.NoDefaultValue, NonEmptyWithoutControlChars.Instance, Importance.High,
            "Globally unique name to use for this connector.", CommonGroup, 1, Width.Medium, "Connector name")
        .Define(ConnectorClass, ConfigType.String, ConfigDef.NoDefaultValue, null, Importance.High,
            "Name or alias of the class for this connector. Must be a subclass of SourceConnector or SinkConnector.", CommonGroup, 2, Width.Long, "Connector class")
        .Define(TasksMax, ConfigType.Int, 1, ConfigDef.Range.AtLeast(1L), Importance.High,
            "Maximum number of tasks to use for this connector.", CommonGroup, 3, Width.Short, "Tasks max")
        .Define(TasksMaxEnforce, ConfigType.Boolean, true, null, Importance.Low,
            "(Deprecated) Whether to enforce that the tasks.max property is respected.", CommonGroup, 4, Width.Short, "Enforce tasks max")
        .Define(KeyConverter, ConfigType.String, null, null, Importance.Low,
            "Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka (record keys). Overrides the worker's setting.",
            CommonGroup, 5, Width.Short, "Key converter class")
        .Define(ValueConverter, ConfigType.String, null, null, Importance.Low,
            "Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka (record values). Overrides the worker's setting.",
            CommonGroup, 6, Width.Short, "Value converter class")
        .Define(HeaderConverter, ConfigType.String, null, null, Importance.Low,
            "HeaderConverter class used to convert between Kafka Connect format and the serialized form that is written to Kafka (record headers). Overrides the worker's setting.",
            CommonGroup, 7, Width.Short, "Header converter class")
        .Define(ConfigReloadAction, ConfigType.String, "restart", ConfigDef.ValidString.InIgnoringCase("none", "restart"), Importance.Low,
            "The action that Connect should take on the connector when changes in external configuration providers result in a change in the connector's configuration properties.",
            CommonGroup, 8, Width.Medium, "Reload action")
        .Define(Transforms, ConfigType.List, "", UniqueAliases.Instance, Importance.Low,
            "Aliases for the transformations to be applied to records.", TransformsGroup, 0, Width.Long, "Transforms")
        .Define(Predicates, ConfigType.List, "", UniqueAliases.Instance, Importance.Low,
            "Aliases for the predicates used by transformations.", PredicatesGroup, 0, Width.Long, "Predicates")
        .Define(ErrorsRetryTimeout, ConfigType.Long, 0L, null, Importance.Medium,
            "The maximum duration in milliseconds that a failed operation will be reattempted. The default is 0, which means no retries will be attempted. Use -1 for infinite retries.",
            ErrorGroup, 1, Width.Medium, "Retry Timeout for Errors")
        .Define(ErrorsRetryMaxDelay, ConfigType.Long, 60000L, null, Importance.Medium,
            "The maximum duration in milliseconds between consecutive retry attempts.", ErrorGroup, 2, Width.Medium, "Maximum Delay Between Retries for Errors")
        .Define(ErrorsTolerance, ConfigType.String, "none", ConfigDef.ValidString.InIgnoringCase("none", "all"), Importance.Medium,
            "Behavior for tolerating errors during connector operation. 'none' is the default value and signals that any error will result in an immediate connector task failure; 'all' changes the behavior to skip over problematic records.",
            ErrorGroup, 3, Width.Short, "Error Tolerance")
        .Define(ErrorsLogEnable, ConfigType.Boolean, false, null, Importance.Medium,
            "If true, write each error and the details of the failed operation and problematic record to the Connect application log.", ErrorGroup, 4, Width.Short, "Log Errors")
        .Define(ErrorsLogIncludeMessages, ConfigType.Boolean, false, null, Importance.Medium,
            "Whether to include in the log the Connect record that resulted in a failure.", ErrorGroup, 5, Width.Short, "Log Error Details");

    private static ConfigDef DefineSink(ConfigDef def) => def
        .Define(Topics, ConfigType.List, "", null, Importance.High,
            "List of topics to consume, separated by commas", CommonGroup, 4, Width.Long, "Topics")
        .Define(TopicsRegex, ConfigType.String, "", RegexValidator.Instance, Importance.High,
            "Regular expression giving topics to consume. Only one of topics or topics.regex should be specified.", CommonGroup, 4, Width.Long, "Topics regex")
        .Define(DlqTopicName, ConfigType.String, "", null, Importance.Medium,
            "The name of the topic to be used as the dead letter queue (DLQ) for messages that result in an error when processed by this sink connector, or its transformations or converters.",
            ErrorGroup, 6, Width.Medium, "Dead Letter Queue Topic Name")
        .Define(DlqReplicationFactor, ConfigType.Short, (short)3, null, Importance.Medium,
            "Replication factor used to create the dead letter queue topic when it doesn't already exist.", ErrorGroup, 7, Width.Medium, "Dead Letter Queue Topic Replication Factor")
        .Define(DlqContextHeaders, ConfigType.Boolean, false, null, Importance.Medium,
            "If true, add headers containing error context to the messages written to the dead letter queue.", ErrorGroup, 8, Width.Medium, "Enable Error Context Headers");

    private static ConfigDef DefineSource(ConfigDef def) => def
        .Define(TopicCreationGroups, ConfigType.List, "", UniqueAliases.Instance, Importance.Low,
            "Groups of configurations for topics created by source connectors", TopicCreationGroup, 0, Width.Long, "Topic Creation Groups")
        .Define(ExactlyOnceSupport, ConfigType.String, "requested", ConfigDef.ValidString.InIgnoringCase("requested", "required"), Importance.Medium,
            "Permitted values are requested, required. Only used with exactly-once source support in distributed mode.", ExactlyOnceGroup, 1, Width.Short, "Exactly once support")
        .Define(TransactionBoundary, ConfigType.String, "poll", ConfigDef.ValidString.InIgnoringCase("poll", "interval", "connector"), Importance.Medium,
            "Permitted values are: poll, interval, connector. Only used with exactly-once source support.", ExactlyOnceGroup, 2, Width.Short, "Transaction Boundary")
        .Define(TransactionBoundaryIntervalMs, ConfigType.Long, null, null, Importance.Low,
            "If 'transaction.boundary' is set to 'interval', determines the interval for producer transaction commits.", ExactlyOnceGroup, 3, Width.Short, "Transaction boundary interval")
        .Define(OffsetsStorageTopic, ConfigType.String, null, null, Importance.Low,
            "The name of a separate offsets topic to use for this connector (distributed mode only).", ExactlyOnceGroup, 4, Width.Long, "Offsets topic");

    /// <summary>
    /// Checks a connector configuration beyond each key's own definition: sink topic selection, supported features.
    /// Adds errors to <paramref name="values"/> (keyed by setting) and returns the number added.
    /// </summary>
    public static int ValidateCrossKey(IReadOnlyDictionary<string, string> config, bool sink, Dictionary<string, List<string>> errors)
    {
        var added = 0;
        void Add(string key, string message)
        {
            if (!errors.TryGetValue(key, out var list))
            {
                errors[key] = list = [];
            }
            list.Add(message);
            added++;
        }
        if (config.TryGetValue(Transforms, out var transforms) && transforms.Trim().Length > 0)
        {
            Add(Transforms, "Single message transforms are not supported yet by kconnect; remove 'transforms' from the connector configuration.");
        }
        if (sink)
        {
            var hasTopics = config.TryGetValue(Topics, out var t) && t.Trim().Length > 0;
            var hasRegex = config.TryGetValue(TopicsRegex, out var r) && r.Trim().Length > 0;
            if (hasTopics && hasRegex)
            {
                var message = $"{Topics} and {TopicsRegex} are mutually exclusive options, but both are set.";
                Add(Topics, message);
                Add(TopicsRegex, message);
            }
            else if (!hasTopics && !hasRegex)
            {
                var message = $"Must configure one of {Topics} or {TopicsRegex}";
                Add(Topics, message);
                Add(TopicsRegex, message);
            }
            if (hasTopics && config.TryGetValue(DlqTopicName, out var dlq) && dlq.Trim().Length > 0)
            {
                foreach (var topic in t!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    if (topic == dlq.Trim())
                    {
                        Add(DlqTopicName, $"The DLQ topic '{topic}' may not be included in the list of topics ('{Topics}={t}') consumed by the connector");
                    }
                }
            }
        }
        return added;
    }

    /// <summary>The topics a sink consumes, or null when it uses topics.regex.</summary>
    public static IReadOnlyList<string>? SinkTopics(IReadOnlyDictionary<string, string> config) =>
        config.TryGetValue(Topics, out var t) && t.Trim().Length > 0
            ? t.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : null;

    private sealed class NonEmptyWithoutControlChars : IValidator
    {
        public static readonly NonEmptyWithoutControlChars Instance = new();

        public void EnsureValid(string name, object? value)
        {
            if (value is not string s || s.Trim().Length == 0)
            {
                throw new ConfigException(name, value, "String may not be empty");
            }
            foreach (var c in s)
            {
                if (char.IsControl(c))
                {
                    throw new ConfigException(name, value, "String may not contain control sequences but had the following ASCII control characters: " + (int)c);
                }
            }
        }

        public override string ToString() => "non-empty string without ISO control characters";
    }

    private sealed class UniqueAliases : IValidator
    {
        public static readonly UniqueAliases Instance = new();

        public void EnsureValid(string name, object? value)
        {
            if (value is IReadOnlyList<string> list && list.Count != list.Distinct(StringComparer.Ordinal).Count())
            {
                throw new ConfigException(name, string.Join(",", list), "Duplicate alias provided.");
            }
        }

        public override string ToString() => "unique aliases";
    }

    private sealed class RegexValidator : IValidator
    {
        public static readonly RegexValidator Instance = new();

        public void EnsureValid(string name, object? value)
        {
            if (value is string { Length: > 0 } s)
            {
                try
                {
                    _ = new Regex(s);
                }
                catch (ArgumentException ex)
                {
                    throw new ConfigException(name, s, "Not a valid regular expression: " + ex.Message);
                }
            }
        }

        public override string ToString() => "valid regex";
    }
}
