using System.Diagnostics;
using System.Net;

namespace KafkaConnect.Connect.Rest.Tests;

public sealed class PluginsEndpointTests : RestTestBase
{
    [Fact]
    public async Task ListPlugins_ConnectorsOnlyByDefault()
    {
        var (status, json) = await Get("/connector-plugins");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, json.GetArrayLength());
        Assert.Equal(["class", "type", "version"], Names(json[0]));
        Assert.Equal("sink", json[0].GetProperty("type").GetString());

        var (_, all) = await Get("/connector-plugins?connectorsOnly=false");
        var types = all.EnumerateArray().Select(p => p.GetProperty("type").GetString()!).ToArray();
        Assert.Equal(["sink", "source", "converter", "header_converter", "transformation", "predicate"], types);
        Assert.False(all[5].TryGetProperty("version", out _)); // "undefined" is left out
    }

    [Fact]
    public async Task PluginConfig_Shape()
    {
        var (status, json) = await Get("/connector-plugins/FileStreamSourceConnector/config");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["name", "type", "required", "default_value", "importance", "documentation", "group", "width", "display_name", "dependents", "order"], Names(json[0]));
        Assert.Equal(1, json[0].GetProperty("order").GetInt32());
        var (missing, error) = await Get("/connector-plugins/Nope/config");
        Assert.Equal(HttpStatusCode.NotFound, missing);
        AssertError(error, 404);
    }

    [Fact]
    public async Task Validate_ReportsErrorsAndMasksPasswords()
    {
        var (status, json) = await Send(HttpMethod.Put, "/connector-plugins/FileStreamSourceConnector/config/validate",
            """{"connector.class":"org.apache.kafka.connect.file.FileStreamSourceConnector","db.password":"hunter2"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["name", "error_count", "groups", "configs"], Names(json));
        Assert.Equal(1, json.GetProperty("error_count").GetInt32());
        var topic = json.GetProperty("configs")[0];
        Assert.Equal(["definition", "value"], Names(topic));
        Assert.Equal(["name", "value", "recommended_values", "errors", "visible"], Names(topic.GetProperty("value")));
        Assert.Single(topic.GetProperty("value").GetProperty("errors").EnumerateArray());
        Assert.Equal("[hidden]", json.GetProperty("configs")[1].GetProperty("value").GetProperty("value").GetString());

        var (mismatch, error) = await Send(HttpMethod.Put, "/connector-plugins/FileStreamSinkConnector/config/validate",
            """{"connector.class":"FileStreamSourceConnector"}""");
        Assert.Equal(HttpStatusCode.BadRequest, mismatch);
        AssertError(error, 400, "Included connector type FileStreamSourceConnector does not match request type FileStreamSinkConnector");

        var (malformed, _) = await Send(HttpMethod.Put, "/connector-plugins/FileStreamSinkConnector/config/validate", "{");
        Assert.Equal(HttpStatusCode.BadRequest, malformed);
    }
}

public sealed class ReadinessTests : RestTestBase
{
    [Fact]
    public async Task NotReady_EveryRequestButRootIs503Json_HealthSaysStarting()
    {
        Herder.IsReady = false;
        foreach (var path in new[] { "/connectors", "/connector-plugins", "/nothing" })
        {
            var (status, json) = await Get(path);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            AssertError(json, 503);
        }
        // As Apache's RootResource: the server info needs only the Kafka cluster id, not the internal topics.
        var (rootStatus, root) = await Get("/");
        Assert.Equal(HttpStatusCode.OK, rootStatus);
        Assert.Equal(Herder.ServerInfo.KafkaClusterId, root.GetProperty("kafka_cluster_id").GetString());
        var (healthStatus, health) = await Get("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, healthStatus);
        Assert.Equal("starting", health.GetProperty("status").GetString());

        Herder.IsReady = true;
        Assert.Equal(HttpStatusCode.OK, (await Get("/connectors")).Status);
    }
}

public sealed class EarlyListenTests
{
    [Fact]
    public async Task BeforeTheHerderExists_RootWaitsForIt_HealthSaysStarting_OthersAre503()
    {
        var herder = new TaskCompletionSource<KafkaConnect.Connect.Runtime.Herder.IHerder>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new ConnectRestServer();
        await server.StartAsync(herder.Task, new RestServerOptions { Listeners = ["http://127.0.0.1:0"] });
        using var client = new HttpClient { BaseAddress = server.Addresses[0] };

        using (var health = await client.GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Contains("\"starting\"", await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var connectors = await client.GetAsync("/connectors"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, connectors.StatusCode);
            Assert.Contains("still starting up", await connectors.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        var root = client.GetAsync("/");
        await Task.Delay(100);
        Assert.False(root.IsCompleted, "GET / answered before the worker knew its Kafka cluster");
        var fake = new FakeHerder { IsReady = false };
        herder.SetResult(fake);
        using var rootResponse = await root;
        Assert.Equal(HttpStatusCode.OK, rootResponse.StatusCode);
        Assert.Contains(fake.ServerInfo.KafkaClusterId!, await rootResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        fake.IsReady = true;
        using var ready = await client.GetAsync("/connectors");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task ListenerInUse_IsAnIOExceptionNamingTheAddress()
    {
        await using var first = new ConnectRestServer();
        await first.StartAsync(new FakeHerder(), new RestServerOptions { Listeners = ["http://127.0.0.1:0"] });
        var taken = first.Addresses[0];
        await using var second = new ConnectRestServer();
        var ex = await Assert.ThrowsAsync<IOException>(() => second.StartAsync(new FakeHerder(), new RestServerOptions { Listeners = [taken.ToString()] }));
        Assert.Contains(taken.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
    }
}

public sealed class StartupTests
{
    [Fact]
    public async Task Starts_on_a_free_port_answers_and_frees_it_when_disposed()
    {
        // How fast it starts is measured by the whole-process benchmarks (docs/operations.md), not asserted here.
        using var client = new HttpClient();
        var server = new ConnectRestServer();
        await server.StartAsync(new FakeHerder(), new RestServerOptions { Listeners = ["http://127.0.0.1:0"] });
        var address = server.Addresses[0];
        using (var response = await client.GetAsync(address))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        await server.DisposeAsync();
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(address));
    }

    [Fact]
    public async Task AdvertisedUrl_UsesOverrides()
    {
        await using var server = new ConnectRestServer();
        await server.StartAsync(new FakeHerder(), RestServerOptions.FromWorkerConfig(new Dictionary<string, string>
        {
            ["listeners"] = "http://127.0.0.1:0",
            ["rest.advertised.host.name"] = "worker1.example",
            ["rest.advertised.port"] = "9999",
            ["unrelated.key"] = "x",
        }));
        Assert.Equal(new Uri("http://worker1.example:9999/"), server.AdvertisedUrl);
        Assert.NotEqual(0, server.Addresses[0].Port);
    }

    [Theory]
    [InlineData("collector:4318")]
    [InlineData("ftp://collector:4318")]
    [InlineData("not a url")]
    public void An_OTLP_endpoint_that_is_not_an_http_url_is_refused_naming_the_key(string endpoint)
    {
        var error = Assert.Throws<KafkaConnect.Connect.Errors.ConfigException>(() => RestServerOptions.FromWorkerConfig(
            new Dictionary<string, string> { ["kconnect.metrics.otlp.endpoint"] = endpoint }, null));
        Assert.Contains("kconnect.metrics.otlp.endpoint", error.Message, StringComparison.Ordinal);
        Assert.Contains("http", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OTLP_settings_are_read_from_the_worker_file()
    {
        var options = RestServerOptions.FromWorkerConfig(new Dictionary<string, string>
        {
            ["kconnect.metrics.otlp.endpoint"] = "http://collector:4318",
            ["kconnect.metrics.otlp.interval.ms"] = "5000",
        }, null);
        Assert.Equal(new Uri("http://collector:4318"), options.OtlpEndpoint);
        Assert.Equal(TimeSpan.FromSeconds(5), options.OtlpInterval);
        Assert.Null(RestServerOptions.FromWorkerConfig(new Dictionary<string, string>(), null).OtlpEndpoint);
    }
}

public sealed class CorsTests : RestTestBase
{
    protected override RestServerOptions Options => new()
    {
        Listeners = ["http://127.0.0.1:0"],
        AllowOrigin = "http://ui.example",
        AllowMethods = "GET,POST,PUT,DELETE",
    };

    [Fact]
    public async Task Preflight_AndSimpleRequest()
    {
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/connectors");
        preflight.Headers.Add("Origin", "http://ui.example");
        preflight.Headers.Add("Access-Control-Request-Method", "PUT");
        using var response = await Client.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("http://ui.example", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("GET,POST,PUT,DELETE", response.Headers.GetValues("Access-Control-Allow-Methods").Single());

        using var get = new HttpRequestMessage(HttpMethod.Get, "/connectors");
        get.Headers.Add("Origin", "http://other.example");
        using var other = await Client.SendAsync(get);
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
