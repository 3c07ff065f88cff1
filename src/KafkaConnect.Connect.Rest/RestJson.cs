using System.Collections;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using KafkaConnect.Connect.Runtime.Herder;
using Microsoft.AspNetCore.Http;

namespace KafkaConnect.Connect.Rest;

/// <summary>
/// Hand-written JSON for Apache Kafka Connect's REST entities: exact property names, no reflection at start-up.
/// </summary>
internal static class RestJson
{
    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonDocumentOptions s_readerOptions = new() { MaxDepth = 64 };

    public static async Task WriteAsync<TState>(HttpContext ctx, int status, TState state, Action<Utf8JsonWriter, TState> body)
    {
        var response = ctx.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        using (var writer = new Utf8JsonWriter(response.BodyWriter, s_writerOptions))
        {
            body(writer, state);
        }
        await response.BodyWriter.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
    }

    public static Task WriteErrorAsync(HttpContext ctx, int status, string? message) =>
        WriteAsync(ctx, status, (status, message), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteNumber("error_code", s.status);
            w.WriteString("message", s.message);
            w.WriteEndObject();
        });

    /// <summary>
    /// Parses the request body; malformed JSON is a 400 naming the line, column and the text there. A backslash before
    /// a character JSON does not escape (<c>"\\."</c>, common in hand-written regular expressions) stands for that
    /// character, as with Jackson's ALLOW_BACKSLASH_ESCAPING_ANY_CHARACTER: Apache rejects such a body, we read it
    /// (docs/rest-api.md).
    /// </summary>
    public static async Task<JsonDocument> ReadBodyAsync(HttpContext ctx)
    {
        using var buffer = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(buffer, ctx.RequestAborted).ConfigureAwait(false);
        var body = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        try
        {
            return JsonDocument.Parse(body, s_readerOptions);
        }
        catch (JsonException first)
        {
            if (!TryUnescapeAnyCharacter(body.Span, out var repaired))
            {
                throw Malformed(body.Span, first);
            }
            try
            {
                return JsonDocument.Parse(repaired, s_readerOptions);
            }
            catch (JsonException second)
            {
                throw Malformed(repaired, second);
            }
        }
    }

    private static RestException Malformed(ReadOnlySpan<byte> body, JsonException e)
    {
        var reason = e.Message;
        var cut = reason.IndexOf(" Path: ", StringComparison.Ordinal) is var p and >= 0 ? p : reason.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        if (cut >= 0)
        {
            reason = reason[..cut];
        }
        if (e.LineNumber is not { } line || e.BytePositionInLine is not { } column)
        {
            return new RestException(400, "Malformed JSON in request body: " + reason);
        }
        // The text from the failing position, so "line 1, column 234" is findable in a body curl sent on one line.
        var start = 0;
        for (var l = 0L; l < line && start < body.Length; l++)
        {
            var next = body[start..].IndexOf((byte)'\n');
            start = next < 0 ? body.Length : start + next + 1;
        }
        var at = Math.Min(body.Length, start + (int)column);
        var near = System.Text.Encoding.UTF8.GetString(body[at..Math.Min(body.Length, at + 24)]);
        return new RestException(400,
            $"Malformed JSON in request body at line {line + 1}, column {column + 1} (near '{near}'): {reason}");
    }

    private static bool TryUnescapeAnyCharacter(ReadOnlySpan<byte> body, out byte[] repaired)
    {
        repaired = [];
        var output = new List<byte>(body.Length);
        var inString = false;
        var changed = false;
        for (var i = 0; i < body.Length; i++)
        {
            var b = body[i];
            if (!inString)
            {
                inString = b == (byte)'"';
                output.Add(b);
                continue;
            }
            if (b == (byte)'"')
            {
                inString = false;
            }
            else if (b == (byte)'\\' && i + 1 < body.Length)
            {
                var escaped = body[i + 1];
                if ("\"\\/bfnrtu"u8.IndexOf(escaped) < 0)
                {
                    changed = true;
                    output.Add(escaped);
                    i++;
                    continue;
                }
                output.Add(b);
                output.Add(escaped);
                i++;
                continue;
            }
            output.Add(b);
        }
        if (changed)
        {
            repaired = [.. output];
        }
        return changed;
    }

    /// <summary>A JSON object of scalar values as a string map (numbers and booleans as their JSON text, as Jackson does).</summary>
    public static Dictionary<string, string?> ReadStringMap(JsonElement element, string what, bool allowNulls)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new RestException(400, $"{what} must be a JSON object");
        }
        var map = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var v = property.Value;
            map[property.Name] = v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.GetRawText(),
                JsonValueKind.Null when allowNulls => null,
                JsonValueKind.Null => throw new RestException(400, $"{what}: the value of '{property.Name}' must not be null"),
                _ => throw new RestException(400, $"{what}: the value of '{property.Name}' must be a string"),
            };
        }
        return map;
    }

    public static Dictionary<string, string> NonNull(Dictionary<string, string?> map)
    {
        var result = new Dictionary<string, string>(map.Count, StringComparer.Ordinal);
        foreach (var (k, v) in map)
        {
            result[k] = v!;
        }
        return result;
    }

    /// <summary>Any JSON value as plain CLR data: objects → dictionaries, arrays → lists, integers → long.</summary>
    public static object? ToObject(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => ToDictionary(e),
        JsonValueKind.Array => e.EnumerateArray().Select(ToObject).ToList(),
        JsonValueKind.String => e.GetString(),
        // The cast keeps the long boxed as a long; without it the conditional converts both arms to double.
        JsonValueKind.Number => e.TryGetInt64(out var l) ? (object)l : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    public static Dictionary<string, object?> ToDictionary(JsonElement e)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var p in e.EnumerateObject())
        {
            map[p.Name] = ToObject(p.Value);
        }
        return map;
    }

    public static void WriteValue(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null: w.WriteNullValue(); break;
            case string s: w.WriteStringValue(s); break;
            case bool b: w.WriteBooleanValue(b); break;
            case int i: w.WriteNumberValue(i); break;
            case long l: w.WriteNumberValue(l); break;
            case short s16: w.WriteNumberValue(s16); break;
            case sbyte s8: w.WriteNumberValue(s8); break;
            case byte u8: w.WriteNumberValue(u8); break;
            case double d: w.WriteNumberValue(d); break;
            case float f: w.WriteNumberValue(f); break;
            case decimal m: w.WriteNumberValue(m); break;
            case IReadOnlyDictionary<string, object?> map:
                w.WriteStartObject();
                foreach (var (k, v) in map)
                {
                    w.WritePropertyName(k);
                    WriteValue(w, v);
                }
                w.WriteEndObject();
                break;
            case IDictionary dict:
                w.WriteStartObject();
                foreach (DictionaryEntry entry in dict)
                {
                    w.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "");
                    WriteValue(w, entry.Value);
                }
                w.WriteEndObject();
                break;
            case IEnumerable list:
                w.WriteStartArray();
                foreach (var item in list)
                {
                    WriteValue(w, item);
                }
                w.WriteEndArray();
                break;
            default: w.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
    }

    public static void WriteStringMap(Utf8JsonWriter w, IReadOnlyDictionary<string, string> map, bool mask = true)
    {
        w.WriteStartObject();
        foreach (var (k, v) in map)
        {
            w.WriteString(k, mask ? SecretMasker.MaskValue(k, v) : v);
        }
        w.WriteEndObject();
    }

    public static void WriteStringArray(Utf8JsonWriter w, IEnumerable<string> items)
    {
        w.WriteStartArray();
        foreach (var item in items)
        {
            w.WriteStringValue(item);
        }
        w.WriteEndArray();
    }

    public static void WriteConnectorInfo(Utf8JsonWriter w, ConnectorInfo info)
    {
        w.WriteStartObject();
        w.WriteString("name", info.Name);
        w.WritePropertyName("config");
        WriteStringMap(w, info.Config);
        w.WritePropertyName("tasks");
        w.WriteStartArray();
        foreach (var task in info.Tasks)
        {
            WriteTaskId(w, task);
        }
        w.WriteEndArray();
        w.WriteString("type", TypeName(info.Type));
        w.WriteEndObject();
    }

    public static void WriteTaskId(Utf8JsonWriter w, ConnectorTaskId id)
    {
        w.WriteStartObject();
        w.WriteString("connector", id.Connector);
        w.WriteNumber("task", id.Task);
        w.WriteEndObject();
    }

    public static void WriteConnectorStatus(Utf8JsonWriter w, ConnectorStateInfo status)
    {
        w.WriteStartObject();
        w.WriteString("name", status.Name);
        w.WritePropertyName("connector");
        w.WriteStartObject();
        WriteState(w, status.Connector.State, status.Connector.WorkerId, status.Connector.Trace);
        w.WriteEndObject();
        w.WritePropertyName("tasks");
        w.WriteStartArray();
        foreach (var task in status.Tasks)
        {
            WriteTaskStatus(w, task);
        }
        w.WriteEndArray();
        w.WriteString("type", TypeName(status.Type));
        w.WriteEndObject();
    }

    public static void WriteTaskStatus(Utf8JsonWriter w, TaskStateInfo task)
    {
        w.WriteStartObject();
        w.WriteNumber("id", task.Id);
        WriteState(w, task.State, task.WorkerId, task.Trace);
        w.WriteEndObject();
    }

    public static void WriteConfigKey(Utf8JsonWriter w, ConfigKeyInfo key)
    {
        w.WriteStartObject();
        w.WriteString("name", key.Name);
        w.WriteString("type", key.Type);
        w.WriteBoolean("required", key.Required);
        w.WriteString("default_value", key.DefaultValue);
        w.WriteString("importance", key.Importance);
        w.WriteString("documentation", key.Documentation);
        w.WriteString("group", key.Group);
        w.WriteString("width", key.Width);
        w.WriteString("display_name", key.DisplayName);
        w.WritePropertyName("dependents");
        WriteStringArray(w, key.Dependents);
        w.WriteNumber("order", key.OrderInGroup);
        w.WriteEndObject();
    }

    public static void WriteConfigInfos(Utf8JsonWriter w, ConfigInfos infos)
    {
        w.WriteStartObject();
        w.WriteString("name", infos.Name);
        w.WriteNumber("error_count", infos.ErrorCount);
        w.WritePropertyName("groups");
        WriteStringArray(w, infos.Groups);
        w.WritePropertyName("configs");
        w.WriteStartArray();
        foreach (var config in infos.Configs)
        {
            w.WriteStartObject();
            w.WritePropertyName("definition");
            WriteConfigKey(w, config.Definition);
            w.WritePropertyName("value");
            var v = config.Value;
            var hide = string.Equals(config.Definition.Type, "PASSWORD", StringComparison.OrdinalIgnoreCase)
                && v.Value is not null && !SecretMasker.IsProviderReference(v.Value);
            w.WriteStartObject();
            w.WriteString("name", v.Name);
            w.WriteString("value", hide ? SecretMasker.HiddenValue : SecretMasker.MaskValue(v.Name, v.Value));
            w.WritePropertyName("recommended_values");
            WriteStringArray(w, v.RecommendedValues);
            w.WritePropertyName("errors");
            WriteStringArray(w, v.Errors);
            w.WriteBoolean("visible", v.Visible);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void WriteOffsets(Utf8JsonWriter w, IReadOnlyList<ConnectorOffset> offsets)
    {
        w.WriteStartObject();
        w.WritePropertyName("offsets");
        w.WriteStartArray();
        foreach (var offset in offsets)
        {
            w.WriteStartObject();
            w.WritePropertyName("partition");
            WriteValue(w, offset.Partition);
            w.WritePropertyName("offset");
            WriteValue(w, offset.Offset);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static string TypeName(ConnectorType type) => type switch
    {
        ConnectorType.Source => "source",
        ConnectorType.Sink => "sink",
        _ => "unknown",
    };

    public static string StateName(ConnectorState state) => state switch
    {
        ConnectorState.Unassigned => "UNASSIGNED",
        ConnectorState.Running => "RUNNING",
        ConnectorState.Paused => "PAUSED",
        ConnectorState.Stopped => "STOPPED",
        ConnectorState.Failed => "FAILED",
        ConnectorState.Restarting => "RESTARTING",
        _ => state.ToString().ToUpperInvariant(),
    };

    public static string PluginTypeName(PluginType type) => type switch
    {
        PluginType.Source => "source",
        PluginType.Sink => "sink",
        PluginType.Converter => "converter",
        PluginType.HeaderConverter => "header_converter",
        PluginType.Transformation => "transformation",
        PluginType.Predicate => "predicate",
        PluginType.ConfigProvider => "configprovider",
        _ => "unknown",
    };

    private static void WriteState(Utf8JsonWriter w, ConnectorState state, string workerId, string? trace)
    {
        w.WriteString("state", StateName(state));
        w.WriteString("worker_id", workerId);
        if (!string.IsNullOrEmpty(trace))
        {
            w.WriteString("trace", trace);
        }
    }
}

/// <summary>An error the REST layer answers itself, with its HTTP status as Apache's error_code.</summary>
internal sealed class RestException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
