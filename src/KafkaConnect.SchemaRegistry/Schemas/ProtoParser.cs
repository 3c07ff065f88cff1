using System.Globalization;
using System.Text;
using KafkaConnect.Schemas;

namespace KafkaConnect.SchemaRegistry.Schemas;

internal enum ProtoKind { Scalar, Enum, Message, Map }

internal sealed class ProtoField
{
    public required string Name { get; init; }
    public required int Number { get; init; }
    /// <summary>optional, required, repeated, or null when none is written (proto3's implicit presence).</summary>
    public string? Label { get; init; }
    public required string TypeName { get; init; }
    public string? Oneof { get; init; }
    public string? MapKey { get; init; }
    public string? MapValue { get; init; }
    public int Line { get; init; }

    /// <summary>Set by resolution: the scalar name, or the full name (leading dot) of a message or enum.</summary>
    public string ResolvedType { get; set; } = "";
    public ProtoKind Kind { get; set; }
    public string ResolvedMapValue { get; set; } = "";
    public ProtoKind MapValueKind { get; set; }
}

internal sealed class ProtoMessage
{
    public required string Name { get; init; }
    public required string FullName { get; init; }
    public List<ProtoField> Fields { get; } = [];
    public List<ProtoMessage> Messages { get; } = [];
    public List<string> Enums { get; } = [];
}

internal sealed class ProtoFile
{
    public string Syntax { get; set; } = "proto2";
    public string? Package { get; set; }
    public List<string> Imports { get; } = [];
    public List<ProtoMessage> Messages { get; } = [];
    public List<string> Enums { get; } = [];
}

/// <summary>
/// A parser for <c>.proto</c> text (proto2, proto3, editions syntax line): packages, imports, messages (nested), enums,
/// fields with labels, maps, oneofs; options, reserved ranges, extensions and services are read past. Type names are
/// resolved with protobuf's scoping rules against this file and its imports. Errors name the line, as protoc does.
/// </summary>
internal static class ProtoParser
{
    internal static readonly HashSet<string> Scalars =
    [
        "double", "float", "int32", "int64", "uint32", "uint64", "sint32", "sint64",
        "fixed32", "fixed64", "sfixed32", "sfixed64", "bool", "string", "bytes",
    ];

    public static ProtoFile Parse(string text) => new Reader(text).File();

