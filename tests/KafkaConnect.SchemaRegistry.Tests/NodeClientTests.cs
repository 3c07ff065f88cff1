using System.Diagnostics;
using System.Text.Json;

namespace KafkaConnect.SchemaRegistry.Tests;

/// <summary>
/// @kafkajs/confluent-schema-registry (tests/js, installed by scripts/test.sh with <c>npm ci</c>) against our registry:
/// a third client with its own Avro, JSON Schema and Protobuf implementations. Missing node_modules fail the test.
/// </summary>
public sealed class NodeClientTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    private static string JsDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var js = Path.Combine(dir.FullName, "tests", "js");
            if (File.Exists(Path.Combine(js, "package.json")))
            {
                Assert.True(Directory.Exists(Path.Combine(js, "node_modules", "@kafkajs", "confluent-schema-registry")),
                    $"{js}/node_modules is missing: run `npm ci --prefix tests/js` (scripts/test.sh does)");
                return js;
            }
        }
        throw new InvalidOperationException("tests/js not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public async Task KafkajsRegistryClient_RegistersEncodesAndDecodesAllThreeFormats()
    {
        var prefix = "js-" + Guid.NewGuid().ToString("N")[..8];
        var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "js", "registry_client.mjs"));
        psi.ArgumentList.Add(JsDirectory());
        psi.ArgumentList.Add(fixture.Url);
        psi.ArgumentList.Add(prefix);
        using var node = Process.Start(psi)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await node.WaitForExitAsync(cts.Token);
        }
        Assert.True(node.ExitCode == 0, "node failed: " + await stderr);
        var o = JsonDocument.Parse(await stdout).RootElement;

        var id = o.GetProperty("avroId").GetInt32();
        Assert.Equal(id, o.GetProperty("latestId").GetInt32());
        Assert.Equal(id, o.GetProperty("byVersion").GetInt32());
        Assert.Equal(id, o.GetProperty("bySchema").GetInt32());
        // Confluent's wire format: magic byte 0, then the id big-endian.
        Assert.Equal($"[0,{id >> 24 & 255},{id >> 16 & 255},{id >> 8 & 255},{id & 255}]", o.GetProperty("header").GetRawText());
        Assert.Equal("""{"f1":"hello","n":42}""", o.GetProperty("decoded").GetRawText());
        Assert.Contains($"Schema being registered is incompatible with an earlier schema for subject \"{prefix}-avro\"", o.GetProperty("conflict").GetString(), StringComparison.Ordinal);
        Assert.Equal("""{"a":"x"}""", o.GetProperty("jsonDecoded").GetRawText());
        Assert.Equal("""{"text":"hi","times":3}""", o.GetProperty("protoDecoded").GetRawText());
    }
}
