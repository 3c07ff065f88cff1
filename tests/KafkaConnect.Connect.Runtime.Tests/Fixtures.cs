using KafkaConnect.Broker;
using KafkaConnect.Broker.Configuration;
using KafkaConnect.Connect.Runtime.Config;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Plugins;
using KafkaConnect.Connect.Runtime.Storage;
using KafkaConnect.Connect.Runtime.Worker;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaConnect.Connect.Runtime.Tests;

/// <summary>An in-process broker on a free loopback port with a temporary data directory.</summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    private KafkaBroker? _broker;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "kc-runtime-tests-" + Guid.NewGuid().ToString("N"));

    public string BootstrapServers => _broker!.BootstrapServers;

    public async Task InitializeAsync()
    {
        _broker = await KafkaBroker.StartAsync(BrokerConfig.Create(new Dictionary<string, string>
        {
            ["listeners"] = "PLAINTEXT://127.0.0.1:0",
            ["log.dirs"] = DataDirectory,
            ["group.initial.rebalance.delay.ms"] = "0",
            ["num.partitions"] = "1",
        }));
    }

    public async Task DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class Harness
{
    public static StandaloneHerder NewHerder(string bootstrap, string offsetsFile, Dictionary<string, string>? extra = null,
        Microsoft.Extensions.Logging.ILoggerFactory? loggers = null)
    {
        loggers ??= NullLoggerFactory.Instance;
        var props = new Dictionary<string, string>
        {
            ["bootstrap.servers"] = bootstrap,
            ["key.converter"] = "org.apache.kafka.connect.json.JsonConverter",
            ["value.converter"] = "org.apache.kafka.connect.json.JsonConverter",
            ["key.converter.schemas.enable"] = "true",
            ["value.converter.schemas.enable"] = "true",
            ["offset.storage.file.filename"] = offsetsFile,
            ["offset.flush.interval.ms"] = "500",
        };
        foreach (var (k, v) in extra ?? [])
        {
            props[k] = v;
        }
        var config = new WorkerConfig(props);
        var plugins = PluginRegistry.Create(extra: [typeof(Harness).Assembly]);
        var worker = new Worker.Worker(config, plugins, new FileOffsetBackingStore(offsetsFile), new StatusStore(config.WorkerId()), loggers);
        var herder = new StandaloneHerder(worker, "test-cluster", loggers);
        herder.Start();
        return herder;
    }

    public static async Task WaitUntilAsync(Func<bool> condition, int timeoutMs = 20000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException("condition not met in time");
            }
            await Task.Delay(50);
        }
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, int timeoutMs = 20000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!await condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException("condition not met in time");
            }
            await Task.Delay(50);
        }
    }
}
