using System.Diagnostics.Metrics;

namespace KafkaConnect.Broker.Tests.Metrics;

/// <summary>
/// Every measurement of one meter's observable instruments at one moment, collected with a MeterListener that
/// subscribes to that meter instance only (other brokers in the process have meters of the same name).
/// </summary>
internal sealed class MetricsSnapshot
{
    private readonly List<(string Name, bool IsCounter, IReadOnlyDictionary<string, string> Tags, double Value)> _series = [];

    private MetricsSnapshot()
    {
    }

    public static MetricsSnapshot Collect(Meter meter)
    {
        var snapshot = new MetricsSnapshot();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, meter)) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => snapshot.Add(i, v, tags));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => snapshot.Add(i, v, tags));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => snapshot.Add(i, v, tags));
        listener.Start();
        listener.RecordObservableInstruments();
        return snapshot;
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var names = new List<string>();
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in tags)
        {
            names.Add(k);
            map[k] = Assert.IsType<string>(v);
        }
        // Prometheus shows labels in the order given; the JMX exporter's are sorted by name.
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        _series.Add((instrument.Name, instrument.GetType().Name.StartsWith("ObservableCounter", StringComparison.Ordinal), map, value));
    }

    /// <summary>Names of the instruments that reported at least one measurement.</summary>
    public IEnumerable<string> Names => _series.Select(s => s.Name).Distinct();

    public bool IsCounter(string name) => _series.First(s => s.Name == name).IsCounter;

    /// <summary>Every series of the instrument: its labels and value.</summary>
    public IReadOnlyList<(IReadOnlyDictionary<string, string> Tags, double Value)> Series(string name)
        => [.. _series.Where(s => s.Name == name).Select(s => (s.Tags, s.Value))];

    /// <summary>The value of the series with exactly these labels, or null when there is none.</summary>
    public double? Find(string name, params (string Key, string Value)[] labels) =>
        _series.Where(s => s.Name == name && s.Tags.Count == labels.Length && labels.All(l => s.Tags.TryGetValue(l.Key, out var v) && v == l.Value))
            .Select(s => (double?)s.Value).SingleOrDefault();

    /// <summary>The value of the series with exactly these labels; fails naming what there is when it is missing.</summary>
    public double Value(string name, params (string Key, string Value)[] labels) =>
        Find(name, labels) ?? throw new Xunit.Sdk.XunitException(
            $"no series {name}{{{string.Join(",", labels.Select(l => $"{l.Key}=\"{l.Value}\""))}}}; there are: " +
            string.Join("; ", Series(name).Select(s => "{" + string.Join(",", s.Tags.Select(t => $"{t.Key}=\"{t.Value}\"")) + "} " + s.Value)));
}
