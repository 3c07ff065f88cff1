using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using KafkaConnect.Client.Admin;
using KafkaConnect.Connect.Runtime.Config;

namespace KafkaConnect.Connect.Runtime.Tests;

/// <summary>
/// kconnect standalone refuses to start when bootstrap.servers does not answer within 5 s. The check itself is
/// private to the CLI (not referenced here), so this exercises the same admin-client call with the same settings
/// the CLI derives from the worker config, against a refused port and a server that accepts but never answers.
/// </summary>
public sealed class UnreachableBootstrapTests
{
    private static async Task<(bool Reached, TimeSpan Took)> CheckAsync(string bootstrap)
    {
        var config = new WorkerConfig(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = bootstrap,
            ["key.converter"] = "org.apache.kafka.connect.storage.StringConverter",
            ["value.converter"] = "org.apache.kafka.connect.storage.StringConverter",
            ["offset.storage.file.filename"] = Path.Combine(Path.GetTempPath(), "kc-unused-" + Guid.NewGuid().ToString("N")),
        });
        var props = config.ClientConfig("admin.");
        props.TryAdd("request.timeout.ms", "5000");
        props.TryAdd("socket.connection.setup.timeout.ms", "5000");
        var watch = Stopwatch.StartNew();
        await using var admin = new KafkaAdminClient(props);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await admin.DescribeClusterAsync(cts.Token);
            return (true, watch.Elapsed);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return (false, watch.Elapsed);
        }
    }

    [Fact]
    public async Task RefusedPort_IsReportedUnreachable_WithinSixSeconds()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there any more: connections are refused

        var (reached, took) = await CheckAsync("127.0.0.1:" + port);
        Assert.False(reached);
        Assert.True(took < TimeSpan.FromSeconds(6), $"took {took}");
    }

    [Fact]
    public async Task SilentServer_IsReportedUnreachable_WithinSixSeconds()
    {
        // Accepts connections but never answers a request (a hung broker or a wrong service on the port).
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = new List<Socket>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    accepted.Add(await listener.AcceptSocketAsync(stop.Token));
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        var (reached, took) = await CheckAsync("127.0.0.1:" + port);
        await stop.CancelAsync();
        await accepting;
        foreach (var socket in accepted)
        {
            socket.Dispose();
        }
        Assert.False(reached);
        Assert.True(took < TimeSpan.FromSeconds(6.5), $"took {took}");
    }
}
