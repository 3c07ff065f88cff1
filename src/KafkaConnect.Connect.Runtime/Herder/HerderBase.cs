using System.Diagnostics.CodeAnalysis;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Connectors;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Runtime.Config;
using KafkaConnect.Connect.Runtime.Plugins;
using KafkaConnect.Connect.Runtime.Storage;
using KafkaConnect.Connect.Sinks;
using KafkaConnect.Connect.Sources;
using KafkaConnect.Connect.Storage;
using Microsoft.Extensions.Logging;
using ClientTopicPartition = KafkaConnect.Client.Consumer.TopicPartition;
using WorkerRuntime = KafkaConnect.Connect.Runtime.Worker;

namespace KafkaConnect.Connect.Runtime.Herder;

/// <summary>
/// What the standalone and distributed herders share (Apache's AbstractHerder): plugin listing and config
/// definitions, connector config validation, and reading and writing a connector's offsets.
/// </summary>
public abstract class HerderBase
{
    private protected readonly WorkerRuntime.Worker _worker;

    private protected HerderBase(WorkerRuntime.Worker worker, string kafkaClusterId)
    {
        _worker = worker;
        ServerInfo = new ServerInfo(ThisAssembly.Version, ThisAssembly.Commit, kafkaClusterId);
    }

    public ServerInfo ServerInfo { get; }

    /// <summary>The Apache Kafka Connect version whose REST API and formats this runtime follows (GET / reports it).</summary>
    public const string ApacheVersion = ThisAssembly.Version;

    public WorkerRuntime.Worker Worker => _worker;

    /// <summary>The config to store for PUT/POST: name added, name checked against the URL, validated (400 with every error).</summary>
    private protected Dictionary<string, string> ValidateForPut(string connector, IReadOnlyDictionary<string, string> config)
    {
        var full = new Dictionary<string, string>(config, StringComparer.Ordinal);
        full.TryAdd(ConnectorConfig.Name, connector);
        if (full[ConnectorConfig.Name] != connector)
        {
            throw new BadRequestException($"Connector name configuration ({full[ConnectorConfig.Name]}) doesn't match connector name in the URL ({connector})");
        }
        var validation = Validate(full);
        if (validation.ErrorCount > 0)
        {
            throw new ConfigException(ValidationMessage(validation));
        }
        return full;
    }

    /// <summary>A connector's offsets: the sink's consumer group offsets, or the source offsets in the offset store.</summary>
    private protected async Task<IReadOnlyList<ConnectorOffset>> ReadOffsetsAsync(string connector, IReadOnlyDictionary<string, string> config, CancellationToken ct)
    {
        if (IsSink(config))
        {
            var committed = await _worker.Admin.ListConsumerGroupOffsetsAsync("connect-" + connector, cancellationToken: ct).ConfigureAwait(false);
            return committed.OrderBy(e => e.Key).Select(e => new ConnectorOffset(
                new Dictionary<string, object?> { ["kafka_topic"] = e.Key.Topic, ["kafka_partition"] = e.Key.Partition },
                new Dictionary<string, object?> { ["kafka_offset"] = e.Value.Offset })).ToList();
        }
        var reader = new OffsetStorageReader(_worker.Offsets, connector);
        return reader.All().Select(e => new ConnectorOffset(e.Partition, e.Offset)).ToList();
    }

