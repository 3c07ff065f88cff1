using System.Text.RegularExpressions;
using KafkaConnect.Client;
using KafkaConnect.Client.Admin;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Runtime.Config;
using KafkaConnect.Protocol;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.Runtime.Worker;

/// <summary>
/// Creates the topics a source connector writes to, per its <c>topic.creation.*</c> groups (Apache's
/// TopicCreation): the first group (in topic.creation.groups order) whose include regexes match and exclude
/// regexes do not wins, otherwise the default group; replication.factor / partitions of -1 take the broker
/// default and the group's other keys become topic configs. Enabled when the worker has topic.creation.enable=true
/// and the connector sets topic.creation.default.replication.factor and .partitions.
/// </summary>
public sealed class TopicCreator
{
    private readonly KafkaAdminClient _admin;
    private readonly List<Group> _groups;
    private readonly Group _default;
    private readonly ILogger _log;

    private TopicCreator(KafkaAdminClient admin, List<Group> groups, Group defaultGroup, ILogger log)
    {
        _admin = admin;
        _groups = groups;
        _default = defaultGroup;
        _log = log;
    }

    /// <summary>Null when topic creation is not enabled for this connector.</summary>
    public static TopicCreator? Create(bool workerEnabled, IReadOnlyDictionary<string, string> config, KafkaAdminClient admin, ILogger log)
    {
        const string p = ConnectorConfig.TopicCreationPrefix;
        if (!workerEnabled
            || !config.ContainsKey(p + "default.replication.factor")
            || !config.ContainsKey(p + "default.partitions"))
        {
            return null;
        }
        var defaultGroup = ParseGroup("default", config, isDefault: true);
        var groups = new List<Group>();
        if (config.TryGetValue(ConnectorConfig.TopicCreationGroups, out var names))
        {
            foreach (var name in names.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (name != "default")
                {
                    groups.Add(ParseGroup(name, config, isDefault: false));
                }
            }
        }
        return new TopicCreator(admin, groups, defaultGroup, log);
    }

    /// <summary>Creates the topic if missing; an already existing topic is fine.</summary>
    public async Task EnsureTopicAsync(string topic, CancellationToken ct)
    {
        var group = _groups.Find(g => g.Matches(topic)) ?? _default;
        var newTopic = new NewTopic(topic, group.Partitions, group.ReplicationFactor) { Configs = group.Configs };
        try
        {
            await _admin.CreateTopicsAsync([newTopic], cancellationToken: ct).ConfigureAwait(false);
            _log.LogInformation("Created topic '{Topic}' using creation group {Group}", topic, group.Name);
        }
        catch (KafkaException ex) when (ex.Error == ErrorCode.TopicAlreadyExists)
        {
        }
    }

    private static Group ParseGroup(string name, IReadOnlyDictionary<string, string> config, bool isDefault)
    {
        var prefix = ConnectorConfig.TopicCreationPrefix + name + ".";
        var configs = new Dictionary<string, string>(StringComparer.Ordinal);
        var include = new List<Regex>();
        var exclude = new List<Regex>();
        int partitions = -1;
        short replication = -1;
        foreach (var (key, value) in config)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }
            var sub = key[prefix.Length..];
            switch (sub)
            {
                case "include":
                    include.AddRange(Patterns(key, value));
                    break;
                case "exclude":
                    exclude.AddRange(Patterns(key, value));
                    break;
                case "partitions":
                    if (!int.TryParse(value, out partitions) || partitions == 0 || partitions < -1)
                    {
                        throw new ConfigException(key, value, "Number of partitions must be positive, or -1 to use the broker's default");
                    }
                    break;
                case "replication.factor":
                    if (!short.TryParse(value, out replication) || replication == 0 || replication < -1)
                    {
                        throw new ConfigException(key, value, "Replication factor must be positive, or -1 to use the broker's default");
                    }
                    break;
                default:
                    configs[sub] = value;
                    break;
            }
        }
        if (isDefault)
        {
            include = [new Regex(".*")];
        }
        return new Group(name, include, exclude, partitions, replication, configs);
    }

    private static IEnumerable<Regex> Patterns(string key, string value)
    {
        foreach (var p in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            Regex regex;
            try
            {
                regex = new Regex("^(?:" + p + ")$");
            }
            catch (ArgumentException ex)
            {
                throw new ConfigException(key, value, "Syntax error in regular expression: " + ex.Message);
            }
            yield return regex;
        }
    }

    private sealed record Group(string Name, List<Regex> Include, List<Regex> Exclude, int Partitions, short ReplicationFactor,
        Dictionary<string, string> Configs)
    {
        public bool Matches(string topic) => Include.Exists(r => r.IsMatch(topic)) && !Exclude.Exists(r => r.IsMatch(topic));
    }
}
