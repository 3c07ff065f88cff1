using System.Text;

namespace KafkaConnect.Connect.ConfigProviders;

/// <summary>
/// Reads the <c>java.util.Properties</c> text format (<c>Properties.load(Reader)</c>), which secret files
/// written for Apache Kafka use: <c>#</c>/<c>!</c> comments, <c>=</c>, <c>:</c> or whitespace separators,
/// backslash line continuations and escapes including <c>\uXXXX</c>. A later duplicate key wins.
/// </summary>
public static class JavaProperties
{
    /// <exception cref="FormatException">A malformed <c>\uXXXX</c> escape (the message quotes no content).</exception>
    public static Dictionary<string, string> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var line = new StringBuilder();
        var i = 0;
        var n = text.Length;
        while (i < n)
        {
            // Start of a logical line: leading whitespace and blank lines are skipped.
            while (i < n && (IsWhitespace(text[i]) || text[i] is '\r' or '\n'))
            {
                i++;
            }
            if (i >= n)
            {
                break;
            }
            if (text[i] is '#' or '!')
            {
                // Comments never continue onto the next line, even when they end in a backslash.
                while (i < n && text[i] is not ('\r' or '\n'))
                {
                    i++;
                }
                continue;
            }

            line.Clear();
            while (true)
            {
                var start = i;
                while (i < n && text[i] is not ('\r' or '\n'))
                {
                    i++;
                }
                var appended = i - start;
                line.Append(text, start, appended);
                var terminated = i < n;
                if (terminated)
                {
                    i += text[i] == '\r' && i + 1 < n && text[i + 1] == '\n' ? 2 : 1;
                }

                // Only an odd run of trailing backslashes in this natural line escapes the line break.
                var backslashes = 0;
                for (var j = line.Length - 1; j >= line.Length - appended && line[j] == '\\'; j--)
                {
                    backslashes++;
                }
                if (backslashes % 2 == 0)
                {
                    break;
                }
                line.Length--;
                if (!terminated)
                {
                    break; // a dangling backslash at end of input is dropped
                }
                while (i < n && IsWhitespace(text[i]))
                {
                    i++;
                }
            }
            AddEntry(line, result);
        }
        return result;
    }

    private static void AddEntry(StringBuilder line, Dictionary<string, string> result)
    {
        var length = line.Length;
        var keyLength = 0;
        var valueStart = length;
        var hasSeparator = false;
        var precedingBackslash = false;
        while (keyLength < length)
        {
            var c = line[keyLength];
            if (c is '=' or ':' && !precedingBackslash)
            {
                valueStart = keyLength + 1;
                hasSeparator = true;
                break;
            }
            if (IsWhitespace(c) && !precedingBackslash)
            {
                valueStart = keyLength + 1;
                break;
            }
            precedingBackslash = c == '\\' && !precedingBackslash;
            keyLength++;
        }
        while (valueStart < length)
        {
            var c = line[valueStart];
            if (!IsWhitespace(c))
            {
                if (!hasSeparator && c is '=' or ':')
                {
                    hasSeparator = true;
                }
                else
                {
                    break;
                }
            }
            valueStart++;
        }
        var key = Unescape(line, 0, keyLength);
        result[key] = Unescape(line, valueStart, length - valueStart);
    }

    private static string Unescape(StringBuilder source, int offset, int count)
    {
        var sb = new StringBuilder(count);
        var end = offset + count;
        for (var i = offset; i < end; i++)
        {
            var c = source[i];
            if (c != '\\' || i + 1 >= end)
            {
                // A lone trailing backslash cannot survive line reading except as the last char; keep Java's result (dropped).
                if (c != '\\')
                {
                    sb.Append(c);
                }
                continue;
            }
            c = source[++i];
            switch (c)
            {
                case 'u':
                    if (i + 4 >= end)
                    {
                        throw new FormatException("Malformed \\uxxxx encoding.");
                    }
                    var value = 0;
                    for (var k = 1; k <= 4; k++)
                    {
                        var digit = HexValue(source[i + k]);
                        if (digit < 0)
                        {
                            throw new FormatException("Malformed \\uxxxx encoding.");
                        }
                        value = (value << 4) | digit;
                    }
                    sb.Append((char)value);
                    i += 4;
                    break;
                case 't':
                    sb.Append('\t');
                    break;
                case 'r':
                    sb.Append('\r');
                    break;
                case 'n':
                    sb.Append('\n');
                    break;
                case 'f':
                    sb.Append('\f');
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private static bool IsWhitespace(char c) => c is ' ' or '\t' or '\f';
}
