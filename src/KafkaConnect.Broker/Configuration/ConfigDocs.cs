using System.Text;
using KafkaConnect.Broker.Topics;
using KafkaConnect.Storage;

namespace KafkaConnect.Broker.Configuration;

/// <summary>Renders docs/configuration.md from the setting tables, so the reference cannot drift from the code.</summary>
public static class ConfigDocs
{
    public static string Markdown()
    {
        var sb = new StringBuilder();
        sb.Append("# Configuration reference\n\n");
        sb.Append("Generated from the code by `kconnect docs config` (a test checks it is current). Keys and defaults\n");
        sb.Append("are Kafka's own, so an existing `server.properties` loads; keys this broker does not use are reported\n");
        sb.Append("at start-up and ignored.\n\n");
        sb.Append("## Broker (`kconnect broker`)\n\n");
        sb.Append("`--listen HOST:PORT` sets `listeners`, `--data-dir DIR` sets `log.dirs`, `--config KEY=VALUE` sets any key.\n");
        sb.Append("Also accepted: `log.dir`, `broker.id`, `log.roll.hours`, `log.retention.minutes`, `log.retention.hours`.\n");
        sb.Append("Per listener, `listener.name.NAME.KEY` (NAME in lower case) overrides `ssl.*` and `sasl.enabled.mechanisms`, and\n");
        sb.Append("`listener.name.NAME.MECHANISM.sasl.jaas.config` gives a mechanism's JAAS login module. See docs/operations.md, \"Broker security\".\n\n");
        sb.Append("| key | default | description |\n|---|---|---|\n");
        foreach (var s in BrokerConfig.Settings)
            sb.Append($"| `{s.Name}` | {Cell(s.Default)} | {s.Documentation} |\n");
        sb.Append("\n## Topic settings (CreateTopics, AlterConfigs)\n\n");
        sb.Append("Settings marked *accepted* are stored and described but have no effect on a single node.\n");
        sb.Append($"CreateTopics, AlterConfigs and IncrementalAlterConfigs also accept {string.Join(", ", TopicManager.IgnoredConfigs.Order(StringComparer.Ordinal).Select(k => $"`{k}`"))}\n");
        sb.Append("and drop it: the broker stores record batches in format v2 only, so it is neither stored nor described.\n\n");
        sb.Append("| key | type | default | description |\n|---|---|---|---|\n");
        foreach (var k in LogConfig.Keys)
            sb.Append($"| `{k.Name}` | {k.Type.ToLowerInvariant()} | {Cell(k.DefaultValue)} | {(k.Enforced ? "" : "*accepted* — ")}{k.Documentation} |\n");
        return sb.ToString();
    }

    private static string Cell(string? value) => value is null ? "(none)" : $"`{value}`";
}
