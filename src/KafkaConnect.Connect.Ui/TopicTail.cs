using System.Text;
using System.Text.Json;

namespace KafkaConnect.Connect.Ui;

/// <summary>Reads the newest records of a topic for the UI's live view; the worker provides it with its Kafka client.</summary>
public interface ITopicTail
{
    /// <summary>
    /// Up to <paramref name="max"/> records per partition that follow <paramref name="after"/> (partition → last offset
    /// seen); a partition not in it starts a few records before its end. Returns without waiting for new records.
    /// </summary>
    /// <exception cref="TopicTailException">The topic does not exist or cannot be read.</exception>
    Task<TopicSample> ReadAsync(string topic, IReadOnlyDictionary<int, long> after, int max, CancellationToken ct);
}

public sealed class TopicTailException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}

public sealed record SampledRecord(int Partition, long Offset, long TimestampMs, ReadOnlyMemory<byte>? Key, ReadOnlyMemory<byte>? Value,
    IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>?>> Headers);

/// <param name="Positions">Partition → offset of the last record returned or skipped: the next call's <c>after</c>.</param>
public sealed record TopicSample(string Topic, IReadOnlyList<SampledRecord> Records, IReadOnlyDictionary<int, long> Positions);

internal static class TopicSampleJson
{
    /// <summary>Keys, values and headers as text when they are UTF-8, else as base64 with <c>"encoding": "base64"</c>.</summary>
    public static void Write(Utf8JsonWriter w, TopicSample sample)
    {
        w.WriteStartObject();
        w.WriteString("topic", sample.Topic);
        w.WriteStartObject("positions");
        foreach (var (partition, offset) in sample.Positions.OrderBy(p => p.Key))
        {
            w.WriteNumber(partition.ToString(System.Globalization.CultureInfo.InvariantCulture), offset);
        }
        w.WriteEndObject();
        w.WriteStartArray("records");
        foreach (var r in sample.Records)
        {
            w.WriteStartObject();
            w.WriteNumber("partition", r.Partition);
            w.WriteNumber("offset", r.Offset);
            w.WriteNumber("timestamp", r.TimestampMs);
            WriteBytes(w, "key", r.Key);
            WriteBytes(w, "value", r.Value);
            w.WriteStartArray("headers");
            foreach (var (name, value) in r.Headers)
            {
                w.WriteStartObject();
                w.WriteString("name", name);
                WriteBytes(w, "value", value);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static void WriteBytes(Utf8JsonWriter w, string name, ReadOnlyMemory<byte>? bytes)
    {
        if (bytes is not { } b)
        {
            w.WriteNull(name);
            return;
        }
        string? text;
        try
        {
            text = s_strictUtf8.GetString(b.Span);
        }
        catch (DecoderFallbackException)
        {
            text = null;
        }
        // Binary formats (Avro, Protobuf, the registry's magic byte) can be valid UTF-8 yet unreadable as text.
        if (text is null || text.AsSpan().IndexOfAnyInRange('\0', '\x08') >= 0 || text.AsSpan().IndexOfAnyInRange('\x0e', '\x1f') >= 0)
        {
            w.WriteStartObject(name);
            w.WriteString("encoding", "base64");
            w.WriteBase64String("data", b.Span);
            w.WriteEndObject();
            return;
        }
        w.WriteString(name, text);
    }
}
