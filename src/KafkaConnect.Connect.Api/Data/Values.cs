using System.Collections;
using System.Globalization;
using System.Text;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Data;

/// <summary>
/// Conversions between Connect values and their text form, as used by header converters and by
/// transformations that need a value as a string. The text form matches Apache Kafka's: lists as
/// <c>[a,b]</c>, maps as <c>{k:v}</c>, structs as <c>{"field":value}</c>, bytes as Base64, dates as ISO-8601.
/// </summary>
/// <remarks>Parsing and the numeric/boolean coercions live in Values.Parsing.cs.</remarks>
public static partial class Values
{
    private const long MillisPerDay = 24L * 60 * 60 * 1000;

    /// <summary>Renders a value as text; null for null. <paramref name="schema"/> selects logical-type formats.</summary>
    /// <exception cref="DataException">The value is not a Connect value.</exception>
    public static string? ConvertToString(Schema? schema, object? value)
    {
        if (value is null)
        {
            return null;
        }
        var sb = new StringBuilder();
        Append(sb, LogicalValue(schema, value), embedded: false);
        return sb.ToString();
    }

    /// <summary>
    /// Infers a schema from a value's CLR type: primitives map to required schemas; lists and maps only when
    /// non-empty and all elements share one type (nulls make the element schema optional); structs bring their
    /// own. Logical values (decimal, DateOnly, TimeOnly, DateTimeOffset) map to their logical schemas.
    /// </summary>
    /// <returns>The schema, or null when the value is null or no single schema fits.</returns>
    public static Schema? InferSchema(object? value) => value switch
    {
        null => null,
        string => Schema.StringSchema,
        bool => Schema.BooleanSchema,
        sbyte => Schema.Int8Schema,
        short => Schema.Int16Schema,
        int => Schema.Int32Schema,
        long => Schema.Int64Schema,
        float => Schema.Float32Schema,
        double => Schema.Float64Schema,
        byte[] => Schema.BytesSchema,
        decimal d => Decimal.Schema(d.Scale),
        DateOnly => Date.Schema,
        TimeOnly => Time.Schema,
        DateTimeOffset => Timestamp.Schema,
        Struct s => s.Schema,
        IList list => InferListSchema(list),
        IDictionary map => InferMapSchema(map),
        _ => null,
    };

    private static Schema? InferListSchema(IList list)
    {
        if (list.Count == 0)
        {
            return null;
        }
        var detector = new SchemaDetector();
        foreach (var element in list)
        {
            if (!detector.TryAdd(element))
            {
                return null;
            }
        }
        return detector.Schema() is { } elementSchema ? SchemaBuilder.Array(elementSchema).Build() : null;
    }

    private static Schema? InferMapSchema(IDictionary map)
    {
        if (map.Count == 0)
        {
            return null;
        }
        var keys = new SchemaDetector();
        var values = new SchemaDetector();
        foreach (DictionaryEntry entry in map)
        {
            if (!keys.TryAdd(entry.Key) || !values.TryAdd(entry.Value))
            {
                return null;
            }
        }
        return keys.Schema() is { } keySchema && values.Schema() is { } valueSchema
            ? SchemaBuilder.Map(keySchema, valueSchema).Build()
            : null;
    }

    // Turns the primitive encoding of a logical type back into its CLR value so it prints as a date etc.
    private static object LogicalValue(Schema? schema, object value) => schema?.Name switch
    {
        Date.LogicalName when value is int days => Date.ToLogical(schema, days),
        Time.LogicalName when value is int millis => Time.ToLogical(schema, millis),
        Timestamp.LogicalName when value is long millis => Timestamp.ToLogical(schema, millis),
        Decimal.LogicalName when value is byte[] bytes => Decimal.ToLogical(schema, bytes),
        _ => value,
    };

