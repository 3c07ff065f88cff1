using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Sources;

namespace KafkaConnect.Connect.Files.Tests;

public sealed class ConnectorTests
{
    private static List<string> Errors(Config config, string name) =>
        [.. config.ConfigValues.Single(v => v.Name == name).ErrorMessages];

    [Fact]
    public void Source_config_declares_apache_keys()
    {
        var def = new FileStreamSourceConnector().Config();

        Assert.Equal(["file", "topic", "batch.size"], def.Names);
        Assert.Null(def.ConfigKeys["file"].DefaultValue);
        Assert.False(def.ConfigKeys["topic"].HasDefault);
        Assert.Equal(2000, def.ConfigKeys["batch.size"].DefaultValue);
        Assert.Equal(Importance.Low, def.ConfigKeys["batch.size"].Importance);
    }

    [Fact]
    public void Source_validate_accepts_a_good_configuration()
    {
        var config = new FileStreamSourceConnector().Validate(new Dictionary<string, string>
        {
            ["file"] = "/tmp/test.txt",
            ["topic"] = "connect-test",
        });

        Assert.Equal(0, config.ErrorCount);
    }

    [Fact]
    public void Source_validate_reports_missing_topic()
    {
        var config = new FileStreamSourceConnector().Validate(new Dictionary<string, string> { ["file"] = "/tmp/x" });

        Assert.NotEmpty(Errors(config, "topic"));
    }

    [Fact]
    public void Source_validate_reports_more_than_one_topic()
    {
        var config = new FileStreamSourceConnector().Validate(new Dictionary<string, string> { ["topic"] = "a,b" });

        Assert.Equal(
            ["'topic' in FileStreamSourceConnector configuration requires definition of a single topic"],
            Errors(config, "topic"));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("many")]
    public void Source_validate_reports_invalid_batch_size(string batchSize)
    {
        var config = new FileStreamSourceConnector().Validate(new Dictionary<string, string>
        {
            ["topic"] = "t",
            ["batch.size"] = batchSize,
        });

        Assert.NotEmpty(Errors(config, "batch.size"));
        Assert.Empty(Errors(config, "topic"));
    }

    [Fact]
    public void Source_start_rejects_several_topics()
    {
        var connector = new FileStreamSourceConnector();

        var error = Assert.Throws<ConfigException>(() => connector.Start(new Dictionary<string, string> { ["topic"] = "a, b" }));
        Assert.Contains("requires definition of a single topic", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Source_has_one_task_with_the_full_configuration()
    {
        var props = new Dictionary<string, string> { ["topic"] = "t", ["file"] = "f", ["name"] = "src", ["tasks.max"] = "3" };
        var connector = new FileStreamSourceConnector();
        connector.Start(props);

        var configs = connector.TaskConfigs(3);

        Assert.Same(props, Assert.Single(configs));
        Assert.Equal(typeof(FileStreamSourceTask), connector.TaskClass);
        Assert.False(string.IsNullOrEmpty(connector.Version()));
    }

    [Fact]
    public void Source_supports_exactly_once_only_for_files()
    {
        var connector = new FileStreamSourceConnector();

        Assert.Equal(ExactlyOnceSupport.Supported,
            connector.ExactlyOnceSupport(new Dictionary<string, string> { ["topic"] = "t", ["file"] = "f" }));
        Assert.Equal(ExactlyOnceSupport.Unsupported, connector.ExactlyOnceSupport(new Dictionary<string, string> { ["topic"] = "t" }));
        Assert.Equal(ExactlyOnceSupport.Unsupported,
            connector.ExactlyOnceSupport(new Dictionary<string, string> { ["topic"] = "t", ["file"] = "" }));
        Assert.Equal(ConnectorTransactionBoundaries.Unsupported,
            connector.CanDefineTransactionBoundaries(new Dictionary<string, string> { ["topic"] = "t", ["file"] = "f" }));
    }

    [Fact]
    public void Source_alter_offsets_checks_their_shape()
    {
        var connector = new FileStreamSourceConnector();
        var config = new Dictionary<string, string> { ["topic"] = "t", ["file"] = "f" };
        var partition = new Dictionary<string, object?> { ["filename"] = "f" };

        Assert.True(connector.AlterOffsets(config, Map(partition, new Dictionary<string, object?> { ["position"] = 10L })));
        Assert.True(connector.AlterOffsets(config, Map(new Dictionary<string, object?> { ["other"] = 1 }, null)));
        Assert.Throws<ConnectException>(() => connector.AlterOffsets(config, Map(partition, new Dictionary<string, object?> { ["pos"] = 1L })));
        Assert.Throws<ConnectException>(() => connector.AlterOffsets(config, Map(partition, new Dictionary<string, object?> { ["position"] = "1" })));
        Assert.Throws<ConnectException>(() => connector.AlterOffsets(config, Map(partition, new Dictionary<string, object?> { ["position"] = -1L })));
        Assert.Throws<ConnectException>(() => connector.AlterOffsets(config,
            Map(new Dictionary<string, object?> { ["file"] = "f" }, new Dictionary<string, object?> { ["position"] = 1L })));
        Assert.Throws<ConnectException>(() => connector.AlterOffsets(new Dictionary<string, string> { ["topic"] = "t" },
            Map(partition, new Dictionary<string, object?> { ["position"] = 1L })));
    }

    [Fact]
    public void Config_returns_a_copy()
    {
        var connector = new FileStreamSourceConnector();
        connector.Config().Define("extra", ConfigType.String, null, Importance.Low, "x");

        Assert.DoesNotContain("extra", connector.Config().Names);
    }

    [Fact]
    public void Sink_config_and_task_configs()
    {
        var connector = new FileStreamSinkConnector();
        var props = new Dictionary<string, string> { ["file"] = "out.txt", ["topics"] = "a,b" };
        connector.Start(props);

        Assert.Equal(["file"], connector.Config().Names);
        Assert.Null(connector.Config().ConfigKeys["file"].DefaultValue);
        Assert.Equal(0, connector.Validate(props).ErrorCount);
        var configs = connector.TaskConfigs(3);
        Assert.Equal(3, configs.Count);
        Assert.All(configs, c => Assert.Same(props, c));
        Assert.Equal(typeof(FileStreamSinkTask), connector.TaskClass);
        Assert.True(connector.AlterOffsets(props, new Dictionary<TopicPartition, long?> { [new("a", 0)] = 5 }));
    }

    private static Dictionary<IReadOnlyDictionary<string, object?>, IReadOnlyDictionary<string, object?>?> Map(
        IReadOnlyDictionary<string, object?> partition, IReadOnlyDictionary<string, object?>? offset) =>
        new() { [partition] = offset };
}
