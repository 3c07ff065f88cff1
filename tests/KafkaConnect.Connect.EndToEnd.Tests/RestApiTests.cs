using System.Net;
using System.Text;
using System.Text.Json;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests;

/// <summary>One real worker (embedded broker) shared by the REST tests; each test uses its own connector names.</summary>
public sealed class RestWorkerFixture : IAsyncLifetime
{
    internal WorkerProcess Worker { get; } = new(output: null);

    public async Task InitializeAsync()
    {
        var workerFile = Worker.ClassicWorkerFile(offsetFlushMs: 500);
        var source = Worker.WriteFile("boot-source.properties", $"""
            name=boot-source
            connector.class=org.apache.kafka.connect.file.FileStreamSourceConnector
            tasks.max=1
            file={Worker.PathOf("boot.txt")}
            topic=boot-topic
            """);
        await Worker.StartAsync(workerFile, source);
    }

    public async Task DisposeAsync() => await Worker.DisposeAsync();
}

public sealed class RestApiTests(RestWorkerFixture fixture, ITestOutputHelper output) : IClassFixture<RestWorkerFixture>, IDisposable
{
    private readonly WorkerProcess _worker = fixture.Worker;

    private HttpClient Http => _worker.Http;

    public void Dispose()
    {
        // The worker's recent output helps with any failure; it is shared, so only the tail.
        output.WriteLine(_worker.Current.Tail(60));
    }