    private static void Append(StringBuilder sb, object? value, bool embedded)
    {
        switch (value)
        {
            case null:
                sb.Append("null");
                break;
            case string s:
                if (embedded)
                {
                    sb.Append('"').Append(s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
                }
                else
                {
                    sb.Append(s);
                }
                break;
            case bool b:
                sb.Append(b ? "true" : "false");
                break;
            case float f:
                sb.Append(FormatFloating(f.ToString("R", CultureInfo.InvariantCulture)));
                break;
            case double d:
                sb.Append(FormatFloating(d.ToString("R", CultureInfo.InvariantCulture)));
                break;
            case sbyte or short or int or long or byte or ushort or uint or ulong or decimal:
                sb.Append(((IFormattable)value).ToString(null, CultureInfo.InvariantCulture));
                break;
            case byte[] bytes:
                var encoded = Convert.ToBase64String(bytes);
                if (embedded)
                {
                    sb.Append('"').Append(encoded).Append('"');
                }
                else
                {
                    sb.Append(encoded);
                }
                break;
            case DateOnly date:
                sb.Append(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                break;
            case TimeOnly time:
                sb.Append(time.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)).Append('Z');
                break;
            case DateTimeOffset instant:
                sb.Append(instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture)).Append('Z');
                break;
            case DateTime dateTime:
                AppendDateTime(sb, Timestamp.AsOffset(dateTime));
                break;
            case Struct s:
                sb.Append('{');
                var first = true;
                foreach (var field in s.Schema.Fields)
                {
                    if (!first)
                    {
                        sb.Append(',');
                    }
                    first = false;
                    Append(sb, field.Name, embedded: true);
                    sb.Append(':');
                    Append(sb, LogicalValue(field.Schema, s.Get(field) ?? DBNull.Value), embedded: true);
                }
                sb.Append('}');
                break;
            case DBNull:
                sb.Append("null");
                break;
            case IList list:
                sb.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }
                    Append(sb, list[i], embedded: true);
                }
                sb.Append(']');
                break;
            case IDictionary map:
                sb.Append('{');
                var firstEntry = true;
                foreach (DictionaryEntry entry in map)
                {
                    if (!firstEntry)
                    {
                        sb.Append(',');
                    }
                    firstEntry = false;
                    Append(sb, entry.Key, embedded: true);
                    sb.Append(':');
                    Append(sb, entry.Value, embedded: true);
                }
                sb.Append('}');
                break;
            default:
                throw new DataException($"Failed to serialize unexpected value type {value.GetType().FullName}: {value}");
        }
    }

    // A DateTime alone does not say which logical type it is; like Kafka, pick the shortest exact format.
    private static void AppendDateTime(StringBuilder sb, DateTimeOffset instant)
    {
        var millis = instant.ToUnixTimeMilliseconds();
        if (millis >= 0 && millis < MillisPerDay)
        {
            sb.Append(instant.UtcDateTime.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)).Append('Z');
        }
        else if (millis % MillisPerDay == 0)
        {
            sb.Append(instant.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }
        else
        {
            sb.Append(instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture)).Append('Z');
        }
    }

    // Java prints integral floating values as "1.0" and exponents as "1.0E20"; keep headers readable by both.
    private static string FormatFloating(string text)
    {
        if (text is "NaN" or "Infinity" or "-Infinity")
        {
            return text;
        }
        var e = text.IndexOf('E', StringComparison.Ordinal);
        var mantissa = e < 0 ? text : text[..e];
        var exponent = e < 0 ? string.Empty : "E" + text[(e + 1)..].TrimStart('+');
        if (!mantissa.Contains('.', StringComparison.Ordinal))
        {
            mantissa += ".0";
        }
        return mantissa + exponent;
    }

    private sealed class SchemaDetector
    {
        private Schema? _known;
        private bool _optional;

        public bool TryAdd(object? value)
        {
            if (value is null)
            {
                _optional = true;
                return true;
            }
            var schema = InferSchema(value);
            if (schema is null)
            {
                return false;
            }
            if (_known is null)
            {
                _known = schema;
                return true;
            }
            return _known.Type == schema.Type && _known.Name == schema.Name;
        }

        public Schema? Schema()
        {
            if (_known is null)
            {
                return null;
            }
            if (!_optional || _known.IsOptional)
            {
                return _known;
            }
            return new ConnectSchema(
                _known.Type, true, null, _known.Name, _known.Version, _known.Doc, _known.Parameters,
                _known.Fields, _known.KeySchema, _known.ValueSchema);
        }
    }
}
