using KafkaConnect.Client.Config;
using KafkaConnect.Protocol.Records;

namespace KafkaConnect.Client.Producer;

/// <summary>The producer's settings, with Kafka's names and defaults (plus the common client keys).</summary>
public static class ProducerConfig
{
    private const string ByteArraySerializer = "org.apache.kafka.common.serialization.ByteArraySerializer";

    public static readonly IReadOnlyList<ConfigKey> ProducerKeys =
    [
        new("acks", ConfigType.String, "all", "Acknowledgements the leader must have before a send counts as done: 0 (none), 1 (leader), all/-1 (all in-sync replicas).",
            ConfigSpec.OneOf("all", "-1", "0", "1")),
        new("linger.ms", ConfigType.Long, "5", "How long to wait for more records before sending a batch that is not full.", ConfigSpec.Between(0, int.MaxValue)),
        new("batch.size", ConfigType.Int, "16384", "Target size in bytes of one partition's batch; 0 disables batching.", ConfigSpec.Between(0, int.MaxValue)),
        new("buffer.memory", ConfigType.Long, "33554432", "Bytes of records waiting to be sent; when full, sends block up to max.block.ms.", ConfigSpec.Between(1, long.MaxValue)),
        new("max.block.ms", ConfigType.Long, "60000", "How long a send may block for metadata or buffer space.", ConfigSpec.Between(0, long.MaxValue)),
        new("compression.type", ConfigType.String, "none", "Codec for record batches.", ConfigSpec.OneOf("none", "gzip", "snappy", "lz4", "zstd")),
        new("enable.idempotence", ConfigType.Boolean, "true",
            "Exactly one copy of each record per partition, in order, despite retries. Needs acks=all, retries > 0 and max.in.flight.requests.per.connection <= 5; when those conflict and this is not set explicitly, idempotence is switched off."),
        new("max.in.flight.requests.per.connection", ConfigType.Int, "5", "Unanswered produce requests per broker connection. Without idempotence, values above 1 let retries reorder records.",
            ConfigSpec.Between(1, int.MaxValue)),
        new("delivery.timeout.ms", ConfigType.Int, "120000", "Upper bound on the time from send to success or failure, retries included; at least linger.ms + request.timeout.ms.",
            ConfigSpec.Between(0, int.MaxValue)),
        new("retries", ConfigType.Int, int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture), "How often a batch is resent after a retriable error (delivery.timeout.ms bounds it too).",
            ConfigSpec.Between(0, int.MaxValue)),
        new("max.request.size", ConfigType.Int, "1048576", "Largest produce request, and so the largest record, in bytes.", ConfigSpec.Between(1, int.MaxValue)),
        new("partitioner.class", ConfigType.Class, "", "Kafka's built-in partitioners by their Java class names; empty means the default (murmur2 for keys, sticky otherwise).",
            v => PartitionerKind((string)v) is null ? $"'{v}' is not supported; only Kafka's built-in partitioners are (DefaultPartitioner, UniformStickyPartitioner, RoundRobinPartitioner)." : null),
        new("partitioner.ignore.keys", ConfigType.Boolean, "false", "Place keyed records by the sticky partitioner too."),
        new("partitioner.adaptive.partitioning.enable", ConfigType.Boolean, "true", "Accepted for compatibility; sticky switching is uniform."),
        new("partitioner.availability.timeout.ms", ConfigType.Long, "0", "Accepted for compatibility; not used."),
        new("key.serializer", ConfigType.Class, ByteArraySerializer, "Records carry bytes; only ByteArraySerializer is accepted.", Serializer),
        new("value.serializer", ConfigType.Class, ByteArraySerializer, "Records carry bytes; only ByteArraySerializer is accepted.", Serializer),
        new("transactional.id", ConfigType.String, "", "Transactions are not supported yet; setting this is an error.",
            v => ((string)v).Length > 0 ? "transactions are not supported yet; remove transactional.id (idempotence is on by default)." : null),
        new("transaction.timeout.ms", ConfigType.Int, "60000", "Accepted for compatibility; transactions are not supported yet."),
        new("metadata.max.idle.ms", ConfigType.Long, "300000", "Accepted for compatibility; not used."),
        new("send.buffer.bytes", ConfigType.Int, "131072", "Accepted for compatibility; not used."),
        new("receive.buffer.bytes", ConfigType.Int, "32768", "Accepted for compatibility; not used."),
        new("compression.gzip.level", ConfigType.Int, "-1", "Accepted for compatibility; the codec's default level is used."),
        new("compression.lz4.level", ConfigType.Int, "9", "Accepted for compatibility; the codec's default level is used."),
        new("compression.zstd.level", ConfigType.Int, "3", "Accepted for compatibility; the codec's default level is used."),
    ];

    public static readonly ConfigSpec Spec = new ConfigSpec(CommonClientConfig.Keys).With(ProducerKeys);

    private static string? Serializer(object v)
    {
        var s = (string)v;
        return s.Length == 0 || s == ByteArraySerializer || s.EndsWith(".ByteArraySerializer", StringComparison.Ordinal)
            ? null
            : $"'{s}' is not supported: records are passed as bytes, so only {ByteArraySerializer} is accepted.";
    }

    internal static PartitionerKind? PartitionerKind(string className) => className switch
    {
        "" or "org.apache.kafka.clients.producer.internals.DefaultPartitioner" => Producer.PartitionerKind.Default,
        "org.apache.kafka.clients.producer.UniformStickyPartitioner" => Producer.PartitionerKind.UniformSticky,
        "org.apache.kafka.clients.producer.RoundRobinPartitioner" => Producer.PartitionerKind.RoundRobin,
        _ => null,
    };
}

