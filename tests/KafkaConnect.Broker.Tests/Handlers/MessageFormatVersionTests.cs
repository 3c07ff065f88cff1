using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Tests.Handlers;

/// <summary>message.format.version is accepted by CreateTopics and AlterConfigs and dropped: batches are always stored in format v2.</summary>
public sealed class MessageFormatVersionTests : HandlerTestBase
{
    private const sbyte TopicResource = 2;

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task Alter_configs_accepts_and_drops_message_format_version(short version)
    {
        var topic = Broker.CreateTopic("fmt");
        var response = await Broker.SendAsync<AlterConfigsResponse>(ApiKey.AlterConfigs, version, new AlterConfigsRequest
        {
            Resources =
            [
                new()
                {
                    ResourceType = TopicResource,
                    ResourceName = "fmt",
                    Configs = [new() { Name = "message.format.version", Value = "0.10.0" }, new() { Name = "retention.ms", Value = "5000" }],
                },
            ],
        });

        var result = Assert.Single(response.Responses);
        Assert.True(result.ErrorCode == 0, result.ErrorMessage);
        Assert.Equal(5000, topic.LogConfig.RetentionMs);
        Assert.False(topic.Configs.ContainsKey("message.format.version"));
        await Broker.RestartAsync();
        Assert.Equal(5000, Broker.State.Topics.Get("fmt")!.LogConfig.RetentionMs);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public async Task Create_topics_accepts_and_drops_message_format_version(short version)
    {
        var response = await Broker.SendAsync<CreateTopicsResponse>(ApiKey.CreateTopics, version, new CreateTopicsRequest
        {
            Topics =
            [
                new()
                {
                    Name = "fmt-created",
                    NumPartitions = 1,
                    ReplicationFactor = 1,
                    Configs = [new() { Name = "message.format.version", Value = "0.10.0" }, new() { Name = "retention.ms", Value = "7000" }],
                },
            ],
            timeoutMs = 1000,
        });

        var result = Assert.Single(response.Topics);
        Assert.True(result.ErrorCode == 0, result.ErrorMessage);
        var topic = Broker.State.Topics.Get("fmt-created")!;
        Assert.Equal(7000, topic.LogConfig.RetentionMs);
        Assert.False(topic.Configs.ContainsKey("message.format.version"));
    }

    [Theory]
    [InlineData(0, "2.8")]
    [InlineData(1, null)]
    public async Task Incremental_alter_configs_accepts_and_drops_message_format_version(sbyte operation, string? value)
    {
        var topic = Broker.CreateTopic("fmt");
        var response = await Broker.SendAsync<IncrementalAlterConfigsResponse>(ApiKey.IncrementalAlterConfigs, 1, new IncrementalAlterConfigsRequest
        {
            Resources =
            [
                new()
                {
                    ResourceType = TopicResource,
                    ResourceName = "fmt",
                    Configs =
                    [
                        new() { Name = "message.format.version", ConfigOperation = operation, Value = value },
                        new() { Name = "segment.ms", ConfigOperation = 0, Value = "60000" },
                    ],
                },
            ],
        });

        var result = Assert.Single(response.Responses);
        Assert.True(result.ErrorCode == 0, result.ErrorMessage);
        Assert.Equal(60000, topic.LogConfig.SegmentMs);
        Assert.False(topic.Configs.ContainsKey("message.format.version"));
    }

    [Fact]
    public async Task Other_unknown_topic_settings_are_still_refused()
    {
        Broker.CreateTopic("fmt");
        var response = await Broker.SendAsync<AlterConfigsResponse>(ApiKey.AlterConfigs, 2, new AlterConfigsRequest
        {
            Resources = [new() { ResourceType = TopicResource, ResourceName = "fmt", Configs = [new() { Name = "message.format.versio", Value = "1" }] }],
        });
        Assert.Equal(ErrorCode.InvalidConfig, (ErrorCode)Assert.Single(response.Responses).ErrorCode);
    }
}
