using System.Diagnostics;
using System.Globalization;
using KafkaConnect.Client.Consumer;

namespace KafkaConnect.ClientBench;

/// <summary>
/// Records/s of our consumer against kcat -C (librdkafka) reading the same topic from the beginning to the end.
/// The topic is filled once per size by kcat -P -l; then each run reads it with both clients, alternating.
/// Ours: KafkaConsumer with Assign (no group) and auto.offset.reset=earliest, counting records and touching the
/// value length; kcat: -C -e -q -o beginning with stdout drained to nothing. Both fetch all partitions.
/// </summary>
internal static class ConsumerThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var records = 1_000_000;
        int[] sizes = [100, 1024];
        var partitions = 4;
        var repeat = 3;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--records": records = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--sizes": sizes = ProducerThroughput.ParseInts(args[i + 1]); break;
                case "--partitions": partitions = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--repeat": repeat = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        await using var broker = await BenchBroker.StartAsync();
        if (broker is null) return 1;
        Console.WriteLine($"CONSUMER: broker pid {broker.Pid} on {broker.Bootstrap}; {records:N0} records per size, {partitions} partitions, {repeat} runs, medians");
        var summary = new List<string>();
        foreach (var size in sizes)
        {
            var topic = $"c-{size}";
            await broker.CreateTopicAsync(topic, partitions);
            var file = broker.WriteRecordFile(records, size);
            var fill = await BenchBroker.RunKcatAsync(
                ["-P", "-l", "-b", broker.Bootstrap, "-t", topic, "-X", "linger.ms=5", "-X", "acks=1", file], stdoutToNull: true);
            File.Delete(file);
            var stored = await broker.EndOffsetSumAsync(topic, partitions);
            Console.WriteLine($"  filled {topic} with {stored:N0} records in {fill.Elapsed.TotalSeconds:F2} s");
            if (stored != records) Console.Error.WriteLine($"  {topic} holds {stored} records, expected {records}");

            var ours = new List<double>();
            var kcat = new List<double>();
            var allocated = new List<double>();
            var rss = new List<double>();
            var kcatRss = new List<double>();
            for (var r = 0; r < repeat; r++)
            {
                var o = await RunOursAsync(broker.Bootstrap, topic, partitions, stored);
                var k = await BenchBroker.RunKcatAsync(["-C", "-b", broker.Bootstrap, "-t", topic, "-o", "beginning", "-e", "-q"], stdoutToNull: true);
                ours.Add(stored / o.Elapsed.TotalSeconds);
                kcat.Add(stored / k.Elapsed.TotalSeconds);
                allocated.Add(o.BytesPerRecord);
                rss.Add(o.PeakRssKiB / 1024.0);
                kcatRss.Add(k.MaxRssKiB / 1024.0);
                Console.WriteLine($"  run {r + 1}: size {size}: ours {ours[^1],12:N0} rec/s  kcat {kcat[^1],12:N0} rec/s  ratio {ours[^1] / kcat[^1]:F2}  ({o.BytesPerRecord:F1} B/record allocated)");
            }
            var mo = BenchBroker.Median(ours);
            var mk = BenchBroker.Median(kcat);
            summary.Add($"{size,6} {mo,14:N0} {mk,14:N0} {mo / mk,6:F2} {BenchBroker.Median(allocated),10:F1} {BenchBroker.Median(rss),9:F0} {BenchBroker.Median(kcatRss),9:F0}");
            await broker.DeleteTopicAsync(topic);
        }
        Console.WriteLine();
        Console.WriteLine($"consumer, medians of {repeat} ({records:N0} records, {partitions} partitions, from the beginning to the end)");
        Console.WriteLine($"{"size",6} {"ours rec/s",14} {"kcat rec/s",14} {"ratio",6} {"B/rec all",10} {"ours MiB",9} {"kcat MiB",9}");
        foreach (var line in summary) Console.WriteLine(line);
        Console.WriteLine("(defaults on both sides; MiB = peak RSS)");
        return 0;
    }

    private static async Task<(TimeSpan Elapsed, double BytesPerRecord, long PeakRssKiB)> RunOursAsync(string bootstrap, string topic, int partitions, long expected)
    {
        GC.Collect();
        BenchBroker.ResetPeakRss();
        var config = new Dictionary<string, string>
        {
            ["bootstrap.servers"] = bootstrap,
            ["auto.offset.reset"] = "earliest",
        };
        var assignment = new List<TopicPartition>(partitions);
        for (var p = 0; p < partitions; p++) assignment.Add(new TopicPartition(topic, p));
        // Counted from construction, as kcat's time includes connecting and metadata.
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        await using (var consumer = new KafkaConsumer(config))
        {
            consumer.Assign(assignment);
            long count = 0;
            long bytes = 0;
            var idle = 0;
            while (count < expected)
            {
                var batch = await consumer.PollAsync(TimeSpan.FromSeconds(1));
                if (batch.Count == 0)
                {
                    if (++idle > 10) throw new TimeoutException($"Consumed {count} of {expected} records, then nothing for 10 s.");
                    continue;
                }
                idle = 0;
                for (var i = 0; i < batch.Count; i++) bytes += batch[i].Value?.Length ?? 0;
                count += batch.Count;
            }
            GC.KeepAlive(bytes);
        }
        watch.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        return (watch.Elapsed, allocated / (double)expected, BenchBroker.PeakRssKiB());
    }
}