    private string SourceConfig(string name, string topic, string? file = null) => $$"""
        {"connector.class":"FileStreamSource","tasks.max":"1","file":"{{file ?? _worker.PathOf(name + ".txt")}}","topic":"{{topic}}"}
        """;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpClient http, HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = Json(body);
        }
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return (response.StatusCode, json);
    }

    private Task<(HttpStatusCode Status, JsonElement Body)> Get(string path) => SendAsync(Http, HttpMethod.Get, path);

    private Task<(HttpStatusCode Status, JsonElement Body)> Post(string path, string? body = null) => SendAsync(Http, HttpMethod.Post, path, body);

    private Task<(HttpStatusCode Status, JsonElement Body)> Put(string path, string? body = null) => SendAsync(Http, HttpMethod.Put, path, body);

    private Task<(HttpStatusCode Status, JsonElement Body)> Patch(string path, string body) => SendAsync(Http, HttpMethod.Patch, path, body);

    private Task<(HttpStatusCode Status, JsonElement Body)> Delete(string path) => SendAsync(Http, HttpMethod.Delete, path);

    private static void AssertError(HttpStatusCode expected, (HttpStatusCode Status, JsonElement Body) actual, string messagePart)
    {
        Assert.Equal(expected, actual.Status);
        Assert.Equal((int)expected, actual.Body.GetProperty("error_code").GetInt32());
        Assert.Contains(messagePart, actual.Body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private async Task CreateSourceAsync(string name, string topic)
    {
        var (status, body) = await Post("/connectors", $$"""{"name":"{{name}}","config":{{SourceConfig(name, topic)}}}""");
        Assert.True(status == HttpStatusCode.Created, body.ToString());
        await _worker.WaitForStateAsync(name, "RUNNING");
    }

    [Fact]
    public async Task Root_And_Health()
    {
        var (status, body) = await Get("/");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("version").GetString()));
        Assert.False(string.IsNullOrEmpty(body.GetProperty("commit").GetString()));
        Assert.False(string.IsNullOrEmpty(body.GetProperty("kafka_cluster_id").GetString()));

        (status, body) = await Get("/health");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.True(body.TryGetProperty("message", out _));
    }

    [Fact]
    public async Task ConnectorLifecycle_CreateReadUpdateDelete()
    {
        await CreateSourceAsync("crud", "crud-topic");

        var (status, body) = await Post("/connectors", $$"""{"name":"crud","config":{{SourceConfig("crud", "crud-topic")}}}""");
        AssertError(HttpStatusCode.Conflict, (status, body), "crud");

        (status, body) = await Get("/connectors");
        Assert.Equal(HttpStatusCode.OK, status);
        var names = body.EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("crud", names);
        Assert.Contains("boot-source", names);

        (status, body) = await SendAsync(Http, HttpMethod.Get, "/connectors?expand=status&expand=info");
        Assert.Equal(HttpStatusCode.OK, status);
        var crud = body.GetProperty("crud");
        Assert.Equal("RUNNING", crud.GetProperty("status").GetProperty("connector").GetProperty("state").GetString());
        Assert.Equal("source", crud.GetProperty("info").GetProperty("type").GetString());

        (status, body) = await Get("/connectors/crud");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("crud", body.GetProperty("name").GetString());
        Assert.Equal("source", body.GetProperty("type").GetString());
        Assert.Equal("crud-topic", body.GetProperty("config").GetProperty("topic").GetString());
        var task = Assert.Single(body.GetProperty("tasks").EnumerateArray());
        Assert.Equal("crud", task.GetProperty("connector").GetString());
        Assert.Equal(0, task.GetProperty("task").GetInt32());

        (status, body) = await Get("/connectors/crud/config");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("FileStreamSource", body.GetProperty("connector.class").GetString());
        Assert.Equal("crud", body.GetProperty("name").GetString());

        (status, body) = await Get("/connectors/crud/status");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("crud", body.GetProperty("name").GetString());
        Assert.Equal("source", body.GetProperty("type").GetString());
        Assert.Equal($"127.0.0.1:{_worker.RestPort}", body.GetProperty("connector").GetProperty("worker_id").GetString());
        var taskStatus = Assert.Single(body.GetProperty("tasks").EnumerateArray());
        Assert.Equal(0, taskStatus.GetProperty("id").GetInt32());
        Assert.Equal("RUNNING", taskStatus.GetProperty("state").GetString());

        (status, body) = await Get("/connectors/crud/tasks");
        Assert.Equal(HttpStatusCode.OK, status);
        var taskInfo = Assert.Single(body.EnumerateArray());
        Assert.Equal(0, taskInfo.GetProperty("id").GetProperty("task").GetInt32());
        Assert.Equal("crud-topic", taskInfo.GetProperty("config").GetProperty("topic").GetString());

        (status, body) = await Get("/connectors/crud/tasks/0/status");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(0, body.GetProperty("id").GetInt32());
        Assert.Equal("RUNNING", body.GetProperty("state").GetString());
        AssertError(HttpStatusCode.NotFound, await Get("/connectors/crud/tasks/7/status"), "7");

        // PUT on an existing name updates (200), on a new name creates (201).
        (status, body) = await Put("/connectors/crud/config", SourceConfig("crud", "crud-topic-2"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("crud-topic-2", body.GetProperty("config").GetProperty("topic").GetString());
        (status, body) = await Put("/connectors/crud-put/config", SourceConfig("crud-put", "crud-put-topic"));
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("crud-put", body.GetProperty("name").GetString());
        // A name in the body must match the path.
        (status, body) = await Put("/connectors/crud-put/config", """{"name":"other","connector.class":"FileStreamSource","topic":"t","file":"/tmp/x"}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);

        // PATCH merges; null removes a key.
        (status, body) = await Patch("/connectors/crud/config", """{"batch.size":"500","topic":"crud-topic-3"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("500", body.GetProperty("config").GetProperty("batch.size").GetString());
        Assert.Equal("crud-topic-3", body.GetProperty("config").GetProperty("topic").GetString());
        (status, body) = await Patch("/connectors/crud/config", """{"batch.size":null}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(body.GetProperty("config").TryGetProperty("batch.size", out _));

        (status, _) = await Delete("/connectors/crud");
        Assert.Equal(HttpStatusCode.NoContent, status);
        (status, _) = await Delete("/connectors/crud-put");
        Assert.Equal(HttpStatusCode.NoContent, status);
        AssertError(HttpStatusCode.NotFound, await Get("/connectors/crud"), "Connector crud not found");
    }

    [Fact]
    public async Task UnknownConnector_Is404WithMessage_OnEveryPath()
    {
        const string Message = "Connector nope not found";
        AssertError(HttpStatusCode.NotFound, await Get("/connectors/nope"), Message);
        AssertError(HttpStatusCode.NotFound, await Get("/connectors/nope/config"), Message);
        AssertError(HttpStatusCode.NotFound, await Get("/connectors/nope/status"), "nope");
        AssertError(HttpStatusCode.NotFound, await Get("/connectors/nope/tasks"), Message);
        AssertError(HttpStatusCode.NotFound, await Get("/connectors/nope/offsets"), "nope");
        AssertError(HttpStatusCode.NotFound, await Get("/connectors/nope/topics"), "nope");
        AssertError(HttpStatusCode.NotFound, await Post("/connectors/nope/restart"), Message);
        AssertError(HttpStatusCode.NotFound, await Post("/connectors/nope/tasks/0/restart"), "nope");
        AssertError(HttpStatusCode.NotFound, await Put("/connectors/nope/pause"), "nope");
        AssertError(HttpStatusCode.NotFound, await Put("/connectors/nope/resume"), "nope");
        AssertError(HttpStatusCode.NotFound, await Put("/connectors/nope/stop"), "nope");
        AssertError(HttpStatusCode.NotFound, await Patch("/connectors/nope/config", """{"topic":"x"}"""), "nope");
        AssertError(HttpStatusCode.NotFound, await Delete("/connectors/nope"), Message);
        // An unknown path answers JSON too.
        AssertError(HttpStatusCode.NotFound, await Get("/no/such/path"), "404");
    }

    [Fact]
    public async Task InvalidConfig_Is400WithTheValidateErrors()
    {
        // FileStreamSource without its required topic.
        var (status, body) = await Post("/connectors", """{"name":"bad","config":{"connector.class":"FileStreamSource","file":"/tmp/x"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var message = body.GetProperty("message").GetString()!;
        Assert.Contains("Connector configuration is invalid and contains the following 1 error(s)", message, StringComparison.Ordinal);
        Assert.Contains("topic", message, StringComparison.Ordinal);
        Assert.Contains("/connector-plugins/{connectorType}/config/validate", message, StringComparison.Ordinal);
        AssertError(HttpStatusCode.NotFound, await Get("/connectors/bad"), "bad");

        // Unknown connector class.
        (status, body) = await Post("/connectors", """{"name":"bad2","config":{"connector.class":"com.example.Nope"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("com.example.Nope", body.GetProperty("message").GetString(), StringComparison.Ordinal);

        // The same errors through validate (200 with error_count).
        (status, body) = await Put("/connector-plugins/FileStreamSourceConnector/config/validate", """{"connector.class":"FileStreamSourceConnector","file":"/tmp/x","name":"v"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, body.GetProperty("error_count").GetInt32());
        var topic = body.GetProperty("configs").EnumerateArray().Single(c => c.GetProperty("value").GetProperty("name").GetString() == "topic");
        Assert.NotEmpty(topic.GetProperty("value").GetProperty("errors").EnumerateArray());
    }

    [Fact]
    public async Task MalformedJson_Is400()
    {
        AssertError(HttpStatusCode.BadRequest, await Post("/connectors", """{"name":"m","config":{"""), "Malformed JSON");
        AssertError(HttpStatusCode.BadRequest, await Post("/connectors", ""), "");
        AssertError(HttpStatusCode.BadRequest, await Put("/connectors/m/config", "not json"), "Malformed JSON");
        AssertError(HttpStatusCode.BadRequest, await Put("/connector-plugins/FileStreamSource/config/validate", "[1,"), "Malformed JSON");
        AssertError(HttpStatusCode.BadRequest, await Put("/admin/loggers/root", "{"), "Malformed JSON");
        AssertError(HttpStatusCode.NotFound, await Get("/connectors/m"), "m");
    }

    [Fact]
    public async Task PauseResumeStopRestart()
    {
        await CreateSourceAsync("states", "states-topic");

        var (status, _) = await Put("/connectors/states/pause");
        Assert.Equal(HttpStatusCode.Accepted, status);
        await _worker.WaitForStateAsync("states", "PAUSED");

        (status, _) = await Put("/connectors/states/resume");
        Assert.Equal(HttpStatusCode.Accepted, status);
        await _worker.WaitForStateAsync("states", "RUNNING");

        (status, _) = await Post("/connectors/states/restart");
        Assert.Equal(HttpStatusCode.NoContent, status);
        (status, var body) = await Post("/connectors/states/restart?includeTasks=true&onlyFailed=false");
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal("states", body.GetProperty("name").GetString());
        Assert.Equal(1, body.GetProperty("tasks").GetArrayLength());
        await _worker.WaitForStateAsync("states", "RUNNING");

        (status, _) = await Post("/connectors/states/tasks/0/restart");
        Assert.Equal(HttpStatusCode.NoContent, status);
        (status, _) = await Post("/connectors/states/tasks/5/restart");
        Assert.Equal(HttpStatusCode.NotFound, status);
        (status, _) = await Post("/connectors/states/tasks/x/restart");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        await _worker.WaitForStateAsync("states", "RUNNING");

        (status, _) = await Put("/connectors/states/stop");
        Assert.Equal(HttpStatusCode.NoContent, status);
        await _worker.WaitForStateAsync("states", "STOPPED", expectedTasks: 0);
        (status, _) = await Put("/connectors/states/resume");
        Assert.Equal(HttpStatusCode.Accepted, status);
        await _worker.WaitForStateAsync("states", "RUNNING");

        (status, _) = await Delete("/connectors/states");
        Assert.Equal(HttpStatusCode.NoContent, status);
    }

    [Fact]
    public async Task Offsets_GetAndDelete_OnAStoppedConnector_ReplayTheFile()
    {
        var file = _worker.PathOf("offsets.txt");
        await File.WriteAllTextAsync(file, "one\ntwo\nthree\n");
        await CreateSourceAsync("offsets", "offsets-topic");
        var partition = JsonSerializer.Serialize(new Dictionary<string, string> { ["filename"] = file });

        // The position reaches the end of the file (14 bytes) once the records are acknowledged and flushed.
        await Eventually.WaitAsync(async () =>
        {
            var (s, b) = await Get("/connectors/offsets/offsets");
            return s == HttpStatusCode.OK && b.GetProperty("offsets").GetArrayLength() == 1
                && b.GetProperty("offsets")[0].GetProperty("offset").GetProperty("position").GetInt64() == 14;
        }, TimeSpan.FromSeconds(30), () => "source offset never reached position 14");
        var (status, body) = await Get("/connectors/offsets/offsets");
        Assert.Equal(file, body.GetProperty("offsets")[0].GetProperty("partition").GetProperty("filename").GetString());

        // Offsets can only change while the connector is STOPPED (Apache: 400).
        (status, body) = await Patch("/connectors/offsets/offsets", """{"offsets":[{"partition":""" + partition + ""","offset":{"position":4}}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("STOPPED", body.GetProperty("message").GetString(), StringComparison.Ordinal);

        (status, _) = await Put("/connectors/offsets/stop");
        Assert.Equal(HttpStatusCode.NoContent, status);
        await _worker.WaitForStateAsync("offsets", "STOPPED", expectedTasks: 0);

        AssertError(HttpStatusCode.BadRequest, await Patch("/connectors/offsets/offsets", """{"offsets":[]}"""), "Partitions / offsets need to be provided");
        (status, body) = await Delete("/connectors/offsets/offsets");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("message").GetString()));
        (status, body) = await Get("/connectors/offsets/offsets");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(0, body.GetProperty("offsets").GetArrayLength());

        // After a reset the whole file is read again.
        await Put("/connectors/offsets/resume");
        await WaitForTopicAsync("offsets-topic", ["one", "two", "three", "one", "two", "three"]);
        (status, _) = await Delete("/connectors/offsets");
        Assert.Equal(HttpStatusCode.NoContent, status);
    }

    [Fact]
    public async Task Offsets_Patch_OnAStoppedConnector_ResumesFromThePatchedPosition()
    {
        var file = _worker.PathOf("patch.txt");
        await File.WriteAllTextAsync(file, "one\ntwo\nthree\n");
        await CreateSourceAsync("patch", "patch-topic");
        var partition = JsonSerializer.Serialize(new Dictionary<string, string> { ["filename"] = file });
        await WaitForTopicAsync("patch-topic", ["one", "two", "three"]);

        var (status, _) = await Put("/connectors/patch/stop");
        Assert.Equal(HttpStatusCode.NoContent, status);
        await _worker.WaitForStateAsync("patch", "STOPPED", expectedTasks: 0);
        (status, var body) = await Patch("/connectors/patch/offsets", """{"offsets":[{"partition":""" + partition + ""","offset":{"position":4}}]}""");
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("message").GetString()));
        (status, body) = await Get("/connectors/patch/offsets");
        Assert.Equal(4, body.GetProperty("offsets")[0].GetProperty("offset").GetProperty("position").GetInt64());

        // Resumed from byte 4: "two" and "three" are produced again.
        await Put("/connectors/patch/resume");
        await WaitForTopicAsync("patch-topic", ["one", "two", "three", "two", "three"]);
        await Delete("/connectors/patch");
    }

    [Fact]
    public async Task Topics_TrackedAndReset()
    {
        await File.WriteAllTextAsync(_worker.PathOf("topics.txt"), "x\n");
        await CreateSourceAsync("topics", "topics-topic");
        await Eventually.WaitAsync(async () =>
        {
            var (s, b) = await Get("/connectors/topics/topics");
            return s == HttpStatusCode.OK && b.GetProperty("topics").GetProperty("topics").GetArrayLength() == 1;
        }, TimeSpan.FromSeconds(30), () => "topic never tracked");
        var (status, body) = await Get("/connectors/topics/topics");
        Assert.Equal("topics-topic", body.GetProperty("topics").GetProperty("topics")[0].GetString());

        (status, _) = await Put("/connectors/topics/topics/reset");
        Assert.Equal(HttpStatusCode.Accepted, status);
        (status, body) = await Get("/connectors/topics/topics");
        Assert.Equal(0, body.GetProperty("topics").GetProperty("topics").GetArrayLength());
        await Delete("/connectors/topics");
    }

    [Fact]
    public async Task ConnectorPlugins_ListConfigValidate()
    {
        var (status, body) = await Get("/connector-plugins");
        Assert.Equal(HttpStatusCode.OK, status);
        var plugins = body.EnumerateArray().Select(p => (Class: p.GetProperty("class").GetString(), Type: p.GetProperty("type").GetString())).ToList();
        Assert.Contains(("org.apache.kafka.connect.file.FileStreamSourceConnector", "source"), plugins);
        Assert.Contains(("org.apache.kafka.connect.file.FileStreamSinkConnector", "sink"), plugins);
        Assert.DoesNotContain(plugins, p => p.Type is "converter");

        (status, body) = await Get("/connector-plugins?connectorsOnly=false");
        Assert.Equal(HttpStatusCode.OK, status);
        plugins = body.EnumerateArray().Select(p => (Class: p.GetProperty("class").GetString(), Type: p.GetProperty("type").GetString())).ToList();
        Assert.Contains(("org.apache.kafka.connect.json.JsonConverter", "converter"), plugins);
        Assert.Contains(("org.apache.kafka.connect.storage.StringConverter", "converter"), plugins);

        (status, body) = await Get("/connector-plugins/FileStreamSource/config");
        Assert.Equal(HttpStatusCode.OK, status);
        var keys = body.EnumerateArray().Select(k => k.GetProperty("name").GetString()).ToList();
        Assert.Contains("file", keys);
        Assert.Contains("topic", keys);
        Assert.Contains("batch.size", keys);
        var topicKey = body.EnumerateArray().Single(k => k.GetProperty("name").GetString() == "topic");
        Assert.Equal("STRING", topicKey.GetProperty("type").GetString());
        Assert.True(topicKey.GetProperty("required").GetBoolean());
        AssertError(HttpStatusCode.NotFound, await Get("/connector-plugins/com.example.Nope/config"), "com.example.Nope");

        (status, body) = await Put("/connector-plugins/FileStreamSourceConnector/config/validate",
            """{"connector.class":"org.apache.kafka.connect.file.FileStreamSourceConnector","file":"/tmp/x","topic":"t","name":"v"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(0, body.GetProperty("error_count").GetInt32());
        Assert.Equal("org.apache.kafka.connect.file.FileStreamSourceConnector", body.GetProperty("name").GetString());
        Assert.NotEmpty(body.GetProperty("groups").EnumerateArray());

        AssertError(HttpStatusCode.BadRequest,
            await Put("/connector-plugins/FileStreamSinkConnector/config/validate", """{"connector.class":"FileStreamSourceConnector","topic":"t"}"""),
            "does not match request type");
    }

    [Fact]
    public async Task Loggers_GetAndSet()
    {
        var (status, body) = await Get("/admin/loggers");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("INFO", body.GetProperty("root").GetProperty("level").GetString());

        (status, body) = await Get("/admin/loggers/root");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("INFO", body.GetProperty("level").GetString());

        AssertError(HttpStatusCode.NotFound, await Get("/admin/loggers/com.example.none"), "com.example.none");
        AssertError(HttpStatusCode.BadRequest, await Put("/admin/loggers/KafkaConnect", """{"level":"LOUD"}"""), "LOUD");

        (status, body) = await Put("/admin/loggers/KafkaConnect.Connect.Rest", """{"level":"DEBUG"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("KafkaConnect.Connect.Rest", body.EnumerateArray().Select(e => e.GetString()));
        (status, body) = await Get("/admin/loggers/KafkaConnect.Connect.Rest");
        Assert.Equal("DEBUG", body.GetProperty("level").GetString());
        Assert.Equal(JsonValueKind.Number, body.GetProperty("last_modified").ValueKind);
        (status, _) = await Put("/admin/loggers/KafkaConnect.Connect.Rest", """{"level":"INFO"}""");
        Assert.Equal(HttpStatusCode.OK, status);
    }

    private async Task WaitForTopicAsync(string topic, string[] lines)
    {
        var expected = lines.Select(l => $"{{\"schema\":{{\"type\":\"string\",\"optional\":false}},\"payload\":\"{l}\"}}").ToArray();
        string[] actual = [];
        await Eventually.WaitAsync(async () =>
        {
            actual = await Kcat.ConsumeLinesAsync(_worker.BrokerServers, topic);
            return actual.Length >= expected.Length;
        }, TimeSpan.FromSeconds(30), () => $"topic {topic} holds [{string.Join(", ", actual)}]", pollMs: 300);
        Assert.Equal(expected, actual);
    }
}
