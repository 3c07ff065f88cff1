using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Client.Consumer;

/// <summary>What a consumer tells the group leader when joining (protocol type "consumer").</summary>
internal sealed record Subscription(IReadOnlyList<string> Topics, byte[]? UserData, IReadOnlyList<TopicPartition> OwnedPartitions,
    int GenerationId = -1, string? RackId = null);

/// <summary>A member's subscription as the leader sees it.</summary>
internal sealed record MemberSubscription(string MemberId, string? InstanceId, Subscription Subscription);

/// <summary>
/// Kafka's embedded consumer protocol: each payload is an int16 version followed by the struct at that version.
/// Newer versions only append fields, so a payload newer than we know is read at our highest version.
/// </summary>
internal static class ConsumerProtocol
{
    public const string ProtocolType = "consumer";
    public const short SubscriptionVersion = 3;
    public const short AssignmentVersion = 3;

    public static byte[] EncodeSubscription(Subscription s, short version = SubscriptionVersion)
    {
        var m = new ConsumerProtocolSubscription
        {
            Topics = [.. s.Topics],
            UserData = s.UserData,
            GenerationId = s.GenerationId,
            RackId = s.RackId,
        };
        foreach (var (topic, partitions) in GroupByTopic(s.OwnedPartitions))
            m.OwnedPartitions.Add(new ConsumerProtocolSubscription.TopicPartition { Topic = topic, Partitions = partitions });
        return Encode(m, version);
    }

    public static Subscription DecodeSubscription(byte[] data)
    {
        var reader = new ProtocolReader(data);
        var version = ReadVersion(ref reader, ConsumerProtocolSubscription.HighestVersion);
        var m = new ConsumerProtocolSubscription();
        m.Read(ref reader, version);
        var owned = new List<TopicPartition>();
        foreach (var t in m.OwnedPartitions)
            foreach (var p in t.Partitions) owned.Add(new TopicPartition(t.Topic, p));
        return new Subscription(m.Topics, m.UserData, owned, version >= 2 ? m.GenerationId : -1, m.RackId);
    }

    public static byte[] EncodeAssignment(IReadOnlyList<TopicPartition> partitions, byte[]? userData = null, short version = AssignmentVersion)
    {
        var m = new ConsumerProtocolAssignment { UserData = userData };
        foreach (var (topic, list) in GroupByTopic(partitions))
            m.AssignedPartitions.Add(new ConsumerProtocolAssignment.TopicPartition { Topic = topic, Partitions = list });
        return Encode(m, version);
    }

    /// <summary>An empty payload means no assignment (a member the leader did not know about).</summary>
    public static List<TopicPartition> DecodeAssignment(byte[] data)
    {
        var result = new List<TopicPartition>();
        if (data.Length == 0) return result;
        var reader = new ProtocolReader(data);
        var version = ReadVersion(ref reader, ConsumerProtocolAssignment.HighestVersion);
        var m = new ConsumerProtocolAssignment();
        m.Read(ref reader, version);
        foreach (var t in m.AssignedPartitions)
            foreach (var p in t.Partitions) result.Add(new TopicPartition(t.Topic, p));
        return result;
    }

    private static short ReadVersion(ref ProtocolReader reader, short highest)
    {
        var version = reader.ReadInt16();
        if (version < 0) throw new ProtocolException($"Consumer protocol version {version} is invalid.");
        return Math.Min(version, highest);
    }

    private static byte[] Encode(IKafkaMessage m, short version)
    {
        using var w = new ProtocolWriter(256);
        w.WriteInt16(version);
        m.Write(w, version);
        return w.WrittenSpan.ToArray();
    }

    /// <summary>Partitions grouped by topic, topics in order of first appearance, partitions in given order.</summary>
    private static List<(string Topic, List<int> Partitions)> GroupByTopic(IReadOnlyList<TopicPartition> partitions)
    {
        var result = new List<(string, List<int>)>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var tp in partitions)
        {
            if (!index.TryGetValue(tp.Topic, out var i))
            {
                i = result.Count;
                index[tp.Topic] = i;
                result.Add((tp.Topic, new List<int>()));
            }
            result[i].Item2.Add(tp.Partition);
        }
        return result;
    }
}