    /// <summary>Alters (or with null resets) a stopped connector's offsets; the caller checked that it is stopped.</summary>
    private protected async Task<string> WriteOffsetsAsync(string connector, IReadOnlyDictionary<string, string> config, IReadOnlyList<ConnectorOffset>? offsets, CancellationToken ct)
    {
        var reset = offsets is null;
        if (IsSink(config))
        {
            await AlterSinkOffsetsAsync(connector, offsets, ct).ConfigureAwait(false);
            return reset ? "The offsets for this connector have been reset successfully" : "The offsets for this connector have been altered successfully";
        }
        var reader = new OffsetStorageReader(_worker.Offsets, connector);
        var changes = new Dictionary<IReadOnlyDictionary<string, object?>, IReadOnlyDictionary<string, object?>?>(SourcePartitionComparer.Instance);
        if (reset)
        {
            foreach (var (partition, _) in reader.All())
            {
                changes[partition] = null;
            }
        }
        else
        {
            foreach (var o in offsets!)
            {
                changes[o.Partition] = o.Offset;
            }
        }
        var instance = _worker.Plugins.NewInstance<SourceConnector>(ConnectorConfig.ConnectorClass, config[ConnectorConfig.ConnectorClass]);
        bool handled;
        try
        {
            handled = instance.AlterOffsets(config, changes);
        }
        catch (Exception ex) when (ex is not ConnectException)
        {
            throw new ConnectException("Failed to alter offsets for source connector " + connector + ": " + ex.Message, ex);
        }
        var writer = new OffsetStorageWriter(_worker.Offsets, connector);
        foreach (var (p, o) in changes)
        {
            writer.Offset(p, o);
        }
        if (writer.BeginFlush())
        {
            await writer.DoFlushAsync(ct).ConfigureAwait(false);
        }
        var verb = reset ? "reset" : "altered";
        return handled
            ? $"The offsets for this connector have been {verb} successfully"
            : $"The Connect framework-managed offsets for this connector have been {verb} successfully. However, if this connector manages offsets externally, they will need to be manually {verb} in the system that the connector uses.";
    }

