using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.ConfigProviders.Tests;

public sealed class WorkerConfigProvidersTests : IDisposable
{
    private const string Secret = "Sup3r-S3cret-Value";
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private sealed class CountingProvider : IConfigProvider
    {
        public static int Disposed;

        public IReadOnlyDictionary<string, string>? Configs { get; private set; }

        public void Configure(IReadOnlyDictionary<string, string> configs)
        {
            Configs = configs;
            if (configs.ContainsKey("fail"))
            {
                throw new ConfigException("fail", configs["fail"], "rejected");
            }
        }

        public ConfigData Get(string path) => ConfigData.Empty;

        public ConfigData Get(string path, IReadOnlySet<string> keys) => ConfigData.Empty;

        public void Dispose() => Interlocked.Increment(ref Disposed);
    }

    [Fact]
    public void BuildsProvidersFromWorkerPropertiesAndResolvesConnectorConfig()
    {
        var secrets = _dir.Dir("secrets");
        var file = _dir.File("secrets/db.properties", $"password={Secret}\nuser=admin\n");
        _dir.File("secrets/dir/token", "tok");
        var envName = "KC_CFGPROV_WORKER_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(envName, "envval");
        try
        {
            using var providers = WorkerConfigProviders.Create(new Dictionary<string, string>
            {
                ["config.providers"] = " file , dir,env",
                ["config.providers.file.class"] = "org.apache.kafka.common.config.provider.FileConfigProvider",
                ["config.providers.file.param.allowed.paths"] = secrets,
                ["config.providers.dir.class"] = "DirectoryConfigProvider",
                ["config.providers.env.class"] = typeof(EnvVarConfigProvider).FullName!,
                ["config.providers.env.param.allowlist.pattern"] = "KC_CFGPROV_.*",
            });

            Assert.Equal(["dir", "env", "file"], providers.Providers.Keys.Order(StringComparer.Ordinal));
            Assert.IsType<FileConfigProvider>(providers.Providers["file"]);

            var connectorConfig = new Dictionary<string, string>
            {
                ["connection.password"] = $"${{file:{file}:password}}",
                ["connection.url"] = $"jdbc://${{file:{file}:user}}@${{env:{envName}}}/${{dir:{secrets}/dir:token}}",
                ["topics"] = "orders",
                ["other"] = "${vault:kv/x:y}",
            };
            var resolved = providers.Transform(connectorConfig);
            Assert.Equal(Secret, resolved["connection.password"]);
            Assert.Equal("jdbc://admin@envval/tok", resolved["connection.url"]);
            Assert.Equal("orders", resolved["topics"]);
            Assert.Equal("${vault:kv/x:y}", resolved["other"]);

            Assert.True(WorkerConfigProviders.IsReference(connectorConfig["connection.password"]));
            Assert.True(WorkerConfigProviders.IsReference("prefix ${env:X} suffix"));
            Assert.False(WorkerConfigProviders.IsReference("orders"));
            Assert.False(WorkerConfigProviders.IsReference("${nocolon}"));
            Assert.False(WorkerConfigProviders.IsReference(null));
        }
        finally
        {
            Environment.SetEnvironmentVariable(envName, null);
        }
    }

    [Fact]
    public void NoProvidersMeansNothingIsResolved()
    {
        using var providers = WorkerConfigProviders.Create(new Dictionary<string, string> { ["group.id"] = "g" });
        Assert.Empty(providers.Providers);
        var config = new Dictionary<string, string> { ["k"] = "${file:/x:y}" };
        Assert.Equal("${file:/x:y}", providers.Transform(config)["k"]);
    }

    [Fact]
    public void ListedProviderWithoutClassIsSkipped()
    {
        using var providers = WorkerConfigProviders.Create(new Dictionary<string, string> { ["config.providers"] = "file" });
        Assert.Empty(providers.Providers);
        Assert.Equal("${file:/x:y}", providers.Transform(new Dictionary<string, string> { ["k"] = "${file:/x:y}" })["k"]);
    }