internal enum PartitionerKind { Default, UniformSticky, RoundRobin }

/// <summary>Parsed and cross-checked producer settings.</summary>
internal sealed record ProducerOptions
{
    public required ClusterOptions Cluster { get; init; }
    public short Acks { get; init; }
    public long LingerMs { get; init; }
    public int BatchSize { get; init; }
    public long BufferMemory { get; init; }
    public long MaxBlockMs { get; init; }
    public CompressionType Compression { get; init; }
    public bool Idempotent { get; init; }
    public int MaxInFlight { get; init; }
    public long DeliveryTimeoutMs { get; init; }
    public int Retries { get; init; }
    public int MaxRequestSize { get; init; }
    public PartitionerKind Partitioner { get; init; }
    public bool IgnoreKeys { get; init; }

    /// <summary>Parses Kafka producer properties; conflicting settings throw a ConfigException naming the key.</summary>
    public static ProducerOptions Parse(IReadOnlyDictionary<string, string> properties)
    {
        var c = ProducerConfig.Spec.Parse(properties);
        var acks = c.GetString("acks") switch { "0" => (short)0, "1" => (short)1, _ => (short)-1 };
        var maxInFlight = c.GetInt("max.in.flight.requests.per.connection");
        var retries = c.GetInt("retries");
        var explicitIdempotence = properties.ContainsKey("enable.idempotence");
        var idempotent = c.GetBool("enable.idempotence");
        if (idempotent)
        {
            // Kafka's rule: conflicts are errors when idempotence was asked for, and switch it off when it was only the default.
            string? conflictKey = null, conflict = null;
            if (maxInFlight > 5) (conflictKey, conflict) = ("max.in.flight.requests.per.connection", $"must be at most 5 for the idempotent producer, got {maxInFlight}.");
            else if (acks != -1) (conflictKey, conflict) = ("acks", "must be all (-1) for the idempotent producer.");
            else if (retries == 0) (conflictKey, conflict) = ("retries", "must be above 0 for the idempotent producer.");
            if (conflictKey is not null)
            {
                if (explicitIdempotence) throw new ConfigException(conflictKey, conflict + " Set enable.idempotence=false to use this value.");
                idempotent = false;
            }
        }
        var cluster = ClusterOptions.From(c);
        var linger = c.GetLong("linger.ms");
        long delivery = c.GetInt("delivery.timeout.ms");
        var minDelivery = linger + (long)cluster.RequestTimeout.TotalMilliseconds;
        if (delivery < minDelivery)
        {
            if (properties.ContainsKey("delivery.timeout.ms"))
                throw new ConfigException("delivery.timeout.ms", $"must be at least linger.ms + request.timeout.ms ({minDelivery}), got {delivery}.");
            delivery = minDelivery;
        }
        return new ProducerOptions
        {
            Cluster = cluster,
            Acks = acks,
            LingerMs = linger,
            // A batch never outgrows a request.
            BatchSize = Math.Max(0, Math.Min(c.GetInt("batch.size"), c.GetInt("max.request.size") - RecordBatchHeader.Size)),
            BufferMemory = c.GetLong("buffer.memory"),
            MaxBlockMs = c.GetLong("max.block.ms"),
            Compression = c.GetString("compression.type").ToLowerInvariant() switch
            {
                "gzip" => CompressionType.Gzip,
                "snappy" => CompressionType.Snappy,
                "lz4" => CompressionType.Lz4,
                "zstd" => CompressionType.Zstd,
                _ => CompressionType.None,
            },
            Idempotent = idempotent,
            MaxInFlight = maxInFlight,
            DeliveryTimeoutMs = delivery,
            Retries = retries,
            MaxRequestSize = c.GetInt("max.request.size"),
            Partitioner = ProducerConfig.PartitionerKind(c.GetString("partitioner.class"))!.Value,
            IgnoreKeys = c.GetBool("partitioner.ignore.keys"),
        };
    }
}
