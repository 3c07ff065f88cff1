using System.Buffers.Binary;

namespace KafkaConnect.Client.Consumer;

/// <summary>A client-side partition assignor, run by the group leader.</summary>
internal interface IPartitionAssignor
{
    /// <summary>The protocol name sent in JoinGroup (Kafka's names, so mixed-language groups agree).</summary>
    string Name { get; }

    /// <summary>Supports incremental cooperative rebalancing (only moved partitions are revoked).</summary>
    bool Cooperative { get; }

    byte[]? SubscriptionUserData(int generation);

    /// <summary>Partitions per member; every member appears, possibly with an empty list.</summary>
    Dictionary<string, List<TopicPartition>> Assign(IReadOnlyDictionary<string, int> partitionsPerTopic, IReadOnlyList<MemberSubscription> members);
}

internal static class Assignors
{
    public static IPartitionAssignor? Create(string name) => name.Trim() switch
    {
        ConsumerConfig.RangeAssignor or "range" => new RangeAssignor(),
        ConsumerConfig.RoundRobinAssignor or "roundrobin" => new RoundRobinAssignor(),
        ConsumerConfig.CooperativeStickyAssignor or "cooperative-sticky" => new CooperativeStickyAssignor(),
        _ => null,
    };

    /// <summary>Kafka's member order: static members by instance id first, then dynamic members by member id.</summary>
    public static int CompareMembers(MemberSubscription a, MemberSubscription b)
    {
        if (a.InstanceId is not null && b.InstanceId is not null) return string.CompareOrdinal(a.InstanceId, b.InstanceId);
        if (a.InstanceId is not null) return -1;
        if (b.InstanceId is not null) return 1;
        return string.CompareOrdinal(a.MemberId, b.MemberId);
    }

    public static Dictionary<string, List<TopicPartition>> Empty(IReadOnlyList<MemberSubscription> members)
    {
        var result = new Dictionary<string, List<TopicPartition>>(StringComparer.Ordinal);
        foreach (var m in members) result[m.MemberId] = new List<TopicPartition>();
        return result;
    }

    /// <summary>Every partition of the subscribed topics that exist, sorted by topic then partition.</summary>
    public static List<TopicPartition> AllPartitionsSorted(IReadOnlyDictionary<string, int> partitionsPerTopic, IEnumerable<string> topics)
    {
        var sorted = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var t in topics) if (partitionsPerTopic.ContainsKey(t)) sorted.Add(t);
        var result = new List<TopicPartition>();
        foreach (var t in sorted)
            for (var p = 0; p < partitionsPerTopic[t]; p++) result.Add(new TopicPartition(t, p));
        return result;
    }
}

/// <summary>
/// Per topic, the subscribed members in Kafka's member order each take a contiguous range; the first
/// (partitions % members) members take one extra.
/// </summary>
internal sealed class RangeAssignor : IPartitionAssignor
{
    public string Name => "range";
    public bool Cooperative => false;
    public byte[]? SubscriptionUserData(int generation) => null;

    public Dictionary<string, List<TopicPartition>> Assign(IReadOnlyDictionary<string, int> partitionsPerTopic, IReadOnlyList<MemberSubscription> members)
    {
        var result = Assignors.Empty(members);
        var topics = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var m in members) foreach (var t in m.Subscription.Topics) topics.Add(t);
        foreach (var topic in topics)
        {
            if (!partitionsPerTopic.TryGetValue(topic, out var count)) continue;
            var consumers = new List<MemberSubscription>();
            foreach (var m in members) if (m.Subscription.Topics.Contains(topic)) consumers.Add(m);
            consumers.Sort(Assignors.CompareMembers);
            var per = count / consumers.Count;
            var extra = count % consumers.Count;
            for (var i = 0; i < consumers.Count; i++)
            {
                var start = per * i + Math.Min(i, extra);
                var length = per + (i < extra ? 1 : 0);
                var list = result[consumers[i].MemberId];
                for (var p = start; p < start + length; p++) list.Add(new TopicPartition(topic, p));
            }
        }
        return result;
    }
}

/// <summary>
/// All partitions sorted by topic and partition are dealt in turn to the members in Kafka's member order, skipping
/// members not subscribed to a partition's topic.
/// </summary>
internal sealed class RoundRobinAssignor : IPartitionAssignor
{
    public string Name => "roundrobin";
    public bool Cooperative => false;
    public byte[]? SubscriptionUserData(int generation) => null;

    public Dictionary<string, List<TopicPartition>> Assign(IReadOnlyDictionary<string, int> partitionsPerTopic, IReadOnlyList<MemberSubscription> members)
    {
        var result = Assignors.Empty(members);
        if (members.Count == 0) return result;
        var sorted = members.ToList();
        sorted.Sort(Assignors.CompareMembers);
        var topics = new List<string>();
        foreach (var m in members) topics.AddRange(m.Subscription.Topics);
        var next = 0;
        foreach (var tp in Assignors.AllPartitionsSorted(partitionsPerTopic, topics))
        {
            while (!sorted[next].Subscription.Topics.Contains(tp.Topic)) next = (next + 1) % sorted.Count;
            result[sorted[next].MemberId].Add(tp);
            next = (next + 1) % sorted.Count;
        }
        return result;
    }
}