    [Fact]
    public void UnknownClassIsAConfigExceptionListingAvailableProviders()
    {
        var e = Assert.Throws<ConfigException>(() => WorkerConfigProviders.Create(new Dictionary<string, string>
        {
            ["config.providers"] = "vault",
            ["config.providers.vault.class"] = "com.example.VaultConfigProvider",
        }));
        Assert.Equal("config.providers.vault.class", e.ConfigName);
        Assert.Contains("org.apache.kafka.common.config.provider.FileConfigProvider", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CustomProvidersResolveThroughTheClassResolverAndGetTheirParams()
    {
        var props = new Dictionary<string, string>
        {
            ["config.providers"] = "custom",
            ["config.providers.custom.class"] = "custom-name",
            ["config.providers.custom.param.a"] = "1",
            ["config.providers.custom.param.b.c"] = "2",
            ["config.providers.customx.param.z"] = "no",
        };
        using var providers = WorkerConfigProviders.Create(props, name => name == "custom-name" ? typeof(CountingProvider) : null);
        var custom = Assert.IsType<CountingProvider>(providers.Providers["custom"]);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b.c"] = "2" }, custom.Configs);

        // A resolved type that is not a provider is rejected.
        Assert.Throws<ConfigException>(() => WorkerConfigProviders.Create(props, _ => typeof(string)));
    }

    [Fact]
    public void FailingConfigureDisposesProvidersCreatedSoFar()
    {
        var before = Volatile.Read(ref CountingProvider.Disposed);
        Assert.Throws<ConfigException>(() => WorkerConfigProviders.Create(new Dictionary<string, string>
        {
            ["config.providers"] = "ok,bad",
            ["config.providers.ok.class"] = "c",
            ["config.providers.bad.class"] = "c",
            ["config.providers.bad.param.fail"] = "x",
        }, _ => typeof(CountingProvider)));
        Assert.Equal(before + 2, Volatile.Read(ref CountingProvider.Disposed));
    }

    [Fact]
    public void MissingKeyOrDeniedPathIsAConfigExceptionWithoutTheSecret()
    {
        var allowed = _dir.Dir("allowed");
        var file = _dir.File("allowed/db.properties", $"password={Secret}\n");
        var outside = _dir.File("outside/db.properties", $"password={Secret}\n");
        using var providers = WorkerConfigProviders.Create(new Dictionary<string, string>
        {
            ["config.providers"] = "file",
            ["config.providers.file.class"] = "FileConfigProvider",
            ["config.providers.file.param.allowed.paths"] = allowed,
        });

        var missingKey = Assert.Throws<ConfigException>(() => providers.Transform(new Dictionary<string, string>
        {
            ["a"] = $"${{file:{file}:password}}",
            ["b"] = $"${{file:{file}:passwd}}",
        }));
        Assert.Contains("'b'", missingKey.Message, StringComparison.Ordinal);
        Assert.Contains("'file'", missingKey.Message, StringComparison.Ordinal);
        Assert.Contains(file, missingKey.Message, StringComparison.Ordinal);
        Assert.Contains("'passwd'", missingKey.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, missingKey.ToString(), StringComparison.Ordinal);

        var denied = Assert.Throws<ConfigException>(() => providers.Transform(new Dictionary<string, string> { ["a"] = $"${{file:{outside}:password}}" }));
        Assert.Contains(outside, denied.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, denied.ToString(), StringComparison.Ordinal);

        var missingFile = Path.Combine(allowed, "nope.properties");
        var unreadable = Assert.Throws<ConfigException>(() => providers.Transform(new Dictionary<string, string> { ["a"] = $"${{file:{missingFile}:password}}" }));
        Assert.Contains(missingFile, unreadable.Message, StringComparison.Ordinal);

        // Apache's lenient behaviour is available: the reference stays as written and is reported.
        var lenient = providers.TransformWithTtls(new Dictionary<string, string> { ["b"] = $"${{file:{file}:passwd}}" }, failOnUnresolved: false);
        Assert.Equal($"${{file:{file}:passwd}}", lenient.Data["b"]);
        Assert.Single(lenient.Unresolved);
    }

    [Fact]
    public void DisposeDisposesProvidersOnceAndBlocksUse()
    {
        var before = Volatile.Read(ref CountingProvider.Disposed);
        var providers = WorkerConfigProviders.Create(new Dictionary<string, string>
        {
            ["config.providers"] = "x",
            ["config.providers.x.class"] = "c",
        }, _ => typeof(CountingProvider));
        providers.Dispose();
        providers.Dispose();
        Assert.Equal(before + 1, Volatile.Read(ref CountingProvider.Disposed));
        Assert.Throws<ObjectDisposedException>(() => providers.Transform(new Dictionary<string, string>()));
    }
}

public sealed class WorkerPropertiesResolutionTests
{
    [Fact]
    public void WorkerPropertiesResolveTheirOwnReferencesLeniently()
    {
        using var dir = new TempDir();
        var file = dir.File("worker.properties", "jaas=org.example.Login required;\n");
        var props = new Dictionary<string, string>
        {
            ["config.providers"] = "file",
            ["config.providers.file.class"] = "FileConfigProvider",
            ["producer.sasl.jaas.config"] = $"${{file:{file}:jaas}}",
            ["unknown"] = $"${{file:{file}:nope}}",
        };
        var resolved = WorkerConfigProviders.ResolveWorkerProperties(props);
        Assert.Equal("org.example.Login required;", resolved["producer.sasl.jaas.config"]);
        Assert.Equal(props["unknown"], resolved["unknown"]);
        Assert.Equal("FileConfigProvider", resolved["config.providers.file.class"]);

        var none = new Dictionary<string, string> { ["a"] = "${file:/x:y}" };
        Assert.Same(none, WorkerConfigProviders.ResolveWorkerProperties(none));
    }
}
