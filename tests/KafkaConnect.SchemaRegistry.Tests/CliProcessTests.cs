using System.Diagnostics;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;

namespace KafkaConnect.SchemaRegistry.Tests;

/// <summary><c>kconnect schema-registry schema-registry.properties</c> as a process, answered by curl, stopped by SIGTERM.</summary>
public sealed class CliProcessTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kc-registry-cli-").FullName;

    [Fact]
    public async Task PropertiesFile_CurlRegistersAndReads_SigtermStops()
    {
        var port = ChildProcess.FreePort();
        var file = Path.Combine(_dir, "schema-registry.properties");
        await File.WriteAllTextAsync(file, $"""
            listeners=http://127.0.0.1:{port}
            kafkastore.bootstrap.servers={fixture.BootstrapServers}
            kafkastore.topic=_schemas_cli
            schema.compatibility.level=full
            debug=false
            """);
        await using var run = ChildProcess.Start(_dir, ["schema-registry", file]);
        var listening = run.WhenLogged($"listening on http://127.0.0.1:{port}");
        Assert.True(await Task.WhenAny(listening, Task.Delay(60_000)) == listening, "did not start:\n" + run.Tail(40));
        Assert.Contains("ignoring setting debug", run.Output, StringComparison.Ordinal);
        // Confluent's default replication factor (3) on a one-broker cluster: capped with a warning, as Confluent does.
        Assert.Contains("using a replication factor of 1, which is less than the desired one of 3", run.Output, StringComparison.Ordinal);

        var url = $"http://127.0.0.1:{port}";
        var registered = await Curl("-X", "POST", "-H", "Content-Type: application/vnd.schemaregistry.v1+json",
            "--data", """{"schema":"{\"type\":\"record\",\"name\":\"myrecord\",\"fields\":[{\"name\":\"f1\",\"type\":\"string\"}]}"}""",
            url + "/subjects/cli-value/versions");
        Assert.Equal("""{"id":1}""", registered);
        Assert.Equal("""["cli-value"]""", await Curl(url + "/subjects"));
        Assert.Equal("""{"compatibilityLevel":"FULL"}""", await Curl(url + "/config"));
        Assert.Equal("""{"subject":"cli-value","version":1,"id":1,"schema":"{\"type\":\"record\",\"name\":\"myrecord\",\"fields\":[{\"name\":\"f1\",\"type\":\"string\"}]}"}""",
            await Curl(url + "/subjects/cli-value/versions/latest"));

        run.Terminate();
        Assert.True(await run.WaitForExitAsync(TimeSpan.FromSeconds(30)), "did not stop on SIGTERM:\n" + run.Tail(40));
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("shutting down", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadValue_FailsNamingTheKey()
    {
        var file = Path.Combine(_dir, "bad.properties");
        await File.WriteAllTextAsync(file, $"kafkastore.bootstrap.servers={fixture.BootstrapServers}\nschema.compatibility.level=sideways\n");
        await using var run = ChildProcess.Start(_dir, ["schema-registry", file]);
        Assert.True(await run.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Invalid value sideways for configuration schema.compatibility.level", run.Output, StringComparison.Ordinal);
    }

    private static async Task<string> Curl(params string[] args)
    {
        var psi = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-sS");
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var curl = Process.Start(psi)!;
        var output = await curl.StandardOutput.ReadToEndAsync();
        await curl.WaitForExitAsync();
        Assert.True(curl.ExitCode == 0, "curl failed: " + await curl.StandardError.ReadToEndAsync());
        return output;
    }

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
