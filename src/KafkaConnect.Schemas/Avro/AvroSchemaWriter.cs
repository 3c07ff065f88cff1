using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KafkaConnect.Schemas.Avro;

/// <summary>
/// Writes a schema exactly as Avro's Java library's <c>Schema.toString()</c> does (Jackson, compact), since that text is
/// what Confluent's converter registers: attribute order type, name, namespace (only when it differs from the enclosing
/// one), doc, fields/symbols/items/values/size, then properties in insertion order, then aliases; a named type seen
/// before is written as its name; primitives without properties as a bare string. The registry stores this text as the
/// schema's canonical form, as Confluent's does.
/// </summary>
public static class AvroSchemaWriter
{
    public static string Write(AvroSchema schema) => Write(schema, []);

    /// <summary>The schema with the named types in <paramref name="known"/> (those its references define) written as names.</summary>
    public static string Write(AvroSchema schema, IEnumerable<string> known)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var sb = new StringBuilder(256);
        WriteSchema(sb, schema, new HashSet<string>(known, StringComparer.Ordinal), null);
        return sb.ToString();
    }

    /// <summary>A JSON value as Jackson writes it: integers plain, other numbers as Java's Double/Float.toString.</summary>
    internal static void WriteJson(StringBuilder sb, JsonNode? node)
    {
        switch (node)
        {
            case null:
                sb.Append("null");
                break;
            case JsonObject obj:
                sb.Append('{');
                var first = true;
                foreach (var (key, value) in obj)
                {
                    if (!first)
                    {
                        sb.Append(',');
                    }
                    first = false;
                    WriteString(sb, key);
                    sb.Append(':');
                    WriteJson(sb, value);
                }
                sb.Append('}');
                break;
            case JsonArray array:
                sb.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }
                    WriteJson(sb, array[i]);
                }
                sb.Append(']');
                break;
            case JsonValue value:
                WriteValue(sb, value);
                break;
        }
    }

    private static void WriteValue(StringBuilder sb, JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                WriteString(sb, value.GetValue<string>());
                break;
            case JsonValueKind.True:
                sb.Append("true");
                break;
            case JsonValueKind.False:
                sb.Append("false");
                break;
            case JsonValueKind.Number:
                // Parsed numbers convert to any type; numbers we create are typed (long, int, double or float).
                if (value.TryGetValue<long>(out var integer))
                {
                    sb.Append(integer.ToString(CultureInfo.InvariantCulture));
                }
                else if (value.TryGetValue<int>(out var small))
                {
                    sb.Append(small.ToString(CultureInfo.InvariantCulture));
                }
                else if (value.TryGetValue<double>(out var d))
                {
                    sb.Append(JavaFloatingPoint.Format(d));
                }
                else if (value.TryGetValue<float>(out var single))
                {
                    sb.Append(JavaFloatingPoint.Format(single));
                }
                else
                {
                    sb.Append(value.ToJsonString()); // beyond double: keep the text (Jackson's BigInteger/BigDecimal nodes)
                }
                break;
            default:
                sb.Append("null");
                break;
        }
    }

    /// <summary>A JSON string as Jackson escapes it: quote, backslash and control characters only; the rest raw.</summary>
    internal static void WriteString(StringBuilder sb, string text)
    {
        sb.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append("\\u00").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }
                    break;
            }
        }
        sb.Append('"');
    }

    private static void WriteSchema(StringBuilder sb, AvroSchema schema, HashSet<string> known, string? space)
    {
        switch (schema.Type)
        {
            case AvroType.Union:
                sb.Append('[');
                for (var i = 0; i < schema.Branches.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }
                    WriteSchema(sb, schema.Branches[i], known, space);
                }
                sb.Append(']');
                return;
            case AvroType.Record or AvroType.Enum or AvroType.Fixed:
                if (!known.Add(schema.FullName))
                {
                    WriteString(sb, QualifiedName(schema, space));
                    return;
                }
                sb.Append("{\"type\":");
                WriteString(sb, schema.IsError ? "error" : AvroSchema.TypeName(schema.Type));
                sb.Append(",\"name\":");
                WriteString(sb, schema.Name!);
                if (schema.Namespace is not null ? schema.Namespace != space : space is not null)
                {
                    sb.Append(",\"namespace\":");
                    WriteString(sb, schema.Namespace ?? string.Empty);
                }
                if (schema.Doc is not null)
                {
                    sb.Append(",\"doc\":");
                    WriteString(sb, schema.Doc);
                }
                if (schema.Type == AvroType.Record)
                {
                    sb.Append(",\"fields\":[");
                    for (var i = 0; i < schema.Fields.Count; i++)
                    {
                        if (i > 0)
                        {
                            sb.Append(',');
                        }
                        WriteField(sb, schema.Fields[i], known, schema.Namespace);
                    }
                    sb.Append(']');
                }
                else if (schema.Type == AvroType.Enum)
                {
                    sb.Append(",\"symbols\":[");
                    for (var i = 0; i < schema.Symbols.Count; i++)
                    {
                        if (i > 0)
                        {
                            sb.Append(',');
                        }
                        WriteString(sb, schema.Symbols[i]);
                    }
                    sb.Append(']');
                    if (schema.EnumDefault is not null)
                    {
                        sb.Append(",\"default\":");
                        WriteString(sb, schema.EnumDefault);
                    }
                }
                else
                {
                    sb.Append(",\"size\":").Append(schema.FixedSize.ToString(CultureInfo.InvariantCulture));
                }
                WriteProps(sb, schema.Props);
                WriteAliases(sb, schema.Aliases, schema.Namespace);
                sb.Append('}');
                return;
            case AvroType.Array or AvroType.Map:
                sb.Append(schema.Type == AvroType.Array ? "{\"type\":\"array\",\"items\":" : "{\"type\":\"map\",\"values\":");
                WriteSchema(sb, schema.ItemSchema!, known, space);
                WriteProps(sb, schema.Props);
                sb.Append('}');
                return;
            default:
                if (schema.Props.Count == 0)
                {
                    WriteString(sb, AvroSchema.TypeName(schema.Type));
                    return;
                }
                sb.Append("{\"type\":");
                WriteString(sb, AvroSchema.TypeName(schema.Type));
                WriteProps(sb, schema.Props);
                sb.Append('}');
                return;
        }
    }

    private static void WriteField(StringBuilder sb, AvroField field, HashSet<string> known, string? space)
    {
        sb.Append("{\"name\":");
        WriteString(sb, field.Name);
        sb.Append(",\"type\":");
        WriteSchema(sb, field.Schema, known, space);
        if (field.Doc is not null)
        {
            sb.Append(",\"doc\":");
            WriteString(sb, field.Doc);
        }
        if (field.HasDefault)
        {
            sb.Append(",\"default\":");
            WriteJson(sb, field.Default);
        }
        if (field.Order is not null)
        {
            sb.Append(",\"order\":");
            WriteString(sb, field.Order);
        }
        WriteAliases(sb, field.Aliases, null);
        WriteProps(sb, field.Props);
        sb.Append('}');
    }

    private static void WriteProps(StringBuilder sb, IReadOnlyList<KeyValuePair<string, JsonNode?>> props)
    {
        foreach (var (key, value) in props)
        {
            sb.Append(',');
            WriteString(sb, key);
            sb.Append(':');
            WriteJson(sb, value);
        }
    }

    // Java prints a named type's aliases relative to its own namespace.
    private static void WriteAliases(StringBuilder sb, IReadOnlyList<string> aliases, string? space)
    {
        if (aliases.Count == 0)
        {
            return;
        }
        sb.Append(",\"aliases\":[");
        for (var i = 0; i < aliases.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }
            var dot = aliases[i].LastIndexOf('.');
            WriteString(sb, space is not null && dot >= 0 && aliases[i].AsSpan(0, dot).SequenceEqual(space) ? aliases[i][(dot + 1)..] : aliases[i]);
        }
        sb.Append(']');
    }

    // A name already written is referred to by its short name within the same namespace, else by its full name.
    private static string QualifiedName(AvroSchema schema, string? space) =>
        schema.Namespace is not null && schema.Namespace == space ? schema.Name! : schema.FullName;
}

