using System.Text.Encodings.Web;
using System.Text.Json;
using KafkaConnect.SchemaRegistry.Schemas;

namespace KafkaConnect.SchemaRegistry.Storage;

/// <summary>A schema version as kept in <c>_schemas</c>.</summary>
internal sealed record StoredSchema(string Subject, int Version, int Id, string SchemaType, string Schema, IReadOnlyList<SchemaReference> References, bool Deleted);

/// <summary>
/// The key and value JSON of Confluent's <c>_schemas</c> topic, written byte for byte as Confluent's Jackson mapper does:
/// keys in <c>@JsonPropertyOrder</c> order with a null subject kept (global config and mode), values with empty fields
/// left out (<c>NON_EMPTY</c>) in their creator's parameter order (storage/*Key.java, *Value.java).
/// </summary>
internal static class StoreRecords
{
    private static readonly JsonWriterOptions s_options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] SchemaKey(string subject, int version) => Write(w =>
    {
        w.WriteString("keytype", "SCHEMA");
        w.WriteString("subject", subject);
        w.WriteNumber("version", version);
        w.WriteNumber("magic", 1);
    });

    /// <summary>CONFIG, MODE, DELETE_SUBJECT and CLEAR_SUBJECT keys; a null subject is the global one.</summary>
    public static byte[] SubjectKey(string keyType, string? subject) => Write(w =>
    {
        w.WriteString("keytype", keyType);
        if (subject is null)
        {
            w.WriteNull("subject");
        }
        else
        {
            w.WriteString("subject", subject);
        }
        w.WriteNumber("magic", 0);
    });

    public static byte[] NoopKey() => Write(w =>
    {
        w.WriteString("keytype", "NOOP");
        w.WriteNumber("magic", 0);
    });

    public static byte[] SchemaValue(StoredSchema s) => Write(w =>
    {
        w.WriteString("subject", s.Subject);
        w.WriteNumber("version", s.Version);
        w.WriteNumber("id", s.Id);
        w.WriteString("schemaType", s.SchemaType);
        if (s.References.Count > 0)
        {
            w.WriteStartArray("references");
            foreach (var r in s.References)
            {
                WriteReference(w, r);
            }
            w.WriteEndArray();
        }
        w.WriteString("schema", s.Schema);
        w.WriteBoolean("deleted", s.Deleted);
    });

    public static byte[] ConfigValue(string? subject, string compatibilityLevel) => Write(w =>
    {
        WriteSubject(w, subject);
        w.WriteString("compatibilityLevel", compatibilityLevel);
    });

    public static byte[] ModeValue(string? subject, string mode) => Write(w =>
    {
        WriteSubject(w, subject);
        w.WriteString("mode", mode);
    });

    public static byte[] DeleteSubjectValue(string subject, int version) => Write(w =>
    {
        w.WriteString("subject", subject);
        w.WriteNumber("version", version);
    });

    public static byte[] ClearSubjectValue(string subject) => Write(w => w.WriteString("subject", subject));

    public static void WriteReference(Utf8JsonWriter w, SchemaReference r)
    {
        w.WriteStartObject();
        w.WriteString("name", r.Name);
        w.WriteString("subject", r.Subject);
        w.WriteNumber("version", r.Version);
        w.WriteEndObject();
    }

    public static List<SchemaReference> ReadReferences(JsonElement e)
    {
        var result = new List<SchemaReference>();
        if (e.ValueKind == JsonValueKind.Array)
        {
            foreach (var r in e.EnumerateArray())
            {
                result.Add(new SchemaReference(
                    r.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "",
                    r.TryGetProperty("subject", out var s) ? s.GetString() ?? "" : "",
                    r.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : -1));
            }
        }
        return result;
    }

    private static void WriteSubject(Utf8JsonWriter w, string? subject)
    {
        if (!string.IsNullOrEmpty(subject))
        {
            w.WriteString("subject", subject);
        }
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer, s_options))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
