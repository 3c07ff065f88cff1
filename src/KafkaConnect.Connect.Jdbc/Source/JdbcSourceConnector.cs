using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Plugins;
using KafkaConnect.Connect.Sources;
using KafkaConnect.Connect.Util;

namespace KafkaConnect.Connect.Jdbc.Source;

/// <summary>
/// Confluent's JDBC source connector on ADO.NET: copies tables (or one query) into topics in bulk,
/// incrementing, timestamp or timestamp+incrementing mode. Tables are listed in the background and spread
/// over the tasks; a changed table list triggers a task reconfiguration.
/// </summary>
[ConnectPlugin("io.confluent.connect.jdbc.JdbcSourceConnector")]
public sealed class JdbcSourceConnector : SourceConnector
{
    public const string PluginVersion = "10.9.0-kc";

    private readonly TimeProvider _time;
    private IReadOnlyDictionary<string, string> _props = new Dictionary<string, string>();
    private JdbcSourceSettings? _settings;
    private TableMonitor? _monitor;

    public JdbcSourceConnector()
        : this(TimeProvider.System)
    {
    }

    internal JdbcSourceConnector(TimeProvider time) => _time = time;

    public override string Version() => PluginVersion;

    public override Type TaskClass => typeof(JdbcSourceTask);

    public override ConfigDef Config() => JdbcSourceConfig.ConfigDef;

    public override void Start(IReadOnlyDictionary<string, string> props)
    {
        ArgumentNullException.ThrowIfNull(props);
        try
        {
            _settings = new JdbcSourceSettings(props, forTask: false);
        }
        catch (ConfigException e)
        {
            throw new ConnectException("Couldn't start JdbcSourceConnector due to configuration error", e);
        }
        var problems = JdbcSourceSettings.CrossCheck(props);
        if (problems.Count > 0)
        {
            throw new ConnectException("Invalid JDBC source configuration: " + string.Join(" ", problems.Select(p => p.Message).Distinct()));
        }
        _props = props;
        if (!_settings.IsQueryMode)
        {
            _monitor = new TableMonitor(_settings.ConnectionInfo(), _settings, Context.RequestTaskReconfiguration, Context.RaiseError, _time);
            _monitor.Start();
        }
    }

    public override IReadOnlyList<IReadOnlyDictionary<string, string>> TaskConfigs(int maxTasks)
    {
        var settings = _settings ?? throw new InvalidOperationException("The connector has not been started");
        if (settings.IsQueryMode)
        {
            return [TaskProps(tables: "", fetched: true)];
        }
        var tables = _monitor!.Tables(TimeSpan.FromMilliseconds(settings.StartupPollingLimitMs));
        if (tables is null || tables.Count == 0)
        {
            // One idle task: either the listing has not finished yet (a reconfiguration follows) or nothing matches.
            return [TaskProps(tables: "", fetched: tables is not null)];
        }
        var groups = ConnectorUtils.GroupPartitions(tables, Math.Min(tables.Count, Math.Max(1, maxTasks)));
        var configs = new List<IReadOnlyDictionary<string, string>>(groups.Count);
        foreach (var group in groups)
        {
            configs.Add(TaskProps(string.Join(",", group.Select(SourceOffsets.FullName)), fetched: true));
        }
        return configs;
    }

    public override void Stop()
    {
        var monitor = _monitor;
        _monitor = null;
        monitor?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    public override Config Validate(IReadOnlyDictionary<string, string> connectorConfigs)
    {
        var config = base.Validate(connectorConfigs);
        foreach (var (key, message) in JdbcSourceSettings.CrossCheck(connectorConfigs))
        {
            foreach (var value in config.ConfigValues)
            {
                if (value.Name == key)
                {
                    value.AddErrorMessage(message);
                }
            }
        }
        return config;
    }

    public override ExactlyOnceSupport? ExactlyOnceSupport(IReadOnlyDictionary<string, string> connectorConfig) =>
        Sources.ExactlyOnceSupport.Unsupported;

    /// <summary>
    /// Accepts offset edits in Confluent's format: partitions <c>{"table": ...}</c> (optionally with
    /// <c>"protocol"</c>) or <c>{"query": "query"}</c>; offsets with numeric <c>incrementing</c>,
    /// <c>timestamp</c> and <c>timestamp_nanos</c>. The task reads them on its next start.
    /// </summary>
    public override bool AlterOffsets(
        IReadOnlyDictionary<string, string> connectorConfig,
        IReadOnlyDictionary<IReadOnlyDictionary<string, object?>, IReadOnlyDictionary<string, object?>?> offsets)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        foreach (var (partition, offset) in offsets)
        {
            var isTable = partition.TryGetValue(SourceOffsets.TableKey, out var table) && table is string;
            var isQuery = partition.TryGetValue(SourceOffsets.QueryKey, out var query) && query is string;
            if (!isTable && !isQuery)
            {
                throw new ConnectException("Source partitions must have a \"table\" or \"query\" key, e.g. {\"protocol\":\"1\",\"table\":\"db.schema.table\"}");
            }
            if (offset is null)
            {
                continue;
            }
            foreach (var (key, value) in offset)
            {
                if (key is not (SourceOffsets.IncrementingField or SourceOffsets.TimestampField or SourceOffsets.TimestampNanosField))
                {
                    throw new ConnectException($"Unknown source offset key \"{key}\"; expected incrementing, timestamp or timestamp_nanos");
                }
                if (value is not null && SourceOffsets.ReadLong(offset, key) is null)
                {
                    throw new ConnectException($"Source offset \"{key}\" must be an integer, not {value}");
                }
            }
        }
        return true;
    }

    private Dictionary<string, string> TaskProps(string tables, bool fetched)
    {
        var props = new Dictionary<string, string>(_props, StringComparer.Ordinal)
        {
            [JdbcSourceConfig.Tables] = tables,
            [JdbcSourceConfig.TablesFetched] = fetched ? "true" : "false",
        };
        return props;
    }
}
