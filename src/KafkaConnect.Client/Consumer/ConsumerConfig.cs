using KafkaConnect.Client.Config;

namespace KafkaConnect.Client.Consumer;

/// <summary>The consumer's settings, with Kafka's names and defaults.</summary>
public static class ConsumerConfig
{
    public const string RangeAssignor = "org.apache.kafka.clients.consumer.RangeAssignor";
    public const string RoundRobinAssignor = "org.apache.kafka.clients.consumer.RoundRobinAssignor";
    public const string CooperativeStickyAssignor = "org.apache.kafka.clients.consumer.CooperativeStickyAssignor";

    public static readonly ConfigSpec Spec = new ConfigSpec(CommonClientConfig.Keys).With(
    [
        new("group.id", ConfigType.String, "", "Consumer group; empty means no group (only Assign, no commits)."),
        new("group.instance.id", ConfigType.String, "", "Static membership id; empty means dynamic membership."),
        new("auto.offset.reset", ConfigType.String, "latest", "Where to start without a committed offset or when out of range.", ConfigSpec.OneOf("latest", "earliest", "none")),
        new("enable.auto.commit", ConfigType.Boolean, "true", "Commit positions in the background every auto.commit.interval.ms."),
        new("auto.commit.interval.ms", ConfigType.Int, "5000", "How often positions are auto-committed.", ConfigSpec.Between(0, int.MaxValue)),
        new("session.timeout.ms", ConfigType.Int, "45000", "The coordinator expels a member it has not heard from this long.", ConfigSpec.Between(1, int.MaxValue)),
        new("heartbeat.interval.ms", ConfigType.Int, "3000", "Time between heartbeats to the coordinator.", ConfigSpec.Between(1, int.MaxValue)),
        new("max.poll.interval.ms", ConfigType.Int, "300000", "Longest gap between polls before the member leaves the group; also the rebalance timeout.", ConfigSpec.Between(1, int.MaxValue)),
        new("max.poll.records", ConfigType.Int, "500", "Most records one poll returns.", ConfigSpec.Between(1, int.MaxValue)),
        new("fetch.min.bytes", ConfigType.Int, "1", "The broker waits for this much data before answering a fetch.", ConfigSpec.Between(0, int.MaxValue)),
        new("fetch.max.bytes", ConfigType.Int, "52428800", "Most data one fetch response carries.", ConfigSpec.Between(0, int.MaxValue)),
        new("fetch.max.wait.ms", ConfigType.Int, "500", "Longest time the broker holds a fetch waiting for fetch.min.bytes.", ConfigSpec.Between(0, int.MaxValue)),
        new("max.partition.fetch.bytes", ConfigType.Int, "1048576", "Most data per partition in one fetch.", ConfigSpec.Between(0, int.MaxValue)),
        new("isolation.level", ConfigType.String, "read_uncommitted", "read_committed hides aborted transactional records.", ConfigSpec.OneOf("read_uncommitted", "read_committed")),
        new("partition.assignment.strategy", ConfigType.List, $"{RangeAssignor}, {CooperativeStickyAssignor}",
            "Assignors offered to the group, most preferred first (Java class names or range, roundrobin, cooperative-sticky).", ValidateStrategies),
        new("check.crcs", ConfigType.Boolean, "true", "Verify the CRC of fetched batches."),
        new("client.rack", ConfigType.String, "", "Rack of this consumer (accepted; rack-aware assignment is not implemented)."),
        new("exclude.internal.topics", ConfigType.Boolean, "true", "Pattern subscriptions skip internal topics."),
        new("allow.auto.create.topics", ConfigType.Boolean, "true", "Subscribing to a missing topic may create it."),
        new("key.deserializer", ConfigType.Class, "", "Accepted for compatibility; records are returned as bytes."),
        new("value.deserializer", ConfigType.Class, "", "Accepted for compatibility; records are returned as bytes."),
    ]);

    private static string? ValidateStrategies(object v)
    {
        var list = (IReadOnlyList<string>)v;
        if (list.Count == 0) return "needs at least one assignor.";
        foreach (var name in list)
            if (Assignors.Create(name) is null) return $"unknown assignor '{name}'.";
        return null;
    }
}
