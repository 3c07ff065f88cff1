using System.Globalization;
using System.Text.Json;
using KafkaConnect.Broker.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace KafkaConnect.Broker.IntegrationTests;

/// <summary>
/// kafka-python consumer groups: partitions split between two members, taken over when one leaves, and
/// committed offsets honoured after a broker restart (clean or crash).
/// </summary>
public sealed class ConsumerGroupTests(ITestOutputHelper output)
{
    private const int Partitions = 4;
    private const int FirstBatch = 1_000;
    private const int SecondBatch = 500;
    private static readonly TimeSpan s_scriptTimeout = TimeSpan.FromMinutes(3);

    [Theory]
    [Trait("Category", "Long")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Group_splits_rebalances_and_resumes_from_committed_offsets_after_restart(bool crash)
    {
        Clients.RequireKafkaPython();
        await using var broker = await BrokerProcess.StartAsync(
            output, $"num.partitions={Partitions}", "group.initial.rebalance.delay.ms=0");
        var bootstrap = broker.BootstrapServers;
        const string Topic = "orders";
        const string Group = "billing";
        var partitions = Partitions.ToString(CultureInfo.InvariantCulture);

        await Clients.RunScriptAsync("admin.py", s_scriptTimeout, "create-topic", bootstrap, Topic, partitions);
        await Clients.RunScriptAsync("group_client.py", s_scriptTimeout,
            "produce", bootstrap, Topic, "--start", "0", "--count", FirstBatch.ToString(CultureInfo.InvariantCulture), "--partitions", partitions);

        var before = await Clients.RunScriptAsync("group_client.py", s_scriptTimeout,
            "rebalance", bootstrap, Topic, Group, "--partitions", partitions, "--limits", "100,300,600");
        output.WriteLine($"rebalance: split {before.GetProperty("split")}, after leave {before.GetProperty("afterLeave")}, committed {before.GetProperty("committed")}, commit failures {before.GetProperty("commitFailures")}");

        var a = Ints(before.GetProperty("split").GetProperty("a"));
        var b = Ints(before.GetProperty("split").GetProperty("b"));
        Assert.Equal(Partitions / 2, a.Count);
        Assert.Equal(Partitions / 2, b.Count);
        Assert.Equal(Enumerable.Range(0, Partitions), a.Concat(b).Order());
        Assert.Equal(Enumerable.Range(0, Partitions), Ints(before.GetProperty("afterLeave")).Order());

        var consumedBefore = Ints(before.GetProperty("consumed"));
        Assert.True(consumedBefore.Count >= 600, $"Only {consumedBefore.Count} records processed before the restart");
        var committed = new Dictionary<int, long>();
        foreach (var property in before.GetProperty("committed").EnumerateObject())
        {
            committed[int.Parse(property.Name, CultureInfo.InvariantCulture)] = property.Value.GetInt64();
        }

        // Processing is spread over partitions, so every partition has a commit whose exact resume matters.
        Assert.True(committed.Count == Partitions && committed.Values.All(o => o > 0),
            $"Expected a non-zero committed offset for every partition, got {before.GetProperty("committed")}");

        await broker.RestartAsync(crash);

        // The restarted broker keeps accepting writes after the recovered log end.
        await Clients.RunScriptAsync("group_client.py", s_scriptTimeout,
            "produce", bootstrap, Topic, "--start", FirstBatch.ToString(CultureInfo.InvariantCulture),
            "--count", SecondBatch.ToString(CultureInfo.InvariantCulture), "--partitions", partitions);

        var after = await Clients.RunScriptAsync("group_client.py", s_scriptTimeout,
            "resume", bootstrap, Topic, Group, "--partitions", partitions);
        output.WriteLine($"resume: first offsets {after.GetProperty("firstOffsets")}, end offsets {after.GetProperty("endOffsets")}");

        var endOffsets = after.GetProperty("endOffsets");
        for (var p = 0; p < Partitions; p++)
        {
            var key = p.ToString(CultureInfo.InvariantCulture);
            Assert.Equal((FirstBatch + SecondBatch) / Partitions, endOffsets.GetProperty(key).GetInt64());
            var expectedStart = committed.GetValueOrDefault(p, 0);
            var first = after.GetProperty("firstOffsets");
            Assert.True(first.TryGetProperty(key, out var firstOffset), $"Resumed consumer read nothing from partition {p}");
            Assert.True(expectedStart == firstOffset.GetInt64(),
                $"Partition {p}: committed offset before restart was {expectedStart}, resumed consumer started at {firstOffset.GetInt64()}");
        }

        var consumedAfter = Ints(after.GetProperty("consumed"));
        var all = new HashSet<int>(consumedBefore);
        all.UnionWith(consumedAfter);
        var gaps = Enumerable.Range(0, FirstBatch + SecondBatch).Where(i => !all.Contains(i)).Take(20).ToList();
        Assert.True(gaps.Count == 0, $"Messages never consumed: {string.Join(",", gaps)}");
        var overlap = consumedAfter.Intersect(consumedBefore).Count();
        Assert.True(overlap <= before.GetProperty("commitFailures").GetInt32(),
            $"{overlap} messages consumed both before and after the restart although their offsets were committed");
    }

    private static List<int> Ints(JsonElement array)
    {
        var list = new List<int>(array.GetArrayLength());
        foreach (var item in array.EnumerateArray())
        {
            list.Add(item.GetInt32());
        }

        return list;
    }
}
