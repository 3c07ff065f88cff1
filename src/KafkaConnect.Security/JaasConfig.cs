using System.Text;

namespace KafkaConnect.Security;

/// <summary>
/// One login module of a <c>sasl.jaas.config</c> value, in Java's JAAS syntax:
/// <c>&lt;LoginModuleClass&gt; &lt;controlFlag&gt; (&lt;option&gt;=&lt;value&gt;)*;</c>, e.g.
/// <c>org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="alice-secret";</c>.
/// </summary>
public sealed class JaasLoginModule
{
    internal JaasLoginModule(string className, string controlFlag, IReadOnlyDictionary<string, string> options)
    {
        ClassName = className;
        ControlFlag = controlFlag;
        Options = options;
    }

    /// <summary>The login module's Java class name, e.g. <c>org.apache.kafka.common.security.plain.PlainLoginModule</c>.</summary>
    public string ClassName { get; }

    /// <summary>required, requisite, sufficient or optional (lower case).</summary>
    public string ControlFlag { get; }

    public IReadOnlyDictionary<string, string> Options { get; }

    /// <summary>The class and flag only: options carry passwords and never reach a log through this.</summary>
    public override string ToString() => $"{ClassName} {ControlFlag} ({Options.Count} options)";
}

/// <summary>
/// Parses <c>sasl.jaas.config</c> as Kafka's JaasConfig does (its StreamTokenizer rules): words may hold letters,
/// digits, '.', '-', '_' and '$'; values may be quoted with " or ' and use backslash escapes; // and /* */ comments;
/// each module ends with ';'. A client's value must hold exactly one module, as Kafka requires. Unlike Java, an
/// unquoted number is accepted as a value (Java rejects <c>key=3600</c> and wants <c>key="3600"</c>).
/// </summary>
public static class JaasConfig
{
    /// <summary>The one login module of a client's <c>sasl.jaas.config</c>; throws <see cref="ArgumentException"/> saying what is wrong.</summary>
    public static JaasLoginModule ParseSingle(string text)
    {
        var modules = Parse(text);
        return modules.Count == 1
            ? modules[0]
            : throw new ArgumentException($"JAAS config property contains {modules.Count} login modules, should be 1 module");
    }

