using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests.Registry;

/// <summary>
/// The standalone worker on its embedded broker starts a Schema Registry when a converter needs one: also for a
/// connector created over REST after start-up, not only for the files it started with.
/// </summary>
public sealed partial class EmbeddedRegistryTests(ITestOutputHelper output)
{
    [GeneratedRegex(@"A converter has no schema.registry.url: using the Schema Registry started on the embedded broker at (http://\S+)")]
    private static partial Regex StartedLine();

    [Fact]
    public async Task A_connector_posted_later_with_an_avro_converter_and_no_url_gets_the_embedded_registry()
    {
        await using var worker = new WorkerProcess(output);
        var workerFile = worker.ClassicWorkerFile(offsetFlushMs: 1000);
        await worker.StartAsync(workerFile);
        Assert.DoesNotContain("Schema Registry started", worker.Current.Output, StringComparison.Ordinal);

        var input = worker.WriteFile("orders.txt", "order 1\norder 2\n");
        using var created = await worker.Http.PostAsJsonAsync("/connectors", new
        {
            name = "avro-later",
            config = new Dictionary<string, string>
            {
                ["connector.class"] = "FileStreamSource",
                ["file"] = input,
                ["topic"] = "orders",
                ["transforms"] = "hoist",
                ["transforms.hoist.type"] = "org.apache.kafka.connect.transforms.HoistField$Value",
                ["transforms.hoist.field"] = "line",
                ["value.converter"] = "io.confluent.connect.avro.AvroConverter",
            },
        });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        await worker.WaitForStateAsync("avro-later", "RUNNING");

        byte[]? values = null;
        await Eventually.WaitAsync(async () =>
        {
            values = await Kcat.ConsumeValuesAsync(worker.BrokerServers, "orders");
            return values is { Length: > 0 };
        }, TimeSpan.FromSeconds(60), () => "no record in orders:\n" + worker.Current.Tail(60));
        // Confluent's framing: magic byte 0 first.
        Assert.Equal(0, values![0]);

        var match = StartedLine().Match(worker.Current.Output);
        Assert.True(match.Success, "the worker did not say it started a registry:\n" + worker.Current.Tail(60));
        using var http = new HttpClient { BaseAddress = new Uri(match.Groups[1].Value), Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal(["orders-value"], (await http.GetFromJsonAsync<string[]>("/subjects"))!);
        using var latest = JsonDocument.Parse(await http.GetStringAsync("/subjects/orders-value/versions/latest"));
        Assert.Contains("\"line\"", latest.RootElement.GetProperty("schema").GetString(), StringComparison.Ordinal);
        await worker.StopAsync();
    }
}