    /// <summary>
    /// Resolves every field's type in <paramref name="file"/> against the messages and enums of all <paramref name="files"/>
    /// (itself included). Well-known <c>google.protobuf.*</c> types imported without a reference count as messages.
    /// </summary>
    public static void Resolve(ProtoFile file, IReadOnlyList<ProtoFile> files)
    {
        var messages = new HashSet<string>(StringComparer.Ordinal);
        var enums = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in files)
        {
            var prefix = f.Package is null ? "." : "." + f.Package + ".";
            foreach (var m in f.Messages)
            {
                Index(m, messages, enums);
            }
            foreach (var e in f.Enums)
            {
                enums.Add(prefix + e);
            }
        }
        var wellKnown = file.Imports.Any(i => i.StartsWith("google/protobuf/", StringComparison.Ordinal));
        foreach (var m in file.Messages)
        {
            ResolveMessage(m, messages, enums, wellKnown);
        }
    }

    private static void Index(ProtoMessage m, HashSet<string> messages, HashSet<string> enums)
    {
        messages.Add(m.FullName);
        foreach (var e in m.Enums)
        {
            enums.Add(m.FullName + "." + e);
        }
        foreach (var nested in m.Messages)
        {
            Index(nested, messages, enums);
        }
    }

    private static void ResolveMessage(ProtoMessage m, HashSet<string> messages, HashSet<string> enums, bool wellKnown)
    {
        foreach (var f in m.Fields)
        {
            (f.ResolvedType, f.Kind) = ResolveType(f.MapKey is null ? f.TypeName : f.MapKey, m.FullName, messages, enums, wellKnown, f.Line);
            if (f.MapValue is not null)
            {
                (f.ResolvedMapValue, f.MapValueKind) = ResolveType(f.MapValue, m.FullName, messages, enums, wellKnown, f.Line);
                f.Kind = ProtoKind.Map;
            }
        }
        foreach (var nested in m.Messages)
        {
            ResolveMessage(nested, messages, enums, wellKnown);
        }
    }

    private static (string, ProtoKind) ResolveType(string name, string scope, HashSet<string> messages, HashSet<string> enums, bool wellKnown, int line)
    {
        if (Scalars.Contains(name))
        {
            return (name, ProtoKind.Scalar);
        }
        IEnumerable<string> Candidates()
        {
            if (name.StartsWith('.'))
            {
                yield return name;
                yield break;
            }
            // Innermost scope outwards: pkg.Outer.Inner.Name, pkg.Outer.Name, pkg.Name, Name.
            var s = scope;
            while (s.Length > 0)
            {
                yield return s + "." + name;
                var dot = s.LastIndexOf('.');
                s = dot <= 0 ? "" : s[..dot];
            }
            yield return "." + name;
        }
        foreach (var c in Candidates())
        {
            if (messages.Contains(c))
            {
                return (c, ProtoKind.Message);
            }
            if (enums.Contains(c))
            {
                return (c, ProtoKind.Enum);
            }
        }
        var full = name.StartsWith('.') ? name : "." + name;
        if (wellKnown && full.StartsWith(".google.protobuf.", StringComparison.Ordinal))
        {
            return (full, ProtoKind.Message);
        }
        throw new SchemaParseException($"{line}: \"{name}\" is not defined.");
    }

    private sealed class Reader(string text)
    {
        private int _pos;
        private int _line = 1;
        private string? _peeked;
        private int _peekedLine;

        public ProtoFile File()
        {
            var file = new ProtoFile();
            while (Peek() is { } token)
            {
                switch (token)
                {
                    case "syntax" or "edition":
                        Next();
                        Expect("=");
                        file.Syntax = Unquote(Next());
                        Expect(";");
                        break;
                    case "package":
                        Next();
                        file.Package = Next();
                        Expect(";");
                        break;
                    case "import":
                        Next();
                        if (Peek() is "public" or "weak")
                        {
                            Next();
                        }
                        file.Imports.Add(Unquote(Next()));
                        Expect(";");
                        break;
                    case "option":
                        SkipStatement();
                        break;
                    case "message":
                        Next();
                        file.Messages.Add(Message(file.Package is null ? "" : "." + file.Package, file.Syntax));
                        break;
                    case "enum":
                        Next();
                        file.Enums.Add(Enum());
                        break;
                    case "service" or "extend":
                        Next();
                        Next();
                        SkipBalanced("{", "}");
                        break;
                    case ";":
                        Next();
                        break;
                    default:
                        throw Error($"Expected top-level statement (e.g. \"message\"), found \"{token}\"");
                }
            }
            return file;
        }

        private ProtoMessage Message(string scope, string syntax)
        {
            var name = Identifier();
            var message = new ProtoMessage { Name = name, FullName = scope + "." + name };
            Expect("{");
            Body(message, syntax, oneof: null);
            return message;
        }

        private void Body(ProtoMessage message, string syntax, string? oneof)
        {
            while (true)
            {
                var token = Peek() ?? throw Error("Reached end of input in message definition (missing '}').");
                switch (token)
                {
                    case "}":
                        Next();
                        return;
                    case ";":
                        Next();
                        continue;
                    case "option" or "reserved" or "extensions":
                        SkipStatement();
                        continue;
                    case "message" when oneof is null:
                        Next();
                        message.Messages.Add(Message(message.FullName, syntax));
                        continue;
                    case "enum" when oneof is null:
                        Next();
                        message.Enums.Add(Enum());
                        continue;
                    case "extend" when oneof is null:
                        Next();
                        Next();
                        SkipBalanced("{", "}");
                        continue;
                    case "oneof" when oneof is null:
                        Next();
                        var oneofName = Identifier();
                        Expect("{");
                        Body(message, syntax, oneofName);
                        continue;
                    default:
                        Field(message, syntax, oneof);
                        continue;
                }
            }
        }

        private void Field(ProtoMessage message, string syntax, string? oneof)
        {
            var line = _peekedLine;
            string? label = null;
            if (Peek() is "optional" or "required" or "repeated")
            {
                label = Next();
                if (label == "required" && syntax == "proto3")
                {
                    throw Error("Required fields are not allowed in proto3.");
                }
            }
            string? mapKey = null, mapValue = null;
            string type;
            if (Peek() == "map")
            {
                Next();
                Expect("<");
                mapKey = Next();
                Expect(",");
                mapValue = Next();
                Expect(">");
                type = $"map<{mapKey},{mapValue}>";
            }
            else
            {
                type = Next() ?? throw Error("Expected field type.");
                if (type == "group")
                {
                    throw Error("Groups are not supported.");
                }
            }
            var name = Identifier();
            Expect("=");
            var numberText = Next();
            if (!int.TryParse(numberText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) || number < 1 || number > 536_870_911)
            {
                throw Error($"Expected field number, found \"{numberText}\"");
            }
            if (Peek() == "[")
            {
                SkipBalanced("[", "]");
            }
            Expect(";");
            if (message.Fields.Any(f => f.Number == number))
            {
                throw new SchemaParseException($"{line}: Field number {number} has already been used in \"{message.FullName.TrimStart('.')}\" by field \"{message.Fields.First(f => f.Number == number).Name}\".");
            }
            if (message.Fields.Any(f => f.Name == name))
            {
                throw new SchemaParseException($"{line}: \"{name}\" is already defined in \"{message.FullName.TrimStart('.')}\".");
            }
            message.Fields.Add(new ProtoField
            {
                Name = name, Number = number, Label = label, TypeName = type, Oneof = oneof, MapKey = mapKey, MapValue = mapValue, Line = line,
            });
        }

        private string Enum()
        {
            var name = Identifier();
            Expect("{");
            var values = 0;
            while (Peek() is { } token && token != "}")
            {
                if (token is "option" or "reserved")
                {
                    SkipStatement();
                    continue;
                }
                if (token == ";")
                {
                    Next();
                    continue;
                }
                Identifier();
                Expect("=");
                var value = Next();
                if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                {
                    throw Error($"Expected enum value number, found \"{value}\"");
                }
                if (Peek() == "[")
                {
                    SkipBalanced("[", "]");
                }
                Expect(";");
                values++;
            }
            Expect("}");
            return values == 0 ? throw Error($"Enums must contain at least one value: {name}") : name;
        }

        private string Identifier()
        {
            var token = Next() ?? throw Error("Expected identifier, found end of input");
            return char.IsAsciiLetter(token[0]) || token[0] == '_' ? token : throw Error($"Expected identifier, found \"{token}\"");
        }

        private void Expect(string expected)
        {
            var token = Next();
            if (token != expected)
            {
                throw Error($"Expected \"{expected}\", found \"{token ?? "end of input"}\"");
            }
        }

        private void SkipStatement()
        {
            var depth = 0;
            while (Next() is { } token)
            {
                depth += token is "{" or "[" or "(" ? 1 : token is "}" or "]" or ")" ? -1 : 0;
                if (token == ";" && depth <= 0)
                {
                    return;
                }
            }
            throw Error("Expected \";\"");
        }

        /// <summary>Reads past the next <paramref name="open"/> … matching <paramref name="close"/> (options, service bodies).</summary>
        private void SkipBalanced(string open, string close)
        {
            while (Peek() is { } t && t != open)
            {
                Next();
            }
            var depth = 0;
            while (Next() is { } token)
            {
                depth += token == open ? 1 : token == close ? -1 : 0;
                if (depth == 0)
                {
                    return;
                }
            }
            throw Error($"Expected \"{close}\"");
        }

        private static string Unquote(string? token) =>
            token is { Length: >= 2 } && token[0] is '"' or '\'' ? token[1..^1] : throw new SchemaParseException($"Expected string, found \"{token}\"");

        private SchemaParseException Error(string message) => new($"{(_peeked is null ? _line : _peekedLine)}: {message}");

        private string? Peek()
        {
            if (_peeked is null)
            {
                _peeked = Read();
                _peekedLine = _line;
            }
            return _peeked;
        }

        private string? Next()
        {
            var token = Peek();
            _peeked = null;
            return token;
        }

        private string? Read()
        {
            while (_pos < text.Length)
            {
                var c = text[_pos];
                if (c == '\n')
                {
                    _line++;
                    _pos++;
                }
                else if (char.IsWhiteSpace(c))
                {
                    _pos++;
                }
                else if (c == '/' && _pos + 1 < text.Length && text[_pos + 1] == '/')
                {
                    while (_pos < text.Length && text[_pos] != '\n')
                    {
                        _pos++;
                    }
                }
                else if (c == '/' && _pos + 1 < text.Length && text[_pos + 1] == '*')
                {
                    var end = text.IndexOf("*/", _pos + 2, StringComparison.Ordinal);
                    var stop = end < 0 ? text.Length : end + 2;
                    _line += text.AsSpan(_pos, stop - _pos).Count('\n');
                    _pos = stop;
                }
                else
                {
                    break;
                }
            }
            if (_pos >= text.Length)
            {
                return null;
            }
            var start = _pos;
            var first = text[_pos];
            if (first is '"' or '\'')
            {
                _pos++;
                var sb = new StringBuilder().Append(first);
                while (_pos < text.Length && text[_pos] != first)
                {
                    if (text[_pos] == '\\' && _pos + 1 < text.Length)
                    {
                        sb.Append(text[_pos++]);
                    }
                    if (text[_pos] == '\n')
                    {
                        throw new SchemaParseException($"{_line}: String literals cannot cross line boundaries.");
                    }
                    sb.Append(text[_pos++]);
                }
                if (_pos >= text.Length)
                {
                    throw new SchemaParseException($"{_line}: Unexpected end of string.");
                }
                _pos++;
                return sb.Append(first).ToString();
            }
            if (char.IsAsciiLetterOrDigit(first) || first is '_' or '.' or '-' or '+')
            {
                _pos++;
                while (_pos < text.Length && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] is '_' or '.'))
                {
                    _pos++;
                }
                return text[start.._pos];
            }
            _pos++;
            return first.ToString();
        }
    }
}
