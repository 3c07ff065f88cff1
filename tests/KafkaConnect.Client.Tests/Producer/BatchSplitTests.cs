using KafkaConnect.Client.Config;
using KafkaConnect.Client.Producer;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Client.Tests.Producer;

/// <summary>
/// A batch bigger than the topic's max.message.bytes is refused by the broker (MESSAGE_TOO_LARGE): the producer sends
/// its records again in smaller batches, as Apache's does, so only a record too large on its own fails. Read back with
/// kcat: every record once, in order.
/// </summary>
public sealed class BatchSplitTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    private const int MaxMessageBytes = 2000;

    private async Task<string> CreateSmallMessageTopicAsync()
    {
        var name = "split-" + Guid.NewGuid().ToString("N")[..8];
        await using var cluster = new KafkaCluster(new ClusterOptions { BootstrapServers = CommonClientConfig.ParseBootstrap([broker.BootstrapServers]) });
        var connection = await cluster.GetAnyConnectionAsync(CancellationToken.None);
        var response = await connection.SendAsync<CreateTopicsResponse>(ApiKey.CreateTopics, connection.NegotiateVersion(ApiKey.CreateTopics, 2, 7), new CreateTopicsRequest
        {
            Topics =
            [
                new CreateTopicsRequest.CreatableTopic
                {
                    Name = name,
                    NumPartitions = 1,
                    ReplicationFactor = 1,
                    Configs = [new CreateTopicsRequest.CreatableTopicConfig { Name = "max.message.bytes", Value = MaxMessageBytes.ToString(System.Globalization.CultureInfo.InvariantCulture) }],
                },
            ],
        }, CancellationToken.None);
        Assert.Equal(ErrorCode.None, (ErrorCode)response.Topics.Single().ErrorCode);
        return name;
    }

    // The index, then random base64 text: it compresses little, so a compressed batch is still far over the limit,
    // and kcat prints it as a line.
    private static byte[] Value(int index, int length)
    {
        var random = new byte[length];
        Random.Shared.NextBytes(random);
        var text = index.ToString("D6", System.Globalization.CultureInfo.InvariantCulture) + " " + Convert.ToBase64String(random);
        return System.Text.Encoding.ASCII.GetBytes(text[..length]);
    }

    private static KafkaProducer Producer(string bootstrap, bool idempotent, string compression) => new(ProducerTestSupport.Config(bootstrap,
        ("enable.idempotence", idempotent ? "true" : "false"), ("compression.type", compression),
        // Everything produced goes in one batch far over max.message.bytes.
        ("linger.ms", "200"), ("batch.size", "262144"), ("retry.backoff.ms", "10")));

    private static int IndexOf(string kcatLine) => int.Parse(kcatLine.Split('\t')[7][..6], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Produces with a callback, which the producer calls before the record's batch counts as done.</summary>
    private static void Send(KafkaProducer producer, string topic, int index, int length, List<(int Index, long Offset, Exception? Error)> outcomes) =>
        producer.Produce(new ProducerRecord(topic, null, Value(index, length)), (metadata, error) =>
        {
            lock (outcomes) outcomes.Add((index, metadata?.Offset ?? -1, error));
        });

    [Theory]
    [InlineData(true, "none")]
    [InlineData(false, "none")]
    [InlineData(true, "lz4")]
    [InlineData(false, "gzip")]
    public async Task A_batch_over_max_message_bytes_is_split_and_every_record_lands_once_in_order(bool idempotent, string compression)
    {
        const int count = 200;
        var topic = await CreateSmallMessageTopicAsync();
        var outcomes = new List<(int Index, long Offset, Exception? Error)>();
        var producer = Producer(broker.BootstrapServers, idempotent, compression);
        await using (producer)
        {
            for (var i = 0; i < count; i++) Send(producer, topic, i, 100, outcomes);
            // A flush waits for the halves of a split batch too: every outcome is in when it returns.
            await producer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(60));
            lock (outcomes)
            {
                Assert.Equal(count, outcomes.Count);
                Assert.All(outcomes, o => Assert.Null(o.Error));
                Assert.All(outcomes, o => Assert.Equal(o.Index, o.Offset));
            }
            Assert.True(producer.SplitBatches > 0, "the broker never refused a batch: the test did not test splitting");
        }

        var lines = await ProducerTestSupport.ConsumeWithKcatAsync(broker.BootstrapServers, topic);
        Assert.Equal(Enumerable.Range(0, count), lines.Select(IndexOf));
    }

    [Fact]
    public async Task A_record_too_large_on_its_own_fails_with_the_brokers_error_and_its_batch_neighbours_land()
    {
        var topic = await CreateSmallMessageTopicAsync();
        var outcomes = new List<(int Index, long Offset, Exception? Error)>();
        var producer = Producer(broker.BootstrapServers, idempotent: true, compression: "none");
        await using (producer)
        {
            for (var i = 0; i < 21; i++) Send(producer, topic, i, i == 10 ? MaxMessageBytes + 500 : 100, outcomes);
            await producer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(60));
            lock (outcomes)
            {
                Assert.Equal(21, outcomes.Count);
                var big = Assert.Single(outcomes, o => o.Error is not null);
                Assert.Equal(10, big.Index);
                var error = Assert.IsType<KafkaException>(big.Error);
                Assert.Equal(ErrorCode.MessageTooLarge, error.Error);
                Assert.Contains(topic, error.Message, StringComparison.Ordinal);
            }
        }

        var lines = await ProducerTestSupport.ConsumeWithKcatAsync(broker.BootstrapServers, topic);
        Assert.Equal(Enumerable.Range(0, 10).Concat(Enumerable.Range(11, 10)), lines.Select(IndexOf));
    }
}
