using System.Net;
using KafkaConnect.Client.Metrics;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Metrics;
using KafkaConnect.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using BadHttpRequestException = Microsoft.AspNetCore.Http.BadHttpRequestException;

namespace KafkaConnect.Connect.Rest;

/// <summary>
/// Apache Kafka Connect's REST API (3.9 paths, shapes and status codes) on Kestrel, in front of an
/// <see cref="IHerder"/>. Start once; dispose to stop.
/// </summary>
public sealed class ConnectRestServer : IAsyncDisposable
{
    // Marks connections accepted by an admin listener (Kestrel's per-connection items reach every request on it).
    private const string AdminConnectionKey = "kconnect.admin-listener";
    private WebApplication? _app;
    private MeterProvider? _meterProvider;
    private RequestForwarder? _forwarder;
    private RestServerOptions? _options;
    private KafkaConnect.Connect.Ui.KafkaTopicTail? _topicTail;
    private IReadOnlyList<Uri> _addresses = [];
    private IReadOnlyList<Uri> _adminAddresses = [];

    /// <summary>The URLs of <c>listeners</c> actually bound (ports resolved when a listener asked for port 0).</summary>
    public IReadOnlyList<Uri> Addresses => _addresses;

    /// <summary>The URLs of <c>admin.listeners</c> actually bound; empty when /admin is served on the listeners or off.</summary>
    public IReadOnlyList<Uri> AdminAddresses => _adminAddresses;

    /// <summary>The registry behind /admin/loggers (the options' one, or a private one).</summary>
    public LogLevelRegistry LogLevels { get; private set; } = new();

