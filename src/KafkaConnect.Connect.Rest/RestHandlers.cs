using System.Globalization;
using System.Text.Json;
using KafkaConnect.Connect.Runtime.Herder;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace KafkaConnect.Connect.Rest;

/// <summary>The endpoints; each maps one Apache Kafka Connect resource method onto <see cref="IHerder"/>.</summary>
internal sealed class RestHandlers(Task<IHerder> herderTask, LogLevelRegistry logLevels, TimeSpan requestTimeout)
{
    private const string NameConfig = "name";
    private const string ConnectorClassConfig = "connector.class";

    // Every route but "/" and "/health" runs only once the pipeline has seen the herder ready.
    private IHerder herder => herderTask.Result;

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", Root);
        app.MapGet("/health", Health);

        // Routing already treats "/connectors/" like "/connectors", as JAX-RS does.
        app.MapGet("/connectors", ListConnectors);
        app.MapPost("/connectors", CreateConnector);
        app.MapGet("/connectors/{connector}", GetConnector);
        app.MapDelete("/connectors/{connector}", DeleteConnector);
        app.MapGet("/connectors/{connector}/config", GetConfig);
        app.MapPut("/connectors/{connector}/config", PutConfig);
        app.MapMethods("/connectors/{connector}/config", [HttpMethods.Patch], PatchConfig);
        app.MapGet("/connectors/{connector}/status", GetStatus);
        app.MapGet("/connectors/{connector}/tasks", GetTasks);
        app.MapPost("/connectors/{connector}/tasks", PutTaskConfigs);
        app.MapGet("/connectors/{connector}/tasks-config", GetTasksConfig);
        app.MapGet("/connectors/{connector}/tasks/{task}/status", GetTaskStatus);
        app.MapPost("/connectors/{connector}/tasks/{task}/restart", RestartTask);
        app.MapPost("/connectors/{connector}/restart", RestartConnector);
        app.MapPut("/connectors/{connector}/pause", Pause);
        app.MapPut("/connectors/{connector}/resume", Resume);
        app.MapPut("/connectors/{connector}/stop", Stop);
        app.MapGet("/connectors/{connector}/offsets", GetOffsets);
        app.MapMethods("/connectors/{connector}/offsets", [HttpMethods.Patch], AlterOffsets);
        app.MapDelete("/connectors/{connector}/offsets", ResetOffsets);
        app.MapGet("/connectors/{connector}/topics", GetTopics);
        app.MapPut("/connectors/{connector}/topics/reset", ResetTopics);

        app.MapGet("/connector-plugins", ListPlugins);
        app.MapGet("/connector-plugins/{plugin}/config", GetPluginConfig);
        app.MapPut("/connector-plugins/{plugin}/config/validate", Validate);

