using System.Net;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Runtime.Herder;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.Rest;

/// <summary>
/// Apache Kafka Connect's REST API (3.9 paths, shapes and status codes) on Kestrel, in front of an
/// <see cref="IHerder"/>. Start once; dispose to stop.
/// </summary>
public sealed class ConnectRestServer : IAsyncDisposable
{
    private WebApplication? _app;
    private RestServerOptions? _options;
    private IReadOnlyList<Uri> _addresses = [];

    /// <summary>The URLs actually bound (ports resolved when a listener asked for port 0).</summary>
    public IReadOnlyList<Uri> Addresses => _addresses;

    /// <summary>The registry behind /admin/loggers (the options' one, or a private one).</summary>
    public LogLevelRegistry LogLevels { get; private set; } = new();

    /// <summary>
    /// The URL other workers should use to reach this one: the listener of <c>rest.advertised.listener</c>'s
    /// protocol (else the first), with <c>rest.advertised.host.name</c>/<c>port</c> overriding its host and port.
    /// </summary>
    public Uri AdvertisedUrl
    {
        get
        {
            var options = _options ?? throw new InvalidOperationException("The REST server is not started.");
            if (_addresses.Count == 0)
            {
                throw new InvalidOperationException("The REST server is not started.");
            }
            var chosen = _addresses[0];
            if (options.AdvertisedListener is { } scheme)
            {
                chosen = _addresses.FirstOrDefault(a => a.Scheme.Equals(scheme, StringComparison.OrdinalIgnoreCase)) ?? chosen;
            }
            var host = options.AdvertisedHostName ?? chosen.Host;
            if (host is "0.0.0.0" or "[::]" or "::")
            {
                host = Dns.GetHostName();
            }
            return new UriBuilder(chosen.Scheme, host, options.AdvertisedPort ?? chosen.Port).Uri;
        }
    }

    /// <exception cref="ConfigException">A listener is not a valid http URL.</exception>
    /// <exception cref="IOException">A listener's address is in use or cannot be bound.</exception>
    public Task StartAsync(IHerder herder, RestServerOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(herder);
        return StartAsync(Task.FromResult(herder), options, ct);
    }

