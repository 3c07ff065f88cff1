using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Plugins;
using KafkaConnect.Connect.Sinks;

namespace KafkaConnect.Connect.Jdbc.Sink;

/// <summary>
/// Writes topics to relational tables; runs Confluent's io.confluent.connect.jdbc.JdbcSinkConnector configurations
/// on ADO.NET drivers (PostgreSQL, MySQL/MariaDB, SQLite).
/// </summary>
[ConnectPlugin("io.confluent.connect.jdbc.JdbcSinkConnector")]
[ConnectPlugin("JdbcSink")]
public sealed class JdbcSinkConnector : SinkConnector
{
    private IReadOnlyDictionary<string, string> _props = new Dictionary<string, string>();

    public override string Version() => JdbcSinkTask.VersionString;

    public override Type TaskClass => typeof(JdbcSinkTask);

    public override void Start(IReadOnlyDictionary<string, string> props)
    {
        ArgumentNullException.ThrowIfNull(props);
        _ = new JdbcSinkConfig(props); // fail fast on cross-setting errors
        _props = props;
    }

    /// <summary>Identical configs: tasks share the topic partitions through the consumer group.</summary>
    public override IReadOnlyList<IReadOnlyDictionary<string, string>> TaskConfigs(int maxTasks)
    {
        var configs = new IReadOnlyDictionary<string, string>[Math.Max(maxTasks, 0)];
        Array.Fill(configs, _props);
        return configs;
    }

    public override void Stop()
    {
    }

    public override ConfigDef Config() => new(JdbcSinkConfig.Definition);

    /// <summary>Per-setting checks, then the cross-setting rules the task would fail on at start.</summary>
    public override Config Validate(IReadOnlyDictionary<string, string> connectorConfigs)
    {
        var config = base.Validate(connectorConfigs);
        foreach (var (key, message) in JdbcSinkConfig.CrossCheck(connectorConfigs))
        {
            config.ConfigValues.FirstOrDefault(v => v.Name == key)?.AddErrorMessage(message);
        }
        return config;
    }

    /// <summary>Offsets live only in Kafka.</summary>
    public override bool AlterOffsets(IReadOnlyDictionary<string, string> connectorConfig, IReadOnlyDictionary<TopicPartition, long?> offsets) => true;
}
