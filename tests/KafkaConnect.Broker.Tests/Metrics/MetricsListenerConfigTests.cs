using KafkaConnect.Broker.Configuration;

namespace KafkaConnect.Broker.Tests.Metrics;

/// <summary>kconnect.metrics.listener: a known broker key, off unless set, and a bad value stops the start naming the key.</summary>
public sealed class MetricsListenerConfigTests
{
    private static BrokerConfig Create(string? listener)
    {
        var settings = new Dictionary<string, string> { ["log.dirs"] = "/tmp/unused" };
        if (listener is not null) settings[BrokerConfig.MetricsListenerConfig] = listener;
        return BrokerConfig.Create(settings);
    }

    [Fact]
    public void It_is_off_by_default_and_empty_is_off()
    {
        Assert.Null(Create(null).MetricsListener);
        Assert.Null(Create("").MetricsListener);
    }

    [Theory]
    [InlineData("http://127.0.0.1:9404")]
    [InlineData("http://0.0.0.0:9404/")]
    [InlineData("http://[::1]:9404")]
    [InlineData("http://localhost:9404")]
    public void An_http_url_of_an_address_is_taken_and_is_not_an_unknown_key(string url)
    {
        var config = Create(url);
        Assert.Equal(new Uri(url), config.MetricsListener);
        Assert.DoesNotContain(BrokerConfig.MetricsListenerConfig, config.UnknownKeys);
    }

    [Theory]
    [InlineData("127.0.0.1:9404")]
    [InlineData("https://127.0.0.1:9404")]
    [InlineData("PLAINTEXT://127.0.0.1:9404")]
    [InlineData("http://metrics.example.com:9404")]
    [InlineData("http://127.0.0.1:9404/prometheus")]
    [InlineData("nonsense")]
    public void Anything_else_is_refused_naming_the_key_and_the_value(string value)
    {
        var ex = Assert.Throws<ArgumentException>(() => Create(value));
        Assert.StartsWith("kconnect.metrics.listener: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", ex.Message, StringComparison.Ordinal);
    }
}
