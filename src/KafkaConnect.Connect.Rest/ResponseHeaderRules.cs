using System.Globalization;
using System.Text;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;
using Microsoft.AspNetCore.Http;

namespace KafkaConnect.Connect.Rest;

/// <summary>
/// <c>response.http.headers.config</c>: comma-separated rules <c>[action] [header name]:[header value]</c>, a rule in
/// double quotes when it holds a comma. Actions as Apache validates them (set, add, setDate, addDate, any case); the
/// date actions take milliseconds from now and send that instant as an HTTP date, as Jetty's HeaderFilter does.
/// </summary>
internal sealed class ResponseHeaderRules
{
    private static readonly string[] s_actions = ["set", "add", "setDate", "addDate"];

    private readonly IReadOnlyList<Rule> _rules;
    private readonly TimeProvider _time;

    private ResponseHeaderRules(IReadOnlyList<Rule> rules, TimeProvider time)
    {
        _rules = rules;
        _time = time;
    }

    private sealed record Rule(bool Add, bool IsDate, string Name, string Value, long OffsetMs);

    /// <summary>The config's validator: rejects what Apache rejects, with Apache's messages.</summary>
    public static IValidator Validator { get; } = new RulesValidator();

    /// <summary>Null when the setting is blank.</summary>
    /// <exception cref="ConfigException">A rule is malformed.</exception>
    public static ResponseHeaderRules? Parse(string? config, TimeProvider time)
    {
        if (string.IsNullOrWhiteSpace(config))
        {
            return null;
        }
        var rules = new List<Rule>();
        foreach (var item in CsvSplit(config))
        {
            rules.Add(ParseRule(item));
        }
        return new ResponseHeaderRules(rules, time);
    }

    /// <summary>Adds the headers when the response starts, so error answers written later carry them too.</summary>
    public void Apply(HttpContext ctx)
    {
        var response = ctx.Response;
        response.OnStarting(() =>
        {
            foreach (var rule in _rules)
            {
                var value = rule.IsDate
                    ? _time.GetUtcNow().AddMilliseconds(rule.OffsetMs).ToString("R", CultureInfo.InvariantCulture)
                    : rule.Value;
                if (rule.Add)
                {
                    response.Headers.Append(rule.Name, value);
                }
                else
                {
                    response.Headers[rule.Name] = value;
                }
            }
            return Task.CompletedTask;
        });
    }

    private static Rule ParseRule(string config)
    {
        var tokens = config.Trim().Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length != 2)
        {
            throw Invalid($"Invalid format of header config '{config}'. Expected: '[action] [header name]:[header value]'");
        }
        var action = tokens[0].Trim();
        if (!s_actions.Any(a => a.Equals(action, StringComparison.OrdinalIgnoreCase)))
        {
            throw Invalid($"Invalid header config action: '{action}'. Expected one of [{string.Join(", ", s_actions)}]");
        }
        var header = tokens[1];
        // As Java's split(":"): trailing empty parts are dropped, so "X:" has one part and "X: a:b" three.
        var parts = header.Trim().Split(':').ToList();
        while (parts.Count > 0 && parts[^1].Length == 0)
        {
            parts.RemoveAt(parts.Count - 1);
        }
        if (parts.Count != 2)
        {
            throw Invalid($"Invalid format of header name and header value pair '{header}'. Expected: '[header name]:[header value]'");
        }
        var name = parts[0].Trim();
        if (name.Length == 0 || name.Any(char.IsWhiteSpace))
        {
            throw Invalid($"Invalid header name '{name}'. The '[header name]' cannot contain whitespace");
        }
        // Validated as Apache does, read as Jetty's HeaderFilter does: the value is everything after the first colon.
        var value = header[(header.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        var isDate = action.EndsWith("Date", StringComparison.OrdinalIgnoreCase);
        long offset = 0;
        if (isDate && !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out offset))
        {
            throw Invalid($"Invalid header value '{value}' for action '{action}': expected a number of milliseconds from now");
        }
        return new Rule(action.StartsWith("add", StringComparison.OrdinalIgnoreCase), isDate, name, value, offset);
    }

    private static ConfigException Invalid(string message) => new(message);

    // Jetty's StringUtil.csvSplit: items separated by commas, trimmed; an item in double quotes may hold commas and
    // backslash escapes, and loses its quotes.
    private static List<string> CsvSplit(string text)
    {
        var items = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '\\' && i + 1 < text.Length)
                {
                    current.Append(text[++i]);
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c == '"' && current.ToString().Trim().Length == 0)
            {
                current.Clear();
                quoted = true;
            }
            else if (c == ',')
            {
                Add();
            }
            else
            {
                current.Append(c);
            }
        }
        if (quoted)
        {
            throw Invalid($"Unterminated quote in header config '{text}'");
        }
        Add();
        return items;

        void Add()
        {
            // Rules are trimmed when parsed, so trimming here loses nothing.
            var item = current.ToString().Trim();
            if (item.Length > 0)
            {
                items.Add(item);
            }
            current.Clear();
        }
    }

    private sealed class RulesValidator : IValidator
    {
        public void EnsureValid(string name, object? value)
        {
            try
            {
                Parse(value as string, TimeProvider.System);
            }
            catch (ConfigException e) when (e.ConfigName is null)
            {
                throw new ConfigException(name, value, e.Message);
            }
        }

        public override string ToString() =>
            "Comma-separated header rules, each '[action] [header name]:[header value]' and in double quotes if it contains a comma";
    }
}
