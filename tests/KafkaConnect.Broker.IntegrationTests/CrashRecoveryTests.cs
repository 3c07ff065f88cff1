using System.Diagnostics;
using KafkaConnect.Broker.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace KafkaConnect.Broker.IntegrationTests;

/// <summary>kill -9 in the middle of an acks=all produce: nothing acknowledged may be lost or reordered.</summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    private const int MessageCount = 150_000;
    private const int KillAfterAcks = 30_000;

    [Theory]
    [Trait("Category", "Long")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Acknowledged_messages_survive_sigkill_mid_produce(bool idempotent)
    {
        Clients.RequireConfluentKafka();
        using var work = new TempDirectory();
        await using var broker = await BrokerProcess.StartAsync(output, "num.partitions=4", "auto.create.topics.enable=true");
        var topic = idempotent ? "crash-idempotent" : "crash-plain";
        var ackFile = work.File("acked.txt");

        List<string> args = [broker.BootstrapServers, topic, MessageCount.ToString(System.Globalization.CultureInfo.InvariantCulture), ackFile,
            "--partitions", "4", "--rate", "25000"];
        if (idempotent)
        {
            args.Add("--idempotent");
        }

        var producer = ProcessRunner.RunAsync(Clients.Python, Clients.ScriptArguments("acked_produce.py", args),
            TimeSpan.FromMinutes(4));

        // Crash the broker once a good share of the stream has been acknowledged, while sends continue.
        var deadline = Stopwatch.StartNew();
        var ackedAtKill = 0;
        while ((ackedAtKill = CountLines(ackFile)) < KillAfterAcks)
        {
            if (producer.IsCompleted)
            {
                Assert.Fail($"Producer ended before the crash point:{Environment.NewLine}{(await producer).Describe()}");
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(90))
            {
                Assert.Fail($"Only {ackedAtKill} acknowledgements after 90s");
            }

            await Task.Delay(20);
        }

        await broker.KillAsync();
        ackedAtKill = CountLines(ackFile);
        await broker.StartAsync();

        var produced = await producer;
        Assert.True(produced.Succeeded, $"Producer failed after the broker restart:{Environment.NewLine}{produced.Describe()}");
        var summary = Clients.ParseResult(produced);
        output.WriteLine($"acked at kill: {ackedAtKill}; producer: {summary}");
        Assert.True(ackedAtKill < MessageCount, "The whole stream was acknowledged before the kill; the crash was not mid-stream");
        Assert.Equal(0, summary.GetProperty("failed").GetInt32());

        var verify = await Clients.RunScriptAsync("verify_acked.py", TimeSpan.FromMinutes(3),
            broker.BootstrapServers, topic, ackFile, "--partitions", "4");
        output.WriteLine($"verify: {verify}");
        Assert.Equal(summary.GetProperty("acked").GetInt32(), verify.GetProperty("acked").GetInt32());
        Assert.Equal(0, verify.GetProperty("missing").GetInt32());
        Assert.Equal(0, verify.GetProperty("mismatched").GetInt32());
        Assert.Equal(0, verify.GetProperty("outOfOrder").GetInt32());
    }

    private static int CountLines(string path)
    {
        if (!File.Exists(path))
        {
            return 0;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var buffer = new byte[64 * 1024];
        var lines = 0;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
        }

        return lines;
    }
}
