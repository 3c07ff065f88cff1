using System.Diagnostics;
using System.Globalization;
using KafkaConnect.Client.Consumer;
using KafkaConnect.Client.Producer;
using KafkaConnect.Security.Tests;

namespace KafkaConnect.ClientBench;

/// <summary>
/// The cost of TLS: kcat (librdkafka, OpenSSL) and our client produce and consume the same records through one broker
/// that has a PLAINTEXT and an SSL listener, alternating transport and client each run, so both see the same machine
/// state. Reports records/s and the CPU seconds of the client and of the broker; medians of --repeat runs.
/// </summary>
internal static class TlsThroughput
{
    private sealed record Row(string Client, string Phase, string Transport, double RecordsPerSecond, double ClientCpu, double BrokerCpu);

    public static async Task<int> RunAsync(string[] args)
    {
        var records = 1_000_000;
        var size = 1024;
        var partitions = 4;
        var repeat = 3;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--records": records = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--size": size = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--partitions": partitions = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--repeat": repeat = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }
        var pki = await TestPki.CreateAsync(Directory.CreateTempSubdirectory("kconnect-tlsbench-pki-").FullName);
        var plainPort = BenchBroker.FreePort();
        var sslPort = BenchBroker.FreePort();
        await using var broker = await BenchBroker.StartAsync(plainPort,
            "--config", $"listeners=PLAINTEXT://127.0.0.1:{plainPort},SSL://127.0.0.1:{sslPort}",
            "--config", $"ssl.keystore.location={pki.ServerJks}", "--config", $"ssl.keystore.password={TestPki.Password}");
        if (broker is null) return 1;
        Console.WriteLine($"TLS: broker pid {broker.Pid}, PLAINTEXT 127.0.0.1:{plainPort}, SSL 127.0.0.1:{sslPort} (TLS 1.3, RSA 2048); {records:N0} records of {size} B, {partitions} partitions, acks=all, linger.ms=5, batch.size=1000000, {repeat} runs, medians");
        var file = broker.WriteRecordFile(records, size);
        var rows = new List<Row>();
        var run = 0;
        for (var r = 0; r < repeat; r++)
        {
            foreach (var transport in new[] { "PLAINTEXT", "SSL" })
            {
                var port = transport == "SSL" ? sslPort : plainPort;
                foreach (var client in new[] { "kcat", "ours" })
                {
                    var topic = $"tls-{client}-{transport}-{run++}".ToLowerInvariant();
                    await broker.CreateTopicAsync(topic, partitions);
                    var security = Security(transport, pki);
                    var brokerBefore = BrokerCpu(broker.Pid);
                    var (produceSeconds, produceCpu) = client == "kcat"
                        ? await KcatAsync(["-P", "-l", "-b", $"127.0.0.1:{port}", "-t", topic, "-X", "acks=all", "-X", "linger.ms=5", .. KcatSecurity(security), file])
                        : await ProduceOursAsync($"127.0.0.1:{port}", topic, records, size, security);
                    var brokerMid = BrokerCpu(broker.Pid);
                    rows.Add(new Row(client, "produce", transport, records / produceSeconds, produceCpu, brokerMid - brokerBefore));
                    var stored = await broker.EndOffsetSumAsync(topic, partitions);
                    if (stored != records) Console.Error.WriteLine($"  {topic} holds {stored} records, expected {records}");
                    var (consumeSeconds, consumeCpu) = client == "kcat"
                        ? await KcatAsync(["-C", "-b", $"127.0.0.1:{port}", "-t", topic, "-o", "beginning", "-e", "-q", .. KcatSecurity(security)])
                        : await ConsumeOursAsync($"127.0.0.1:{port}", topic, partitions, records, security);
                    rows.Add(new Row(client, "consume", transport, records / consumeSeconds, consumeCpu, BrokerCpu(broker.Pid) - brokerMid));
                    Console.WriteLine($"  run {r + 1} {client,-4} {transport,-9} produce {records / produceSeconds,10:N0} rec/s  consume {records / consumeSeconds,10:N0} rec/s");
                    await broker.DeleteTopicAsync(topic);
                }
            }
        }
        Console.WriteLine();
        Console.WriteLine($"{"client",-6} {"phase",-8} {"transport",-9} {"rec/s",12} {"MB/s",8} {"client cpu s",12} {"broker cpu s",12}");
        var medians = rows.GroupBy(x => (x.Client, x.Phase, x.Transport)).ToDictionary(g => g.Key, g => (
            Rate: BenchBroker.Median(g.Select(x => x.RecordsPerSecond).ToList()),
            Client: BenchBroker.Median(g.Select(x => x.ClientCpu).ToList()),
            Broker: BenchBroker.Median(g.Select(x => x.BrokerCpu).ToList())));
        foreach (var ((c, p, t), m) in medians.OrderBy(k => k.Key.Phase).ThenBy(k => k.Key.Client).ThenBy(k => k.Key.Transport))
            Console.WriteLine($"{c,-6} {p,-8} {t,-9} {m.Rate,12:N0} {m.Rate * size / 1e6,8:F0} {m.Client,12:F2} {m.Broker,12:F2}");
        Console.WriteLine();
        foreach (var phase in new[] { "produce", "consume" })
        {
            foreach (var c in new[] { "kcat", "ours" })
            {
                var plain = medians[(c, phase, "PLAINTEXT")];
                var tls = medians[(c, phase, "SSL")];
                Console.WriteLine($"{c,-4} {phase}: TLS/PLAINTEXT throughput {tls.Rate / plain.Rate:F2}, client CPU {tls.Client / plain.Client:F2}x, broker CPU {tls.Broker / plain.Broker:F2}x");
            }
            Console.WriteLine($"ours/kcat over TLS, {phase}: throughput {medians[("ours", phase, "SSL")].Rate / medians[("kcat", phase, "SSL")].Rate:F2}");
        }
        return 0;
    }

    private static Dictionary<string, string> Security(string transport, TestPki pki) => transport == "SSL"
        ? new() { ["security.protocol"] = "SSL", ["ssl.truststore.location"] = pki.TrustJks, ["ssl.truststore.password"] = TestPki.Password, ["kcat.ca"] = pki.CaCert }
        : new();

    private static IEnumerable<string> KcatSecurity(Dictionary<string, string> security) => security.Count == 0
        ? []
        : ["-X", "security.protocol=ssl", "-X", $"ssl.ca.location={security["kcat.ca"]}"];

    private static Dictionary<string, string> ClientConfig(string bootstrap, Dictionary<string, string> security)
    {
        var config = new Dictionary<string, string> { ["bootstrap.servers"] = bootstrap };
        foreach (var (k, v) in security) if (!k.StartsWith("kcat.", StringComparison.Ordinal)) config[k] = v;
        return config;
    }

    // Wall time and CPU (user + system) of one kcat run.
    private static async Task<(double Seconds, double Cpu)> KcatAsync(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec /usr/bin/time -f cpu=%U+%S kcat \"$@\" >/dev/null");
        psi.ArgumentList.Add("kcat");
        foreach (var a in args) psi.ArgumentList.Add(a);
        var watch = Stopwatch.StartNew();
        using var kcat = Process.Start(psi)!;
        var stderr = kcat.StandardError.ReadToEndAsync();
        await kcat.WaitForExitAsync();
        watch.Stop();
        var err = await stderr;
        if (kcat.ExitCode != 0) Console.Error.WriteLine($"kcat exited with {kcat.ExitCode}: {err}");
        var at = err.LastIndexOf("cpu=", StringComparison.Ordinal);
        var cpu = 0.0;
        if (at >= 0)
        {
            foreach (var part in err[(at + 4)..].Trim().Split('+')) cpu += double.Parse(part, CultureInfo.InvariantCulture);
        }
        return (watch.Elapsed.TotalSeconds, cpu);
    }

    private static async Task<(double Seconds, double Cpu)> ProduceOursAsync(string bootstrap, string topic, int records, int size, Dictionary<string, string> security)
    {
        var config = ClientConfig(bootstrap, security);
        config["acks"] = "all";
        config["linger.ms"] = "5";
        config["batch.size"] = "1000000";
        var payload = new byte[size];
        payload.AsSpan().Fill((byte)'x');
        var record = new ProducerRecord(topic, null, payload);
        long failures = 0;
        Action<RecordMetadata?, Exception?> onDelivery = (_, e) =>
        {
            if (e is not null) Interlocked.Increment(ref failures);
        };
        GC.Collect();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await using (var producer = new KafkaProducer(config))
        {
            for (var i = 0; i < records; i++) producer.Produce(record, onDelivery);
            await producer.FlushAsync();
        }
        if (failures > 0) Console.Error.WriteLine($"  {failures} records failed");
        watch.Stop();
        return (watch.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds);
    }

    private static async Task<(double Seconds, double Cpu)> ConsumeOursAsync(string bootstrap, string topic, int partitions, long expected, Dictionary<string, string> security)
    {
        var config = ClientConfig(bootstrap, security);
        config["auto.offset.reset"] = "earliest";
        GC.Collect();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await using (var consumer = new KafkaConsumer(config))
        {
            consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)).ToList());
            long count = 0;
            var idle = 0;
            while (count < expected)
            {
                var batch = await consumer.PollAsync(TimeSpan.FromSeconds(1));
                if (batch.Count == 0 && ++idle > 10) throw new TimeoutException($"Consumed {count} of {expected} records, then nothing for 10 s.");
                if (batch.Count > 0) idle = 0;
                count += batch.Count;
            }
        }
        watch.Stop();
        return (watch.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds);
    }

    // utime + stime of the broker process in seconds (/proc/PID/stat fields 14 and 15).
    private static double BrokerCpu(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / 100.0; // USER_HZ is 100 on Linux
    }
}
