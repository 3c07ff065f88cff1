using System.Diagnostics;
using System.Globalization;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.SchemaRegistry;
using KafkaConnect.SchemaRegistry;

namespace KafkaConnect.ClientBench;

/// <summary>
/// Schema Registry lookups per second (issue 14): our registry (in-process, on a broker process) and our converters'
/// registry client, with a cold and a warm cache on each side. Usage: <c>registry [--schemas 1000] [--repeat 3]</c>.
/// </summary>
internal static class RegistryLookups
{
    public static async Task<int> RunAsync(string[] args)
    {
        var schemas = IntArg(args, "--schemas", 1000);
        var repeat = IntArg(args, "--repeat", 3);
        await using var broker = await BenchBroker.StartAsync();
        if (broker is null) return 1;
        var subjects = Enumerable.Range(0, schemas).Select(i => $"bench-{i}-value").ToArray();
        var texts = Enumerable.Range(0, schemas).Select(i => new RegistrySchema(
            $$$"""{"type":"record","name":"Order{{{i}}}","namespace":"bench","fields":[{"name":"id","type":"long"},{"name":"customer","type":"string"},{"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}},{"name":"note","type":["null","string"],"default":null}]}""")).ToArray();

        var registry = await StartRegistryAsync(broker.Bootstrap);
        var ids = new int[schemas];
        var rows = new List<(string What, double PerSecond)>();
        using (var client = Client(registry))
        {
            rows.Add(("register (new subject and schema each)", Rate(schemas, () =>
            {
                for (var i = 0; i < schemas; i++) ids[i] = client.Register(subjects[i], texts[i]);
            })));
        }
        for (var r = 0; r < repeat; r++)
        {
            // Cold client: every lookup is an HTTP request; the registry has the schemas in memory.
            using (var client = Client(registry))
            {
                rows.Add(("GET /schemas/ids/{id}, cold client, warm registry", Rate(schemas, () =>
                {
                    for (var i = 0; i < schemas; i++) _ = client.GetById(ids[i]);
                })));
                // Warm client: the converters' steady state, no request at all.
                rows.Add(("GetById, warm client (cache hit)", Rate(schemas * 1000, () =>
                {
                    for (var n = 0; n < 1000; n++)
                        for (var i = 0; i < schemas; i++) _ = client.GetById(ids[i]);
                })));
            }
            using (var client = Client(registry))
            {
                rows.Add(("POST /subjects/{s} lookup, cold client, warm registry", Rate(schemas, () =>
                {
                    for (var i = 0; i < schemas; i++) _ = client.Lookup(subjects[i], texts[i]);
                })));
            }
            // Cold registry: a new instance reads _schemas at start; its first lookups parse what they compare.
            await registry.DisposeAsync();
            var started = Stopwatch.StartNew();
            registry = await StartRegistryAsync(broker.Bootstrap);
            rows.Add(($"registry start, reading {schemas} schemas from _schemas (per second)", schemas / started.Elapsed.TotalSeconds));
            using (var client = Client(registry))
            {
                rows.Add(("POST /subjects/{s} lookup, cold registry", Rate(schemas, () =>
                {
                    for (var i = 0; i < schemas; i++) _ = client.Lookup(subjects[i], texts[i]);
                })));
            }
        }
        await registry.DisposeAsync();

        Console.WriteLine($"Schema Registry lookups: {schemas:N0} Avro schemas (4 fields) under {schemas:N0} subjects, our registry in-process over a broker process, our registry client; {repeat} run(s), medians");
        Console.WriteLine($"{"operation",-62} {"per second",14}");
        foreach (var group in rows.GroupBy(r => r.What))
        {
            var sorted = group.Select(g => g.PerSecond).Order().ToArray();
            Console.WriteLine($"{group.Key,-62} {sorted[sorted.Length / 2].ToString("N0", CultureInfo.InvariantCulture),14}");
        }
        return 0;
    }

    private static Task<SchemaRegistryServer> StartRegistryAsync(string bootstrap) =>
        SchemaRegistryServer.StartAsync(SchemaRegistryOptions.FromProperties(new Dictionary<string, string>
        {
            ["listeners"] = "http://127.0.0.1:0",
            ["kafkastore.bootstrap.servers"] = bootstrap,
        }));

    private static ISchemaRegistryClient Client(SchemaRegistryServer registry) =>
        new RegistryConverterConfig(RegistryConverterConfig.AddTo(new ConfigDef()), new Dictionary<string, string>
        {
            ["schema.registry.url"] = registry.Url.ToString(),
            ["max.schemas.per.subject"] = "100000",
        }).CreateClient();

    private static double Rate(int operations, Action run)
    {
        var clock = Stopwatch.StartNew();
        run();
        return operations / clock.Elapsed.TotalSeconds;
    }

    private static int IntArg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
