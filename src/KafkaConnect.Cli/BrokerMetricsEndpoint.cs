using System.Net;
using KafkaConnect.Broker.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace KafkaConnect.Cli;

/// <summary>
/// GET /metrics of <c>kconnect broker</c> (kconnect.metrics.listener): OpenTelemetry's Prometheus exporter over the
/// broker's meter, configured as the worker's REST server configures it (no unit suffixes, scope labels, target_info
/// or response cache), so the series keep the JMX exporter's names. Only this endpoint: the broker library itself
/// does not depend on ASP.NET.
/// </summary>
internal sealed class BrokerMetricsEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly MeterProvider _provider;

    private BrokerMetricsEndpoint(WebApplication app, MeterProvider provider, Uri url)
    {
        _app = app;
        _provider = provider;
        Url = url;
    }

    /// <summary>The URL serving /metrics, with the port actually bound.</summary>
    public Uri Url { get; }

    public static async Task<BrokerMetricsEndpoint> StartAsync(Uri listener)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            // As the REST server: no appsettings file watcher, nothing read from the current directory.
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        // Silent: a scrape every few seconds must not fill the broker's log; start-up failures surface as exceptions.
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // BrokerConfig accepted only an IP address or localhost, so binding needs no name lookup.
            if (listener.Host == "localhost") kestrel.ListenLocalhost(listener.Port);
            else kestrel.Listen(IPAddress.Parse(listener.DnsSafeHost), listener.Port);
        });
        var app = builder.Build();
        var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(BrokerMetrics.MeterName)
            .AddPrometheusExporter(o =>
            {
                o.ScrapeResponseCacheDurationMilliseconds = 0;
                o.ScopeInfoEnabled = false;
                o.TargetInfoEnabled = false;
            })
            .Build();
        app.MapPrometheusScrapingEndpoint("/metrics", provider, null, null);
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            provider.Dispose();
            throw;
        }
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        return new BrokerMetricsEndpoint(app, provider, new Uri(new Uri(bound ?? listener.ToString()), "/metrics"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _provider.Dispose();
    }
}
