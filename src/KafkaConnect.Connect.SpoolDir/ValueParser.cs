using System.Globalization;
using System.Text;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.SpoolDir;

/// <summary>
/// Turns the text of a CSV or JSON field into the value its schema asks for, as jcustenborder's parser does: numbers
/// and booleans in invariant form, Decimal at the schema's scale, Timestamp/Date/Time with the configured Java date
/// patterns in the configured zone, bytes as Base64. An empty field of an optional non-string schema is null.
/// </summary>
internal sealed class ValueParser
{
    private readonly string[] _formats;
    private readonly TimeZoneInfo _zone;

    public ValueParser(IReadOnlyList<string> javaDateFormats, TimeZoneInfo zone)
    {
        _formats = [.. javaDateFormats.Select(JavaDatePattern.ToDotNet)];
        _zone = zone;
    }

    public object? Parse(Schema schema, string? text)
    {
        if (text is null || (text.Length == 0 && schema.Type != SchemaType.String && schema.IsOptional))
        {
            return schema.IsOptional ? schema.DefaultValue : throw new DataException("a value is required but the field is empty");
        }
        var invariant = CultureInfo.InvariantCulture;
        switch (schema.Name)
        {
            case Timestamp.LogicalName:
                return ParseDate(text);
            case Date.LogicalName:
                return DateOnly.FromDateTime(ParseDate(text).DateTime);
            case Time.LogicalName:
                return TimeOnly.FromDateTime(ParseDate(text).DateTime);
            case Data.Decimal.LogicalName:
                var scale = Data.Decimal.ScaleOf(schema);
                var number = decimal.Parse(text, NumberStyles.Float, invariant);
                var rounded = decimal.Round(number, scale);
                if (rounded != number)
                {
                    throw new DataException($"'{text}' has more than the {scale} decimal places of the schema");
                }
                // Carry the schema's scale in the value (1.5 at scale 2 is 1.50), as BigDecimal.setScale does.
                return decimal.Parse(rounded.ToString("F" + scale.ToString(invariant), invariant), invariant);
        }
        return schema.Type switch
        {
            SchemaType.String => text,
            SchemaType.Int8 => sbyte.Parse(text, NumberStyles.Integer, invariant),
            SchemaType.Int16 => short.Parse(text, NumberStyles.Integer, invariant),
            SchemaType.Int32 => int.Parse(text, NumberStyles.Integer, invariant),
            SchemaType.Int64 => long.Parse(text, NumberStyles.Integer, invariant),
            SchemaType.Float32 => float.Parse(text, NumberStyles.Float, invariant),
            SchemaType.Float64 => double.Parse(text, NumberStyles.Float, invariant),
            SchemaType.Boolean => bool.TryParse(text.Trim(), out var b) ? b : throw new DataException($"'{text}' is not true or false"),
            SchemaType.Bytes => Convert.FromBase64String(text),
            _ => throw new DataException($"fields of type {schema.Type} cannot be read from text"),
        };
    }

    private DateTimeOffset ParseDate(string text)
    {
        foreach (var format in _formats)
        {
            if (DateTime.TryParseExact(text, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            {
                if (parsed.Kind != DateTimeKind.Unspecified)
                {
                    return new DateTimeOffset(parsed.ToUniversalTime(), TimeSpan.Zero);
                }
                var utc = TimeZoneInfo.ConvertTimeToUtc(parsed, _zone);
                return new DateTimeOffset(utc, TimeSpan.Zero);
            }
        }
        throw new DataException($"'{text}' matches none of the date formats ({string.Join(", ", _formats)})");
    }
}

/// <summary>Java SimpleDateFormat patterns to .NET custom date patterns, for the letters date files use.</summary>
internal static class JavaDatePattern
{
    public static string ToDotNet(string java)
    {
        var result = new StringBuilder(java.Length + 8);
        for (var i = 0; i < java.Length;)
        {
            var c = java[i];
            if (c == '\'')
            {
                // Quoted literal; '' is a single quote.
                var end = java.IndexOf('\'', i + 1);
                if (end == i + 1)
                {
                    result.Append("\\'");
                    i += 2;
                    continue;
                }
                end = end < 0 ? java.Length : end;
                foreach (var literal in java.AsSpan(i + 1, end - i - 1))
                {
                    result.Append(Escape(literal, 1));
                }
                i = end + 1;
                continue;
            }
            var run = 1;
            while (i + run < java.Length && java[i + run] == c)
            {
                run++;
            }
            result.Append(c switch
            {
                'y' or 'u' when run == 2 => "yy",
                'y' or 'u' => "yyyy",
                'M' => new string('M', Math.Min(run, 4)),
                'd' => run >= 2 ? "dd" : "d",
                'H' => run >= 2 ? "HH" : "H",
                'h' => run >= 2 ? "hh" : "h",
                'm' => run >= 2 ? "mm" : "m",
                's' => run >= 2 ? "ss" : "s",
                'S' => new string('f', Math.Min(run, 7)),
                'a' => "tt",
                'E' => run >= 4 ? "dddd" : "ddd",
                'Z' or 'X' or 'x' => "zzz",
                'z' => "zzz",
                _ when char.IsAsciiLetter(c) => throw new ConfigException(SpoolDirConfig.ParserTimestampDateFormats, java,
                    $"The pattern letter '{c}' is not supported"),
                _ => Escape(c, run),
            });
            i += run;
        }
        return result.ToString();
    }

    // Spaces are literal in .NET patterns; anything else is escaped so it never reads as a pattern letter.
    private static string Escape(char c, int run) =>
        c == ' ' ? new string(' ', run) : string.Concat(Enumerable.Repeat("\\" + c, run));
}
