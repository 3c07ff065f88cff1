using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Runtime.Config;

/// <summary>
/// The settings the worker itself reads from every connector configuration (Apache's ConnectorConfig, plus
/// SourceConnectorConfig / SinkConnectorConfig). <see cref="Enrich"/> adds each configured transformation's and
/// predicate's own settings under their prefixes, as Apache's enrich() does, so validation reports their errors.
/// Extensions of kconnect (documented in docs/error-handling.md): the dead letter queue settings also apply to
/// source connectors, and <c>kconnect.task.restart.*</c> restarts FAILED tasks automatically.
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

    public const string TaskRestartEnable = "kconnect.task.restart.enable";
    public const string TaskRestartBackoffInitialMs = "kconnect.task.restart.backoff.initial.ms";
    public const string TaskRestartBackoffMaxMs = "kconnect.task.restart.backoff.max.ms";

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
            "Whether to include in the log the Connect record that resulted in a failure.", ErrorGroup, 5, Width.Short, "Log Error Details")
        .Define(TaskRestartEnable, ConfigType.Boolean, false, null, Importance.Low,
            "kconnect extension: restart a FAILED task of this connector automatically, after an exponentially growing delay.",
            ErrorGroup, 20, Width.Short, "Restart Failed Tasks")
        .Define(TaskRestartBackoffInitialMs, ConfigType.Long, 1000L, ConfigDef.Range.AtLeast(0L), Importance.Low,
            "kconnect extension: delay before the first automatic restart of a failed task; it doubles on every further failure.",
            ErrorGroup, 21, Width.Short, "Restart Initial Delay")
        .Define(TaskRestartBackoffMaxMs, ConfigType.Long, 60000L, ConfigDef.Range.AtLeast(0L), Importance.Low,
            "kconnect extension: the longest delay between automatic restarts of a failed task.",
            ErrorGroup, 22, Width.Short, "Restart Maximum Delay");

    private static ConfigDef DefineDlq(ConfigDef def, bool sink) => def
        .Define(DlqTopicName, ConfigType.String, "", null, Importance.Medium,
            sink
                ? "The name of the topic to be used as the dead letter queue (DLQ) for messages that result in an error when processed by this sink connector, or its transformations or converters."
                : "kconnect extension: the name of the topic to be used as the dead letter queue (DLQ) for records that result in an error in this source connector's transformations or converters.",
            ErrorGroup, 6, Width.Medium, "Dead Letter Queue Topic Name")
        .Define(DlqReplicationFactor, ConfigType.Short, (short)3, null, Importance.Medium,
            "Replication factor used to create the dead letter queue topic when it doesn't already exist (kconnect lowers it to the number of brokers, with a warning).",
            ErrorGroup, 7, Width.Medium, "Dead Letter Queue Topic Replication Factor")
        .Define(DlqContextHeaders, ConfigType.Boolean, false, null, Importance.Medium,
            "If true, add headers containing error context to the messages written to the dead letter queue.", ErrorGroup, 8, Width.Medium, "Enable Error Context Headers");

    private static ConfigDef DefineSink(ConfigDef def) => DefineDlq(def, sink: true)
        .Define(Topics, ConfigType.List, "", null, Importance.High,
            "List of topics to consume, separated by commas", CommonGroup, 4, Width.Long, "Topics")
        .Define(TopicsRegex, ConfigType.String, "", RegexValidator.Instance, Importance.High,
            "Regular expression giving topics to consume. Only one of topics or topics.regex should be specified.", CommonGroup, 4, Width.Long, "Topics regex");

    private static ConfigDef DefineSource(ConfigDef def) => DefineDlq(def, sink: false)
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
        foreach (var alias in Aliases(config, Transforms))
        {
            var key = Transforms + "." + alias + ".predicate";
            if (config.TryGetValue(key, out var p) && p.Trim().Length > 0 && !Aliases(config, Predicates).Contains(p.Trim()))
            {
                Add(key, $"Invalid value {p} for configuration {key}: Predicate alias '{p.Trim()}' is not defined in '{Predicates}'");
            }
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

    /// <summary>The aliases listed in <c>transforms</c> or <c>predicates</c> (trimmed, empty entries skipped).</summary>
    public static IReadOnlyList<string> Aliases(IReadOnlyDictionary<string, string> config, string key) =>
        config.TryGetValue(key, out var v) && v.Trim().Length > 0
            ? v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : [];

    /// <summary>The settings under <paramref name="prefix"/>, with the prefix removed.</summary>
    public static Dictionary<string, string> WithPrefix(IReadOnlyDictionary<string, string> config, string prefix)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in config)
        {
            if (k.StartsWith(prefix, StringComparison.Ordinal) && k.Length > prefix.Length)
            {
                result[k[prefix.Length..]] = v;
            }
        }
        return result;
    }

    /// <summary>
    /// The connector definition plus, for every transformation alias, <c>transforms.{alias}.type</c>,
    /// <c>.predicate</c>, <c>.negate</c> and the transformation's own settings, and for every predicate alias
    /// <c>predicates.{alias}.type</c> and its settings (groups "Transforms: {alias}" / "Predicates: {alias}").
    /// A type that cannot be resolved gets only its type key, whose validator then reports the error.
    /// </summary>
    public static ConfigDef Enrich(ConfigDef baseDef, IReadOnlyDictionary<string, string> config, Func<string, Type?> resolve)
    {
        var def = new ConfigDef(baseDef);
        foreach (var alias in Aliases(config, Transforms).Distinct(StringComparer.Ordinal))
        {
            var prefix = Transforms + "." + alias + ".";
            var group = "Transforms: " + alias;
            def.Define(prefix + "type", ConfigType.String, ConfigDef.NoDefaultValue, new PluginClassValidator(resolve, typeof(KafkaConnect.Connect.Transforms.ITransformation<>), "Transformation"),
                    Importance.High, "Class for the '" + alias + "' transformation.", group, 0, Width.Long, "Transformation type for " + alias)
                .Define(prefix + "predicate", ConfigType.String, null, null, Importance.Medium,
                    "The alias of a predicate used to determine whether to apply this transformation.", group, 1, Width.Medium, "Predicate")
                .Define(prefix + "negate", ConfigType.Boolean, false, null, Importance.Medium,
                    "Whether the configured predicate should be negated.", group, 2, Width.Short, "Negate");
            EmbedPluginConfig(def, config, prefix, group, resolve);
        }
        foreach (var alias in Aliases(config, Predicates).Distinct(StringComparer.Ordinal))
        {
            var prefix = Predicates + "." + alias + ".";
            var group = "Predicates: " + alias;
            def.Define(prefix + "type", ConfigType.String, ConfigDef.NoDefaultValue, new PluginClassValidator(resolve, typeof(KafkaConnect.Connect.Transforms.IPredicate<>), "Predicate"),
                Importance.High, "Class for the '" + alias + "' predicate.", group, 0, Width.Long, "Predicate type for " + alias);
            EmbedPluginConfig(def, config, prefix, group, resolve);
        }
        return def;
    }

    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = KafkaConnect.Connect.Runtime.Plugins.PluginRegistry.RootedPlugins)]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = KafkaConnect.Connect.Runtime.Plugins.PluginRegistry.RootedPlugins)]
    private static void EmbedPluginConfig(ConfigDef def, IReadOnlyDictionary<string, string> config, string prefix, string group, Func<string, Type?> resolve)
    {
        if (!config.TryGetValue(prefix + "type", out var className) || className.Trim().Length == 0 || resolve(className.Trim()) is not { } type)
        {
            return;
        }
        ConfigDef? child;
        try
        {
            var instance = Activator.CreateInstance(type);
            child = type.GetMethod("Config", Type.EmptyTypes)?.Invoke(instance, null) as ConfigDef;
            (instance as IDisposable)?.Dispose();
        }
        catch (Exception ex) when (ex is System.Reflection.TargetInvocationException or MissingMethodException or MemberAccessException)
        {
            return;
        }
        if (child is null)
        {
            return;
        }
        // The alias keys (type, predicate, negate) win over a plugin setting of the same name.
        var filtered = new ConfigDef();
        foreach (var name in child.Names)
        {
            if (!def.ConfigKeys.ContainsKey(prefix + name))
            {
                filtered.Define(child.ConfigKeys[name]);
            }
        }
        def.Embed(prefix, group, 3, filtered);
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

    private sealed class PluginClassValidator(Func<string, Type?> resolve, Type openInterface, string kind) : IValidator
    {
        [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = KafkaConnect.Connect.Runtime.Plugins.PluginRegistry.RootedPlugins)]
        public void EnsureValid(string name, object? value)
        {
            if (value is not string s || s.Trim().Length == 0)
            {
                return;
            }
            var type = resolve(s.Trim()) ?? throw new ConfigException(name, s, "Class " + s + " could not be found.");
            foreach (var i in type.GetInterfaces())
            {
                if (i.IsGenericType && i.GetGenericTypeDefinition() == openInterface)
                {
                    return;
                }
            }
            throw new ConfigException(name, s, "Not a " + kind);
        }

        public override string ToString() => "A " + openInterface.Name + " class";
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
