using System.Diagnostics.Metrics;
using KafkaConnect.Connect.Runtime.Metrics;

namespace KafkaConnect.Connect.Runtime.Tests.Metrics;

/// <summary>Reads one worker's instruments as a MeterListener (an exporter) would: series name{labels} → value.</summary>
internal static class MetricsCollector
{
    public static Dictionary<string, double> Collect(ConnectMetrics metrics)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, metrics.Meter))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = new List<string>();
            foreach (var (k, v) in tags)
            {
                labels.Add($"{k}=\"{v}\"");
            }
            values[labels.Count == 0 ? instrument.Name : $"{instrument.Name}{{{string.Join(",", labels)}}}"] = value;
        }
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }

    /// <summary>connector and task labels as the instruments give them.</summary>
    public static string Task(string connector, int task = 0) => $"{{connector=\"{connector}\",task=\"{task}\"}}";
}