    /// <summary>
    /// Starts listening before the herder exists, so the process answers while it still connects to Kafka and reads
    /// its topics: <c>GET /</c> waits for <paramref name="herder"/>, <c>/health</c> says "starting", the rest answer 503
    /// until the herder is ready.
    /// </summary>
    /// <exception cref="ConfigException">A listener is not a valid http URL.</exception>
    /// <exception cref="IOException">A listener's address is in use or cannot be bound.</exception>
    public async Task StartAsync(Task<IHerder> herder, RestServerOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(herder);
        ArgumentNullException.ThrowIfNull(options);
        if (_app is not null)
        {
            throw new InvalidOperationException("The REST server is already started.");
        }
        var endpoints = ParseListeners(options.Listeners);
        _options = options;
        LogLevels = options.LogLevels ?? new LogLevelRegistry(timeProvider: options.TimeProvider);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            // No appsettings reload: it would keep a file watcher (an inotify instance, a per-user limited resource)
            // on the install directory for settings we never read.
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            // Not the process's current directory: never pick up a stray appsettings.json.
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Logging.ClearProviders();
        if (options.LoggerFactory is { } loggerFactory)
        {
            builder.Services.AddSingleton(loggerFactory);
        }
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            foreach (var (address, port, isLocalhost) in endpoints)
            {
                if (isLocalhost)
                {
                    kestrel.ListenLocalhost(port);
                }
                else
                {
                    kestrel.Listen(address!, port);
                }
            }
        });

        var app = builder.Build();
        var handlers = new RestHandlers(herder, LogLevels, options.RequestTimeout);
        var cors = CorsPolicy.Create(options.AllowOrigin, options.AllowMethods);
        app.Use((ctx, next) => Pipeline(ctx, next, herder, cors));
        // Explicitly after our middleware so routing failures (ambiguity, 405) are answered as JSON too.
        app.UseRouting();
        handlers.Map(app);

        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        _app = app;
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        _addresses = [.. bound.Select(a => new Uri(a))];
    }

    public async Task StopAsync(CancellationToken ct = default)
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync(ct).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    // CORS, readiness, exception mapping and JSON bodies for errors the router produces (404/405).
    private static async Task Pipeline(HttpContext ctx, RequestDelegate next, Task<IHerder> herder, CorsPolicy? cors)
    {
        if (cors is not null && cors.Apply(ctx))
        {
            return; // answered a preflight
        }
        var path = ctx.Request.Path;
        if (!(herder.IsCompletedSuccessfully && herder.Result.IsReady)
            && !path.Equals("/health", StringComparison.Ordinal) && !path.Equals("/", StringComparison.Ordinal))
        {
            await RestJson.WriteErrorAsync(ctx, StatusCodes.Status503ServiceUnavailable,
                "Worker is still starting up; try again shortly.").ConfigureAwait(false);
            return;
        }
        if (!HttpMethods.IsGet(ctx.Request.Method) && !HttpMethods.IsHead(ctx.Request.Method))
        {
            // Kept so a request that only another worker can serve can be forwarded as it came.
            ctx.Request.EnableBuffering();
        }
        try
        {
            await next(ctx).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (RequestTargetException e) when (!ctx.Response.HasStarted)
        {
            ctx.Response.Clear();
            await RequestForwarder.ForwardAsync(ctx, e).ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (!ctx.Response.HasStarted)
        {
            var (status, message) = Map(e);
            ctx.Response.Clear();
            await RestJson.WriteErrorAsync(ctx, status, message).ConfigureAwait(false);
            return;
        }
        var response = ctx.Response;
        if (!response.HasStarted && response.StatusCode >= 400 && response.ContentLength is null or 0)
        {
            var status = response.StatusCode;
            var message = status switch
            {
                404 => "HTTP 404 Not Found",
                405 => "HTTP 405 Method Not Allowed",
                415 => "HTTP 415 Unsupported Media Type",
                _ => $"HTTP {status} {ReasonPhrases.GetReasonPhrase(status)}",
            };
            await RestJson.WriteErrorAsync(ctx, status, message).ConfigureAwait(false);
        }
    }

    private static (int Status, string? Message) Map(Exception e) => e switch
    {
        RestException r => (r.Status, r.Message),
        ConnectRestException r => (r.StatusCode, r.Message),
        NotFoundException => (404, e.Message),
        AlreadyExistsException => (409, e.Message),
        RebalanceInProgressException => (409, e.Message),
        BadRequestException => (400, e.Message),
        ConfigException => (400, e.Message),
        BadHttpRequestException b => (b.StatusCode, e.Message),
        TimeoutException => (500, "Request timed out"),
        _ => (500, e.Message),
    };

    private static List<(IPAddress? Address, int Port, bool IsLocalhost)> ParseListeners(IReadOnlyList<string> listeners)
    {
        var result = new List<(IPAddress?, int, bool)>();
        foreach (var raw in listeners)
        {
            var listener = raw.Trim();
            if (listener.Length == 0)
            {
                continue;
            }
            // Apache accepts "http://:8083" for every interface, which Uri rejects.
            var normalized = listener.Replace("://:", "://0.0.0.0:", StringComparison.Ordinal);
            if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri))
            {
                throw new ConfigException(RestServerOptions.ListenersConfig, listener, "expected a URL such as http://127.0.0.1:8083");
            }
            if (!uri.Scheme.Equals("http", StringComparison.OrdinalIgnoreCase))
            {
                throw new ConfigException(RestServerOptions.ListenersConfig, listener, "only http listeners are supported");
            }
            var host = uri.Host.Trim('[', ']');
            if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            {
                result.Add((null, uri.Port, true));
            }
            else if (IPAddress.TryParse(host, out var ip))
            {
                result.Add((ip, uri.Port, false));
            }
            else
            {
                var addresses = Dns.GetHostAddresses(host);
                if (addresses.Length == 0)
                {
                    throw new ConfigException(RestServerOptions.ListenersConfig, listener, "the host name does not resolve");
                }
                result.Add((addresses[0], uri.Port, false));
            }
        }
        if (result.Count == 0)
        {
            throw new ConfigException(RestServerOptions.ListenersConfig, string.Join(",", listeners), "at least one listener is required");
        }
        return result;
    }
}
