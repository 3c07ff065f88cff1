using System.Diagnostics;
using KafkaConnect.Client.Admin;

namespace KafkaConnect.Client.Tests.Admin;

internal static class AdminTestSupport
{
    public static KafkaAdminClient NewAdmin(BrokerFixture broker, IDictionary<string, string>? extra = null)
    {
        var props = new Dictionary<string, string>
        {
            ["bootstrap.servers"] = broker.BootstrapServers,
            ["client.id"] = "admin-tests",
            ["default.api.timeout.ms"] = "20000",
        };
        if (extra is not null)
            foreach (var (k, v) in extra) props[k] = v;
        return new KafkaAdminClient(props);
    }

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    /// <summary>Runs a real Kafka tool to completion and returns its stdout; fails the test on a non-zero exit.</summary>
    public static async Task<string> RunAsync(string file, IEnumerable<string> args, string? stdin = null, int timeoutMs = 60000)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeoutMs);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish: {await stderr}");
        }
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} exited with {process.ExitCode}: {await stderr}");
        return await stdout;
    }

    /// <summary>Produces lines with kcat (librdkafka) to one partition.</summary>
    public static Task ProduceWithKcatAsync(BrokerFixture broker, string topic, int partition, IEnumerable<string> lines)
        => RunAsync("/usr/bin/kcat", ["-b", broker.BootstrapServers, "-P", "-t", topic, "-p", partition.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            string.Join('\n', lines) + "\n");
}
