using System.Diagnostics;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;

namespace KafkaConnect.SchemaRegistry.Tests;

/// <summary>Several registries on one topic: one leader elected through the Kafka group takes every write, the others forward.</summary>
public sealed class LeaderElectionTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    private static readonly TimeSpan s_session = TimeSpan.FromSeconds(3);

    private Task<SchemaRegistryServer> StartAsync(string topic, bool eligible = true) => fixture.StartRegistryAsync(topic, new Dictionary<string, string>
    {
        ["schema.registry.group.id"] = "group-" + topic,
        ["kafkagroup.session.timeout.ms"] = ((int)s_session.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["kafkagroup.heartbeat.interval.ms"] = "200",
        ["leader.eligibility"] = eligible ? "true" : "false",
    });

    private static string Url(SchemaRegistryServer s) => s.Url.ToString().TrimEnd('/');

    private static string Record(string name) => $$"""{"type":"record","name":"{{name}}","namespace":"lead","fields":[{"name":"f","type":"string"}]}""";

    /// <summary>Waits until every instance names the same leader and that one knows it leads.</summary>
    private static async Task<SchemaRegistryServer> AgreedLeaderAsync(params SchemaRegistryServer[] instances)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            var urls = instances.Select(i => i.LeaderUrl).Distinct().ToList();
            if (urls is [{ } url] && instances.SingleOrDefault(i => i.AdvertisedUrl == url) is { IsLeader: true } leader)
            {
                return leader;
            }
            await Task.Delay(20);
        }
        throw new TimeoutException("no agreed leader: " + string.Join(", ", instances.Select(i => $"{i.AdvertisedUrl} -> {i.LeaderUrl}")));
    }

    private static async Task<int> RegisterAsync(SchemaRegistryServer via, string subject, string schema)
    {
        var r = await Http.SendAsync(Url(via), HttpMethod.Post, $"/subjects/{Uri.EscapeDataString(subject)}/versions", Http.SchemaBody(schema));
        Assert.True(r.Status == 200, $"register {subject} through {via.AdvertisedUrl}: {r.Status} {r.Text}");
        return r.Body.GetProperty("id").GetInt32();
    }

    [Fact]
    public async Task ThreeInstances_ConcurrentRegistrationsThroughAll_DistinctIds_ServedAlikeEverywhere()
    {
        var topic = "_schemas_lead_" + Guid.NewGuid().ToString("N")[..8];
        await using var a = await StartAsync(topic);
        await using var b = await StartAsync(topic);
        await using var c = await StartAsync(topic);
        var instances = new[] { a, b, c };
        var leader = await AgreedLeaderAsync(instances);
        // Confluent's rule: the eligible member with the smallest URL.
        Assert.Equal(instances.Select(i => i.AdvertisedUrl).Min(StringComparer.Ordinal), leader.AdvertisedUrl);
        Assert.Single(instances, i => i.IsLeader);

        const int PerInstance = 40;
        var work = instances.SelectMany((via, n) => Enumerable.Range(0, PerInstance).Select(async i =>
        {
            var subject = $"s{n}-{i} value";
            var schema = Record($"R{n}x{i}");
            return (Via: via, Subject: subject, Schema: schema, Id: await RegisterAsync(via, subject, schema));
        })).ToList();
        var results = await Task.WhenAll(work);

        Assert.Equal(results.Length, results.Select(r => r.Id).Distinct().Count());
        foreach (var r in results)
        {
            // What the leader stored under the subject is what the instance that took the request answered.
            var stored = await Http.SendAsync(Url(leader), HttpMethod.Get, $"/subjects/{Uri.EscapeDataString(r.Subject)}/versions/latest");
            Assert.Equal((200, r.Id), (stored.Status, stored.Body.GetProperty("id").GetInt32()));
            // The instance that forwarded the write has read it back before answering.
            Assert.Equal(200, (await Http.SendAsync(Url(r.Via), HttpMethod.Get, $"/schemas/ids/{r.Id}")).Status);
        }
        foreach (var id in results.Select(r => r.Id))
        {
            var answers = new List<string>();
            foreach (var i in instances)
            {
                answers.Add(await EventuallyAsync(i, $"/schemas/ids/{id}"));
            }
            Assert.Single(answers.Distinct());
        }

        // Errors come back from the leader unchanged.
        var follower = instances.First(i => !i.IsLeader);
        var bad = Http.SchemaBody("""{"type":"record","name":"Bad","fields":[{"name":"f","type":"nope"}]}""");
        var viaFollower = await Http.SendAsync(Url(follower), HttpMethod.Post, "/subjects/bad-value/versions", bad);
        var viaLeader = await Http.SendAsync(Url(leader), HttpMethod.Post, "/subjects/bad-value/versions", bad);
        Assert.Equal((viaLeader.Status, viaLeader.Text), (viaFollower.Status, viaFollower.Text));
        Assert.Equal(422, viaFollower.Status);

        // Config and mode writes go through the leader too, and every instance then reads them.
        Assert.Equal(200, (await Http.SendAsync(Url(follower), HttpMethod.Put, "/config/s0-0%20value", """{"compatibility":"NONE"}""")).Status);
        foreach (var i in instances)
        {
            Assert.Equal("""{"compatibilityLevel":"NONE"}""", await EventuallyAsync(i, "/config/s0-0%20value"));
        }
    }

    private static async Task<string> EventuallyAsync(SchemaRegistryServer instance, string path)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var r = await Http.SendAsync(Url(instance), HttpMethod.Get, path);
            if (r.Status == 200 || clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                Assert.True(r.Status == 200, $"{instance.AdvertisedUrl}{path}: {r.Status} {r.Text}");
                return r.Text;
            }
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task LeaderStops_TheOtherTakesOverWithinTheSession_AndIdsAreNotReused()
    {
        var topic = "_schemas_failover_" + Guid.NewGuid().ToString("N")[..8];
        var a = await StartAsync(topic);
        var b = await StartAsync(topic);
        try
        {
            var leader = await AgreedLeaderAsync(a, b);
            var survivor = leader == a ? b : a;
            var before = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => RegisterAsync(i % 2 == 0 ? a : b, $"before-{i}", Record($"B{i}"))));

            var clock = Stopwatch.StartNew();
            await leader.DisposeAsync();
            // Writes sent to the survivor during the election wait for it rather than fail.
            var during = RegisterAsync(survivor, "during", Record("During"));
            await AgreedLeaderAsync(survivor);
            Assert.True(clock.Elapsed < s_session, $"took over after {clock.Elapsed}");

            var after = new List<int> { await during };
            after.AddRange(await Task.WhenAll(Enumerable.Range(0, 20).Select(i => RegisterAsync(survivor, $"after-{i}", Record($"A{i}")))));
            Assert.Equal(before.Length + after.Count, before.Concat(after).Distinct().Count());
            Assert.True(after.Min() > before.Max(), $"ids after the takeover ({after.Min()}) must follow those before ({before.Max()})");
            // A schema registered before keeps its id.
            Assert.Equal(before[3], await RegisterAsync(survivor, "before-3", Record("B3")));
        }
        finally
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
        }
    }

    [Fact]
    public async Task IneligibleAlone_WritesFailWithLeaderNotKnown_ReadsWork_ThenForwardsOnceALeaderJoins()
    {
        var topic = "_schemas_ineligible_" + Guid.NewGuid().ToString("N")[..8];
        int id;
        await using (var first = await StartAsync(topic))
        {
            id = await RegisterAsync(first, "kept-value", Record("Kept"));
        }

        await using var follower = await StartAsync(topic, eligible: false);
        var url = Url(follower);
        Assert.Equal("""["kept-value"]""", (await Http.SendAsync(url, HttpMethod.Get, "/subjects")).Text);
        Assert.Equal(200, (await Http.SendAsync(url, HttpMethod.Get, $"/schemas/ids/{id}")).Status);

        var register = await Http.SendAsync(url, HttpMethod.Post, "/subjects/new-value/versions", Http.SchemaBody(Record("New")));
        Assert.Equal((500, 50004), (register.Status, register.Body.GetProperty("error_code").GetInt32()));
        Assert.StartsWith("Leader not known. No instance with leader.eligibility=true is in registry group", register.Body.GetProperty("message").GetString(), StringComparison.Ordinal);
        var config = await Http.SendAsync(url, HttpMethod.Put, "/config", """{"compatibility":"NONE"}""");
        Assert.Equal((500, 50004), (config.Status, config.Body.GetProperty("error_code").GetInt32()));
        Assert.StartsWith("Failed to update compatibility level", config.Body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.False(follower.IsLeader);

        // An eligible instance joins: it leads, and the ineligible one forwards to it.
        await using var leader = await StartAsync(topic);
        Assert.Same(leader, await AgreedLeaderAsync(follower, leader));
        var newId = await RegisterAsync(follower, "new-value", Record("New"));
        Assert.True(newId > id);
        Assert.Equal(newId, (await Http.SendAsync(Url(leader), HttpMethod.Get, "/subjects/new-value/versions/1")).Body.GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task TwoTopicsInOneGroup_TheOtherTopicsInstanceRefusesWritesInsteadOfForwardingThem()
    {
        var group = "shared-" + Guid.NewGuid().ToString("N")[..8];
        Dictionary<string, string> Props() => new()
        {
            ["schema.registry.group.id"] = group,
            ["kafkagroup.heartbeat.interval.ms"] = "200",
        };
        await using var a = await fixture.StartRegistryAsync("_schemas_x_" + group, Props());
        await using var b = await fixture.StartRegistryAsync("_schemas_y_" + group, Props());
        var leader = await AgreedLeaderAsync(a, b);
        var other = leader == a ? b : a;

        var refused = await Http.SendAsync(Url(other), HttpMethod.Post, "/subjects/x-value/versions", Http.SchemaBody(Record("X")));
        Assert.Equal((500, 50004), (refused.Status, refused.Body.GetProperty("error_code").GetInt32()));
        Assert.Contains("give each registry cluster its own schema.registry.group.id", refused.Body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(200, (await Http.SendAsync(Url(leader), HttpMethod.Post, "/subjects/x-value/versions", Http.SchemaBody(Record("X")))).Status);
        Assert.Equal("[]", (await Http.SendAsync(Url(other), HttpMethod.Get, "/subjects")).Text);
    }

    /// <summary>The leader is a <c>kconnect schema-registry</c> process killed with SIGKILL: it never leaves the group.</summary>
    [Fact]
    public async Task LeaderProcessKilled_FollowerTakesOverAfterTheSession_AndTheWriteSentMeanwhileSucceeds()
    {
        var topic = "_schemas_killed_" + Guid.NewGuid().ToString("N")[..8];
        var dir = Directory.CreateTempSubdirectory("kc-registry-killed-").FullName;
        try
        {
            var port = ChildProcess.FreePort();
            var file = Path.Combine(dir, "schema-registry.properties");
            await File.WriteAllTextAsync(file, $"""
                listeners=http://127.0.0.1:{port}
                kafkastore.bootstrap.servers={fixture.BootstrapServers}
                kafkastore.topic={topic}
                schema.registry.group.id=group-{topic}
                kafkagroup.session.timeout.ms=2000
                kafkagroup.heartbeat.interval.ms=200
                """);
            await using var process = ChildProcess.Start(dir, ["schema-registry", file]);
            var listening = process.WhenLogged($"listening on http://127.0.0.1:{port}");
            Assert.True(await Task.WhenAny(listening, Task.Delay(60_000)) == listening, "did not start:\n" + process.Tail(40));
            // "http://127.0.0.1:…" sorts before "http://localhost:…": the process leads.
            await using var follower = await fixture.StartRegistryAsync(topic, new Dictionary<string, string>
            {
                ["schema.registry.group.id"] = "group-" + topic,
                ["host.name"] = "localhost",
                ["kafkagroup.session.timeout.ms"] = "2000",
                ["kafkagroup.heartbeat.interval.ms"] = "200",
            });
            var clock = Stopwatch.StartNew();
            while (follower.LeaderUrl != $"http://127.0.0.1:{port}")
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the process did not become the leader: " + follower.LeaderUrl + "\n" + process.Tail(40));
                await Task.Delay(20);
            }
            var first = await RegisterAsync(follower, "killed-1", Record("K1"));

            await process.KillAsync();
            clock.Restart();
            var second = await RegisterAsync(follower, "killed-2", Record("K2"));
            Assert.True(follower.IsLeader);
            Assert.True(second > first, $"{second} after {first}");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took over after {clock.Elapsed}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
