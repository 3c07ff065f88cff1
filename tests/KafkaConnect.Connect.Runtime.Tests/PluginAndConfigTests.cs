using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Runtime.Config;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Plugins;

namespace KafkaConnect.Connect.Runtime.Tests;

public sealed class PluginAndConfigTests
{
    [Theory]
    [InlineData("org.apache.kafka.connect.file.FileStreamSourceConnector", "FileStreamSourceConnector")]
    [InlineData("FileStreamSource", "FileStreamSourceConnector")]
    [InlineData("FileStreamSinkConnector", "FileStreamSinkConnector")]
    [InlineData("org.apache.kafka.connect.json.JsonConverter", "JsonConverter")]
    [InlineData("Json", "JsonConverter")]
    [InlineData("org.apache.kafka.connect.storage.StringConverter", "StringConverter")]
    [InlineData("org.apache.kafka.connect.converters.ByteArrayConverter", "ByteArrayConverter")]
    [InlineData("org.apache.kafka.connect.converters.IntegerConverter", "IntegerConverter")]
    [InlineData("org.apache.kafka.connect.storage.SimpleHeaderConverter", "SimpleHeaderConverter")]
    public void Registry_ResolvesJavaNamesAndAliases(string name, string simpleName)
    {
        var registry = PluginRegistry.Create();
        Assert.True(registry.TryResolve(name, out var type), name);
        Assert.Equal(simpleName, type.Name);
    }

    [Fact]
    public void Registry_ListsConnectorsWithJavaClassNames()
    {
        var registry = PluginRegistry.Create();
        Assert.Contains(registry.Plugins, p => p.ClassName == "org.apache.kafka.connect.file.FileStreamSourceConnector" && p.Kind == PluginType.Source);
        Assert.Contains(registry.Plugins, p => p.ClassName == "org.apache.kafka.connect.file.FileStreamSinkConnector" && p.Kind == PluginType.Sink);
    }

    [Fact]
    public void WorkerConfig_DefaultsAndWarnings()
    {
        var config = new WorkerConfig(new Dictionary<string, string>
        {
            ["key.converter"] = "JsonConverter",
            ["value.converter"] = "JsonConverter",
            ["offset.storage.file.filename"] = "/tmp/x",
            ["internal.value.converter"] = "JsonConverter",
            ["no.such.key"] = "1",
            ["producer.linger.ms"] = "5",
        });
        Assert.Equal(TimeSpan.FromMinutes(1), config.OffsetFlushInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), config.TaskShutdownTimeout);
        Assert.Equal(WorkerConfig.DefaultHeaderConverter, config.GetString("header.converter"));
        Assert.False(config.HasBootstrapServers);
        Assert.Equal("127.0.0.1:8083", config.WorkerId());
        Assert.Equal(2, config.Warnings.Count);
        Assert.Equal("5", config.ClientConfig("producer.")["linger.ms"]);
    }

    [Fact]
    public void StandaloneConfig_RequiresOffsetsFile()
    {
        var ex = Assert.Throws<ConfigException>(() => new WorkerConfig(new Dictionary<string, string>
        {
            ["key.converter"] = "JsonConverter",
            ["value.converter"] = "JsonConverter",
        }));
        Assert.Contains("offset.storage.file.filename", ex.Message, StringComparison.Ordinal);
    }
}
