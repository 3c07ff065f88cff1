using System.Globalization;
using System.Text;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Data;

public static partial class Values
{
    /// <summary>
    /// Infers schema and value from text written by <see cref="ConvertToString"/> (or a person), as Kafka's
    /// <c>Values.parseString</c> does: <c>true</c>/<c>false</c>; integers as the smallest fitting Int8..Int64;
    /// other numbers as Float32 (Float64 when out of float range; Decimal beyond Int64); ISO dates
    /// (<c>yyyy-MM-dd</c>), times (<c>HH:mm:ss.fffZ</c>) and timestamps (<c>yyyy-MM-ddTHH:mm:ss.fffZ</c>);
    /// arrays <c>[a,b]</c> and maps <c>{k:v}</c> with embedded strings in double quotes. Anything else is the
    /// original string. Arrays and maps whose elements share no schema get a null schema.
    /// </summary>
    public static SchemaAndValue ParseString(string? value)
    {
        if (value is null)
        {
            return SchemaAndValue.Null;
        }
        if (value.Length == 0)
        {
            return new SchemaAndValue(Schema.StringSchema, value);
        }
        var trimmed = value.AsSpan().Trim();
        if (trimmed.Length == 0)
        {
            return new SchemaAndValue(Schema.StringSchema, value);
        }
        if (trimmed is "null")
        {
            return SchemaAndValue.Null;
        }
        if (trimmed is "true" or "false")
        {
            return new SchemaAndValue(Schema.BooleanSchema, trimmed is "true");
        }
        if (trimmed[0] is '[' or '{')
        {
            var parser = new TextParser(value);
            try
            {
                var parsed = parser.ParseComposite();
                parser.SkipWhitespace();
                if (parser.AtEnd)
                {
                    return parsed;
                }
            }
            catch (DataException)
            {
                // Not a well-formed array or map: keep the text.
            }
            return new SchemaAndValue(Schema.StringSchema, value);
        }
        if (char.IsAsciiDigit(trimmed[0]) && TryParseTemporal(trimmed, out var temporal))
        {
            return temporal;
        }
        if ((char.IsAsciiDigit(trimmed[0]) || trimmed[0] is '+' or '-') && TryParseNumber(trimmed, out var number))
        {
            return number;
        }
        return new SchemaAndValue(Schema.StringSchema, value);
    }

