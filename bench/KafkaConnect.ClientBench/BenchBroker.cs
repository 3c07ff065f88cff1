using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using KafkaConnect.Client;
using KafkaConnect.Client.Config;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.ClientBench;

/// <summary>
/// Our broker in its own process (Release build of kconnect), so both clients are measured against the same
/// server and neither shares a GC or thread pool with it.
/// </summary>
internal sealed class BenchBroker : IAsyncDisposable
{
    private readonly Process _process;

    private BenchBroker(Process process, string bootstrap, string work)
    {
        _process = process;
        Bootstrap = bootstrap;
        WorkDir = work;
    }

    public string Bootstrap { get; }

    public string WorkDir { get; }

    public int Pid => _process.Id;

    /// <summary>Starts the broker; <paramref name="extraArgs"/> (for example --config KEY=VALUE) are added to its command line.</summary>
    public static async Task<BenchBroker?> StartAsync(params string[] extraArgs) => await StartAsync(FreePort(), extraArgs).ConfigureAwait(false);

    public static async Task<BenchBroker?> StartAsync(int port, params string[] extraArgs)
    {
        var repo = FindRepo();
        var dll = Path.Combine(repo, "src/KafkaConnect.Cli/bin/Release/net10.0/kconnect.dll");
        if (!File.Exists(dll))
        {
            Console.Error.WriteLine($"{dll} is missing: dotnet build -c Release src/KafkaConnect.Cli");
            return null;
        }
        var work = Directory.CreateTempSubdirectory("kconnect-clientbench-").FullName;
        var bootstrap = $"127.0.0.1:{port}";
        var process = Process.Start(new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "broker", "--listen", bootstrap, "--data-dir", Path.Combine(work, "data") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }.WithArguments(extraArgs))!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var broker = new BenchBroker(process, bootstrap, work);
        try
        {
            await WaitForPortAsync(port);
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
        return broker;
    }

    public async Task CreateTopicAsync(string name, int partitions)
    {
        await using var cluster = NewCluster();
        var connection = await cluster.GetAnyConnectionAsync(CancellationToken.None);
        var version = connection.NegotiateVersion(ApiKey.CreateTopics, 2, 7);
        var response = await connection.SendAsync<CreateTopicsResponse>(ApiKey.CreateTopics, version, new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = name, NumPartitions = partitions, ReplicationFactor = 1 }],
        }, CancellationToken.None);
        var error = (ErrorCode)response.Topics[0].ErrorCode;
        if (error is not (ErrorCode.None or ErrorCode.TopicAlreadyExists)) throw new InvalidOperationException($"CreateTopics {name}: {error}");
    }

    /// <summary>Drops a measured topic so repeated runs do not pile gigabytes up in the data dir.</summary>
    public async Task DeleteTopicAsync(string name)
    {
        await using var cluster = NewCluster();
        var connection = await cluster.GetAnyConnectionAsync(CancellationToken.None);
        var version = connection.NegotiateVersion(ApiKey.DeleteTopics, 1, 6);
        await connection.SendAsync<DeleteTopicsResponse>(ApiKey.DeleteTopics, version, new DeleteTopicsRequest
        {
            TopicNames = [name],
            Topics = [new DeleteTopicsRequest.DeleteTopicState { Name = name }],
            TimeoutMs = 30_000,
        }, CancellationToken.None);
    }

    /// <summary>Sum of the partitions' end offsets (ListOffsets latest).</summary>
    public async Task<long> EndOffsetSumAsync(string topic, int partitions)
    {
        await using var cluster = NewCluster();
        var connection = await cluster.GetAnyConnectionAsync(CancellationToken.None);
        var version = connection.NegotiateVersion(ApiKey.ListOffsets, 1, 7);
        var t = new ListOffsetsRequest.ListOffsetsTopic { Name = topic };
        for (var p = 0; p < partitions; p++)
            t.Partitions.Add(new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = p, Timestamp = -1, CurrentLeaderEpoch = -1 });
        var response = await connection.SendAsync<ListOffsetsResponse>(ApiKey.ListOffsets, version,
            new ListOffsetsRequest { ReplicaId = -1, Topics = [t] }, CancellationToken.None);
        long sum = 0;
        foreach (var rt in response.Topics)
            foreach (var rp in rt.Partitions)
                sum += rp.Offset;
        return sum;
    }

    private KafkaCluster NewCluster()
        => new(new ClusterOptions { BootstrapServers = CommonClientConfig.ParseBootstrap([Bootstrap]) });

    public async ValueTask DisposeAsync()
    {
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        await _process.WaitForExitAsync();
        _process.Dispose();
        try { Directory.Delete(WorkDir, recursive: true); } catch (IOException) { }
    }

    /// <summary>A file of <paramref name="records"/> lines of <paramref name="size"/> bytes for kcat -P -l.</summary>
    public string WriteRecordFile(int records, int size)
    {
        var file = Path.Combine(WorkDir, $"payload-{size}.txt");
        if (File.Exists(file)) return file;
        using var stream = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        var line = new byte[size + 1];
        line.AsSpan().Fill((byte)'x');
        line[size] = (byte)'\n';
        for (var i = 0; i < records; i++) stream.Write(line);
        return file;
    }

    /// <summary>Runs kcat under /usr/bin/time to get its peak RSS; returns the wall time (process start to exit) and max RSS in KiB.</summary>
    public static async Task<(TimeSpan Elapsed, long MaxRssKiB)> RunKcatAsync(IEnumerable<string> args, bool stdoutToNull)
    {
        // Through sh so kcat writes straight to /dev/null (a pipe drained by us would cost it and us CPU).
        var psi = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(stdoutToNull ? "exec /usr/bin/time -f maxrss=%M kcat \"$@\" >/dev/null" : "exec /usr/bin/time -f maxrss=%M kcat \"$@\"");
        psi.ArgumentList.Add("kcat");
        foreach (var a in args) psi.ArgumentList.Add(a);
        var watch = Stopwatch.StartNew();
        using var kcat = Process.Start(psi)!;
        var stderr = kcat.StandardError.ReadToEndAsync();
        await kcat.WaitForExitAsync();
        watch.Stop();
        var err = await stderr;
        if (kcat.ExitCode != 0) Console.Error.WriteLine($"kcat exited with {kcat.ExitCode}: {err}");
        long rss = 0;
        var at = err.LastIndexOf("maxrss=", StringComparison.Ordinal);
        if (at >= 0) long.TryParse(err.AsSpan(at + 7).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out rss);
        return (watch.Elapsed, rss);
    }

    /// <summary>Resets this process's VmHWM (Linux: write 5 to clear_refs) so each measurement gets its own peak.</summary>
    public static void ResetPeakRss()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>This process's peak RSS in KiB since the last reset.</summary>
    public static long PeakRssKiB()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
            var digits = line.AsSpan(6).Trim();
            digits = digits[..digits.IndexOf(' ')];
            return long.Parse(digits, CultureInfo.InvariantCulture);
        }
        return 0;
    }

    public static double Median(List<double> values)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        var n = sorted.Length;
        return n == 0 ? double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForPortAsync(int port)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        throw new TimeoutException($"The broker did not listen on port {port}.");
    }

    private static string FindRepo()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "KafkaConnect.slnx"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("Run from inside the repository.");
    }
}

internal static class ProcessStartInfoExtensions
{
    public static ProcessStartInfo WithArguments(this ProcessStartInfo psi, IEnumerable<string> args)
    {
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }
}
