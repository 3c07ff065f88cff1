using KafkaConnect.Connect.Errors;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.ConfigProviders.Tests;

/// <summary>Resolved values must never reach log output or exception text.</summary>
public sealed class SecretLeakTests : IDisposable
{
    private const string Secret = "Leak-Me-Not-42";
    private readonly TempDir _dir = new();
    private readonly CapturingLogger _log = new();

    public void Dispose() => _dir.Dispose();

    private sealed class CapturingLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines)
            {
                Lines.Add(formatter(state, exception) + " " + exception);
            }
        }
    }

    [Fact]
    public void FileProviderNeverLogsOrThrowsValues()
    {
        var allowed = _dir.Dir("allowed");
        var outside = _dir.File("outside/s.properties", $"pw={Secret}");
        var broken = _dir.File("allowed/broken.properties", $"pw={Secret}\\u00");
        var good = _dir.File("allowed/good.properties", $"pw={Secret}");
        using var provider = new FileConfigProvider(_log);
        provider.Configure(new Dictionary<string, string> { ["allowed.paths"] = allowed });

        Assert.Equal(Secret, provider.Get(good).Data["pw"]);
        Assert.Empty(provider.Get(outside).Data);
        var e = Assert.Throws<ConfigException>(() => provider.Get(broken));

        Assert.DoesNotContain(Secret, e.ToString(), StringComparison.Ordinal);
        Assert.NotEmpty(_log.Lines);
        Assert.All(_log.Lines, line => Assert.DoesNotContain(Secret, line, StringComparison.Ordinal));
    }

    [Fact]
    public void ConfigDataToStringShowsKeysOnly()
    {
        var data = new Configuration.ConfigData(new Dictionary<string, string> { ["pw"] = Secret }, 5);
        Assert.Equal("ConfigData(keys=[pw], ttl=5)", data.ToString());
    }

    [Fact]
    public void TransformerErrorsNeverContainResolvedValues()
    {
        var file = _dir.File("s.properties", $"pw={Secret}");
        var dir = _dir.Dir("d");
        _dir.File("d/token", Secret);
        using var providers = WorkerConfigProviders.Create(new Dictionary<string, string>
        {
            ["config.providers"] = "file,dir",
            ["config.providers.file.class"] = "FileConfigProvider",
            ["config.providers.dir.class"] = "DirectoryConfigProvider",
        });
        var e = Assert.Throws<ConfigException>(() => providers.Transform(new Dictionary<string, string>
        {
            ["ok"] = $"${{file:{file}:pw}}",
            ["also.ok"] = $"x${{dir:{dir}:token}}",
            ["bad"] = $"${{file:{file}:missing}}-${{dir:{dir}:missing}}",
        }));
        Assert.DoesNotContain(Secret, e.ToString(), StringComparison.Ordinal);
        Assert.Contains("'dir'", e.Message, StringComparison.Ordinal);
    }
}