    /// <summary>Every login module in the text, in order.</summary>
    public static IReadOnlyList<JaasLoginModule> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new Tokenizer(text);
        var modules = ParseModules(tokens, insideSection: false);
        return modules.Count > 0 ? modules : throw new ArgumentException("Login module not specified in JAAS config");
    }

    /// <summary>
    /// The sections of a JAAS file (<c>java.security.auth.login.config</c>): <c>Name { module flag options; ... };</c>,
    /// by name. Kafka Connect's basic-auth extension reads the section named <c>KafkaConnect</c> from such a file.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<JaasLoginModule>> ParseFile(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new Tokenizer(text);
        var sections = new Dictionary<string, IReadOnlyList<JaasLoginModule>>(StringComparer.Ordinal);
        while (tokens.Next() is { } name)
        {
            if (name.Kind != TokenKind.Word)
                throw new ArgumentException($"Expected a section name in the JAAS file, found '{name.Text}'");
            if (tokens.Next() is not { Kind: TokenKind.Other, Text: "{" })
                throw new ArgumentException($"Expected '{{' after the section name '{name.Text}' in the JAAS file");
            var modules = ParseModules(tokens, insideSection: true);
            if (modules.Count == 0) throw new ArgumentException($"Section '{name.Text}' of the JAAS file has no login module");
            if (tokens.Next() is not { Kind: TokenKind.Semicolon })
                throw new ArgumentException($"Section '{name.Text}' of the JAAS file is not terminated by '}};'");
            sections[name.Text] = modules;
        }
        return sections;
    }

    // Reads modules until the end of the text or, inside a section, its closing brace (consumed).
    private static List<JaasLoginModule> ParseModules(Tokenizer tokens, bool insideSection)
    {
        var modules = new List<JaasLoginModule>();
        while (tokens.Next() is { } token)
        {
            if (insideSection && token is { Kind: TokenKind.Other, Text: "}" }) return modules;
            if (token.Kind != TokenKind.Word)
            {
                throw new ArgumentException($"Expected a login module class name in JAAS config, found '{token.Text}'");
            }
            var className = token.Text;
            var flagToken = tokens.Next() ?? throw new ArgumentException("Login module control flag not specified in JAAS config");
            var flag = flagToken.Text.ToLowerInvariant();
            if (flagToken.Kind != TokenKind.Word || flag is not ("required" or "requisite" or "sufficient" or "optional"))
            {
                throw new ArgumentException($"Invalid login module control flag '{flagToken.Text}' in JAAS config");
            }
            var options = new Dictionary<string, string>(StringComparer.Ordinal);
            var terminated = false;
            while (tokens.Next() is { } next)
            {
                if (next.Kind == TokenKind.Semicolon)
                {
                    terminated = true;
                    break;
                }
                if (insideSection && next is { Kind: TokenKind.Other, Text: "}" })
                {
                    break; // the section closes on a module that lacks its ';'
                }
                var key = next.Text;
                if (next.Kind != TokenKind.Word || tokens.Next() is not { Kind: TokenKind.Equals } || tokens.Next() is not { Kind: TokenKind.Word or TokenKind.Quoted } value)
                {
                    throw new ArgumentException($"Value not specified for key '{key}' in JAAS config");
                }
                options[key] = value.Text;
            }
            if (!terminated)
            {
                throw new ArgumentException("JAAS config entry not terminated by semi-colon");
            }
            modules.Add(new JaasLoginModule(className, flag, options));
        }
        if (insideSection) throw new ArgumentException("JAAS file section not closed by '}'");
        return modules;
    }

    private enum TokenKind
    {
        Word,
        Quoted,
        Equals,
        Semicolon,
        Other,
    }

    private readonly record struct Token(TokenKind Kind, string Text);

    private sealed class Tokenizer(string text)
    {
        private int _pos;

        public Token? Next()
        {
            SkipSpaceAndComments();
            if (_pos >= text.Length) return null;
            var c = text[_pos];
            if (c is '"' or '\'') return new Token(TokenKind.Quoted, ReadQuoted(c));
            if (IsWordChar(c))
            {
                var start = _pos;
                while (_pos < text.Length && IsWordChar(text[_pos])) _pos++;
                return new Token(TokenKind.Word, text[start.._pos]);
            }
            _pos++;
            return c switch
            {
                '=' => new Token(TokenKind.Equals, "="),
                ';' => new Token(TokenKind.Semicolon, ";"),
                _ => new Token(TokenKind.Other, c.ToString()),
            };
        }

        private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c is '.' or '-' or '_' or '$';

        private void SkipSpaceAndComments()
        {
            while (_pos < text.Length)
            {
                if (char.IsWhiteSpace(text[_pos]))
                {
                    _pos++;
                }
                else if (At("//"))
                {
                    while (_pos < text.Length && text[_pos] is not ('\n' or '\r')) _pos++;
                }
                else if (At("/*"))
                {
                    var end = text.IndexOf("*/", _pos + 2, StringComparison.Ordinal);
                    _pos = end < 0 ? text.Length : end + 2;
                }
                else
                {
                    return;
                }
            }
        }

        private bool At(string s) => string.CompareOrdinal(text, _pos, s, 0, s.Length) == 0;

        private string ReadQuoted(char quote)
        {
            var sb = new StringBuilder();
            _pos++;
            while (_pos < text.Length)
            {
                var c = text[_pos++];
                if (c == quote) return sb.ToString();
                if (c == '\\' && _pos < text.Length)
                {
                    var e = text[_pos++];
                    sb.Append(e switch
                    {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        'b' => '\b',
                        'f' => '\f',
                        _ => e,
                    });
                    continue;
                }
                if (c is '\n' or '\r') break; // as StreamTokenizer: a quoted string ends at the line's end
                sb.Append(c);
            }
            throw new ArgumentException("Unterminated quoted value in JAAS config");
        }
    }
}
