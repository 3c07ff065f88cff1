using KafkaConnect.Client.Config;
using KafkaConnect.Client.Producer;

namespace KafkaConnect.Client.Tests.Producer;

public sealed class ProducerConfigTests
{
    private static Dictionary<string, string> Base(params (string, string)[] more) => ProducerTestSupport.Config("127.0.0.1:9", more);

    private static ConfigException Fails(params (string, string)[] more)
        => Assert.Throws<ConfigException>(() => ProducerOptions.Parse(Base(more)));

    [Fact]
    public void Defaults_follow_Kafka()
    {
        var o = ProducerOptions.Parse(Base());
        Assert.Equal(-1, o.Acks);
        Assert.Equal(5, o.LingerMs);
        Assert.Equal(16384, o.BatchSize);
        Assert.Equal(33554432, o.BufferMemory);
        Assert.Equal(60000, o.MaxBlockMs);
        Assert.True(o.Idempotent);
        Assert.Equal(5, o.MaxInFlight);
        Assert.Equal(120000, o.DeliveryTimeoutMs);
        Assert.Equal(int.MaxValue, o.Retries);
        Assert.Equal(1048576, o.MaxRequestSize);
    }

    [Theory]
    [InlineData("acks", "2")]
    [InlineData("linger.ms", "soon")]
    [InlineData("batch.size", "-1")]
    [InlineData("compression.type", "brotli")]
    [InlineData("enable.idempotence", "maybe")]
    [InlineData("no.such.setting", "1")]
    [InlineData("partitioner.class", "com.example.MyPartitioner")]
    [InlineData("value.serializer", "org.apache.kafka.common.serialization.StringSerializer")]
    public void Invalid_values_name_the_key(string key, string value)
    {
        Assert.Equal(key, Fails((key, value)).Key);
    }

    [Fact]
    public void Transactional_id_is_refused_clearly()
    {
        var ex = Fails(("transactional.id", "tx-1"));
        Assert.Equal("transactional.id", ex.Key);
        Assert.Contains("not supported", ex.Message);
    }

    [Fact]
    public void Max_in_flight_above_5_with_idempotence_is_an_error()
    {
        var ex = Fails(("enable.idempotence", "true"), ("max.in.flight.requests.per.connection", "6"));
        Assert.Equal("max.in.flight.requests.per.connection", ex.Key);
        Assert.Equal("acks", Fails(("enable.idempotence", "true"), ("acks", "1")).Key);
    }

    [Fact]
    public void Conflicts_switch_off_default_idempotence()
    {
        Assert.False(ProducerOptions.Parse(Base(("max.in.flight.requests.per.connection", "6"))).Idempotent);
        Assert.False(ProducerOptions.Parse(Base(("acks", "0"))).Idempotent);
        Assert.False(ProducerOptions.Parse(Base(("acks", "1"))).Idempotent);
    }

    [Fact]
    public void Delivery_timeout_must_cover_linger_and_request_timeout()
    {
        Assert.Equal("delivery.timeout.ms", Fails(("delivery.timeout.ms", "1000"), ("request.timeout.ms", "30000")).Key);
        // Not set explicitly: raised to the minimum, as Kafka does.
        Assert.Equal(200005, ProducerOptions.Parse(Base(("request.timeout.ms", "200000"))).DeliveryTimeoutMs);
    }

    [Fact]
    public void Kafka_partitioner_class_names_are_accepted()
    {
        Assert.Equal(PartitionerKind.Default, ProducerOptions.Parse(Base(("partitioner.class", "org.apache.kafka.clients.producer.internals.DefaultPartitioner"))).Partitioner);
        Assert.Equal(PartitionerKind.RoundRobin, ProducerOptions.Parse(Base(("partitioner.class", "org.apache.kafka.clients.producer.RoundRobinPartitioner"))).Partitioner);
    }

    [Fact]
    public void Constructor_throws_config_exception()
    {
        var ex = Assert.Throws<ConfigException>(() => new KafkaProducer(Base(("transactional.id", "x"))));
        Assert.Equal("transactional.id", ex.Key);
    }

    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("abc", 479470107)]
    [InlineData("", 275646681)]
    public void Murmur2_matches_Kafka(string key, int expected)
    {
        Assert.Equal(expected, Murmur2Partitioner.Murmur2(System.Text.Encoding.UTF8.GetBytes(key)));
    }
}
