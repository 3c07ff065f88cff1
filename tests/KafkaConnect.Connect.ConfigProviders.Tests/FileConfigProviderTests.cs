using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.ConfigProviders.Tests;

public sealed class FileConfigProviderTests : IDisposable
{
    private const string Secret = "s3cr3t-P@ss";
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static FileConfigProvider Configured(string? allowedPaths = null)
    {
        var provider = new FileConfigProvider();
        var configs = new Dictionary<string, string>();
        if (allowedPaths is not null)
        {
            configs["allowed.paths"] = allowedPaths;
        }
        provider.Configure(configs);
        return provider;
    }

    [Fact]
    public void ReadsAllPropertiesAndSelectedKeys()
    {
        var file = _dir.File("secrets.properties", $"db.user=admin\ndb.password={Secret}\n");
        using var provider = Configured();

        var all = provider.Get(file);
        Assert.Equal(2, all.Data.Count);
        Assert.Equal(Secret, all.Data["db.password"]);
        Assert.Null(all.Ttl);

        var some = provider.Get(file, new HashSet<string> { "db.password", "missing" });
        Assert.Equal(Secret, Assert.Single(some.Data).Value);
    }

    [Fact]
    public void EmptyPathYieldsNoData()
    {
        using var provider = Configured();
        Assert.Empty(provider.Get("").Data);
        Assert.Empty(provider.Get("", new HashSet<string> { "a" }).Data);
    }

    [Fact]
    public void MissingFileThrowsConfigExceptionNamingThePath()
    {
        using var provider = Configured();
        var path = Path.Combine(_dir.Path, "nope.properties");
        var e = Assert.Throws<ConfigException>(() => provider.Get(path, new HashSet<string> { "k" }));
        Assert.Equal($"Could not read properties from file {path}", e.Message);
    }

    [Fact]
    public void InvalidUtf8AndMalformedEscapesFailWithoutLeakingContent()
    {
        var bad = Path.Combine(_dir.Path, "bad.properties");
        File.WriteAllBytes(bad, [.. "password=hunter2"u8, 0xC3, 0x28]);
        var malformed = _dir.File("malformed.properties", "password=hunter2\\uZZZZ");
        using var provider = Configured();

        foreach (var path in new[] { bad, malformed })
        {
            var e = Assert.Throws<ConfigException>(() => provider.Get(path));
            Assert.DoesNotContain("hunter2", e.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Utf8BomIsIgnored()
    {
        var path = Path.Combine(_dir.Path, "bom.properties");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "k=v"u8]);
        using var provider = Configured();
        Assert.Equal("v", provider.Get(path).Data["k"]);
    }

    [Fact]
    public void AllowedPathsPermitFilesInsideAndDenyOthers()
    {
        var allowedDir = _dir.Dir("allowed");
        var inside = _dir.File("allowed/a.properties", $"k={Secret}");
        var outside = _dir.File("other/b.properties", $"k={Secret}");
        var sibling = _dir.File("allowed-evil/c.properties", $"k={Secret}");
        using var provider = Configured(allowedDir);

        Assert.Equal(Secret, provider.Get(inside).Data["k"]);
        Assert.Empty(provider.Get(outside).Data);
        Assert.Empty(provider.Get(sibling, new HashSet<string> { "k" }).Data);
        // ".." is folded before checking, so it cannot climb out.
        Assert.Empty(provider.Get(Path.Combine(allowedDir, "..", "other", "b.properties")).Data);
        // Relative paths never match absolute allowed paths.
        Assert.Empty(provider.Get("b.properties").Data);
        // A file can be listed directly, and several entries may be given.
        using var byFile = Configured($"{outside}, {allowedDir}");
        Assert.Equal(Secret, byFile.Get(outside).Data["k"]);
        Assert.Equal(Secret, byFile.Get(inside).Data["k"]);
        Assert.Empty(byFile.Get(sibling).Data);
    }

    [Fact]
    public void AllowedPathsMustBeAbsoluteAndExist()
    {
        var provider = new FileConfigProvider();
        var relative = Assert.Throws<ConfigException>(() => provider.Configure(new Dictionary<string, string> { ["allowed.paths"] = "relative/dir" }));
        Assert.Equal("Path relative/dir is not absolute", relative.Message);
        var missing = Path.Combine(_dir.Path, "missing");
        var e = Assert.Throws<ConfigException>(() => provider.Configure(new Dictionary<string, string> { ["allowed.paths"] = missing }));
        Assert.Equal($"Path {missing} does not exist", e.Message);
    }

    [Fact]
    public void GetBeforeConfigureThrows()
    {
        using var provider = new FileConfigProvider();
        Assert.Throws<InvalidOperationException>(() => provider.Get("/x"));
    }

    [Fact]
    public void DeclaresAllowedPathsAndDoesNotSupportSubscriptions()
    {
        using var provider = Configured();
        Assert.Contains("allowed.paths", provider.Config().Names);
        IConfigProvider asInterface = provider;
        Assert.Throws<NotSupportedException>(asInterface.UnsubscribeAll);
    }
}
