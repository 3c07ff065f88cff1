namespace KafkaConnect.Connect.EndToEnd.Tests.Registry;

/// <summary>
/// Runs SchemaRegistry/python/pipeline_peer.py (python3-confluent-kafka's Protobuf serdes, classes compiled by protoc)
/// with Debian's python3, where the python3-confluent-kafka and python3-protobuf packages live.
/// </summary>
internal static class PythonPeer
{
    private const string Python = "/usr/bin/python3";
    private const string Hint = "its error is below; scripts/test.sh installs python3-confluent-kafka, python3-protobuf and protobuf-compiler";

    /// <summary>The .proto files the producer compiles (shop/order.proto and the known types it imports).</summary>
    public static string ProtoDirectory => Path.Combine(ScriptDirectory, "proto");

    private static string ScriptDirectory => Path.Combine(AppContext.BaseDirectory, "SchemaRegistry", "python");

    /// <summary>Runs <c>python3 pipeline_peer.py args…</c>; returns its standard output lines, failing the test on a non-zero exit.</summary>
    public static Task<string[]> RunAsync(params string[] args)
    {
        if (!File.Exists(Python))
        {
            throw new Xunit.Sdk.XunitException($"{Python} is missing ({Hint})");
        }
        return PeerProcess.RunAsync(Python, ScriptDirectory, [Path.Combine(ScriptDirectory, "pipeline_peer.py"), .. args], Hint);
    }
}
