using KafkaConnect.Client.Consumer;

namespace KafkaConnect.Client.Tests.Consumer;

public sealed class AssignorTests
{
    private static MemberSubscription Member(string id, string[] topics, TopicPartition[]? owned = null, int generation = -1, string? instance = null)
        => new(id, instance, new Subscription(topics, null, owned ?? [], generation));

    private static TopicPartition Tp(string t, int p) => new(t, p);

    private static string Show(Dictionary<string, List<TopicPartition>> a)
        => string.Join("; ", a.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + string.Join(",", kv.Value.OrderBy(x => x).Select(x => x.ToString()))));

    [Fact]
    public void Range_gives_contiguous_ranges_per_topic_extra_to_the_first_members()
    {
        var topics = new Dictionary<string, int> { ["t0"] = 3, ["t1"] = 3 };
        var a = new RangeAssignor().Assign(topics, [Member("c1", ["t0", "t1"]), Member("c0", ["t0", "t1"])]);
        Assert.Equal("c0=t0-0,t0-1,t1-0,t1-1; c1=t0-2,t1-2", Show(a));
    }

    [Fact]
    public void Range_orders_static_members_first_by_instance_id()
    {
        var topics = new Dictionary<string, int> { ["t"] = 5 };
        var a = new RangeAssignor().Assign(topics, [Member("a", ["t"]), Member("z", ["t"], instance: "i2"), Member("y", ["t"], instance: "i1")]);
        Assert.Equal("a=t-4; y=t-0,t-1; z=t-2,t-3", Show(a));
    }

    [Fact]
    public void Range_only_uses_subscribers_of_each_topic()
    {
        var topics = new Dictionary<string, int> { ["t0"] = 2, ["t1"] = 4 };
        var a = new RangeAssignor().Assign(topics, [Member("c0", ["t0"]), Member("c1", ["t0", "t1"]), Member("c2", ["t1"])]);
        Assert.Equal("c0=t0-0; c1=t0-1,t1-0,t1-1; c2=t1-2,t1-3", Show(a));
    }

    [Fact]
    public void RoundRobin_deals_sorted_partitions_in_member_order()
    {
        var topics = new Dictionary<string, int> { ["t0"] = 3, ["t1"] = 3 };
        var a = new RoundRobinAssignor().Assign(topics, [Member("c1", ["t0", "t1"]), Member("c0", ["t0", "t1"])]);
        Assert.Equal("c0=t0-0,t0-2,t1-1; c1=t0-1,t1-0,t1-2", Show(a));
    }

    [Fact]
    public void RoundRobin_skips_members_not_subscribed()
    {
        // Kafka's documented example: C0 [t0], C1 [t0,t1], C2 [t0,t1,t2]; t0 1 partition, t1 2, t2 3.
        var topics = new Dictionary<string, int> { ["t0"] = 1, ["t1"] = 2, ["t2"] = 3 };
        var a = new RoundRobinAssignor().Assign(topics, [Member("c0", ["t0"]), Member("c1", ["t0", "t1"]), Member("c2", ["t0", "t1", "t2"])]);
        Assert.Equal("c0=t0-0; c1=t1-0; c2=t1-1,t2-0,t2-1,t2-2", Show(a));
    }

    [Fact]
    public void CooperativeSticky_fresh_group_is_round_robin_by_member_id()
    {
        var topics = new Dictionary<string, int> { ["t"] = 5 };
        var a = new CooperativeStickyAssignor().Assign(topics, [Member("b", ["t"]), Member("a", ["t"])]);
        Assert.Equal("a=t-0,t-2,t-4; b=t-1,t-3", Show(a));
    }

    [Fact]
    public void CooperativeSticky_new_member_gets_nothing_until_the_owner_revokes()
    {
        var topics = new Dictionary<string, int> { ["t"] = 4 };
        var first = new CooperativeStickyAssignor().Assign(topics,
        [
            Member("a", ["t"], [Tp("t", 0), Tp("t", 1), Tp("t", 2), Tp("t", 3)], generation: 1),
            Member("b", ["t"]),
        ]);
        // a keeps its first maxQuota (2) owned partitions; t-2 and t-3 move to b, so they are held back.
        Assert.Equal("a=t-0,t-1; b=", Show(first));
        var second = new CooperativeStickyAssignor().Assign(topics,
        [
            Member("a", ["t"], [Tp("t", 0), Tp("t", 1)], generation: 2),
            Member("b", ["t"], [], generation: 2),
        ]);
        Assert.Equal("a=t-0,t-1; b=t-2,t-3", Show(second));
    }

    [Fact]
    public void CooperativeSticky_keeps_owners_when_a_member_leaves()
    {
        var topics = new Dictionary<string, int> { ["t"] = 6 };
        var a = new CooperativeStickyAssignor().Assign(topics,
        [
            Member("a", ["t"], [Tp("t", 0), Tp("t", 3)], generation: 5),
            Member("c", ["t"], [Tp("t", 2), Tp("t", 5)], generation: 5),
        ]);
        // b (t-1, t-4) left: its partitions are free and go round-robin to a then c; nothing owned moves.
        Assert.Equal("a=t-0,t-1,t-3; c=t-2,t-4,t-5", Show(a));
    }

    [Fact]
    public void CooperativeSticky_ignores_claims_from_an_older_generation()
    {
        var topics = new Dictionary<string, int> { ["t"] = 2 };
        var a = new CooperativeStickyAssignor().Assign(topics,
        [
            Member("a", ["t"], [Tp("t", 0), Tp("t", 1)], generation: 3),
            Member("b", ["t"], [Tp("t", 0)], generation: 2),
        ]);
        // a owns both; the quota is 1, so t-1 moves to b and is held back this round.
        Assert.Equal("a=t-0; b=", Show(a));
    }

    [Fact]
    public void CooperativeSticky_unequal_subscriptions_stay_balanced()
    {
        var topics = new Dictionary<string, int> { ["t0"] = 2, ["t1"] = 2 };
        var a = new CooperativeStickyAssignor().Assign(topics, [Member("a", ["t0"]), Member("b", ["t0", "t1"])]);
        Assert.Equal(2, a["a"].Count);
        Assert.Equal(2, a["b"].Count);
        Assert.All(a["a"], tp => Assert.Equal("t0", tp.Topic));
    }

    [Fact]
    public void Subscription_and_assignment_round_trip_with_version_prefix()
    {
        var s = new Subscription(["a", "b"], [1, 2], [Tp("a", 1), Tp("b", 0), Tp("a", 3)], 7, "r1");
        var bytes = ConsumerProtocol.EncodeSubscription(s);
        Assert.Equal(0, bytes[0]);
        Assert.Equal(3, bytes[1]);
        var back = ConsumerProtocol.DecodeSubscription(bytes);
        Assert.Equal(["a", "b"], back.Topics);
        Assert.Equal([Tp("a", 1), Tp("a", 3), Tp("b", 0)], back.OwnedPartitions);
        Assert.Equal(7, back.GenerationId);
        Assert.Equal("r1", back.RackId);

        // A v0 payload (what kafka-python sends) has only topics and user data.
        var v0 = ConsumerProtocol.DecodeSubscription(ConsumerProtocol.EncodeSubscription(s, 0));
        Assert.Equal(-1, v0.GenerationId);
        Assert.Empty(v0.OwnedPartitions);

        var assignment = ConsumerProtocol.DecodeAssignment(ConsumerProtocol.EncodeAssignment([Tp("x", 2), Tp("x", 0)]));
        Assert.Equal([Tp("x", 2), Tp("x", 0)], assignment);
        Assert.Empty(ConsumerProtocol.DecodeAssignment([]));
    }
}
