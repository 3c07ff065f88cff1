using System.Diagnostics;
using System.Globalization;
using KafkaConnect.Broker.Handlers;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Metrics;

/// <summary>
/// Kafka's RequestMetrics: requests per API key and version (RequestsPerSec) and the time they took (TotalTimeMs,
/// kept as a count and a sum). Slots exist for the keys and versions this broker serves, nothing else.
/// </summary>
internal sealed class RequestCounters
{
    private readonly ApiCounters?[] _apis;

    public RequestCounters(IEnumerable<ApiHandler> handlers)
    {
        var list = handlers.ToList();
        _apis = new ApiCounters?[list.Max(h => (int)h.Key) + 1];
        foreach (var h in list) _apis[(int)h.Key] = new ApiCounters(h.Key, h.MinVersion, h.MaxVersion);
        Apis = [.. _apis.OfType<ApiCounters>()];
    }

    /// <summary>Every served API, in key order.</summary>
    public IReadOnlyList<ApiCounters> Apis { get; }

    /// <summary>A request of a served key and version arrived (the dispatcher checked both).</summary>
    public void Received(ApiKey key, short version) => Interlocked.Increment(ref _apis[(int)key]!.Requests[version]);

    /// <summary>A request's response was encoded (or, for acks=0, found not due) <paramref name="elapsedTicks"/> Stopwatch ticks after it arrived.</summary>
    public void Completed(ApiKey key, long elapsedTicks) => _apis[(int)key]!.Complete(elapsedTicks);

    internal sealed class ApiCounters
    {
        private long _completed;
        private long _elapsedTicks;

        public ApiCounters(ApiKey key, short minVersion, short maxVersion)
        {
            Key = key;
            MinVersion = minVersion;
            Requests = new long[maxVersion + 1];
            // Kafka's request names are the API keys' names (Produce, Fetch, OffsetCommit, ...).
            var name = key.ToString();
            RequestTags = [new("request", name)];
            VersionTags = new KeyValuePair<string, object?>[maxVersion + 1][];
            for (var v = minVersion; v <= maxVersion; v++)
                VersionTags[v] = [new("request", name), new("version", v.ToString(CultureInfo.InvariantCulture))];
        }

        public ApiKey Key { get; }
        public short MinVersion { get; }

        /// <summary>Requests received by version (index = version).</summary>
        public long[] Requests { get; }

        /// <summary>The request label; by version, the request and version labels (made once, not at every collection).</summary>
        public KeyValuePair<string, object?>[] RequestTags { get; }
        public KeyValuePair<string, object?>[][] VersionTags { get; }

        public long Completed => Interlocked.Read(ref _completed);
        public double TotalTimeMs => Interlocked.Read(ref _elapsedTicks) * 1000.0 / Stopwatch.Frequency;

        public void Complete(long elapsedTicks)
        {
            Interlocked.Increment(ref _completed);
            Interlocked.Add(ref _elapsedTicks, elapsedTicks);
        }
    }
}
