namespace KafkaConnect.Connect.EndToEnd.Tests.Registry;

/// <summary>Runs tests/js/avro-peer.mjs (kafkajs + @kafkajs/confluent-schema-registry) with node.</summary>
internal static class NodePeer
{
    private const string Hint = "scripts/test.sh installs node and runs `npm ci --prefix tests/js`";

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
    public static Task<string[]> RunAsync(params string[] args)
    {
        var js = JsDirectory;
        return PeerProcess.RunAsync("node", js, [Path.Combine(js, "avro-peer.mjs"), .. args], Hint,
            new Dictionary<string, string> { ["KAFKAJS_NO_PARTITIONER_WARNING"] = "1" });
    }
}
