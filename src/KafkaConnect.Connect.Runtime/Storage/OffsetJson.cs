using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text.Json;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Runtime.Storage;

/// <summary>
/// Serializes source partitions and offsets the way Apache's internal converter does (JsonConverter with
/// schemas.enable=false): keys are <c>["connector",{partition}]</c>, values the offset map. Integers read back
/// as <c>long</c> and fractions as <c>double</c>, as Apache's schemaless JSON gives Long and Double.
/// </summary>
public static class OffsetJson
{
    public static byte[] SerializeKey(string connector, IReadOnlyDictionary<string, object?> partition) =>
        Serialize(new List<object?> { connector, partition });

    public static byte[]? SerializeValue(IReadOnlyDictionary<string, object?>? offset) => offset is null ? null : Serialize(offset);

    public static byte[] Serialize(object? value)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(writer, value);
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Parses a key written by <see cref="SerializeKey"/>; false for anything else.</summary>
    public static bool TryParseKey(ReadOnlySpan<byte> key, out string connector, out Dictionary<string, object?> partition)
    {
        connector = "";
        partition = null!;
        try
        {
            if (Deserialize(key) is List<object?> { Count: 2 } list && list[0] is string c && list[1] is Dictionary<string, object?> p)
            {
                connector = c;
                partition = p;
                return true;
            }
        }
        catch (JsonException)
        {
        }
        return false;
    }

    public static Dictionary<string, object?>? DeserializeMap(ReadOnlySpan<byte> json) =>
        json.IsEmpty ? null : Deserialize(json) as Dictionary<string, object?>;

    public static object? Deserialize(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        using var doc = JsonDocument.ParseValue(ref reader);
        return FromElement(doc.RootElement);
    }

    public static object? FromElement(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetInt64(out var l) ? (object)l : e.GetDouble(),
        JsonValueKind.Array => ArrayOf(e),
        JsonValueKind.Object => MapOf(e),
        _ => throw new DataException($"Unsupported JSON value {e.ValueKind}"),
    };

    private static List<object?> ArrayOf(JsonElement e)
    {
        var list = new List<object?>(e.GetArrayLength());
        foreach (var item in e.EnumerateArray())
        {
            list.Add(FromElement(item));
        }
        return list;
    }

    private static Dictionary<string, object?> MapOf(JsonElement e)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var p in e.EnumerateObject())
        {
            map[p.Name] = FromElement(p.Value);
        }
        return map;
    }

    private static void Write(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null: w.WriteNullValue(); break;
            case string s: w.WriteStringValue(s); break;
            case bool b: w.WriteBooleanValue(b); break;
            case sbyte v: w.WriteNumberValue(v); break;
            case byte v: w.WriteNumberValue(v); break;
            case short v: w.WriteNumberValue(v); break;
            case int v: w.WriteNumberValue(v); break;
            case long v: w.WriteNumberValue(v); break;
            case float v: WriteDouble(w, v); break;
            case double v: WriteDouble(w, v); break;
            case decimal v: w.WriteNumberValue(v); break;
            case byte[] bytes: w.WriteBase64StringValue(bytes); break;
            case IReadOnlyDictionary<string, object?> map:
                w.WriteStartObject();
                foreach (var (k, v) in map)
                {
                    w.WritePropertyName(k);
                    Write(w, v);
                }
                w.WriteEndObject();
                break;
            case IDictionary dict:
                w.WriteStartObject();
                foreach (DictionaryEntry entry in dict)
                {
                    w.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "null");
                    Write(w, entry.Value);
                }
                w.WriteEndObject();
                break;
            case IEnumerable list:
                w.WriteStartArray();
                foreach (var item in list)
                {
                    Write(w, item);
                }
                w.WriteEndArray();
                break;
            default:
                throw new DataException($"Offsets and partitions may only hold primitives, strings, lists and maps; got {value.GetType().Name}");
        }
    }

    private static void WriteDouble(Utf8JsonWriter w, double d)
    {
        if (double.IsFinite(d) && Math.Floor(d) == d && Math.Abs(d) < 1e15)
        {
            w.WriteRawValue(d.ToString("0.0", CultureInfo.InvariantCulture)); // Jackson writes 1.0, not 1
        }
        else
        {
            w.WriteNumberValue(d);
        }
    }
}
