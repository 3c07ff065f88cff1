using KafkaConnect.Client;
using KafkaConnect.Client.Admin;
using KafkaConnect.Client.Log;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Protocol;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.Runtime.Storage.Kafka;

/// <summary>
/// Creates or checks a Connect internal topic the way Apache's TopicAdmin does for the three stores: missing →
/// created compacted with the requested partitions and replication factor; existing → its cleanup.policy must be
/// exactly <c>compact</c>, otherwise the worker refuses to use it (a deleting policy would eventually lose data).
/// </summary>
internal static class InternalTopics
{
    private const string CleanupPolicy = "cleanup.policy";
    private const string Compact = "compact";

    // Apache keeps trying while brokers are still joining (not enough brokers for the replication factor yet).
    private static readonly TimeSpan s_createTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_createBackoff = TimeSpan.FromSeconds(1);

    /// <summary>The settings to create the topic with: the user's topic settings minus the ones Apache ignores, plus compaction.</summary>
    public static Dictionary<string, string> TopicConfigs(IReadOnlyDictionary<string, string>? settings, string prefix, ILogger log)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            switch (key)
            {
                case CleanupPolicy:
                    log.LogWarning("Ignoring '{Prefix}cleanup.policy={Value}' setting, since compaction is always used", prefix, value);
                    break;
                case "topic" or "partitions" or "replication.factor":
                    break;
                default:
                    result[key] = value;
                    break;
            }
        }
        result[CleanupPolicy] = Compact;
        return result;
    }

    /// <summary>
    /// Makes sure <paramref name="topic"/> exists and is compacted; returns its partition count.
    /// <paramref name="topicConfigName"/> (e.g. config.storage.topic) and <paramref name="purpose"/> only word the error.
    /// </summary>
    /// <exception cref="ConfigException">The topic exists with another cleanup policy.</exception>
    public static async Task<int> EnsureAsync(KafkaAdminClient admin, NewTopic definition, string topicConfigName, string purpose,
        ILogger log, TimeProvider time, CancellationToken ct)
    {
        var created = await CreateAsync(admin, definition, log, time, ct).ConfigureAwait(false);
        if (!created)
        {
            await VerifyOnlyCompactAsync(admin, definition.Name, topicConfigName, purpose, log, ct).ConfigureAwait(false);
        }
        return await PartitionCountAsync(admin, definition.Name, time, ct).ConfigureAwait(false);
    }

    /// <summary>True when this call created the topic, false when it already existed.</summary>
    private static async Task<bool> CreateAsync(KafkaAdminClient admin, NewTopic definition, ILogger log, TimeProvider time, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            try
            {
                await admin.CreateTopicsAsync([definition], cancellationToken: ct).ConfigureAwait(false);
                log.LogInformation("Created topic {Topic} with {Partitions} partitions and replication factor {Replication}",
                    definition.Name, definition.NumPartitions, definition.ReplicationFactor);
                return true;
            }
            catch (KafkaException ex) when (ex.Error == ErrorCode.TopicAlreadyExists)
            {
                return false;
            }
            catch (KafkaException ex) when ((ex.Error == ErrorCode.InvalidReplicationFactor || ex.IsRetriable)
                && time.GetElapsedTime(started) < s_createTimeout)
            {
                log.LogInformation("Creating topic {Topic} failed ({Reason}); retrying", definition.Name, ex.Message);
            }
            await Task.Delay(s_createBackoff, time, ct).ConfigureAwait(false);
        }
    }

    private static async Task VerifyOnlyCompactAsync(KafkaAdminClient admin, string topic, string topicConfigName, string purpose,
        ILogger log, CancellationToken ct)
    {
        string? policy = null;
        try
        {
            var resource = ConfigResource.Topic(topic);
            var configs = await admin.DescribeConfigsAsync([resource], cancellationToken: ct).ConfigureAwait(false);
            if (configs.TryGetValue(resource, out var entries))
            {
                policy = entries.FirstOrDefault(e => e.Name == CleanupPolicy)?.Value;
            }
        }
        catch (Exception ex) when (ex is KafkaException or UnsupportedVersionException)
        {
            policy = null;
            log.LogDebug(ex, "Describing the configs of topic {Topic} failed", topic);
        }
        var policies = (policy ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.ToLowerInvariant()).Distinct().ToList();
        if (policies.Count == 0)
        {
            // As Apache: an old broker or missing DescribeConfigs permission must not stop the worker.
            log.LogInformation("Unable to use admin client to verify the cleanup policy of '{Topic}' topic is '{Policy}', either because "
                + "the broker is an older version or because the Kafka principal used for Connect internal topics does not have the "
                + "required permission to describe topic configurations.", topic, Compact);
            return;
        }
        if (policies is not [Compact])
        {
            var found = string.Join(",", policies);
            throw new ConfigException($"Topic '{topic}' supplied via the '{topicConfigName}' property is required to have "
                + $"'{CleanupPolicy}={Compact}' to guarantee consistency and durability of {purpose}, but found the topic currently has "
                + $"'{CleanupPolicy}={found}'. Continuing would likely result in eventually losing {purpose} and problems restarting "
                + $"this Connect cluster in the future. Change the '{topicConfigName}' property in the Connect worker configurations "
                + $"to use a topic with '{CleanupPolicy}={Compact}'.");
        }
    }

    /// <summary>The topic's partition count, waiting for a just-created topic's metadata to appear.</summary>
    public static async Task<int> PartitionCountAsync(KafkaAdminClient admin, string topic, TimeProvider time, CancellationToken ct)
    {
        try
        {
            return await KafkaBasedLog.PartitionCountAsync(admin, topic, time, ct).ConfigureAwait(false);
        }
        catch (KafkaLogException ex)
        {
            throw new ConnectException(ex.Message, ex.InnerException);
        }
    }
}
