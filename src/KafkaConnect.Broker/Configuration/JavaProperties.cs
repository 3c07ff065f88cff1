using System.Text;

namespace KafkaConnect.Broker.Configuration;

/// <summary>
/// Reads java.util.Properties text files: '#'/'!' comments, '=', ':' or whitespace separators, backslash line
/// continuations and escapes (\t \n \uXXXX). Later keys win, as in Java.
/// </summary>
public static class JavaProperties
{
    public static Dictionary<string, string> Load(string path) => Parse(File.ReadAllText(path));

    public static Dictionary<string, string> Parse(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimStart(' ', '\t', '\f');
            if (line.Length == 0 || line[0] == '#' || line[0] == '!') continue;
            // Join continuation lines: an odd number of trailing backslashes continues the line.
            while (EndsWithContinuation(line) && i + 1 < lines.Length)
                line = line[..^1] + lines[++i].TrimStart(' ', '\t', '\f');
            if (EndsWithContinuation(line)) line = line[..^1];
            var (key, value) = SplitKeyValue(line);
            result[Unescape(key)] = Unescape(value);
        }
        return result;
    }

    private static bool EndsWithContinuation(string line)
    {
        var n = 0;
        for (var i = line.Length - 1; i >= 0 && line[i] == '\\'; i--) n++;
        return n % 2 == 1;
    }

    private static (string Key, string Value) SplitKeyValue(string line)
    {
        var i = 0;
        while (i < line.Length)
        {
            var c = line[i];
            if (c == '\\') { i += 2; continue; }
            if (c is '=' or ':' or ' ' or '\t' or '\f') break;
            i++;
        }
        var key = line[..Math.Min(i, line.Length)];
        var j = i;
        while (j < line.Length && line[j] is ' ' or '\t' or '\f') j++;
        if (j < line.Length && line[j] is '=' or ':') j++;
        while (j < line.Length && line[j] is ' ' or '\t' or '\f') j++;
        return (key, j < line.Length ? line[j..] : "");
    }

    private static string Unescape(string s)
    {
        if (!s.Contains('\\')) return s;
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c != '\\' || i + 1 >= s.Length) { sb.Append(c); continue; }
            var e = s[++i];
            switch (e)
            {
                case 't': sb.Append('\t'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 'f': sb.Append('\f'); break;
                case 'u' when i + 4 < s.Length && int.TryParse(s.AsSpan(i + 1, 4), System.Globalization.NumberStyles.HexNumber, null, out var code):
                    sb.Append((char)code);
                    i += 4;
                    break;
                default: sb.Append(e); break;
            }
        }
        return sb.ToString();
    }
}
