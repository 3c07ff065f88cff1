
namespace KafkaConnect.Security.Tests;

/// <summary><c>sasl.jaas.config</c> values as users write them for Kafka's clients, and the mistakes Kafka names.</summary>
public sealed class JaasConfigTests
{
    [Fact]
    public void Plain_login_module_with_quoted_options()
    {
        var module = JaasConfig.ParseSingle(
            """org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="alice-secret";""");
        Assert.Equal("org.apache.kafka.common.security.plain.PlainLoginModule", module.ClassName);
        Assert.Equal("required", module.ControlFlag);
        Assert.Equal("alice", module.Options["username"]);
        Assert.Equal("alice-secret", module.Options["password"]);
        Assert.DoesNotContain("alice-secret", module.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Scram_and_oauth_modules_across_lines_with_comments_escapes_and_single_quotes()
    {
        var scram = JaasConfig.ParseSingle("""
            // as in a properties file continued over lines
            org.apache.kafka.common.security.scram.ScramLoginModule REQUIRED
              username='bob' /* the service account */
              password="p\"w;d\\x";
            """);
        Assert.Equal("required", scram.ControlFlag);
        Assert.Equal("bob", scram.Options["username"]);
        Assert.Equal("p\"w;d\\x", scram.Options["password"]);

        var oauth = JaasConfig.ParseSingle(
            "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub=\"alice\" unsecuredLoginLifetimeSeconds=3600 scope=kafka-connect_$x;");
        Assert.Equal("alice", oauth.Options["unsecuredLoginStringClaim_sub"]);
        Assert.Equal("3600", oauth.Options["unsecuredLoginLifetimeSeconds"]);
        Assert.Equal("kafka-connect_$x", oauth.Options["scope"]);
    }

    [Fact]
    public void A_module_without_options_and_each_control_flag()
    {
        foreach (var flag in new[] { "required", "requisite", "sufficient", "optional" })
        {
            var module = JaasConfig.ParseSingle($"com.example.Login {flag};");
            Assert.Equal(flag, module.ControlFlag);
            Assert.Empty(module.Options);
        }
    }

    [Theory]
    [InlineData("", "Login module not specified in JAAS config")]
    [InlineData("   // only a comment", "Login module not specified in JAAS config")]
    [InlineData("org.example.Login", "Login module control flag not specified in JAAS config")]
    [InlineData("org.example.Login mandatory;", "Invalid login module control flag 'mandatory' in JAAS config")]
    [InlineData("org.example.Login required username=\"a\"", "JAAS config entry not terminated by semi-colon")]
    [InlineData("org.example.Login required username;", "Value not specified for key 'username' in JAAS config")]
    [InlineData("org.example.Login required username=;", "Value not specified for key 'username' in JAAS config")]
    [InlineData("org.example.Login required password=\"never closed;", "Unterminated quoted value in JAAS config")]
    [InlineData("a.A required; b.B required;", "JAAS config property contains 2 login modules, should be 1 module")]
    public void Mistakes_are_named(string text, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => JaasConfig.ParseSingle(text));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Several_modules_parse_in_order_where_more_than_one_is_allowed()
    {
        var modules = JaasConfig.Parse("a.First required k=v; b.Second optional;");
        Assert.Equal(["a.First", "b.Second"], modules.Select(m => m.ClassName));
        Assert.Equal("v", modules[0].Options["k"]);
    }
}