/// <summary>
/// Sticky assignment with incremental cooperative rebalancing (KIP-429): members keep what they own as far as
/// balance allows; a partition that moves is left out of this assignment (its owner revokes it and rejoins) and is
/// handed to its new owner in the follow-up rebalance. With identical subscriptions this is Kafka's constrained
/// algorithm: keep owned partitions up to the quota, fill members under the minimum quota round-robin (sorted by
/// member id) from the sorted free partitions, take from max-quota members when still short, then spread the rest
/// one each over the members at the minimum quota.
/// </summary>
internal sealed class CooperativeStickyAssignor : IPartitionAssignor
{
    public string Name => "cooperative-sticky";
    public bool Cooperative => true;

    /// <summary>The generation, as the Java assignor encodes it for subscription versions without a generation field.</summary>
    public byte[]? SubscriptionUserData(int generation)
    {
        var data = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(data, generation);
        return data;
    }

    public Dictionary<string, List<TopicPartition>> Assign(IReadOnlyDictionary<string, int> partitionsPerTopic, IReadOnlyList<MemberSubscription> members)
    {
        if (members.Count == 0) return new Dictionary<string, List<TopicPartition>>(StringComparer.Ordinal);
        var owned = ValidOwnedPartitions(partitionsPerTopic, members);
        var transferring = new Dictionary<TopicPartition, string>();
        var result = AllSubscriptionsEqual(members)
            ? ConstrainedAssign(partitionsPerTopic, members, owned, transferring)
            : GeneralAssign(partitionsPerTopic, members, owned, transferring);
        // Cooperative: a partition changing hands is revoked first; its new owner gets it next rebalance.
        foreach (var (tp, consumer) in transferring) result[consumer].Remove(tp);
        foreach (var list in result.Values) list.Sort();
        return result;
    }

    private static int Generation(Subscription s)
    {
        if (s.GenerationId >= 0) return s.GenerationId;
        if (s.UserData is { Length: >= 4 } u) return BinaryPrimitives.ReadInt32BigEndian(u);
        return -1;
    }

    /// <summary>
    /// Owned partitions count only from members of the highest generation seen, only for subscribed topics that
    /// exist, and a partition claimed by two such members counts for neither.
    /// </summary>
    private static Dictionary<string, List<TopicPartition>> ValidOwnedPartitions(IReadOnlyDictionary<string, int> partitionsPerTopic, IReadOnlyList<MemberSubscription> members)
    {
        var maxGeneration = -1;
        foreach (var m in members) maxGeneration = Math.Max(maxGeneration, Generation(m.Subscription));
        var result = new Dictionary<string, List<TopicPartition>>(StringComparer.Ordinal);
        var claims = new Dictionary<TopicPartition, int>();
        foreach (var m in members)
        {
            var list = new List<TopicPartition>();
            result[m.MemberId] = list;
            if (Generation(m.Subscription) != maxGeneration) continue;
            foreach (var tp in m.Subscription.OwnedPartitions)
            {
                if (!m.Subscription.Topics.Contains(tp.Topic) || !partitionsPerTopic.TryGetValue(tp.Topic, out var n) || tp.Partition >= n) continue;
                if (list.Contains(tp)) continue;
                list.Add(tp);
                claims[tp] = claims.GetValueOrDefault(tp) + 1;
            }
        }
        foreach (var list in result.Values) list.RemoveAll(tp => claims[tp] > 1);
        return result;
    }

    private static bool AllSubscriptionsEqual(IReadOnlyList<MemberSubscription> members)
    {
        var first = new HashSet<string>(members[0].Subscription.Topics, StringComparer.Ordinal);
        for (var i = 1; i < members.Count; i++)
            if (!first.SetEquals(members[i].Subscription.Topics)) return false;
        return true;
    }

