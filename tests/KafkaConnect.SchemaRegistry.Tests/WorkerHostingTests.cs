using System.Net.Http;
using System.Text.RegularExpressions;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;

namespace KafkaConnect.SchemaRegistry.Tests;

/// <summary>The standalone worker on its embedded broker starts a registry for registry converters left without a URL.</summary>
public sealed partial class WorkerHostingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kc-registry-worker-").FullName;

    [Fact]
    public void PrefixesWithoutUrl_FindsRegistryConvertersMissingTheirUrl()
    {
        Assert.Equal(["value.converter"], RegistryConverters.PrefixesWithoutUrl(new Dictionary<string, string>
        {
            ["key.converter"] = "org.apache.kafka.connect.storage.StringConverter",
            ["value.converter"] = "io.confluent.connect.avro.AvroConverter",
        }));
        Assert.Equal(["key.converter"], RegistryConverters.PrefixesWithoutUrl(new Dictionary<string, string>
        {
            ["key.converter"] = "io.confluent.connect.protobuf.ProtobufConverter",
            ["value.converter"] = "io.confluent.connect.json.JsonSchemaConverter",
            ["value.converter.schema.registry.url"] = "http://registry:8081",
        }));
        Assert.Empty(RegistryConverters.PrefixesWithoutUrl(new Dictionary<string, string> { ["value.converter"] = "org.apache.kafka.connect.json.JsonConverter" }));
    }

    [Fact]
    public async Task EmbeddedBroker_AvroConverterWithoutUrl_StartsARegistryOnIt()
    {
        var rest = ChildProcess.FreePort();
        var worker = Path.Combine(_dir, "worker.properties");
        await File.WriteAllTextAsync(worker, $"""
            embedded.broker.listeners=127.0.0.1:{ChildProcess.FreePort()}
            embedded.broker.data.dir={Path.Combine(_dir, "data")}
            listeners=http://127.0.0.1:{rest}
            key.converter=org.apache.kafka.connect.storage.StringConverter
            value.converter=io.confluent.connect.avro.AvroConverter
            offset.storage.file.filename={Path.Combine(_dir, "offsets")}
            """);
        await using var run = ChildProcess.Start(_dir, ["standalone", worker]);
        var ready = run.WhenLogged("REST server listening");
        Assert.True(await Task.WhenAny(ready, Task.Delay(60_000)) == ready, "worker did not start:\n" + run.Tail(40));
        var match = RegistryLine().Match(run.Output);
        Assert.True(match.Success, "no registry started:\n" + run.Tail(40));
        var url = match.Groups[1].Value;

        using var http = new HttpClient();
        var registered = await Http.SendAsync(url, HttpMethod.Post, "/subjects/worker-value/versions", Http.SchemaBody("\"string\""));
        Assert.Equal((200, 1), (registered.Status, registered.Body.GetProperty("id").GetInt32()));
        Assert.Equal("[\"worker-value\"]", (await Http.SendAsync(url, HttpMethod.Get, "/subjects")).Text);

        run.Terminate();
        Assert.True(await run.WaitForExitAsync(TimeSpan.FromSeconds(30)), "worker did not stop:\n" + run.Tail(40));
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public async Task UrlGiven_NoRegistryStarted()
    {
        var worker = Path.Combine(_dir, "worker-url.properties");
        await File.WriteAllTextAsync(worker, $"""
            embedded.broker.listeners=127.0.0.1:{ChildProcess.FreePort()}
            embedded.broker.data.dir={Path.Combine(_dir, "data-url")}
            listeners=http://127.0.0.1:{ChildProcess.FreePort()}
            key.converter=org.apache.kafka.connect.storage.StringConverter
            value.converter=io.confluent.connect.avro.AvroConverter
            value.converter.schema.registry.url=http://127.0.0.1:1
            offset.storage.file.filename={Path.Combine(_dir, "offsets-url")}
            """);
        await using var run = ChildProcess.Start(_dir, ["standalone", worker]);
        var ready = run.WhenLogged("REST server listening");
        Assert.True(await Task.WhenAny(ready, Task.Delay(60_000)) == ready, "worker did not start:\n" + run.Tail(40));
        Assert.DoesNotContain("Schema Registry", run.Output, StringComparison.Ordinal);
        run.Terminate();
        Assert.True(await run.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [GeneratedRegex(@"value\.converter of the worker has no schema\.registry\.url: using the Schema Registry started on the embedded broker at (http://127\.0\.0\.1:\d+)")]
    private static partial Regex RegistryLine();

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
