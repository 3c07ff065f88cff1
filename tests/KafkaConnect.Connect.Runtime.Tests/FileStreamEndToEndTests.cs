using System.Text;
using KafkaConnect.Client.Consumer;
using KafkaConnect.Connect.Runtime.Herder;

namespace KafkaConnect.Connect.Runtime.Tests;

/// <summary>The seeds tutorial: file source → connect-test → file sink, with JsonConverter schemas enabled.</summary>
public sealed class FileStreamEndToEndTests : IClassFixture<BrokerFixture>, IDisposable
{
    private readonly BrokerFixture _broker;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kc-runtime-e2e-" + Guid.NewGuid().ToString("N"));

    public FileStreamEndToEndTests(BrokerFixture broker)
    {
        _broker = broker;
        Directory.CreateDirectory(_dir);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Tutorial_SourceToSink_ByteIdenticalJson_RestartNeitherDuplicatesNorLoses()
    {
        var input = Path.Combine(_dir, "test.txt");
        var output = Path.Combine(_dir, "test.sink.txt");
        var offsets = Path.Combine(_dir, "connect.offsets");
        var topic = "connect-test-" + Guid.NewGuid().ToString("N")[..8];
        File.WriteAllText(input, "aaa\nbbb\n");
        var source = new Dictionary<string, string>
        {
            ["name"] = "local-file-source", ["connector.class"] = "FileStreamSourceConnector", ["tasks.max"] = "1", ["file"] = input, ["topic"] = topic,
        };
        var sink = new Dictionary<string, string>
        {
            ["name"] = "local-file-sink", ["connector.class"] = "FileStreamSinkConnector", ["tasks.max"] = "1", ["file"] = output, ["topics"] = topic,
        };

        await using (var herder = Harness.NewHerder(_broker.BootstrapServers, offsets))
        {
            await herder.PutConnectorConfigAsync("local-file-source", source, allowReplace: false);
            await herder.PutConnectorConfigAsync("local-file-sink", sink, allowReplace: false);
            await Harness.WaitUntilAsync(() => SinkLines(output).Length == 2);
            File.AppendAllText(input, "ccc\n");
            await Harness.WaitUntilAsync(() => SinkLines(output).Length == 3);
            var status = await herder.ConnectorStatusAsync("local-file-source");
            Assert.Equal(ConnectorState.Running, status.Connector.State);
            Assert.All(status.Tasks, t => Assert.Equal(ConnectorState.Running, t.State));
        }
        Assert.Contains("\"position\":12", File.ReadAllText(offsets), StringComparison.Ordinal);

        // Written while the worker is down: picked up after the restart from the stored position.
        File.AppendAllText(input, "ddd\n");
        await using (var herder = Harness.NewHerder(_broker.BootstrapServers, offsets))
        {
            await herder.PutConnectorConfigAsync("local-file-source", source, allowReplace: false);
            await herder.PutConnectorConfigAsync("local-file-sink", sink, allowReplace: false);
            await Harness.WaitUntilAsync(() => SinkLines(output).Length >= 4);
            File.AppendAllText(input, "eee\n");
            await Harness.WaitUntilAsync(() => SinkLines(output).Length >= 5);
            await Task.Delay(1000);
            var sourceOffsets = await herder.ConnectorOffsetsAsync("local-file-source");
            Assert.Equal(input, Assert.Single(sourceOffsets).Partition["filename"]);
        }
        Assert.Equal(["aaa", "bbb", "ccc", "ddd", "eee"], SinkLines(output));

        var values = await ReadTopicValuesAsync(topic, 5);
        Assert.Equal("{\"schema\":{\"type\":\"string\",\"optional\":false},\"payload\":\"aaa\"}", values[0]);
        Assert.Equal("{\"schema\":{\"type\":\"string\",\"optional\":false},\"payload\":\"eee\"}", values[4]);
    }

    [Fact]
    public async Task A_topic_with_a_small_max_message_bytes_gets_every_line_in_order_and_the_source_keeps_running()
    {
        // The source task's producer batches lines far past the topic's 1000-byte limit; the refused batches are split
        // and sent again, so the task neither fails nor loses or reorders a line.
        const int lines = 500;
        var input = Path.Combine(_dir, "many.txt");
        var output = Path.Combine(_dir, "many.sink.txt");
        var topic = "small-messages-" + Guid.NewGuid().ToString("N")[..8];
        var expected = Enumerable.Range(0, lines).Select(i => $"line {i:D4} " + new string((char)('a' + i % 26), 40)).ToArray();
        File.WriteAllLines(input, expected);
        await using (var admin = new KafkaConnect.Client.Admin.KafkaAdminClient(new Dictionary<string, string> { ["bootstrap.servers"] = _broker.BootstrapServers }))
        {
            await admin.CreateTopicsAsync([new KafkaConnect.Client.Admin.NewTopic(topic, 1, 1) { Configs = new Dictionary<string, string> { ["max.message.bytes"] = "1000" } }]);
        }
        await using var herder = Harness.NewHerder(_broker.BootstrapServers, Path.Combine(_dir, "many.offsets"));
        await herder.PutConnectorConfigAsync("small-source", new Dictionary<string, string>
        {
            ["name"] = "small-source", ["connector.class"] = "FileStreamSourceConnector", ["tasks.max"] = "1", ["file"] = input, ["topic"] = topic,
            ["producer.override.linger.ms"] = "100", ["producer.override.batch.size"] = "65536",
        }, allowReplace: false);
        await herder.PutConnectorConfigAsync("small-sink", new Dictionary<string, string>
        {
            ["name"] = "small-sink", ["connector.class"] = "FileStreamSinkConnector", ["tasks.max"] = "1", ["file"] = output, ["topics"] = topic,
        }, allowReplace: false);
        await Harness.WaitUntilAsync(() => SinkLines(output).Length >= lines, timeoutMs: 60_000);

        Assert.Equal(expected, SinkLines(output));
        var status = await herder.ConnectorStatusAsync("small-source");
        Assert.All(status.Tasks, t => Assert.Equal(ConnectorState.Running, t.State));
    }

    private static string[] SinkLines(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllLines(path) : [];
        }
        catch (IOException)
        {
            return [];
        }
    }

    private async Task<List<string>> ReadTopicValuesAsync(string topic, int count)
    {
        await using var consumer = new KafkaConsumer(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = _broker.BootstrapServers,
            ["group.id"] = "reader-" + Guid.NewGuid().ToString("N"),
            ["auto.offset.reset"] = "earliest",
        });
        consumer.Subscribe([topic]);
        var values = new List<string>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (values.Count < count && DateTime.UtcNow < deadline)
        {
            foreach (var r in await consumer.PollAsync(TimeSpan.FromSeconds(1)))
            {
                Assert.Null(r.Key);
                values.Add(Encoding.UTF8.GetString(r.Value!.Value.Span));
            }
        }
        return values;
    }
}
