using System.Globalization;
using System.Text;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Transforms.Util;

/// <summary>
/// A java.text.SimpleDateFormat pattern (what Apache's configs hold, e.g. "yyyyMMdd" or
/// "yyyy-MM-dd'T'HH:mm:ss.SSSZ") translated once into a .NET custom format; formats and parses in UTC.
/// </summary>
internal sealed class JavaDateFormat
{
    private readonly string _netFormat;

    public JavaDateFormat(string javaPattern)
    {
        Pattern = javaPattern;
        _netFormat = Translate(javaPattern, out var dateOnly);
        IsDateOnly = dateOnly;
    }

    /// <summary>True when the pattern has no time-of-day fields, so one day formats to one text.</summary>
    public bool IsDateOnly { get; }

    public string Pattern { get; }

    public string Format(DateTimeOffset value) => value.ToUniversalTime().ToString(_netFormat, CultureInfo.InvariantCulture);

    public bool TryParse(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(text, _netFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);

    private static string Translate(string pattern, out bool dateOnly)
    {
        var sb = new StringBuilder();
        dateOnly = true;
        var i = 0;
        while (i < pattern.Length)
        {
            var c = pattern[i];
            if (c == '\'')
            {
                // '' is a literal quote; 'text' is literal text.
                if (i + 1 < pattern.Length && pattern[i + 1] == '\'')
                {
                    sb.Append("\\'");
                    i += 2;
                    continue;
                }
                var end = pattern.IndexOf('\'', i + 1);
                if (end < 0)
                {
                    throw new ArgumentException("Unterminated quote in date pattern: " + pattern);
                }
                foreach (var ch in pattern.AsSpan(i + 1, end - i - 1))
                {
                    sb.Append('\\').Append(ch);
                }
                i = end + 1;
                continue;
            }
            if (!char.IsAsciiLetter(c))
            {
                sb.Append('\\').Append(c);
                i++;
                continue;
            }
            dateOnly &= c is 'y' or 'Y' or 'u' or 'M' or 'L' or 'd' or 'E' or 'G';
            var run = 1;
            while (i + run < pattern.Length && pattern[i + run] == c)
            {
                run++;
            }
            sb.Append(c switch
            {
                'y' or 'Y' or 'u' => run == 2 ? "yy" : new string('y', Math.Max(run, 4)),
                'M' or 'L' => run >= 4 ? "MMMM" : new string('M', run),
                'd' => new string('d', Math.Min(run, 2)),
                'H' or 'k' => new string('H', Math.Min(run, 2)),
                'h' or 'K' => new string('h', Math.Min(run, 2)),
                'm' => new string('m', Math.Min(run, 2)),
                's' => new string('s', Math.Min(run, 2)),
                'S' => new string('f', Math.Min(run, 7)),
                'a' => "tt",
                'E' => run >= 4 ? "dddd" : "ddd",
                'Z' => "zzz",
                'X' or 'x' => "zzz",
                'z' => "'UTC'",
                'D' => throw new ArgumentException("Day of year ('D') is not supported in date patterns: " + pattern),
                'G' => "gg",
                _ => throw new ArgumentException("Illegal pattern character '" + c + "'"),
            });
            i += run;
        }
        return sb.ToString();
    }

    public static JavaDateFormat Create(string pattern, Func<string, Exception> onError)
    {
        try
        {
            return new JavaDateFormat(pattern);
        }
        catch (ArgumentException e)
        {
            throw onError(e.Message);
        }
    }

    public DataException ParseError(string value) => new($"Could not parse timestamp: value ({value}) does not match pattern ({Pattern})");
}
