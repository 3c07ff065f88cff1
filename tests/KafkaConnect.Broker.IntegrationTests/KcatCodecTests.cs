using System.Globalization;
using System.Text;
using KafkaConnect.Broker.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace KafkaConnect.Broker.IntegrationTests;

/// <summary>kcat (librdkafka 2.0.2) produces and consumes 100,000 keyed records with headers, once per codec.</summary>
public sealed class KcatCodecTests(ITestOutputHelper output)
{
    private const int RecordCount = 100_000;
    private const int KeyCount = 1_000;
    private const int Partitions = 4;
    private const string Headers = "source=kcat,run=it";

    [Theory]
    [Trait("Category", "Long")]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task Kcat_round_trips_100k_keyed_records_with_headers(string codec)
    {
        var kcat = Clients.RequireKcat();
        using var work = new TempDirectory();
        await using var broker = await BrokerProcess.StartAsync(
            output, $"num.partitions={Partitions}", "auto.create.topics.enable=true");
        var topic = $"kcat-{codec}";

        var input = work.File("input.txt");
        await using (var writer = new StreamWriter(input, append: false, new UTF8Encoding(false)))
        {
            for (var i = 0; i < RecordCount; i++)
            {
                await writer.WriteAsync($"{KeyOf(i)}:{ValueOf(i, codec)}\n");
            }
        }

        var produce = await ProcessRunner.RunAsync(kcat,
        [
            "-P", "-b", broker.BootstrapServers, "-t", topic, "-K", ":",
            "-H", "source=kcat", "-H", "run=it",
            "-X", $"compression.codec={codec}",
            "-X", "queue.buffering.max.ms=20",
            "-X", "batch.num.messages=5000",
            "-X", "message.timeout.ms=60000",
            "-l", input,
        ], TimeSpan.FromMinutes(2));
        Assert.True(produce.Succeeded, $"kcat produce failed:{Environment.NewLine}{produce.Describe()}");
        Assert.DoesNotContain("Delivery failed", produce.StandardError, StringComparison.Ordinal);
        broker.AssertAlive("after produce");

        var consume = await ProcessRunner.RunAsync(kcat,
        [
            "-C", "-b", broker.BootstrapServers, "-t", topic, "-o", "beginning", "-e", "-q",
            "-f", @"%p\t%o\t%k\t%h\t%s\n",
        ], TimeSpan.FromMinutes(2));
        Assert.True(consume.Succeeded, $"kcat consume failed:{Environment.NewLine}{consume.Describe(2000)}");

        VerifyConsumed(consume.StandardOutput, codec);

        var metadata = await KcatMetadata.QueryAsync(broker, topic);
        Assert.Equal(Partitions, metadata.Topics[topic].PartitionLeaders.Count);
    }

    private static string KeyOf(int i) => "key-" + (i % KeyCount).ToString("D4", CultureInfo.InvariantCulture);

    private static string ValueOf(int i, string codec) =>
        $"value-{i.ToString("D6", CultureInfo.InvariantCulture)}-{codec}-payload-{new string((char)('a' + (i % 26)), i % 50)}";

    private static void VerifyConsumed(string text, string codec)
    {
        var seen = new bool[RecordCount];
        var partitionOfKey = new Dictionary<string, int>(StringComparer.Ordinal);
        var lastSequenceOfKey = new Dictionary<string, int>(StringComparer.Ordinal);
        var nextOffset = new long[Partitions];
        var count = 0;

        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split('\t');
            if (fields.Length != 5)
            {
                Assert.Fail($"Unparseable kcat line: '{line}'");
            }
            var partition = int.Parse(fields[0], CultureInfo.InvariantCulture);
            var offset = long.Parse(fields[1], CultureInfo.InvariantCulture);
            var key = fields[2];
            var headers = fields[3];
            var value = fields[4];

            Assert.InRange(partition, 0, Partitions - 1);
            // A fresh topic has dense offsets from 0 in every partition, whatever the batch compression.
            if (offset != nextOffset[partition])
            {
                Assert.Fail($"Partition {partition}: expected offset {nextOffset[partition]}, got {offset}");
            }
            nextOffset[partition] = offset + 1;

            if (headers != Headers)
            {
                Assert.Fail($"Headers at {partition}@{offset}: '{headers}'");
            }
            if (!value.StartsWith("value-", StringComparison.Ordinal))
            {
                Assert.Fail($"Value at {partition}@{offset}: '{value}'");
            }
            var sequence = int.Parse(value.AsSpan(6, 6), CultureInfo.InvariantCulture);
            Assert.InRange(sequence, 0, RecordCount - 1);
            if (value != ValueOf(sequence, codec))
            {
                Assert.Fail($"Value at {partition}@{offset} corrupted: '{value}'");
            }
            if (key != KeyOf(sequence))
            {
                Assert.Fail($"Key at {partition}@{offset} is '{key}', expected '{KeyOf(sequence)}'");
            }
            if (seen[sequence])
            {
                Assert.Fail($"Record {sequence} delivered twice (again at {partition}@{offset})");
            }
            seen[sequence] = true;

            if (partitionOfKey.TryGetValue(key, out var keyPartition))
            {
                if (keyPartition != partition)
                {
                    Assert.Fail($"Key {key} found in partitions {keyPartition} and {partition}");
                }
            }
            else
            {
                partitionOfKey[key] = partition;
            }

            if (lastSequenceOfKey.TryGetValue(key, out var previous))
            {
                if (previous >= sequence)
                {
                    Assert.Fail($"Key {key}: record {sequence} stored after {previous}");
                }
            }

            lastSequenceOfKey[key] = sequence;
            count++;
        }

        var missing = Array.IndexOf(seen, false);
        Assert.True(count == RecordCount && missing < 0, $"Consumed {count} of {RecordCount} records; first missing: {missing}");
        Assert.Equal(KeyCount, partitionOfKey.Count);
        Assert.True(nextOffset.Count(n => n > 0) > 1, $"All records landed in one partition: {string.Join(",", nextOffset)}");
    }
}
