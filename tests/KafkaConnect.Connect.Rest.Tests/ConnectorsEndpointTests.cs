using System.Net;

namespace KafkaConnect.Connect.Rest.Tests;

public sealed class ConnectorsEndpointTests : RestTestBase
{
    [Fact]
    public async Task Root_ReturnsServerInfo()
    {
        var (status, json) = await Get("/");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["version", "commit", "kafka_cluster_id"], Names(json));
        Assert.Equal("3.9.0", json.GetProperty("version").GetString());
        Assert.Equal("cluster-1", json.GetProperty("kafka_cluster_id").GetString());
    }

    [Fact]
    public async Task Health_ReportsHealthy()
    {
        var (status, json) = await Get("/health");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("healthy", json.GetProperty("status").GetString());
        Assert.Equal("Worker has completed startup and is ready to handle requests.", json.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Create_Returns201WithInfoAndLocation()
    {
        using var response = await Client.PostAsync("/connectors", new StringContent(
            """{"name":" src ","config":{"connector.class":"FileStreamSource","topic":"t1","tasks.max":1}}""",
            System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        // Absolute, as Apache's (JAX-RS resolves it against the request URI).
        Assert.Equal(new Uri(Client.BaseAddress!, "/connectors/src"), response.Headers.Location);
        var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["name", "config", "tasks", "type"], Names(json));
        Assert.Equal("src", json.GetProperty("name").GetString());
        Assert.Equal("source", json.GetProperty("type").GetString());
        Assert.Equal("src", json.GetProperty("config").GetProperty("name").GetString());
        Assert.Equal("1", json.GetProperty("config").GetProperty("tasks.max").GetString());
        var task = json.GetProperty("tasks")[0];
        Assert.Equal(["connector", "task"], Names(task));
        Assert.Equal(0, task.GetProperty("task").GetInt32());
    }

    [Fact]
    public async Task Create_Duplicate_Is409()
    {
        await CreateFileSource("a");
        var (status, json) = await Send(HttpMethod.Post, "/connectors",
            """{"name":"a","config":{"connector.class":"FileStreamSource","topic":"t"}}""");
        Assert.Equal(HttpStatusCode.Conflict, status);
        AssertError(json, 409, "Connector a already exists");
    }

    [Fact]
    public async Task Create_InvalidConfig_Is400WithValidationMessages()
    {
        var (status, json) = await Send(HttpMethod.Post, "/connectors",
            """{"name":"bad","config":{"connector.class":"FileStreamSource"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(json, 400);
        Assert.Contains("Missing required configuration \"topic\"", json.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Create_NameMismatch_Is400()
    {
        var (status, json) = await Send(HttpMethod.Post, "/connectors",
            """{"name":"a","config":{"name":"b","connector.class":"FileStreamSource","topic":"t"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(json, 400, "Connector name configuration (b) doesn't match connector name in the URL (a)");
    }

    [Theory]
    [InlineData("{\"name\":\"a\",")]
    [InlineData("not json")]
    [InlineData("")]
    public async Task MalformedJson_Is400(string body)
    {
        var (status, json) = await Send(HttpMethod.Post, "/connectors", body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(json, 400);
        Assert.StartsWith("Malformed JSON in request body", json.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Create_WithInitialStatePaused_PausesConnector()
    {
        var (status, _) = await Send(HttpMethod.Post, "/connectors",
            """{"name":"p","config":{"connector.class":"FileStreamSource","topic":"t"},"initial_state":"PAUSED"}""");
        Assert.Equal(HttpStatusCode.Created, status);
        var (_, json) = await Get("/connectors/p/status");
        Assert.Equal("PAUSED", json.GetProperty("connector").GetProperty("state").GetString());
    }

    [Fact]
    public async Task UnknownConnector_Is404WithApacheMessage()
    {
        foreach (var path in new[] { "/connectors/nope", "/connectors/nope/config", "/connectors/nope/status", "/connectors/nope/tasks", "/connectors/nope/offsets", "/connectors/nope/topics" })
        {
            var (status, json) = await Get(path);
            Assert.Equal(HttpStatusCode.NotFound, status);
            AssertError(json, 404, "Connector nope not found");
        }
        var (deleteStatus, deleteJson) = await Send(HttpMethod.Delete, "/connectors/nope");
        Assert.Equal(HttpStatusCode.NotFound, deleteStatus);
        AssertError(deleteJson, 404, "Connector nope not found");
    }

    [Fact]
    public async Task List_AndExpand()
    {
        await CreateFileSource("a");
        await CreateFileSource("b", ",\"db.password\":\"s3cret\"");
        var (status, list) = await Get("/connectors");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["a", "b"], list.EnumerateArray().Select(e => e.GetString()!).ToArray());

        var (_, expanded) = await Get("/connectors?expand=status&expand=info");
        Assert.Equal(["a", "b"], Names(expanded));
        var b = expanded.GetProperty("b");
        Assert.Equal(["status", "info"], Names(b));
        Assert.Equal("RUNNING", b.GetProperty("status").GetProperty("connector").GetProperty("state").GetString());
        Assert.Equal("[hidden]", b.GetProperty("info").GetProperty("config").GetProperty("db.password").GetString());

        var (_, onlyStatus) = await Get("/connectors?expand=status");
        Assert.Equal(["status"], Names(onlyStatus.GetProperty("a")));
    }

    [Fact]
    public async Task PutConfig_CreatesThenUpdates()
    {
        var body = """{"connector.class":"FileStreamSource","topic":"t"}""";
        var (created, info) = await Send(HttpMethod.Put, "/connectors/c/config", body);
        Assert.Equal(HttpStatusCode.Created, created);
        Assert.Equal("c", info.GetProperty("name").GetString());
        var (updated, _) = await Send(HttpMethod.Put, "/connectors/c/config", body.Replace("\"t\"", "\"t2\"", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, updated);
        var (_, config) = await Get("/connectors/c/config");
        Assert.Equal("t2", config.GetProperty("topic").GetString());
        Assert.Equal("c", config.GetProperty("name").GetString());

        var (mismatch, error) = await Send(HttpMethod.Put, "/connectors/c/config", """{"name":"other","connector.class":"FileStreamSource","topic":"t"}""");
        Assert.Equal(HttpStatusCode.BadRequest, mismatch);
        AssertError(error, 400, "Connector name configuration (other) doesn't match connector name in the URL (c)");
    }

    [Fact]
    public async Task PatchConfig_MergesAndRemovesNulls()
    {
        await CreateFileSource("a", ",\"extra\":\"x\"");
        var (status, info) = await Send(HttpMethod.Patch, "/connectors/a/config", """{"topic":"t9","extra":null}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var config = info.GetProperty("config");
        Assert.Equal("t9", config.GetProperty("topic").GetString());
        Assert.False(config.TryGetProperty("extra", out _));
    }

    [Fact]
    public async Task Status_AndTaskStatus_Shapes()
    {
        await CreateFileSource("a");
        Herder.SetTaskState("a", Runtime.Herder.ConnectorState.Failed);
        var (status, json) = await Get("/connectors/a/status");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["name", "connector", "tasks", "type"], Names(json));
        Assert.Equal(["state", "worker_id"], Names(json.GetProperty("connector")));
        var task = json.GetProperty("tasks")[0];
        Assert.Equal(["id", "state", "worker_id", "trace"], Names(task));
        Assert.Equal("FAILED", task.GetProperty("state").GetString());

        var (taskStatus, taskJson) = await Get("/connectors/a/tasks/0/status");
        Assert.Equal(HttpStatusCode.OK, taskStatus);
        Assert.Equal(["id", "state", "worker_id"], Names(taskJson));

        var (missing, _) = await Get("/connectors/a/tasks/7/status");
        Assert.Equal(HttpStatusCode.NotFound, missing);
        var (badId, _) = await Get("/connectors/a/tasks/x/status");
        Assert.Equal(HttpStatusCode.BadRequest, badId);
    }

    [Fact]
    public async Task Tasks_MaskSecrets()
    {
        await CreateFileSource("a", ",\"connection.password\":\"p\",\"ssl.key\":\"k\",\"key.converter\":\"org.X\",\"vault\":\"${file:/s.properties:pw}\",\"jdbc.password\":\"${file:/s:pw}\"");
        var (status, json) = await Get("/connectors/a/tasks");
        Assert.Equal(HttpStatusCode.OK, status);
        var task = json[0];
        Assert.Equal(["id", "config"], Names(task));
        Assert.Equal(["connector", "task"], Names(task.GetProperty("id")));
        var config = task.GetProperty("config");
        Assert.Equal("[hidden]", config.GetProperty("connection.password").GetString());
        Assert.Equal("[hidden]", config.GetProperty("ssl.key").GetString());
        Assert.Equal("org.X", config.GetProperty("key.converter").GetString());
        Assert.Equal("${file:/s:pw}", config.GetProperty("jdbc.password").GetString());

        var (_, connectorConfig) = await Get("/connectors/a/config");
        Assert.Equal("[hidden]", connectorConfig.GetProperty("connection.password").GetString());
        var (_, info) = await Get("/connectors/a");
        Assert.Equal("[hidden]", info.GetProperty("config").GetProperty("connection.password").GetString());

        var (_, tasksConfig) = await Get("/connectors/a/tasks-config");
        Assert.Equal("[hidden]", tasksConfig.GetProperty("a-0").GetProperty("connection.password").GetString());
    }

    [Fact]
    public async Task Restart_PlainIs204_WithFlagsIs202AndStatus()
    {
        await CreateFileSource("a");
        var (plain, _) = await Send(HttpMethod.Post, "/connectors/a/restart");
        Assert.Equal(HttpStatusCode.NoContent, plain);
        var (flagged, json) = await Send(HttpMethod.Post, "/connectors/a/restart?includeTasks=true&onlyFailed=false");
        Assert.Equal(HttpStatusCode.Accepted, flagged);
        Assert.Equal("RESTARTING", json.GetProperty("tasks")[0].GetProperty("state").GetString());
        Assert.Contains("restart a includeTasks=True onlyFailed=False", Herder.Calls);

        var (task, _) = await Send(HttpMethod.Post, "/connectors/a/tasks/0/restart");
        Assert.Equal(HttpStatusCode.NoContent, task);
        var (missing, _) = await Send(HttpMethod.Post, "/connectors/zz/restart");
        Assert.Equal(HttpStatusCode.NotFound, missing);
    }

    [Fact]
    public async Task PauseResumeStop_AndDelete()
    {
        await CreateFileSource("a");
        Assert.Equal(HttpStatusCode.Accepted, (await Send(HttpMethod.Put, "/connectors/a/pause")).Status);
        Assert.Equal("PAUSED", (await Get("/connectors/a/status")).Json.GetProperty("connector").GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.Accepted, (await Send(HttpMethod.Put, "/connectors/a/resume")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await Send(HttpMethod.Put, "/connectors/a/stop")).Status);
        Assert.Equal("STOPPED", (await Get("/connectors/a/status")).Json.GetProperty("connector").GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await Send(HttpMethod.Delete, "/connectors/a")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Get("/connectors/a")).Status);
    }

    [Fact]
    public async Task Offsets_GetAlterReset()
    {
        await CreateFileSource("a");
        var (notStopped, error) = await Send(HttpMethod.Patch, "/connectors/a/offsets",
            """{"offsets":[{"partition":{"filename":"/tmp/x"},"offset":{"position":42}}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, notStopped);
        AssertError(error, 400);

        await Send(HttpMethod.Put, "/connectors/a/stop");
        var (altered, message) = await Send(HttpMethod.Patch, "/connectors/a/offsets",
            """{"offsets":[{"partition":{"filename":"/tmp/x"},"offset":{"position":42}}]}""");
        Assert.Equal(HttpStatusCode.OK, altered);
        Assert.Equal(["message"], Names(message));
        Assert.Equal("The offsets for this connector have been altered successfully", message.GetProperty("message").GetString());

        var (status, offsets) = await Get("/connectors/a/offsets");
        Assert.Equal(HttpStatusCode.OK, status);
        var entry = offsets.GetProperty("offsets")[0];
        Assert.Equal(["partition", "offset"], Names(entry));
        Assert.Equal("/tmp/x", entry.GetProperty("partition").GetProperty("filename").GetString());
        Assert.Equal(42, entry.GetProperty("offset").GetProperty("position").GetInt64());

        var (empty, emptyError) = await Send(HttpMethod.Patch, "/connectors/a/offsets", """{"offsets":[]}""");
        Assert.Equal(HttpStatusCode.BadRequest, empty);
        AssertError(emptyError, 400, "Partitions / offsets need to be provided for an alter offsets request");

        var (reset, resetMessage) = await Send(HttpMethod.Delete, "/connectors/a/offsets");
        Assert.Equal(HttpStatusCode.OK, reset);
        Assert.Equal("The offsets for this connector have been reset successfully", resetMessage.GetProperty("message").GetString());
        Assert.Equal(0, (await Get("/connectors/a/offsets")).Json.GetProperty("offsets").GetArrayLength());
    }

    [Fact]
    public async Task Topics_GetAndReset()
    {
        await CreateFileSource("a");
        Herder.SetTopics("a", ["t1", "t2"]);
        var (status, json) = await Get("/connectors/a/topics");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["a"], Names(json));
        Assert.Equal(["t1", "t2"], json.GetProperty("a").GetProperty("topics").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal(HttpStatusCode.Accepted, (await Send(HttpMethod.Put, "/connectors/a/topics/reset")).Status);
        Assert.Equal(0, (await Get("/connectors/a/topics")).Json.GetProperty("a").GetProperty("topics").GetArrayLength());
    }

    [Fact]
    public async Task UnknownPath_IsJson404_AndWrongMethodIsJson405()
    {
        var (status, json) = await Get("/nothing/here");
        Assert.Equal(HttpStatusCode.NotFound, status);
        AssertError(json, 404, "HTTP 404 Not Found");
        var (method, methodJson) = await Send(HttpMethod.Delete, "/connectors");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, method);
        AssertError(methodJson, 405);
    }
}
