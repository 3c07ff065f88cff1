using KafkaConnect.Broker.Metrics;
using KafkaConnect.Broker.Tests.Handlers;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Tests.Metrics;

/// <summary>
/// How requests are counted, request by request, through the dispatcher of a broker without sockets: by version,
/// once per partition, failures, duplicates, and a long-polling fetch counted once.
/// </summary>
public sealed class RequestCountingTests : HandlerTestBase
{
    private const string MessagesIn = "kafka_server_brokertopicmetrics_messagesin_total";
    private const string BytesIn = "kafka_server_brokertopicmetrics_bytesin_total";
    private const string BytesOut = "kafka_server_brokertopicmetrics_bytesout_total";
    private const string TotalProduce = "kafka_server_brokertopicmetrics_totalproducerequests_total";
    private const string FailedProduce = "kafka_server_brokertopicmetrics_failedproducerequests_total";
    private const string TotalFetch = "kafka_server_brokertopicmetrics_totalfetchrequests_total";
    private const string FailedFetch = "kafka_server_brokertopicmetrics_failedfetchrequests_total";
    private const string Requests = "kafka_network_requestmetrics_requests_total";

    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string> { ["auto.create.topics.enable"] = "false" };

    private MetricsSnapshot Collect()
    {
        using var metrics = new BrokerMetrics(Broker.State, Broker.Dispatcher.Requests, _ => 0);
        return MetricsSnapshot.Collect(metrics.Meter);
    }

    private static (string, string) Topic(string t) => ("topic", t);

    [Fact]
    public async Task Requests_are_counted_by_kafka_request_name_and_version_and_timed_per_name()
    {
        Broker.CreateTopic("t");
        await Broker.ProduceAsync("t", 0, BrokerHarness.Batch(2), version: 9);
        await Broker.ProduceAsync("t", 0, BrokerHarness.Batch(2), version: 9);
        await Broker.ProduceAsync("t", 0, BrokerHarness.Batch(2), version: 3);
        await Broker.SendAsync<FetchResponse>(ApiKey.Fetch, 12, BrokerHarness.Fetch("t", 0, 0));
        await Broker.SendAsync<MetadataResponse>(ApiKey.Metadata, 12, new MetadataRequest());

        var m = Collect();
        Assert.Equal(2, m.Value(Requests, ("request", "Produce"), ("version", "9")));
        Assert.Equal(1, m.Value(Requests, ("request", "Produce"), ("version", "3")));
        Assert.Equal(1, m.Value(Requests, ("request", "Fetch"), ("version", "12")));
        Assert.Equal(1, m.Value(Requests, ("request", "Metadata"), ("version", "12")));
        // Only versions and requests that were used, as Kafka makes a version's meter on its first request.
        Assert.Equal(4, m.Series(Requests).Count);
        Assert.True(m.IsCounter(Requests));
        Assert.Equal(3, m.Value("kafka_network_requestmetrics_totaltimems_count", ("request", "Produce")));
        Assert.Equal(1, m.Value("kafka_network_requestmetrics_totaltimems_count", ("request", "Fetch")));
        Assert.InRange(m.Value("kafka_network_requestmetrics_totaltimems_sum", ("request", "Produce")), double.Epsilon, 60_000);
        Assert.Null(m.Find("kafka_network_requestmetrics_totaltimems_count", ("request", "OffsetCommit")));
    }

    [Fact]
    public async Task Produce_counts_each_partition_once_and_failures_and_duplicates_add_no_records()
    {
        Broker.CreateTopic("t");
        Broker.CreateTopic("compacted", configs: new Dictionary<string, string> { ["cleanup.policy"] = "compact" });
        var batch = BrokerHarness.Batch(5);
        Assert.Equal(0, (await Broker.ProduceAsync("t", 0, batch)).ErrorCode);
        // A compacted topic refuses a record without a key: failed, nothing appended.
        Assert.Equal((short)ErrorCode.InvalidRecord, (await Broker.ProduceAsync("compacted", 0, BrokerHarness.Batch(3, keys: false))).ErrorCode);
        // A retried idempotent batch is answered from the first append and counts no records a second time.
        var idempotent = BrokerHarness.Batch(4, producerId: 7, epoch: 0, sequence: 0);
        Assert.Equal(0, (await Broker.ProduceAsync("t", 0, idempotent)).ErrorCode);
        Assert.Equal(0, (await Broker.ProduceAsync("t", 0, idempotent)).ErrorCode);
        // An unknown topic counts for all topics only: no series for a name that does not exist.
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, (await Broker.ProduceAsync("nope", 0, batch)).ErrorCode);

