using KafkaConnect.Connect.Runtime.Herder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;

namespace KafkaConnect.Connect.Rest;

/// <summary>
/// Sends a request that another worker must serve (the leader, or the worker running a task) to it, and relays its
/// answer, with Apache's <c>forward</c> query parameter: a user's request (no parameter) may hop twice, a forwarded one
/// once more at most; past that the cluster is rebalancing and the answer is 409.
/// </summary>
internal sealed class RequestForwarder(HttpMessageHandler handler) : IDisposable
{
    private readonly HttpClient _client = new(handler) { Timeout = TimeSpan.FromSeconds(90) };

    public void Dispose() => _client.Dispose();

    public async Task ForwardAsync(HttpContext ctx, RequestTargetException target)
    {
        var forward = ctx.Request.Query["forward"].ToString();
        if (forward.Equals("false", StringComparison.OrdinalIgnoreCase) || string.IsNullOrEmpty(target.ForwardUrl))
        {
            var message = string.IsNullOrEmpty(target.ForwardUrl)
                ? "Cannot complete request because the leader of the cluster is not known yet (e.g. worker rebalance)"
                : "Cannot complete request because of a conflicting operation (e.g. worker rebalance)";
            await RestJson.WriteErrorAsync(ctx, StatusCodes.Status409Conflict, message).ConfigureAwait(false);
            return;
        }
        var recursive = forward.Length == 0;
        var query = new QueryBuilder();
        foreach (var (key, values) in ctx.Request.Query)
        {
            if (!key.Equals("forward", StringComparison.Ordinal))
            {
                foreach (var v in values)
                {
                    query.Add(key, v ?? "");
                }
            }
        }
        query.Add("forward", recursive ? "true" : "false");
        var url = target.ForwardUrl!.TrimEnd('/') + ctx.Request.Path.ToUriComponent() + query.ToQueryString().ToUriComponent();
        using var request = new HttpRequestMessage(new HttpMethod(ctx.Request.Method), url);
        if (ctx.Request.Body.CanSeek)
        {
            ctx.Request.Body.Position = 0;
            using var buffer = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(buffer, ctx.RequestAborted).ConfigureAwait(false);
            if (buffer.Length > 0 || ctx.Request.ContentType is not null)
            {
                request.Content = new ByteArrayContent(buffer.ToArray());
                if (ctx.Request.ContentType is { } contentType)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                }
            }
        }
        foreach (var header in new[] { InternalRequestSignature.SignatureHeader, InternalRequestSignature.AlgorithmHeader, "Authorization" })
        {
            if (ctx.Request.Headers.TryGetValue(header, out var value))
            {
                request.Headers.TryAddWithoutValidation(header, value.ToArray());
            }
        }
        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, ctx.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ctx.RequestAborted.IsCancellationRequested)
        {
            // Apache's words for the same failure, plus where it tried to go.
            await RestJson.WriteErrorAsync(ctx, StatusCodes.Status500InternalServerError,
                $"IO Error trying to forward REST request to {target.ForwardUrl}: {e.Message}").ConfigureAwait(false);
            return;
        }
        using (response)
        {
            ctx.Response.StatusCode = (int)response.StatusCode;
            if (response.Content.Headers.ContentType is { } type)
            {
                ctx.Response.ContentType = type.ToString();
            }
            if (response.Headers.Location is { } location)
            {
                ctx.Response.Headers.Location = location.ToString();
            }
            var body = await response.Content.ReadAsByteArrayAsync(ctx.RequestAborted).ConfigureAwait(false);
            // A 204 (or 304) has no body: Kestrel refuses even an empty write for it.
            if (body.Length > 0 && ctx.Response.StatusCode is not (StatusCodes.Status204NoContent or StatusCodes.Status304NotModified))
            {
                ctx.Response.ContentLength = body.Length;
                await ctx.Response.Body.WriteAsync(body, ctx.RequestAborted).ConfigureAwait(false);
            }
        }
    }
}
