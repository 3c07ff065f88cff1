using System.Text.Json;

namespace KafkaConnect.Broker.IntegrationTests.Infrastructure;

/// <summary>Cluster metadata as reported by `kcat -L -J`.</summary>
internal sealed record KcatMetadata(IReadOnlyList<(int Id, string Name)> Brokers, IReadOnlyDictionary<string, KcatTopic> Topics, string Raw)
{
    public static async Task<KcatMetadata> QueryAsync(BrokerProcess broker, string? topic = null)
    {
        List<string> args = ["-L", "-J", "-b", broker.BootstrapServers, "-m", "10"];
        if (topic is not null)
        {
            args.AddRange(["-t", topic]);
        }

        var result = await ProcessRunner.RunAsync(Clients.RequireKcat(), args, TimeSpan.FromSeconds(30));
        Assert.True(result.Succeeded, $"kcat metadata query failed:{Environment.NewLine}{result.Describe()}");
        return Parse(result.StandardOutput);
    }

    public static KcatMetadata Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var brokers = new List<(int, string)>();
        foreach (var b in root.GetProperty("brokers").EnumerateArray())
        {
            brokers.Add((b.GetProperty("id").GetInt32(), b.GetProperty("name").GetString() ?? string.Empty));
        }

        var topics = new Dictionary<string, KcatTopic>(StringComparer.Ordinal);
        foreach (var t in root.GetProperty("topics").EnumerateArray())
        {
            var name = t.GetProperty("topic").GetString() ?? string.Empty;
            string? error = t.TryGetProperty("error", out var e) ? e.GetString() : null;
            var leaders = new SortedDictionary<int, int>();
            if (t.TryGetProperty("partitions", out var parts))
            {
                foreach (var p in parts.EnumerateArray())
                {
                    leaders[p.GetProperty("partition").GetInt32()] = p.GetProperty("leader").GetInt32();
                }
            }

            topics[name] = new KcatTopic(name, leaders, error);
        }

        return new KcatMetadata(brokers, topics, json);
    }
}

internal sealed record KcatTopic(string Name, IReadOnlyDictionary<int, int> PartitionLeaders, string? Error);