/// <summary>Java's <c>Double.toString</c>/<c>Float.toString</c> text (what Jackson writes for floating-point nodes).</summary>
internal static class JavaFloatingPoint
{
    public static string Format(double value) =>
        double.IsFinite(value) ? Render(value.ToString("R", CultureInfo.InvariantCulture)) : NonFinite(double.IsNaN(value), value > 0);

    public static string Format(float value) =>
        float.IsFinite(value) ? Render(value.ToString("R", CultureInfo.InvariantCulture)) : NonFinite(float.IsNaN(value), value > 0);

    private static string NonFinite(bool nan, bool positive) => nan ? "NaN" : positive ? "Infinity" : "-Infinity";

    // Splits the shortest round-trip text into significant digits and a decimal exponent, then lays them out as Java
    // does: plain with at least one fraction digit for 1e-3 <= |v| < 1e7, else d.ddd"E"n.
    private static string Render(string shortest)
    {
        var sign = shortest.StartsWith('-') ? "-" : string.Empty;
        var body = shortest.TrimStart('-');
        var e = body.IndexOfAny(['E', 'e']);
        var exponent = e < 0 ? 0 : int.Parse(body.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = e < 0 ? body : body[..e];
        var point = mantissa.IndexOf('.');
        var intLength = point < 0 ? mantissa.Length : point;
        var allDigits = mantissa.Replace(".", string.Empty, StringComparison.Ordinal);
        var significant = allDigits.TrimStart('0');
        if (significant.Length == 0)
        {
            return sign + "0.0";
        }
        // Value = 0.significant × 10^scale.
        var scale = intLength - (allDigits.Length - significant.Length) + exponent;
        significant = significant.TrimEnd('0');
        if (significant.Length == 0)
        {
            significant = "0";
        }
        var magnitude = scale - 1;
        if (magnitude is >= -3 and < 7)
        {
            if (scale <= 0)
            {
                return sign + "0." + new string('0', -scale) + significant;
            }
            var whole = significant.Length > scale ? significant[..scale] : significant.PadRight(scale, '0');
            var fraction = significant.Length > scale ? significant[scale..] : "0";
            return sign + whole + "." + fraction;
        }
        var rest = significant.Length > 1 ? significant[1..] : "0";
        return sign + significant[0] + "." + rest + "E" + magnitude.ToString(CultureInfo.InvariantCulture);
    }
}
