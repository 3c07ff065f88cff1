using System.Net;
using KafkaConnect.SchemaRegistry.Rest;
using KafkaConnect.SchemaRegistry.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaConnect.SchemaRegistry;

/// <summary>
/// A Schema Registry speaking Confluent's REST API over a <c>_schemas</c> topic. <see cref="StartAsync"/> loads the topic,
/// then listens; a host (the CLI, or later a standalone worker) keeps the instance and disposes it to stop.
/// </summary>
public sealed class SchemaRegistryServer : IAsyncDisposable
{
    private readonly SchemaStore _store;
    private readonly WebApplication _app;
    private readonly ILogger _log;
    private int _disposed;

    private SchemaRegistryServer(SchemaStore store, WebApplication app, IReadOnlyList<Uri> urls, ILogger log)
    {
        _store = store;
        _app = app;
        Urls = urls;
        _log = log;
    }

    /// <summary>The bound listener URLs (a port 0 listener shows the port it got).</summary>
    public IReadOnlyList<Uri> Urls { get; }

    /// <summary>The first bound URL, e.g. for a converter's schema.registry.url.</summary>
    public Uri Url => Urls[0];

    public static async Task<SchemaRegistryServer> StartAsync(SchemaRegistryOptions options, ILoggerFactory? loggers = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        loggers ??= NullLoggerFactory.Instance;
        var log = loggers.CreateLogger("KafkaConnect.SchemaRegistry");
        var store = new SchemaStore(options, loggers);
        try
        {
            await store.StartAsync(ct).ConfigureAwait(false);
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
            {
                Args = ["--hostBuilder:reloadConfigOnChange=false"],
                ContentRootPath = AppContext.BaseDirectory,
                EnvironmentName = Environments.Production,
            });
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(loggers);
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                foreach (var listener in options.Listeners)
                {
                    var uri = new Uri(listener);
                    if (uri.Host is "0.0.0.0" or "" or "*" or "+")
                    {
                        kestrel.ListenAnyIP(uri.Port);
                    }
                    else if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip))
                    {
                        kestrel.Listen(ip, uri.Port);
                    }
                    else if (uri.Host == "localhost")
                    {
                        kestrel.ListenLocalhost(uri.Port);
                    }
                    else
                    {
                        var resolved = Dns.GetHostAddresses(uri.Host);
                        kestrel.Listen(resolved.Length > 0 ? resolved[0] : IPAddress.Loopback, uri.Port);
                    }
                }
            });
            var app = builder.Build();
            app.Use((ctx, next) => Pipeline(ctx, next, log));
            app.UseRouting();
            new RegistryHandlers(store, options).Map(app);
            await app.StartAsync(ct).ConfigureAwait(false);
            var urls = (app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
                .Select(a => new Uri(a.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal))).ToList();
            log.LogInformation("Schema Registry {Host} listening on {Urls} (store {Topic} on {Bootstrap}, default compatibility {Level})",
                options.HostName ?? urls.FirstOrDefault()?.Host, string.Join(", ", urls), options.Topic, options.BootstrapServers, options.CompatibilityLevel);
            return new SchemaRegistryServer(store, app, urls, log);
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // Every failure is answered in Confluent's error shape; routing misses too (Jersey's "HTTP 404 Not Found").
    private static async Task Pipeline(HttpContext ctx, RequestDelegate next, ILogger log)
    {
        try
        {
            await next(ctx).ConfigureAwait(false);
            if (ctx.Response is { HasStarted: false, StatusCode: 404 or 405 })
            {
                var status = ctx.Response.StatusCode;
                await RegistryHandlers.Error(ctx, status, status, status == 404 ? "HTTP 404 Not Found" : "HTTP 405 Method Not Allowed").ConfigureAwait(false);
            }
        }
        catch (RegistryException ex) when (!ctx.Response.HasStarted)
        {
            if (ex.Status >= 500)
            {
                log.LogWarning(ex, "{Method} {Path} failed", ctx.Request.Method, ctx.Request.Path);
            }
            await RegistryHandlers.Error(ctx, ex.Status, ex.ErrorCode, ex.Message).ConfigureAwait(false);
        }
        catch (Exception ex) when (!ctx.Response.HasStarted && ex is not OperationCanceledException)
        {
            log.LogError(ex, "{Method} {Path} failed", ctx.Request.Method, ctx.Request.Path);
            await RegistryHandlers.Error(ctx, 500, 50001, "Error in the backend data store: " + ex.Message).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _log.LogInformation("Schema Registry shutting down");
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        await _store.DisposeAsync().ConfigureAwait(false);
    }
}
