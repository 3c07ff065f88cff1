using System.Net;
using System.Net.Sockets;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.SchemaRegistry.Tests;

public sealed class WireFormatAndConfigTests
{
    [Fact]
    public void Header_is_magic_zero_and_a_big_endian_id()
    {
        var buffer = new byte[WireFormat.HeaderSize];
        WireFormat.WriteHeader(buffer, 0x01020304);
        Assert.Equal(new byte[] { 0, 1, 2, 3, 4 }, buffer);
        Assert.True(WireFormat.TryReadHeader(buffer, out var id));
        Assert.Equal(0x01020304, id);
        Assert.Equal(0x01020304, WireFormat.ReadHeader(buffer, "t"));
    }

    [Fact]
    public void Data_without_the_header_is_refused_with_confluents_words()
    {
        Assert.False(WireFormat.TryReadHeader([1, 0, 0, 0, 1], out _));
        Assert.False(WireFormat.TryReadHeader([0, 0, 0], out _));
        var wrongMagic = Assert.Throws<DataException>(() => WireFormat.ReadHeader("{\"f1\":1}"u8, "orders"));
        Assert.Contains("Unknown magic byte!", wrongMagic.Message, StringComparison.Ordinal);
        Assert.Contains("orders", wrongMagic.Message, StringComparison.Ordinal);
        var tooShort = Assert.Throws<DataException>(() => WireFormat.ReadHeader([0, 0], "orders"));
        Assert.Contains("2 bytes", tooShort.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("io.confluent.kafka.serializers.subject.TopicNameStrategy", false, "orders-value")]
    [InlineData("io.confluent.kafka.serializers.subject.TopicNameStrategy", true, "orders-key")]
    [InlineData("io.confluent.kafka.serializers.subject.RecordNameStrategy", false, "com.example.Order")]
    [InlineData("io.confluent.kafka.serializers.subject.TopicRecordNameStrategy", true, "orders-com.example.Order")]
    [InlineData("TopicRecordNameStrategy", false, "orders-com.example.Order")]
    public void Subject_names_follow_the_strategy(string className, bool isKey, string expected)
    {
        Assert.True(SubjectNameStrategies.TryParse(className, out var strategy));
        Assert.Equal(expected, strategy.SubjectFor("orders", isKey, "com.example.Order"));
    }

    [Fact]
    public void Record_strategies_need_a_named_schema()
    {
        var e = Assert.Throws<DataException>(() => SubjectNameStrategy.Record.SubjectFor("orders", false, null));
        Assert.Contains("TopicNameStrategy", e.Message, StringComparison.Ordinal);
        Assert.False(SubjectNameStrategies.TryParse("com.example.MyStrategy", out _));
    }

    private static RegistryConverterConfig Config(params (string Key, string Value)[] settings) =>
        new(RegistryConverterConfig.AddTo(new ConfigDef()), settings.ToDictionary(s => s.Key, s => s.Value));

    // In this class, whose tests run one at a time: the fallback is process-wide, and other tests here expect no URL to fail.
    [Fact]
    public void Without_a_url_the_fallback_a_standalone_worker_sets_is_asked_once_per_config_and_a_given_url_wins()
    {
        var asked = 0;
        RegistryConverterConfig.FallbackUrl = () => { asked++; return "http://127.0.0.1:18081"; };
        try
        {
            Assert.Equal([new Uri("http://127.0.0.1:18081")], Config().Urls);
            Assert.Equal(1, asked);
            Assert.Equal([new Uri("http://127.0.0.1:8081")], Config(("schema.registry.url", "http://127.0.0.1:8081")).Urls);
            Assert.Equal(1, asked);
        }
        finally
        {
            RegistryConverterConfig.FallbackUrl = null;
        }
        var e = Assert.Throws<ConfigException>(() => Config());
        Assert.Contains("schema.registry.url", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_are_confluents()
    {
        var config = Config(("schema.registry.url", "http://127.0.0.1:8081, http://127.0.0.2:8081"));
        Assert.Equal(2, config.Urls.Count);
        Assert.True(config.AutoRegisterSchemas);
        Assert.False(config.UseLatestVersion);
        Assert.True(config.LatestCompatibilityStrict);
        Assert.Equal(SubjectNameStrategy.Topic, config.SubjectNameStrategyFor(isKey: true));
        Assert.Equal(SubjectNameStrategy.Topic, config.SubjectNameStrategyFor(isKey: false));
        Assert.Null(config.LatestCacheTtl);
        Assert.Equal(1000, config.MaxSchemasPerSubject);
        Assert.Equal(BasicAuthSource.Url, config.AuthSource);
    }

    [Theory]
    [InlineData(null, null, "schema.registry.url")]
    [InlineData("localhost:8081", null, "schema.registry.url")]
    [InlineData("http://127.0.0.1:8081", "com.example.Mine", "value.subject.name.strategy")]
    public void Bad_settings_name_the_key(string? url, string? strategy, string key)
    {
        var settings = new List<(string, string)>();
        if (url is not null) settings.Add(("schema.registry.url", url));
        if (strategy is not null) settings.Add(("value.subject.name.strategy", strategy));
        var e = Assert.Throws<ConfigException>(() => Config([.. settings]));
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void User_info_source_needs_user_and_password()
    {
        var e = Assert.Throws<ConfigException>(() => Config(("schema.registry.url", "http://127.0.0.1:8081"),
            ("basic.auth.credentials.source", "USER_INFO"), ("basic.auth.user.info", "nopassword")));
        Assert.Contains("basic.auth.user.info", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("nopassword", e.Message, StringComparison.Ordinal);
        var ok = Config(("schema.registry.url", "http://127.0.0.1:8081"), ("basic.auth.credentials.source", "USER_INFO"),
            ("schema.registry.basic.auth.user.info", "fred:secret"));
        Assert.Equal("fred:secret", ok.UserInfo);
    }

    [Fact]
    public void A_registry_nobody_answers_at_is_a_retriable_error_after_the_retries()
    {
        // A port that was just free: connections are refused at once.
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var config = Config(("schema.registry.url", $"http://127.0.0.1:{port}"), ("max.retries", "2"), ("retries.wait.ms", "1"));
        using var client = config.CreateClient();
        var e = Assert.Throws<RetriableException>(() => client.GetById(1));
        Assert.Contains($"127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
        Assert.Contains("3 attempt(s)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Retries_while_the_registry_is_down_do_not_use_up_the_schemas_per_subject()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var config = Config(("schema.registry.url", $"http://127.0.0.1:{port}"), ("max.retries", "0"), ("max.schemas.per.subject", "1"));
        using var client = config.CreateClient();
        var schema = new RegistrySchema("\"string\"");
        // The worker retries a failed conversion: every attempt must stay a retriable error, never "too many schemas".
        for (var attempt = 0; attempt < 3; attempt++)
        {
            Assert.Throws<RetriableException>(() => client.Register("orders-value", schema));
        }
    }
}
