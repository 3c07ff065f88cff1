using KafkaConnect.Broker.Configuration;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Tests.Handlers;

/// <summary>The broker's fetch.max.bytes caps every fetch response, whatever the request asks for.</summary>
public sealed class FetchMaxBytesTests : HandlerTestBase
{
    private const string Topic = "capped";

    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string> { ["fetch.max.bytes"] = "1024" };

    private static FetchResponse.PartitionData Only(FetchResponse response) => Assert.Single(Assert.Single(response.Responses).Partitions);

    [Fact]
    public void Defaults_to_kafkas_55_mib_and_refuses_less_than_1024()
    {
        var settings = new Dictionary<string, string> { ["log.dirs"] = "/tmp/unused" };
        Assert.Equal(57_671_680, BrokerConfig.Create(settings).FetchMaxBytes);
        settings["fetch.max.bytes"] = "1023";
        Assert.ThrowsAny<ArgumentException>(() => BrokerConfig.Create(settings));
    }

    [Fact]
    public async Task A_response_holds_no_more_than_the_cap_even_when_the_request_allows_more()
    {
        Broker.CreateTopic(Topic);
        var batch = BrokerHarness.Batch(1, valueSize: 400);
        Assert.True(2 * batch.Length <= 1024 && 3 * batch.Length > 1024, $"batch of {batch.Length} bytes does not suit the test");
        for (var i = 0; i < 3; i++) await Broker.ProduceAsync(Topic, 0, (byte[])batch.Clone());

        var response = await Broker.SendAsync<FetchResponse>(ApiKey.Fetch, 12, BrokerHarness.Fetch(Topic, 0, 0, maxBytes: int.MaxValue));

        var p = Only(response);
        Assert.Equal(ErrorCode.None, (ErrorCode)p.ErrorCode);
        Assert.Equal(2 * batch.Length, p.Records?.Length);
    }

    [Fact]
    public async Task A_batch_larger_than_the_cap_is_still_returned_and_min_bytes_is_capped_too()
    {
        Broker.CreateTopic(Topic);
        var big = BrokerHarness.Batch(1, valueSize: 2000);
        await Broker.ProduceAsync(Topic, 0, (byte[])big.Clone());

        // min.bytes above the cap could never be met; the manual clock never ends max.wait.ms, so only the cap answers.
        var response = await Broker.SendAsync<FetchResponse>(ApiKey.Fetch, 12,
            BrokerHarness.Fetch(Topic, 0, 0, maxWaitMs: 60_000, minBytes: 1_000_000, maxBytes: int.MaxValue));

        var p = Only(response);
        Assert.Equal(ErrorCode.None, (ErrorCode)p.ErrorCode);
        Assert.Equal(big.Length, p.Records?.Length);
    }
}
