using System.Collections.Frozen;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace KafkaConnect.Connect.Ui;

/// <summary>
/// The web UI at <c>/ui</c>: a page and its scripts, embedded in this assembly, that drive the worker's own REST API
/// from the browser (so REST authentication, forwarding to the leader and secret masking apply to it unchanged), plus
/// two endpoints of its own: the live record view of a topic, and the record counters behind the overview's Records/s.
/// </summary>
public sealed class ConnectUi
{
    public const string BasePath = "/ui";

    // Served as application/json only, so HTML-sensitive characters need no escaping.
    private static readonly JsonWriterOptions s_json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly FrozenDictionary<string, Asset> _assets;
    private readonly ITopicTail? _topics;
    private readonly Func<IReadOnlyDictionary<string, double>>? _recordTotals;

    private ConnectUi(FrozenDictionary<string, Asset> assets, ITopicTail? topics, Func<IReadOnlyDictionary<string, double>>? recordTotals)
    {
        _assets = assets;
        _topics = topics;
        _recordTotals = recordTotals;
    }

    /// <summary>Loads the embedded assets (compressed once, here) and serves topic records through <paramref name="topics"/>.</summary>
    /// <param name="recordTotals">Records written (source) or sent (sink) so far per connector on this worker; null when
    /// the worker keeps no metrics.</param>
    public static ConnectUi Create(ITopicTail? topics = null, Func<IReadOnlyDictionary<string, double>>? recordTotals = null)
    {
        var assembly = typeof(ConnectUi).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith("ui/", StringComparison.Ordinal))
            {
                continue;
            }
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var name = resource["ui/".Length..];
            assets[name] = Asset.Create(name, buffer.ToArray());
        }
        return new ConnectUi(assets.ToFrozenDictionary(StringComparer.Ordinal), topics, recordTotals);
    }

    /// <summary>The names of the embedded files (for tests and docs).</summary>
    public IReadOnlyCollection<string> Files => _assets.Keys;

    public void Map(IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        // Routing treats /ui and /ui/ alike; the page's relative links need the slash.
        routes.MapGet(BasePath, ctx =>
        {
            if (!ctx.Request.Path.Value!.EndsWith('/'))
            {
                ctx.Response.Redirect(ctx.Request.PathBase + BasePath + "/");
                return Task.CompletedTask;
            }
            return ServeAsync(ctx, "index.html");
        });
        routes.MapGet(BasePath + "/api/topics/{topic}/records", TopicRecordsAsync);
        routes.MapGet(BasePath + "/api/throughput", ThroughputAsync);
        routes.MapGet(BasePath + "/{file}", ctx => ServeAsync(ctx, (string)ctx.Request.RouteValues["file"]!));
    }

    private Task ServeAsync(HttpContext ctx, string file)
    {
        if (!_assets.TryGetValue(file, out var asset))
        {
            ctx.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        var response = ctx.Response;
        response.Headers.ETag = asset.ETag;
        // Revalidated on each load (a 304 costs no body), so a new worker version is picked up at once.
        response.Headers.CacheControl = "no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.Vary = HeaderNames.AcceptEncoding;
        if (ctx.Request.Headers.IfNoneMatch.Contains(asset.ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        response.ContentType = asset.ContentType;
        var body = asset.Raw;
        if (AcceptsGzip(ctx.Request))
        {
            response.Headers.ContentEncoding = "gzip";
            body = asset.Gzip;
        }
        response.ContentLength = body.Length;
        return HttpMethods.IsHead(ctx.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body).AsTask();
    }

    private static bool AcceptsGzip(HttpRequest request)
    {
        foreach (var value in request.Headers.AcceptEncoding)
        {
            if (value is not null && value.Contains("gzip", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    // GET /ui/api/topics/{topic}/records?after=0:41,1:7&max=50: records after the given positions (the last ones of
    // each partition when a partition has none), for the live view.
    private async Task TopicRecordsAsync(HttpContext ctx)
    {
        var topic = (string)ctx.Request.RouteValues["topic"]!;
        if (_topics is null)
        {
            await WriteErrorAsync(ctx, StatusCodes.Status404NotFound, "The live record view is not available on this worker.").ConfigureAwait(false);
            return;
        }
        if (!TryParsePositions(ctx.Request.Query["after"], out var after) || !TryParseMax(ctx.Request.Query["max"], out var max))
        {
            await WriteErrorAsync(ctx, StatusCodes.Status400BadRequest,
                "Query parameters: after=<partition>:<offset>,... and max=1..500.").ConfigureAwait(false);
            return;
        }
        TopicSample sample;
        try
        {
            sample = await _topics.ReadAsync(topic, after, max, ctx.RequestAborted).ConfigureAwait(false);
        }
        catch (TopicTailException ex)
        {
            await WriteErrorAsync(ctx, ex.StatusCode, ex.Message).ConfigureAwait(false);
            return;
        }
        ctx.Response.ContentType = "application/json";
        ctx.Response.Headers.CacheControl = "no-store";
        // Relaxed escaping (s_json): record values are mostly JSON themselves, and \u0022 for each quote would double them.
        await using var w = new Utf8JsonWriter(ctx.Response.Body, s_json);
        TopicSampleJson.Write(w, sample);
        await w.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
    }

    // GET /ui/api/throughput: {"connector": records so far, ...}; the page turns two samples into records/s. The whole
    // /metrics exposition it replaces is ~3 MB of text at 500 connectors, made and parsed on every refresh.
    private async Task ThroughputAsync(HttpContext ctx)
    {
        if (_recordTotals is null)
        {
            await WriteErrorAsync(ctx, StatusCodes.Status404NotFound, "This worker keeps no metrics (kconnect.metrics.enable=false).").ConfigureAwait(false);
            return;
        }
        var totals = _recordTotals();
        ctx.Response.ContentType = "application/json";
        ctx.Response.Headers.CacheControl = "no-store";
        await using var w = new Utf8JsonWriter(ctx.Response.Body, s_json);
        w.WriteStartObject();
        foreach (var (connector, total) in totals)
        {
            w.WriteNumber(connector, total);
        }
        w.WriteEndObject();
        await w.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
    }

    internal static bool TryParsePositions(string? text, out Dictionary<int, long> positions)
    {
        positions = [];
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0
                || !int.TryParse(part.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
                || !long.TryParse(part.AsSpan(colon + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var offset)
                || offset < -1)
            {
                return false;
            }
            positions[partition] = offset;
        }
        return true;
    }

    private static bool TryParseMax(string? text, out int max)
    {
        max = 50;
        return string.IsNullOrEmpty(text)
            || (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out max) && max is >= 1 and <= 500);
    }

    // The REST API's error shape, so the page shows every failure the same way.
    private static async Task WriteErrorAsync(HttpContext ctx, int status, string message)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(ctx.Response.Body, s_json);
        w.WriteStartObject();
        w.WriteNumber("error_code", status);
        w.WriteString("message", message);
        w.WriteEndObject();
        await w.FlushAsync().ConfigureAwait(false);
    }

    private sealed record Asset(string ContentType, byte[] Raw, byte[] Gzip, string ETag)
    {
        public static Asset Create(string name, byte[] raw)
        {
            using var gz = new MemoryStream();
            using (var z = new GZipStream(gz, CompressionLevel.SmallestSize, leaveOpen: true))
            {
                z.Write(raw);
            }
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(raw).AsSpan(0, 8)) + "\"";
            return new Asset(ContentTypeOf(name), raw, gz.ToArray(), etag);
        }

        private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
        {
            ".html" => "text/html; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            ".svg" => "image/svg+xml",
            _ => "application/octet-stream",
        };
    }
}
