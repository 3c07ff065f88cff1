using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.SchemaRegistry;

/// <summary>
/// <see cref="ISchemaRegistryClient"/> over HTTP, with Confluent's REST API and failover across the configured URLs.
/// Ids and versions never change once assigned, so those answers are cached for good in lock-free dictionaries;
/// only "latest" expires.
/// </summary>
internal sealed class CachedSchemaRegistryClient : ISchemaRegistryClient
{
    private const string ContentType = "application/vnd.schemaregistry.v1+json";

    private readonly RegistryConverterConfig _config;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly Uri[] _urls;
    private readonly AuthenticationHeaderValue?[] _auth;
    private readonly ConcurrentDictionary<int, RegistrySchema> _byId = new();
    private readonly ConcurrentDictionary<(string Subject, string Schema), int> _registered = new();
    private readonly ConcurrentDictionary<(string Subject, string Schema), RegisteredSchema> _lookedUp = new();
    private readonly ConcurrentDictionary<(string Subject, int Version), RegisteredSchema> _versions = new();
    private readonly ConcurrentDictionary<string, (RegisteredSchema Schema, DateTimeOffset At)> _latest = new();
    private readonly ConcurrentDictionary<string, int> _perSubject = new();
    private int _current;
    private volatile string? _tlsProblem;

