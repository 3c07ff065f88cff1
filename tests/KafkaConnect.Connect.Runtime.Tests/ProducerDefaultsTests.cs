using KafkaConnect.Connect.Runtime.Worker;

namespace KafkaConnect.Connect.Runtime.Tests;

public sealed class ProducerDefaultsTests
{
    private static Dictionary<string, string> Props(params (string Key, string Value)[] entries)
    {
        var props = new Dictionary<string, string>(StringComparer.Ordinal) { ["acks"] = "all" };
        foreach (var (k, v) in entries)
        {
            props[k] = v;
        }
        return props;
    }

    [Fact]
    public void Idempotent_producer_gets_five_in_flight()
    {
        Assert.Equal("5", Worker.Worker.DefaultMaxInFlight(Props()));
        Assert.Equal("5", Worker.Worker.DefaultMaxInFlight(Props(("acks", "-1"), ("enable.idempotence", "true"))));
    }

    [Theory]
    [InlineData("enable.idempotence", "false")]
    [InlineData("enable.idempotence", " FALSE ")]
    [InlineData("acks", "1")]
    [InlineData("acks", "0")]
    [InlineData("retries", "0")]
    public void Non_idempotent_producer_keeps_apaches_one_in_flight(string key, string value)
    {
        Assert.Equal("1", Worker.Worker.DefaultMaxInFlight(Props((key, value))));
    }
}