    /// <summary>
    /// The URL other workers should use to reach this one: the listener of <c>rest.advertised.listener</c>'s
    /// protocol (unset: http when there is an http listener, else https, as Apache), with
    /// <c>rest.advertised.host.name</c>/<c>port</c> overriding its host and port.
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
            var scheme = options.AdvertisedListener?.Trim().ToLowerInvariant()
                ?? (_addresses.Any(a => a.Scheme == Uri.UriSchemeHttp) ? Uri.UriSchemeHttp : Uri.UriSchemeHttps);
            var chosen = _addresses.FirstOrDefault(a => a.Scheme.Equals(scheme, StringComparison.OrdinalIgnoreCase)) ?? _addresses[0];
            var host = options.AdvertisedHostName ?? chosen.Host;
            if (host is "0.0.0.0" or "[::]" or "::")
            {
                host = Dns.GetHostName();
            }
            return new UriBuilder(scheme, host, options.AdvertisedPort ?? chosen.Port).Uri;
        }
    }

    /// <exception cref="ConfigException">A listener is not a valid http or https URL, or an https one has no key store.</exception>
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
    /// <exception cref="ConfigException">A listener is not a valid http or https URL, or an https one has no key store.</exception>
    /// <exception cref="IOException">A listener's address is in use or cannot be bound.</exception>
    public async Task StartAsync(Task<IHerder> herder, RestServerOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(herder);
        ArgumentNullException.ThrowIfNull(options);
        if (_app is not null)
        {
            throw new InvalidOperationException("The REST server is already started.");
        }
        var endpoints = ParseListeners(options.Listeners, RestServerOptions.ListenersConfig, options.Tls, isAdmin: false);
        if (options.AdminListeners is { Count: > 0 } admin)
        {
            endpoints.AddRange(ParseListeners(admin, RestServerOptions.AdminListenersConfig, options.AdminTls, isAdmin: true));
        }
        var headers = ResponseHeaderRules.Parse(options.ResponseHeaders, options.TimeProvider);
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
        // Answers are compressed when the client asks (Accept-Encoding): a 500-connector ?expand=status&expand=info is
        // ~200 KB of JSON, ~10x less compressed. Apache's Jetty sends it plain; clients that do not ask see no change.
        // Not over TLS: compressing secrets beside request-chosen text invites BREACH-style guessing.
        builder.Services.AddResponseCompression(compression =>
        {
            compression.EnableForHttps = false;
            compression.Providers.Add<BrotliCompressionProvider>();
            compression.Providers.Add<GzipCompressionProvider>();
        });
        builder.Services.Configure<BrotliCompressionProviderOptions>(o => o.Level = System.IO.Compression.CompressionLevel.Fastest);
        builder.Services.Configure<GzipCompressionProviderOptions>(o => o.Level = System.IO.Compression.CompressionLevel.Fastest);
        var tlsLog = options.LoggerFactory?.CreateLogger("KafkaConnect.Connect.Rest.Tls");
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            foreach (var endpoint in endpoints)
            {
                void Configure(ListenOptions listen) => ConfigureListener(listen, endpoint, tlsLog);
                if (endpoint.IsLocalhost)
                {
                    kestrel.ListenLocalhost(endpoint.Port, Configure);
                }
                else
                {
                    kestrel.Listen(endpoint.Address!, endpoint.Port, Configure);
                }
            }
        });

        var app = builder.Build();
        var handlers = new RestHandlers(herder, LogLevels, options.RequestTimeout);
        var cors = CorsPolicy.Create(options.AllowOrigin, options.AllowMethods);
        var access = new AccessRules(options.Authenticator, options.AdminListeners);
        var forwarder = new RequestForwarder(options.CreateInterWorkerHandler());
        // First, so errors our middleware writes are compressed as well.
        app.UseResponseCompression();
        app.Use((ctx, next) => Pipeline(ctx, next, herder, cors, headers, access, forwarder));
        // Explicitly after our middleware so routing failures (ambiguity, 405) are answered as JSON too.
        app.UseRouting();
        handlers.Map(app);
        if (options.UiEnabled)
        {
            _topicTail = options.KafkaClientConfig is { } clientConfig ? new KafkaConnect.Connect.Ui.KafkaTopicTail(clientConfig) : null;
            KafkaConnect.Connect.Ui.ConnectUi.Create(_topicTail, options.MetricsEnabled ? RecordTotals.Read : null).Map(app);
        }
        var meterProvider = options.MetricsEnabled ? MapMetrics(app, options) : null;

        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            forwarder.Dispose();
            meterProvider?.Dispose();
            throw;
        }
        _app = app;
        _meterProvider = meterProvider;
        _forwarder = forwarder;
        // Kestrel reports one address per listener, in the order they were added: the listeners, then the admin ones.
        var bound = (app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []).Select(a => new Uri(a)).ToList();
        var mainCount = endpoints.Count(e => !e.IsAdmin);
        _addresses = [.. bound.Take(mainCount)];
        _adminAddresses = [.. bound.Skip(mainCount)];
        if (options.LoggerFactory?.CreateLogger("KafkaConnect.Connect.Rest") is { } log)
        {
            if (options.Authenticator is { } auth)
            {
                log.LogInformation("REST basic authentication on (JAAS file from {Source})", auth.Source);
                foreach (var warning in auth.Warnings)
                {
                    log.LogWarning("{Warning}", warning);
                }
            }
            if (_adminAddresses.Count > 0)
            {
                log.LogInformation("REST admin endpoints at {Urls}", string.Join(", ", _adminAddresses));
            }
        }
    }

    // The UI's own files load while the worker starts (the page then shows the API's 503 until it is ready).
    private static bool IsUiPage(PathString path) =>
        path.StartsWithSegments(KafkaConnect.Connect.Ui.ConnectUi.BasePath, StringComparison.Ordinal)
        && !path.StartsWithSegments(KafkaConnect.Connect.Ui.ConnectUi.BasePath + "/api", StringComparison.Ordinal);

    private static void ConfigureListener(ListenOptions listen, Endpoint endpoint, ILogger? tlsLog)
    {
        if (endpoint.Tls is { } tls)
        {
            // Jetty speaks HTTP/1.1 only; so do we on TLS, where HTTP/2 would need ALPN settings of its own.
            listen.Protocols = HttpProtocols.Http1;
            listen.UseHttps(new TlsHandshakeCallbackOptions
            {
                OnConnection = _ => ValueTask.FromResult(tls.ServerOptions(reason =>
                    tlsLog?.LogDebug("REST TLS handshake refused on {Listener}: {Reason}", endpoint.Url, reason))),
            });
        }
        // After TLS, so it sees the decrypted request.
        listen.Use(LenientHeaderNames.Middleware);
        if (endpoint.IsAdmin)
        {
            listen.Use(next => connection =>
            {
                connection.Items[AdminConnectionKey] = true;
                return next(connection);
            });
        }
    }

    public async Task StopAsync(CancellationToken ct = default)
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync(ct).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            _forwarder?.Dispose();
            _forwarder = null;
            _meterProvider?.Dispose();
            _meterProvider = null;
        }
        if (_topicTail is { } tail)
        {
            _topicTail = null;
            await tail.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// GET /metrics: OpenTelemetry's Prometheus exporter over the worker's meter, its Kafka clients' and any extra ones
    /// (the embedded broker's). The instruments already carry the JMX exporter's names, so the exporter adds no unit
    /// suffix, scope labels or target_info series; responses are not cached, so a scrape always sees the counters of
    /// that moment.
    /// </summary>
    private static MeterProvider MapMetrics(WebApplication app, RestServerOptions options)
    {
        var builder = Sdk.CreateMeterProviderBuilder()
            .AddMeter(ConnectMetrics.MeterName, ClientMetrics.MeterName)
            .AddMeter([.. options.ExtraMeters])
            // OpenTelemetry reserves every metric's series up front (2,000 by default, ~70 bytes each): 20 MB of
            // idle memory for the worker's, clients' and broker's metrics at the default, so the limit is a setting.
            .AddView(_ => new MetricStreamConfiguration { CardinalityLimit = options.MetricsSeriesLimit })
            .AddPrometheusExporter(o =>
            {
                o.ScrapeResponseCacheDurationMilliseconds = 0;
                o.ScopeInfoEnabled = false;
                o.TargetInfoEnabled = false;
            });
        if (options.OtlpEndpoint is { } endpoint)
        {
            // Set in code the exporter takes the URL as the whole path, so the signal's path is added here.
            var metricsUrl = new Uri(endpoint, endpoint.AbsolutePath.TrimEnd('/') + "/v1/metrics");
            builder.AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = metricsUrl;
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)Math.Min(int.MaxValue, options.OtlpInterval.TotalMilliseconds);
            });
        }
        else if (OtelEnvironmentNamesAnEndpoint())
        {
            // OpenTelemetry's own variables (endpoint, protocol, headers, interval) configure the exporter.
            builder.AddOtlpExporter();
        }
        var provider = builder.Build();
        app.MapPrometheusScrapingEndpoint("/metrics", provider, null, null);
        return provider;
    }

    private static bool OtelEnvironmentNamesAnEndpoint() =>
        !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"))
        || !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"));

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    // Response headers, CORS, authentication, admin routing, readiness, exception mapping and JSON bodies for errors
    // the router produces (404/405).
    private static async Task Pipeline(HttpContext ctx, RequestDelegate next, Task<IHerder> herder, CorsPolicy? cors,
        ResponseHeaderRules? headers, AccessRules access, RequestForwarder forwarder)
    {
        headers?.Apply(ctx);
        if (cors is not null && cors.Apply(ctx))
        {
            return; // answered a preflight
        }
        if (!access.IsAuthenticated(ctx))
        {
            await AccessRules.RefuseAsync(ctx).ConfigureAwait(false);
            return;
        }
        var path = ctx.Request.Path;
        if (!access.IsRoutedHere(ctx))
        {
            await RestJson.WriteErrorAsync(ctx, StatusCodes.Status404NotFound, "HTTP 404 Not Found").ConfigureAwait(false);
            return;
        }
        if (!(herder.IsCompletedSuccessfully && herder.Result.IsReady)
            && !path.Equals("/health", StringComparison.Ordinal) && !path.Equals("/", StringComparison.Ordinal) && !IsUiPage(path))
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
            await forwarder.ForwardAsync(ctx, e).ConfigureAwait(false);
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

    private sealed record Endpoint(string Url, IPAddress? Address, int Port, bool IsLocalhost, TlsSettings? Tls, bool IsAdmin);

    private static List<Endpoint> ParseListeners(IReadOnlyList<string> listeners, string key, TlsSettings? tls, bool isAdmin)
    {
        var result = new List<Endpoint>();
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
                throw new ConfigException(key, listener, "expected a URL such as http://127.0.0.1:8083 or https://127.0.0.1:8443");
            }
            TlsSettings? listenerTls = null;
            if (uri.Scheme.Equals("https", StringComparison.OrdinalIgnoreCase))
            {
                var prefix = isAdmin ? RestServerOptions.AdminListenersHttpsPrefix : RestServerOptions.ListenersHttpsPrefix;
                listenerTls = tls ?? throw new ConfigException(key, listener,
                    $"an https listener needs a key store: set {prefix}ssl.keystore.location (or ssl.keystore.location)");
            }
            else if (!uri.Scheme.Equals("http", StringComparison.OrdinalIgnoreCase))
            {
                throw new ConfigException(key, listener, "Listener protocol must be either \"http\" or \"https\".");
            }
            var host = uri.Host.Trim('[', ']');
            IPAddress? address = null;
            var isLocalhost = host.Equals("localhost", StringComparison.OrdinalIgnoreCase);
            if (!isLocalhost && !IPAddress.TryParse(host, out address))
            {
                var addresses = Dns.GetHostAddresses(host);
                if (addresses.Length == 0)
                {
                    throw new ConfigException(key, listener, "the host name does not resolve");
                }
                address = addresses[0];
            }
            result.Add(new Endpoint(listener, address, uri.Port, isLocalhost, listenerTls, isAdmin));
        }
        if (result.Count == 0 && !isAdmin)
        {
            throw new ConfigException(key, string.Join(",", listeners), "at least one listener is required");
        }
        return result;
    }

    /// <summary>Basic authentication and the split of /admin between the listeners and admin.listeners.</summary>
    private sealed class AccessRules(BasicAuthenticator? authenticator, IReadOnlyList<string>? adminListeners)
    {
        public bool IsAuthenticated(HttpContext ctx) => authenticator is null || authenticator.IsAllowed(ctx.Request);

        // Apache answers a failed login 401 with this text (no JSON, no challenge header); we add the challenge that
        // HTTP requires, so browsers and HttpClient credentials work.
        public static async Task RefuseAsync(HttpContext ctx)
        {
            ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
            ctx.Response.Headers.WWWAuthenticate = "Basic realm=\"Kafka Connect\"";
            ctx.Response.ContentType = "text/plain; charset=utf-8";
            await ctx.Response.WriteAsync(BasicAuthenticator.FailureMessage, ctx.RequestAborted).ConfigureAwait(false);
        }

        /// <summary>/admin only on admin listeners when there are some (none when admin.listeners is empty); nothing else there.</summary>
        public bool IsRoutedHere(HttpContext ctx)
        {
            if (adminListeners is null)
            {
                return true;
            }
            var isAdminPath = ctx.Request.Path.StartsWithSegments("/admin", StringComparison.Ordinal);
            var items = ctx.Features.Get<IConnectionItemsFeature>()?.Items;
            var onAdminListener = items?.ContainsKey(AdminConnectionKey) == true;
            return isAdminPath == onAdminListener;
        }
    }
}
