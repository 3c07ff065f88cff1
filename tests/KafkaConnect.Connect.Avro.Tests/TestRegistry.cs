using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KafkaConnect.Broker;
using KafkaConnect.Broker.Configuration;
using KafkaConnect.SchemaRegistry;

namespace KafkaConnect.Connect.Avro.Tests;

/// <summary>
/// The project's real Schema Registry (src/KafkaConnect.SchemaRegistry) on an in-process broker, reached through a
/// small counting proxy: the tests see every request a converter or Confluent's serdes make, so they can prove that
/// cache hits reach no registry. The proxy forwards each request unchanged and returns the registry's answer.
/// </summary>
internal sealed class TestRegistry : IDisposable
{
    private readonly KafkaBroker _broker;
    private readonly SchemaRegistryServer _server;
    private readonly string _dataDir;
    private readonly HttpClient _upstream;
    private readonly HttpListener _listener = new();
    private readonly Thread _loop;
    private int _requests;

    private TestRegistry(KafkaBroker broker, SchemaRegistryServer server, string dataDir, int port)
    {
        _broker = broker;
        _server = server;
        _dataDir = dataDir;
        _upstream = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromSeconds(30) };
        Url = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Url + "/");
        _listener.Start();
        // A thread of its own: converters call synchronously, and tests that block pool threads must not starve it.
        _loop = new Thread(Serve) { IsBackground = true, Name = "test-registry-proxy" };
        _loop.Start();
    }

    public string Url { get; }

    /// <summary>HTTP requests answered so far, to prove cache hits reach no registry.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public static TestRegistry Start()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "kc-avro-tests-" + Guid.NewGuid().ToString("N"));
        var broker = KafkaBroker.StartAsync(BrokerConfig.Create(new Dictionary<string, string>
        {
            ["listeners"] = "PLAINTEXT://127.0.0.1:0",
            ["log.dirs"] = dataDir,
            ["num.partitions"] = "1",
            // The registry elects its leader through a group; without this the broker holds the first join for 3 s.
            ["group.initial.rebalance.delay.ms"] = "0",
        })).GetAwaiter().GetResult();
        var server = SchemaRegistryServer.StartAsync(SchemaRegistryOptions.FromProperties(new Dictionary<string, string>
        {
            ["listeners"] = "http://127.0.0.1:0",
            ["kafkastore.bootstrap.servers"] = broker.BootstrapServers,
            // The converter tests register unrelated schemas under reused subjects; rules are the registry's own tests' job.
            ["schema.compatibility.level"] = "none",
        })).GetAwaiter().GetResult();
        // Writes wait for the election; waiting here keeps that time out of the converters' short HTTP timeouts.
        var elected = System.Diagnostics.Stopwatch.StartNew();
        while (!server.IsLeader)
        {
            if (elected.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new InvalidOperationException("the test registry was not elected leader within 60 s");
            }
            Thread.Sleep(10);
        }
        return new TestRegistry(broker, server, dataDir, FreePort());
    }

    /// <summary>A loopback URL where nothing listens, for the registry-down cases.</summary>
    public static string DeadUrl() => $"http://127.0.0.1:{FreePort()}";

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    /// <summary>Registers a schema (Avro unless <paramref name="schemaType"/> says) directly with the registry (not counted).</summary>
    public int Register(string subject, string schema, string? schemaType = null)
    {
        var request = new JsonObject { ["schema"] = schema };
        if (schemaType is not null)
        {
            request["schemaType"] = schemaType;
        }
        var body = request.ToJsonString();
        using var content = new StringContent(body, Encoding.UTF8, "application/vnd.schemaregistry.v1+json");
        using var response = _upstream.PostAsync($"subjects/{Uri.EscapeDataString(subject)}/versions", content).GetAwaiter().GetResult();
        var text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        Assert.True(response.IsSuccessStatusCode, $"registering under {subject}: {text}");
        return JsonNode.Parse(text)!["id"]!.GetValue<int>();
    }

    /// <summary>The schema text the registry holds under <paramref name="id"/> (not counted).</summary>
    public string SchemaById(int id)
    {
        var text = _upstream.GetStringAsync($"schemas/ids/{id}").GetAwaiter().GetResult();
        return JsonNode.Parse(text)!["schema"]!.GetValue<string>();
    }

    /// <summary>The registry's answer for the latest version of <paramref name="subject"/> (not counted).</summary>
    public JsonNode Latest(string subject) =>
        JsonNode.Parse(_upstream.GetStringAsync($"subjects/{Uri.EscapeDataString(subject)}/versions/latest").GetAwaiter().GetResult())!;

    public void Dispose()
    {
        try
        {
            _listener.Stop();
            _listener.Close();
        }
        catch (HttpListenerException)
        {
            // Seen once under heavy load: the managed listener reports a bind conflict of its own prefix while closing;
            // the test has run by then, and nothing is left to release.
        }
        _loop.Join(TimeSpan.FromSeconds(5));
        _upstream.Dispose();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _broker.DisposeAsync().AsTask().GetAwaiter().GetResult();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
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
                Forward(context);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
            {
                context.Response.StatusCode = 502;
                context.Response.Close();
            }
        }
    }

    private void Forward(HttpListenerContext context)
    {
        var request = context.Request;
        using var message = new HttpRequestMessage(new HttpMethod(request.HttpMethod), request.Url!.PathAndQuery.TrimStart('/'));
        if (request.HasEntityBody)
        {
            using var input = new MemoryStream();
            request.InputStream.CopyTo(input);
            message.Content = new ByteArrayContent(input.ToArray());
            if (request.ContentType is { } type)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }
        }
        if (request.Headers["Accept"] is { } accept)
        {
            message.Headers.TryAddWithoutValidation("Accept", accept);
        }
        using var answer = _upstream.Send(message);
        var bytes = answer.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
        var response = context.Response;
        response.StatusCode = (int)answer.StatusCode;
        response.ContentType = answer.Content.Headers.ContentType?.ToString() ?? "application/json";
        response.ContentLength64 = bytes.Length;
        response.OutputStream.Write(bytes);
        response.Close();
    }
}
