using System.Globalization;
using KafkaConnect.Connect.Jdbc.Dialects;

namespace KafkaConnect.Connect.Jdbc.Source;

/// <summary>
/// Confluent's source partition and offset formats, so stored offsets survive a switch between the two
/// implementations and the offsets REST API shows the familiar shapes:
/// partitions <c>{"protocol":"1","table":"db.schema.table"}</c> (incremental table modes),
/// <c>{"table":"name"}</c> (bulk, and the legacy protocol read on startup) and <c>{"query":"query"}</c>;
/// offsets <c>{"incrementing":N}</c> and/or <c>{"timestamp":epochMs,"timestamp_nanos":nanosOfSecond}</c>.
/// </summary>
public static class SourceOffsets
{
    public const string TableKey = "table";
    public const string QueryKey = "query";
    public const string QueryValue = "query";
    public const string ProtocolKey = "protocol";
    public const string ProtocolV1 = "1";
    public const string IncrementingField = "incrementing";
    public const string TimestampField = "timestamp";
    public const string TimestampNanosField = "timestamp_nanos";

    private const long TicksPerMillisecond = TimeSpan.TicksPerMillisecond;
    private const long NanosPerTick = 100;

    /// <summary>The dotted, unquoted name Confluent puts in partitions; null parts are left out.</summary>
    public static string FullName(TableId table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var parts = new List<string>(3);
        if (!string.IsNullOrEmpty(table.Catalog))
        {
            parts.Add(table.Catalog);
        }
        if (!string.IsNullOrEmpty(table.Schema))
        {
            parts.Add(table.Schema);
        }
        parts.Add(table.Name);
        return string.Join('.', parts);
    }

    public static IReadOnlyDictionary<string, object?> TablePartitionV1(TableId table) =>
        new Dictionary<string, object?> { [ProtocolKey] = ProtocolV1, [TableKey] = FullName(table) };

    public static IReadOnlyDictionary<string, object?> TablePartitionV0(TableId table) =>
        new Dictionary<string, object?> { [TableKey] = table.Name };

    public static IReadOnlyDictionary<string, object?> QueryPartition { get; } =
        new Dictionary<string, object?> { [QueryKey] = QueryValue };

    /// <summary>An instant as Confluent stores it: epoch milliseconds plus the nanoseconds within the second.</summary>
    public static (long Millis, long Nanos) ToMillisNanos(DateTimeOffset instant)
    {
        var ticks = instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var millis = Math.DivRem(ticks, TicksPerMillisecond, out var remainder);
        if (remainder < 0)
        {
            millis--;
        }
        var ticksOfSecond = ticks % TimeSpan.TicksPerSecond;
        if (ticksOfSecond < 0)
        {
            ticksOfSecond += TimeSpan.TicksPerSecond;
        }
        return (millis, ticksOfSecond * NanosPerTick);
    }

    /// <summary>Inverse of <see cref="ToMillisNanos"/>; precision below 100 ns is dropped.</summary>
    public static DateTimeOffset FromMillisNanos(long millis, long? nanos)
    {
        var seconds = Math.DivRem(millis, 1000, out var msRemainder);
        if (msRemainder < 0)
        {
            seconds--;
        }
        var subSecondTicks = nanos is { } n && n is >= 0 and < 1_000_000_000
            ? n / NanosPerTick
            : (millis - seconds * 1000) * TicksPerMillisecond;
        return DateTimeOffset.UnixEpoch.AddTicks(seconds * TimeSpan.TicksPerSecond + subSecondTicks);
    }

    /// <summary>
    /// Reads a number from a stored offset: the worker's converter may hand back long, int or double, or a
    /// string when edited by hand through the REST API.
    /// </summary>
    internal static long? ReadLong(IReadOnlyDictionary<string, object?>? offset, string key)
    {
        if (offset is null || !offset.TryGetValue(key, out var value) || value is null)
        {
            return null;
        }
        return value switch
        {
            long l => l,
            int i => i,
            short s => s,
            sbyte b => b,
            byte b => b,
            uint u => u,
            ulong u => checked((long)u),
            double d => (long)d,
            float f => (long)f,
            decimal m => (long)m,
            string s when long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => null,
        };
    }
}

/// <summary>The progress of an incremental querier: last incrementing value and/or last timestamp.</summary>
internal readonly record struct TimestampIncrementingOffset(DateTimeOffset? Timestamp, long? Incrementing)
{
    /// <summary>Confluent treats a missing incrementing offset as -1, so ids from 0 up are read.</summary>
    public long IncrementingOrDefault => Incrementing ?? -1;

    public DateTimeOffset TimestampOrEpoch => Timestamp ?? DateTimeOffset.UnixEpoch;

    public static TimestampIncrementingOffset FromMap(IReadOnlyDictionary<string, object?>? map)
    {
        if (map is null || map.Count == 0)
        {
            return default;
        }
        var incrementing = SourceOffsets.ReadLong(map, SourceOffsets.IncrementingField);
        var millis = SourceOffsets.ReadLong(map, SourceOffsets.TimestampField);
        DateTimeOffset? timestamp = millis is { } ms
            ? SourceOffsets.FromMillisNanos(ms, SourceOffsets.ReadLong(map, SourceOffsets.TimestampNanosField))
            : null;
        return new TimestampIncrementingOffset(timestamp, incrementing);
    }

    public IReadOnlyDictionary<string, object?> ToMap()
    {
        var map = new Dictionary<string, object?>(3);
        if (Incrementing is { } inc)
        {
            map[SourceOffsets.IncrementingField] = inc;
        }
        if (Timestamp is { } ts)
        {
            var (millis, nanos) = SourceOffsets.ToMillisNanos(ts);
            map[SourceOffsets.TimestampField] = millis;
            map[SourceOffsets.TimestampNanosField] = nanos;
        }
        return map;
    }
}
