using System.Diagnostics;
using System.Globalization;
using KafkaConnect.Client.Producer;

namespace KafkaConnect.ClientBench;

/// <summary>
/// Records/s of our producer against kcat (librdkafka) on the same broker, null keys, acks=all, linger.ms=5,
/// 4 partitions. Two configurations per size: each client's defaults (ours: Kafka's batch.size=16384;
/// librdkafka: batch.size=1000000) and both at batch.size=1000000. Each pair runs --repeat times, alternating,
/// and the medians are printed. Every run writes to a fresh topic that is deleted afterwards.
/// </summary>
internal static class ProducerThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var records = 1_000_000;
        int[] sizes = [100, 1024];
        var partitions = 4;
        var linger = 5;
        var repeat = 3;
        string[] batchSizes = ["default", "1000000"];
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--records": records = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--sizes": sizes = ParseInts(args[i + 1]); break;
                case "--partitions": partitions = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--linger-ms": linger = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--repeat": repeat = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--batch-sizes": batchSizes = args[i + 1].Split(','); break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        await using var broker = await BenchBroker.StartAsync();
        if (broker is null) return 1;
        Console.WriteLine($"PRODUCER: broker pid {broker.Pid} on {broker.Bootstrap}; {records:N0} records per run, {partitions} partitions, linger.ms={linger}, acks=all, {repeat} runs, medians");
        var summary = new List<string>();
        var run = 0;
        foreach (var size in sizes)
        {
            var file = broker.WriteRecordFile(records, size);
            foreach (var batch in batchSizes)
            {
                var batchSize = batch == "default" ? null : batch;
                var ours = new List<double>();
                var kcat = new List<double>();
                var allocated = new List<double>();
                var callerAllocated = new List<double>();
                var rss = new List<double>();
                var kcatRss = new List<double>();
                for (var r = 0; r < repeat; r++)
                {
                    var oursTopic = $"p-ours-{size}-{run}";
                    var kcatTopic = $"p-kcat-{size}-{run}";
                    run++;
                    await broker.CreateTopicAsync(oursTopic, partitions);
                    await broker.CreateTopicAsync(kcatTopic, partitions);
                    var o = await RunOursAsync(broker.Bootstrap, oursTopic, records, size, linger, batchSize);
                    var k = await RunKcatAsync(broker.Bootstrap, kcatTopic, file, linger, batchSize);
                    ours.Add(records / o.Elapsed.TotalSeconds);
                    kcat.Add(records / k.Elapsed.TotalSeconds);
                    allocated.Add(o.BytesPerRecord);
                    callerAllocated.Add(o.CallerBytesPerRecord);
                    rss.Add(o.PeakRssKiB / 1024.0);
                    kcatRss.Add(k.MaxRssKiB / 1024.0);
                    Console.WriteLine($"  run {r + 1}: size {size} batch.size {batch}: ours {ours[^1],12:N0} rec/s  kcat {kcat[^1],12:N0} rec/s  ratio {ours[^1] / kcat[^1]:F2}  ({o.BytesPerRecord:F1} B/record allocated, {o.CallerBytesPerRecord:F1} on the producing thread)");
                    var stored = await broker.EndOffsetSumAsync(oursTopic, partitions);
                    if (stored != records) Console.Error.WriteLine($"  {oursTopic} holds {stored} records, expected {records}");
                    await broker.DeleteTopicAsync(oursTopic);
                    await broker.DeleteTopicAsync(kcatTopic);
                }
                var mo = BenchBroker.Median(ours);
                var mk = BenchBroker.Median(kcat);
                summary.Add($"{size,6} {batch,10} {mo,14:N0} {mk,14:N0} {mo / mk,6:F2} {BenchBroker.Median(allocated),10:F1} {BenchBroker.Median(callerAllocated),10:F1} {BenchBroker.Median(rss),9:F0} {BenchBroker.Median(kcatRss),9:F0}");
            }
            File.Delete(file);
        }
        Console.WriteLine();
        Console.WriteLine($"producer, medians of {repeat} ({records:N0} records, linger.ms={linger}, acks=all, {partitions} partitions)");
        Console.WriteLine($"{"size",6} {"batch.size",10} {"ours rec/s",14} {"kcat rec/s",14} {"ratio",6} {"B/rec all",10} {"B/rec call",10} {"ours MiB",9} {"kcat MiB",9}");
        foreach (var line in summary) Console.WriteLine(line);
        Console.WriteLine("(batch.size default: ours 16384 as in Kafka, librdkafka 1000000; MiB = peak RSS)");
        return 0;
    }

    internal static int[] ParseInts(string list)
    {
        var parts = list.Split(',');
        var result = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++) result[i] = int.Parse(parts[i], CultureInfo.InvariantCulture);
        return result;
    }

    private static async Task<(TimeSpan Elapsed, double BytesPerRecord, double CallerBytesPerRecord, long PeakRssKiB)> RunOursAsync(
        string bootstrap, string topic, int records, int size, int linger, string? batchSize)
    {
        var payload = new byte[size];
        payload.AsSpan().Fill((byte)'x');
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
            ["acks"] = "all",
        };
        if (batchSize is not null) config["batch.size"] = batchSize;
        GC.Collect();
        BenchBroker.ResetPeakRss();
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
        var rss = BenchBroker.PeakRssKiB();
        if (failures > 0) Console.Error.WriteLine($"{failures} records failed: {firstError?.Message}");
        return (watch.Elapsed, allocated / (double)records, callerAllocated / (double)records, rss);
    }

    private static Task<(TimeSpan Elapsed, long MaxRssKiB)> RunKcatAsync(string bootstrap, string topic, string file, int linger, string? batchSize)
    {
        var args = new List<string> { "-P", "-l", "-b", bootstrap, "-t", topic, "-X", $"linger.ms={linger}", "-X", "acks=all" };
        if (batchSize is not null) args.AddRange(["-X", $"batch.size={batchSize}"]);
        args.Add(file);
        return BenchBroker.RunKcatAsync(args, stdoutToNull: true);
    }
}
