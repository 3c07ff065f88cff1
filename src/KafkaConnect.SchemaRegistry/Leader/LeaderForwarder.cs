using System.Net.Http.Headers;
using KafkaConnect.SchemaRegistry.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace KafkaConnect.SchemaRegistry.Leader;

/// <summary>
/// Sends a follower's write to the leader as Confluent's followers do: same method, path, query and body, the headers
/// Confluent passes on (Content-Type, Accept, Authorization, X-Request-ID, Confluent-Accept-Unknown-Properties and
/// <c>inter.instance.headers.whitelist</c>), and the leader's status and body returned unchanged.
/// </summary>
internal sealed class LeaderForwarder : IDisposable
{
    /// <summary>Marks a forwarded request, so an instance that is no longer the leader does not send it on again.</summary>
    internal const string ForwardedHeader = "KafkaConnect-Registry-Forwarded";

    private static readonly string[] s_headers = ["Accept", "Authorization", "X-Request-ID", "Confluent-Accept-Unknown-Properties"];

    private readonly HttpClient _http;
    private readonly string[] _headers;
    private readonly SchemaStore _store;

    public LeaderForwarder(SchemaRegistryOptions options, SchemaStore store)
    {
        _store = store;
        _headers = [.. s_headers.Concat(options.ForwardedHeaders).Distinct(StringComparer.OrdinalIgnoreCase)];
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = options.LeaderConnectTimeout,
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        })
        {
            Timeout = options.LeaderReadTimeout,
        };
    }

    public async Task ForwardAsync(HttpContext ctx, RegistryIdentity leader, string operation)
    {
        var ct = ctx.RequestAborted;
        // The target as the client sent it, so an escaped subject name reaches the leader escaped the same way.
        var target = ctx.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (target is null || !target.StartsWith('/'))
        {
            target = ctx.Request.PathBase + ctx.Request.Path + ctx.Request.QueryString;
        }
        using var request = new HttpRequestMessage(new HttpMethod(ctx.Request.Method), new Uri(leader.Url.TrimEnd('/') + target));
        ctx.Request.Body.Position = 0;
        using var body = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(body, ct).ConfigureAwait(false);
        if (body.Length > 0 || ctx.Request.ContentType is not null)
        {
            request.Content = new ByteArrayContent(body.ToArray());
            if (ctx.Request.ContentType is { } type && MediaTypeHeaderValue.TryParse(type, out var parsed))
            {
                request.Content.Headers.ContentType = parsed;
            }
        }
        foreach (var name in _headers)
        {
            if (ctx.Request.Headers.TryGetValue(name, out var values) && !string.IsNullOrWhiteSpace(values.ToString()))
            {
                request.Headers.TryAddWithoutValidation(name, values.ToString());
            }
        }
        request.Headers.TryAddWithoutValidation(ForwardedHeader, "true");

        HttpResponseMessage response;
        byte[] answer;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
            answer = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ConnectionError && !ct.IsCancellationRequested)
        {
            // Nothing was sent: the leader is gone (stopped or failed), and the request may go to the next one.
            throw new LeaderUnreachableException(RegistryException.Forwarding(operation, $"{leader.Url} did not answer ({ex.Message})", ex));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw RegistryException.Forwarding(operation, $"{leader.Url} did not answer ({(ex is TaskCanceledException ? "timed out" : ex.Message)})", ex);
        }
        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                // Read the leader's record here too, so this instance's own reads show the write it just answered.
                try
                {
                    await _store.SyncAsync(ct).ConfigureAwait(false);
                }
                catch (RegistryException)
                {
                    // The write is done; this instance's reads catch up with the topic later.
                }
            }
            ctx.Response.StatusCode = (int)response.StatusCode;
            if (response.Content.Headers.ContentType is { } contentType)
            {
                ctx.Response.ContentType = contentType.ToString();
            }
            await ctx.Response.Body.WriteAsync(answer, ct).ConfigureAwait(false);
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>The leader could not be connected to; <see cref="Error"/> is the answer if no other leader is elected soon.</summary>
internal sealed class LeaderUnreachableException(RegistryException error) : Exception(error.Message, error)
{
    public RegistryException Error { get; } = error;
}
