using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.Rest.Tests;

/// <summary>Starts a real server on a free loopback port in front of a <see cref="FakeHerder"/>.</summary>
public abstract class RestTestBase : IAsyncLifetime
{
    internal FakeHerder Herder { get; } = new();

    internal LogLevelRegistry Logs { get; } = new(LogLevel.Information);

    internal ConnectRestServer Server { get; } = new();

    internal HttpClient Client { get; private set; } = null!;

    protected virtual RestServerOptions Options => new() { Listeners = ["http://127.0.0.1:0"], LogLevels = Logs };

    public async Task InitializeAsync()
    {
        await Server.StartAsync(Herder, Options);
        Client = new HttpClient { BaseAddress = Server.Addresses[0] };
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }

    internal async Task<(HttpStatusCode Status, JsonElement Json)> Send(HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }
        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return (response.StatusCode, json);
    }

    internal Task<(HttpStatusCode Status, JsonElement Json)> Get(string path) => Send(HttpMethod.Get, path);

    internal async Task CreateFileSource(string name, string extraConfig = "")
    {
        var (status, _) = await Send(HttpMethod.Post, "/connectors",
            $$$"""{"name":"{{{name}}}","config":{"connector.class":"FileStreamSource","topic":"t1","file":"/tmp/x"{{{extraConfig}}}}}""");
        Assert.Equal(HttpStatusCode.Created, status);
    }

    internal static string[] Names(JsonElement obj) => [.. obj.EnumerateObject().Select(p => p.Name)];

    internal static void AssertError(JsonElement json, int code, string? message = null)
    {
        Assert.Equal(["error_code", "message"], Names(json));
        Assert.Equal(code, json.GetProperty("error_code").GetInt32());
        if (message is not null)
        {
            Assert.Equal(message, json.GetProperty("message").GetString());
        }
    }
}
