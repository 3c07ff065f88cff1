using System.Diagnostics.Metrics;
using KafkaConnect.Client.Metrics;

namespace KafkaConnect.Client.Tests.Metrics;

/// <summary>One collected series: instrument name, value and labels in the order the instrument gave them.</summary>
internal sealed record Sample(string Name, double Value, IReadOnlyList<KeyValuePair<string, string>> Labels, bool IsCounter)
{
    public string? Label(string key)
    {
        foreach (var (k, v) in Labels)
        {
            if (k == key) return v;
        }
        return null;
    }
}

/// <summary>Collects the client meter's observable instruments on demand, as an exporter's scrape does.</summary>
internal sealed class MetricsCollector : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _lock = new();
    private List<Sample> _samples = new();

    public MetricsCollector()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ClientMetrics.MeterName) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = new List<KeyValuePair<string, string>>(tags.Length);
        foreach (var (k, v) in tags) labels.Add(new(k, Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? ""));
        var counter = instrument.GetType().Name.StartsWith("ObservableCounter", StringComparison.Ordinal);
        lock (_lock) _samples.Add(new Sample(instrument.Name, value, labels, counter));
    }

    /// <summary>Every series of every live client now.</summary>
    public List<Sample> Collect()
    {
        lock (_lock) _samples = new();
        _listener.RecordObservableInstruments();
        lock (_lock) return _samples;
    }

    /// <summary>The series of one client (its client_id label).</summary>
    public List<Sample> Collect(string clientId) => Collect().Where(s => s.Label("client_id") == clientId).ToList();

    public void Dispose() => _listener.Dispose();
}

internal static class SampleExtensions
{
    /// <summary>The one series named <paramref name="name"/> with exactly these labels besides client_id; fails when absent.</summary>
    public static double Value(this List<Sample> samples, string name, params (string Key, string Value)[] labels)
    {
        var found = samples.Where(s => s.Name == name && s.Labels.Count == labels.Length + 1 && labels.All(l => s.Label(l.Key) == l.Value)).ToList();
        Assert.True(found.Count == 1, $"{found.Count} series {name}{{{string.Join(",", labels.Select(l => $"{l.Key}={l.Value}"))}}} among: "
            + string.Join("; ", samples.Where(s => s.Name == name).Select(s => string.Join(",", s.Labels.Select(l => $"{l.Key}={l.Value}")))));
        return found[0].Value;
    }
}
