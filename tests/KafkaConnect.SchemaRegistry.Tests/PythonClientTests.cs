using System.Diagnostics;
using System.Text.Json;

namespace KafkaConnect.SchemaRegistry.Tests;

/// <summary>
/// python3-confluent-kafka's SchemaRegistryClient (Debian's package; scripts/test.sh installs it and python3-requests)
/// against our registry: a second client implementation nobody here wrote. A missing module fails the test.
/// </summary>
public sealed class PythonClientTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    [Fact]
    public async Task ConfluentKafkaPythonClient_RegistersLooksUpAndDeletes()
    {
        var subject = "py-" + Guid.NewGuid().ToString("N")[..8] + "-value";
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "python", "registry_client.py"));
        psi.ArgumentList.Add(fixture.Url);
        psi.ArgumentList.Add(subject);
        using var python = Process.Start(psi)!;
        var stdout = python.StandardOutput.ReadToEndAsync();
        var stderr = python.StandardError.ReadToEndAsync();
        await python.WaitForExitAsync();
        Assert.True(python.ExitCode == 0, "python failed: " + await stderr);
        var o = JsonDocument.Parse(await stdout).RootElement;

        var id = o.GetProperty("id").GetInt32();
        Assert.Equal(id, o.GetProperty("again").GetInt32());
        Assert.Equal("""{"type":"record","name":"py","fields":[{"name":"f1","type":"string"}]}""", o.GetProperty("fetched").GetString());
        Assert.Equal($"[{id},\"{subject}\",1]", o.GetProperty("lookup").GetRawText());
        Assert.Equal("[1]", o.GetProperty("versions").GetRawText());
        Assert.Equal(1, o.GetProperty("latest").GetInt32());
        Assert.False(o.GetProperty("int_compatible").GetBoolean());
        var conflict = o.GetProperty("conflict");
        Assert.Equal(409, conflict[0].GetInt32());
        Assert.Equal(409, conflict[1].GetInt32());
        Assert.StartsWith($"Schema being registered is incompatible with an earlier schema for subject \"{subject}\"", conflict[2].GetString(), StringComparison.Ordinal);
        Assert.Equal("NONE", o.GetProperty("level").GetString());
        Assert.NotEqual(id, o.GetProperty("int_id").GetInt32());
        Assert.Equal("[1,2]", o.GetProperty("deleted").GetRawText());
        Assert.Equal("[404,40401]", o.GetProperty("gone").GetRawText());
    }
}
