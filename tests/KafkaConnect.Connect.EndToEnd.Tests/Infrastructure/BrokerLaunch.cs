namespace KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;

/// <summary>Starting a separate <c>kconnect broker</c> process, shared by the harnesses that need one.</summary>
internal static class BrokerLaunch
{
    /// <summary>
    /// <c>kconnect broker</c> on <paramref name="servers"/> with <c>group.initial.rebalance.delay.ms=0</c> (as Apache's
    /// sample server.properties) plus <paramref name="settings"/> (KEY=VALUE); returns once it listens.
    /// </summary>
    public static async Task<ChildProcess> StartAsync(string dir, string servers, string dataDir, IEnumerable<string> settings)
    {
        List<string> args = ["broker", "--listen", servers, "--data-dir", dataDir, "--config", "group.initial.rebalance.delay.ms=0"];
        foreach (var s in settings)
        {
            args.Add("--config");
            args.Add(s);
        }
        var run = ChildProcess.Start(dir, args);
        var listening = run.WhenLogged($"listening on {servers}");
        if (await Task.WhenAny(listening, Task.Delay(30_000)) != listening)
        {
            var failure = new Xunit.Sdk.XunitException("broker did not start:\n" + run.Tail(40));
            await run.DisposeAsync();
            throw failure;
        }
        return run;
    }
}
