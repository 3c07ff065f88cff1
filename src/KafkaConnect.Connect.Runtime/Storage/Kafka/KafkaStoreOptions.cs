namespace KafkaConnect.Connect.Runtime.Storage.Kafka;

/// <summary>
/// What a Kafka-topic store needs: its topic, how to create it, and one client config per client (each with
/// bootstrap.servers and only keys that client accepts). <see cref="TopicSettings"/> are the worker's
/// <c>&lt;store&gt;.storage.*</c> settings with the prefix removed (e.g. <c>min.insync.replicas</c>); as in Apache,
/// <c>cleanup.policy</c>, <c>topic</c>, <c>partitions</c> and <c>replication.factor</c> among them are ignored.
/// Partitions and ReplicationFactor of -1 take the broker defaults; the config store always uses 1 partition.
/// </summary>
public sealed record KafkaStoreOptions(
    string Topic,
    int Partitions,
    short ReplicationFactor,
    IReadOnlyDictionary<string, string> ProducerConfig,
    IReadOnlyDictionary<string, string> ConsumerConfig,
    IReadOnlyDictionary<string, string> AdminConfig,
    IReadOnlyDictionary<string, string>? TopicSettings = null,
    string ClientIdPrefix = "connect")
{
    /// <summary>client.id of the store's clients: the prefix joined to the store's suffix ("configs", "offsets", "statuses").</summary>
    internal string ClientId(string suffix) =>
        ClientIdPrefix.Length == 0 ? suffix : ClientIdPrefix.EndsWith('-') ? ClientIdPrefix + suffix : ClientIdPrefix + "-" + suffix;
}
