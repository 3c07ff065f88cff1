using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.ConfigProviders.Tests;

public sealed class ConfigTransformerTests
{
    /// <summary>Serves fixed data per path and records each call, to check calls are batched.</summary>
    private sealed class FakeProvider(Dictionary<string, Dictionary<string, string>> byPath, long? ttl = null) : IConfigProvider
    {
        public List<(string Path, string[] Keys)> Calls { get; } = [];

        public void Configure(IReadOnlyDictionary<string, string> configs)
        {
        }

        public ConfigData Get(string path) => new(byPath.GetValueOrDefault(path) ?? [], ttl);

        public ConfigData Get(string path, IReadOnlySet<string> keys)
        {
            Calls.Add((path, keys.Order(StringComparer.Ordinal).ToArray()));
            var data = new Dictionary<string, string>();
            foreach (var key in keys)
            {
                if (byPath.TryGetValue(path, out var values) && values.TryGetValue(key, out var value))
                {
                    data[key] = value;
                }
            }
            return new ConfigData(data, ttl);
        }

        public void Dispose()
        {
        }
    }

    private static Dictionary<string, string> Config(params (string Key, string Value)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value);

    [Fact]
    public void PatternIsApachesAndSplitsProviderPathKeyLikeIt()
    {
        Assert.Equal(@"\$\{([^}]*?):(([^}]*?):)?([^}]*?)\}", ConfigTransformer.DefaultPattern.ToString());
        Assert.Equal(
            [new ConfigReference("k", "file", "/a/b.properties", "key"), new ConfigReference("k", "env", "", "NAME"),
             new ConfigReference("k", "a", "b", "c:d"), new ConfigReference("k", "file", "", "x"), new ConfigReference("k", "", "", "y")],
            ConfigTransformer.FindReferences("k", "${file:/a/b.properties:key}-${env:NAME}${a:b:c:d}${file::x}${:y}${nocolon}"));
    }

    [Fact]
    public void ResolvesSeveralReferencesInOneValueWithOneCallPerPath()
    {
        var file = new FakeProvider(new() { ["/p"] = new() { ["user"] = "admin", ["pass"] = "pw" } });
        var env = new FakeProvider(new() { [""] = new() { ["HOST"] = "db.local" } });
        var transformer = new ConfigTransformer(new Dictionary<string, IConfigProvider> { ["file"] = file, ["env"] = env });

        var result = transformer.Transform(Config(
            ("url", "jdbc://${file:/p:user}:${file:/p:pass}@${env:HOST}/db"),
            ("user", "${file:/p:user}"),
            ("plain", "no refs here"),
            ("literal", "$ {file:/p:user} and ${file:/p:user")));

        Assert.Equal("jdbc://admin:pw@db.local/db", result.Data["url"]);
        Assert.Equal("admin", result.Data["user"]);
        Assert.Equal("no refs here", result.Data["plain"]);
        Assert.Equal("$ {file:/p:user} and ${file:/p:user", result.Data["literal"]);
        Assert.Empty(result.Unresolved);
        Assert.Empty(result.Ttls);
        var call = Assert.Single(file.Calls);
        Assert.Equal("/p", call.Path);
        Assert.Equal(["pass", "user"], call.Keys);
        Assert.Equal("", env.Calls.Single().Path);
        Assert.Equal(["HOST"], env.Calls.Single().Keys);
    }

    [Fact]
    public void UnknownProviderIsLeftUnresolvedAndNotReported()
    {
        var transformer = new ConfigTransformer(new Dictionary<string, IConfigProvider>());
        var result = transformer.Transform(Config(("k", "x-${vault:secret/db:password}-y")));
        Assert.Equal("x-${vault:secret/db:password}-y", result.Data["k"]);
        Assert.Empty(result.Unresolved);
    }

    [Fact]
    public void MissingKeyIsLeftAsWrittenAndReported()
    {
        var file = new FakeProvider(new() { ["/p"] = new() { ["a"] = "1" } });
        var transformer = new ConfigTransformer(new Dictionary<string, IConfigProvider> { ["file"] = file });
        var result = transformer.Transform(Config(("k", "${file:/p:a}/${file:/p:b}")));
        Assert.Equal("1/${file:/p:b}", result.Data["k"]);
        Assert.Equal(new ConfigReference("k", "file", "/p", "b"), Assert.Single(result.Unresolved));
    }

    [Fact]
    public void ReplacementsAreNotRescanned()
    {
        var file = new FakeProvider(new() { ["/p"] = new() { ["a"] = "${file:/p:b}", ["b"] = "B" } });
        var transformer = new ConfigTransformer(new Dictionary<string, IConfigProvider> { ["file"] = file });
        Assert.Equal("${file:/p:b}", transformer.Transform(Config(("k", "${file:/p:a}"))).Data["k"]);
    }

    [Fact]
    public void TtlsAreReportedByPath()
    {
        var vault = new FakeProvider(new() { ["secret/db"] = new() { ["pw"] = "x" } }, ttl: 60_000);
        var never = new FakeProvider(new() { ["/p"] = new() { ["a"] = "1" } }, ttl: -1);
        var transformer = new ConfigTransformer(new Dictionary<string, IConfigProvider> { ["vault"] = vault, ["file"] = never });
        var result = transformer.Transform(Config(("a", "${vault:secret/db:pw}"), ("b", "${file:/p:a}")));
        Assert.Equal(new Dictionary<string, long> { ["secret/db"] = 60_000 }, result.Ttls);
    }

    [Fact]
    public void ProviderFailureNamesProviderAndPath()
    {
        using var dir = new TempDir();
        var provider = new FileConfigProvider();
        provider.Configure(new Dictionary<string, string>());
        var transformer = new ConfigTransformer(new Dictionary<string, IConfigProvider> { ["file"] = provider });
        var missing = Path.Combine(dir.Path, "missing.properties");
        var e = Assert.Throws<ConfigException>(() => transformer.Transform(Config(("k", $"${{file:{missing}:pw}}"))));
        Assert.Contains("'file'", e.Message, StringComparison.Ordinal);
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }
}
