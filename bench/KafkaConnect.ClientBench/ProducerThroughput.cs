using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using KafkaConnect.Client;
using KafkaConnect.Client.Config;
using KafkaConnect.Client.Producer;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.ClientBench;

/// <summary>
/// Records/s of our producer against kcat (librdkafka) on the same broker, which runs in its own process so
/// the two clients are measured alike. Both use linger.ms=5 and acks=all, null keys, 4 partitions.
/// </summary>
internal static class ProducerThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var records = 1_000_000;
        int[] sizes = [100, 1024];
        var partitions = 4;
        var linger = 5;
        string? batchSize = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--records": records = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--sizes": sizes = args[i + 1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
                case "--partitions": partitions = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--linger-ms": linger = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--batch-size": batchSize = args[i + 1]; break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        var repo = FindRepo();
        var dll = Path.Combine(repo, "src/KafkaConnect.Cli/bin/Release/net10.0/kconnect.dll");
        if (!File.Exists(dll))
        {
            Console.Error.WriteLine($"{dll} is missing: dotnet build -c Release src/KafkaConnect.Cli");
            return 1;
        }
        var work = Directory.CreateTempSubdirectory("kconnect-clientbench-").FullName;
        var port = FreePort();
        var bootstrap = $"127.0.0.1:{port}";
        using var broker = Process.Start(new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "broker", "--listen", bootstrap, "--data-dir", Path.Combine(work, "data") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        broker.OutputDataReceived += (_, _) => { };
        broker.ErrorDataReceived += (_, _) => { };
        broker.BeginOutputReadLine();
        broker.BeginErrorReadLine();
        try
        {
            await WaitForPortAsync(port);
            Console.WriteLine($"broker pid {broker.Id} on {bootstrap}; {records:N0} records per size, {partitions} partitions, linger.ms={linger}, acks=all");
            Console.WriteLine($"{"size",6} {"client",-10} {"seconds",8} {"records/s",12} {"MB/s",8}");
            foreach (var size in sizes)
            {
                await CreateTopicAsync(bootstrap, $"ours-{size}", partitions);
                await CreateTopicAsync(bootstrap, $"kcat-{size}", partitions);
                var ours = await RunOursAsync(bootstrap, $"ours-{size}", records, size, linger, batchSize);
                Print(size, "kafkaconnect", ours, records);
                var kcat = await RunKcatAsync(bootstrap, $"kcat-{size}", records, size, linger, batchSize, work);
                Print(size, "kcat", kcat, records);
                Console.WriteLine($"{size,6} ratio ours/kcat: {kcat.TotalSeconds / ours.TotalSeconds:F2}");
            }
        }
        finally
        {
            broker.Kill(entireProcessTree: true);
            await broker.WaitForExitAsync();
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
        return 0;
    }

    private static void Print(int size, string client, TimeSpan elapsed, int records)
        => Console.WriteLine($"{size,6} {client,-10} {elapsed.TotalSeconds,8:F2} {records / elapsed.TotalSeconds,12:N0} {(double)records * size / elapsed.TotalSeconds / 1e6,8:F1}");

    private static async Task<TimeSpan> RunOursAsync(string bootstrap, string topic, int records, int size, int linger, string? batchSize)
    {
        var payload = new byte[size];
        Random.Shared.NextBytes(payload);
        long failures = 0;
        Exception? firstError = null;
        Action<RecordMetadata?, Exception?> onDelivery = (_, e) =>
        {
            if (e is null) return;
            Interlocked.Increment(ref failures);
            Interlocked.CompareExchange(ref firstError, e, null);
        };
        var config = new Dictionary<string, string>
        {
            ["bootstrap.servers"] = bootstrap,
            ["linger.ms"] = linger.ToString(CultureInfo.InvariantCulture),
        };
        if (batchSize is not null) config["batch.size"] = batchSize;
        await using var producer = new KafkaProducer(config);
        // Warm up metadata and the connection outside the measurement.
        await producer.ProduceAsync(new ProducerRecord(topic, null, payload));
        var record = new ProducerRecord(topic, null, payload);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        var callerBefore = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 1; i < records; i++) producer.Produce(record, onDelivery);
        var callerAllocated = GC.GetAllocatedBytesForCurrentThread() - callerBefore;
        await producer.FlushAsync();
        watch.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Console.WriteLine($"{size,6} kafkaconnect allocated {allocated / (double)records:F1} bytes/record in all ({callerAllocated / (double)records:F1} on the producing thread)");
        if (failures > 0) Console.Error.WriteLine($"{failures} records failed: {firstError?.Message}");
        return watch.Elapsed;
    }

    private static async Task<TimeSpan> RunKcatAsync(string bootstrap, string topic, int records, int size, int linger, string? batchSize, string work)
    {
        var file = Path.Combine(work, $"payload-{size}.txt");
        await using (var w = new StreamWriter(file))
        {
            var line = new string('x', size);
            for (var i = 0; i < records; i++) await w.WriteLineAsync(line);
        }
        var psi = new ProcessStartInfo("kcat")
        {
            ArgumentList = { "-P", "-l", "-b", bootstrap, "-t", topic, "-X", $"linger.ms={linger}", "-X", "acks=all" },
            UseShellExecute = false,
            RedirectStandardError = true,
        };
        if (batchSize is not null)
        {
            psi.ArgumentList.Add("-X");
            psi.ArgumentList.Add($"batch.size={batchSize}");
        }
        psi.ArgumentList.Add(file);
        var watch = Stopwatch.StartNew();
        using var kcat = Process.Start(psi)!;
        var stderr = kcat.StandardError.ReadToEndAsync();
        await kcat.WaitForExitAsync();
        watch.Stop();
        if (kcat.ExitCode != 0) Console.Error.WriteLine($"kcat exited with {kcat.ExitCode}: {await stderr}");
        File.Delete(file);
        return watch.Elapsed;
    }

    private static async Task CreateTopicAsync(string bootstrap, string name, int partitions)
    {
        await using var cluster = new KafkaCluster(new ClusterOptions { BootstrapServers = CommonClientConfig.ParseBootstrap([bootstrap]) });
        var connection = await cluster.GetAnyConnectionAsync(CancellationToken.None);
        var version = connection.NegotiateVersion(ApiKey.CreateTopics, 2, 7);
        var response = await connection.SendAsync<CreateTopicsResponse>(ApiKey.CreateTopics, version, new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = name, NumPartitions = partitions, ReplicationFactor = 1 }],
        }, CancellationToken.None);
        var error = (ErrorCode)response.Topics[0].ErrorCode;
        if (error is not (ErrorCode.None or ErrorCode.TopicAlreadyExists)) throw new InvalidOperationException($"CreateTopics {name}: {error}");
    }

    private static int FreePort()
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
