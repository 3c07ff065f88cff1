using System.Diagnostics;
using KafkaConnect.Client.Config;
using KafkaConnect.Client.Consumer;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Client.Tests.Consumer;

/// <summary>Topic creation, kcat / python subprocesses and consumer construction for the consumer tests.</summary>
internal static class ConsumerTestKit
{
    public static async Task CreateTopicAsync(BrokerFixture broker, string name, int partitions)
    {
        await using var cluster = new KafkaCluster(new ClusterOptions { BootstrapServers = CommonClientConfig.ParseBootstrap([broker.BootstrapServers]) });
        var connection = await cluster.GetAnyConnectionAsync(CancellationToken.None);
        var version = connection.NegotiateVersion(ApiKey.CreateTopics, 2, 7);
        var response = await connection.SendAsync<CreateTopicsResponse>(ApiKey.CreateTopics, version, new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = name, NumPartitions = partitions, ReplicationFactor = 1 }],
        }, CancellationToken.None);
        Assert.Equal(0, response.Topics.Single().ErrorCode);
    }

    public static Dictionary<string, string> Config(BrokerFixture broker, string? group = null, params (string Key, string Value)[] more)
    {
        var c = new Dictionary<string, string>
        {
            ["bootstrap.servers"] = broker.BootstrapServers,
            ["client.id"] = "consumer-tests",
            ["auto.offset.reset"] = "earliest",
            ["heartbeat.interval.ms"] = "200",
            ["session.timeout.ms"] = "6000",
            ["max.poll.interval.ms"] = "10000",
            ["fetch.max.wait.ms"] = "100",
        };
        if (group is not null) c["group.id"] = group;
        foreach (var (k, v) in more) c[k] = v;
        return c;
    }

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string file, string arguments, string? stdin = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardInput = stdin is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var p = Process.Start(psi)!;
        if (stdin is not null)
        {
            await p.StandardInput.WriteAsync(stdin);
            p.StandardInput.Close();
        }
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {arguments} did not finish: {await stderr}");
        }
        return (p.ExitCode, await stdout, await stderr);
    }

    /// <summary>Polls until <paramref name="count"/> records arrived (or the time is up).</summary>
    public static async Task<List<ConsumeResult>> ConsumeAsync(KafkaConsumer consumer, int count, TimeSpan? within = null)
    {
        var result = new List<ConsumeResult>();
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        while (result.Count < count && DateTime.UtcNow < deadline)
            result.AddRange(await consumer.PollAsync(TimeSpan.FromMilliseconds(200)));
        return result;
    }
}
