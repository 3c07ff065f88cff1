using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Confluent.SchemaRegistry;
using KafkaConnect.Broker;
using KafkaConnect.Broker.Configuration;

namespace KafkaConnect.SchemaRegistry.Tests;

/// <summary>An in-process broker on a free loopback port and a registry on it; restartable on the same broker.</summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    private KafkaBroker? _broker;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "kc-registry-tests-" + Guid.NewGuid().ToString("N"));

    public string BootstrapServers => _broker!.BootstrapServers;

    public SchemaRegistryServer Registry { get; private set; } = null!;

    public string Url => Registry.Url.ToString().TrimEnd('/');

    public async Task InitializeAsync()
    {
        _broker = await KafkaBroker.StartAsync(BrokerConfig.Create(new Dictionary<string, string>
        {
            ["listeners"] = "PLAINTEXT://127.0.0.1:0",
            ["log.dirs"] = DataDirectory,
            ["num.partitions"] = "1",
            // A registry's first write waits for its group's election: no initial delay, and short sessions for the failover tests.
            ["group.initial.rebalance.delay.ms"] = "0",
            ["group.min.session.timeout.ms"] = "500",
        }));
        Registry = await StartRegistryAsync();
    }

    public Task<SchemaRegistryServer> StartRegistryAsync(string topic = "_schemas", Dictionary<string, string>? extra = null)
    {
        var props = new Dictionary<string, string>
        {
            ["listeners"] = "http://127.0.0.1:0",
            ["kafkastore.bootstrap.servers"] = BootstrapServers,
            ["kafkastore.topic"] = topic,
            // One registry cluster per topic, as Confluent asks of several clusters on one Kafka.
            ["schema.registry.group.id"] = "schema-registry-" + topic,
        };
        foreach (var (k, v) in extra ?? [])
        {
            props[k] = v;
        }
        return SchemaRegistryServer.StartAsync(SchemaRegistryOptions.FromProperties(props));
    }

    public async Task RestartAsync()
    {
        await Registry.DisposeAsync();
        Registry = await StartRegistryAsync();
    }

    public CachedSchemaRegistryClient Client() => new(new SchemaRegistryConfig { Url = Url });

    public async Task DisposeAsync()
    {
        await Registry.DisposeAsync();
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

/// <summary>Plain HTTP against the registry, for status codes and bodies the Confluent client does not expose.</summary>
internal static class Http
{
    private static readonly HttpClient s_client = new();

    public static async Task<(int Status, JsonElement Body, string Text)> SendAsync(string baseUrl, HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, baseUrl + path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.schemaregistry.v1+json");
        }
        using var response = await s_client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonElement parsed = default;
        try
        {
            parsed = JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
        }
        return ((int)response.StatusCode, parsed, text);
    }

    public static string SchemaBody(string schema, string? type = null, string? references = null)
    {
        var sb = new StringBuilder("{\"schema\":").Append(JsonSerializer.Serialize(schema, StringContext.Default.String));
        if (type is not null)
        {
            sb.Append(",\"schemaType\":\"").Append(type).Append('"');
        }
        if (references is not null)
        {
            sb.Append(",\"references\":").Append(references);
        }
        return sb.Append('}').ToString();
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class StringContext : System.Text.Json.Serialization.JsonSerializerContext;
