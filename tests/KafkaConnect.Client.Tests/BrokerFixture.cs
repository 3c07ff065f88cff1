using KafkaConnect.Broker;
using KafkaConnect.Broker.Configuration;

namespace KafkaConnect.Client.Tests;

/// <summary>An in-process broker on a free loopback port with a temporary data directory.</summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    private KafkaBroker? _broker;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "kc-client-tests-" + Guid.NewGuid().ToString("N"));
    public KafkaBroker Broker => _broker ?? throw new InvalidOperationException("not started");
    public string BootstrapServers => Broker.BootstrapServers;

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
        if (_broker is not null) await _broker.DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }
}