        app.MapGet("/admin/loggers", ListLoggers);
        app.MapGet("/admin/loggers/{logger}", GetLogger);
        app.MapPut("/admin/loggers/{logger}", SetLogger);
    }

    // --- root -------------------------------------------------------------------------------------------

    // As Apache's RootResource: answered as soon as the worker knows its Kafka cluster, before the herder has read the
    // internal topics (a start-up probe on "/" sees the process up; "/health" says when it can serve requests).
    private async Task Root(HttpContext ctx)
    {
        IHerder started;
        using (var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted))
        {
            cts.CancelAfter(requestTimeout);
            try
            {
                started = await herderTask.WaitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ctx.RequestAborted.IsCancellationRequested)
            {
                throw new RestException(503, "Worker is still starting up; try again shortly.");
            }
        }
        await RestJson.WriteAsync(ctx, 200, started.ServerInfo, static (w, info) =>
        {
            w.WriteStartObject();
            w.WriteString("version", info.Version);
            w.WriteString("commit", info.Commit);
            w.WriteString("kafka_cluster_id", info.KafkaClusterId);
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    // KIP-1017: the contract has no deeper health probe, so readiness is the answer.
    private Task Health(HttpContext ctx)
    {
        var ready = herderTask.IsCompletedSuccessfully && herder.IsReady;
        return RestJson.WriteAsync(ctx, ready ? 200 : 503, ready, static (w, ready) =>
        {
            w.WriteStartObject();
            w.WriteString("status", ready ? "healthy" : "starting");
            w.WriteString("message", ready
                ? "Worker has completed startup and is ready to handle requests."
                : "Worker is still starting up.");
            w.WriteEndObject();
        });
    }

    // --- connectors -------------------------------------------------------------------------------------

    private async Task ListConnectors(HttpContext ctx)
    {
        var names = await Call(ctx, (h, ct) => h.ConnectorsAsync(ct)).ConfigureAwait(false);
        if (!ctx.Request.Query.TryGetValue("expand", out var expand))
        {
            await RestJson.WriteAsync(ctx, 200, names, static (w, n) => RestJson.WriteStringArray(w, n)).ConfigureAwait(false);
            return;
        }
        var wantStatus = expand.Contains("status");
        var wantInfo = expand.Contains("info");
        var expanded = new List<(string Name, ConnectorStateInfo? Status, ConnectorInfo? Info)>(names.Count);
        foreach (var name in names)
        {
            try
            {
                var status = wantStatus ? await Call(ctx, (h, ct) => h.ConnectorStatusAsync(name, ct)).ConfigureAwait(false) : null;
                var info = wantInfo ? await Call(ctx, (h, ct) => h.ConnectorInfoAsync(name, ct)).ConfigureAwait(false) : null;
                expanded.Add((name, status, info));
            }
            catch (KafkaConnect.Connect.Errors.NotFoundException)
            {
                // Deleted while we were listing: leave it out, as Apache does.
            }
        }
        await RestJson.WriteAsync(ctx, 200, expanded, static (w, list) =>
        {
            w.WriteStartObject();
            foreach (var (name, status, info) in list)
            {
                w.WritePropertyName(name);
                w.WriteStartObject();
                if (status is not null)
                {
                    w.WritePropertyName("status");
                    RestJson.WriteConnectorStatus(w, status);
                }
                if (info is not null)
                {
                    w.WritePropertyName("info");
                    RestJson.WriteConnectorInfo(w, info);
                }
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private async Task CreateConnector(HttpContext ctx)
    {
        using var body = await RestJson.ReadBodyAsync(ctx).ConfigureAwait(false);
        var root = body.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new RestException(400, "The request body must be a JSON object with \"name\" and \"config\"");
        }
        var name = root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()!.Trim() : "";
        if (name.Length == 0)
        {
            throw new RestException(400, "Connector name must be specified in the \"name\" field");
        }
        if (!root.TryGetProperty("config", out var configElement) || configElement.ValueKind == JsonValueKind.Null)
        {
            throw new RestException(400, "Connector config must be specified in the \"config\" field");
        }
        var config = RestJson.NonNull(RestJson.ReadStringMap(configElement, "Connector config", allowNulls: false));
        CheckAndPutName(name, config);
        var initialState = ConnectorState.Running;
        if (root.TryGetProperty("initial_state", out var stateElement) && stateElement.ValueKind != JsonValueKind.Null)
        {
            initialState = stateElement.ValueKind == JsonValueKind.String ? stateElement.GetString()!.ToUpperInvariant() switch
            {
                "RUNNING" => ConnectorState.Running,
                "PAUSED" => ConnectorState.Paused,
                "STOPPED" => ConnectorState.Stopped,
                _ => ConnectorState.Unassigned,
            } : ConnectorState.Unassigned;
            if (initialState == ConnectorState.Unassigned)
            {
                throw new RestException(400, $"Invalid initial_state {stateElement.GetRawText()}: expected RUNNING, PAUSED or STOPPED");
            }
        }

        var (_, info) = await Call(ctx, (h, ct) => h.PutConnectorConfigAsync(name, config, allowReplace: false, ct)).ConfigureAwait(false);
        // The herder contract has no initial target state yet: apply it right after creation.
        if (initialState == ConnectorState.Paused)
        {
            await Call(ctx, (h, ct) => h.PauseConnectorAsync(name, ct)).ConfigureAwait(false);
        }
        else if (initialState == ConnectorState.Stopped)
        {
            await Call(ctx, (h, ct) => h.StopConnectorAsync(name, ct)).ConfigureAwait(false);
        }
        ctx.Response.Headers.Location = ConnectorLocation(ctx, name);
        await RestJson.WriteAsync(ctx, 201, info, RestJson.WriteConnectorInfo).ConfigureAwait(false);
    }

    /// <summary>Absolute, as Apache's JAX-RS <c>Response.created</c> resolves it against the request's base URI.</summary>
    private static string ConnectorLocation(HttpContext ctx, string name) =>
        $"{ctx.Request.Scheme}://{ctx.Request.Host}{ctx.Request.PathBase}/connectors/{Uri.EscapeDataString(name)}";

    private async Task GetConnector(HttpContext ctx)
    {
        var name = Route(ctx, "connector");
        var info = await Call(ctx, (h, ct) => h.ConnectorInfoAsync(name, ct)).ConfigureAwait(false);
        await RestJson.WriteAsync(ctx, 200, info, RestJson.WriteConnectorInfo).ConfigureAwait(false);
    }

    private async Task DeleteConnector(HttpContext ctx)
    {
        var name = Route(ctx, "connector");
        await Call(ctx, (h, ct) => h.DeleteConnectorAsync(name, ct)).ConfigureAwait(false);
        ctx.Response.StatusCode = 204;
    }

    private async Task GetConfig(HttpContext ctx)
    {
        var name = Route(ctx, "connector");
        var config = await Call(ctx, (h, ct) => h.ConnectorConfigAsync(name, ct)).ConfigureAwait(false);
        await RestJson.WriteAsync(ctx, 200, config, static (w, c) => RestJson.WriteStringMap(w, c)).ConfigureAwait(false);
    }

    private async Task PutConfig(HttpContext ctx)
    {
        var name = Route(ctx, "connector");
        using var body = await RestJson.ReadBodyAsync(ctx).ConfigureAwait(false);
        var config = RestJson.NonNull(RestJson.ReadStringMap(body.RootElement, "Connector config", allowNulls: false));
        CheckAndPutName(name, config);
        var (created, info) = await Call(ctx, (h, ct) => h.PutConnectorConfigAsync(name, config, allowReplace: true, ct)).ConfigureAwait(false);
        if (created)
        {
            ctx.Response.Headers.Location = ConnectorLocation(ctx, name);
        }
        await RestJson.WriteAsync(ctx, created ? 201 : 200, info, RestJson.WriteConnectorInfo).ConfigureAwait(false);
    }

    private async Task PatchConfig(HttpContext ctx)
    {
        var name = Route(ctx, "connector");
        using var body = await RestJson.ReadBodyAsync(ctx).ConfigureAwait(false);
        var patch = RestJson.ReadStringMap(body.RootElement, "Connector config patch", allowNulls: true);
        if (patch.TryGetValue(NameConfig, out var patchedName) && patchedName != name)
        {
            throw new RestException(400, $"Connector name configuration ({patchedName}) doesn't match connector name in the URL ({name})");
        }
        var info = await Call(ctx, (h, ct) => h.PatchConnectorConfigAsync(name, patch, ct)).ConfigureAwait(false);
        await RestJson.WriteAsync(ctx, 200, info, RestJson.WriteConnectorInfo).ConfigureAwait(false);
    }

    private async Task GetStatus(HttpContext ctx)
    {
        var name = Route(ctx, "connector");
        var status = await Call(ctx, (h, ct) => h.ConnectorStatusAsync(name, ct)).ConfigureAwait(false);
        await RestJson.WriteAsync(ctx, 200, status, RestJson.WriteConnectorStatus).ConfigureAwait(false);
    }

    private async Task GetTasks(HttpContext ctx)
    {
        var name = Route(ctx, "connector");
        var tasks = await Call(ctx, (h, ct) => h.TaskConfigsAsync(name, ct)).ConfigureAwait(false);
        await RestJson.WriteAsync(ctx, 200, tasks, static (w, list) =>
        {
            w.WriteStartArray();
            foreach (var task in list)
            {
                w.WriteStartObject();
                w.WritePropertyName("id");
                RestJson.WriteTaskId(w, task.Id);
                w.WritePropertyName("config");
                RestJson.WriteStringMap(w, task.Config);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }).ConfigureAwait(false);
    }

    // Internal: task configs from the worker that runs the connector, for the leader to write; signed with the session key.
    private async Task PutTaskConfigs(HttpContext ctx)
    {
        var name = Route(ctx, "connector");
        using var buffer = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(buffer, ctx.RequestAborted).ConfigureAwait(false);
        var body = buffer.ToArray();
        List<IReadOnlyDictionary<string, string>> configs;
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new RestException(400, "The request body must be a JSON array of task configurations");
            }
            configs = [];
            foreach (var element in doc.RootElement.EnumerateArray())
            {
                var map = RestJson.ReadStringMap(element, "task configuration", allowNulls: false);
                configs.Add(map.ToDictionary(kv => kv.Key, kv => kv.Value!, StringComparer.Ordinal));
            }
        }
        catch (JsonException e)
        {
            throw new RestException(400, "Malformed JSON in request body: " + e.Message);
        }
        InternalRequestSignature? signature = null;
        var encoded = ctx.Request.Headers[InternalRequestSignature.SignatureHeader].ToString();
        var algorithm = ctx.Request.Headers[InternalRequestSignature.AlgorithmHeader].ToString();
        if (encoded.Length > 0 || algorithm.Length > 0)
        {
            if (encoded.Length == 0 || algorithm.Length == 0)
            {
                throw new RestException(400, "Internal request missing required signature");
            }
            byte[] decoded;
            try
            {
                decoded = Convert.FromBase64String(encoded);
            }
            catch (FormatException)
            {
                throw new RestException(400, "Failed to decode request signature");
            }
            signature = new InternalRequestSignature(algorithm, decoded, body);
        }
        await Call(ctx, (h, ct) => h.PutTaskConfigsAsync(name, configs, signature, ct)).ConfigureAwait(false);
        ctx.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    // Deprecated in Apache 3.x but still served: {"<connector>-<task>": {config}}.
    private async Task GetTasksConfig(HttpContext ctx)
    {
        var name = Route(ctx, "connector");
        var tasks = await Call(ctx, (h, ct) => h.TaskConfigsAsync(name, ct)).ConfigureAwait(false);
        await RestJson.WriteAsync(ctx, 200, tasks, static (w, list) =>
        {
            w.WriteStartObject();
            foreach (var task in list)
            {
                w.WritePropertyName(task.Id.ToString());
                RestJson.WriteStringMap(w, task.Config);
            }
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private async Task GetTaskStatus(HttpContext ctx)
    {
        var id = TaskId(ctx);
        var status = await Call(ctx, (h, ct) => h.TaskStatusAsync(id, ct)).ConfigureAwait(false);
        await RestJson.WriteAsync(ctx, 200, status, RestJson.WriteTaskStatus).ConfigureAwait(false);
    }

    private async Task RestartTask(HttpContext ctx)
    {
        var id = TaskId(ctx);
        await Call(ctx, (h, ct) => h.RestartTaskAsync(id, ct)).ConfigureAwait(false);
        ctx.Response.StatusCode = 204;
    }

    private async Task RestartConnector(HttpContext ctx)
    {
        var name = Route(ctx, "connector");
        var includeTasks = QueryFlag(ctx, "includeTasks");
        var onlyFailed = QueryFlag(ctx, "onlyFailed");
        if (!includeTasks && !onlyFailed)
        {
            await Call(ctx, (h, ct) => h.RestartConnectorAsync(name, ct)).ConfigureAwait(false);
            ctx.Response.StatusCode = 204;
            return;
        }
        var request = new RestartRequest(name, onlyFailed, includeTasks);
        var status = await Call(ctx, (h, ct) => h.RestartConnectorAndTasksAsync(request, ct)).ConfigureAwait(false);
        await RestJson.WriteAsync(ctx, 202, status, RestJson.WriteConnectorStatus).ConfigureAwait(false);
    }

    private async Task Pause(HttpContext ctx)
    {
        var name = Route(ctx, "connector");
        await Call(ctx, (h, ct) => h.PauseConnectorAsync(name, ct)).ConfigureAwait(false);
        ctx.Response.StatusCode = 202;
    }

    private async Task Resume(HttpContext ctx)
    {
        var name = Route(ctx, "connector");
        await Call(ctx, (h, ct) => h.ResumeConnectorAsync(name, ct)).ConfigureAwait(false);
        ctx.Response.StatusCode = 202;
    }

    // Apache's stop resource returns void, which JAX-RS answers with 204 (not 202 like pause/resume).
    private async Task Stop(HttpContext ctx)
    {
        var name = Route(ctx, "connector");
        await Call(ctx, (h, ct) => h.StopConnectorAsync(name, ct)).ConfigureAwait(false);
        ctx.Response.StatusCode = 204;
    }

    private async Task GetOffsets(HttpContext ctx)
    {
        var name = Route(ctx, "connector");
        var offsets = await Call(ctx, (h, ct) => h.ConnectorOffsetsAsync(name, ct)).ConfigureAwait(false);
        await RestJson.WriteAsync(ctx, 200, offsets, RestJson.WriteOffsets).ConfigureAwait(false);
    }

    private async Task AlterOffsets(HttpContext ctx)
    {
        var name = Route(ctx, "connector");
        using var body = await RestJson.ReadBodyAsync(ctx).ConfigureAwait(false);
        var root = body.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("offsets", out var list)
            || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            throw new RestException(400, "Partitions / offsets need to be provided for an alter offsets request");
        }
        var offsets = new List<ConnectorOffset>(list.GetArrayLength());
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("partition", out var partition)
                || partition.ValueKind != JsonValueKind.Object)
            {
                throw new RestException(400, "Each entry of \"offsets\" needs a \"partition\" object");
            }
            Dictionary<string, object?>? offset = null;
            if (item.TryGetProperty("offset", out var o) && o.ValueKind != JsonValueKind.Null)
            {
                if (o.ValueKind != JsonValueKind.Object)
                {
                    throw new RestException(400, "An \"offset\" must be a JSON object or null");
                }
                offset = RestJson.ToDictionary(o);
            }
            offsets.Add(new ConnectorOffset(RestJson.ToDictionary(partition), offset));
        }
        var message = await Call(ctx, (h, ct) => h.AlterConnectorOffsetsAsync(name, offsets, ct)).ConfigureAwait(false);
        await WriteMessage(ctx, message).ConfigureAwait(false);
    }

    private async Task ResetOffsets(HttpContext ctx)
    {
        var name = Route(ctx, "connector");
        var message = await Call(ctx, (h, ct) => h.AlterConnectorOffsetsAsync(name, null, ct)).ConfigureAwait(false);
        await WriteMessage(ctx, message).ConfigureAwait(false);
    }

    private async Task GetTopics(HttpContext ctx)
    {
        var name = Route(ctx, "connector");
        var topics = await Call(ctx, (h, ct) => h.ConnectorActiveTopicsAsync(name, ct)).ConfigureAwait(false);
        await RestJson.WriteAsync(ctx, 200, (name, topics), static (w, s) =>
        {
            w.WriteStartObject();
            w.WritePropertyName(s.name);
            w.WriteStartObject();
            w.WritePropertyName("topics");
            RestJson.WriteStringArray(w, s.topics);
            w.WriteEndObject();
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private async Task ResetTopics(HttpContext ctx)
    {
        var name = Route(ctx, "connector");
        await Call(ctx, (h, ct) => h.ResetConnectorActiveTopicsAsync(name, ct)).ConfigureAwait(false);
        ctx.Response.StatusCode = 202;
    }

    // --- plugins ----------------------------------------------------------------------------------------

    private Task ListPlugins(HttpContext ctx)
    {
        var connectorsOnly = !ctx.Request.Query.TryGetValue("connectorsOnly", out var v) || !bool.TryParse(v.ToString(), out var b) || b;
        var plugins = herder.Plugins(connectorsOnly);
        return RestJson.WriteAsync(ctx, 200, plugins, static (w, list) =>
        {
            w.WriteStartArray();
            foreach (var plugin in list)
            {
                w.WriteStartObject();
                w.WriteString("class", plugin.ClassName);
                w.WriteString("type", RestJson.PluginTypeName(plugin.Type));
                // Apache leaves the version out for plugins that do not declare one.
                if (!string.IsNullOrEmpty(plugin.Version) && plugin.Version != "undefined")
                {
                    w.WriteString("version", plugin.Version);
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
    }

    private Task GetPluginConfig(HttpContext ctx)
    {
        var keys = herder.PluginConfig(Route(ctx, "plugin"));
        return RestJson.WriteAsync(ctx, 200, keys, static (w, list) =>
        {
            w.WriteStartArray();
            foreach (var key in list)
            {
                RestJson.WriteConfigKey(w, key);
            }
            w.WriteEndArray();
        });
    }

    private async Task Validate(HttpContext ctx)
    {
        var plugin = Route(ctx, "plugin");
        using var body = await RestJson.ReadBodyAsync(ctx).ConfigureAwait(false);
        var config = RestJson.NonNull(RestJson.ReadStringMap(body.RootElement, "Connector config", allowNulls: false));
        if (config.TryGetValue(ConnectorClassConfig, out var included)
            && !NormalizedPluginName(included).EndsWith(NormalizedPluginName(plugin), StringComparison.Ordinal))
        {
            throw new RestException(400, $"Included connector type {included} does not match request type {plugin}");
        }
        var infos = await Call(ctx, (h, ct) => h.ValidateConnectorConfigAsync(plugin, config, ct)).ConfigureAwait(false);
        await RestJson.WriteAsync(ctx, 200, infos, RestJson.WriteConfigInfos).ConfigureAwait(false);
    }

    // --- loggers ----------------------------------------------------------------------------------------

    private Task ListLoggers(HttpContext ctx) =>
        RestJson.WriteAsync(ctx, 200, logLevels.AllLevels(), static (w, all) =>
        {
            w.WriteStartObject();
            foreach (var (name, (level, lastModified)) in all)
            {
                w.WritePropertyName(name);
                WriteLoggerLevel(w, level, lastModified);
            }
            w.WriteEndObject();
        });

    private Task GetLogger(HttpContext ctx)
    {
        var name = Route(ctx, "logger");
        if (!logLevels.TryGetLevel(name, out var level, out var lastModified))
        {
            throw new RestException(404, $"Logger {name} not found.");
        }
        return RestJson.WriteAsync(ctx, 200, (level, lastModified), static (w, s) => WriteLoggerLevel(w, s.level, s.lastModified));
    }

    private async Task SetLogger(HttpContext ctx)
    {
        var name = Route(ctx, "logger");
        using var body = await RestJson.ReadBodyAsync(ctx).ConfigureAwait(false);
        var map = RestJson.ReadStringMap(body.RootElement, "Logger level request", allowNulls: true);
        if (!map.TryGetValue("level", out var levelText) || levelText is null)
        {
            throw new RestException(400, "Desired 'level' parameter was not specified in request.");
        }
        if (!LogLevelRegistry.TryParseLevel(levelText, out var level))
        {
            throw new RestException(400, $"invalid log level '{levelText}'.");
        }
        if (string.Equals(ctx.Request.Query["scope"].ToString(), "cluster", StringComparison.OrdinalIgnoreCase))
        {
            // In a cluster the level goes through the config topic and every worker (this one too) applies it when it
            // reads it; a standalone worker is its own cluster and applies it here.
            if (!await Call(ctx, (h, ct) => h.SetClusterLoggerLevelAsync(name, LogLevelRegistry.LevelName(level), ct)).ConfigureAwait(false))
            {
                logLevels.SetLevel(name, level);
            }
            ctx.Response.StatusCode = 204;
            return;
        }
        var affected = logLevels.SetLevel(name, level);
        await RestJson.WriteAsync(ctx, 200, affected, static (w, list) => RestJson.WriteStringArray(w, list)).ConfigureAwait(false);
    }

    // --- helpers ----------------------------------------------------------------------------------------

    private async Task<T> Call<T>(HttpContext ctx, Func<IHerder, CancellationToken, Task<T>> operation)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
        cts.CancelAfter(requestTimeout);
        try
        {
            return await operation(herder, cts.Token).WaitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ctx.RequestAborted.IsCancellationRequested)
        {
            throw new RestException(500, "Request timed out");
        }
    }

    private Task Call(HttpContext ctx, Func<IHerder, CancellationToken, Task> operation) =>
        Call(ctx, async (h, ct) =>
        {
            await operation(h, ct).ConfigureAwait(false);
            return true;
        });

    private static Task WriteMessage(HttpContext ctx, string message) =>
        RestJson.WriteAsync(ctx, 200, message, static (w, m) =>
        {
            w.WriteStartObject();
            w.WriteString("message", m);
            w.WriteEndObject();
        });

    private static void WriteLoggerLevel(Utf8JsonWriter w, Microsoft.Extensions.Logging.LogLevel level, long? lastModified)
    {
        w.WriteStartObject();
        w.WriteString("level", LogLevelRegistry.LevelName(level));
        if (lastModified is { } t)
        {
            w.WriteNumber("last_modified", t);
        }
        else
        {
            w.WriteNull("last_modified");
        }
        w.WriteEndObject();
    }

    private static string Route(HttpContext ctx, string key) =>
        ctx.Request.RouteValues[key] as string ?? throw new RestException(404, "HTTP 404 Not Found");

    private static ConnectorTaskId TaskId(HttpContext ctx)
    {
        var connector = Route(ctx, "connector");
        var text = Route(ctx, "task");
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var task))
        {
            throw new RestException(400, $"Task id '{text}' is not a non-negative integer");
        }
        return new ConnectorTaskId(connector, task);
    }

    private static bool QueryFlag(HttpContext ctx, string name)
    {
        if (!ctx.Request.Query.TryGetValue(name, out var value))
        {
            return false;
        }
        if (bool.TryParse(value.ToString(), out var flag))
        {
            return flag;
        }
        throw new RestException(400, $"Query parameter {name} must be true or false");
    }

    private static void CheckAndPutName(string name, Dictionary<string, string> config)
    {
        if (config.TryGetValue(NameConfig, out var included))
        {
            if (included != name)
            {
                throw new RestException(400, $"Connector name configuration ({included}) doesn't match connector name in the URL ({name})");
            }
        }
        else
        {
            config[NameConfig] = name;
        }
    }

    private static string NormalizedPluginName(string pluginName) =>
        pluginName.EndsWith("Connector", StringComparison.Ordinal) && pluginName.Length > "Connector".Length
            ? pluginName[..^"Connector".Length]
            : pluginName;
}
