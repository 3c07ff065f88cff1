using KafkaConnect.Client.Admin;
using KafkaConnect.Client.Consumer;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Client.Tests.Admin;

/// <summary>Retry and error paths, against a scripted broker.</summary>
public sealed class AdminRetryTests
{
    private static KafkaAdminClient NewAdmin(FakeBroker broker, int apiTimeoutMs = 10000) => new(new Dictionary<string, string>
    {
        ["bootstrap.servers"] = broker.BootstrapServers,
        ["default.api.timeout.ms"] = apiTimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["retry.backoff.ms"] = "10",
        ["retry.backoff.max.ms"] = "50",
    });

    [Fact]
    public async Task Only_partitions_with_retriable_errors_are_asked_again()
    {
        var listOffsetCalls = new List<List<int>>();
        FakeBroker? fake = null;
        fake = new FakeBroker((key, _, request) =>
        {
            switch (request)
            {
                case MetadataRequest m:
                    return fake!.Metadata(m, 1, 2);
                case ListOffsetsRequest l:
                    var asked = l.Topics.Single().Partitions.Select(p => p.PartitionIndex).Order().ToList();
                    int call;
                    lock (listOffsetCalls) { listOffsetCalls.Add(asked); call = listOffsetCalls.Count; }
                    var topic = new ListOffsetsResponse.ListOffsetsTopicResponse { Name = l.Topics.Single().Name };
                    foreach (var p in asked)
                    {
                        var moved = call == 1 && p == 1;
                        topic.Partitions.Add(new ListOffsetsResponse.ListOffsetsPartitionResponse
                        {
                            PartitionIndex = p,
                            ErrorCode = (short)(moved ? ErrorCode.NotLeaderOrFollower : ErrorCode.None),
                            Offset = moved ? -1 : 5 + p,
                            Timestamp = -1,
                        });
                    }
                    return new ListOffsetsResponse { Topics = [topic] };
                default:
                    throw new InvalidOperationException($"unexpected {key}");
            }
        }, ApiKey.Metadata, ApiKey.ListOffsets);
        await using (fake)
        {
            await using var admin = NewAdmin(fake);
            var result = await admin.ListOffsetsAsync([new TopicPartition("t", 0), new TopicPartition("t", 1)], OffsetSpec.Latest);
            Assert.Equal(5, result[new TopicPartition("t", 0)].Offset);
            Assert.Equal(6, result[new TopicPartition("t", 1)].Offset);
            Assert.Equal([[0, 1], [1]], listOffsetCalls);
        }
    }

    [Fact]
    public async Task Not_controller_refreshes_metadata_and_retries()
    {
        var createCalls = 0;
        FakeBroker? fake = null;
        fake = new FakeBroker((key, _, request) =>
        {
            switch (request)
            {
                case MetadataRequest m:
                    return fake!.Metadata(m, 1, 1);
                case CreateTopicsRequest c:
                    var first = Interlocked.Increment(ref createCalls) == 1;
                    var t = c.Topics.Single();
                    return new CreateTopicsResponse
                    {
                        Topics =
                        [
                            new CreateTopicsResponse.CreatableTopicResult
                            {
                                Name = t.Name,
                                ErrorCode = (short)(first ? ErrorCode.NotController : ErrorCode.None),
                                ErrorMessage = first ? "moved" : null,
                                NumPartitions = t.NumPartitions,
                                ReplicationFactor = t.ReplicationFactor,
                                TopicId = new Uuid(3, 4),
                            },
                        ],
                    };
                default:
                    throw new InvalidOperationException($"unexpected {key}");
            }
        }, ApiKey.Metadata, ApiKey.CreateTopics);
        await using (fake)
        {
            await using var admin = NewAdmin(fake);
            var created = Assert.Single(await admin.CreateTopicsAsync([new NewTopic("t", 2, 1)]));
            Assert.Equal(new Uuid(3, 4), created.TopicId);
            Assert.Equal(2, createCalls);
            Assert.Equal([ApiKey.Metadata, ApiKey.CreateTopics, ApiKey.Metadata, ApiKey.CreateTopics], fake.Requests);
        }
    }

    [Fact]
    public async Task Fatal_errors_carry_the_code_and_the_broker_message_and_are_not_retried()
    {
        FakeBroker? fake = null;
        fake = new FakeBroker((key, _, request) => request switch
        {
            MetadataRequest m => fake!.Metadata(m, 1, 1),
            CreateTopicsRequest c => new CreateTopicsResponse
            {
                Topics = c.Topics.Select(t => new CreateTopicsResponse.CreatableTopicResult
                {
                    Name = t.Name,
                    ErrorCode = (short)(t.Name == "bad" ? ErrorCode.PolicyViolation : ErrorCode.None),
                    ErrorMessage = t.Name == "bad" ? "names must be good" : null,
                    NumPartitions = 1,
                    ReplicationFactor = 1,
                }).ToList(),
            },
            _ => throw new InvalidOperationException($"unexpected {key}"),
        }, ApiKey.Metadata, ApiKey.CreateTopics);
        await using (fake)
        {
            await using var admin = NewAdmin(fake);
            var ex = await Assert.ThrowsAsync<KafkaException>(() => admin.CreateTopicsAsync([new NewTopic("good", 1, 1), new NewTopic("bad", 1, 1)]));
            Assert.Equal(ErrorCode.PolicyViolation, ex.Error);
            Assert.Equal("CreateTopics failed for topic 'bad': POLICY_VIOLATION - names must be good.", ex.Message);
            Assert.Single(fake.Requests, k => k == ApiKey.CreateTopics);
        }
    }

    [Fact]
    public async Task Retriable_errors_end_at_the_api_timeout_with_the_last_error()
    {
        FakeBroker? fake = null;
        fake = new FakeBroker((key, _, request) => request switch
        {
            MetadataRequest m => fake!.Metadata(m, 1, 1),
            ListOffsetsRequest l => new ListOffsetsResponse
            {
                Topics =
                [
                    new ListOffsetsResponse.ListOffsetsTopicResponse
                    {
                        Name = l.Topics.Single().Name,
                        Partitions = [new ListOffsetsResponse.ListOffsetsPartitionResponse { PartitionIndex = 0, ErrorCode = (short)ErrorCode.LeaderNotAvailable }],
                    },
                ],
            },
            _ => throw new InvalidOperationException($"unexpected {key}"),
        }, ApiKey.Metadata, ApiKey.ListOffsets);
        await using (fake)
        {
            await using var admin = NewAdmin(fake, apiTimeoutMs: 500);
            var ex = await Assert.ThrowsAsync<KafkaException>(() => admin.ListOffsetsAsync([new TopicPartition("t", 0)], OffsetSpec.Earliest));
            Assert.Equal(ErrorCode.RequestTimedOut, ex.Error);
            Assert.Contains("LEADER_NOT_AVAILABLE", ex.Message);
            Assert.True(fake.Requests.Count(k => k == ApiKey.ListOffsets) > 1);
        }
    }
}