    private static Dictionary<string, List<TopicPartition>> ConstrainedAssign(IReadOnlyDictionary<string, int> partitionsPerTopic,
        IReadOnlyList<MemberSubscription> members, Dictionary<string, List<TopicPartition>> owned, Dictionary<TopicPartition, string> transferring)
    {
        var all = Assignors.AllPartitionsSorted(partitionsPerTopic, members[0].Subscription.Topics);
        var unassigned = new SortedSet<TopicPartition>(all);
        var revoked = new HashSet<TopicPartition>();
        var ids = members.Select(m => m.MemberId).ToList();
        ids.Sort(StringComparer.Ordinal);
        var minQuota = all.Count / ids.Count;
        var maxQuota = (all.Count + ids.Count - 1) / ids.Count;
        var result = new Dictionary<string, List<TopicPartition>>(StringComparer.Ordinal);
        var unfilled = new List<string>();
        var maxCapacity = new Queue<string>();
        var minCapacity = new Queue<string>();
        foreach (var id in ids)
        {
            var assignment = new List<TopicPartition>();
            result[id] = assignment;
            var mine = owned[id];
            for (var i = 0; i < mine.Count; i++)
            {
                if (i < maxQuota)
                {
                    assignment.Add(mine[i]);
                    unassigned.Remove(mine[i]);
                }
                else
                {
                    revoked.Add(mine[i]);
                }
            }
            if (mine.Count < minQuota)
            {
                unfilled.Add(id);
            }
            else
            {
                if (assignment.Count == minQuota) minCapacity.Enqueue(id);
                if (assignment.Count == maxQuota) maxCapacity.Enqueue(id);
            }
        }

        // Fill members below the minimum quota, one partition each per round.
        var free = new Queue<TopicPartition>(unassigned);
        while (unfilled.Count > 0 && free.Count > 0)
        {
            for (var i = 0; i < unfilled.Count && free.Count > 0;)
            {
                var id = unfilled[i];
                var tp = free.Dequeue();
                result[id].Add(tp);
                if (revoked.Contains(tp)) transferring[tp] = id;
                if (result[id].Count == minQuota)
                {
                    minCapacity.Enqueue(id);
                    unfilled.RemoveAt(i);
                }
                else
                {
                    i++;
                }
            }
        }

        // Still short: take from members holding the maximum quota.
        foreach (var id in unfilled)
        {
            var assignment = result[id];
            while (assignment.Count < minQuota)
            {
                if (!maxCapacity.TryDequeue(out var overloaded)) throw new InvalidOperationException("Members are under quota but every partition is assigned.");
                var tp = result[overloaded][0];
                result[overloaded].RemoveAt(0);
                assignment.Add(tp);
                transferring[tp] = id;
            }
            minCapacity.Enqueue(id);
        }

        // Left over: one each to members at the minimum quota.
        while (free.TryDequeue(out var tp))
        {
            if (!minCapacity.TryDequeue(out var id)) throw new InvalidOperationException("Partitions are left but every member is at maximum quota.");
            result[id].Add(tp);
            if (revoked.Contains(tp)) transferring[tp] = id;
        }
        return result;
    }

    /// <summary>
    /// Members with different subscriptions: keep valid owned partitions, give each free partition (fewest
    /// candidates first) to the least loaded subscribed member, then move partitions from the most to the least
    /// loaded eligible member while that narrows the spread.
    /// </summary>
    private static Dictionary<string, List<TopicPartition>> GeneralAssign(IReadOnlyDictionary<string, int> partitionsPerTopic,
        IReadOnlyList<MemberSubscription> members, Dictionary<string, List<TopicPartition>> owned, Dictionary<TopicPartition, string> transferring)
    {
        var sortedMembers = members.ToList();
        sortedMembers.Sort((a, b) => string.CompareOrdinal(a.MemberId, b.MemberId));
        var result = new Dictionary<string, List<TopicPartition>>(StringComparer.Ordinal);
        var previousOwner = new Dictionary<TopicPartition, string>();
        var taken = new HashSet<TopicPartition>();
        foreach (var m in sortedMembers)
        {
            result[m.MemberId] = new List<TopicPartition>(owned[m.MemberId]);
            foreach (var tp in owned[m.MemberId]) { previousOwner[tp] = m.MemberId; taken.Add(tp); }
        }
        var topics = new List<string>();
        foreach (var m in members) topics.AddRange(m.Subscription.Topics);
        var candidates = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var tp in Assignors.AllPartitionsSorted(partitionsPerTopic, topics))
        {
            if (!candidates.ContainsKey(tp.Topic))
                candidates[tp.Topic] = sortedMembers.Where(m => m.Subscription.Topics.Contains(tp.Topic)).Select(m => m.MemberId).ToList();
        }
        var free = Assignors.AllPartitionsSorted(partitionsPerTopic, topics).Where(tp => !taken.Contains(tp)).ToList();
        free.Sort((a, b) =>
        {
            var c = candidates[a.Topic].Count.CompareTo(candidates[b.Topic].Count);
            return c != 0 ? c : a.CompareTo(b);
        });
        foreach (var tp in free)
        {
            string? best = null;
            foreach (var id in candidates[tp.Topic])
                if (best is null || result[id].Count < result[best].Count) best = id;
            if (best is not null) result[best].Add(tp);
        }
        for (var moved = true; moved;)
        {
            moved = false;
            foreach (var from in sortedMembers.OrderByDescending(m => result[m.MemberId].Count).ThenBy(m => m.MemberId, StringComparer.Ordinal))
            {
                var list = result[from.MemberId];
                for (var i = list.Count - 1; i >= 0 && !moved; i--)
                {
                    var tp = list[i];
                    string? to = null;
                    foreach (var id in candidates[tp.Topic])
                        if (result[id].Count + 1 < list.Count && (to is null || result[id].Count < result[to].Count)) to = id;
                    if (to is null) continue;
                    list.RemoveAt(i);
                    result[to].Add(tp);
                    moved = true;
                }
                if (moved) break;
            }
        }
        foreach (var (id, list) in result)
            foreach (var tp in list)
                if (previousOwner.TryGetValue(tp, out var prev) && prev != id) transferring[tp] = id;
        return result;
    }
}