        var m = Collect();
        Assert.Equal(9, m.Value(MessagesIn, Topic("t")));
        Assert.Equal(batch.Length + idempotent.Length, m.Value(BytesIn, Topic("t")));
        Assert.Equal(3, m.Value(TotalProduce, Topic("t")));
        Assert.Equal(0, m.Value(FailedProduce, Topic("t")));
        Assert.Equal(0, m.Value(MessagesIn, Topic("compacted")));
        Assert.Equal(1, m.Value(TotalProduce, Topic("compacted")));
        Assert.Equal(1, m.Value(FailedProduce, Topic("compacted")));
        Assert.Null(m.Find(TotalProduce, Topic("nope")));
        Assert.Equal(9, m.Value(MessagesIn));
        Assert.Equal(5, m.Value(TotalProduce));
        Assert.Equal(1, m.Value(FailedProduce));
        Assert.Equal(Broker.Log("t").Size, m.Value(BytesIn));
    }

    [Fact]
    public async Task A_long_poll_is_counted_once_with_the_bytes_it_returned()
    {
        Broker.CreateTopic("t");
        var fetch = Broker.StartAsync<FetchResponse>(ApiKey.Fetch, 12, BrokerHarness.Fetch("t", 0, 0, maxWaitMs: 30_000));
        Assert.False(fetch.IsCompleted);
        var batch = BrokerHarness.Batch(3);
        await Broker.ProduceAsync("t", 0, batch);
        var response = await fetch.WaitAsync(BrokerHarness.Wait);
        Assert.Equal(batch.Length, response!.Responses[0].Partitions[0].Records!.Value.Length);
        // Out of range is the consumer's to handle (it resets), not a failed fetch; an unknown topic counts for all topics.
        await Broker.SendAsync<FetchResponse>(ApiKey.Fetch, 12, BrokerHarness.Fetch("t", 0, 1_000));
        await Broker.SendAsync<FetchResponse>(ApiKey.Fetch, 12, BrokerHarness.Fetch("nope", 0, 0));

        var m = Collect();
        Assert.Equal(batch.Length, m.Value(BytesOut, Topic("t")));
        Assert.Equal(batch.Length, m.Value(BytesOut));
        Assert.Equal(2, m.Value(TotalFetch, Topic("t")));
        Assert.Equal(3, m.Value(TotalFetch));
        Assert.Equal(0, m.Value(FailedFetch, Topic("t")));
        Assert.Equal(0, m.Value(FailedFetch));
        Assert.Null(m.Find(TotalFetch, Topic("nope")));
        Assert.Equal(3, m.Value(Requests, ("request", "Fetch"), ("version", "12")));
    }

    [Fact]
    public async Task Partitions_of_every_topic_report_their_log_and_only_committed_groups_their_lag()
    {
        Broker.CreateTopic("two", partitions: 2);
        await Broker.ProduceAsync("two", 1, BrokerHarness.Batch(6));
        await Broker.SendAsync<OffsetCommitResponse>(ApiKey.OffsetCommit, 8, new OffsetCommitRequest
        {
            GroupId = "g",
            GenerationIdOrMemberEpoch = -1,
            MemberId = "",
            Topics =
            [
                new OffsetCommitRequest.OffsetCommitRequestTopic
                {
                    Name = "two",
                    Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 1, CommittedOffset = 2 }],
                },
            ],
        });

        var m = Collect();
        Assert.Equal(2, m.Value("kafka_topic_partitions", ("topic", "two")));
        Assert.Equal(0, m.Value("kafka_log_log_logendoffset", ("partition", "0"), ("topic", "two")));
        Assert.Equal(6, m.Value("kafka_log_log_logendoffset", ("partition", "1"), ("topic", "two")));
        Assert.Equal(Broker.Log("two", 1).Size, m.Value("kafka_log_log_size", ("partition", "1"), ("topic", "two")));
        Assert.Equal(2, m.Value("kafka_consumergroup_current_offset", ("consumergroup", "g"), ("partition", "1"), ("topic", "two")));
        Assert.Equal(4, m.Value("kafka_consumergroup_lag", ("consumergroup", "g"), ("partition", "1"), ("topic", "two")));
        Assert.Single(m.Series("kafka_consumergroup_lag"));
        Assert.Equal(0, m.Value("kafka_server_socket_server_metrics_connection_count", ("listener", "PLAINTEXT")));
    }
}