    public IReadOnlyList<PluginInfo> Plugins(bool connectorsOnly) =>
        _worker.Plugins.Plugins
            .Where(p => !connectorsOnly || p.Kind is PluginType.Source or PluginType.Sink)
            .Select(p => new PluginInfo(p.ClassName, p.Kind, p.Version))
            .OrderBy(p => p.ClassName, StringComparer.Ordinal)
            .ToList();

    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = PluginRegistry.RootedPlugins)]
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = PluginRegistry.RootedPlugins)]
    public IReadOnlyList<ConfigKeyInfo> PluginConfig(string pluginName)
    {
        if (!_worker.Plugins.TryResolve(pluginName, out var type))
        {
            throw new NotFoundException($"Unknown plugin {pluginName}.");
        }
        var instance = Activator.CreateInstance(type);
        var def = instance switch
        {
            Connector c => c.Config(),
            IConverter c => c.Config(),
            IHeaderConverter c => c.Config(),
            _ => type.GetMethod("Config", Type.EmptyTypes)?.Invoke(instance, null) as ConfigDef,
        } ?? new ConfigDef();
        return def.ConfigKeys.Values.Where(k => !k.InternalConfig).Select(KeyInfo).ToList();
    }

    public Task<ConfigInfos> ValidateConnectorConfigAsync(string pluginName, IReadOnlyDictionary<string, string> config, CancellationToken ct = default)
    {
        var full = new Dictionary<string, string>(config, StringComparer.Ordinal);
        if (!full.TryGetValue(ConnectorConfig.ConnectorClass, out var cls) || cls.Trim().Length == 0)
        {
            full[ConnectorConfig.ConnectorClass] = pluginName;
        }
        return Task.FromResult(Validate(full));
    }

    /// <summary>Validates against ConnectorConfig (source or sink) plus the connector's own ConfigDef and Validate.</summary>
    public ConfigInfos Validate(IReadOnlyDictionary<string, string> config)
    {
        var className = config.GetValueOrDefault(ConnectorConfig.ConnectorClass)?.Trim();
        if (string.IsNullOrEmpty(className))
        {
            throw new BadRequestException("Connector config " + FormatConfig(config) + " contains no connector type");
        }
        if (!_worker.Plugins.TryResolve(className, out var type) || !typeof(Connector).IsAssignableFrom(type))
        {
            throw new BadRequestException($"Failed to find any class that implements Connector and which name matches {className}, available connectors are: "
                + string.Join(", ", _worker.Plugins.Plugins.Where(p => p.Kind is PluginType.Source or PluginType.Sink).Select(p => p.ClassName)));
        }
        var connector = PluginRegistry.Instantiate<Connector>(type);
        var sink = connector is SinkConnector;
        // Validated as the connector will see it (references resolved, leniently); values are shown as written.
        var raw = config;
        config = ResolveForValidation(config);
        var common = ConnectorConfig.Enrich(sink ? ConnectorConfig.Sink : ConnectorConfig.Source, config,
            name => _worker.Plugins.TryResolve(name, out var t) ? t : null);
        var groups = new List<string>(common.Groups);
        var results = new List<ConfigInfo>();
        var crossErrors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        ConnectorConfig.ValidateCrossKey(config, sink, crossErrors);
        foreach (var key in new[] { ConnectorConfig.KeyConverter, ConnectorConfig.ValueConverter, ConnectorConfig.HeaderConverter })
        {
            if (config.TryGetValue(key, out var conv) && conv.Trim().Length > 0 && !_worker.Plugins.TryResolve(conv, out _))
            {
                (crossErrors.TryGetValue(key, out var l) ? l : crossErrors[key] = []).Add($"Invalid value {conv} for configuration {key}: Class {conv} could not be found.");
            }
        }
        var errorCount = 0;
        foreach (var value in common.Validate(config))
        {
            var errors = value.ErrorMessages.ToList();
            if (crossErrors.TryGetValue(value.Name, out var extra))
            {
                errors.AddRange(extra);
            }
            errorCount += errors.Count;
            results.Add(new ConfigInfo(KeyInfo(common.ConfigKeys[value.Name]), ValueInfo(value, errors, raw)));
        }
        var own = connector.Config();
        foreach (var g in own.Groups)
        {
            if (!groups.Contains(g))
            {
                groups.Add(g);
            }
        }
        Configuration.Config validated;
        try
        {
            validated = connector.Validate(config);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new BadRequestException($"Connector {className} failed to validate its configuration: {ex.Message}");
        }
        foreach (var value in validated.ConfigValues)
        {
            if (common.ConfigKeys.ContainsKey(value.Name))
            {
                continue;
            }
            errorCount += value.ErrorMessages.Count;
            var info = own.ConfigKeys.TryGetValue(value.Name, out var k) ? KeyInfo(k) : null;
            results.Add(new ConfigInfo(info!, ValueInfo(value, value.ErrorMessages, raw)));
        }
        return new ConfigInfos(PluginRegistry_ClassName(type), errorCount, groups, results);
    }

    private protected string PluginRegistry_ClassName(Type type) => _worker.Plugins.ClassNameOf(type);

    private protected async Task AlterSinkOffsetsAsync(string connector, IReadOnlyList<ConnectorOffset>? offsets, CancellationToken ct)
    {
        var group = "connect-" + connector;
        if (offsets is null)
        {
            var committed = await _worker.Admin.ListConsumerGroupOffsetsAsync(group, cancellationToken: ct).ConfigureAwait(false);
            if (committed.Count > 0)
            {
                await _worker.Admin.DeleteGroupsAsync([group], ct).ConfigureAwait(false);
            }
            return;
        }
        var alter = new Dictionary<ClientTopicPartition, KafkaConnect.Client.Admin.OffsetAndMetadata>();
        var delete = new HashSet<ClientTopicPartition>();
        foreach (var o in offsets)
        {
            if (o.Partition.GetValueOrDefault("kafka_topic") is not string topic
                || o.Partition.GetValueOrDefault("kafka_partition") is not (long or int))
            {
                throw new BadRequestException("The partitions for sink connectors must contain the keys 'kafka_topic' (string) and 'kafka_partition' (integer)");
            }
            var tp = new ClientTopicPartition(topic, System.Convert.ToInt32(o.Partition["kafka_partition"], System.Globalization.CultureInfo.InvariantCulture));
            if (o.Offset is null)
            {
                // A null offset resets the partition: its committed group offset is removed (as Apache's herder does).
                delete.Add(tp);
                alter.Remove(tp);
                continue;
            }
            if (o.Offset.GetValueOrDefault("kafka_offset") is not { } raw || raw is not (long or int))
            {
                throw new BadRequestException("The offset must contain the key 'kafka_offset' (integer), or be null to reset the partition");
            }
            delete.Remove(tp);
            alter[tp] = new KafkaConnect.Client.Admin.OffsetAndMetadata(System.Convert.ToInt64(raw, System.Globalization.CultureInfo.InvariantCulture));
        }
        if (alter.Count > 0)
        {
            await _worker.Admin.AlterConsumerGroupOffsetsAsync(group, alter, ct).ConfigureAwait(false);
        }
        if (delete.Count > 0)
        {
            try
            {
                await _worker.Admin.DeleteConsumerGroupOffsetsAsync(group, delete, ct).ConfigureAwait(false);
            }
            catch (KafkaConnect.Client.KafkaException ex) when (ex.Error == KafkaConnect.Protocol.ErrorCode.GroupIdNotFound)
            {
                // Nothing was ever committed for this connector: the partitions are already reset.
            }
        }
    }

    private protected ConnectorType TypeOf(IReadOnlyDictionary<string, string> config) =>
        config.TryGetValue(ConnectorConfig.ConnectorClass, out var cls) && _worker.Plugins.TryResolve(cls, out var type)
            ? PluginRegistry.ConnectorTypeOf(type)
            : ConnectorType.Unknown;

    private protected bool IsSink(IReadOnlyDictionary<string, string> config) => TypeOf(config) == ConnectorType.Sink;

    private protected static NotFoundException NotFound(string connector) => new($"Connector {connector} not found");

    private protected static string FormatConfig(IReadOnlyDictionary<string, string> config) =>
        "{" + string.Join(", ", config.Select(kv => kv.Key + "=" + kv.Value)) + "}";

    private protected static string ValidationMessage(ConfigInfos infos)
    {
        var messages = infos.Configs.Where(c => c.Value.Errors.Count > 0)
            .Select(c => c.Value.Name + ": " + string.Join(", ", c.Value.Errors));
        return $"Connector configuration is invalid and contains the following {infos.ErrorCount} error(s):\n"
            + string.Join("\n", messages) + "\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`";
    }

    private protected static ConfigKeyInfo KeyInfo(ConfigKey k) => new(
        k.Name, k.Type.ToString().ToUpperInvariant(), !k.HasDefault,
        k.HasDefault ? ConfigDef.ConvertToString(k.DefaultValue, k.Type) : null,
        k.Importance.ToString().ToUpperInvariant(), k.Documentation ?? "", k.Group, k.OrderInGroup, k.Width.ToString().ToUpperInvariant(),
        k.DisplayName, k.Dependents);

    private protected IReadOnlyDictionary<string, string> ResolveForValidation(IReadOnlyDictionary<string, string> config)
    {
        try
        {
            return _worker.ConfigProviders.TransformWithTtls(config, failOnUnresolved: false).Data;
        }
        catch (ConfigException)
        {
            return config;
        }
    }

    private protected static ConfigValueInfo ValueInfo(ConfigValue v, IReadOnlyList<string> errors, IReadOnlyDictionary<string, string> raw) => new(
        v.Name,
        raw.TryGetValue(v.Name, out var written) && KafkaConnect.Connect.ConfigProviders.WorkerConfigProviders.IsReference(written)
            ? written
            : v.Value switch { null => null, Password => Password.Hidden, var x => ConfigDef.ConvertToString(x, x is IEnumerable<string> ? ConfigType.List : ConfigType.String) },
        v.RecommendedValues.Select(r => r?.ToString() ?? "null").ToList(), errors, v.Visible);
}

/// <summary>Version reported by GET /.</summary>
internal static class ThisAssembly
{
    public const string Version = "3.9.0";
    public const string Commit = "kconnect";
}
