using System.Diagnostics.Metrics;
using KafkaConnect.Connect.Rest;

namespace KafkaConnect.Connect.Rest.Tests;

/// <summary>kconnect.metrics.series.limit bounds the series one metric keeps; beyond it they are added up in an overflow series.</summary>
public sealed class MetricsSeriesLimitTests : RestTestBase
{
    private readonly string _meterName = "KafkaConnect.Test.SeriesLimit." + Guid.NewGuid().ToString("N")[..8];

    protected override RestServerOptions Options => RestServerOptions.FromWorkerConfig(new Dictionary<string, string>
    {
        ["listeners"] = "http://127.0.0.1:0",
        ["kconnect.metrics.series.limit"] = "4",
    }, null) with { ExtraMeters = [_meterName], LogLevels = Logs };

    [Fact]
    public async Task A_metric_with_more_series_than_the_limit_keeps_the_first_and_adds_the_rest_up_in_one_overflow_series()
    {
        using var meter = new Meter(_meterName);
        // Ten tasks' worth of one gauge, 1 each.
        meter.CreateObservableGauge("kconnect_test_per_task", () =>
            Enumerable.Range(0, 10).Select(i => new Measurement<int>(1, new KeyValuePair<string, object?>("task", i.ToString(System.Globalization.CultureInfo.InvariantCulture)))));
        var text = await Client.GetStringAsync("/metrics");
        var lines = text.Split('\n').Where(l => l.StartsWith("kconnect_test_per_task{", StringComparison.Ordinal)).ToList();
        // 4 kept as they are, the other 6 folded into one (a gauge keeps one of their values; counters are added up).
        Assert.Equal(5, lines.Count);
        Assert.Equal(4, lines.Count(l => l.Contains("task=", StringComparison.Ordinal) && l.EndsWith(" 1", StringComparison.Ordinal)));
        Assert.Single(lines, l => l.StartsWith("kconnect_test_per_task{otel_metric_overflow=\"true\"} ", StringComparison.Ordinal));
    }

    [Fact]
    public void The_limit_defaults_to_500_and_must_be_positive()
    {
        Assert.Equal(500, RestServerOptions.FromWorkerConfig(new Dictionary<string, string>(), null).MetricsSeriesLimit);
        var error = Assert.Throws<KafkaConnect.Connect.Errors.ConfigException>(() => RestServerOptions.FromWorkerConfig(
            new Dictionary<string, string> { ["kconnect.metrics.series.limit"] = "0" }, null));
        Assert.Contains("kconnect.metrics.series.limit", error.Message, StringComparison.Ordinal);
    }
}
