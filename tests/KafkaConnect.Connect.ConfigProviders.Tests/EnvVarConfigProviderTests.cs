using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.ConfigProviders.Tests;

public sealed class EnvVarConfigProviderTests
{
    private static readonly string s_prefix = "KC_CFGPROV_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant() + "_";

    [Fact]
    public void ReadsRealEnvironmentVariables()
    {
        var name = s_prefix + "DB_PASSWORD";
        Environment.SetEnvironmentVariable(name, "from-env");
        try
        {
            using var provider = new EnvVarConfigProvider();
            provider.Configure(new Dictionary<string, string>());
            Assert.Equal("from-env", provider.Get("", new HashSet<string> { name }).Data[name]);
            Assert.Equal("from-env", provider.Get("").Data[name]);
            Assert.Empty(provider.Get("", new HashSet<string> { s_prefix + "UNSET" }).Data);
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void AllowlistPatternMustMatchTheWholeName()
    {
        var env = new Dictionary<string, string> { ["APP_SECRET"] = "a", ["APP_SECRET_2"] = "b", ["PATH"] = "/bin", ["XAPP_SECRET"] = "c" };
        using var provider = new EnvVarConfigProvider(env);
        provider.Configure(new Dictionary<string, string> { ["allowlist.pattern"] = "APP_SECRET|APP_.*_2" });

        var all = provider.Get("").Data;
        Assert.Equal(["APP_SECRET", "APP_SECRET_2"], all.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(provider.Get("", new HashSet<string> { "PATH", "XAPP_SECRET" }).Data);
    }

    [Fact]
    public void PathIsRejected()
    {
        using var provider = new EnvVarConfigProvider(new Dictionary<string, string> { ["A"] = "secret-value" });
        provider.Configure(new Dictionary<string, string>());
        var e = Assert.Throws<ConfigException>(() => provider.Get("/some/path", new HashSet<string> { "A" }));
        Assert.Equal("Path is not supported for EnvVarConfigProvider, invalid value '/some/path'", e.Message);
    }

    [Fact]
    public void InvalidPatternIsAConfigException()
    {
        using var provider = new EnvVarConfigProvider(new Dictionary<string, string>());
        var e = Assert.Throws<ConfigException>(() => provider.Configure(new Dictionary<string, string> { ["allowlist.pattern"] = "([" }));
        Assert.Equal("allowlist.pattern", e.ConfigName);
    }

    [Fact]
    public void GetBeforeConfigureThrows()
    {
        using var provider = new EnvVarConfigProvider(new Dictionary<string, string>());
        Assert.Throws<InvalidOperationException>(() => provider.Get(""));
    }
}
