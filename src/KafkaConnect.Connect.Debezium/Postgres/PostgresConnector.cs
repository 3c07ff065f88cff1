using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Plugins;
using KafkaConnect.Connect.Sources;

namespace KafkaConnect.Connect.Debezium.Postgres;

/// <summary>
/// Debezium's PostgreSQL connector: change data capture through a logical replication slot and the pgoutput plugin,
/// records in Debezium's change-event format. One task, as Debezium: a slot has one reader.
/// </summary>
[ConnectPlugin("io.debezium.connector.postgresql.PostgresConnector")]
public sealed class PostgresConnector : SourceConnector
{
    /// <summary>Reported as the connector's version and in each event's <c>source.version</c>.</summary>
    public const string PluginVersion = "3.7.0-kc";

    private IReadOnlyDictionary<string, string> _props = new Dictionary<string, string>();

    public override string Version() => PluginVersion;

    public override Type TaskClass => typeof(PostgresConnectorTask);

    public override ConfigDef Config() => PostgresConnectorConfig.ConfigDef;

    /// <summary>Checks each setting, then the rules between them (include and exclude lists are mutually exclusive).</summary>
    public override Config Validate(IReadOnlyDictionary<string, string> connectorConfigs)
    {
        var result = base.Validate(connectorConfigs);
        if (result.ConfigValues.Any(v => v.ErrorMessages.Count > 0))
        {
            return result;
        }
        try
        {
            _ = new PostgresSettings(connectorConfigs);
        }
        catch (ConfigException e)
        {
            var target = result.ConfigValues.FirstOrDefault(v => v.Name == e.ConfigName) ?? result.ConfigValues.First();
            target.AddErrorMessage(e.Message);
        }
        return result;
    }

    public override void Start(IReadOnlyDictionary<string, string> props)
    {
        ArgumentNullException.ThrowIfNull(props);
        try
        {
            _ = new PostgresSettings(props);
        }
        catch (ConfigException e)
        {
            throw new ConnectException("Couldn't start PostgresConnector due to configuration error: " + e.Message, e);
        }
        _props = props;
    }

    public override IReadOnlyList<IReadOnlyDictionary<string, string>> TaskConfigs(int maxTasks) =>
        [new Dictionary<string, string>(_props, StringComparer.Ordinal)];

    public override void Stop()
    {
    }

    public override ExactlyOnceSupport? ExactlyOnceSupport(IReadOnlyDictionary<string, string> connectorConfig) =>
        Sources.ExactlyOnceSupport.Unsupported;
}
