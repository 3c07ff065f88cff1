using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KafkaConnect.Connect.Avro.Tests;

/// <summary>
/// A small real HTTP registry speaking the part of Confluent's REST API that converters and Confluent's .NET serdes call
/// (register, lookup, schemas by id, subject versions, compatibility), kept in memory.
/// </summary>
/// <remarks>
/// Unavoidable stand-in: the project's own Schema Registry (src/KafkaConnect.SchemaRegistry, on the registry branch) has
/// not landed on main yet. Once it has, <see cref="Start"/> should start that server in-process through the API its
/// docs/schema-registry.md announces, and this class goes. It checks no compatibility rules; the interop tests only need
/// ids, subjects and versions, which both Confluent's client and ours exchange over real HTTP with it.
/// </remarks>
internal sealed class TestRegistry : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Lock _lock = new();
    private readonly List<(string Schema, string Type)> _schemas = []; // id - 1 → schema
    private readonly Dictionary<string, List<int>> _subjects = new(StringComparer.Ordinal); // subject → ids by version - 1
    private readonly Thread _loop;
    private int _requests;

    private TestRegistry(int port)
    {
        Url = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Url + "/");
        _listener.Start();
        // A thread of its own: converters call synchronously, and tests that block pool threads must not starve it.
        _loop = new Thread(Serve) { IsBackground = true, Name = "test-registry" };
        _loop.Start();
    }

    public string Url { get; }

    /// <summary>HTTP requests answered so far, to prove cache hits reach no registry.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Request lines the registry did not know, to see what a client needed that is missing here.</summary>
    public List<string> Unknown { get; } = [];

    public static TestRegistry Start()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new TestRegistry(port);
    }

    /// <summary>A loopback URL where nothing listens, for the registry-down cases.</summary>
    public static string DeadUrl()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return $"http://127.0.0.1:{port}";
    }

    public int Register(string subject, string schema)
    {
        lock (_lock)
        {
            return RegisterLocked(subject, schema, "AVRO");
        }
    }

    public string SchemaById(int id)
    {
        lock (_lock)
        {
            return _schemas[id - 1].Schema;
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Join(TimeSpan.FromSeconds(5));
    }

    private void Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = _listener.GetContext();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            Interlocked.Increment(ref _requests);
            try
            {
                var (status, body) = Handle(context.Request);
                Respond(context.Response, status, body);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Respond(context.Response, 500, new JsonObject { ["error_code"] = 50001, ["message"] = e.Message });
            }
        }
    }

    private static void Respond(HttpListenerResponse response, int status, JsonNode body)
    {
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        response.StatusCode = status;
        response.ContentType = "application/vnd.schemaregistry.v1+json";
        response.ContentLength64 = bytes.Length;
        response.OutputStream.Write(bytes);
        response.Close();
    }

    private (int Status, JsonNode Body) Handle(HttpListenerRequest request)
    {
        var parts = request.Url!.AbsolutePath.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        JsonObject? input = null;
        if (request.HasEntityBody)
        {
            using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
            input = JsonNode.Parse(reader.ReadToEnd()) as JsonObject;
        }
        lock (_lock)
        {
            switch (request.HttpMethod, parts)
            {
                case ("POST", ["subjects", var subject, "versions"]):
                    return (200, new JsonObject { ["id"] = RegisterLocked(subject, SchemaOf(input), TypeOf(input)) });
                case ("POST", ["subjects", var subject]):
                {
                    if (!_subjects.TryGetValue(subject, out var ids))
                    {
                        return Error(404, 40401, $"Subject '{subject}' not found.");
                    }
                    var schema = SchemaOf(input);
                    var version = ids.FindIndex(id => _schemas[id - 1].Schema == schema);
                    return version < 0 ? Error(404, 40403, "Schema not found") : (200, Registered(subject, version + 1));
                }
                case ("GET", ["schemas", "ids", var idText]):
                {
                    var id = int.Parse(idText, System.Globalization.CultureInfo.InvariantCulture);
                    if (id < 1 || id > _schemas.Count)
                    {
                        return Error(404, 40403, "Schema " + id + " not found");
                    }
                    var body = new JsonObject { ["schema"] = _schemas[id - 1].Schema };
                    if (_schemas[id - 1].Type != "AVRO")
                    {
                        body["schemaType"] = _schemas[id - 1].Type;
                    }
                    return (200, body);
                }
                case ("GET", ["subjects", var subject, "versions", var versionText]):
                {
                    if (!_subjects.TryGetValue(subject, out var ids))
                    {
                        return Error(404, 40401, $"Subject '{subject}' not found.");
                    }
                    var version = versionText == "latest" ? ids.Count : int.Parse(versionText, System.Globalization.CultureInfo.InvariantCulture);
                    return version < 1 || version > ids.Count ? Error(404, 40402, "Version " + versionText + " not found.") : (200, Registered(subject, version));
                }
                case ("GET", ["subjects"]):
                    return (200, new JsonArray(_subjects.Keys.Select(k => (JsonNode)JsonValue.Create(k)).ToArray()));
                case ("GET", ["associations", ..]):
                    // Confluent.SchemaRegistry 2.16 probes this newer API first and falls back on a 404, as from older registries.
                    return Error(404, 404, "HTTP 404 Not Found");
                case ("POST", ["compatibility", "subjects", _, "versions", _]):
                    return (200, new JsonObject { ["is_compatible"] = true });
                default:
                    Unknown.Add(request.HttpMethod + " " + request.Url.PathAndQuery);
                    return Error(404, 404, "HTTP 404 Not Found");
            }
        }
    }

    private int RegisterLocked(string subject, string schema, string type)
    {
        if (!_subjects.TryGetValue(subject, out var ids))
        {
            _subjects[subject] = ids = [];
        }
        foreach (var existing in ids)
        {
            if (_schemas[existing - 1].Schema == schema)
            {
                return existing;
            }
        }
        var id = _schemas.FindIndex(s => s.Schema == schema && s.Type == type) + 1;
        if (id == 0)
        {
            _schemas.Add((schema, type));
            id = _schemas.Count;
        }
        ids.Add(id);
        return id;
    }

    private JsonObject Registered(string subject, int version)
    {
        var id = _subjects[subject][version - 1];
        return new JsonObject { ["subject"] = subject, ["version"] = version, ["id"] = id, ["schema"] = _schemas[id - 1].Schema };
    }

    private static string SchemaOf(JsonObject? input) =>
        input?["schema"]?.GetValue<string>() ?? throw new JsonException("no schema in the request");

    private static string TypeOf(JsonObject? input) =>
        input?["schemaType"] is JsonValue t && t.GetValueKind() == JsonValueKind.String ? t.GetValue<string>() : "AVRO";

    private static (int, JsonNode) Error(int status, int code, string message) =>
        (status, new JsonObject { ["error_code"] = code, ["message"] = message });
}
