using System.Diagnostics;
using KafkaConnect.Client.Config;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Client.Tests.Producer;

internal static class ProducerTestSupport
{
    public static async Task CreateTopicAsync(string bootstrap, string name, int partitions)
    {
        await using var cluster = new KafkaCluster(new ClusterOptions { BootstrapServers = CommonClientConfig.ParseBootstrap([bootstrap]) });
        var connection = await cluster.GetAnyConnectionAsync(CancellationToken.None);
        var version = connection.NegotiateVersion(ApiKey.CreateTopics, 2, 7);
        var response = await connection.SendAsync<CreateTopicsResponse>(ApiKey.CreateTopics, version, new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = name, NumPartitions = partitions, ReplicationFactor = 1 }],
        }, CancellationToken.None);
        var error = (ErrorCode)response.Topics.Single().ErrorCode;
        Assert.True(error is ErrorCode.None or ErrorCode.TopicAlreadyExists, $"CreateTopics {name}: {error}");
    }

    public static Dictionary<string, string> Config(string bootstrap, params (string Key, string Value)[] more)
    {
        var config = new Dictionary<string, string> { ["bootstrap.servers"] = bootstrap, ["client.id"] = "producer-tests" };
        foreach (var (k, v) in more) config[k] = v;
        return config;
    }

    /// <summary>Runs a tool, feeding stdin, and returns stdout; fails the test on a non-zero exit.</summary>
    public static async Task<string> RunAsync(string file, IEnumerable<string> args, string? stdin = null, int timeoutSeconds = 120)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', psi.ArgumentList)} did not finish: {await stderr}");
        }
        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"{file} exited with {process.ExitCode}: {await stderr}");
        return output;
    }

    /// <summary>Reads a whole topic with kcat: partition, offset, timestamp, key length, key, headers, value length, value.</summary>
    public static async Task<string[]> ConsumeWithKcatAsync(string bootstrap, string topic)
    {
        var output = await RunAsync("/usr/bin/kcat", ["-C", "-b", bootstrap, "-t", topic, "-e", "-q", "-Z", "-f", "%p\t%o\t%T\t%K\t%k\t%h\t%S\t%s\n"]);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
