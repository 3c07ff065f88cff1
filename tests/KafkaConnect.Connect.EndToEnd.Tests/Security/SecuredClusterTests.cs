using System.Net;
using System.Text.Json;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;
using KafkaConnect.Security.Tests;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests.Security;

/// <summary>
/// A standalone worker against a <c>kconnect broker</c> that takes only SASL_SSL with SCRAM-SHA-512 for it: the FileStream
/// pipeline runs with the password coming from a config provider, which shows neither in the REST API nor in the logs;
/// a connector given a wrong password fails with a reason that names the mechanism and the broker.
/// </summary>
public sealed class SecuredClusterTests(ITestOutputHelper output)
{
    private const string Password = "c0nnect-Pa55word";

    [Fact]
    public async Task FileStream_pipeline_over_sasl_ssl_scram_with_the_password_from_a_config_provider()
    {
        var pki = await TestPki.SharedAsync();
        await using var worker = new WorkerProcess(output);
        var plainPort = ChildProcess.FreePort();
        var securePort = ChildProcess.FreePort();
        await using var broker = ChildProcess.Start(worker.Dir,
        [
            "broker", "--data-dir", worker.PathOf("broker-data"),
            "--config", $"listeners=PLAINTEXT://127.0.0.1:{plainPort},SASL_SSL://127.0.0.1:{securePort}",
            "--config", "sasl.enabled.mechanisms=SCRAM-SHA-512",
            "--config", $"ssl.keystore.location={pki.ServerJks}",
            "--config", $"ssl.keystore.password={TestPki.Password}",
            "--config", "group.initial.rebalance.delay.ms=0",
            "--add-scram", $"SCRAM-SHA-512=[name=connect,password={Password}]",
        ]);
        var listening = broker.WhenLogged($"listening on 127.0.0.1:{plainPort}");
        Assert.True(await Task.WhenAny(listening, Task.Delay(30_000)) == listening, "broker did not start:\n" + broker.Tail(40));

        var secrets = worker.WriteFile("secrets.properties", $"connect.password={Password}\ntruststore.password={TestPki.Password}\n");
        string Security(string prefix) => $$"""
            {{prefix}}security.protocol=SASL_SSL
            {{prefix}}sasl.mechanism=SCRAM-SHA-512
            {{prefix}}sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="connect" password="${file:{{secrets}}:connect.password}";
            {{prefix}}ssl.truststore.location={{pki.TrustJks}}
            {{prefix}}ssl.truststore.password=${file:{{secrets}}:truststore.password}

            """;
        var workerFile = worker.WriteFile("worker.properties", $"""
            bootstrap.servers=127.0.0.1:{securePort}
            listeners=http://127.0.0.1:{worker.RestPort}
            key.converter=org.apache.kafka.connect.storage.StringConverter
            value.converter=org.apache.kafka.connect.storage.StringConverter
            offset.storage.file.filename={worker.PathOf("connect.offsets")}
            offset.flush.interval.ms=1000
            config.providers=file
            config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider
            {Security("")}{Security("producer.")}{Security("consumer.")}
            """);
        var input = worker.WriteFile("input.txt", string.Join("\n", Enumerable.Range(1, 500).Select(i => $"line {i}")) + "\n");
        var outputFile = worker.PathOf("output.txt");
        await worker.StartAsync(workerFile);

        await PostAsync(worker, "secure-source", new()
        {
            ["connector.class"] = "FileStreamSource",
            ["file"] = input,
            ["topic"] = "secured-lines",
            // The connector's own producer override, again through the provider: the REST API must not show it resolved.
            ["producer.override.sasl.jaas.config"] = $"org.apache.kafka.common.security.scram.ScramLoginModule required username=\"connect\" password=\"${{file:{secrets}:connect.password}}\";",
        });
        await PostAsync(worker, "secure-sink", new()
        {
            ["connector.class"] = "FileStreamSink",
            ["file"] = outputFile,
            ["topics"] = "secured-lines",
        });
        await Eventually.WaitAsync(() => Task.FromResult(File.Exists(outputFile) && File.ReadAllLines(outputFile).Length >= 500), TimeSpan.FromSeconds(60),
            () => "the sink did not write 500 lines:\n" + worker.Current.Tail(60));
        Assert.Equal(Enumerable.Range(1, 500).Select(i => $"line {i}"), File.ReadAllLines(outputFile));

        var config = await worker.Http.GetStringAsync("/connectors/secure-source/config");
        Assert.DoesNotContain(Password, config, StringComparison.Ordinal);
        Assert.Contains("producer.override.sasl.jaas.config", config, StringComparison.Ordinal);

        // A connector with a wrong password fails, saying why, and the worker and the other connectors carry on.
        await PostAsync(worker, "wrong-password", new()
        {
            ["connector.class"] = "FileStreamSource",
            ["file"] = input,
            ["topic"] = "wrong-password-lines",
            ["producer.override.sasl.jaas.config"] = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"connect\" password=\"not-it\";",
        });
        string trace = "";
        await Eventually.WaitAsync(async () =>
        {
            using var doc = JsonDocument.Parse(await worker.Http.GetStringAsync("/connectors/wrong-password/status"));
            var task = doc.RootElement.GetProperty("tasks").EnumerateArray().FirstOrDefault();
            if (task.ValueKind != JsonValueKind.Object || task.GetProperty("state").GetString() != "FAILED") return false;
            trace = task.GetProperty("trace").GetString() ?? "";
            return true;
        }, TimeSpan.FromSeconds(60), () => "the task with a wrong password did not fail:\n" + worker.Current.Tail(60));
        Assert.Contains("SCRAM-SHA-512", trace, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{securePort}", trace, StringComparison.Ordinal);
        Assert.Contains("Authentication", trace, StringComparison.Ordinal);
        await worker.WaitForStateAsync("secure-sink", "RUNNING");

        await worker.StopAsync();
        Assert.DoesNotContain(Password, worker.Current.Output, StringComparison.Ordinal);
        // The broker's own lines (the harness echoes its command line, --add-scram included).
        Assert.DoesNotContain(Password, string.Join("\n", broker.Output.Split('\n').Where(l => !l.Contains("[harness]", StringComparison.Ordinal))), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_worker_refused_by_the_cluster_stops_at_start_up_saying_why()
    {
        var pki = await TestPki.SharedAsync();
        await using var worker = new WorkerProcess(output);
        var plainPort = ChildProcess.FreePort();
        var securePort = ChildProcess.FreePort();
        await using var broker = ChildProcess.Start(worker.Dir,
        [
            "broker", "--data-dir", worker.PathOf("broker-data"),
            "--config", $"listeners=PLAINTEXT://127.0.0.1:{plainPort},SASL_SSL://127.0.0.1:{securePort}",
            "--config", "sasl.enabled.mechanisms=SCRAM-SHA-512",
            "--config", $"ssl.keystore.location={pki.ServerJks}",
            "--config", $"ssl.keystore.password={TestPki.Password}",
            "--add-scram", $"SCRAM-SHA-512=[name=connect,password={Password}]",
        ]);
        var listening = broker.WhenLogged($"listening on 127.0.0.1:{plainPort}");
        Assert.True(await Task.WhenAny(listening, Task.Delay(30_000)) == listening, "broker did not start:\n" + broker.Tail(40));
        var workerFile = worker.WriteFile("worker.properties", $"""
            bootstrap.servers=127.0.0.1:{securePort}
            listeners=http://127.0.0.1:{worker.RestPort}
            key.converter=org.apache.kafka.connect.storage.StringConverter
            value.converter=org.apache.kafka.connect.storage.StringConverter
            offset.storage.file.filename={worker.PathOf("connect.offsets")}
            security.protocol=SASL_SSL
            sasl.mechanism=SCRAM-SHA-512
            sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="connect" password="wrong";
            ssl.truststore.location={pki.TrustJks}
            ssl.truststore.password={TestPki.Password}
            """);
        var run = ChildProcess.Start(worker.Dir, ["standalone", workerFile]);
        await using (run)
        {
            Assert.True(await run.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the worker kept running:\n" + run.Tail(40));
            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains("refused the worker", run.Output, StringComparison.Ordinal);
            Assert.Contains("SCRAM-SHA-512", run.Output, StringComparison.Ordinal);
        }

        // A truststore with the wrong password is a config error naming the key.
        worker.WriteFile("worker.properties", File.ReadAllText(workerFile).Replace($"ssl.truststore.password={TestPki.Password}", "ssl.truststore.password=nope", StringComparison.Ordinal));
        var bad = ChildProcess.Start(worker.Dir, ["standalone", workerFile]);
        await using (bad)
        {
            Assert.True(await bad.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the worker kept running:\n" + bad.Tail(40));
            Assert.NotEqual(0, bad.ExitCode);
            Assert.Contains("ssl.truststore.password", bad.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("nope", bad.Output.Replace("ssl.truststore.password=nope", "", StringComparison.Ordinal), StringComparison.Ordinal);
        }
    }

    private static async Task PostAsync(WorkerProcess worker, string name, Dictionary<string, string> config)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, object> { ["name"] = name, ["config"] = config });
        using var response = await worker.Http.PostAsync("/connectors", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST {name}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
