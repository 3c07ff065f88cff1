using System.Collections;
using KafkaConnect.Connect.Connectors;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Sinks;

namespace KafkaConnect.Connect.Transforms.Util;

/// <summary>Shape checks with Apache's messages, so error handling and logs read the same as on a Java worker.</summary>
internal static class Requirements
{
    public static void RequireSchema(Schema? schema, string purpose)
    {
        if (schema is null)
        {
            throw new DataException("Schema required for [" + purpose + "]");
        }
    }

    /// <summary>Schemaless maps arrive as any <see cref="IDictionary"/> (converters produce Dictionary&lt;object, object?&gt;).</summary>
    public static IDictionary RequireMap(object? value, string purpose) =>
        value as IDictionary
        ?? throw new DataException("Only Map objects supported in absence of schema for [" + purpose + "], found: " + ClassName(value));

    public static IDictionary? RequireMapOrNull(object? value, string purpose) => value is null ? null : RequireMap(value, purpose);

    public static Struct RequireStruct(object? value, string purpose) =>
        value as Struct
        ?? throw new DataException("Only Struct objects supported for [" + purpose + "], found: " + ClassName(value));

    public static Struct? RequireStructOrNull(object? value, string purpose) => value is null ? null : RequireStruct(value, purpose);

    public static SinkRecord RequireSinkRecord<TRecord>(TRecord record, string purpose)
        where TRecord : ConnectRecord<TRecord> =>
        record as SinkRecord
        ?? throw new DataException("Only SinkRecord supported for [" + purpose + "], found: " + ClassName(record));

    /// <summary>A string-keyed copy of a schemaless map (the shape every schemaless transform emits).</summary>
    public static Dictionary<string, object?> CopyMap(IDictionary map, int extraCapacity = 0)
    {
        var copy = new Dictionary<string, object?>(map.Count + extraCapacity, StringComparer.Ordinal);
        foreach (DictionaryEntry entry in map)
        {
            copy[KeyString(entry.Key)] = entry.Value;
        }
        return copy;
    }

    public static string KeyString(object key) => key as string ?? Convert.ToString(key, System.Globalization.CultureInfo.InvariantCulture) ?? "";

    /// <summary>A map lookup that is null for absent keys whatever the dictionary implementation does.</summary>
    public static object? Get(IDictionary map, string key) => map.Contains(key) ? map[key] : null;

    public static string ClassName(object? value) => value is null ? "null" : value.GetType().FullName ?? value.GetType().Name;
}
