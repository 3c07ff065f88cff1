using System.Diagnostics.Metrics;
using KafkaConnect.Connect.Runtime.Metrics;

namespace KafkaConnect.Connect.Rest;

/// <summary>
/// The web UI's record counters per connector: the source tasks' records written and the sink tasks' records sent, read
/// from the same instruments <c>GET /metrics</c> serves, without rendering the rest of them.
/// </summary>
internal static class RecordTotals
{
    private static readonly string[] s_instruments =
    [
        ConnectMetrics.PrometheusName(ConnectMetrics.SourceTaskGroup, "source-record-write-total"),
        ConnectMetrics.PrometheusName(ConnectMetrics.SinkTaskGroup, "sink-record-send-total"),
    ];

    public static IReadOnlyDictionary<string, double> Read()
    {
        var totals = new Dictionary<string, double>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ConnectMetrics.MeterName && Array.IndexOf(s_instruments, instrument.Name) >= 0)
                {
                    l.EnableMeasurementEvents(instrument, totals);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, state) => Add((Dictionary<string, double>)state!, value, tags));
        listener.SetMeasurementEventCallback<double>((_, value, tags, state) => Add((Dictionary<string, double>)state!, value, tags));
        listener.Start();
        listener.RecordObservableInstruments();
        return totals;
    }

    private static void Add(Dictionary<string, double> totals, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "connector" && tag.Value is string connector)
            {
                totals[connector] = totals.GetValueOrDefault(connector) + value;
                return;
            }
        }
    }
}