    private static bool TryParseTemporal(ReadOnlySpan<char> token, out SchemaAndValue result)
    {
        var inv = CultureInfo.InvariantCulture;
        switch (token.Length)
        {
            case 10 when DateOnly.TryParseExact(token, "yyyy-MM-dd", inv, DateTimeStyles.None, out var date):
                result = new SchemaAndValue(Date.Schema, date);
                return true;
            case 13 when TimeOnly.TryParseExact(token, "HH:mm:ss.fff'Z'", inv, DateTimeStyles.None, out var time):
                result = new SchemaAndValue(Time.Schema, time);
                return true;
            case 24 when DateTime.TryParseExact(token, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", inv,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var instant):
                result = new SchemaAndValue(Timestamp.Schema, new DateTimeOffset(instant, TimeSpan.Zero));
                return true;
        }
        result = default;
        return false;
    }

    private static bool TryParseNumber(ReadOnlySpan<char> token, out SchemaAndValue result)
    {
        var inv = CultureInfo.InvariantCulture;
        const NumberStyles styles = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;
        // Kafka parses as BigDecimal: whole values (even "1.0") become the smallest fitting integer type.
        if (decimal.TryParse(token, styles, inv, out var exact))
        {
            if (decimal.Truncate(exact) == exact && exact >= long.MinValue && exact <= long.MaxValue)
            {
                var integral = (long)exact;
                result = integral switch
                {
                    >= sbyte.MinValue and <= sbyte.MaxValue => new SchemaAndValue(Schema.Int8Schema, (sbyte)integral),
                    >= short.MinValue and <= short.MaxValue => new SchemaAndValue(Schema.Int16Schema, (short)integral),
                    >= int.MinValue and <= int.MaxValue => new SchemaAndValue(Schema.Int32Schema, (int)integral),
                    _ => new SchemaAndValue(Schema.Int64Schema, integral),
                };
                return true;
            }
            if (exact.Scale == 0)
            {
                result = new SchemaAndValue(Decimal.Schema(0), exact);
                return true;
            }
        }
        if (!double.TryParse(token, styles, inv, out var d) || !double.IsFinite(d))
        {
            result = default;
            return false;
        }
        var f = float.Parse(token, styles, inv);
        result = float.IsFinite(f) ? new SchemaAndValue(Schema.Float32Schema, f) : new SchemaAndValue(Schema.Float64Schema, d);
        return true;
    }

    // Widening order Kafka uses when elements of one array or map disagree: int8 < ... < int64 < float32 < float64.
    private static int NumericRank(SchemaType type) => type switch
    {
        SchemaType.Int8 => 0,
        SchemaType.Int16 => 1,
        SchemaType.Int32 => 2,
        SchemaType.Int64 => 3,
        SchemaType.Float32 => 4,
        SchemaType.Float64 => 5,
        _ => -1,
    };

    private static object? Widen(object? value, Schema schema)
    {
        if (value is null || schema.Name is not null)
        {
            return value;
        }
        return schema.Type switch
        {
            SchemaType.Int16 when value is sbyte b => (short)b,
            SchemaType.Int32 when value is sbyte or short => Convert.ToInt32(value, CultureInfo.InvariantCulture),
            SchemaType.Int64 when value is sbyte or short or int => Convert.ToInt64(value, CultureInfo.InvariantCulture),
            SchemaType.Float32 when value is sbyte or short or int or long => Convert.ToSingle(value, CultureInfo.InvariantCulture),
            SchemaType.Float64 when value is sbyte or short or int or long or float => Convert.ToDouble(value, CultureInfo.InvariantCulture),
            _ => value,
        };
    }

    private sealed class SchemaMerger
    {
        private Schema? _common;
        private bool _compatible = true;

        public Schema? Common => _compatible ? _common : null;

        public void Merge(Schema? schema)
        {
            if (schema is null || !_compatible)
            {
                return;
            }
            if (_common is null)
            {
                _common = schema;
                return;
            }
            if (_common.Type == schema.Type && _common.Name == schema.Name)
            {
                _compatible = _common.Equals(schema) || (_common.Type.IsPrimitive() && _common.Name is null);
                return;
            }
            var a = NumericRank(_common.Type);
            var b = NumericRank(schema.Type);
            if (a < 0 || b < 0 || _common.Name is not null || schema.Name is not null)
            {
                _compatible = false;
                return;
            }
            if (b > a)
            {
                _common = schema;
            }
        }
    }

    // Tokenizer for the embedded syntax inside arrays and maps.
    private sealed class TextParser(string text)
    {
        private int _pos;

        public bool AtEnd => _pos >= text.Length;

        public void SkipWhitespace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos]))
            {
                _pos++;
            }
        }

        public SchemaAndValue ParseComposite()
        {
            SkipWhitespace();
            var c = text[_pos++];
            return c == '[' ? ParseArray() : ParseMap();
        }

        private bool TryConsume(char c)
        {
            SkipWhitespace();
            if (_pos < text.Length && text[_pos] == c)
            {
                _pos++;
                return true;
            }
            return false;
        }

        private SchemaAndValue ParseArray()
        {
            var items = new List<object?>();
            var merger = new SchemaMerger();
            if (TryConsume(']'))
            {
                return new SchemaAndValue(null, items);
            }
            while (true)
            {
                if (TryConsume(','))
                {
                    throw new DataException("Unable to parse an empty array element: " + text);
                }
                var element = ParseEmbedded();
                merger.Merge(element.Schema);
                items.Add(element.Value);
                if (TryConsume(']'))
                {
                    break;
                }
                if (!TryConsume(','))
                {
                    throw new DataException(AtEnd ? "Array is missing terminating ']': " + text : "Array elements missing ',' delimiter");
                }
            }
            if (merger.Common is not { } common)
            {
                return new SchemaAndValue(null, items);
            }
            for (var i = 0; i < items.Count; i++)
            {
                items[i] = Widen(items[i], common);
            }
            return new SchemaAndValue(SchemaBuilder.Array(common).Build(), items);
        }

        private SchemaAndValue ParseMap()
        {
            var map = new Dictionary<object, object?>();
            var keys = new SchemaMerger();
            var values = new SchemaMerger();
            if (TryConsume('}'))
            {
                return new SchemaAndValue(null, map);
            }
            while (true)
            {
                if (TryConsume(','))
                {
                    throw new DataException("Unable to parse a map entry with no key or value: " + text);
                }
                var key = ParseEmbedded();
                if (key.Value is null)
                {
                    throw new DataException("Map entry may not have a null key: " + text);
                }
                if (!TryConsume(':'))
                {
                    throw new DataException($"Map entry is missing ':' at {_pos} in {text}");
                }
                var value = ParseEmbedded();
                map[key.Value] = value.Value;
                keys.Merge(key.Schema);
                values.Merge(value.Schema);
                if (TryConsume('}'))
                {
                    break;
                }
                if (!TryConsume(','))
                {
                    throw new DataException("Map is missing terminating '}': " + text);
                }
            }
            if (keys.Common is not { } keySchema || values.Common is not { } valueSchema)
            {
                return new SchemaAndValue(null, map);
            }
            var aligned = new Dictionary<object, object?>(map.Count);
            foreach (var (k, v) in map)
            {
                aligned[Widen(k, keySchema)!] = Widen(v, valueSchema);
            }
            return new SchemaAndValue(SchemaBuilder.Map(keySchema, valueSchema).Build(), aligned);
        }

        private SchemaAndValue ParseEmbedded()
        {
            SkipWhitespace();
            if (AtEnd)
            {
                throw new DataException("Unexpected end of value: " + text);
            }
            var c = text[_pos];
            if (c is '[' or '{')
            {
                return ParseComposite();
            }
            if (c == '"')
            {
                _pos++;
                var sb = new StringBuilder();
                while (true)
                {
                    if (AtEnd)
                    {
                        throw new DataException("String is missing terminating '\"': " + text);
                    }
                    var ch = text[_pos++];
                    if (ch == '"')
                    {
                        break;
                    }
                    if (ch == '\\' && _pos < text.Length && text[_pos] is '"' or '\\')
                    {
                        ch = text[_pos++];
                    }
                    sb.Append(ch);
                }
                var content = sb.ToString();
                return TryParseTemporal(content, out var temporal) ? temporal : new SchemaAndValue(Schema.StringSchema, content);
            }
            var start = _pos;
            while (_pos < text.Length && text[_pos] is not (',' or ']' or '}'))
            {
                // ':' separates map entries except inside a time such as 12:34:56.789Z.
                if (text[_pos] == ':' && !(_pos > start && char.IsAsciiDigit(text[_pos - 1]) && _pos + 1 < text.Length && char.IsAsciiDigit(text[_pos + 1])))
                {
                    break;
                }
                _pos++;
            }
            var token = text.AsSpan(start, _pos - start).Trim();
            if (token is "null")
            {
                return SchemaAndValue.Null;
            }
            if (token is "true" or "false")
            {
                return new SchemaAndValue(Schema.BooleanSchema, token is "true");
            }
            if (token.Length > 0 && char.IsAsciiDigit(token[0]) && TryParseTemporal(token, out var t))
            {
                return t;
            }
            if (token.Length > 0 && (char.IsAsciiDigit(token[0]) || token[0] is '+' or '-') && TryParseNumber(token, out var n))
            {
                return n;
            }
            throw new DataException("Failed to parse embedded value");
        }
    }

    /// <summary>Converts to a boolean: booleans, numbers (non-zero is true) and text "true"/"false".</summary>
    /// <exception cref="DataException">The value cannot be converted.</exception>
    public static bool? ConvertToBoolean(Schema? schema, object? value) => value switch
    {
        null => null,
        bool b => b,
        string s when s.Trim() is { } t && (t.Equals("true", StringComparison.OrdinalIgnoreCase) || t.Equals("false", StringComparison.OrdinalIgnoreCase)) =>
            t.Equals("true", StringComparison.OrdinalIgnoreCase),
        string s => ParseString(s).Value is { } parsed and not string ? ConvertToBoolean(null, parsed) : throw CannotConvert(value, "BOOLEAN"),
        sbyte or short or int or long => Convert.ToInt64(value, CultureInfo.InvariantCulture) != 0,
        _ => throw CannotConvert(value, "BOOLEAN"),
    };

    public static sbyte? ConvertToByte(Schema? schema, object? value) => value is null ? null : (sbyte)Narrow(ToLong(value, "INT8"), sbyte.MinValue, sbyte.MaxValue, "INT8");

    public static short? ConvertToShort(Schema? schema, object? value) => value is null ? null : (short)Narrow(ToLong(value, "INT16"), short.MinValue, short.MaxValue, "INT16");

    public static int? ConvertToInteger(Schema? schema, object? value) => value is null ? null : (int)Narrow(ToLong(value, "INT32"), int.MinValue, int.MaxValue, "INT32");

    public static long? ConvertToLong(Schema? schema, object? value) => value is null ? null : ToLong(value, "INT64");

    public static float? ConvertToFloat(Schema? schema, object? value) => value is null ? null : (float)ToDouble(value, "FLOAT32");

    public static double? ConvertToDouble(Schema? schema, object? value) => value is null ? null : ToDouble(value, "FLOAT64");

    private static long Narrow(long value, long min, long max, string type) =>
        value >= min && value <= max ? value : throw new DataException($"Value {value} is out of range for {type}");

    private static long ToLong(object value, string type)
    {
        try
        {
            return value switch
            {
                bool b => b ? 1 : 0,
                sbyte or short or int or long => Convert.ToInt64(value, CultureInfo.InvariantCulture),
                float or double or decimal => (long)Convert.ToDouble(value, CultureInfo.InvariantCulture), // truncates like Java's longValue()
                DateOnly or TimeOnly or DateTimeOffset or DateTime => ToEpochNumber(value),
                string s => ParseString(s).Value is { } parsed and not string ? ToLong(parsed, type) : throw CannotConvert(value, type),
                _ => throw CannotConvert(value, type),
            };
        }
        catch (OverflowException e)
        {
            throw new DataException($"Value {value} is out of range for {type}", e);
        }
    }

    private static double ToDouble(object value, string type) => value switch
    {
        bool b => b ? 1 : 0,
        sbyte or short or int or long or float or double or decimal => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        string s => ParseString(s).Value is { } parsed and not string ? ToDouble(parsed, type) : throw CannotConvert(value, type),
        _ => throw CannotConvert(value, type),
    };

    private static long ToEpochNumber(object value) => value switch
    {
        DateOnly d => Date.FromLogical(Date.Schema, d),
        TimeOnly t => Time.FromLogical(Time.Schema, t),
        DateTimeOffset o => o.ToUnixTimeMilliseconds(),
        DateTime dt => Timestamp.AsOffset(dt).ToUnixTimeMilliseconds(),
        _ => throw CannotConvert(value, "INT64"),
    };

    private static DataException CannotConvert(object value, string type) =>
        new($"Unable to convert {value} ({value.GetType().Name}) to {type}");
}
