using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.ConfigProviders.Tests;

public sealed class DirectoryConfigProviderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static DirectoryConfigProvider Configured(string? allowedPaths = null)
    {
        var provider = new DirectoryConfigProvider();
        var configs = new Dictionary<string, string>();
        if (allowedPaths is not null)
        {
            configs["allowed.paths"] = allowedPaths;
        }
        provider.Configure(configs);
        return provider;
    }

    [Fact]
    public void EachRegularFileIsAKeyWithItsContent()
    {
        var secrets = _dir.Dir("secrets");
        _dir.File("secrets/username", "admin");
        _dir.File("secrets/password", "p@ss\n");
        _dir.File("secrets/.hidden", "h");
        _dir.File("secrets/sub/nested", "ignored");
        using var provider = Configured();

        var all = provider.Get(secrets).Data;
        Assert.Equal([".hidden", "password", "username"], all.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("p@ss\n", all["password"]); // content verbatim, trailing newline included

        var some = provider.Get(secrets, new HashSet<string> { "username", "sub", "missing", "../secrets/username" }).Data;
        Assert.Equal("admin", Assert.Single(some).Value);
    }

    [Fact]
    public void FollowsSymlinksLikeKubernetesSecretVolumes()
    {
        var secrets = _dir.Dir("mount");
        var data = _dir.Dir("mount/..2024_01_01");
        _dir.File("mount/..2024_01_01/token", "tok");
        Directory.CreateSymbolicLink(Path.Combine(secrets, "..data"), data);
        File.CreateSymbolicLink(Path.Combine(secrets, "token"), Path.Combine(secrets, "..data", "token"));
        File.CreateSymbolicLink(Path.Combine(secrets, "dangling"), Path.Combine(secrets, "gone"));
        using var provider = Configured();

        var all = provider.Get(secrets).Data;
        Assert.Equal("tok", Assert.Single(all).Value);
        Assert.Equal("token", all.Keys.Single());
    }

    [Fact]
    public void NonDirectoryAndEmptyPathYieldNoData()
    {
        var file = _dir.File("plain", "x");
        using var provider = Configured();
        Assert.Empty(provider.Get(file).Data);
        Assert.Empty(provider.Get(Path.Combine(_dir.Path, "missing")).Data);
        Assert.Empty(provider.Get("").Data);
    }

    [Fact]
    public void AllowedPathsRestrictDirectories()
    {
        var allowed = _dir.Dir("allowed");
        _dir.File("allowed/k", "v");
        var nested = _dir.Dir("allowed/nested");
        _dir.File("allowed/nested/k", "n");
        var other = _dir.Dir("other");
        _dir.File("other/k", "secret");
        using var provider = Configured(allowed);

        Assert.Equal("v", provider.Get(allowed).Data["k"]);
        Assert.Equal("n", provider.Get(nested).Data["k"]);
        Assert.Empty(provider.Get(other).Data);
        Assert.Empty(provider.Get(allowed + "/../other", new HashSet<string> { "k" }).Data);
    }

    [Fact]
    public void AllowedPathsAreValidated()
    {
        var provider = new DirectoryConfigProvider();
        Assert.Throws<ConfigException>(() => provider.Configure(new Dictionary<string, string> { ["allowed.paths"] = "./x" }));
    }
}
