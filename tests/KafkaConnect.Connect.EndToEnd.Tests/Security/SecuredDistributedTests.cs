using KafkaConnect.Connect.EndToEnd.Tests.Distributed;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;
using KafkaConnect.Security.Tests;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests.Security;

/// <summary>
/// Two distributed workers whose only way to the broker is SASL_SSL with PLAIN: the group, the internal topics and the
/// connectors' clients all authenticate, with the worker file's top-level keys for the worker's own clients and the
/// producer./consumer. keys for the tasks (Apache's layout).
/// </summary>
public sealed class SecuredDistributedTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Two_workers_form_a_group_and_run_a_pipeline_over_sasl_ssl()
    {
        var pki = await TestPki.SharedAsync();
        await using var cluster = new DistributedCluster(output, workers: 0);
        var securePort = ChildProcess.FreePort();
        await cluster.StartBrokerAsync(
            $"listeners=PLAINTEXT://{cluster.BrokerServers},SASL_SSL://127.0.0.1:{securePort}",
            $"ssl.keystore.location={pki.ServerJks}",
            $"ssl.keystore.password={TestPki.Password}",
            "sasl.enabled.mechanisms=PLAIN",
            "listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_connect=\"connect-secret\";");
        var settings = new Dictionary<string, string> { ["bootstrap.servers"] = $"127.0.0.1:{securePort}" };
        foreach (var prefix in new[] { "", "producer.", "consumer." })
        {
            settings[prefix + "security.protocol"] = "SASL_SSL";
            settings[prefix + "sasl.mechanism"] = "PLAIN";
            settings[prefix + "sasl.jaas.config"] = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"connect\" password=\"connect-secret\";";
            settings[prefix + "ssl.truststore.location"] = pki.TrustJks;
            settings[prefix + "ssl.truststore.password"] = TestPki.Password;
        }
        cluster.AddWorker(settings);
        cluster.AddWorker(settings);
        await DistributedCluster.StartWorkersAsync(cluster.Workers);

        var input = cluster.PathOf("input.txt");
        await File.WriteAllTextAsync(input, "");
        var sink = cluster.PathOf("sink.txt");
        await DistributedCluster.CreateConnectorAsync(cluster.Workers[0], "secure-source", new Dictionary<string, string>
        {
            ["connector.class"] = "FileStreamSource",
            ["file"] = input,
            ["topic"] = "secure-pipe",
        });
        await DistributedCluster.CreateConnectorAsync(cluster.Workers[1], "secure-sink", new Dictionary<string, string>
        {
            ["connector.class"] = "FileStreamSink",
            ["file"] = sink,
            ["topics"] = "secure-pipe",
        });
        await cluster.WaitForStateAsync("secure-source", 1);
        await cluster.WaitForStateAsync("secure-sink", 1);
        string[] lines = ["alpha", "beta", "gamma"];
        await File.AppendAllTextAsync(input, string.Join("\n", lines) + "\n");
        await Eventually.WaitAsync(() => Task.FromResult(File.Exists(sink) && SinkFile.CompleteLines(sink).Length >= lines.Length), TimeSpan.FromSeconds(45),
            () => "the sink did not get the lines:\n" + cluster.Tails(40));
        Assert.Equal(lines, SinkFile.CompleteLines(sink));
        // The internal topics were written through the secured listener; kcat reads them on the plain one.
        var configs = await Kcat.ConsumeLinesAsync(cluster.BrokerServers, DistributedCluster.ConfigTopic);
        Assert.Contains(configs, l => l.Contains("secure-source", StringComparison.Ordinal));
    }
}
