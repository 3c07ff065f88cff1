using KafkaConnect.Broker.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace KafkaConnect.Broker.IntegrationTests;

/// <summary>`kconnect broker` on a listener another broker holds must refuse to start, not share the port.</summary>
public sealed class ListenerConflictTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_second_broker_process_on_the_same_listener_exits_with_code_2_and_says_why()
    {
        await using var first = await BrokerProcess.StartAsync(output);
        using var otherData = new TempDirectory();

        var (program, leading) = BrokerProcess.KconnectCommand();
        var second = await ProcessRunner.RunAsync(program,
            [.. leading, "broker", "--listen", first.BootstrapServers, "--data-dir", otherData.Path],
            TimeSpan.FromSeconds(60));

        Assert.True(second.ExitCode == 2, second.Describe());
        Assert.Contains("cannot start the broker", second.StandardError, StringComparison.Ordinal);
        Assert.Contains(first.BootstrapServers, second.StandardError, StringComparison.Ordinal);
        Assert.Contains("address already in use", second.StandardError, StringComparison.Ordinal);
        first.AssertAlive("after the second broker's attempt");
    }
}
