using System.Net;
using KafkaConnect.SchemaRegistry.Leader;
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
    private readonly LeaderElector _elector;
    private readonly LeaderForwarder _forwarder;
    private readonly WebApplication _app;
    private readonly ILogger _log;
    private int _disposed;

    private SchemaRegistryServer(SchemaStore store, LeaderElector elector, LeaderForwarder forwarder, WebApplication app, IReadOnlyList<Uri> urls, ILogger log)
    {
        _store = store;
        _elector = elector;
        _forwarder = forwarder;
        _app = app;
        Urls = urls;
        _log = log;
    }

    /// <summary>The bound listener URLs (a port 0 listener shows the port it got).</summary>
    public IReadOnlyList<Uri> Urls { get; }

    /// <summary>The first bound URL, e.g. for a converter's schema.registry.url.</summary>
    public Uri Url => Urls[0];

    /// <summary>The URL this instance advertises to the others of its group (host.name, or the listener's host, and the bound port).</summary>
    public string AdvertisedUrl => _elector.Identity.Url;

    /// <summary>Whether this instance is the elected leader now (it takes the writes).</summary>
    public bool IsLeader => _elector.IsLeader;

    /// <summary>The leader's URL once elected (this instance's own when it leads); null while electing or when none is eligible.</summary>
    public string? LeaderUrl => _elector.View.Leader?.Url;

    public static async Task<SchemaRegistryServer> StartAsync(SchemaRegistryOptions options, ILoggerFactory? loggers = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        loggers ??= NullLoggerFactory.Instance;
        var log = loggers.CreateLogger("KafkaConnect.SchemaRegistry");
        var store = new SchemaStore(options, loggers);
        var elector = new LeaderElector(options, store, loggers.CreateLogger("KafkaConnect.SchemaRegistry.Leader"));
        store.MayWrite = () => elector.IsLeader;
        var forwarder = new LeaderForwarder(options, store);
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
            new RegistryHandlers(store, options, elector, forwarder).Map(app);
            await app.StartAsync(ct).ConfigureAwait(false);
            var urls = (app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
                .Select(a => new Uri(a.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal))).ToList();
            var identity = Advertised(options, urls);
            log.LogInformation("Schema Registry {Host} listening on {Urls} (store {Topic} on {Bootstrap}, default compatibility {Level})",
                identity.Host, string.Join(", ", urls), options.Topic, options.BootstrapServers, options.CompatibilityLevel);
            // Not awaited: a lone instance is elected within milliseconds on a broker without an initial rebalance
            // delay, and its first write waits for that rather than start-up for everyone.
            elector.Start(identity);
            return new SchemaRegistryServer(store, elector, forwarder, app, urls, log);
        }
        catch
        {
            await elector.DisposeAsync().ConfigureAwait(false);
            forwarder.Dispose();
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // As Confluent: host.name, else this machine's name; the port of the first listener as bound.
    private static RegistryIdentity Advertised(SchemaRegistryOptions options, IReadOnlyList<Uri> urls)
    {
        var first = new Uri(options.Listeners[0]);
        var host = options.HostName ?? (first.Host is "0.0.0.0" or "" or "*" or "+" or "[::]" ? Dns.GetHostName() : first.Host);
        var port = urls.Count > 0 ? urls[0].Port : first.Port;
        return new RegistryIdentity(host, port, first.Scheme, options.LeaderEligibility, Topic: options.Topic);
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
        // Leave the group first, so the other instances elect a leader while this one finishes its requests.
        await _elector.DisposeAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _forwarder.Dispose();
        await _store.DisposeAsync().ConfigureAwait(false);
    }
}