    public CachedSchemaRegistryClient(RegistryConverterConfig config, TimeProvider time)
    {
        _config = config;
        _time = time;
        _urls = [.. config.Urls.Select(WithoutUserInfo)];
        _auth = [.. config.Urls.Select(u => AuthFor(config, u))];
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = config.ConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        };
        if (config.Tls is { } tls)
        {
            handler.SslOptions.EnabledSslProtocols = tls.Protocols;
            handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, errors) =>
            {
                // The handler only learns yes or no; keep the reason for the error the caller sees.
                var reason = tls.ValidateServerCertificate(cert, errors, "(registry)");
                _tlsProblem = reason;
                return reason is null;
            };
            if (tls.Key is { } key)
            {
                handler.SslOptions.ClientCertificates = [key.Certificate];
            }
        }
        _http = new HttpClient(handler) { Timeout = config.ReadTimeout };
    }

    public int Register(string subject, RegistrySchema schema, bool normalize = false)
    {
        var key = (subject, schema.Identity());
        if (_registered.TryGetValue(key, out var id))
        {
            return id;
        }
        CheckRoomFor(subject);
        using var body = Send(HttpMethod.Post, $"subjects/{Escape(subject)}/versions{(normalize ? "?normalize=true" : "")}", SchemaBody(schema));
        id = body.RootElement.GetProperty("id").GetInt32();
        if (_registered.TryAdd(key, id))
        {
            _perSubject.AddOrUpdate(subject, 1, (_, n) => n + 1);
        }
        _byId.TryAdd(id, schema);
        return id;
    }

    public RegisteredSchema Lookup(string subject, RegistrySchema schema, bool normalize = false)
    {
        var key = (subject, schema.Identity());
        if (_lookedUp.TryGetValue(key, out var found))
        {
            return found;
        }
        CheckRoomFor(subject);
        using var body = Send(HttpMethod.Post, $"subjects/{Escape(subject)}{(normalize ? "?normalize=true" : "")}", SchemaBody(schema));
        found = ReadRegistered(body.RootElement, subject);
        if (_lookedUp.TryAdd(key, found))
        {
            _perSubject.AddOrUpdate(subject, 1, (_, n) => n + 1);
        }
        _byId.TryAdd(found.Id, found.Schema);
        return found;
    }

    public RegistrySchema GetById(int id)
    {
        if (_byId.TryGetValue(id, out var schema))
        {
            return schema;
        }
        using var body = Send(HttpMethod.Get, $"schemas/ids/{id}", null);
        schema = ReadSchema(body.RootElement);
        _byId.TryAdd(id, schema);
        return schema;
    }

    public RegisteredSchema GetLatest(string subject)
    {
        var now = _time.GetUtcNow();
        if (_latest.TryGetValue(subject, out var cached) && (_config.LatestCacheTtl is not { } ttl || now - cached.At < ttl))
        {
            return cached.Schema;
        }
        using var body = Send(HttpMethod.Get, $"subjects/{Escape(subject)}/versions/latest", null);
        var latest = ReadRegistered(body.RootElement, subject);
        _latest[subject] = (latest, now);
        _versions.TryAdd((subject, latest.Version), latest);
        _byId.TryAdd(latest.Id, latest.Schema);
        return latest;
    }

    public RegisteredSchema GetVersion(string subject, int version)
    {
        if (_versions.TryGetValue((subject, version), out var found))
        {
            return found;
        }
        using var body = Send(HttpMethod.Get, $"subjects/{Escape(subject)}/versions/{version}", null);
        found = ReadRegistered(body.RootElement, subject);
        _versions.TryAdd((subject, version), found);
        _byId.TryAdd(found.Id, found.Schema);
        return found;
    }

    public bool TestCompatibility(string subject, RegistrySchema schema, string version = "latest")
    {
        using var body = Send(HttpMethod.Post, $"compatibility/subjects/{Escape(subject)}/versions/{Escape(version)}", SchemaBody(schema));
        return body.RootElement.GetProperty("is_compatible").GetBoolean();
    }

    public void Dispose() => _http.Dispose();

    // Confluent's client refuses to cache an unbounded number of schemas per subject: a schema built anew for every
    // record would otherwise grow the caches (and the registry) without end. Only cached schemas count, so requests
    // retried while the registry is down do not use the room up.
    private void CheckRoomFor(string subject)
    {
        if (_perSubject.TryGetValue(subject, out var count) && count >= _config.MaxSchemasPerSubject)
        {
            throw new DataException(
                $"Too many schema objects created for {subject}! (more than {RegistryConverterConfig.MaxSchemasPerSubjectConfig}={_config.MaxSchemasPerSubject}; is a new schema built for every record?)");
        }
    }

    private static byte[] SchemaBody(RegistrySchema schema)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("schema", schema.Schema);
            // Confluent omits the type for Avro, the registry's default; older registries reject the field.
            if (schema.SchemaType != RegistrySchema.Avro)
            {
                json.WriteString("schemaType", schema.SchemaType);
            }
            if (schema.References.Count > 0)
            {
                json.WriteStartArray("references");
                foreach (var r in schema.References)
                {
                    json.WriteStartObject();
                    json.WriteString("name", r.Name);
                    json.WriteString("subject", r.Subject);
                    json.WriteNumber("version", r.Version);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static RegistrySchema ReadSchema(JsonElement body)
    {
        var type = body.TryGetProperty("schemaType", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : RegistrySchema.Avro;
        List<SchemaReference>? refs = null;
        if (body.TryGetProperty("references", out var r) && r.ValueKind == JsonValueKind.Array)
        {
            refs = [.. r.EnumerateArray().Select(e => new SchemaReference(
                e.GetProperty("name").GetString()!, e.GetProperty("subject").GetString()!, e.GetProperty("version").GetInt32()))];
        }
        return new RegistrySchema(body.GetProperty("schema").GetString()!, type, refs);
    }

    private static RegisteredSchema ReadRegistered(JsonElement body, string subject) => new(
        body.TryGetProperty("subject", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : subject,
        body.GetProperty("id").GetInt32(),
        body.GetProperty("version").GetInt32(),
        ReadSchema(body));

    /// <summary>
    /// Sends to the URL that last answered, moving on to the next when one cannot be reached or answers 5xx; after a
    /// round of every URL it waits (doubling from retries.wait.ms) and tries again, up to max.retries rounds.
    /// </summary>
    private JsonDocument Send(HttpMethod method, string path, byte[]? body)
    {
        var wait = _config.RetryWait;
        string? lastProblem = null;
        for (var round = 0; round <= _config.MaxRetries; round++)
        {
            if (round > 0)
            {
                Thread.Sleep(wait);
                wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, _config.RetryMaxWait.Ticks));
            }
            for (var tried = 0; tried < _urls.Length; tried++)
            {
                var index = (Volatile.Read(ref _current) + tried) % _urls.Length;
                var uri = new Uri(_urls[index], path);
                using var request = new HttpRequestMessage(method, uri);
                request.Headers.Accept.ParseAdd("application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5");
                if (_auth[index] is { } auth)
                {
                    request.Headers.Authorization = auth;
                }
                if (body is not null)
                {
                    request.Content = new ByteArrayContent(body);
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue(ContentType);
                }
                HttpResponseMessage response;
                try
                {
                    response = _http.Send(request);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or SocketException or IOException)
                {
                    lastProblem = $"{Redacted(uri)}: {(e is TaskCanceledException ? $"no answer within {_config.ReadTimeout.TotalMilliseconds} ms" : e.Message)}";
                    if (_tlsProblem is { } tlsProblem)
                    {
                        lastProblem += $" ({tlsProblem.Replace("(registry)", uri.Host, StringComparison.Ordinal)})";
                        _tlsProblem = null;
                    }
                    continue;
                }
                using (response)
                {
                    var text = ReadBody(response);
                    if ((int)response.StatusCode >= 500)
                    {
                        lastProblem = $"{Redacted(uri)}: {(int)response.StatusCode} {Message(text)}";
                        continue;
                    }
                    Volatile.Write(ref _current, index);
                    if (!response.IsSuccessStatusCode)
                    {
                        throw Error(response.StatusCode, text, method, uri);
                    }
                    try
                    {
                        return JsonDocument.Parse(text);
                    }
                    catch (JsonException e)
                    {
                        throw new DataException($"Schema Registry at {Redacted(uri)} answered {method} with something that is not JSON: {e.Message}");
                    }
                }
            }
        }
        throw new RetriableException(
            $"Schema Registry not reachable ({string.Join(", ", _urls.Select(Redacted))}) after {_config.MaxRetries + 1} attempt(s) of every URL; last problem: {lastProblem}");
    }

    private static string ReadBody(HttpResponseMessage response)
    {
        using var stream = response.Content.ReadAsStream();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static SchemaRegistryException Error(HttpStatusCode status, string text, HttpMethod method, Uri uri)
    {
        var code = (int)status;
        var message = text;
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.TryGetProperty("error_code", out var c) && c.TryGetInt32(out var ec))
            {
                code = ec;
            }
            message = Message(text);
        }
        catch (JsonException)
        {
        }
        return new SchemaRegistryException((int)status, code,
            $"Schema Registry {method} {uri.AbsolutePath}: {message} (error code {code})");
    }

    private static string Message(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("message", out var m))
            {
                return m.ToString();
            }
        }
        catch (JsonException)
        {
        }
        return text.Length > 300 ? text[..300] : text;
    }

    private static string Escape(string segment) => Uri.EscapeDataString(segment);

    private static Uri WithoutUserInfo(Uri url)
    {
        var builder = new UriBuilder(url) { UserName = string.Empty, Password = string.Empty };
        if (!builder.Path.EndsWith('/'))
        {
            builder.Path += "/";
        }
        return builder.Uri;
    }

    private static string Redacted(Uri url) => url.GetLeftPart(UriPartial.Authority);

    private static AuthenticationHeaderValue? AuthFor(RegistryConverterConfig config, Uri url)
    {
        var info = config.AuthSource == BasicAuthSource.UserInfo ? config.UserInfo : Uri.UnescapeDataString(url.UserInfo);
        return string.IsNullOrEmpty(info) ? null : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(info)));
    }
}
