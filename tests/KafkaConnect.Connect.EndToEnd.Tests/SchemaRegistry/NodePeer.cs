using System.Diagnostics;

namespace KafkaConnect.Connect.EndToEnd.Tests.Registry;

/// <summary>Runs tests/js/avro-peer.mjs (kafkajs + @kafkajs/confluent-schema-registry) with node.</summary>
internal static class NodePeer
{
    public static string JsDirectory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var js = Path.Combine(dir.FullName, "tests", "js");
                if (File.Exists(Path.Combine(js, "package.json")))
                {
                    if (!Directory.Exists(Path.Combine(js, "node_modules", "@kafkajs", "confluent-schema-registry")))
                    {
                        throw new Xunit.Sdk.XunitException($"{js}/node_modules is missing: run `npm ci --prefix tests/js` (scripts/test.sh does)");
                    }
                    return js;
                }
            }
            throw new Xunit.Sdk.XunitException("tests/js not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Runs <c>node avro-peer.mjs args…</c>; returns its standard output lines, failing the test on a non-zero exit.</summary>
    public static async Task<string[]> RunAsync(params string[] args)
    {
        var js = JsDirectory;
        var psi = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = js,
        };
        psi.ArgumentList.Add(Path.Combine(js, "avro-peer.mjs"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["KAFKAJS_NO_PARTITIONER_WARNING"] = "1";
        using var process = Process.Start(psi) ?? throw new Xunit.Sdk.XunitException("node could not be started");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"avro-peer.mjs {string.Join(' ', args)} did not finish in 90 s: {await stderr}");
        }
        if (process.ExitCode != 0)
        {
            throw new Xunit.Sdk.XunitException($"avro-peer.mjs {string.Join(' ', args)} exited with {process.ExitCode}: {await stderr}");
        }
        return (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
